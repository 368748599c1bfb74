/**
 * review15 (attack17) K-anchor-head: the pin of a left-out incident (`seen`, review14 K3) is the newest
 * entry its chain vouches for (readB16 B1). Whoever writes the store flips the stored `hash` column of
 * the incident's NEWEST entry (its data untouched) before an anchor run: the run leaves the incident
 * out and pins the entry below it, so what the newest entry says (the FG's facts) is pinned by nothing.
 * Days later they rewrite that entry's data (rechained, so the chain verifies again): the next run signs
 * the rewritten fact as the incident's history and `verify --digests` is clean. The anchor READ the
 * entry's content; only its stored hash was off, and the hash the content computes to was pinnable.
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

it("the newest entry's content read while its stored hash was flipped is not signed rewritten later", async () => {
  const { dir } = world;
  const { keys, digests, process, anchor, open, facts } = storeAt(dir, NOW);
  const a = await open('k-head-flip-1');
  expect((await anchor()).written?.incidents.map(([id]) => id)).toEqual([a]);

  // The FG records the facts; before the next run the attacker flips the new head's stored hash only.
  await facts(a);
  const db = new Database(join(dir, 'datalek.sqlite'));
  const head = db.prepare('SELECT seq, hash FROM ledger WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(a) as { seq: number; hash: string };
  db.prepare('UPDATE ledger SET hash = ? WHERE incident_id = ? AND seq = ?').run(flipped(head.hash), a, head.seq);
  const run = await anchor();
  expect(run.leftOut, 'A left out, loud').toEqual([a]);

  // Later: the facts entry rewritten (record, timeline and ledger rechained: the flip is gone with it).
  // Its timeline entry too, since verify holds the record's facts to the entries that set them.
  rewriteFactsSqlite(db, a, 'no personal data involved');
  db.close();
  expect(await process(async (store) => (await verifyStore(store, { now: NOW })).problems), 'premise: A verifies in full').toEqual([]);

  // Expected: the anchor saw the facts entry's content at that seq; a different content there is a rewrite.
  const after = await anchor();
  expect(after.written?.incidents.map(([id]) => id) ?? [], 'the rewritten facts are not signed').not.toContain(a);
  const verified = await process((store) => verifyStore(store, { digests: { store: digests, verifier: pemVerifier(keys.public) }, now: NOW }));
  expect(verified.digests?.problems ?? [], 'verify --digests names the rewrite').not.toEqual([]);
});
