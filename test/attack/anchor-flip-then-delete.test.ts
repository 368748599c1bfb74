/**
 * review15 (attack17) K-delete: the head-hash flip of K1, on the registry and the incident at once, lets
 * whoever writes the store delete a whole incident that no digest anchored yet, for good and unnamed.
 * Incident X is opened (its registry entry the newest of its shard, its ledger one entry, the page sent).
 * Before the next anchor run the attacker flips the stored hash of X's registry entry and of X's only
 * ledger entry: the run leaves the shard and X out (loud) and pins below both flips (vouchedHead): for X
 * nothing at all, for the shard the entry before X's. Then they delete X: its record, ledger, registry
 * entry and marks. The registry shard verifies again and is renewed, X is never read again (nothing
 * lists or marks it), and no digest holds a pin of it: the anchor runs clean, and `verify --digests` is
 * clean, while the incident (its page already sent, its AP clock running) is gone from the record.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { pemVerifier } from '../../handlers/adapters/local/pem-keys.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { flipped, storeAt } from '../support/sqlite-anchor.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
let world = tempSqliteStore();
afterEach(async () => {
  await world.cleanup();
  world = tempSqliteStore();
});

it('an incident kept out of the digests by two flipped hashes can be deleted whole without a word', async () => {
  const { dir } = world;
  const { keys, digests, process, anchor, open } = storeAt(dir, NOW);
  const p = await open('k-del-p');
  expect((await anchor()).written?.incidents.map(([id]) => id)).toEqual([p]);
  const x = await open('k-del-x');
  // X as opened (the page sent), not yet touched by the FG: its ledger is one entry.

  // Before the next run: the stored hash of X's registry entry and of X's newest ledger entry flipped.
  const db = new Database(join(dir, 'datalek.sqlite'));
  const reg = db.prepare("SELECT shard, n, hash FROM registry WHERE json_extract(data, '$.incidentId') = ?").get(x) as {
    shard: number;
    n: number;
    hash: string;
  };
  db.prepare('UPDATE registry SET hash = ? WHERE shard = ? AND n = ?').run(flipped(reg.hash), reg.shard, reg.n);
  const head = db.prepare('SELECT seq, hash FROM ledger WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(x) as { seq: number; hash: string };
  db.prepare('UPDATE ledger SET hash = ? WHERE incident_id = ? AND seq = ?').run(flipped(head.hash), x, head.seq);
  const loud = await anchor();
  expect(loud.leftOut, 'X left out, loud').toContain(x);
  expect(loud.written?.incidents.map(([id]) => id) ?? []).not.toContain(x);

  // Then X deleted whole: every row naming it, and its registry entry (the shard's newest).
  db.pragma('foreign_keys = OFF');
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
  for (const t of tables) {
    const cols = (db.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).map((c) => c.name);
    for (const c of ['incident_id', 'id'].filter((c) => cols.includes(c)))
      if (t !== 'registry' && t !== 'meta') db.prepare(`DELETE FROM "${t}" WHERE "${c}" = ?`).run(x);
  }
  db.prepare('DELETE FROM registry WHERE shard = ? AND n = ?').run(reg.shard, reg.n);
  db.close();
  expect(await process(async (store) => (await store.getIncident(x)) ?? null), 'premise: X is gone').toBeNull();

  // Expected: the anchor or verify --digests names X, which a digest saw and no store holds now.
  const after = await anchor();
  const verified = await process((store) => verifyStore(store, { digests: { store: digests, verifier: pemVerifier(keys.public) }, now: NOW }));
  const named = [
    ...after.problems.map((q) => `${q.incidentId} ${q.entry} ${q.problem}`),
    ...verified.problems.map((q) => JSON.stringify(q)),
    ...(verified.digests?.problems ?? []).map((q) => JSON.stringify(q)),
  ];
  expect(
    named.filter((line) => line.includes(x) || line.includes('registry')),
    "X's deletion is named somewhere",
  ).not.toEqual([]);
});
