/**
 * review14 K3: an incident left out of the digests (it does not verify) had what it recorded meanwhile
 * pinned by nothing. Whoever can write the store broke one OLD ledger entry of A (a byte: A left out,
 * loud; commits on A still go through), let the FG's facts be recorded, rewrote that never-signed tail
 * (rechained) and put the byte back: the next run signed the rewritten history and `verify --digests`
 * was clean. Now each digest carries a left-out incident's head as read (`seen`, signed, not vouched
 * for), and A is anchored again only when its ledger still holds it.
 * readB16 B1: `seen` pins a head only as far as the chain vouches for it (its hash recomputes and
 * links to the entry below): a head whose hash was flipped pinned the forgery itself, so put back
 * exactly the incident (or registry shard) stayed left out, and every run failed, for good.
 * readB16 B2: an incident left out because a registry problem names it counts as broken, not taken:
 * a slice of only such ones signed nothing and wrote no `turn`, and the sound ones after were never read.
 * (Each step opens the store afresh, as each `datalek anchor` / `verify` process does.)
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { pemVerifier } from '../../handlers/adapters/local/pem-keys.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { flipped, storeAt } from '../support/sqlite-anchor.js';
import { tempSqliteStore } from '../support/store.js';
import { rewriteFactsSqlite } from '../support/tamper.js';

const NOW = '2026-11-28T03:00:00.000Z';
let world = tempSqliteStore();
afterEach(async () => {
  await world.cleanup();
  world = tempSqliteStore();
});

it("an incident's history written while it was left out is not signed as rewritten once the tamper is put back", async () => {
  const { dir } = world;
  const { keys, digests, process, anchor, open, facts } = storeAt(dir, NOW);
  const a = await open('k4-left-out-1');
  expect((await anchor()).written?.incidents.map(([id]) => id)).toEqual([a]);

  // 1. One byte of A's FIRST ledger entry: A does not verify, is left out, loud; its head is untouched.
  const db = new Database(join(dir, 'datalek.sqlite'));
  const first = db.prepare('SELECT data FROM ledger WHERE incident_id = ? AND seq = 1').get(a) as { data: string };
  const broken = first.data.replace('"at":"', '"at":" ');
  expect(db.prepare('UPDATE ledger SET data = ? WHERE incident_id = ? AND seq = 1').run(broken, a).changes).toBe(1);

  // 2. The FG records the facts meanwhile (commits on A go through); the anchor leaves A out.
  await facts(a);
  expect((await anchor()).leftOut, 'A left out, loud').toEqual([a]);

  // 3. The never-signed tail rewritten (record, timeline and ledger rechained), the old byte put back.
  rewriteFactsSqlite(db, a, 'no personal data involved');
  expect(db.prepare('UPDATE ledger SET data = ? WHERE incident_id = ? AND seq = 1').run(first.data, a).changes).toBe(1);
  db.close();
  expect(await process(async (store) => (await verifyStore(store, { now: NOW })).problems), 'premise: A verifies in full again').toEqual([]);
  expect(await process(async (store) => (await store.getIncident(a))?.facts?.summary)).toBe('no personal data involved');

  // 4. Not signed: the run leaves A out against the head digest 2 saw, and verify --digests names A.
  const after = await anchor();
  expect(after.leftOut).toEqual([a]);
  expect(after.problems.map((p) => p.problem)).toContainEqual(
    expect.stringMatching(/^does not read as the head the last digest saw while the incident did not verify/),
  );
  expect(after.written?.incidents.map(([id]) => id) ?? []).not.toContain(a);
  const verified = await process((store) => verifyStore(store, { digests: { store: digests, verifier: pemVerifier(keys.public) }, now: NOW }));
  expect(verified.digests?.problems.map((p) => `${p.incidentId} ${p.problem}`)).toContainEqual(
    expect.stringMatching(new RegExp(`^${a} ledger entry \\d+ differs from what digest 2 .* saw while the incident did not verify`)),
  );
});

it('an incident whose head hash was flipped and put back exactly is anchored again', async () => {
  const { anchor, open, facts, verified } = storeAt(world.dir, NOW);
  const a = await open('b1-seen-1');
  expect((await anchor()).written?.incidents.map(([id]) => id)).toEqual([a]);
  await facts(a);

  // One character of the newest (unanchored) entry's hash flipped: A left out, loud.
  const db = new Database(join(world.dir, 'datalek.sqlite'));
  const head = db.prepare('SELECT seq, hash FROM ledger WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(a) as { seq: number; hash: string };
  db.prepare('UPDATE ledger SET hash = ? WHERE incident_id = ? AND seq = ?').run(flipped(head.hash), a, head.seq);
  expect((await anchor()).leftOut).toEqual([a]);

  // Put back exactly: verify is clean, and A is anchored again (before: left out for good, against the forged head seen).
  db.prepare('UPDATE ledger SET hash = ? WHERE incident_id = ? AND seq = ?').run(head.hash, a, head.seq);
  db.close();
  expect(await verified(), 'premise: the store holds exactly what it held').toEqual([]);
  const mended = await anchor();
  expect(mended.problems.map((p) => `${p.incidentId} ${p.entry} ${p.problem}`)).toEqual([]);
  expect(mended.written?.incidents.map(([id]) => id)).toContain(a);
});

it('a registry shard whose newest entry hash was flipped and put back exactly is renewed again', async () => {
  const { anchor, open, verified } = storeAt(world.dir, NOW);
  await open('b1-reg-1');
  expect((await anchor()).written).not.toBeNull();
  const b = await open('b1-reg-2');

  // B's registry entry (its shard's newest, past the head anchored): one character of its hash flipped.
  const db = new Database(join(world.dir, 'datalek.sqlite'));
  const row = db.prepare("SELECT shard, n, hash FROM registry WHERE json_extract(data, '$.incidentId') = ?").get(b) as {
    shard: number;
    n: number;
    hash: string;
  };
  db.prepare('UPDATE registry SET hash = ? WHERE shard = ? AND n = ?').run(flipped(row.hash), row.shard, row.n);
  expect((await anchor()).registryLeftOut).toEqual([row.shard]);

  // Put back exactly: the shard is renewed (before: left out for good).
  db.prepare('UPDATE registry SET hash = ? WHERE shard = ? AND n = ?').run(row.hash, row.shard, row.n);
  db.close();
  expect(await verified(), 'premise: the store holds exactly what it held').toEqual([]);
  const mended = await anchor();
  expect(mended.problems.map((p) => `${p.incidentId} ${p.entry} ${p.problem}`)).toEqual([]);
  expect(mended.registryLeftOut).toEqual([]);
});

it('incidents left out for a registry problem count against no slice: the sound one after them is anchored', async () => {
  const { anchor, open, facts } = storeAt(world.dir, NOW);
  const ids = [await open('b2-slice-1'), await open('b2-slice-2'), await open('b2-slice-3')].sort();
  const [a, b, c] = ids;
  expect((await anchor()).written?.incidents.map(([id]) => id)).toEqual(ids);
  for (const id of ids) await facts(id);

  // The registry entries of A and B edited (a space in their text): A and B are left out, C is sound.
  const db = new Database(join(world.dir, 'datalek.sqlite'));
  for (const id of [a, b])
    expect(db.prepare("UPDATE registry SET data = '{ ' || substr(data, 2) WHERE json_extract(data, '$.incidentId') = ?").run(id).changes).toBe(1);
  db.close();

  // A slice of 2 (production: 500): C is read and signed (before: A and B filled it, no turn, C never read).
  const run = await anchor(2);
  expect(run.leftOut).toEqual([a, b]);
  expect(run.written?.incidents.map(([id]) => id)).toEqual([c]);
});

it('marks naming no incident the pipeline registered are read after the sound ones: they do not hold a sound incident out', async () => {
  const { anchor, open, facts } = storeAt(world.dir, NOW);
  const s = await open('b3-sound');
  expect((await anchor()).written?.incidents.map(([id]) => id)).toEqual([s]);

  // Six ledger rows under made-up ids sorting before S: marks naming nothing the registry knows.
  const db = new Database(join(world.dir, 'datalek.sqlite'));
  for (let n = 0; n < 6; n++)
    db.prepare('INSERT INTO ledger (incident_id, seq, data, prev_hash, hash) VALUES (?, 1, ?, ?, ?)').run(`dl-0000000${n}`, '{}', 'x', 'y');
  db.close();
  await facts(s);

  // maxBroken 2: S is signed on the next run (before: after three, one per two planted marks), and the planted ones are named.
  const run = await anchor(undefined, 2);
  expect(run.written?.incidents.map(([id]) => id)).toEqual([s]);
  expect(run.leftOut).toContain('dl-00000000');
});
