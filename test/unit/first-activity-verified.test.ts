/**
 * vpol (s28 item 2): the begin of the breach (`firstActivityAt`) is what the AP draft gives as
 * "started", the register's column and the notice's "since", and nothing checked it: a record edited
 * behind the pipeline with one ledger entry (or its ledger chained again) verified. The opening entry
 * now gives it, and every finding or merge that moves it earlier writes an entry that does
 * (`first-activity-earlier`); verify holds the record to the last of them.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';
import { rechainSqlite } from '../support/tamper.js';

const NOW = '2026-11-28T03:00:00.000Z';
const SEEN = '2026-11-25T08:00:00.000Z';
let t: { store: SqliteIncidentStore; dir: string; cleanup: () => Promise<void> };
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

it('a later finding whose activity began earlier moves it with an entry, which verify holds the record to', async () => {
  const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
  const first = await recordEvent(deps, findingEvent({ id: 'fa-1', instanceId: 'i-fa', createdAt: '2026-11-27T21:00:00.000Z' }));
  const id = first.incidentId as string;
  const second = await recordEvent(
    deps,
    findingEvent({ id: 'fa-2', instanceId: 'i-fa', createdAt: '2026-11-27T22:00:00.000Z', service: { eventFirstSeen: SEEN } }),
  );
  expect(second.incidentId).toBe(id);
  expect((await t.store.getIncident(id))?.firstActivityAt).toBe(SEEN);
  const entry = (await t.store.getTimeline(id)).find((e) => e.kind === 'first-activity-earlier');
  expect(entry?.detail).toEqual({ from: '2026-11-27T21:00:00.000Z', firstActivityAt: SEEN, source: 'finding fa-2' });
  expect((await verifyStore(t.store, { only: id, now: NOW })).problems).toEqual([]);

  // Moved back to the first finding's behind the pipeline, the ledger chained again: named.
  const db = new Database(join(t.dir, STORE_FILE));
  rechainSqlite(db, id, (r) => Object.assign(r, { firstActivityAt: '2026-11-27T21:00:00.000Z' }));
  db.close();
  const problems = (await verifyStore(t.store, { only: id, now: NOW })).problems.map((p) => p.problem);
  expect(problems).toEqual([expect.stringContaining(`its first activity 2026-11-27T21:00:00.000Z is not the one its timeline gives ${SEEN} (entry`)]);
});
