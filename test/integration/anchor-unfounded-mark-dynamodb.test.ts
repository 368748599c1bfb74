/**
 * record19 (closing note 17): on DynamoDB a pending anchor mark (`ANCHOR#<shard>`/`<id>`, which every
 * incident writer may Put) naming an incident that does not exist was never cleared: every run read
 * it again (the incident's items, and its index in the digest bucket), a page of reads per 600 such
 * marks every 5 minutes, for good. The anchor now clears a mark that names nothing at all (no
 * record, ledger, timeline or message, no registry entry, no head a digest anchored) and names it
 * in the run's result. A mark whose incident was deleted is never what hides it: the registry's
 * entry, or the head a digest anchored, still names the deletion on every run.
 *
 * record20: a mark is read by its key. One planted with an `incidentId` other than its key's, or
 * under another shard than its incident's, was read as naming that `incidentId` and cleared at that
 * incident's key, where there was nothing (or another mark): it stayed, read every run, for good.
 */
import { type AttributeValue, DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorStore } from '../../handlers/core/anchor.js';
import { registryShardOf } from '../../handlers/core/ledger.js';
import { freshAwsAnchorWorld, plantAnchorMark } from '../support/anchor-world.js';
import { capturingLogger } from '../support/logs.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const TABLE = 'datalek-incidents';

