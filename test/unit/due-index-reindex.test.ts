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
