/**
 * The `anchored` table (which ledger heads are already in a digest) lives in the store, so the
 * anchor must not simply believe it (review7 K1): a row planted naming an incident's current head
 * would keep everything recorded since the last digest out of every later one, and a later rewrite
 * of that history would pass `verify --digests`. Each digest carries the hash of the anchored set
 * it leaves; a store whose set no longer hashes to it has every head anchored again, and is told.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { localAnchorWorld } from '../support/anchor-world.js';
import { runCli } from '../support/cli.js';
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
  expect(second.stderr).toMatch(
    /record of the heads already anchored is not the one digest 1 left .*every incident was checked against the heads the digests anchored, and the record put back to them/,
  );
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

/**
 * review13 K3: the anchor wrote no digest while any incident it read did not verify, so one loud
 * tamper (one byte of incident A, and A made to be read: its anchored row removed) left every other
 * incident's new history anchored by nothing while break-glass repaired A; B's acknowledgement was
 * rechained meanwhile, and the anchor after the repair signed the rewrite. Now the incidents that
 * verify are signed, A is left out and named (the run still fails), and A is held to the head digest
 * 1 anchored for it, its removed row notwithstanding (read from the digests).
 */
it('an incident that does not verify is left out of the digest, and does not keep the others from being anchored', async () => {
  const { store, digests, ids, anchor, verify } = await localAnchorWorld('k3', ['i-halt-a', 'i-halt-b']);
  const [a, b] = ids;
  expect((await anchor()).code).toBe(0); // digest 1: both as opened

  // The loud tamper: one byte of A's record, and A's anchored row removed so the anchor reads it.
  const db = new Database(join(store, 'datalek.sqlite'));
  const original = (db.prepare('SELECT data FROM incidents WHERE id = ?').get(a) as { data: string }).data;
  db.prepare("UPDATE incidents SET data = json_set(data, '$.severity', 2.0) WHERE id = ?").run(a);
  db.prepare('DELETE FROM anchored WHERE incident_id = ?').run(a);
  db.close();

  // B is acknowledged by anna, and the anchor runs with A broken: B is signed, A left out and named, the run fails.
  expect((await runCli(['ack', b, '--by', 'anna', '--store', store, '--now', '2026-11-20T21:20:00Z'])).code).toBe(0);
  const halted = await anchor();
  expect(halted.stdout).toMatch(/^Digest 2 written .*: 1 incident head anchored/);
  expect(halted.stderr).toMatch(new RegExp(`incident ${a}, record: does not match what the ledger recorded`));
  expect(halted.stderr).toMatch(new RegExp(`1 incident\\(s\\) do not verify and are left out of the digest .*: ${a};`));
  expect(halted.code).toBe(1);
  const digest2 = JSON.parse(readFileSync(join(digests, 'digest-0000000002.json'), 'utf8')) as { incidents: [string, number, string][] };
  expect(digest2.incidents.map(([id]) => id)).toEqual([b]);
  // verify --digests names A all the same.
  const named = await verify();
  expect(named.code).toBe(1);
  expect(named.stderr).toMatch(new RegExp(`incident ${a}, record: does not match`));

  // The quiet tamper while A is repaired: B's acknowledger rewritten, its ledger rechained. Then A put back.
  const db2 = new Database(join(store, 'datalek.sqlite'));
  rechainSqlite(db2, b, (record) => {
    record.acknowledgedBy = 'mallory';
  });
  db2.prepare('UPDATE incidents SET data = ? WHERE id = ?').run(original, a);
  db2.close();

  // The anchor after the repair leaves B's rewrite out, named. A's head, unmoved, is digest 1's:
  // digest 2 read it from the digests and put A's row back, so nothing else is to be signed; digest 3
  // anchors nothing and lists B in A's place as left out (review15 K3).
  const after = await anchor();
  expect(after.stderr).toMatch(new RegExp(`incident ${b}, ledger \\d+: differs from the head a digest anchored`));
  expect(after.stderr).not.toMatch(new RegExp(`incident ${a}`));
  expect(after.code).toBe(1);
  const digest3 = JSON.parse(readFileSync(join(digests, 'digest-0000000003.json'), 'utf8')) as { incidents: [string][]; leftOut?: string[] };
  expect([digest3.incidents, digest3.leftOut]).toEqual([[], [b]]);
  // B's rewritten acknowledgement is caught against digest 2, which anchored anna's.
  const verified = await verify();
  expect(verified.stderr).toMatch(new RegExp(`incident ${b}, digest-0000000002\\.json: ledger entry \\d+ differs from digest 2`));
  expect(verified.stderr).not.toMatch(new RegExp(`incident ${a}`));
  expect(verified.code).toBe(1);
});
