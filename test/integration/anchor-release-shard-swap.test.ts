/**
 * readB19: a registry shard release must never take an incident out of the runs' sight. The
 * release refused a shard holding fewer entries than a digest pinned, but counted entries only:
 * whoever can write the store deleted an incident a digest anchored (every row of it) and rewrote
 * its shard with the entry of an incident registered after the digest in its place, the same count,
 * the chain recomputed. The shard verified on its own, the FG released it (it only "lost its
 * anchored head"), and from then on no anchor run named the deleted incident: only `verify
 * --digests` did. Now the release holds every incident the digests anchored, saw or listed in the
 * shard to the store, and is refused naming the ones it no longer holds.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { canonicalJson } from '../../handlers/core/hash.js';
import { chainHash, registryGenesis, registryShardOf } from '../../handlers/core/ledger.js';
import { jsonLines, runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { digestKeys } from '../support/tamper.js';

const BY = 'FG de Vries';
const WHY = 'registry shard put back from the nightly copy';

it('a shard release is refused while an incident a digest anchored in the shard is gone, its entry swapped for a later one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-relshardswap-'));
  const store = join(dir, 'store');
  const keys = digestKeys(dir);
  const digests = join(dir, 'digests');
  // Three findings whose incidents share registry shard 0.
  const replay = async (id: string, instanceId: string, at: string) => {
    const file = join(dir, `${id}.json`);
    writeFileSync(file, JSON.stringify([findingEvent({ id, type: 'Backdoor:EC2/C&CActivity.B', instanceId, createdAt: at })]));
    return jsonLines((await runCli(['replay', file, '--store', store, '--json', '--now', at])).stdout)[0].incidentId as string;
  };
  const anchor = (...args: string[]) => runCli(['anchor', '--store', store, '--digests', digests, '--key', keys.private, ...args]);
  const kept = await replay('swap-1', 'i-kept', '2026-11-20T21:00:00Z');
  const deleted = await replay('swap-6', 'i-deleted', '2026-11-20T21:01:00Z');
  expect((await anchor()).code).toBe(0); // digest 1: shard 0 anchored at 2 entries, both incidents
  const later = await replay('swap-10', 'i-later', '2026-11-20T21:10:00Z');
  expect([kept, deleted, later].map(registryShardOf)).toEqual([0, 0, 0]);

  // The attacker deletes the incident whole and puts the later incident's entry in its place: shard 0
  // holds 2 entries again, chained anew.
  const db = new Database(join(store, 'datalek.sqlite'));
  db.pragma('foreign_keys = OFF');
  for (const [table, col] of [
    ['incident_keys', 'incident_id'],
    ['findings', 'incident_id'],
    ['timeline', 'incident_id'],
    ['outbox', 'incident_id'],
    ['ledger', 'incident_id'],
    ['incidents', 'id'],
  ])
    db.prepare(`DELETE FROM ${table} WHERE ${col} = ?`).run(deleted);
  const rows = db.prepare('SELECT n, data FROM registry WHERE shard = 0 ORDER BY n').all() as { n: number; data: string }[];
  const keptRows = rows.filter((r) => !r.data.includes(deleted));
  db.prepare('DELETE FROM registry WHERE shard = 0').run();
  let prev = registryGenesis(0);
  for (const [i, row] of keptRows.entries()) {
    const data = canonicalJson(JSON.parse(row.data));
    const hash = chainHash(prev, data);
    db.prepare('INSERT INTO registry (shard, n, data, prev_hash, hash) VALUES (0, ?, ?, ?, ?)').run(i + 1, data, prev, hash);
    prev = hash;
  }
  db.close();
  expect((await runCli(['verify', '--store', store])).code, 'premise: the store verifies on its own').toBe(0);
  const failed = await anchor();
  expect(failed.code).toBe(1);
  expect(failed.stderr).toMatch(/registry 0\/2: differs from what the last digest anchored/);

  const before = readdirSync(digests).length;
  const release = await anchor('--release-shard', '0', '--by', BY, '--why', WHY);
  expect(release.stderr).toMatch(
    new RegExp(`registry shard 0 is not released: the store no longer holds incident ${deleted}, which a digest anchored in the shard`),
  );
  expect(release.code).toBe(2);
  expect(readdirSync(digests).length).toBe(before);
  // The runs still fail naming the shard.
  expect((await anchor()).stderr).toMatch(/registry 0\/2: differs from what the last digest anchored/);
});
