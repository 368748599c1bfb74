/**
 * record19 on DynamoDB: a registry shard that no longer holds the head a digest anchored (its
 * entries put back from a copy whose bytes differ, the chain recomputed: it verifies on its own)
 * failed the anchor Lambda on every run, for good: the errors alarm paged every 5 minutes, and no
 * release reached a shard. A person releases it with the KMS signing key (`datalek anchor --target
 * aws --release-shard N`); the scheduled run passes again and names the release in its log (never
 * who or why), and `verify --digests` shows it. The same rules as on SQLite: refused when nothing is
 * pinned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryShardOf } from '../../handlers/core/ledger.js';
import { awsCliInProcess, freshAwsAnchorWorld, rewriteRegistryShardDynamo } from '../support/anchor-world.js';
import { capturingLogger, errorLines } from '../support/logs.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const BY = 'FG de Vries';
const WHY = 'registry shard put back from the table restored to 27 November 21:10';

describe.skipIf(!MOTO_AVAILABLE)('a registry shard released on DynamoDB', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 600_000);
  afterAll(async () => moto?.stop());

  it('fails the scheduled run until a person releases the shard with the signing key', async () => {
    const lines: string[] = [];
    const { env, anchor, open, digest, location } = await freshAwsAnchorWorld(moto, 'datalek-digests-release-shard', capturingLogger(lines));
    const id = await open('shard-1');
    const shard = registryShardOf(id);
    expect(await anchor()).toMatchObject({ sequence: 1 });
    await rewriteRegistryShardDynamo(moto.clients.dynamodb, shard, (entry) => ({ ...entry, at: '2026-11-27T21:04:59.500Z' }));

    for (let run = 0; run < 2; run++) {
      lines.length = 0;
      await expect(anchor()).rejects.toThrow(/problem\(s\) in the record/);
      expect(errorLines(lines).some((l) => l.includes('differs from what the last digest anchored'))).toBe(true);
    }

    // Refused where nothing is pinned; nothing written.
    const other = (shard + 1) % 8;
    const nothing = await awsCliInProcess(
      ['anchor', '--target', 'aws', '--digests', location, '--release-shard', String(other), '--by', BY, '--why', WHY],
      env,
    );
    expect(nothing.stderr).toMatch(new RegExp(`registry shard ${other} is not released: it still holds every head the digests pinned`));
    expect(nothing.code).toBe(2);

    const released = await awsCliInProcess(
      ['anchor', '--target', 'aws', '--digests', location, '--release-shard', String(shard), '--by', BY, '--why', WHY, '--json'],
      env,
    );
    expect(released.code, released.stderr).toBe(0);
    const out = JSON.parse(released.stdout) as { written: { sequence: number }; registryReleased: { shard: number; taken: [number, string] }[] };
    expect(out.registryReleased).toEqual([expect.objectContaining({ shard, anchored: expect.any(Array), by: BY, why: WHY })]);
    expect((await digest(out.written.sequence)).registry[shard]).toEqual(out.registryReleased[0].taken);

    // The scheduled run passes again, and names the release (shard and digest, never who or why).
    lines.length = 0;
    expect(await anchor()).toEqual({ sequence: null, incidents: 0 });
    expect(errorLines(lines)).toEqual([]);
    const named = lines.filter((l) => l.includes('registry shards from their pinned heads by hand'));
    expect(named).toHaveLength(1);
    expect(JSON.parse(named[0])).toMatchObject({ level: 'WARN', sequence: out.written.sequence, incidentIds: [], registryShards: [shard] });
    expect(named[0]).not.toContain(BY);

    const verified = await awsCliInProcess(['verify', '--target', 'aws', '--digests', location], env);
    expect(verified.stderr).toBe('');
    expect(verified.stdout).toMatch(
      new RegExp(`Released by hand: registry shard ${shard} in digest ${out.written.sequence} .* by ${BY}: gave up entry 1 as anchored`),
    );
    expect(verified.code).toBe(0);
  }, 300_000);
});
