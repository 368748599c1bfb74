/**
 * On DynamoDB the pending anchor mark `ANCHOR#<shard>`/`<id>` (which every incident writer may Put:
 * link-apply's grant lists `ANCHOR#<shard>`) was what the anchor signed as the incident's head
 * (review7 K1). A mark put back to the head an earlier digest anchored made the next digest anchor
 * that old head; the anchor then cleared the mark, and what was recorded since was never anchored:
 * a later rewrite of it passed `verify --digests`. The anchor now takes each head from the ledger.
 * A mark deleted (review12 K4) kept the incident out of every later digest: `verify --digests` now
 * names a move made before the last digest that no digest anchored and no mark waits for.
 */
import { DeleteItemCommand, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { registryShardOf } from '../../handlers/core/ledger.js';
import { awsCliInProcess, dynamoLedger, freshAwsAnchorWorld, plantAnchorMark, rechainAcknowledgementDynamo } from '../support/anchor-world.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import type { LedgerRow } from '../support/tamper.js';

describe.skipIf(!MOTO_AVAILABLE)('a planted anchor mark on DynamoDB', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 600_000);
  afterAll(async () => moto?.stop());
  /** Whoever can write the table sets an item's stored text. */
  const setItemData = (key: Record<string, { S: string }>, text: string) =>
    moto.clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: 'datalek-incidents',
        Key: key,
        UpdateExpression: 'SET #d = :d',
        ExpressionAttributeNames: { '#d': 'data' },
        ExpressionAttributeValues: { ':d': { S: text } },
      }),
    );

  it('does not keep what was recorded after a digest out of the next one', async () => {
    const { env, anchor, location, deps, open } = await freshAwsAnchorWorld(moto, 'datalek-digests-k1b');
    const db = moto.clients.dynamodb;
    const id = await open('k1b-1');
    expect(await anchor()).toMatchObject({ sequence: 1 });
    const anchoredHead = (await dynamoLedger(db, id)).at(-1) as LedgerRow;

    // On-call acknowledges (late, 21:40), after digest 1.
    await acknowledge(deps('2026-11-27T21:40:00.000Z'), { incidentId: id, by: 'anna' });
    // The mark the acknowledgement's commit left is put back to the head digest 1 anchored (one Put).
    await plantAnchorMark(db, id, anchoredHead);
    expect(await anchor()).toMatchObject({ sequence: 2, incidents: 1 }); // the scheduled anchor, after the acknowledgement

    // Later: the acknowledgement moved to 21:05, every hash recomputed.
    await rechainAcknowledgementDynamo(db, id, '2026-11-27T21:05:00.000Z');
    const proved = await awsCliInProcess(['verify', '--target', 'aws', '--digests', location], env);
    // Caught: the digest after the acknowledgement anchored the ledger's head, not the mark's.
    expect(proved.stderr).toMatch(/digest-0000000002\.json: ledger entry \d+ differs from digest 2/);
    expect(proved.code, proved.stdout + proved.stderr).toBe(1);
  });
  it('names a move a deleted mark kept out of every later digest (review12 K4)', async () => {
    const { env, anchor, location, deps, open } = await freshAwsAnchorWorld(moto, 'datalek-digests-markdel');
    const db = moto.clients.dynamodb;
    const [a, b] = [await open('markdel-a'), await open('markdel-b')];
    expect(await anchor()).toMatchObject({ sequence: 1 });

    // On-call acknowledges A late (21:40); its commit marks A for the next digest. The mark is deleted (one DeleteItem).
    await acknowledge(deps('2026-11-27T21:40:00.000Z'), { incidentId: a, by: 'anna' });
    await db.send(new DeleteItemCommand({ TableName: 'datalek-incidents', Key: { pk: { S: `ANCHOR#${registryShardOf(a)}` }, sk: { S: a } } }));
    // B moves too; the scheduled anchor writes digest 2, after A's acknowledgement, and anchors B only.
    await acknowledge(deps('2026-11-27T21:41:00.000Z'), { incidentId: b, by: 'bert' });
    expect(await anchor()).toMatchObject({ sequence: 2, incidents: 1 });

    // Hours later: A's acknowledgement moved to 21:05 (in time), every hash after it recomputed.
    await rechainAcknowledgementDynamo(db, a, '2026-11-27T21:05:00.000Z');
    const proved = await awsCliInProcess(['verify', '--target', 'aws', '--digests', location], env);
    expect(proved.code, `verify --digests passed: ${proved.stdout}${proved.stderr}`).toBe(1);
    expect(proved.stderr).toMatch(
      new RegExp(
        `incident ${a}, digest-0000000002\\.json: ledger entry \\d+ \\(written [^)]+\\) is in no digest, though digest 2 .* nothing marks the incident`,
      ),
    );
    expect(proved.stderr).not.toContain(`incident ${b}`);
  });
  it('leaves an incident that does not verify out of the digest, signs the others, and fails the run (review13 K3)', async () => {
    const { anchor, deps, open, digest } = await freshAwsAnchorWorld(moto, 'datalek-digests-k3');
    const db = moto.clients.dynamodb;
    const [a, b] = [await open('k3-a'), await open('k3-b')];
    expect(await anchor()).toMatchObject({ sequence: 1 });

    // The loud tamper: one byte of A's record, and a mark put so the anchor reads A.
    const recordKey = { pk: { S: `INC#${a}` }, sk: { S: 'INCIDENT' } };
    const original = (await db.send(new GetItemCommand({ TableName: 'datalek-incidents', Key: recordKey }))).Item?.data.S as string;
    const setData = (text: string) => setItemData(recordKey, text);
    await setData(original.replace(/"severity":[0-9.]+/, '"severity":2'));
    const head = (await dynamoLedger(db, a)).at(-1) as LedgerRow;
    await plantAnchorMark(db, a, head);

    // B acknowledged meanwhile: the scheduled anchor signs B, leaves A out, and fails (the errors alarm pages).
    await acknowledge(deps('2026-11-27T21:40:00.000Z'), { incidentId: b, by: 'anna' });
    await expect(anchor()).rejects.toThrow(new RegExp(`digest 2 written without 1 incident\\(s\\) that do not verify \\(${a}\\)`));
    expect((await digest(2)).incidents.map(([id]) => id)).toEqual([b]);

    // A put right: its mark was kept, so the next run audits it whole; it holds the head digest 1
    // anchored (the index of anchored heads says so), so it is not signed again and its mark goes;
    // digest 3 only takes it off the list of those left out.
    await setData(original);
    expect(await anchor()).toEqual({ sequence: 3, incidents: 0 });
    const mark = await db.send(new GetItemCommand({ TableName: 'datalek-incidents', Key: { pk: { S: `ANCHOR#${registryShardOf(a)}` }, sk: { S: a } } }));
    expect(mark.Item).toBeUndefined();
  });
  it('signs the rest when a registry shard does not verify, carrying it as last anchored, and fails the run', async () => {
    const { anchor, deps, open, digest } = await freshAwsAnchorWorld(moto, 'datalek-digests-k3-registry');
    const db = moto.clients.dynamodb;
    const a = await open('k3r-a');
    let b = await open('k3r-b');
    for (let n = 1; registryShardOf(b) === registryShardOf(a); n++) b = await open(`k3r-b${n}`);
    const shard = registryShardOf(a);
    expect(await anchor()).toMatchObject({ sequence: 1 });

    // One registry item of A's shard edited (a byte of its time).
    const entryKey = { pk: { S: `REG#${shard}` }, sk: { S: 'E#0000000001' } };
    const entry = (await db.send(new GetItemCommand({ TableName: 'datalek-incidents', Key: entryKey }))).Item?.data.S as string;
    const setEntry = (text: string) => setItemData(entryKey, text);
    await setEntry(entry.replace(/"at":"(\d{4})/, '"at":"1999'));

    // B acknowledged meanwhile: digest 2 signs B, carries A's shard as digest 1 anchored it (and leaves out A, which the
    // edited entry names), and the run fails (the errors alarm pages).
    await acknowledge(deps('2026-11-27T21:40:00.000Z'), { incidentId: b, by: 'anna' });
    await expect(anchor()).rejects.toThrow(
      new RegExp(`digest 2 written without 1 incident\\(s\\) that do not verify \\(${a}\\) or renewing registry shard\\(s\\) ${shard}, which do not verify`),
    );
    const [first, second] = [await digest(1), await digest(2)];
    expect(second.incidents.map(([id]) => id)).toEqual([b]);
    expect([second.registry[shard], second.registryLeftOut]).toEqual([first.registry[shard], [shard]]);

    // Put right: the next digest renews the shard.
    await setEntry(entry);
    await acknowledge(deps('2026-11-27T21:45:00.000Z'), { incidentId: a, by: 'anna' });
    expect(await anchor()).toMatchObject({ sequence: 3, incidents: 1 });
    expect((await digest(3)).registryLeftOut).toBeUndefined();
  });
});
