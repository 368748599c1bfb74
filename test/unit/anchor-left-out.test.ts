/**
 * The anchor signs what verifies and names, and fails on, what does not (review13 K3), for the
 * registry too, and without leaning on a row of the store an attacker can remove (closing note 15,
 * "Still left"):
 * - a registry shard that does not verify withheld every digest, so one registry item tampered
 *   stopped all anchoring until a person mended it. Now the digest carries that shard's head as the
 *   last digest anchored it, marks the shard as not renewed, and signs everything else;
 * - on SQLite, a left-out incident's `anchored` row removed made the anchor forget the head an older
 *   digest anchored for it, so its history rewritten later was signed. The anchor now takes what
 *   was anchored from the signed digests when the store's record of it does not hold, and puts the
 *   record back.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { DigestFolder } from '../../handlers/adapters/local/digest-folder.js';
import { pemSigner, pemVerifier } from '../../handlers/adapters/local/pem-keys.js';
import { anchorStore, type ShardReleaseRequest } from '../../handlers/core/anchor.js';
import { recordFacts } from '../../handlers/core/fg-workflow.js';
import { canonicalJson } from '../../handlers/core/hash.js';
import { chainHash, registryGenesis, registryShardOf } from '../../handlers/core/ledger.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';
import { digestKeys, rechainSqlite } from '../support/tamper.js';

const NOW = '2026-11-28T03:00:00.000Z';
let world = tempSqliteStore();
afterEach(async () => {
  await world.cleanup();
  world = tempSqliteStore();
});

/** The store with incidents opened until two sit in different registry shards; its anchor and verify. */
async function twoShards(name: string) {
  const { dir, store } = world;
  const ids: string[] = [];
  for (let n = 1; new Set(ids.map(registryShardOf)).size < 2; n++) {
    const r = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false },
      findingEvent({ id: `${name}-${n}`, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-${name}-${n}` }),
    );
    ids.push(r.incidentId as string);
  }
  const a = ids[0];
  const b = ids.find((id) => registryShardOf(id) !== registryShardOf(a)) as string;
  const keys = digestKeys(dir);
  const digests = new DigestFolder(join(dir, 'digests'));
  return {
    a,
    b,
    db: () => new Database(join(dir, 'datalek.sqlite')),
    move: (id: string, summary: string) => recordFacts({ store, policy: DEFAULT_POLICY, now: () => NOW }, { incidentId: id, by: 'FG', summary }),
    anchor: (shardReleases?: ShardReleaseRequest[]) => anchorStore({ source: store, signer: pemSigner(keys.private), digests, now: () => NOW, shardReleases }),
    verify: () => verifyStore(store, { digests: { store: digests, verifier: pemVerifier(keys.public) }, now: NOW }),
  };
}

it('signs the rest when a registry shard does not verify, carrying that shard as last anchored, and names it', async () => {
  const { a, b, db, move, anchor, verify } = await twoShards('reg');
  const shard = registryShardOf(a);
  const first = await anchor();
  expect(first.written?.sequence).toBe(1);

  // Whoever can write the store rewrites A's shard of the registry (an entry's time), its chain recomputed.
  const conn = db();
  const rows = conn.prepare('SELECT n, data FROM registry WHERE shard = ? ORDER BY n').all(shard) as { n: number; data: string }[];
  const original = conn.prepare('SELECT n, data, prev_hash, hash FROM registry WHERE shard = ? ORDER BY n').all(shard);
  let prev = registryGenesis(shard);
  for (const [i, row] of rows.entries()) {
    const data = i === 0 ? canonicalJson({ ...JSON.parse(row.data), at: '2026-11-28T02:00:00.000Z' }) : row.data;
    const hash = chainHash(prev, data);
    conn.prepare('UPDATE registry SET data = ?, prev_hash = ?, hash = ? WHERE shard = ? AND n = ?').run(data, prev, hash, shard, row.n);
    prev = hash;
  }
  conn.close();

  // B moves meanwhile: the anchor signs it, carries A's shard as digest 1 anchored it, and fails naming the shard.
  await move(b, 'while the registry is rewritten');
  const second = await anchor();
  expect(second.problems.some((p) => p.entry.startsWith(`registry ${shard}/`))).toBe(true);
  expect(second.registryLeftOut).toEqual([shard]);
  expect(second.written?.sequence).toBe(2);
  expect(second.written?.incidents.map(([id]) => id)).toEqual([b]);
  // Never the rewritten head: the one digest 1 anchored, and the digest says it did not renew it.
  expect(second.written?.registry[shard]).toEqual(first.written?.registry[shard]);
  expect(second.written?.registryLeftOut).toEqual([shard]);
  for (const [s, head] of (second.written?.registry ?? []).entries()) if (s !== shard) expect(head).toEqual(first.written?.registry[s]);

  // verify --digests still names the rewrite, against digest 1.
  const verified = await verify();
  expect(verified.digests?.problems.map((p) => p.problem)).toContainEqual(expect.stringMatching(new RegExp(`^registry shard ${shard} no longer holds entry`)));

  // Put back: the next digest renews the shard.
  const repair = db();
  for (const r of original as { n: number; data: string; prev_hash: string; hash: string }[])
    repair.prepare('UPDATE registry SET data = ?, prev_hash = ?, hash = ? WHERE shard = ? AND n = ?').run(r.data, r.prev_hash, r.hash, shard, r.n);
  repair.close();
  await move(b, 'after the repair');
  const third = await anchor();
  expect([third.problems, third.registryLeftOut, third.written?.registryLeftOut]).toEqual([[], [], undefined]);
  expect((await verify()).digests?.problems).toEqual([]);
});
it('checks a left-out incident against the head an older digest anchored, though its anchored row was removed', async () => {
  const { a, b, db, move, anchor, verify } = await twoShards('row');
  expect((await anchor()).written?.sequence).toBe(1);

  // The loud tamper: one byte of A's record, and A's anchored row removed.
  const conn = db();
  conn.prepare("UPDATE incidents SET data = json_set(data, '$.severity', 2.0) WHERE id = ?").run(a);
  conn.prepare('DELETE FROM anchored WHERE incident_id = ?').run(a);
  conn.close();
  await move(b, 'meanwhile');
  const second = await anchor();
  expect(second.leftOut).toEqual([a]);
  expect(second.written?.incidents.map(([id]) => id)).toContain(b);

  // Later, quietly: A's history rewritten, every hash recomputed (so A verifies on its own again).
  const later = db();
  rechainSqlite(later, a, (record) => {
    record.acknowledgedBy = 'mallory';
  });
  later.close();
  const third = await anchor();
  // Caught against digest 1, which anchored A's head before the rewrite; never signed.
  expect(third.problems.map((p) => `${p.incidentId} ${p.problem}`)).toContainEqual(
    expect.stringMatching(new RegExp(`^${a} differs from the head a digest anchored`)),
  );
  expect(third.leftOut).toEqual([a]);
  expect(third.written?.incidents.map(([id]) => id) ?? []).not.toContain(a);
  expect((await verify()).digests?.problems.some((p) => p.incidentId === a)).toBe(true);
});

it('leaves out an incident a registry problem names (opened again under its id), not only its shard', async () => {
  const { a, b, db, move, anchor } = await twoShards('twice');
  const shard = registryShardOf(a);
  expect((await anchor()).written?.sequence).toBe(1);
  // The registry made to say A was opened a second time: an entry naming it again, chained on.
  const conn = db();
  const last = conn.prepare('SELECT n, hash FROM registry WHERE shard = ? ORDER BY n DESC LIMIT 1').get(shard) as { n: number; hash: string };
  const data = canonicalJson({ at: NOW, incidentId: a });
  conn.prepare('INSERT INTO registry VALUES (?, ?, ?, ?, ?)').run(shard, last.n + 1, data, last.hash, chainHash(last.hash, data));
  conn.close();
  await move(a, 'after the second opening');
  await move(b, 'meanwhile');
  const second = await anchor();
  expect(second.problems.map((p) => `${p.incidentId} ${p.problem}`)).toContainEqual(
    expect.stringMatching(new RegExp(`^${a} the registry names this incident twice`)),
  );
  expect([second.registryLeftOut, second.leftOut]).toEqual([[shard], [a]]);
  expect(second.written?.incidents.map(([id]) => id)).toEqual([b]);
});

it('does not renew a left-out shard whose entries written while it was left out were rewritten (review14 K3, the registry)', async () => {
  const { a, db, anchor, verify } = await twoShards('seen');
  const shard = registryShardOf(a);
  const one = await anchor();
  expect(one.written?.sequence).toBe(1);
  // One byte of A's shard's first entry (its hash kept): the shard is left out, loud.
  const conn = db();
  const first = conn.prepare('SELECT data FROM registry WHERE shard = ? AND n = 1').get(shard) as { data: string };
  conn.prepare('UPDATE registry SET data = ? WHERE shard = ? AND n = 1').run(first.data.replace('"at":"', '"at":" '), shard);
  // Meanwhile an incident is opened in that shard: its entry is written on, seen by the next digest, not vouched for.
  for (let n = 1; ; n++) {
    const r = await recordEvent(
      { store: world.store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false },
      findingEvent({ id: `seen-late-${n}`, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-seen-late-${n}` }),
    );
    if (registryShardOf(r.incidentId as string) === shard) break;
  }
  expect((await anchor()).registryLeftOut).toEqual([shard]);

  // That entry rewritten (its time, its hash recomputed), the byte put back: the shard verifies on its own again.
  const { n } = conn.prepare('SELECT MAX(n) AS n FROM registry WHERE shard = ?').get(shard) as { n: number };
  const late = conn.prepare('SELECT data, prev_hash FROM registry WHERE shard = ? AND n = ?').get(shard, n) as { data: string; prev_hash: string };
  const data = canonicalJson({ ...JSON.parse(late.data), at: '2026-11-28T01:00:00.000Z' });
  conn.prepare('UPDATE registry SET data = ?, hash = ? WHERE shard = ? AND n = ?').run(data, chainHash(late.prev_hash, data), shard, n);
  conn.prepare('UPDATE registry SET data = ? WHERE shard = ? AND n = 1').run(first.data, shard);
  conn.close();

  // Not renewed: the run names the shard against what digest 2 saw, and so does verify --digests.
  const third = await anchor();
  expect(third.registryLeftOut).toEqual([shard]);
  expect(third.problems.map((p) => `${p.entry} ${p.problem}`)).toContainEqual(
    expect.stringMatching(new RegExp(`^registry ${shard}/${n} is gone or differs from what the last digest saw`)),
  );
  expect(third.written?.registry[shard] ?? one.written?.registry[shard]).toEqual(one.written?.registry[shard]);
  expect((await verify()).digests?.problems.map((p) => p.problem)).toContainEqual(
    expect.stringMatching(new RegExp(`^registry shard ${shard} no longer holds entry ${n} as digest 2`)),
  );
  // No copy holds the entry as digest 2 saw it: a person releases the shard (record19), giving up
  // the head seen; the shard is renewed as it is, and verify --digests shows the release instead.
  const released = await anchor([{ shard, by: 'FG', why: 'the entry as seen is lost' }]);
  expect(released.registryReleased).toEqual([expect.objectContaining({ shard, seen: [n, expect.any(String)], taken: [n, chainHash(late.prev_hash, data)] })]);
  expect(released.registryReleased[0].anchored).toBeUndefined();
  expect([released.problems, released.registryLeftOut]).toEqual([[], []]);
  expect(released.written?.registrySeen).toBeUndefined();
  const after = await verify();
  expect(after.digests?.problems).toEqual([]);
  expect(after.digests?.registryReleased).toEqual([expect.objectContaining({ shard, sequence: released.written?.sequence })]);
  expect((await anchor()).problems).toEqual([]);
});
