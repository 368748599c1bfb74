/** A fresh embedded store for each test of the record path, and its deps at a fixed clock. */
import { afterEach, beforeEach } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import type { RecordDeps } from '../../handlers/core/record-finding.js';
import { tempSqliteStore } from './store.js';

/** Registers the store's making and removal around each test of the describe it is called in. */
export function recordingStore(now: string): { store: () => SqliteIncidentStore; deps: () => RecordDeps } {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
  });
  afterEach(async () => cleanup());
  return { store: () => store, deps: () => ({ store, policy: DEFAULT_POLICY, now: () => now, canEnforce: false }) };
}
