/**
 * fg11 (17507a0) made a telecom subscribers' exception recorded without the AP's agreement count as
 * not done, and reminded; but the due index (the stored `nextDueAt` the sweep reads) of a record
 * stored before holds no such reminder, and a closed one is never written again: the sweep never
 * reminded it. `datalek sweep --reindex` (core/due-index.ts `reindexDue`) puts every incident whose
 * stored due time misses what is due now back in the index, with a timeline entry, once; the sweep
 * then reminds as for any other.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { reindexDue } from '../../handlers/core/due-index.js';
import { canonicalJson, sha256 } from '../../handlers/core/hash.js';
import { chainHash } from '../../handlers/core/ledger.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { sweep } from '../../handlers/core/sweep.js';
import { runCli } from '../support/cli.js';
import { incidentFixture } from '../support/incidents.js';
import { storeOldTelecomRecord } from '../support/old-record.js';
import { tempSqliteStore } from '../support/store.js';

const POLICY = { organisation: { name: 'Telecom Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { telecom: true } };
const policy = parsePolicy(POLICY);
const id = 'dl-tw-reindex';
const now = '2026-11-28T10:00:00.000Z';
const later = '2026-11-29T22:00:00.000Z';
let t: ReturnType<typeof tempSqliteStore>;

beforeEach(async () => {
  t = tempSqliteStore();
  await storeOldTelecomRecord(t.store, policy, now, { id });
});
afterEach(async () => t.cleanup());

it('reindexDue puts an old record whose reminder the due index misses back in it, once, and the sweep then reminds', async () => {
  expect((await t.store.listDue(later)).map((i) => i.id)).not.toContain(id);
  const deps = { store: t.store, policy, now: () => now };
  const put = await reindexDue(deps);
  expect(put).toEqual([{ incidentId: id, was: null, dueAt: expect.any(String) }]);
  expect((await t.store.getTimeline(id)).filter((e) => e.kind === 'due-index-repaired')).toHaveLength(1);
  expect(await reindexDue(deps)).toEqual([]);
  const swept = await sweep({ store: t.store, policy, now: () => later });
  expect(swept.sent.filter((s) => s.incidentId === id).map((s) => s.kind)).toContain('subjects-reminder');
});

const sweepReindex = () => {
  const file = join(mkdtempSync(join(tmpdir(), 'datalek-reindex-')), 'policy.json');
  writeFileSync(file, JSON.stringify(POLICY));
  return runCli(['sweep', '--reindex', '--store', t.dir, '--policy', file, '--now', later], {});
};

it('datalek sweep --reindex says what it put back, then sweeps', async () => {
  const r = await sweepReindex();
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(`Due index: ${id} put back (due`);
  expect(r.stdout).toContain('subjects-reminder');
});

it('one record it cannot read stops neither the reindex nor the sweep: named, with datalek verify, exit 3 (review11 K6)', async () => {
  const damaged = 'dl-damaged';
  await t.store.commit({ incident: incidentFixture({ id: damaged, resourceKey: 'ec2:i-0damaged' }), expectedRevision: null, timeline: [], messages: [] });
  const db = new Database(join(t.dir, STORE_FILE));
  db.prepare('UPDATE incidents SET data = ? WHERE id = ?').run('{', damaged);
  db.close();
  const r = await sweepReindex();
  expect(r.code).toBe(3);
  expect(r.stdout).toContain(`Due index: ${id} put back (due`);
  expect(r.stdout).toContain(`Due index: 1 incident could not be read and was not put back (named on stderr): ${damaged}.`);
  expect(r.stdout).toContain('subjects-reminder');
  expect(r.stderr).toContain(`datalek: incident ${damaged} cannot be read from the store (its record is not valid JSON)`);
  expect(r.stderr).toContain(`datalek verify ${damaged}`);
});

it.each([
  ['taken off the record (the key deleted, the column NULL)', undefined],
  ['no date', 'never'],
])('reindexDue puts back a record whose due time is %s: read as none, not as a time that never falls due (finalA #2)', async (_what, stored) => {
  const open = 'dl-due-gone';
  await t.store.commit({ incident: incidentFixture({ id: open, resourceKey: 'ec2:i-0duegone' }), expectedRevision: null, timeline: [], messages: [] });
  // As the attack does (test/attack/clock-moved-without-entry.test.ts): the record written with one
  // ledger entry declaring it, so that the store writes on it again.
  const db = new Database(join(t.dir, STORE_FILE));
  const row = db.prepare('SELECT revision, data FROM incidents WHERE id = ?').get(open) as { revision: number; data: string };
  const record = JSON.parse(row.data);
  if (stored === undefined) delete record.nextDueAt;
  else record.nextDueAt = stored;
  record.revision = row.revision + 1;
  const text = JSON.stringify(record);
  const head = db.prepare('SELECT seq, hash FROM ledger WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(open) as { seq: number; hash: string };
  const data = canonicalJson({ at: now, incident: { hash: sha256(text), revision: record.revision }, incidentId: open, seq: head.seq + 1 });
  db.prepare('INSERT INTO ledger VALUES (?, ?, ?, ?, ?)').run(open, head.seq + 1, data, head.hash, chainHash(head.hash, data));
  db.prepare('UPDATE incidents SET revision = ?, data = ?, next_due_at = NULL WHERE id = ?').run(record.revision, text, open);
  db.close();
  const deps = { store: t.store, policy, now: () => now };
  const put = (await reindexDue(deps)).filter((p) => p.incidentId === open);
  expect(put).toEqual([{ incidentId: open, was: stored ?? null, dueAt: expect.any(String) }]);
  const after = await t.store.getIncident(open);
  expect(after?.nextDueAt).toBe(put[0].dueAt);
  expect((await t.store.listDue(put[0].dueAt as string)).map((i) => i.id)).toContain(open);
  expect((await reindexDue(deps)).filter((p) => p.incidentId === open)).toEqual([]);
});
