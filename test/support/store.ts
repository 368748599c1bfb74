import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';

/** A fresh SQLite store in a temporary folder; `cleanup` closes and removes it. */
export function tempSqliteStore() {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-test-'));
  const store = new SqliteIncidentStore(dir);
  return {
    dir,
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
