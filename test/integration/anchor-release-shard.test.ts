/**
 * record19 (closing note 17, "a registry shard cannot be released"): a registry shard that no
 * longer holds the head a digest anchored (mended by hand, or put back from a copy whose bytes
 * differ) verifies on its own, yet was left out (`registryLeftOut`) and failed every anchor run for
 * good: on AWS the errors alarm paged every 5 minutes. An incident had a way out (`anchor --release
 * ID`); a shard had none. Now the FG releases it with the signing key (`anchor --release-shard N
 * --by NAME --why TEXT`): a signed `registryReleased` row in the next digest, shown by every
 * `verify --digests` after; refused, naming why and writing nothing, when the shard's own chain does
 * not verify, when nothing is pinned, or when it lost entries a digest pinned (incidents gone).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { registryShardOf } from '../../handlers/core/ledger.js';
import { localAnchorWorld } from '../support/anchor-world.js';
import { runCli } from '../support/cli.js';
import { rewriteRegistryShardSqlite } from '../support/tamper.js';

const BY = 'FG de Vries';
const WHY = 'registry shard mended from the paper register after the disk was lost';

/** A store anchored once, then its first incident's registry shard rewritten with its chain recomputed (it verifies on its own). */
async function mended(name: string) {
  const world = await localAnchorWorld(name, ['i-one', 'i-two']);
  expect((await world.anchor()).code).toBe(0); // digest 1
  const shard = registryShardOf(world.id);
  const db = new Database(join(world.store, 'datalek.sqlite'));
  rewriteRegistryShardSqlite(db, shard, (entry) => ({ ...entry, at: '2026-11-20T21:00:00.500Z' }));
  db.close();
  const digestCount = () => readdirSync(world.digests).length;
  return { ...world, shard, digestCount };
}

it('a registry shard that lost its anchored head fails every run until a person releases it, signed; then the runs pass', async () => {
  const { store, digests, keys, shard, anchor, digestCount } = await mended('relshard');
  expect((await runCli(['verify', '--store', store])).code, 'premise: the shard verifies on its own').toBe(0);

  // Run after run it fails naming the shard (before: for ever, with no way out).
  for (let run = 0; run < 2; run++) {
    const failed = await anchor();
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(new RegExp(`registry ${shard}/\\d+: differs from what the last digest anchored`));
  }

  // Who and why are required, named when missing; nothing written.
  const before = digestCount();
  const noWhy = await anchor('--release-shard', String(shard), '--by', BY);
  expect(noWhy.code).toBe(2);
  expect(noWhy.stderr).toMatch(/anchor --release-shard needs --why TEXT/);
  const notAShard = await anchor('--release-shard', '8', '--by', BY, '--why', WHY);
  expect(notAShard.code).toBe(2);
  expect(notAShard.stderr).toMatch(/--release-shard takes a registry shard, 0 to 7: not 8/);
  expect(digestCount()).toBe(before);

  const release = await anchor('--release-shard', String(shard), '--by', BY, '--why', WHY, '--json');
  expect(release.stderr).toMatch(new RegExp(`registry shard ${shard} released by ${BY} in digest \\d+: gave up the head anchored \\(entry \\d+\\)`));
  expect(release.code, release.stderr).toBe(0);
  const out = JSON.parse(release.stdout) as {
    written: { name: string };
    registryLeftOut: number[];
    registryReleased: { shard: number; anchored: [number, string]; taken: [number, string]; by: string; why: string }[];
  };
  expect(out.registryLeftOut).toEqual([]);
  expect(out.registryReleased).toEqual([expect.objectContaining({ shard, by: BY, why: WHY, anchored: expect.any(Array), taken: expect.any(Array) })]);
  const digest = JSON.parse(readFileSync(join(digests, out.written.name), 'utf8')) as { registryReleased: unknown[]; registry: [number, string][] };
  expect(digest.registryReleased).toEqual(out.registryReleased);
  // The shard is renewed at the head it holds now.
  expect(digest.registry[shard]).toEqual(out.registryReleased[0].taken);
  const sequence = Number(/(\d+)\.json$/.exec(out.written.name)?.[1]);

  // The runs pass again.
  expect((await anchor()).stdout).toMatch(/Nothing changed since the last digest/);
  expect((await anchor()).code).toBe(0);

  // Every verify --digests after: clean, the release shown (text and JSON).
  const verified = await runCli(['verify', '--store', store, '--digests', digests, '--key', keys.public]);
  expect(verified.stderr).toBe('');
  expect(verified.stdout).toMatch(
    new RegExp(`Released by hand: registry shard ${shard} in digest ${sequence} \\(.*\\) by ${BY}: gave up entry \\d+ as anchored`),
  );
  expect(verified.code).toBe(0);
  const json = JSON.parse((await runCli(['verify', '--store', store, '--digests', digests, '--key', keys.public, '--json'])).stdout);
  expect(json.digests.registryReleased).toEqual([expect.objectContaining({ shard, by: BY, why: WHY, sequence })]);
});

it('a shard release is refused, naming why, when nothing is pinned, when its own chain does not verify, or when it lost entries', async () => {
  const { store, shard, anchor, digestCount } = await mended('relshardrefuse');
  const before = digestCount();
  // Another shard holds every head pinned: nothing to give up.
  const other = (shard + 1) % 8;
  const nothing = await anchor('--release-shard', String(other), '--by', BY, '--why', WHY);
  expect(nothing.stderr).toMatch(new RegExp(`registry shard ${other} is not released: it still holds every head the digests pinned`));
  expect(nothing.code).toBe(2);

  // The shard's first entry broken: a release never vouches for a chain that does not verify.
  const db = new Database(join(store, 'datalek.sqlite'));
  const first = db.prepare('SELECT data FROM registry WHERE shard = ? AND n = 1').get(shard) as { data: string };
  db.prepare('UPDATE registry SET data = ? WHERE shard = ? AND n = 1').run(first.data.replace('"at":"', '"at":" '), shard);
  const broken = await anchor('--release-shard', String(shard), '--by', BY, '--why', WHY);
  expect(broken.stderr).toMatch(new RegExp(`registry shard ${shard} is not released: its own chain does not verify \\(incident \\S+, registry ${shard}/1: `));
  expect(broken.code).toBe(2);

  // Its last entry removed (and the incident it named with it): entries a digest anchored are gone, so an incident is.
  db.prepare('UPDATE registry SET data = ? WHERE shard = ? AND n = 1').run(first.data, shard);
  const { n } = db.prepare('SELECT MAX(n) AS n FROM registry WHERE shard = ?').get(shard) as { n: number };
  db.prepare('DELETE FROM registry WHERE shard = ? AND n = ?').run(shard, n);
  db.close();
  const lost = await anchor('--release-shard', String(shard), '--by', BY, '--why', WHY);
  expect(lost.stderr).toMatch(new RegExp(`registry shard ${shard} is not released: it holds ${n - 1} entr(y|ies), fewer than the ${n} a digest pinned`));
  expect(lost.code).toBe(2);
  expect(digestCount()).toBe(before);
});
