/**
 * On DynamoDB the store keeps no set of the heads anchored (SQLite's `anchored`, checked against
 * the last digest: c8b2f7e): the anchor read a marked incident and signed its ledger as it read.
 * An incident rewritten whole (every hash recomputed on its own ledger, so it audits clean) and
 * marked by whoever writes the table was signed at the rewritten head; only `verify --digests`
 * named it. The anchor now holds each incident it reads to its newest head the digests anchored,
 * read from the digest bucket's index (one write-once object per head signed, beside the digests),
 * which no writer of the table can change; digests written before the index are indexed a batch a run.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { anchorStore } from '../../handlers/core/anchor.js';
import { REGISTRY_SHARDS } from '../../handlers/core/ledger.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { createAnchorHandler } from '../../handlers/lambda/anchor.js';
import { awsAnchorWorld, dynamoLedger, freshAwsAnchorWorld, plantAnchorMark, rechainAcknowledgementDynamo } from '../support/anchor-world.js';
import { spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto, TEST_REGION } from '../support/moto.js';
import type { LedgerRow } from '../support/tamper.js';

describe.skipIf(!MOTO_AVAILABLE)('the anchored heads on DynamoDB, held in the digest bucket', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 600_000);
  afterAll(async () => moto?.stop());
  it('does not sign a ledger rewritten whole after a digest anchored it: left out, named, the others signed', async () => {
    const { s3, anchor, deps, open, digest, env, location } = await freshAwsAnchorWorld(moto, 'datalek-index-rewrite');
    const db = moto.clients.dynamodb;
    const [a, b] = [await open('ix-a'), await open('ix-b')];
    expect(await anchor()).toMatchObject({ sequence: 1, incidents: 2 });
    // On-call acknowledges A late (21:40): digest 2 anchors it.
    await acknowledge(deps('2026-11-27T21:40:00.000Z'), { incidentId: a, by: 'anna' });
    expect(await anchor()).toMatchObject({ sequence: 2, incidents: 1 });
    const anchored = (await dynamoLedger(db, a)).at(-1) as LedgerRow;
    expect((await digest(2)).incidents).toEqual([[a, anchored.seq, anchored.hash]]);
    // One object per head signed, beside the digests; the digests' own listing does not page through them.
    const index = await s3.send(new ListObjectsV2Command({ Bucket: 'datalek-index-rewrite', Prefix: `prod/anchored/${a}/` }));
    expect(index.Contents?.length).toBe(2);

    // The acknowledgement moved to 21:05, every hash recomputed, and A marked at its new head; B moves honestly.
    const rewritten = await rechainAcknowledgementDynamo(db, a, '2026-11-27T21:05:00.000Z');
    await plantAnchorMark(db, a, rewritten);
    await acknowledge(deps('2026-11-27T21:41:00.000Z'), { incidentId: b, by: 'bert' });
    await expect(anchor()).rejects.toThrow(new RegExp(`digest 3 written without 1 incident\\(s\\) that do not verify \\(${a}\\)`));
    expect((await digest(3)).incidents.map(([id]) => id)).toEqual([b]);
    // And again next run: A is still held to what digest 2 anchored, and its acknowledgement to its
    // timeline's first (21:40, not the record's 21:05: tl28a F5): two problems, no digest written.
    await expect(anchor()).rejects.toThrow(/2 problem\(s\) in the record; no digest written/);
    const proved = await spawnCli(['verify', '--target', 'aws', '--digests', location], env);
    expect(proved.stderr).toMatch(/digest-0000000002\.json: ledger entry \d+ differs from digest 2/);
    expect(proved.stderr).not.toMatch(/versions|delete marker|digest-0000000003\.json: ledger/);
  });

  it('indexes digests written before the index was kept, a batch a run, then holds their incidents to them', async () => {
    const { anchor, deps, open, digest, digests, store, signer } = await freshAwsAnchorWorld(moto, 'datalek-index-upgrade');
    const db = moto.clients.dynamodb;
    const [a, b] = [await open('up-a'), await open('up-b')];
    // The anchor before this change: the same bucket, no index.
    const before = createAnchorHandler({
      source: store,
      digests: {
        describe: () => digests.describe(),
        list: () => digests.list(),
        after: (name) => digests.after(name),
        versions: () => digests.versions(),
        read: (name, versionId) => digests.read(name, versionId),
        create: (name, bytes) => digests.create(name, bytes),
      },
      signer,
      logger: new Logger({ serviceName: 'anchor-test', logLevel: 'SILENT' }),
      now: () => new Date().toISOString(),
    });
    expect(await before()).toMatchObject({ sequence: 1, incidents: 2 });
    await acknowledge(deps('2026-11-27T21:40:00.000Z'), { incidentId: a, by: 'anna' });
    expect(await before()).toMatchObject({ sequence: 2, incidents: 1 });
    expect((await digest(2)).indexed).toBeUndefined();
    const anchored = (await dynamoLedger(db, a)).at(-1) as LedgerRow;

    // Upgraded: with nothing moved, the first run indexes digests 1 and 2 and says so in digest 3 (which anchors nothing).
    expect(await anchor()).toMatchObject({ sequence: 3, incidents: 0 });
    expect((await digest(3)).indexed).toBe(3);
    expect(await digests.anchoredHead(a)).toEqual({ incidentId: a, seq: anchored.seq, hash: anchored.hash, sequence: 2 });
    expect(await digests.anchoredHead(b)).toMatchObject({ incidentId: b, sequence: 1 });
    expect(await anchor()).toEqual({ sequence: null, incidents: 0 });

    // A, anchored only by a digest written before the index, rewritten whole and marked: held to digest 2's head.
    await plantAnchorMark(db, a, await rechainAcknowledgementDynamo(db, a, '2026-11-27T21:05:00.000Z'));
    await expect(anchor()).rejects.toThrow(new RegExp(`without 1 incident\\(s\\) that do not verify \\(${a}\\)|no digest written`));
    // Digest 4, if any, lists A as left out: it anchors nothing of it.
    for (const name of await digests.after('digest-0000000003.json'))
      expect((JSON.parse((await digests.read(name)).toString('utf8')) as { incidents: [string][] }).incidents.map(([i]) => i)).not.toContain(a);
  });
});

describe.skipIf(!MOTO_AVAILABLE)('a flood of anchor marks on DynamoDB', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
  }, 600_000);
  afterAll(async () => moto?.stop());

  it('reads a page of the marks a run, says how many it did not reach, and anchors the sound incident all the same', async () => {
    const world = await awsAnchorWorld(moto, 'datalek-index-flood');
    // The anchor's own client, counting the marks its queries return.
    const client = new DynamoDBClient({ endpoint: moto.endpoint, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    let marksRead = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        // The store's document client sends the values unmarshalled.
        const pk = (args.input as { ExpressionAttributeValues?: Record<string, unknown> }).ExpressionAttributeValues?.[':pk'];
        if (context.commandName === 'QueryCommand' && String(pk).startsWith('ANCHOR#')) marksRead += ((out.output as { Items?: unknown[] }).Items ?? []).length;
        return out;
      },
      { step: 'initialize' },
    );
    const source = new DynamoDbIncidentStore(client, 'datalek-incidents');
    const signer = await world.signer();
    const anchor = () => anchorStore({ source, signer, digests: world.digests, now: () => new Date().toISOString(), maxHeads: 1, maxBroken: 4 });
    const deps = { store: world.store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:05:00.000Z', canEnforce: false };
    const id = (await recordEvent(deps, findingEvent({ id: 'flood-1', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-flood' }))).incidentId as string;
    expect((await anchor()).written?.incidents.map(([i]) => i)).toEqual([id]);

    // 45 marks planted for incidents that do not exist (with the real one's, more than the most a
    // run may read: 5 a shard, 40 in all, so a run that read every mark fails below); then on-call
    // acknowledges the real one.
    const planted = Array.from({ length: 45 }, (_, n) => `dl-${String(n).padStart(32, '0')}`);
    expect(planted.length + 1).toBeGreaterThan(REGISTRY_SHARDS * 5);
    for (const fake of planted) await plantAnchorMark(moto.clients.dynamodb, fake, { seq: 1, hash: '0'.repeat(64) });
    await acknowledge({ ...deps, now: () => '2026-11-27T21:40:00.000Z' }, { incidentId: id, by: 'anna' });

    // Each run reads a page (maxHeads + maxBroken marks: 5), not every mark, and says how many
    // it did not reach; the acknowledgement is anchored within a bounded number of runs.
    const reach: number[] = [];
    let signed = false;
    for (let run = 0; run < 40 && !signed; run++) {
      marksRead = 0;
      const r = await anchor();
      // One reading (nothing fails to verify): at most 5 marks a shard, where read whole it took all 46.
      expect(marksRead).toBeLessThanOrEqual(REGISTRY_SHARDS * 5);
      reach.push(r.remaining);
      signed = r.written?.incidents.some(([i]) => i === id) ?? false;
    }
    expect(signed).toBe(true);
    expect(reach.length).toBeGreaterThan(1);
    // The first run read 5 of the 46 marks: the rest it says it did not reach.
    expect(reach[0]).toBe(planted.length + 1 - 5);
  }, 600_000);
});
