/**
 * The `anchored` table (which ledger heads are already in a digest) lives in the store, so the
 * anchor must not simply believe it (review7 K1): a row planted naming an incident's current head
 * would keep everything recorded since the last digest out of every later one, and a later rewrite
 * of that history would pass `verify --digests`. Each digest carries the hash of the anchored set
 * it leaves; a store whose set no longer hashes to it has every head anchored again, and is told.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { localAnchorWorld } from '../support/anchor-world.js';
import { rechainSqlite } from '../support/tamper.js';

it('an acknowledgement a planted anchored row would hide is anchored all the same, and its later rewrite caught', async () => {
  const { store, id, anchor, ack, verify } = await localAnchorWorld('k1');
  expect((await anchor()).code).toBe(0); // digest 1: the incident as opened

  // The acknowledgement, recorded late (21:40), before the next anchor.
  expect((await ack('anna', '2026-11-20T21:40:00Z')).code).toBe(0);

  // Write access to the store: one row claims the new head is already anchored.
  const db = new Database(join(store, 'datalek.sqlite'));
  const head = db.prepare('SELECT seq, hash FROM ledger WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(id) as { seq: number; hash: string };
  db.prepare('INSERT OR REPLACE INTO anchored (incident_id, seq, hash) VALUES (?, ?, ?)').run(id, head.seq, head.hash);
  db.close();

  // The scheduled anchor runs after the acknowledgement: it puts it in digest 2 all the same, and says the bookkeeping was changed.
  const second = await anchor();
  expect(second.stdout).toMatch(/^Digest 2 written .*: 1 incident head anchored/);
  expect(second.stderr).toMatch(/record of the heads already anchored is not the one digest 1 left .*every incident's head was anchored again/);
  expect(second.code).toBe(1);
  // The record of anchored heads is the digest's again: the next anchor believes it.
  const third = await anchor();
  expect([third.code, third.stdout.trim()]).toEqual([0, 'Nothing changed since the last digest: none written.']);

  // Later, the acknowledgement is moved 35 minutes earlier, every hash recomputed.
  const db2 = new Database(join(store, 'datalek.sqlite'));
  rechainSqlite(db2, id, (r) => (r.acknowledgedAt = '2026-11-20T21:05:00.000Z'));
  db2.close();

  // The digest written after the acknowledgement anchors it, so the rewrite is caught.
  const proved = await verify();
  expect(proved.stderr).toMatch(/digest-0000000002\.json: ledger entry \d+ differs from digest 2/);
  expect(proved.code, proved.stdout + proved.stderr).toBe(1);
});
