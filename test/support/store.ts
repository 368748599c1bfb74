import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';

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

/** `store`, failing every list of incidents: for code that must find what it needs by point reads. */
export function listingRefused(store: IncidentStore): IncidentStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'listIncidents') return () => Promise.reject(new Error('listed incidents'));
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
