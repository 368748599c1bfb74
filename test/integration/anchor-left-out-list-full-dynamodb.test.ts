/**
 * record19 (closing note 17): a digest listed at most 100 incidents left out (`leftOut`, as many
 * as one run reads of them), those listed before first. Whoever keeps 100 incidents broken holds
 * the list; another incident broken after them was read while its mark stood, left out, but not
 * listed, and on DynamoDB deleting its mark (one DeleteItem) had the runs stop naming it: the run
 * still failed, for the 100, but its errors no longer said that this one does not verify either.
 * The list now holds every incident left out; a run reads at most maxBroken of them and names the
 * rest as left out and not read, so each run's errors name them all.
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

  /** Whoever can write the table edits one byte of an incident's record and marks it so the anchor reads it. */
  const breakAndMark = async (id: string) => {
    const db = moto.clients.dynamodb;
    const key = { pk: { S: `INC#${id}` }, sk: { S: 'INCIDENT' } };
    const data = (await db.send(new GetItemCommand({ TableName: TABLE, Key: key }))).Item?.data.S as string;
    await db.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: key,
        UpdateExpression: 'SET #d = :d',
        ExpressionAttributeNames: { '#d': 'data' },
        ExpressionAttributeValues: { ':d': { S: data.replace(/"severity":[0-9.]+/, '"severity":2') } },
      }),
    );
    await plantAnchorMark(db, id, (await dynamoLedger(db, id)).at(-1) as LedgerRow);
  };

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
    await moto.clients.dynamodb.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { S: `ANCHOR#${registryShardOf(z)}` }, sk: { S: z } } }));
    for (let n = 0; n < 2; n++) {
      const r = await run();
      expect(r.leftOut).toEqual([a1, a2, z].sort());
      expect(new Set(r.problems.map((p) => p.incidentId))).toEqual(new Set([a1, a2, z]));
    }
  }, 300_000);
});
