import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';

/**
 * A timeline row at incident `id`'s next seq, put in behind datalek's back: every commit of the
 * incident is refused from then on while its revision stays (`StuckConflictError`, not a race).
 */
export function plantTimelineRow(dir: string, id: string, at: string): void {
  const db = new Database(join(dir, STORE_FILE));
  const { seq } = db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM timeline WHERE incident_id = ?').get(id) as { seq: number };
  db.prepare('INSERT INTO timeline VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(id, seq + 1, at, 'note', 'x', '{}', 'x', 'x');
  db.close();
}

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

/**
 * `store`, running a change of someone else's (`meanwhile`) just before the `nth` read of one
 * incident from the moment `meanwhileBefore` is called: a race made exact (the second read of a
 * web request is the use case's, the first the page handler's).
 */
export function racing(store: IncidentStore, incidentId: string) {
  let plan: { reads: number; meanwhile: () => Promise<unknown> } | null = null;
  const raced = new Proxy(store, {
    get(target, prop) {
      if (prop === 'getIncident')
        return async (id: string) => {
          if (plan && id === incidentId && --plan.reads === 0) {
            const { meanwhile } = plan;
            plan = null;
            await meanwhile();
          }
          return target.getIncident(id);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    raced,
    meanwhileBefore: (nth: number, meanwhile: () => Promise<unknown>) => {
      plan = { reads: nth, meanwhile };
    },
  };
}

/** SQL that makes SQLite itself refuse a write: a value over its length limit (SQLITE_TOOBIG). */
export const TOO_BIG = 'SELECT zeroblob(2000000000)';

/**
 * Makes the embedded store in `dir` fail the insert of finding `findingId` with `body`'s error (a
 * trigger put in by another connection: SQLite's own error, in the store's own commit).
 */
export function refuseFinding(dir: string, findingId: string, body = TOO_BIG): void {
  const db = new Database(join(dir, STORE_FILE));
  db.exec(`CREATE TRIGGER refuse_${findingId.replace(/\W/g, '_')} BEFORE INSERT ON findings WHEN NEW.finding_id = '${findingId}' BEGIN ${body}; END`);
  db.close();
}

/** Every row of the store's file in `dir`, each as its table's name and the row's columns in JSON (the bytes as stored, not as read). */
export function storedRows(dir: string): string[] {
  const db = new Database(join(dir, STORE_FILE), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    return tables.flatMap(({ name }) => (db.prepare(`SELECT * FROM "${name}"`).all() as unknown[]).map((r) => `${name} ${JSON.stringify(r)}`));
  } finally {
    db.close();
  }
}

/** Every table of the store's file in `dir` with a row holding `text` (the bytes as stored, not as read), once per such row. */
export function rowsHolding(dir: string, text: string): string[] {
  return storedRows(dir)
    .filter((row) => row.slice(row.indexOf(' ') + 1).includes(text))
    .map((row) => row.slice(0, row.indexOf(' ')));
}
