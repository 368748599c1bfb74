/**
 * readD19: since 5ac9c7d8 a registry shard release reads every digest up to the last and is refused
 * when they cannot all be read and checked. It was refused too when a digest's name merely held a
 * second version (written over) or a delete marker: its first, locked version is read and checked
 * with the key all the same, so what the digests named was known in full. Under Object Lock such a
 * version stays for the retention period: one PutObject by whoever holds the anchor's role left
 * every shard release refused for years, and the shard's anchor runs failing. `verify --digests`
 * still reports the version; the release reads the first one.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryShardOf } from '../../handlers/core/ledger.js';
import { awsCliInProcess, freshAwsAnchorWorld, rewriteRegistryShardDynamo } from '../support/anchor-world.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const BY = 'FG de Vries';
const WHY = 'registry shard put back from the table restored to 27 November 21:10';
const BUCKET = 'datalek-digests-release-versions';
const KEY = 'prod/digest-0000000001.json';

describe.skipIf(!MOTO_AVAILABLE)('a shard release beside a digest written over (versioned bucket)', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 600_000);
  afterAll(async () => moto?.stop());

  it('releases the shard, reading the first version, and verify --digests still reports the second', async () => {
    const { env, anchor, open, location, s3 } = await freshAwsAnchorWorld(moto, BUCKET);
    const id = await open('versions-1');
    const shard = registryShardOf(id);
    expect(await anchor()).toMatchObject({ sequence: 1 });
    // The same bytes written again over digest 1: a second version, nothing said changed.
    const first = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
    const bytes = await first.Body?.transformToString();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: bytes, ContentType: 'application/json', ChecksumAlgorithm: 'SHA256' }));
    await rewriteRegistryShardDynamo(moto.clients.dynamodb, shard, (entry) => ({ ...entry, at: '2026-11-27T21:04:59.500Z' }));
    await expect(anchor()).rejects.toThrow(/problem\(s\) in the record/);

    const released = await awsCliInProcess(
      ['anchor', '--target', 'aws', '--digests', location, '--release-shard', String(shard), '--by', BY, '--why', WHY],
      env,
    );
    expect(released.stderr).not.toMatch(/cannot all be read/);
    expect(released.code, released.stderr).toBe(0);

    const verified = await awsCliInProcess(['verify', '--target', 'aws', '--digests', location], env);
    expect(verified.stdout + verified.stderr).toMatch(/digest-0000000001\.json.*has 2 versions/);
  }, 300_000);
});
