/**
 * record19 (closing note 17): a digest listed at most 100 incidents left out (`leftOut`, as many
 * as one run reads of them), those listed before first. Whoever keeps 100 incidents broken holds
 * the list; another incident broken after them was read while its mark stood, left out, but not
 * listed, and on DynamoDB deleting its mark (one DeleteItem) had the runs stop naming it: the run
 * still failed, for the 100, but its errors no longer said that this one does not verify either.
 * The list now holds every incident left out; a run reads at most maxBroken of them and names the
 * rest as left out and not read, so each run's errors name them all.
 *
 * record20: a run always read the first maxBroken of the list, in id order. One further down, put
 * right without a write (its bytes put back, its mark gone), was never read again: listed and
 * unanchored until something wrote it, and whoever kept maxBroken broken ahead of it starved the
 * rest. Runs now read on from where the run before stopped in the list (the digest's `leftOutTurn`).
 */
import { DeleteItemCommand, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorStore } from '../../handlers/core/anchor.js';
import { registryShardOf } from '../../handlers/core/ledger.js';
import { dynamoLedger, freshAwsAnchorWorld, plantAnchorMark } from '../support/anchor-world.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import type { LedgerRow } from '../support/tamper.js';

const TABLE = 'datalek-incidents';

describe.skipIf(!MOTO_AVAILABLE)('the left-out list held by incidents kept broken (DynamoDB)', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 600_000);
  afterAll(async () => moto?.stop());

  /** Whoever can write the table sets an incident's record to `data` (no ledger entry, no mark). */
  const writeRecord = (id: string, data: string) =>
    moto.clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `INC#${id}` }, sk: { S: 'INCIDENT' } },
        UpdateExpression: 'SET #d = :d',
        ExpressionAttributeNames: { '#d': 'data' },
        ExpressionAttributeValues: { ':d': { S: data } },
      }),
    );

  /** Whoever can write the table edits one byte of an incident's record and marks it so the anchor reads it; the record as it was. */
  const breakAndMark = async (id: string) => {
    const db = moto.clients.dynamodb;
    const data = (await db.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `INC#${id}` }, sk: { S: 'INCIDENT' } } }))).Item?.data.S as string;
    await writeRecord(id, data.replace(/"severity":[0-9.]+/, '"severity":2'));
    await plantAnchorMark(db, id, (await dynamoLedger(db, id)).at(-1) as LedgerRow);
    return data;
  };
  const deleteMark = (id: string) =>
    moto.clients.dynamodb.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { S: `ANCHOR#${registryShardOf(id)}` }, sk: { S: id } } }));

  it("names every incident left out in each run's errors, though more are left out than a run reads", async () => {
    const { store, signer, digests, open } = await freshAwsAnchorWorld(moto, 'datalek-digests-list-full');
    // A run reads at most 2 incidents that do not verify (100 in production).
    const run = async () => anchorStore({ source: store, signer: await signer(), digests, now: () => new Date().toISOString(), maxBroken: 2 });
    const [a1, a2, z] = [await open('held-1'), await open('held-2'), await open('late-z')];
    expect((await run()).written?.sequence).toBe(1);

    // The attacker keeps two broken: they fill the list.
    await breakAndMark(a1);
    await breakAndMark(a2);
    expect((await run()).leftOut).toEqual([a1, a2].sort());

    // Z breaks later: read while its mark stands, left out.
    await breakAndMark(z);
    expect((await run()).leftOut).toEqual([a1, a2, z].sort());

    // Z's mark deleted: each run after still names Z (before: only A1 and A2).
    await deleteMark(z);
    for (let n = 0; n < 2; n++) {
      const r = await run();
      expect(r.leftOut).toEqual([a1, a2, z].sort());
      expect(new Set(r.problems.map((p) => p.incidentId))).toEqual(new Set([a1, a2, z]));
    }
  }, 300_000);

  it('reads on through the list from where the run before stopped, so one put right further down is read and anchored', async () => {
    const { store, signer, digests, open } = await freshAwsAnchorWorld(moto, 'datalek-digests-list-turn');
    const run = async () => anchorStore({ source: store, signer: await signer(), digests, now: () => new Date().toISOString(), maxBroken: 2 });
    const ids = [];
    for (let n = 1; n <= 5; n++) ids.push(await open(`turn-${n}`));
    ids.sort();
    expect((await run()).written?.sequence).toBe(1);

    // Five kept broken, more than a run reads of them; until every one is listed.
    const original = new Map<string, string>();
    for (const id of ids) original.set(id, await breakAndMark(id));
    for (let n = 0; n < 5 && (await run()).leftOut.length < ids.length; n++);
    expect((await run()).leftOut).toEqual(ids);

    // The last in id order put right behind the pipeline, its mark gone: nothing but the list has it read.
    const last = ids[4];
    await writeRecord(last, original.get(last) as string);
    for (const id of ids) await deleteMark(id);
    const runs = [];
    for (let n = 0; n < Math.ceil(ids.length / 2); n++) runs.push(await run());
    // It verifies at the head digest 1 anchored: read within ceil(5/2) runs, it leaves the list (before: never read again).
    expect(runs.at(-1)?.leftOut).toEqual(ids.slice(0, 4));
    // Every run still names every one left out, read or not.
    for (const r of runs) expect(new Set(r.problems.map((p) => p.incidentId))).toEqual(new Set(ids.filter((id) => r.leftOut.includes(id))));
  }, 300_000);
});
