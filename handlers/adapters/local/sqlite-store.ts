/**
 * The embedded incident store: SQLite (better-sqlite3) in a folder, `.datalek/` by default.
 *
 * Guarantees of the `IncidentStore` port, kept with SQLite's own mechanisms: every commit is one
 * `BEGIN IMMEDIATE` transaction; the incident's revision is checked in the UPDATE's WHERE clause; one
 * incident per finding key and per open resource are unique constraints (a partial unique index on
 * open incidents), so two processes on one store cannot both open one. A constraint that fails is a
 * lost race (`ConflictError`); anything else is a `StoreError` with its cause.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConflictError, StoreError } from '../../core/errors.js';
import type { FindingKey } from '../../core/finding.js';
import type { FindingRecord, Incident, OutboxMessage, TimelineEntry } from '../../core/incident.js';
import type { IncidentChange, IncidentFilter, IncidentStore } from '../../ports/incident-store.js';

export const STORE_FILE = 'datalek.sqlite';

const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS incidents (
  id           TEXT PRIMARY KEY,
  revision     INTEGER NOT NULL,
  state        TEXT NOT NULL,
  resource_key TEXT NOT NULL,
  detected_at  TEXT NOT NULL,
  next_due_at  TEXT,
  data         TEXT NOT NULL
);
-- At most one open incident per affected resource: one breach, one AP clock.
CREATE UNIQUE INDEX IF NOT EXISTS incidents_open_resource ON incidents(resource_key) WHERE state <> 'closed';
-- The sweep reads only what is due.
CREATE INDEX IF NOT EXISTS incidents_next_due ON incidents(next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS incidents_detected ON incidents(detected_at);

-- Further resources an open incident holds (an attack sequence names several): one holder per key.
-- Rows exist only while the incident is open; its own resource_key is in incidents.
CREATE TABLE IF NOT EXISTS incident_keys (
  resource_key TEXT PRIMARY KEY,
  incident_id  TEXT NOT NULL REFERENCES incidents(id)
);

CREATE TABLE IF NOT EXISTS findings (
  account_id  TEXT NOT NULL,
  region      TEXT NOT NULL,
  finding_id  TEXT NOT NULL,
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  updated_at  TEXT NOT NULL,
  count       INTEGER NOT NULL,
  data        TEXT NOT NULL,
  PRIMARY KEY (account_id, region, finding_id)
);

CREATE TABLE IF NOT EXISTS timeline (
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  seq         INTEGER NOT NULL,
  at          TEXT NOT NULL,
  kind        TEXT NOT NULL,
  actor       TEXT NOT NULL,
  detail      TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL,
  PRIMARY KEY (incident_id, seq)
);
-- Entries are only ever added: this adapter has no UPDATE or DELETE for them, and the hash chain
-- shows any row changed behind its back (datalek verify).

CREATE TABLE IF NOT EXISTS outbox (
  id            TEXT PRIMARY KEY,
  incident_id   TEXT NOT NULL REFERENCES incidents(id),
  created_at    TEXT NOT NULL,
  claimed_until TEXT,
  sent_at       TEXT,
  data          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(created_at) WHERE sent_at IS NULL;

-- What the store is: 'drill' marks a copy made by \`datalek drill\` (any --now goes, messages marked).
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/** A drill copy of a store: where it came from and when it was made. */
export interface DrillMark {
  from: string;
  at: string;
}

export interface SqliteStoreOptions {
  /**
   * Open for reading only: nothing is created or changed, no write lock is taken, so a held lock
   * or a store the user may only read does not stop \`status\`. @default false
   */
  readOnly?: boolean;
}

export class SqliteIncidentStore implements IncidentStore {
  private readonly db: Database.Database;
  private readonly stmts;
  /** A read-only snapshot's temporary folder, removed on close. */
  private snapshotDir: string | null = null;
  /** Set when the store is a drill copy. */
  readonly drill: DrillMark | null;

