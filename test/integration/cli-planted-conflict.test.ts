/**
 * read11a: e76c7e9/beb6455 answer every ConflictError a command (or the sweep, per incident) ends on
 * as a storm of findings: "Nothing was recorded. Run it again" / "it stays due, and the next sweep
 * sends what it owes", never `datalek verify`. On the embedded store a conflict that outlasts every
 * try is not always a race: one timeline row planted at the incident's next seq behind datalek
 * (verify names it: "inserted after them") makes every commit of that incident fail on the key
 * (SQLITE_CONSTRAINT -> ConflictError) for ever. The sweep then says, run after run, that the next
 * sweep sends the escalation, which no sweep ever does; before, its line sent the person to
 * `datalek verify ID`. Nothing re-reads whether anyone else changed the incident (its revision did
 * not move) before calling it a storm.
 * Run: npx vitest run --testTimeout 240000 test/integration/cli-planted-conflict.test.ts
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it, vi } from 'vitest';
import { STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { runCli } from '../support/cli.js';

const EVENT = 'events/01-ec2-backdoor-command-and-control-high.json';
const AT = '2026-11-27T22:00:00Z';
const LATER = '2026-11-27T23:00:00Z';
afterEach(() => {
  vi.restoreAllMocks();
});

it('a sweep blocked on an incident by a planted timeline row is not told "a storm; the next sweep sends it": it points at verify', async () => {
  vi.spyOn(Math, 'random').mockReturnValue(0);
  const store = join(mkdtempSync(join(tmpdir(), 'datalek-planted-')), 's');
  const r0 = await runCli(['replay', EVENT, '--store', store, '--json', '--now', AT]);
  expect(r0.code, r0.stderr).toBe(0);
  const id = JSON.parse(r0.stdout).incidentId as string;
  // Behind datalek: one row at the next seq. No trigger, no other writer: nothing changes after this.
  const db = new Database(join(store, STORE_FILE));
  const { seq } = db.prepare('SELECT max(seq) AS seq FROM timeline WHERE incident_id = ?').get(id) as { seq: number };
  db.prepare('INSERT INTO timeline VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(id, seq + 1, LATER, 'note', 'x', '{}', 'x', 'x');
  db.close();

  const verify = await runCli(['verify', id, '--store', store]);
  expect(verify.code).toBe(1); // verify sees the planted row

  const first = await runCli(['sweep', '--store', store, '--now', LATER]);
  const second = await runCli(['sweep', '--store', store, '--now', LATER]);
  expect(second.code).toBe(3);
  // The second sweep fails exactly as the first: the first's "the next sweep sends what it owes" was false.
  expect.soft(first.stderr).not.toContain('the next sweep sends what it owes');
  expect.soft(second.stderr).toContain(`datalek verify ${id}`);

  // A person's command on it: "Nothing was recorded. Run it again", for ever.
  const ack = await runCli(['ack', id, '--by', 'dienstdoende', '--store', store, '--now', LATER]);
  const ackAgain = await runCli(['ack', id, '--by', 'dienstdoende', '--store', store, '--now', LATER]);
  expect(ackAgain.code).toBe(3);
  expect.soft(ack.stderr).not.toMatch(/storm of findings/);
  expect.soft(ackAgain.stderr).toContain('datalek verify');
});
