/**
 * The embedded store written by one process while another reads or writes it: `datalek verify`
 * beside `datalek serve` or `datalek replay`, two writers on one folder. Each test puts the other
 * process's write exactly where it hurts (between two reads, between two transactions), with two
 * store instances on one folder, each with its own SQLite connection, as two processes have.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DigestFolder } from '../../handlers/adapters/local/digest-folder.js';
import { pemSigner } from '../../handlers/adapters/local/pem-keys.js';
import { SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { anchorStore } from '../../handlers/core/anchor.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { type RecordDeps, recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import type { IncidentChange } from '../../handlers/ports/incident-store.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';
import { digestKeys } from '../support/tamper.js';

const NOW = '2026-11-28T03:00:00.000Z';
const require = createRequire(import.meta.url);

describe('verify beside a writer', () => {
  let writer: SqliteIncidentStore;
  let dir: string;
  let cleanup: () => Promise<void>;
  const opened: SqliteIncidentStore[] = [];
  beforeEach(() => {
    ({ store: writer, dir, cleanup } = tempSqliteStore());
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await cleanup();
  });

  const deps = (): RecordDeps => ({ store: writer, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false });
  /** The store as `datalek verify` opens it: read-only, a connection of its own. */
  const reader = () => {
    const s = new SqliteIncidentStore(dir, { readOnly: true });
    opened.push(s);
    return s;
  };
  /**
   * The commit recording `event` would make, decided now and written when the returned function is
   * called: synchronously, as another process's commit lands between two statements of this one.
   */
  const decided = async (event: unknown): Promise<() => void> => {
    let change: IncidentChange | undefined;
    const capture = new Proxy(writer, {
      get(target, key) {
        if (key === 'commit') {
          return async (c: IncidentChange) => {
            change = c;
            return { claimed: [] };
          };
        }
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await recordEvent({ ...deps(), store: capture }, event);
    if (!change) throw new Error('the event changes nothing');
    const made = change;
    return () => {
      // The store's commit runs to its end before it returns its promise.
      void writer.commit(made);
    };
  };
  /** Runs `write` the moment `store` prepares a statement matching `sql`, once. */
  const writeWhenPrepared = (store: SqliteIncidentStore, sql: RegExp, write: () => void) => {
    const db = store.database;
    const prepare = db.prepare.bind(db);
    let done = false;
    vi.spyOn(db, 'prepare').mockImplementation(((source: string) => {
      if (!done && sql.test(source)) {
        done = true;
        write();
      }
      return prepare(source);
    }) as typeof db.prepare);
  };

  it('an incident changed between the reads of its record and of its ledger is not reported as edited', async () => {
    await recordEvent(deps(), findingEvent({ id: 'race-1', instanceId: 'i-race-1', count: 1 }));
    const r = reader();
    // `datalek serve` or replay records an update of the finding while verify reads that incident.
    const update = await decided(findingEvent({ id: 'race-1', instanceId: 'i-race-1', count: 2, updatedAt: '2026-11-27T21:30:00.000Z' }));
    writeWhenPrepared(r, /FROM ledger WHERE incident_id = \?/, update);
    const result = await verifyStore(r, { now: NOW });
    expect(result.problems).toEqual([]);
    expect((await writer.listIncidents())[0].revision).toBe(2);
    expect((await verifyStore(reader(), { now: NOW })).problems).toEqual([]);
  });

  it('an incident opened between the list of incidents and the registry is not reported as deleted', async () => {
    await recordEvent(deps(), findingEvent({ id: 'race-2', instanceId: 'i-race-2' }));
    const r = reader();
    writeWhenPrepared(r, /FROM registry/, await decided(findingEvent({ id: 'race-3', instanceId: 'i-race-3' })));
    const result = await verifyStore(r, { now: NOW });
    expect(result.problems).toEqual([]);
    // The write did land, and a verify after it sees it whole.
    expect((await writer.listIncidents()).map((i) => i.firstFinding.findingId).sort()).toEqual(['race-2', 'race-3']);
    expect((await verifyStore(reader(), { now: NOW })).problems).toEqual([]);
  });

  it('anchor, on a store it opens for writing, is not stopped by an incident changed between the reads of its record and of its ledger', async () => {
    await recordEvent(deps(), findingEvent({ id: 'race-4', instanceId: 'i-race-4', count: 1 }));
    // `datalek anchor` opens the store for writing: a connection of its own.
    const anchoring = new SqliteIncidentStore(dir);
    opened.push(anchoring);
    const update = await decided(findingEvent({ id: 'race-4', instanceId: 'i-race-4', count: 2, updatedAt: '2026-11-27T21:30:00.000Z' }));
    writeWhenPrepared(anchoring, /FROM ledger WHERE incident_id = \?/, update);
    const keys = digestKeys(dir);
    const result = await anchorStore({ source: anchoring, signer: pemSigner(keys.private), digests: new DigestFolder(join(dir, 'digests')), now: () => NOW });
    expect(result.problems).toEqual([]);
    expect(result.written?.sequence).toBe(1);
    expect((await writer.listIncidents())[0].revision).toBe(2);
  });

  it('anchor is not stopped by an incident opened between its read of the registry and its list of incidents; the next anchor takes it', async () => {
    await recordEvent(deps(), findingEvent({ id: 'race-5', instanceId: 'i-race-5' }));
    const anchoring = new SqliteIncidentStore(dir);
    opened.push(anchoring);
    writeWhenPrepared(anchoring, /SELECT id FROM incidents UNION/, await decided(findingEvent({ id: 'race-6', instanceId: 'i-race-6' })));
    const keys = digestKeys(dir);
    const anchor = () => anchorStore({ source: anchoring, signer: pemSigner(keys.private), digests: new DigestFolder(join(dir, 'digests')), now: () => NOW });
    const first = await anchor();
    expect(first.problems).toEqual([]);
    expect(first.written?.incidents.map(([id]) => id)).toHaveLength(1);
    // What it anchored is recorded, and the incident opened meanwhile goes into the next digest.
    const second = await anchor();
    expect(second.problems).toEqual([]);
    expect(second.written?.incidents.map(([id]) => id)).toHaveLength(1);
    expect(second.written?.incidents[0][0]).not.toBe(first.written?.incidents[0][0]);
    expect((await anchor()).unchanged).toBe(true);
  });
});

describe('two processes creating one store at once', () => {
  it('the second waits for the first instead of failing with "database is locked"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-create-'));
    try {
      // Another process is writing the new store, which is not yet in WAL mode: switching to WAL
      // then turns a read into a write, which SQLite refuses at once instead of waiting (it would
      // deadlock if both waited). Two replays creating one store meet exactly this.
      const holder = spawn(process.execPath, [
        '-e',
        `const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
         const db = new Database(${JSON.stringify(join(dir, STORE_FILE))});
         db.exec('BEGIN IMMEDIATE');
         process.stdout.write('held\\n');
         setTimeout(() => { db.exec('COMMIT'); db.close(); }, 300);`,
      ]);
      const exited = new Promise((resolve) => holder.on('close', resolve));
      await new Promise((resolve, reject) => {
        holder.stdout.once('data', resolve);
        holder.on('error', reject);
      });
      const store = new SqliteIncidentStore(dir);
      try {
        expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
        await recordEvent({ store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false }, findingEvent({ id: 'create-1', instanceId: 'i-create-1' }));
        expect((await verifyStore(store, { now: NOW })).problems).toEqual([]);
      } finally {
        await store.close();
        await exited;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