  /** Opens (and creates, if needed) the store in `dir`; with `readOnly`, opens an existing one for reading only. */
  constructor(
    readonly dir: string,
    readonly options: SqliteStoreOptions = {},
  ) {
    try {
      if (options.readOnly) {
        this.db = this.openReadOnly();
      } else {
        mkdirSync(dir, { recursive: true });
        this.db = new Database(join(dir, STORE_FILE));
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('busy_timeout = 15000');
        this.db.pragma('foreign_keys = ON');
      }
      const version = this.db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new StoreError(`store ${dir} has schema version ${version}; this datalek knows up to ${SCHEMA_VERSION}: upgrade datalek`);
      }
      if (!options.readOnly) {
        this.db.exec(SCHEMA);
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }
      this.drill = this.readDrillMark();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot open the store in ${dir}: ${(err as Error).message}`, { cause: err });
    }
    this.stmts = this.prepareStatements();
  }

  private prepareStatements() {
    const db = this.db;
    try {
      return {
        getFinding: db.prepare('SELECT data, incident_id, updated_at, count FROM findings WHERE account_id = ? AND region = ? AND finding_id = ?'),
        getIncident: db.prepare('SELECT data FROM incidents WHERE id = ?'),
        openByResource: db.prepare("SELECT data FROM incidents WHERE resource_key = ? AND state <> 'closed'"),
        openByClaim: db.prepare("SELECT i.data FROM incident_keys k JOIN incidents i ON i.id = k.incident_id WHERE k.resource_key = ? AND i.state <> 'closed'"),
        ownerOfKey: db.prepare(
          "SELECT id FROM incidents WHERE resource_key = @key AND state <> 'closed' AND id <> @id UNION SELECT incident_id FROM incident_keys WHERE resource_key = @key AND incident_id <> @id",
        ),
        insertClaim: db.prepare('INSERT INTO incident_keys (resource_key, incident_id) VALUES (?, ?)'),
        releaseClaims: db.prepare('DELETE FROM incident_keys WHERE incident_id = ?'),
        due: db.prepare('SELECT data FROM incidents WHERE next_due_at IS NOT NULL AND next_due_at <= ? ORDER BY next_due_at'),
        timeline: db.prepare('SELECT * FROM timeline WHERE incident_id = ? ORDER BY rowid'),
        insertIncident: db.prepare(
          'INSERT INTO incidents (id, revision, state, resource_key, detected_at, next_due_at, data) VALUES (@id, @revision, @state, @resourceKey, @detectedAt, @nextDueAt, @data)',
        ),
        updateIncident: db.prepare(
          'UPDATE incidents SET revision = @revision, state = @state, resource_key = @resourceKey, next_due_at = @nextDueAt, data = @data WHERE id = @id AND revision = @expected',
        ),
        insertFinding: db.prepare('INSERT INTO findings (account_id, region, finding_id, incident_id, updated_at, count, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),
        updateFinding: db.prepare(
          'UPDATE findings SET updated_at = ?, count = ?, data = ? WHERE account_id = ? AND region = ? AND finding_id = ? AND updated_at = ? AND count = ?',
        ),
        insertEntry: db.prepare(
          'INSERT INTO timeline (incident_id, seq, at, kind, actor, detail, prev_hash, hash) VALUES (@incidentId, @seq, @at, @kind, @actor, @detail, @prevHash, @hash)',
        ),
        insertMessage: db.prepare('INSERT OR IGNORE INTO outbox (id, incident_id, created_at, data) VALUES (?, ?, ?, ?)'),
        pending: db.prepare('SELECT data, sent_at FROM outbox WHERE sent_at IS NULL ORDER BY created_at, rowid'),
        messagesOf: db.prepare('SELECT data, sent_at FROM outbox WHERE incident_id = ? ORDER BY created_at, rowid'),
        claim: db.prepare('UPDATE outbox SET claimed_until = ? WHERE id = ? AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?)'),
        markSent: db.prepare('UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL'),
      };
    } catch (err) {
      throw new StoreError(`store ${this.dir} is not a complete datalek store (${(err as Error).message}); is it being created right now?`, { cause: err });
    }
  }

  async getFinding(key: FindingKey): Promise<FindingRecord | undefined> {
    const row = this.run(() => this.stmts.getFinding.get(key.accountId, key.region, key.findingId)) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as FindingRecord) : undefined;
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    return this.incidentRow(this.run(() => this.stmts.getIncident.get(id)));
  }

  async findOpenIncident(resourceKey: string): Promise<Incident | undefined> {
    return this.incidentRow(this.run(() => this.stmts.openByResource.get(resourceKey) ?? this.stmts.openByClaim.get(resourceKey)));
  }

  async listIncidents(filter: IncidentFilter = {}): Promise<Incident[]> {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.openOnly) where.push("state <> 'closed'");
    if (filter.from) {
      where.push('detected_at >= ?');
      args.push(filter.from);
    }
    if (filter.to) {
      where.push('detected_at < ?');
      args.push(filter.to);
    }
    const sql = `SELECT data FROM incidents${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY detected_at, id`;
    const rows = this.run(() => this.db.prepare(sql).all(...args)) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as Incident);
  }

  async listDue(now: string): Promise<Incident[]> {
    const rows = this.run(() => this.stmts.due.all(now)) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as Incident);
  }

  async getTimeline(incidentId: string): Promise<TimelineEntry[]> {
    const rows = this.run(() => this.stmts.timeline.all(incidentId)) as Record<string, unknown>[];
    return rows.map((r) => ({
      incidentId: r.incident_id as string,
      seq: r.seq as number,
      at: r.at as string,
      kind: r.kind as string,
      actor: r.actor as string,
      detail: JSON.parse(r.detail as string) as Record<string, unknown>,
      prevHash: r.prev_hash as string,
      hash: r.hash as string,
    }));
  }

  async commit(change: IncidentChange): Promise<void> {
    const { incident } = change;
    const tx = this.db.transaction(() => {
      // Incidents merged into this one first: closing them frees what they held for its claims.
      for (const other of change.others ?? []) this.write({ ...other, finding: undefined, claims: undefined });
      this.write(change);
    });
    try {
      tx.immediate();
    } catch (err) {
      if (err instanceof ConflictError) throw err;
      if ((err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
        throw new ConflictError(`another writer got there first (${(err as Error).message})`, { cause: err });
      }
      throw new StoreError(`commit of incident ${incident.id} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** One incident's part of a commit; runs inside the commit's transaction. */
  private write(change: IncidentChange): void {
    const { incident, expectedRevision, finding, timeline, messages } = change;
    const row = {
      id: incident.id,
      revision: incident.revision,
      state: incident.state,
      resourceKey: incident.resourceKey,
      detectedAt: incident.detectedAt,
      nextDueAt: incident.nextDueAt,
      data: JSON.stringify(incident),
    };
    const open = incident.state !== 'closed';
    if (expectedRevision === null) {
      if (open && this.stmts.ownerOfKey.get({ key: incident.resourceKey, id: incident.id })) {
        throw new ConflictError(`resource ${incident.resourceKey} is held by another open incident`);
      }
      this.stmts.insertIncident.run(row);
    } else if (this.stmts.updateIncident.run({ ...row, expected: expectedRevision }).changes !== 1) {
      throw new ConflictError(`incident ${incident.id} changed since revision ${expectedRevision}`);
    }
    if (!open) this.stmts.releaseClaims.run(incident.id);
    for (const key of open ? (change.claims ?? []) : []) {
      const owner = this.stmts.ownerOfKey.get({ key, id: incident.id }) as { id: string } | undefined;
      if (owner) throw new ConflictError(`resource ${key} is held by open incident ${owner.id}`);
      this.stmts.insertClaim.run(key, incident.id);
    }
    if (finding) {
      const { record, expected } = finding;
      const { accountId, region, findingId } = record.key;
      if (expected === null) {
        this.stmts.insertFinding.run(accountId, region, findingId, record.incidentId, record.version.updatedAt, record.version.count, JSON.stringify(record));
      } else if (
        this.stmts.updateFinding.run(
          record.version.updatedAt,
          record.version.count,
          JSON.stringify(record),
          accountId,
          region,
          findingId,
          expected.updatedAt,
          expected.count,
        ).changes !== 1
      ) {
        throw new ConflictError(`finding ${findingId} changed since version ${expected.updatedAt}`);
      }
    }
    for (const e of timeline) this.stmts.insertEntry.run({ ...e, detail: JSON.stringify(e.detail) });
    for (const m of messages) this.stmts.insertMessage.run(m.id, m.incidentId, m.createdAt, JSON.stringify(m));
  }

  async pendingMessages(): Promise<OutboxMessage[]> {
    return (this.run(() => this.stmts.pending.all()) as { data: string; sent_at: string | null }[]).map(messageRow);
  }

  async listMessages(incidentId: string): Promise<OutboxMessage[]> {
    return (this.run(() => this.stmts.messagesOf.all(incidentId)) as { data: string; sent_at: string | null }[]).map(messageRow);
  }

  async claimMessage(id: string, now: string, leaseUntil: string): Promise<boolean> {
    return this.run(() => this.stmts.claim.run(leaseUntil, id, now)).changes === 1;
  }

  async markSent(id: string, at: string): Promise<void> {
    this.run(() => this.stmts.markSent.run(at, id));
  }

  async close(): Promise<void> {
    this.db.close();
    if (this.snapshotDir) rmSync(this.snapshotDir, { recursive: true, force: true });
  }

  /** Marks this store as a drill copy of `from` (\`datalek drill\`). */
  markDrill(mark: DrillMark): void {
    this.run(() => this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('drill', ?)").run(JSON.stringify(mark)));
  }

  /**
   * Copies the whole store, as one consistent snapshot, to a new store file in \`dir\` (which must
   * not hold one yet). Works on a read-only store.
   */
  copyTo(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const target = join(dir, STORE_FILE);
    if (existsSync(target)) throw new StoreError(`${dir} already holds a store`);
    this.run(() => this.db.prepare('VACUUM INTO ?').run(target));
  }

  private openReadOnly(): Database.Database {
    const file = join(this.dir, STORE_FILE);
    const open = (path: string) => {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      // Readers never wait on writers in WAL mode; the timeout only covers a checkpoint's brief lock.
      db.pragma('busy_timeout = 2000');
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      return db;
    };
    try {
      return open(file);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'SQLITE_READONLY_DIRECTORY' && code !== 'SQLITE_CANTOPEN') throw err;
    }
    // A WAL store in a folder we may not write, with no writer open (so no -shm file to share):
    // SQLite cannot open it read-only in place. Nobody has it open, so the file is complete: read
    // a private copy of it (a writer starting meanwhile appends to its own -wal, not to this file).
    this.snapshotDir = mkdtempSync(join(tmpdir(), 'datalek-read-'));
    const copy = join(this.snapshotDir, STORE_FILE);
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    // The copy is private, so SQLite may keep its -shm beside it; this store still only reads.
    const db = new Database(copy, { fileMustExist: true });
    db.pragma('query_only = ON');
    return db;
  }

  private readDrillMark(): DrillMark | null {
    return drillMarkOf(this.db);
  }

  /**
   * The drill mark of the store in `dir`, read without opening it as a store (it may be being
   * created by another process this moment); null when there is none or no store.
   */
  static drillMark(dir: string): DrillMark | null {
    const file = join(dir, STORE_FILE);
    if (!existsSync(file)) return null;
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
    } catch {
      // Unreadable here: the command itself opens it next and reports why.
      return null;
    }
    try {
      db.pragma('busy_timeout = 2000');
      return drillMarkOf(db);
    } catch {
      return null;
    } finally {
      db.close();
    }
  }

  /** For tests and the bench: the database itself (e.g. to tamper with a row on purpose). */
  get database(): Database.Database {
    return this.db;
  }

  private incidentRow(row: unknown): Incident | undefined {
    return row ? (JSON.parse((row as { data: string }).data) as Incident) : undefined;
  }

  private run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new StoreError(`store ${this.dir}: ${(err as Error).message}`, { cause: err });
    }
  }
}

function drillMarkOf(db: Database.Database): DrillMark | null {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta) return null;
  const row = db.prepare("SELECT value FROM meta WHERE key = 'drill'").get() as { value: string } | undefined;
  if (!row) return null;
  try {
    return JSON.parse(row.value) as DrillMark;
  } catch {
    return { from: 'unknown (the drill mark is unreadable)', at: 'unknown' };
  }
}

function messageRow(row: { data: string; sent_at: string | null }): OutboxMessage {
  return { ...(JSON.parse(row.data) as OutboxMessage), sentAt: row.sent_at };
}