describe.skipIf(!MOTO_AVAILABLE)('anchor marks naming no incident on DynamoDB', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 600_000);
  afterAll(async () => moto?.stop());

  const markOf = async (id: string) =>
    (await moto.clients.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `ANCHOR#${registryShardOf(id)}` }, sk: { S: id } } }))).Item;

  /** Whoever can write the table deletes an incident's items (its registry entry left alone). */
  const deleteIncidentItems = async (id: string) => {
    const db = moto.clients.dynamodb;
    const out = await db.send(
      new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: `INC#${id}` } } }),
    );
    for (const item of out.Items ?? []) await db.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: item.pk, sk: item.sk } }));
  };

  it('clears a planted mark naming no incident once, and names it; the runs after read it no more', async () => {
    const lines: string[] = [];
    const { store, signer, digests, open, anchor } = await freshAwsAnchorWorld(moto, 'datalek-digests-unfounded', capturingLogger(lines));
    const run = async () => anchorStore({ source: store, signer: await signer(), digests, now: () => new Date().toISOString() });
    const id = await open('unfounded-1');
    expect((await run()).written?.sequence).toBe(1);

    const fake = `dl-${'0'.repeat(32)}`;
    await plantAnchorMark(moto.clients.dynamodb, fake, { seq: 3, hash: 'f'.repeat(64) });
    const first = await run();
    expect(first.problems).toEqual([]);
    expect(await markOf(fake), 'the planted mark is cleared').toBeUndefined();
    expect(first.unfoundedMarks).toEqual([fake]);
    expect(await markOf(id)).toBeUndefined();
    const second = await run();
    expect([second.unfoundedMarks, second.remaining, second.problems]).toEqual([[], 0, []]);
    // The scheduled function names the marks it clears in its log (a warning, no page).
    const other = `dl-${'1'.repeat(32)}`;
    await plantAnchorMark(moto.clients.dynamodb, other, { seq: 1, hash: 'e'.repeat(64) });
    expect(await anchor()).toEqual({ sequence: null, incidents: 0 });
    const warned = lines.filter((l) => l.includes('cleared anchor marks naming no incident'));
    expect(warned.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ level: 'WARN', count: 1, incidentIds: [other] })]);
    expect(await markOf(other)).toBeUndefined();
  });

  it('clears a planted mark of another shape (no seq, a seq that is text, a hash that is a number) and anchors on (readB19)', async () => {
    // The pipeline writes seq as a number and hash as text; whoever writes the table writes what they
    // like. A mark without a number for seq made the clearing's condition unwritable (NaN), the run
    // failed before its digest, every run, for good: one PutItem stopped all anchoring.
    const { store, signer, digests, open } = await freshAwsAnchorWorld(moto, 'datalek-digests-unfounded-shapes');
    const run = async () => anchorStore({ source: store, signer: await signer(), digests, now: () => new Date().toISOString() });
    await open('shapes-1');
    expect((await run()).written?.sequence).toBe(1);
    const db = moto.clients.dynamodb;
    const planted = [`dl-${'2'.repeat(32)}`, `dl-${'3'.repeat(32)}`, `dl-${'4'.repeat(32)}`];
    const shapes: Record<string, AttributeValue>[] = [{}, { seq: { S: 'x' }, hash: { S: 'a'.repeat(64) } }, { seq: { N: '2' }, hash: { N: '7' } }];
    for (const [i, id] of planted.entries())
      await db.send(
        new PutItemCommand({ TableName: TABLE, Item: { pk: { S: `ANCHOR#${registryShardOf(id)}` }, sk: { S: id }, incidentId: { S: id }, ...shapes[i] } }),
      );
    const later = await open('shapes-2');
    const r = await run();
    expect(r.problems).toEqual([]);
    expect(r.written?.incidents.map(([id]) => id)).toEqual([later]);
    expect([...r.unfoundedMarks].sort()).toEqual(planted);
    for (const id of planted) expect(await markOf(id), id).toBeUndefined();
  });

  it('never clears its way past a deleted incident: the registry or the head a digest anchored still names it', async () => {
    const { store, signer, digests, open } = await freshAwsAnchorWorld(moto, 'datalek-digests-unfounded-deleted');
    const run = async () => anchorStore({ source: store, signer: await signer(), digests, now: () => new Date().toISOString() });
    const [a, b] = [await open('deleted-a'), await open('deleted-b')];
    expect((await run()).written?.sequence).toBe(1);

    // Both deleted whole, each with a mark put back; A's registry entry deleted too (B's is kept).
    const db = moto.clients.dynamodb;
    await deleteIncidentItems(a);
    await deleteIncidentItems(b);
    const entries = await db.send(
      new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: `REG#${registryShardOf(a)}` } } }),
    );
    const entry = (entries.Items ?? []).find((i) => i.data?.S?.includes(a));
    await db.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: entry?.pk ?? { S: '' }, sk: entry?.sk ?? { S: '' } } }));
    await plantAnchorMark(db, a, { seq: 9, hash: 'a'.repeat(64) });
    await plantAnchorMark(db, b, { seq: 9, hash: 'b'.repeat(64) });
    for (let n = 0; n < 2; n++) {
      const r = await run();
      const named = r.problems.map((p) => `${p.incidentId} ${p.problem}`);
      // A: the head digest 1 anchored for it (the bucket's index); B: its registry entry.
      expect(named).toContainEqual(expect.stringMatching(new RegExp(`^${a} is gone, yet the head a digest anchored`)));
      expect(named).toContainEqual(expect.stringMatching(new RegExp(`^${b} the registry names this incident but the store does not hold it`)));
      expect(await markOf(a)).toBeDefined();
      expect(await markOf(b)).toBeDefined();
      expect(r.unfoundedMarks).toEqual([]);
    }
  });

  it('clears a planted mark whose incidentId is not its key, or kept under another shard, once its incident was read (record20)', async () => {
    const { store, signer, digests, open } = await freshAwsAnchorWorld(moto, 'datalek-digests-unfounded-keys');
    const run = async () => anchorStore({ source: store, signer: await signer(), digests, now: () => new Date().toISOString() });
    const real = await open('keys-1');
    expect((await run()).written?.sequence).toBe(1);
    const db = moto.clients.dynamodb;
    const plant = (pk: string, sk: string, incidentId: string) =>
      db.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { pk: { S: pk }, sk: { S: sk }, incidentId: { S: incidentId }, seq: { N: '1' }, hash: { S: 'c'.repeat(64) } },
        }),
      );
    const other = (id: string) => `ANCHOR#${(registryShardOf(id) + 1) % 8}`;
    const [nothing, nothingElse, wrongShard] = [`dl-${'5'.repeat(32)}`, `dl-${'6'.repeat(32)}`, `dl-${'7'.repeat(32)}`];
    const planted = [
      // Its incidentId names another incident that does not exist.
      { pk: `ANCHOR#${registryShardOf(nothing)}`, sk: nothing, incidentId: nothingElse },
      // Its incidentId names a real incident, anchored: before, that incident was read and its own key cleared.
      { pk: `ANCHOR#${registryShardOf(nothingElse)}`, sk: nothingElse, incidentId: real },
      // Under another shard than its incident's (none), and under another shard than the real incident's.
      { pk: other(wrongShard), sk: wrongShard, incidentId: wrongShard },
      { pk: other(real), sk: real, incidentId: real },
    ];
    for (const m of planted) await plant(m.pk, m.sk, m.incidentId);
    const later = await open('keys-2');
    const r = await run();
    expect(r.problems).toEqual([]);
    expect(r.written?.incidents.map(([id]) => id)).toEqual([later]);
    expect([...r.unfoundedMarks].sort()).toEqual([nothing, nothingElse, wrongShard, real].sort());
    for (const m of planted)
      expect((await db.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: m.pk }, sk: { S: m.sk } } }))).Item, `${m.pk} ${m.sk}`).toBeUndefined();
    const after = await run();
    expect([after.unfoundedMarks, after.remaining, after.problems, after.written]).toEqual([[], 0, [], null]);
  });
});
