/**
 * `datalek repair-indexes`: the embedded store's indexes that SQLite's integrity_check names, rebuilt
 * (REINDEX) from the table, without sqlite3 on the machine. An index emptied behind the pipeline
 * (atk28 F11/F12: an incident taken out of the due index, the open-resource index or the pending
 * messages') changes no row, so the rebuild changes none either: nothing any ledger or digest holds
 * moves. Only what integrity_check names is rebuilt, and each index of the pipeline's whose stored
 * definition is another (dropped and made anew with another condition, which integrity_check does not
 * see: it holds an index to its own definition) is made anew from the schema, in one write transaction
 * with a note of it in the store's meta table (`index-repairs`, where the store keeps what was done to it as a whole, as
 * 'migration-4'), so that a later reader finds who rebuilt what, when, and what integrity_check said.
 */
import type Database from 'better-sqlite3';
import { RefusedError } from '../../core/errors.js';

/** One rebuild as the store keeps it (meta 'index-repairs', oldest first). */
export interface IndexRepairNote {
  /** The machine's clock when it was done. */
  at: string;
  by: string;
  rebuilt: string[];
  /** The pipeline's indexes made anew from the schema, their stored definition another (`indexesRedefined`). */
  madeAnew?: string[];
  /** What integrity_check said before. */
  integrityCheck: string[];
}

export interface IndexRepair {
  /** What integrity_check said before: empty when it found nothing. */
  integrityCheck: string[];
  rebuilt: string[];
  /** The pipeline's indexes made anew, and the definition each held. */
  madeAnew: { name: string; sql: string }[];
  /** What it says after the rebuild (the same as before when nothing was rebuilt). */
  after: string[];
}

const NOTE_KEY = 'index-repairs';

/**
 * Makes anew from `schema` each of its indexes whose stored definition is another, then rebuilds each index
 * integrity_check names, recording it; one SQLite refuses rebuilds none (`RefusedError`).
 */
export function repairNamedIndexes(db: Database.Database, by: string, at: string, schema: string): IndexRepair {
  return db
    .transaction((): IndexRepair => {
      const madeAnew = indexesRedefined(db, schema);
      for (const ix of madeAnew) {
        try {
          db.exec(`DROP INDEX "${ix.name}"`);
          db.exec(ix.made);
        } catch (err) {
          throw new RefusedError(`index ${ix.name} made anew refused by SQLite (${(err as Error).message}): nothing was rebuilt${refusalHint(err)}`, {
            cause: err,
          });
        }
      }
      const integrityCheck = integrityLines(db);
      const rebuilt = namedIndexes(db, integrityCheck);
      if (rebuilt.length === 0 && madeAnew.length === 0) return { integrityCheck, rebuilt, madeAnew: [], after: integrityCheck };
      for (const name of rebuilt) {
        try {
          db.exec(`REINDEX "${name.replaceAll('"', '""')}"`);
        } catch (err) {
          // The transaction is rolled back: an index rebuilt before this one is as it was.
          throw new RefusedError(`REINDEX ${name} refused by SQLite (${(err as Error).message}): nothing was rebuilt${refusalHint(err)}`, {
            cause: err,
          });
        }
      }
      const anew = madeAnew.map((ix) => ix.name);
      const note: IndexRepairNote = { at, by, rebuilt, ...(anew.length ? { madeAnew: anew } : {}), integrityCheck };
      const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(NOTE_KEY) as { value: string } | undefined;
      db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(NOTE_KEY, JSON.stringify([...earlierNotes(row?.value), note]));
      return { integrityCheck, rebuilt, madeAnew: madeAnew.map(({ name, sql }) => ({ name, sql })), after: integrityLines(db) };
    })
    .immediate();
}

/** integrity_check's lines, none when it says ok. */
function integrityLines(db: Database.Database): string[] {
  const lines = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  return lines.length === 1 && lines[0] === 'ok' ? [] : lines;
}

/** The store's indexes that integrity_check's lines name ("row 3 missing from index X", "wrong # of entries in index X"), in the schema's order. */
function namedIndexes(db: Database.Database, lines: readonly string[]): string[] {
  const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY rowid").all() as { name: string }[]).map((r) => r.name);
  return indexes.filter((name) => lines.some((l) => new RegExp(`\\bindex ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`).test(l)));
}

/** The notes kept so far; a value that is not a list of them (edited behind the pipeline) is kept beside the new one as it was. */
function earlierNotes(value: string | undefined): unknown[] {
  if (value === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : [{ unreadable: value }];
  } catch {
    return [{ unreadable: value }];
  }
}

/** What a refused rebuild of a unique index means here. */
function refusalHint(err: unknown): string {
  return /UNIQUE/.test((err as Error).message)
    ? ': two rows hold what the index allows once (two open incidents on one resource: datalek verify names them); merge or close one, then repair again'
    : '';
}

/**
 * The indexes `schema` makes (CREATE INDEX IF NOT EXISTS) whose stored definition is another: dropped and made anew
 * with another condition (`AND id <> 'X'`), which integrity_check does not see, as it holds an index to its own
 * definition (an incident left out of the open-resource index opens a second incident on its resource; its pages
 * left out of the pending index are never sent). `sql`: the definition it holds; `made`: the schema's. One not there
 * at all is not listed: the next open of the store for writing makes it.
 */
export function indexesRedefined(db: Database.Database, schema: string): { name: string; sql: string; made: string }[] {
  const stored = new Map(
    (db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as { name: string; sql: string }[]).map((r) => [
      r.name,
      r.sql,
    ]),
  );
  const out: { name: string; sql: string; made: string }[] = [];
  for (const m of schema.matchAll(/CREATE\s+(?:UNIQUE\s+)?INDEX\s+IF\s+NOT\s+EXISTS\s+(\w+)\s[^;]*;/g)) {
    const sql = stored.get(m[1]);
    if (sql !== undefined && definition(sql) !== definition(m[0])) out.push({ name: m[1], sql: definition(sql), made: m[0] });
  }
  return out;
}

/** An index's definition as compared: one line, without IF NOT EXISTS (SQLite keeps it without) or the closing semicolon. */
const definition = (sql: string) =>
  sql
    .replace(/\s+/g, ' ')
    .replace(/ IF NOT EXISTS /i, ' ')
    .replace(/\s*;\s*$/, '')
    .trim();
