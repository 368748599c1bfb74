/**
 * read12c C1 (auditfix12 2b249b4, review11 K6): `datalek sweep --reindex` now survives a record it
 * cannot READ, but not one whose WRITE the store refuses for good. reindexDue writes each record
 * that misses its due time (a 'due-index-repaired' timeline entry); a timeline row planted at one
 * incident's next seq (StuckConflictError) makes changeIncident throw out of the loop: the records
 * after it are not put back and the sweep after the reindex never runs. The upgrade step every
 * deployer runs once is blocked by one record, as K6 was. The refused one is named with verify, and
 * the store's words are given without the conflict's claim that another writer got there first.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { parsePolicy } from '../../handlers/core/policy.js';
import { runCli } from '../support/cli.js';
import { storeOldTelecomRecord } from '../support/old-record.js';
import { plantTimelineRow, tempSqliteStore } from '../support/store.js';

const POLICY = { organisation: { name: 'Telecom Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { telecom: true } };
const policy = parsePolicy(POLICY);
const now = '2026-11-28T10:00:00.000Z';
const later = '2026-11-29T22:00:00.000Z';
let t: ReturnType<typeof tempSqliteStore>;

beforeEach(async () => {
  t = tempSqliteStore();
  // Both sides of whatever order the store lists in: one refused record between two good ones.
  await storeOldTelecomRecord(t.store, policy, now, { id: 'dl-a-good', resourceKey: 'ec2:i-0aaaa' });
  await storeOldTelecomRecord(t.store, policy, now, { id: 'dl-m-planted', resourceKey: 'ec2:i-0mmmm' });
  await storeOldTelecomRecord(t.store, policy, now, { id: 'dl-z-good', resourceKey: 'ec2:i-0zzzz' });
  plantTimelineRow(t.dir, 'dl-m-planted', now);
});
afterEach(async () => t.cleanup());

it('one record whose write the store refuses for good stops neither the reindex of the others nor the sweep', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'datalek-reindex-')), 'policy.json');
  writeFileSync(file, JSON.stringify(POLICY));
  const r = await runCli(['sweep', '--reindex', '--store', t.dir, '--policy', file, '--now', later], {});
  expect(r.code).toBe(3);
  expect(r.stdout, r.stderr).toContain('Due index: dl-a-good put back (due');
  expect(r.stdout, r.stderr).toContain('Due index: dl-z-good put back (due');
  // The sweep after the reindex ran: the good records' reminders were sent.
  expect(r.stdout, r.stderr).toContain('subjects-reminder');
  // The refused one is named, with what to check.
  expect(r.stderr).toContain('dl-m-planted');
  expect(r.stderr).toContain('datalek verify dl-m-planted');
  // The store's words, without the conflict's own claim that another writer got there first.
  expect(r.stderr).toContain('the store refused the write (UNIQUE constraint failed');
  expect(r.stderr).not.toContain('another writer got there first');
});
