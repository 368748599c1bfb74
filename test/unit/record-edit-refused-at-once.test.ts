/**
 * review12 K1: a commit that would write over a record edited behind the pipeline is refused by the
 * store as no race (StuckConflictError). Tried again as a lost race, the record function would
 * read, decide and be refused again until its invocation's deadline (untilDeadline), then fail the
 * same way. The refusal ends the first try, on the record path and for a person's change alike.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import type { ConflictRetry } from '../../handlers/core/conflict-retry.js';
import { StuckConflictError } from '../../handlers/core/errors.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

let store: SqliteIncidentStore;
let dir: string;
let cleanup: () => Promise<void>;
beforeEach(() => {
  ({ store, dir, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

it('a record edited behind the pipeline is refused at the first try, not tried again as a race', async () => {
  let retries = 0;
  const conflictRetry: ConflictRetry = { again: async () => ++retries < 10 };
  const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T03:00:00.000Z', canEnforce: false, conflictRetry };
  const finding = { id: 'edited-once', createdAt: '2026-11-28T02:55:00.000Z' };
  const id = (await recordEvent(deps, findingEvent(finding))).incidentId as string;
  const db = new Database(join(dir, STORE_FILE));
  db.prepare("UPDATE incidents SET data = json_set(data, '$.awareAt', '2026-11-29T03:00:00.000Z') WHERE id = ?").run(id);
  db.close();

  const update = findingEvent({ ...finding, updatedAt: '2026-11-28T03:30:00.000Z', count: 2 } as never);
  await expect(recordEvent(deps, update)).rejects.toThrow(StuckConflictError);
  await expect(acknowledge(deps, { incidentId: id, by: 'anna' })).rejects.toThrow(/is not the one its ledger recorded last/);
  expect(retries).toBe(0);
});
