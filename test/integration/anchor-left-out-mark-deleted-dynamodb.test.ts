/**
 * review15 (attack17) K-quiet: on DynamoDB the scheduled anchor reads only the incidents a mark
 * (`ANCHOR#<shard>`/`<id>`) names. An incident that does not verify is left out, kept marked, and
 * every run fails naming it (the anchor's errors alarm pages). Whoever can write the table deletes
 * that one mark (one DeleteItem): the next run does not read the incident, writes nothing or signs the
 * others, and succeeds; the page stops while the incident still does not verify and its `seen` pin is
 * carried on unread. Only a person running `verify --target aws --digests` would see it.
 */
import { DeleteItemCommand, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { registryShardOf } from '../../handlers/core/ledger.js';
import { dynamoLedger, freshAwsAnchorWorld, plantAnchorMark } from '../support/anchor-world.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import type { LedgerRow } from '../support/tamper.js';

describe.skipIf(!MOTO_AVAILABLE)('a left-out incident whose anchor mark is deleted (DynamoDB)', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 600_000);
  afterAll(async () => moto?.stop());

  it('keeps the scheduled anchor failing while the incident does not verify', async () => {
    const { anchor, deps, open } = await freshAwsAnchorWorld(moto, 'datalek-digests-quiet');
    const db = moto.clients.dynamodb;
    const [a, b] = [await open('quiet-a'), await open('quiet-b')];
    expect(await anchor()).toMatchObject({ sequence: 1 });

    // A's record tampered (a byte) and a mark put so the anchor reads A: the run fails naming A.
    const recordKey = { pk: { S: `INC#${a}` }, sk: { S: 'INCIDENT' } };
    const original = (await db.send(new GetItemCommand({ TableName: 'datalek-incidents', Key: recordKey }))).Item?.data.S as string;
    await db.send(
      new UpdateItemCommand({
        TableName: 'datalek-incidents',
        Key: recordKey,
        UpdateExpression: 'SET #d = :d',
        ExpressionAttributeNames: { '#d': 'data' },
        ExpressionAttributeValues: { ':d': { S: original.replace(/"severity":[0-9.]+/, '"severity":2') } },
      }),
    );
    const head = (await dynamoLedger(db, a)).at(-1) as LedgerRow;
    const markKey = { pk: { S: `ANCHOR#${registryShardOf(a)}` }, sk: { S: a } };
    await plantAnchorMark(db, a, head);
    await acknowledge(deps('2026-11-27T21:40:00.000Z'), { incidentId: b, by: 'anna' });
    await expect(anchor(), 'premise: loud').rejects.toThrow(new RegExp(`do not verify \\(${a}\\)`));

    // The one mark deleted; A is left as it is (still does not verify).
    await db.send(new DeleteItemCommand({ TableName: 'datalek-incidents', Key: markKey }));
    await acknowledge(deps('2026-11-27T21:45:00.000Z'), { incidentId: b, by: 'bert' });

    // Expected: the run still fails naming A (the last digest saw A left out). On main it succeeds.
    await expect(anchor(), 'the anchor went quiet while A does not verify').rejects.toThrow(new RegExp(a));
  });
});
