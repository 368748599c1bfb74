/**
 * The embedded incident store: SQLite (better-sqlite3) in a folder, `.datalek/` by default.
 *
 * Guarantees of the `IncidentStore` port, kept with SQLite's own mechanisms: every commit is one
 * `BEGIN IMMEDIATE` transaction; the incident's revision is checked in the UPDATE's WHERE clause; one
 * incident per finding key and per open resource are unique constraints (a partial unique index on
 * open incidents), so two processes on one store cannot both open one. A key constraint that fails
 * is a lost race (`ConflictError`); a write SQLite cannot take as it is (too big, another constraint
 * broken) is `StoreRefusedError`; anything else is a `StoreError` with its cause.
 */

import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { endianness, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { type ClaimRow, findingsWrittenBy, findingWrites, queuedAtIn, type RawIncident, type RegistryRows } from '../../core/audit.js';
import type { DrillMark } from '../../core/drill.js';
import type { DuePolicyMark } from '../../core/due-policy.js';
import { parseDuePolicyMark } from '../../core/due-policy-mark.js';
import { storedEntryDetail } from '../../core/entry-detail.js';
import { ConflictError, RefusedError, StoreError, StoreRefusedError } from '../../core/errors.js';
import { type FindingKey, findingKeyString } from '../../core/finding.js';
import { newPseudonymKey, storedPseudonymKey } from '../../core/finding-resources.js';
import { sha256 } from '../../core/hash.js';
import type { FindingRecord, Incident, OutboxMessage, TimelineEntry } from '../../core/incident.js';
import {
  type ChainHead,
  commitBody,
  findingNotLedgered,
  type IncidentHead,
  type LedgerEntry,
  ledgerEntry,
  REGISTRY_SHARDS,
  recordHashIn,
  recordNotLedgered,
  registryEntry,
  registryShardOf,
  storedText,
} from '../../core/ledger.js';
import {
  type DamagedMessageHandler,
  parseStoredFinding,
  parseStoredIncident,
  parseStoredIncidents,
  storedMessage,
  type UnreadableHandler,
} from '../../core/stored-record.js';
import { oneLine } from '../../core/text.js';
import type { AnchorState, AuditSource } from '../../ports/audit-source.js';
import type { CommitReceipt, FindingReads, IncidentChange, IncidentFilter, IncidentStore } from '../../ports/incident-store.js';
import { type IndexRepair, indexesRedefined, repairNamedIndexes } from './index-repair.js';
import { closeToOthers, makePrivateDir } from './private-files.js';

export const STORE_FILE = 'datalek.sqlite';

/** How long a write waits for another process's transaction before it fails. */
const BUSY_TIMEOUT_MS = 15_000;
/**
 * How long emptying the log after a minimisation waits for other connections (`emptiedLog`): a
 * reader's snapshot lasts milliseconds; a replay may hold the store for its whole run.
 */
const LOG_EMPTYING_WAIT_MS = 2_000;

/**
 * 3: the ledger, the registry and the anchor's bookkeeping (core/ledger.ts). 4: `detected_at` kept
 * with the record's detectedAt on every update (see `repairDetectedAt`).
 */
const SCHEMA_VERSION = 4;

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

-- What the store is: 'drill' marks a copy made by \`datalek drill\` (any --now goes, messages marked);
-- 'anchor' is where anchoring stands (the last digest written from this store).
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- The ledger: per incident, one entry per change, each holding the hashes of the bytes written to
-- every table and chained to the one before it (core/ledger.ts). Only ever added to.
CREATE TABLE IF NOT EXISTS ledger (
  incident_id TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  data        TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL,
  PRIMARY KEY (incident_id, seq)
);
-- The entry that wrote a finding record last, found without reading the incident's ledger through:
-- a commit holds the record it writes over to that entry's hash of it (SqliteIncidentStore
-- \`findingAsLedgered\`). An index only: dropped, the same answer is read the slow way.
CREATE INDEX IF NOT EXISTS ledger_findings ON ledger(incident_id, json_extract(data, '$.finding.key'), seq)
  WHERE json_extract(data, '$.finding.key') IS NOT NULL;

-- The registry of incidents, a hash chain per shard: a deleted incident stays named here.
CREATE TABLE IF NOT EXISTS registry (
  shard     INTEGER NOT NULL,
  n         INTEGER NOT NULL,
  data      TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL,
  PRIMARY KEY (shard, n)
);

-- The ledger heads already in a digest (datalek anchor): the next digest takes those that moved.
CREATE TABLE IF NOT EXISTS anchored (
  incident_id TEXT PRIMARY KEY,
  seq         INTEGER NOT NULL,
  hash        TEXT NOT NULL
);
`;

/** A drill copy of a store: where it came from and when it was made. */
export type { DrillMark };

export interface SqliteStoreOptions {
  /**
   * Open for reading only: nothing is created or changed, no write lock is taken, so a held lock
   * or a store the user may only read does not stop \`status\`. @default false
   */
  readOnly?: boolean;
  /**
   * Recording in bulk (`datalek replay`): commits are synced to disk at checkpoints and when the
   * store is closed, not one by one. A power cut can then take the last commits of a running
   * replay, which replaying the same files records again. Otherwise every commit is synced before
   * it returns: what a person records (and `serve`, which runs for hours) survives a power cut
   * once the command has said so. @default false
   */
  bulk?: boolean;
  /**
   * Adopt a store written before the ledger existed (`datalek adopt`): every record is vouched for
   * as it is now, in the name of `by`. Without it such a store is refused for writing: nothing in
   * the file tells a genuine old store from a new one whose ledger was dropped, so adoption is a
   * person's recorded act, never a side effect of the next sweep.
   */
  adopt?: { by: string };
  /**
   * The log's pages between two checkpoints: in bulk, made on a thread of their own between two
   * groups of commits (`checkpointBetweenGroups`). Smaller only in tests. @default 10000
   */
  checkpointPages?: number;
}

export class SqliteIncidentStore implements IncidentStore, AuditSource {
  private readonly db: Database.Database;
  private readonly stmts;
  /** A read-only snapshot's temporary folder, removed on close. */
  private snapshotDir: string | null = null;
  /** Set when the store is a drill copy. */
  readonly drill: DrillMark | null;
  /** How many incidents `adopt` entered into the ledger when this store was opened (none unless asked). */
  adopted = 0;
  /** The schema the file had when opened (read-only opens leave an older one as it is). */
  private schema = SCHEMA_VERSION;
  /** The store's pseudonym secret, once read (`pseudonymKey`). */
  private pseudonymSecret: Buffer | undefined;

  /** Opens (and creates, if needed) the store in `dir`; with `readOnly`, opens an existing one for reading only. */
  constructor(
    readonly dir: string,
    readonly options: SqliteStoreOptions = {},
  ) {
    try {
      if (options.readOnly) {
        this.db = this.openReadOnly();
      } else {
        makePrivateDir(dir);
        const file = join(dir, STORE_FILE);
        this.db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
        // Before WAL mode makes the -wal and -shm files: SQLite gives them the database's mode.
        closeToOthers(file, `${file}-wal`, `${file}-shm`, `${file}-journal`);
        useWal(this.db);
        this.db.pragma('foreign_keys = ON');
        // A recorded finding writes a page in each of some sixteen B-trees (incident, finding,
        // timeline, outbox, ledger and registry, with their indexes): at SQLite's default (a
        // checkpoint, with two fsyncs, every 1,000 pages) replay checkpointed every few dozen
        // findings. At 10,000 pages (40 MB of log) checkpoints come ten times as seldom and copy
        // each often-written page once. A commit stays atomic and survives the process as before;
        // in bulk (below) only a crash of the machine can lose commits made since the last
        // checkpoint, and the store checkpoints when it is closed, at the end of every command.
        // In bulk, `checkpointBetweenGroups` checkpoints at that size, between two groups of
        // commits, where no event waits on it; SQLite's own checkpoint, inside a commit, is left as
        // a backstop for commits made outside groups, at four times the size.
        const pages = this.checkpointPages;
        this.db.pragma(`wal_autocheckpoint = ${options.bulk ? 4 * pages : pages}`);
        // After a checkpoint SQLite writes the log again from its start, over the file's blocks:
        // cut back to a tenth of its size instead, the file's system found room for every frame
        // anew, some 4 µs of the kernel's time per frame (a fifth of a commit's, 13 frames an
        // event). It is cut back only past twice what comes between checkpoints (80 MB; a reader
        // holding an old snapshot can make the log grow that far), and removed when the store
        // closes. How much was written since is read from the log's index (`walPages`).
        if (options.bulk) this.db.pragma(`journal_size_limit = ${2 * pages * WAL_FRAME_BYTES}`);
        // Each commit synced (FULL), except in bulk (NORMAL: synced at checkpoints and closing).
        this.db.pragma(`synchronous = ${options.bulk ? 'NORMAL' : 'FULL'}`);
        // Each commit of a group (`beginGroup`) is a savepoint, whose undo journal SQLite writes to
        // a temporary file unless told to keep it in memory: a file per savepoint cost more than
        // the group saved. It holds the pages one commit changed, a few dozen.
        if (options.bulk) this.db.pragma('temp_store = MEMORY');
        // The page cache, 16 MB (better-sqlite3's own, set here so that it stays so). A recording
        // reads a few pages of other incidents' B-trees per event (the finding's record, the
        // incident it updates, the index leaves its rows go into): at SQLite's default of 2 MB,
        // kept in bulk from 1 to 3 December, most of these were read again from the log or the
        // file, 5.5 reads an event (`pread`, a system call each, in groups of 5); at 16 MB 3.3 (perf28,
        // counted with strace). What a larger cache costs: a commit after a B-tree split walks
        // every slot of the cache's table (SQLite's balance_nonroot renumbers a page through the
        // lock page, 262145, and pcache1Truncate at the commit then finds a page past the end),
        // some 8,000 instructions an event at 16 MB (callgrind), less than the reads it saves.
        if (options.bulk) this.db.pragma('cache_size = -16000');
      }
      const claimed = this.db.pragma('user_version', { simple: true }) as number;
      // A store that holds a ledger was written by a datalek with one (schema 3 or later), whatever
      // its user_version says: anyone with write access can set that number, and a store taken
      // for one from before the ledger would be adopted, its edited records vouched for anew.
      const version = claimed > 0 && claimed < 3 && hasTable(this.db, 'ledger') ? 3 : claimed;
      this.schema = options.readOnly ? version : SCHEMA_VERSION;
      if (version > SCHEMA_VERSION) {
        throw new StoreError(`store ${dir} has schema version ${version}; this datalek knows up to ${SCHEMA_VERSION}: upgrade datalek`);
      }
      if (!options.readOnly) {
        const preLedger = version > 0 && version < 3;
        if (preLedger && !options.adopt) {
          this.db.close();
          throw new StoreError(preLedgerMessage(dir, version));
        }
        this.db.exec(SCHEMA);
        this.adopted = preLedger && options.adopt ? this.adoptIntoLedger(options.adopt.by) : 0;
        if (version > 0 && version < 4) this.repairDetectedAt();
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }
      this.drill = this.readDrillMark();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot open the store in ${dir}: ${(err as Error).message}`, { cause: err });
    }
    this.stmts = this.prepareStatements();
    // The write transactions, made once: making a transaction function costs more than a small commit's SQL.
    this.commitTx = this.db.transaction((change: IncidentChange): string[] => {
      // Sendings delivered since the last write transaction ride in this one (deferSentMarks).
      this.writeSentMarks();
      const claimed: string[] = [];
      // Incidents merged into this one first: closing them frees what they held for its claims.
      for (const other of change.others ?? []) this.write({ ...other, finding: undefined, claims: undefined }, change.claim, claimed);
      this.write(change, change.claim, claimed);
      return claimed;
    });
    this.markTx = this.db.transaction(() => this.writeSentMarks());
  }

  private readonly commitTx;
  private readonly markTx;

  private ledgerStatements?: {
    ledgerHead: Database.Statement<[string], { seq: number; hash: string; data: string }>;
    insertLedger: Database.Statement;
    registryHead: Database.Statement;
    insertRegistry: Database.Statement;
    findingRow: Database.Statement<[string, string, string], { incident_id: string; data: string }>;
    lastFindingHash: Database.Statement<[string, string], { hash: string | null }>;
  };

  /** The ledger's statements, prepared when first written (a read-only store may predate the ledger). */
  private get ledgerStmts() {
    this.ledgerStatements ??= {
      // Newest first, read until the entry that wrote the record (a sending writes none): read only when this process does not know the head.
      ledgerHead: this.db.prepare('SELECT seq, hash, data FROM ledger WHERE incident_id = ? ORDER BY seq DESC'),
      // The statements written per event bind by position: binding by name costs a lookup per value.
      insertLedger: this.db.prepare('INSERT INTO ledger (incident_id, seq, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?)'),
      registryHead: this.db.prepare('SELECT n AS seq, hash FROM registry WHERE shard = ? ORDER BY n DESC LIMIT 1'),
      insertRegistry: this.db.prepare('INSERT INTO registry (shard, n, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?)'),
      // The finding record a commit writes over, and the hash the ledger that wrote it recorded last (index ledger_findings).
      findingRow: this.db.prepare('SELECT incident_id, data FROM findings WHERE account_id = ? AND region = ? AND finding_id = ?'),
      lastFindingHash: this.db.prepare(
        "SELECT json_extract(data, '$.finding.hash') AS hash FROM ledger WHERE incident_id = ? AND json_extract(data, '$.finding.key') = ? ORDER BY seq DESC LIMIT 1",
      ),
    };
    return this.ledgerStatements;
  }

  private prepareStatements() {
    const db = this.db;
    try {
      return {
        getFinding: db.prepare('SELECT data, incident_id, updated_at, count FROM findings WHERE account_id = ? AND region = ? AND finding_id = ?'),
        getIncident: db.prepare('SELECT id, data FROM incidents WHERE id = ?'),
        // The open incident of a resource: the one whose own it is, else the one that claims it; one statement (a miss was two).
        openByResource: db.prepare(
          "SELECT id, data FROM incidents WHERE resource_key = ? AND state <> 'closed' UNION ALL SELECT i.id, i.data FROM incident_keys k JOIN incidents i ON i.id = k.incident_id WHERE k.resource_key = ? AND i.state <> 'closed' LIMIT 1",
        ),
        ownerOfKey: db.prepare(
          "SELECT id FROM incidents WHERE resource_key = @key AND state <> 'closed' AND id <> @id UNION SELECT incident_id FROM incident_keys WHERE resource_key = @key AND incident_id <> @id",
        ),
        claimHolder: db.prepare('SELECT incident_id FROM incident_keys WHERE resource_key = ?'),
        insertClaim: db.prepare('INSERT INTO incident_keys (resource_key, incident_id) VALUES (?, ?)'),
        releaseClaims: db.prepare('DELETE FROM incident_keys WHERE incident_id = ?'),
        // NOT INDEXED: the table, not incidents_next_due, says what is due. An incident taken out of that
        // partial index changes no row (verify names it, `integrity`) and would be out of the sweep for good;
        // a scan of the incidents table's columns costs little beside what the sweep does with each due one.
        due: db.prepare('SELECT id, data FROM incidents NOT INDEXED WHERE next_due_at IS NOT NULL AND next_due_at <= ? ORDER BY next_due_at'),
        timeline: db.prepare('SELECT * FROM timeline WHERE incident_id = ? ORDER BY rowid'),
        insertIncident: db.prepare('INSERT INTO incidents (id, revision, state, resource_key, detected_at, next_due_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),
        // detected_at too (`updateIncident`): a finding detected earlier moves the incident's detection (and the AP clock) back.
        // data: the bytes the update replaces, held to the ledger's hash of them (`updateIncident`).
        incidentColumns: db.prepare('SELECT revision, state, resource_key, detected_at, next_due_at, data FROM incidents WHERE id = ?'),
        insertFinding: db.prepare('INSERT INTO findings (account_id, region, finding_id, incident_id, updated_at, count, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),
        updateFinding: db.prepare(
          // incident_id too: a record moves to the incident that takes the finding on (a merge's survivor, a follow-up).
          'UPDATE findings SET incident_id = ?, updated_at = ?, count = ?, data = ? WHERE account_id = ? AND region = ? AND finding_id = ? AND updated_at = ? AND count = ?',
        ),
        insertEntry: db.prepare('INSERT INTO timeline (incident_id, seq, at, kind, actor, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
        insertMessage: db.prepare('INSERT OR IGNORE INTO outbox (id, incident_id, created_at, claimed_until, data) VALUES (?, ?, ?, ?, ?)'),
        pending: db.prepare('SELECT data, sent_at FROM outbox WHERE sent_at IS NULL ORDER BY created_at, rowid'),
        messagesOf: db.prepare('SELECT id, data, sent_at FROM outbox WHERE incident_id = ? ORDER BY created_at, rowid'),
        claim: db.prepare('UPDATE outbox SET claimed_until = ? WHERE id = ? AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?)'),
        markSent: db.prepare('UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL RETURNING incident_id'),
      };
    } catch (err) {
      throw new StoreError(`store ${this.dir} is not a complete datalek store (${(err as Error).message}); is it being created right now?`, { cause: err });
    }
  }

  async getFinding(key: FindingKey): Promise<FindingRecord | undefined> {
    const row = this.run(() => this.stmts.getFinding.get(key.accountId, key.region, key.findingId)) as { data: string } | undefined;
    return row ? parseStoredFinding(row.data, key) : undefined;
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    return this.incidentRow(this.run(() => this.stmts.getIncident.get(id)));
  }

  async findOpenIncident(resourceKey: string): Promise<Incident | undefined> {
    return this.incidentRow(this.run(() => this.stmts.openByResource.get(resourceKey, resourceKey)));
  }

  async readForFinding(key: FindingKey, resourceKeys: string[], incidentId: string): Promise<FindingReads> {
    // Local reads cost no round trip: the single reads, in one place. The incident asked for is
    // usually the holder of the finding's own resource, read a moment before: not read twice.
    const holders = await Promise.all(resourceKeys.map((k) => this.findOpenIncident(k)));
    return {
      finding: await this.getFinding(key),
      holders,
      incident: holders.find((h) => h?.id === incidentId) ?? (await this.getIncident(incidentId)),
    };
  }

  async listIncidents(filter: IncidentFilter = {}): Promise<Incident[]> {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.openOnly) where.push("state <> 'closed'");
    const detected = this.detectedAtColumn();
    if (filter.from) {
      where.push(`${detected} >= ?`);
      args.push(filter.from);
    }
    if (filter.to) {
      where.push(`${detected} < ?`);
      args.push(filter.to);
    }
    const sql = `SELECT id, data FROM incidents${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${detected}, id`;
    const rows = this.run(() => this.db.prepare(sql).all(...args)) as { id: string; data: string }[];
    return parseStoredIncidents(rows, filter.onUnreadable);
  }

  /**
   * Where an incident's detection is read: `detected_at`, except in a store of schema 3 or older
   * opened read-only (not yet repaired, see `repairDetectedAt`), whose column may still hold the
   * first detection: there the record's own.
   */
  private detectedAtColumn(): string {
    return this.schema >= 4
      ? 'detected_at'
      : "(CASE WHEN json_valid(data) THEN coalesce(json_extract(data, '$.detectedAt'), detected_at) ELSE detected_at END)";
  }

  async listDue(now: string, onUnreadable?: UnreadableHandler): Promise<Incident[]> {
    const rows = this.run(() => this.stmts.due.all(now)) as { id: string; data: string }[];
    return parseStoredIncidents(rows, onUnreadable);
  }

  async getTimeline(incidentId: string): Promise<TimelineEntry[]> {
    const rows = this.run(() => this.stmts.timeline.all(incidentId)) as Record<string, unknown>[];
    return rows.map((r) => ({
      incidentId: r.incident_id as string,
      seq: r.seq as number,
      at: r.at as string,
      kind: r.kind as string,
      actor: r.actor as string,
      ...storedEntryDetail(r.detail),
      prevHash: r.prev_hash as string,
      hash: r.hash as string,
    }));
  }

  async commit(change: IncidentChange): Promise<CommitReceipt> {
    const { incident } = change;
    // Nothing on this machine tells who a person is (no STS): the embedded store keeps no caller, and
    // an entry that names one is refused rather than stored without it.
    refuseCaller(change);
    try {
      this.endSnapshot();
      const write = () => this.inTransaction(() => this.commitTx.immediate(change));
      const claimed = change.minimised || change.erasing ? this.leavingNothingBehind(write) : write();
      return { claimed };
    } catch (err) {
      if (err instanceof ConflictError) throw err;
      const refusal = refusedAsItIs(err);
      if (refusal)
        throw new StoreRefusedError(`commit of incident ${incident.id} refused by the embedded store as it is: ${refusal}`, {
          cause: err,
          incidentId: incident.id,
          reason: refusal,
        });
      if ((err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
        throw new ConflictError(`another writer got there first (${(err as Error).message})`, { cause: err });
      }
      throw new StoreError(`commit of incident ${incident.id} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * One incident's part of a commit, with its ledger entry; runs inside the commit's transaction.
   * Messages named in `claim` that it queues are queued claimed, and added to `claimed`.
   */
  private write(change: IncidentChange, claim: IncidentChange['claim'], claimed: string[]): void {
    const { incident, expectedRevision, finding, timeline, messages } = change;
    const incidentText = storedText.incident(incident);
    const open = incident.state !== 'closed';
    /** The hash of the record bytes this commit replaces (none for a new incident). */
    let replaced: string | undefined;
    if (expectedRevision === null) {
      const owner = open ? (this.stmts.ownerOfKey.get({ key: incident.resourceKey, id: incident.id }) as { id: string } | undefined) : undefined;
      if (owner) throw new ConflictError(`resource ${incident.resourceKey} is held by incident ${owner.id}`);
      this.stmts.insertIncident.run(
        incident.id,
        incident.revision,
        incident.state,
        incident.resourceKey,
        incident.detectedAt,
        incident.nextDueAt,
        incidentText,
      );
      const shard = registryShardOf(incident.id);
      const at = new Date().toISOString();
      this.registryHeads.append(
        shard,
        () => (this.ledgerStmts.registryHead.get(shard) as ChainHead | undefined) ?? null,
        (head) => {
          const entry = registryEntry(shard, head, incident.id, at);
          return { row: entry, head: { seq: entry.n, hash: entry.hash } };
        },
        (e) => this.ledgerStmts.insertRegistry.run(e.shard, e.n, e.data, e.prevHash, e.hash),
      );
    } else {
      const hash = this.updateIncident(incident, expectedRevision, incidentText);
      if (hash === null) throw new ConflictError(`incident ${incident.id} changed since revision ${expectedRevision}`);
      replaced = hash;
    }
    if (!open) this.stmts.releaseClaims.run(incident.id);
    for (const key of open ? (change.claims ?? []) : []) {
      const owner = this.stmts.ownerOfKey.get({ key, id: incident.id }) as { id: string } | undefined;
      if (owner) throw new ConflictError(`resource ${key} is held by incident ${owner.id}`);
      // Claimed for this incident already, though its record did not list the resource: a claim the
      // pipeline did not write (datalek verify names it), which routed this finding here.
      if (this.stmts.claimHolder.get(key)) {
        throw new ConflictError(`resource ${key} is claimed by incident ${incident.id}, whose record does not list it: a claim datalek did not write`);
      }
      this.stmts.insertClaim.run(key, incident.id);
    }
    const findingText = finding ? storedText.finding(finding.record) : '';
    if (finding) {
      const { record, expected } = finding;
      const { accountId, region, findingId } = record.key;
      if (expected === null) {
        this.stmts.insertFinding.run(accountId, region, findingId, record.incidentId, record.version.updatedAt, record.version.count, findingText);
      } else if (
        !this.findingAsLedgered(incident.id, record.key) ||
        this.stmts.updateFinding.run(
          record.incidentId,
          record.version.updatedAt,
          record.version.count,
          findingText,
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
    for (const e of timeline) this.stmts.insertEntry.run(e.incidentId, e.seq, e.at, e.kind, e.actor, JSON.stringify(e.detail), e.prevHash, e.hash);
    const queued: { id: string; text: string }[] = [];
    for (const m of messages) {
      const text = storedText.message(m);
      const claimedUntil = claim?.ids.includes(m.id) ? claim.until : null;
      // A message id already queued is not queued again, and not recorded again (nor claimed here).
      if (this.stmts.insertMessage.run(m.id, m.incidentId, m.createdAt, claimedUntil, text).changes === 1) {
        queued.push({ id: m.id, text });
        if (claimedUntil) claimed.push(m.id);
      }
    }
    const last = timeline.at(-1);
    this.appendLedger(
      incident.id,
      commitBody(
        {
          incident,
          incidentText,
          ...(finding ? { finding: { key: finding.record.key, text: findingText } } : {}),
          ...(last ? { timelineHead: { seq: last.seq, hash: last.hash } } : {}),
          ...(change.minimised ? { minimised: change.minimised } : {}),
          messages: queued,
        },
        new Date().toISOString(),
      ),
      replaced,
      // A new incident's record was not there: its ledger starts, unless rows were put there behind the pipeline.
      expectedRevision === null,
    );
  }

  /**
   * Writes an incident's record over the one at `expectedRevision`, and returns the SHA-256 of the
   * bytes it replaced (read with the revision, in the commit's transaction: no read more), which the
   * ledger entry appended next holds to the ledger's own (`appendLedger`); null when that revision
   * is no longer the stored one. Only the indexed columns whose values change are set: SQLite rewrites an
   * index's page for every column a SET names, changed or not, and the three indexes on incidents
   * (open resource, next due, detection) were then three pages more per update, most often for
   * values that stayed as they were (a finding attached, a count updated).
   */
  private updateIncident(incident: Incident, expectedRevision: number, text: string): string | null {
    const stored = this.stmts.incidentColumns.get(incident.id) as IncidentColumns | undefined;
    if (!stored || stored.revision !== expectedRevision) return null;
    const values = [incident.state, incident.resourceKey, incident.detectedAt, incident.nextDueAt];
    const changed = INDEXED_COLUMNS.map((column, i) => stored[column] !== values[i]);
    const key = changed.reduce((bits, c, i) => (c ? bits | (1 << i) : bits), 0);
    let update = this.incidentUpdates.get(key);
    if (!update) {
      const set = INDEXED_COLUMNS.filter((_, i) => changed[i]).map((column) => `, ${column} = ?`);
      update = this.db.prepare(`UPDATE incidents SET revision = ?, data = ?${set.join('')} WHERE id = ? AND revision = ?`);
      this.incidentUpdates.set(key, update);
    }
    return update.run(incident.revision, text, ...values.filter((_, i) => changed[i]), incident.id, expectedRevision).changes === 1
      ? sha256(stored.data)
      : null;
  }

  /**
   * Holds the finding record a commit writes over to the hash the ledger last recorded for it (B2,
   * as `appendLedger` holds the incident's record): a record edited behind the pipeline is refused,
   * `findingNotLedgered`, not hashed away with its next version. The record's own incident column
   * names the ledger that wrote it (another than the committing incident's after a merge or a
   * follow-up). False when there is no record: the update then fails as a race.
   */
  private findingAsLedgered(incidentId: string, key: FindingKey): boolean {
    const row = this.ledgerStmts.findingRow.get(key.accountId, key.region, key.findingId);
    if (!row) return false;
    const keyText = findingKeyString(key);
    if (this.lastFindingHash(row.incident_id, keyText) !== sha256(row.data)) throw findingNotLedgered(incidentId, keyText, row.incident_id);
    return true;
  }

  /**
   * The hash of a finding record as an incident's ledger wrote it last: the newest entry that wrote
   * it alone (index ledger_findings), else, only when there is none, the ledger read through for an
   * adoption's list (the first entry).
   */
  private lastFindingHash(incidentId: string, findingKey: string): string | null {
    const hash = this.ledgerStmts.lastFindingHash.get(incidentId, findingKey)?.hash;
    if (typeof hash === 'string') return hash;
    for (const row of this.ledgerStmts.ledgerHead.iterate(incidentId)) {
      const written = findingsWrittenBy(String(row.data)).get(findingKey);
      if (written !== undefined) return written;
    }
    return null;
  }

  /** The incidents' UPDATE statements, by which indexed columns they set (`updateIncident`). */
  private readonly incidentUpdates = new Map<number, Database.Statement>();

  /**
   * Appends an incident's ledger entry. `replaced`: the hash of the record bytes the commit
   * replaces, which must be the ones the ledger recorded last (review12 K1: a record edited behind
   * the pipeline, no hash recomputed, was vouched for by the next commit, which read it as it found
   * it); otherwise the commit is refused, `recordNotLedgered`. A head this process remembers that
   * does not say so may be behind another process's commit: the head is then read from the store.
   * `fresh`: the incident is new, so its entry is tried first as the ledger's first, without reading
   * the head (a ledger already there, planted or left by a removed record, takes that position: the
   * head is then read and the entry chained on it, as before).
   */
  private appendLedger(incidentId: string, body: Parameters<typeof ledgerEntry>[2], replaced?: string, fresh = false): LedgerEntry {
    const fits = (head: LedgerHead | null) => replaced === undefined || head?.record === replaced;
    return this.ledgerHeads.append(
      incidentId,
      () => this.readLedgerHead(incidentId),
      (head) => {
        if (!fits(head)) throw recordNotLedgered(incidentId);
        const entry = ledgerEntry(incidentId, head, body);
        return { row: entry, head: { seq: entry.seq, hash: entry.hash, record: body.incident?.hash ?? head?.record ?? null } };
      },
      (e) => this.ledgerStmts.insertLedger.run(e.incidentId, e.seq, e.data, e.prevHash, e.hash),
      fits,
      fresh,
    );
  }

  /** An incident's ledger head as stored, with the hash of the record its ledger recorded last. */
  private readLedgerHead(incidentId: string): LedgerHead | null {
    let head: ChainHead | null = null;
    for (const row of this.ledgerStmts.ledgerHead.iterate(incidentId)) {
      head ??= { seq: row.seq, hash: row.hash };
      const record = recordHashIn(row.data);
      if (record !== null) return { ...head, record };
    }
    return head && { ...head, record: null };
  }

  /** The heads of the chains this process appended to last: ledgers by incident, registry shards. */
  private readonly ledgerHeads = new ChainHeads<string, LedgerHead>(10_000);
  private readonly registryHeads = new ChainHeads<number, ChainHead>(REGISTRY_SHARDS);

  /**
   * Runs a write transaction (every one writes the sendings waiting, `writeSentMarks`); the chain
   * heads it wrote are kept, and the sendings it wrote no longer wait, only once it committed.
   * Inside a transaction someone else began on this connection it commits nothing yet (it is a
   * savepoint that may still be rolled back): what is known of the heads is forgotten instead, and
   * the sendings wait on, to be written again (a sending already written is not recorded twice).
   * Inside this store's own group (`beginGroup`) the heads and sendings it wrote are held for the
   * group's commit; one that failed was rolled back to its savepoint, and with it whatever heads
   * it wrote: all are forgotten, and read again from the store where needed.
   */
  private inTransaction<T>(tx: () => T): T {
    this.requireGroupOpen();
    const { group } = this;
    const nested = this.db.inTransaction;
    try {
      const result = tx();
      if (group) {
        for (const mark of this.sends.marks) group.marks.push(mark);
      } else {
        for (const heads of [this.ledgerHeads, this.registryHeads]) {
          if (nested) heads.forget();
          else heads.committed();
        }
      }
      if (!nested || group) this.sentMarksWritten();
      return result;
    } catch (err) {
      for (const heads of [this.ledgerHeads, this.registryHeads]) {
        if (group) heads.forget();
        else heads.rolledBack();
      }
      throw err;
    }
  }

  /** The group of commits under way (`beginGroup`): the sendings written in it, to wait again should it fail. */
  private group: { marks: { id: string; at: string }[] } | null = null;

  /**
   * From here until `endGroup`, each commit (and each write of sendings) is a savepoint in one
   * transaction, which holds the store's write lock: a commit writes its pages to SQLite's log
   * once per group instead of once per event. Nothing of the group is durable, or seen by another
   * process, before `endGroup` returns: the caller reports nothing of it before then.
   */
  beginGroup(): void {
    if (this.group) throw new StoreError(`store ${this.dir}: a group of commits is already open`);
    this.run(() => {
      this.endSnapshot();
      this.db.exec('BEGIN IMMEDIATE');
    });
    this.group = { marks: [] };
  }

  /** Commits the group; when it cannot, none of it was stored (`StoreError`), and its sendings wait again. */
  endGroup(): void {
    const { group } = this;
    if (!group) return;
    try {
      this.requireGroupOpen();
      this.db.exec('COMMIT');
    } catch (err) {
      this.abandonGroup();
      throw err instanceof StoreError ? err : new StoreError(`store ${this.dir}: a group of commits failed: ${(err as Error).message}`, { cause: err });
    }
    this.group = null;
    this.ledgerHeads.committed();
    this.registryHeads.committed();
  }

  /** Rolls the group back: nothing of it is stored, its sendings wait to be written again. */
  private abandonGroup(): void {
    const { group } = this;
    if (!group) return;
    this.group = null;
    this.ledgerHeads.rolledBack();
    this.registryHeads.rolledBack();
    this.sends.marks.unshift(...group.marks);
    if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  /**
   * SQLite ends a transaction by itself on some failures (a full disk, a damaged page): a group's
   * earlier commits were then rolled back, and a commit made now would be one of its own while the
   * caller still takes the group as whole. Said at once instead.
   */
  private requireGroupOpen(): void {
    if (this.group && !this.db.inTransaction) {
      throw new StoreError(`store ${this.dir}: SQLite rolled back a group of commits after a failure: none of its commits was stored`);
    }
  }

  /** The log's pages when a checkpoint between groups was last begun (0: none since the log started over). */
  private walMark = 0;
  private groupsSinceWalRead = 0;
  private get checkpointPages(): number {
    return this.options.checkpointPages ?? 10_000;
  }
  /** In bulk, the thread that checkpoints the log (made when first needed; null once it failed). */
  private checkpointer?: Checkpointer | null;

  /**
   * In bulk, after a group of commits is committed and its events reported: once `checkpointPages`
   * pages have been written to the log since the last time (its index is read every
   * `WAL_READ_GROUPS` groups), they are copied into the store on a
   * thread of its own (`Checkpointer`) while this one records on. SQLite's own checkpoint ran
   * inside a commit: the events of that group waited for all of it, and this thread did the
   * copying. The log starts over only once a checkpoint has copied all of it, so when the one on
   * the thread ends, what was committed meanwhile is copied here (at most a twentieth of
   * `checkpointPages`; more goes to the thread again), between two groups, where no event waits
   * on it. PASSIVE: never waiting for another process; when one still reads an older snapshot the
   * log cannot start over, and the next checkpoint comes after as many pages again rather than
   * after every group. A checkpoint that fails loses nothing (the commits are in the log): the
   * next one, SQLite's own at four times the size, or closing the store does it.
   */
  checkpointBetweenGroups(): void {
    if (!this.options.bulk || this.group || this.db.inTransaction) return;
    const cp = this.checkpointer;
    if (cp?.running) return;
    const ended = cp?.takeResult();
    // The log's index is read every few groups only: system calls, slow on a busy machine.
    if (!ended && ++this.groupsSinceWalRead < WAL_READ_GROUPS) return;
    this.groupsSinceWalRead = 0;
    const pages = this.walPages();
    // Fewer since: the log started over after the last checkpoint.
    if (pages < this.walMark) this.walMark = 0;
    if (ended) {
      if (pages - ended.log <= Math.ceil(this.checkpointPages / 20) || !cp?.start()) this.checkpointHere();
      return;
    }
    if (pages - this.walMark < this.checkpointPages) return;
    this.walMark = pages;
    if (this.checkpointer === undefined) this.checkpointer = Checkpointer.open(join(this.dir, STORE_FILE));
    if (!this.checkpointer?.start()) this.checkpointHere();
  }

  /**
   * The log's index (`-shm`), opened for reading when first read and kept open until the store's
   * connections are closed (`close`): closing any descriptor of a file drops every POSIX lock the
   * process holds on it, SQLite's too (sqlite.org/howtocorrupt.html, 2.2). Opened and closed at
   * each read, it dropped this process's hold on the index: another replay opening the store
   * then took it for unused and cut it back, and this one died of SIGBUS on its next read of it
   * (three replays at once, in CI), or both went on with an index each believed its own.
   */
  private walIndexFd: number | undefined;

  /** The pages in the log since it last started over (its frames in use, whatever the file's size). */
  private walPages(): number {
    if (this.walIndexFd === undefined) {
      try {
        this.walIndexFd = openSync(`${join(this.dir, STORE_FILE)}-shm`, 'r');
      } catch {
        return 0;
      }
    }
    return walFramesIn(this.walIndexFd);
  }

  /**
   * A minimisation's commit (core/minimise.ts), so that the personal data it removes is not left
   * readable in the store's files: SQLite keeps what a write frees (the old row's cell in its page,
   * its overflow pages on the free list) as it was, and the old pages stay in the file while the
   * new ones wait in the log for a checkpoint. Its transaction zeroes what it frees
   * (`secure_delete`), and a checkpoint that empties the log follows at once. A reader holding an
   * older snapshot then (`serve`'s, for a moment) keeps the old pages to the next checkpoint, at
   * the latest when the last connection closes. Bytes of the record that an earlier write freed
   * (a version the finding had before) are zeroed only where this one frees them again: `VACUUM`
   * rewrites the whole file (README, Retention of the raw findings).
   */
  private leavingNothingBehind<T>(write: () => T): T {
    this.db.pragma('secure_delete = ON');
    let result: T;
    try {
      result = write();
    } finally {
      this.db.pragma('secure_delete = OFF');
    }
    // Inside someone else's transaction nothing is committed yet: a later checkpoint copies it, at the latest the close's.
    // Once another process kept the log from being emptied, the next minimisations of this run do
    // not wait for it again: `emptyLog` tries once more at the end, and says so.
    if (!this.db.inTransaction && !this.logKept) this.logKept = !this.emptiedLog();
    return result;
  }

  /** Set once a checkpoint could not empty the log (`leavingNothingBehind`, `emptyLog`). */
  private logKept = false;

  /**
   * A checkpoint that copies the whole log into the store and empties its file (TRUNCATE), waiting
   * at most LOG_EMPTYING_WAIT_MS for other connections: a reader of an older snapshot (`serve`
   * mid-read, for a moment) or a writer (a replay, between its groups of commits). SQLite's own
   * wait (BUSY_TIMEOUT_MS) would hold the command 15 seconds for every minimised incident behind a
   * replay that never lets go. True when the log is empty.
   */
  private emptiedLog(): boolean {
    this.db.pragma(`busy_timeout = ${LOG_EMPTYING_WAIT_MS}`);
    try {
      const [r] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number }[];
      return r.busy === 0 && r.log <= 0;
    } catch {
      return false;
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  /**
   * Empties the log of what minimisations freed (IncidentStore.emptyLog): null once it is empty;
   * the log's path when another process keeps it from being emptied (then the old pages, with the
   * values removed, stay in that file until a checkpoint empties it).
   */
  async emptyLog(): Promise<string | null> {
    if (this.options.readOnly || this.db.inTransaction) return null;
    this.logKept = !this.emptiedLog();
    return this.logKept ? `${join(this.dir, STORE_FILE)}-wal` : null;
  }

  private checkpointHere(): void {
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Nothing lost: see checkpointBetweenGroups.
    }
  }

  async pendingMessages(): Promise<OutboxMessage[]> {
    this.flushSentMarks();
    return messageRows(this.run(() => this.stmts.pending.all()) as { data: string; sent_at: string | null }[]);
  }

  async listMessages(incidentId: string, onDamaged?: DamagedMessageHandler): Promise<OutboxMessage[]> {
    this.flushSentMarks();
    return messageRows(this.run(() => this.stmts.messagesOf.all(incidentId)) as { id: string; data: string; sent_at: string | null }[], onDamaged);
  }

  async claimMessage(id: string, now: string, leaseUntil: string): Promise<boolean> {
    return (await this.claimMessages([id], now, leaseUntil)).length === 1;
  }

  async claimMessages(ids: string[], now: string, leaseUntil: string): Promise<string[]> {
    const tx = this.db.transaction(() => {
      this.writeSentMarks();
      return ids.filter((id) => this.stmts.claim.run(leaseUntil, id, now).changes === 1);
    });
    const claimed = this.run(() => {
      this.endSnapshot();
      return this.inTransaction(() => tx.immediate());
    });
    return claimed;
  }

  private releaseStatement?: Database.Statement;

  /** Clears each claim still at `leaseUntil` on a pending message, in one transaction. */
  async releaseMessageClaims(ids: string[], leaseUntil: string): Promise<string[]> {
    // Prepared when first used: most runs deliver everything and never give a claim back.
    this.releaseStatement ??= this.run(() => this.db.prepare('UPDATE outbox SET claimed_until = NULL WHERE id = ? AND sent_at IS NULL AND claimed_until = ?'));
    const release = this.releaseStatement;
    const tx = this.db.transaction(() => ids.filter((id) => release.run(id, leaseUntil).changes === 1));
    return this.run(() => {
      this.endSnapshot();
      return tx.immediate();
    });
  }

  async markSent(id: string, at: string): Promise<void> {
    await this.markAllSent([id], at);
  }

  /**
   * Sendings delivered but not yet written (`deferSentMarks`), oldest first. Each message stays
   * claimed by this process meanwhile, so no other sender sends it; should the process die before
   * they are written, those claims run out and the messages are sent again, as when a sender dies
   * between delivering and recording today: the record never says sent for what was not.
   * `delayMs`: how long a sending may wait for the next write transaction (null: written at once).
   * One object, changed in place, whatever `this` a method is called on.
   */
  private readonly sends: { marks: { id: string; at: string }[]; delayMs: number | null; timer: ReturnType<typeof setTimeout> | null } = {
    marks: [],
    delayMs: null,
    timer: null,
  };

  /**
   * From now on, `markAllSent` records sendings in this store's next write transaction (the next
   * event's commit, for `datalek replay`) instead of one of their own, and at the latest after
   * `withinMs` or when the store is read or closed: a transaction less per event. A sending is
   * recorded with the time it was delivered, whenever it is written.
   */
  deferSentMarks(withinMs: number): void {
    this.sends.delayMs = withinMs;
  }

  /** Marks messages sent, and records each in its incident's ledger, in one transaction. */
  async markAllSent(ids: string[], at: string): Promise<void> {
    const { sends } = this;
    for (const id of ids) sends.marks.push({ id, at });
    if (sends.delayMs === null) {
      this.flushSentMarks();
      return;
    }
    sends.timer ??= setTimeout(() => {
      sends.timer = null;
      try {
        this.flushSentMarks();
      } catch {
        // Not lost: the sendings wait on, and the next write, read or close writes them or reports why.
      }
    }, sends.delayMs);
  }

  /** Writes the sendings waiting, in a transaction of their own. */
  private flushSentMarks(): void {
    if (this.sends.marks.length) {
      this.run(() => {
        this.endSnapshot();
        this.inTransaction(() => this.markTx.immediate());
      });
    } else {
      this.sentMarksWritten();
    }
  }

  /** No sending waits any more: nor does the timer that would write them. */
  private sentMarksWritten(): void {
    const { sends } = this;
    sends.marks.length = 0;
    if (sends.timer) clearTimeout(sends.timer);
    sends.timer = null;
  }

  /**
   * The waiting sendings' part of a write transaction: each marked, and recorded once in its
   * incident's ledger, those of one incident in one entry (an incident opened tells the FG and
   * on-call at once: one entry, not two, to hash and to write in the ledger's index).
   */
  private writeSentMarks(): void {
    const byIncident = new Map<string, { id: string; at: string }[]>();
    for (const { id, at } of this.sends.marks) {
      // Marked by another sender meanwhile: recorded by it.
      const owner = this.stmts.markSent.get(at, id) as { incident_id: string } | undefined;
      if (!owner) continue;
      const marks = byIncident.get(owner.incident_id);
      if (marks) marks.push({ id, at });
      else byIncident.set(owner.incident_id, [{ id, at }]);
    }
    for (const [incidentId, [first, ...more]] of byIncident) {
      const at = new Date().toISOString();
      this.appendLedger(incidentId, more.length ? { at, sentMessages: [first, ...more] } : { at, sent: first });
    }
  }

  async close(): Promise<void> {
    // A group not ended is not committed: whoever opened it has reported none of it.
    this.abandonGroup();
    if (this.db.open && !this.options.readOnly) this.flushSentMarks();
    if (this.db.open) {
      try {
        this.endSnapshot();
      } catch {
        // Closing ends it as well: SQLite rolls back what is open (a read, a damaged file's).
      }
    }
    if (this.sends.timer) clearTimeout(this.sends.timer);
    // Its connection closed first: the last one to close checkpoints the whole log and removes it.
    await this.checkpointer?.close();
    // In bulk a commit is synced only by a checkpoint, and closing checkpoints only when no other
    // connection (a `serve`) has the store open: this one copies (and so syncs) what it can now.
    if (this.options.bulk && this.db.open) this.checkpointHere();
    this.db.close();
    // Only now that no connection of this store is left: closing it drops the process's locks on the index.
    if (this.walIndexFd !== undefined) closeSync(this.walIndexFd);
    this.walIndexFd = undefined;
    if (this.snapshotDir) rmSync(this.snapshotDir, { recursive: true, force: true });
  }

  describe(): string {
    return `sqlite:${resolve(this.dir, STORE_FILE)}`;
  }

  /**
   * SQLite's integrity_check (damaged pages, broken lists, and every index against its table), then
   * each partial index the pipeline reads by against a scan of its table, naming what it leaves out.
   * Not quick_check: it does not compare an index's contents with the table, and an incident taken
   * out of a partial index (made anew with `AND id <> X`, its SQL put back through writable_schema)
   * changes no row, hash or ledger entry, so nothing else here sees it (atk28 F11/F12). One read
   * transaction: a commit between the two reads of a partial index is no missing row. (integrity_check
   * takes about a tenth longer than quick_check did; a store of 20,000 incidents, 7.5 s.)
   */
  async integrity(): Promise<string[]> {
    try {
      this.pinSnapshot();
      return this.db.transaction(() => {
        // An index of the pipeline's made anew with another definition, which integrity_check holds to its own (index-repair.ts).
        const redefined = indexesRedefined(this.db, SCHEMA).map(
          (ix) =>
            `index ${ix.name} is not the one the pipeline makes (it reads: ${ix.sql}): ${readsOf(ix.name)}; datalek repair-indexes --by NAME makes it anew`,
        );
        const rows = this.db.pragma('integrity_check') as { integrity_check: string }[];
        const lines = rows.map((r) => r.integrity_check);
        if (lines.length === 1 && lines[0] === 'ok') return redefined;
        // Only an index integrity_check names is scanned (a scan of its table each): nothing to name otherwise.
        const named = PARTIAL_INDEXES.filter((ix) => lines.some((l) => l.includes(`index ${ix.name}`)));
        // An index no partial one's line below names is rebuilt by the same command (index-repair.ts).
        const fix = (l: string) => (/\bindex \S/.test(l) && !named.some((ix) => l.includes(`index ${ix.name}`)) ? `; ${REPAIR_INDEXES}` : '');
        return [...redefined, ...lines.map((l) => `SQLite integrity_check: ${l}${fix(l)}`), ...named.flatMap((ix) => this.leftOutOf(ix))];
      })();
    } catch (err) {
      return [(err as Error).message];
    }
  }

  /** The rows partial index `ix` should hold and does not: a scan of the table against one through the index. */
  private leftOutOf(ix: PartialIndex): string[] {
    let missing: { id: string; incident_id: string }[];
    try {
      missing = this.db
        .prepare(
          `SELECT ${ix.id} AS id, ${ix.incident} AS incident_id FROM ${ix.table} NOT INDEXED WHERE ${ix.where}
           EXCEPT SELECT ${ix.id}, ${ix.incident} FROM ${ix.table} INDEXED BY ${ix.name} WHERE ${ix.where} ORDER BY 2, 1`,
        )
        .all() as { id: string; incident_id: string }[];
    } catch (err) {
      // Dropped, or made anew with another condition: the store's schema is not the pipeline's.
      return [`index ${ix.name} cannot be read as the pipeline made it (${(err as Error).message}): ${ix.reads}`];
    }
    const byIncident = new Map<string, string[]>();
    for (const m of missing) byIncident.set(String(m.incident_id), [...(byIncident.get(String(m.incident_id)) ?? []), String(m.id)]);
    return [...byIncident].map(
      ([incident, ids]) =>
        `index ${ix.name} does not hold incident ${incident}${ix.rows ? ` (${ix.rows} ${ids.join(', ')})` : ''}, which its table holds: ${ix.reads}. Changed behind the pipeline (no row need differ); ${REPAIR_INDEXES}`,
    );
  }

  async incidentIds(): Promise<string[]> {
    this.flushSentMarks();
    this.requireLedger();
    const rows = this.run(() =>
      this.db
        .prepare(
          'SELECT id FROM incidents UNION SELECT incident_id FROM ledger UNION SELECT incident_id FROM timeline UNION SELECT incident_id FROM outbox UNION SELECT incident_id FROM findings ORDER BY 1',
        )
        .all(),
    ) as { id: string }[];
    return rows.map((r) => String(r.id));
  }

  async lastFindingWrite(incidentId: string, findingKey: string): Promise<string | null> {
    this.requireLedger();
    return this.run(() => this.lastFindingHash(incidentId, findingKey));
  }

  async messageQueuedAt(incidentId: string, messageId: string): Promise<string | null> {
    this.requireLedger();
    return this.run(() => {
      for (const row of this.db.prepare('SELECT data FROM ledger WHERE incident_id = ? ORDER BY seq DESC').iterate(incidentId) as Iterable<{ data: string }>) {
        const at = queuedAtIn(String(row.data), messageId);
        if (at !== null) return at;
      }
      return null;
    });
  }

  /** Everything stored of one incident, as stored: bytes and the columns beside them. */
  async rawIncident(id: string): Promise<RawIncident> {
    this.flushSentMarks();
    this.requireLedger();
    // One read transaction: a commit landing between these reads would look like tampering.
    return this.run(
      this.db.transaction(() => {
        const record = this.db.prepare('SELECT revision, state, resource_key, detected_at, next_due_at, data FROM incidents WHERE id = ?').get(id) as
          | Record<string, unknown>
          | undefined;
        const ledger = (
          this.db.prepare('SELECT seq, data, prev_hash, hash FROM ledger WHERE incident_id = ? ORDER BY seq').all(id) as Record<string, unknown>[]
        ).map((r) => ({ seq: Number(r.seq), data: String(r.data), prevHash: String(r.prev_hash), hash: String(r.hash) }));
        const keys = [...findingWrites(ledger).keys()];
        const findingRows = this.db
          .prepare(
            "SELECT account_id || '/' || region || '/' || finding_id AS key, incident_id, updated_at, count, data FROM findings WHERE incident_id = ? OR (account_id || '/' || region || '/' || finding_id) IN (SELECT value FROM json_each(?))",
          )
          .all(id, JSON.stringify(keys)) as Record<string, unknown>[];
        return {
          id,
          record: record
            ? {
                data: String(record.data),
                columns: {
                  revision: record.revision,
                  state: record.state,
                  resourceKey: record.resource_key,
                  // Before schema 4 the column kept the first detection (see `repairDetectedAt`):
                  // not held to the record until a write repairs it.
                  ...(this.schema >= 4 ? { detectedAt: record.detected_at } : {}),
                  nextDueAt: record.next_due_at,
                },
              }
            : null,
          ledger,
          findings: findingRows.map((r) => ({
            key: String(r.key),
            incidentId: String(r.incident_id),
            data: String(r.data),
            columns: { incidentId: r.incident_id, 'version.updatedAt': r.updated_at, 'version.count': r.count },
          })),
          timeline: (this.db.prepare('SELECT * FROM timeline WHERE incident_id = ? ORDER BY seq').all(id) as Record<string, unknown>[]).map((r) => ({
            seq: Number(r.seq),
            at: r.at,
            kind: r.kind,
            actor: r.actor,
            detail: r.detail,
            prevHash: r.prev_hash,
            hash: r.hash,
          })),
          messages: (
            this.db.prepare('SELECT id, data, sent_at, claimed_until FROM outbox WHERE incident_id = ? ORDER BY id').all(id) as Record<string, unknown>[]
          ).map((r) => ({
            id: String(r.id),
            data: String(r.data),
            sentAt: (r.sent_at as string | null) ?? null,
            claimedUntil: r.claimed_until === null || r.claimed_until === undefined ? null : String(r.claimed_until),
          })),
        };
      }),
    );
  }

  async registry(): Promise<RegistryRows[]> {
    this.requireLedger();
    const shards: RegistryRows[] = Array.from({ length: REGISTRY_SHARDS }, () => []);
    const rows = this.run(() => this.db.prepare('SELECT shard, n, data, prev_hash, hash FROM registry ORDER BY shard, n').all()) as Record<string, unknown>[];
    for (const r of rows) {
      const shard = Number(r.shard);
      const row = { shard, n: Number(r.n), data: String(r.data), prevHash: String(r.prev_hash), hash: String(r.hash) };
      // A row in a shard that does not exist is kept where the audit sees it: in shard 0's chain.
      (shards[shard] ?? shards[0]).push(row);
    }
    return shards;
  }

  /** The further resources open incidents hold (`incident_keys`); an incident's own is its `resource_key` column. */
  async resourceClaims(): Promise<{ rows: ClaimRow[]; ownKeyClaimed: boolean }> {
    const rows = this.run(() => this.db.prepare('SELECT resource_key, incident_id FROM incident_keys ORDER BY resource_key').all()) as Record<
      string,
      unknown
    >[];
    return { rows: rows.map((r) => ({ resourceKey: String(r.resource_key), incidentId: String(r.incident_id) })), ownKeyClaimed: false };
  }

  /**
   * Where an anchor begins: from here on, until this store next writes (the anchor recording what it
   * anchored), it reads one snapshot, so that the registry, the incidents and their ledgers the
   * anchor audits and signs are of one moment. Read one after another, an incident opened between
   * the registry and the list of incidents looked inserted behind the pipeline, and stopped it.
   */
  async anchorCandidates(): Promise<IncidentHead[]> {
    this.flushSentMarks();
    const rows = this.run(() => {
      this.beginSnapshot();
      return this.db
        .prepare(
          `SELECT l.incident_id, l.seq, l.hash FROM ledger l
           JOIN (SELECT incident_id, max(seq) AS top FROM ledger GROUP BY incident_id) h ON h.incident_id = l.incident_id AND h.top = l.seq
           LEFT JOIN anchored a ON a.incident_id = l.incident_id
           WHERE a.incident_id IS NULL OR a.seq <> l.seq OR a.hash <> l.hash
           ORDER BY l.incident_id`,
        )
        .all();
    }) as Record<string, unknown>[];
    return rows.map((r) => ({ incidentId: String(r.incident_id), seq: Number(r.seq), hash: String(r.hash) }));
  }

  /** A store from before the ledger, opened read-only, has none to audit yet. */
  private requireLedger(): void {
    if (this.schema < 3) {
      throw new StoreError(preLedgerMessage(this.dir, this.schema));
    }
  }

  async anchoredHeads(): Promise<IncidentHead[]> {
    const rows = this.run(() => this.db.prepare('SELECT incident_id, seq, hash FROM anchored ORDER BY incident_id').all()) as Record<string, unknown>[];
    return rows.map((r) => ({ incidentId: String(r.incident_id), seq: Number(r.seq), hash: String(r.hash) }));
  }

  async markAnchored(heads: IncidentHead[], options: { replace?: boolean } = {}): Promise<void> {
    this.run(() => {
      this.endSnapshot();
      const upsert = this.db.prepare('INSERT OR REPLACE INTO anchored (incident_id, seq, hash) VALUES (@incidentId, @seq, @hash)');
      this.db.transaction(() => {
        if (options.replace) this.db.prepare('DELETE FROM anchored').run();
        for (const h of heads) upsert.run(h);
      })();
    });
  }

  async anchorState(): Promise<AnchorState | null> {
    const row = this.run(() => this.db.prepare("SELECT value FROM meta WHERE key = 'anchor'").get()) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as AnchorState) : null;
  }

  async storedPseudonymKey(): Promise<unknown> {
    const row = this.run(() => this.db.prepare("SELECT value FROM meta WHERE key = 'pseudonym-key'").get()) as { value: string } | undefined;
    return row ? row.value : null;
  }

  async pseudonymKey(): Promise<Buffer> {
    if (this.pseudonymSecret) return this.pseudonymSecret;
    const row = this.run(() => {
      // Made once: a process that made one first keeps its own (INSERT OR IGNORE), and this one reads that.
      if (!this.options.readOnly) {
        this.endSnapshot();
        this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('pseudonym-key', ?)").run(newPseudonymKey());
      }
      return this.db.prepare("SELECT value FROM meta WHERE key = 'pseudonym-key'").get();
    }) as { value: string } | undefined;
    const secret = storedPseudonymKey(row?.value, `store ${this.dir}`);
    // Made inside a group of commits (replay), it is stored only with the group: kept once it is.
    if (!this.group) this.pseudonymSecret = secret;
    return secret;
  }

  async duePolicyMark(): Promise<DuePolicyMark | null> {
    const row = this.run(() => this.db.prepare("SELECT value FROM meta WHERE key = 'due-policy'").get()) as { value: string } | undefined;
    return row ? parseDuePolicyMark(row.value) : null;
  }

  async markDuePolicy(mark: DuePolicyMark): Promise<void> {
    this.run(() => {
      this.endSnapshot();
      this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('due-policy', ?)").run(JSON.stringify(mark));
    });
  }

  /** `datalek repair-indexes` (index-repair.ts): the indexes integrity_check names, rebuilt and recorded; SQLite's refusal as it is. */
  async repairIndexes(by: string, at: string): Promise<IndexRepair> {
    try {
      this.endSnapshot();
      return repairNamedIndexes(this.db, by, at, SCHEMA);
    } catch (err) {
      if (err instanceof RefusedError) throw err;
      throw new StoreError(`store ${this.dir}: ${(err as Error).message}`, { cause: err });
    }
  }

  async saveAnchorState(state: AnchorState): Promise<void> {
    this.run(() => {
      this.endSnapshot();
      this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('anchor', ?)").run(JSON.stringify(state));
    });
  }

  /**
   * A store written before the ledger existed (schema 1 or 2): each incident gets a first ledger
   * entry recording what is found now (adopted), and a registry entry, in one transaction. The
   * history before it rests on the timeline's own hash chain.
   */
  private adoptIntoLedger(by: string): number {
    let adopted = 0;
    const db = this.db;
    const at = new Date().toISOString();
    const hasLedger = db.prepare('SELECT 1 FROM ledger WHERE incident_id = ? LIMIT 1');
    const insertLedger = db.prepare('INSERT INTO ledger (incident_id, seq, data, prev_hash, hash) VALUES (@incidentId, @seq, @data, @prevHash, @hash)');
    const registryHead = db.prepare('SELECT n AS seq, hash FROM registry WHERE shard = ? ORDER BY n DESC LIMIT 1');
    const insertRegistry = db.prepare('INSERT INTO registry (shard, n, data, prev_hash, hash) VALUES (@shard, @n, @data, @prevHash, @hash)');
    db.transaction(() => {
      const incidents = db.prepare('SELECT id, revision, data FROM incidents ORDER BY detected_at, id').all() as {
        id: string;
        revision: number;
        data: string;
      }[];
      for (const incident of incidents) {
        if (hasLedger.get(incident.id)) continue;
        const findings = db
          .prepare("SELECT account_id || '/' || region || '/' || finding_id AS key, data FROM findings WHERE incident_id = ? ORDER BY 1")
          .all(incident.id) as { key: string; data: string }[];
        const last = db.prepare('SELECT seq, hash FROM timeline WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(incident.id) as ChainHead | undefined;
        const messages = db.prepare('SELECT id, data, sent_at FROM outbox WHERE incident_id = ? ORDER BY id').all(incident.id) as {
          id: string;
          data: string;
          sent_at: string | null;
        }[];
        insertLedger.run(
          ledgerEntry(incident.id, null, {
            at,
            adopted: true,
            by,
            incident: { revision: incident.revision, hash: sha256(incident.data) },
            findings: findings.map((f) => ({ key: f.key, hash: sha256(f.data) })),
            ...(last ? { timeline: { seq: last.seq, hash: last.hash } } : {}),
            messages: messages.map((m) => ({ id: m.id, hash: sha256(m.data) })),
            sentMessages: messages.filter((m) => m.sent_at).map((m) => ({ id: m.id, at: m.sent_at as string })),
          }),
        );
        const shard = registryShardOf(incident.id);
        insertRegistry.run(registryEntry(shard, (registryHead.get(shard) as ChainHead | undefined) ?? null, incident.id, at));
        adopted += 1;
      }
    }).immediate();
    return adopted;
  }

  /**
   * Schema 4: before it, an update never wrote `detected_at`, so an incident whose detection moved
   * earlier (a finding detected before it joined, a merge) kept its first detection in the column:
   * \`register --from/--to\` chose by it, and verify, holding the column to the record, reported
   * honest records as altered. The column is set from each record's detectedAt (the record is what
   * the ledger vouches for; the column only indexes it), once, when the store is first opened for
   * writing, in one transaction with the new schema version; what was changed, with the old values,
   * is kept in meta under 'migration-4', so nothing the column held is lost unseen.
   */
  private repairDetectedAt(): void {
    const db = this.db;
    db.transaction(() => {
      // Another process may have repaired it since this one read the version.
      if ((db.pragma('user_version', { simple: true }) as number) >= 4) return;
      const rows = db.prepare('SELECT id, detected_at, data FROM incidents ORDER BY id').all() as { id: string; detected_at: string; data: string }[];
      const update = db.prepare('UPDATE incidents SET detected_at = ? WHERE id = ?');
      const repaired: { id: string; from: string; to: string }[] = [];
      for (const row of rows) {
        let detectedAt: unknown;
        try {
          detectedAt = (JSON.parse(row.data) as { detectedAt?: unknown }).detectedAt;
        } catch {
          continue; // a damaged record is verify's to report, as it is
        }
        if (typeof detectedAt !== 'string' || detectedAt === row.detected_at) continue;
        update.run(detectedAt, row.id);
        repaired.push({ id: row.id, from: row.detected_at, to: detectedAt });
      }
      if (repaired.length) {
        const note = {
          at: new Date().toISOString(),
          schema: 4,
          what: "detected_at set from each record's detectedAt: datalek before schema 4 did not update the column when detection moved earlier",
          repaired,
        };
        db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('migration-4', ?)").run(JSON.stringify(note));
      }
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  }

  /** Marks this store as a drill copy of `from` (\`datalek drill\`). */
  markDrill(mark: DrillMark): void {
    this.run(() => {
      this.endSnapshot();
      this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('drill', ?)").run(JSON.stringify(mark));
    });
  }

  /**
   * Copies the whole store, as one consistent snapshot, to a new store file in \`dir\` (which must
   * not hold one yet). Works on a read-only store.
   */
  copyTo(dir: string): void {
    this.flushSentMarks();
    makePrivateDir(dir);
    const target = join(dir, STORE_FILE);
    if (existsSync(target)) throw new StoreError(`${dir} already holds a store`);
    // VACUUM INTO takes a snapshot of its own, and runs outside any transaction: a snapshot this
    // store reads ends here (the copy is the store as it stands now).
    try {
      this.endSnapshot();
      this.db.prepare('VACUUM INTO ?').run(target);
      closeToOthers(target);
    } catch (err) {
      throw new StoreError(`store ${this.dir}: ${(err as Error).message}`, { cause: err });
    }
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

  /**
   * A read-only store reads one snapshot: the store as it stood at its first read, whatever other
   * processes commit meanwhile, until it is closed. `datalek verify` reads the incidents, the
   * registry, then each incident's record, ledger, findings, timeline and outbox one after another:
   * a commit landing between two of those reads (`datalek serve` acknowledging, a replay) would
   * look like tampering, a record that does not match its ledger or an incident the registry names
   * that the list lacked. A read-only store never writes, so holding its snapshot blocks no one.
   */
  private pinSnapshot(): void {
    if (this.options.readOnly) this.beginSnapshot();
  }

  /** Set while this store reads a snapshot it began (`beginSnapshot`), in a read transaction. */
  private snapshotHeld = false;

  /** From here on reads see one snapshot, until `endSnapshot`; not inside a transaction someone else began. */
  private beginSnapshot(): void {
    if (this.snapshotHeld || this.db.inTransaction) return;
    this.db.exec('BEGIN');
    this.snapshotHeld = true;
    // BEGIN takes no snapshot by itself: the first read does.
    this.db.prepare('SELECT count(*) FROM sqlite_master').get();
  }

  /**
   * Ends the snapshot, before this store writes: a write goes on the store as it is now. The store
   * writes nothing while it holds one; what someone wrote through `database` meanwhile is committed.
   */
  private endSnapshot(): void {
    if (!this.snapshotHeld) return;
    this.snapshotHeld = false;
    if (this.db.inTransaction) this.db.exec(this.options.readOnly ? 'ROLLBACK' : 'COMMIT');
  }

  private incidentRow(row: unknown): Incident | undefined {
    return row ? parseStoredIncident((row as { data: string }).data, (row as { id: string }).id) : undefined;
  }

  private run<T>(fn: () => T): T {
    try {
      this.pinSnapshot();
      return fn();
    } catch (err) {
      throw new StoreError(`store ${this.dir}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** What is lost through index `name` when it leaves rows out: a partial one's own words, else those of any index. */
const readsOf = (name: string) => PARTIAL_INDEXES.find((ix) => ix.name === name)?.reads ?? 'the store finds rows through it';

/** What verify says rebuilds an index integrity_check names. */
const REPAIR_INDEXES = 'datalek repair-indexes --by NAME rebuilds it';

/** A partial index the pipeline finds rows by, and what is lost with a row it leaves out (`integrity`). */
interface PartialIndex {
  name: string;
  table: string;
  /** The index's condition, as the schema makes it. */
  where: string;
  /** The row's own key and its incident, as columns. */
  id: string;
  incident: string;
  /** What its rows are, named beside the incident; none where the row is the incident. */
  rows?: string;
  reads: string;
}

const PARTIAL_INDEXES: PartialIndex[] = [
  {
    name: 'incidents_next_due',
    table: 'incidents',
    where: 'next_due_at IS NOT NULL',
    id: 'id',
    incident: 'id',
    reads:
      "SQLite refuses every commit that moves its due time (the index entry to move is not there), the sweep's included, so its reminders and pages are not sent",
  },
  {
    name: 'incidents_open_resource',
    table: 'incidents',
    where: "state <> 'closed'",
    id: 'id',
    incident: 'id',
    reads: 'a finding on its resource is looked up through it, so one opens a second incident beside this one',
  },
  {
    name: 'outbox_pending',
    table: 'outbox',
    where: 'sent_at IS NULL',
    id: 'id',
    incident: 'incident_id',
    rows: 'messages',
    reads: 'the senders read the messages to send through it, so these are never sent',
  },
  {
    name: 'ledger_findings',
    table: 'ledger',
    where: "json_extract(data, '$.finding.key') IS NOT NULL",
    id: 'seq',
    incident: 'incident_id',
    rows: 'ledger entries',
    reads: 'a commit finds the entry that wrote a finding last through it (and reads the ledger through when it finds none)',
  },
];

/** The columns of the incidents table beside the record that indexes are built on, in `updateIncident`'s order. */
const INDEXED_COLUMNS = ['state', 'resource_key', 'detected_at', 'next_due_at'] as const;

type IncidentColumns = { revision: number; data: string } & Record<(typeof INDEXED_COLUMNS)[number], string | null>;

/** An incident's ledger head, with the hash of the record its ledger recorded last (null: none). */
type LedgerHead = ChainHead & { record: string | null };

/**
 * The heads of hash chains (an incident's ledger, a registry shard) as this process last wrote
 * them, so that an append need not read the head back first. Another process may have appended to
 * the same chain since: the append then takes a position that is taken, its primary key says so,
 * and the head is read from the store and the append made on it. Heads a transaction wrote are
 * known only once it committed (a rolled-back one wrote nothing). At most `max` are kept.
 */
class ChainHeads<K, H extends ChainHead> {
  private readonly known = new Map<K, H>();
  private readonly written = new Map<K, H>();
  constructor(private readonly max: number) {}

  /**
   * `make` builds the row after a head (null: the first), `insert` stores it, `read` reads the head
   * from the store. A remembered head that does not `fit` the append is read from the store.
   */
  append<R>(
    key: K,
    read: () => H | null,
    make: (head: H | null) => { row: R; head: H },
    insert: (row: R) => void,
    fits: (head: H) => boolean = () => true,
    /** The chain is new as far as the caller knows: its first entry is tried before any read. */
    fresh = false,
  ): R {
    const known = this.written.get(key) ?? this.known.get(key);
    // A remembered head, or none for a fresh chain; either is read from the store when its position is taken.
    const remembered = known ?? (fresh ? null : undefined);
    if (remembered === null || (remembered && fits(remembered))) {
      const next = make(remembered);
      try {
        insert(next.row);
        this.written.set(key, next.head);
        return next.row;
      } catch (err) {
        // Only a position another writer took is read again; any other failure is the commit's.
        if (!isPrimaryKeyClash(err)) throw err;
      }
    }
    const next = make(read());
    insert(next.row);
    this.written.set(key, next.head);
    return next.row;
  }

  committed(): void {
    for (const [key, head] of this.written) this.known.set(key, head);
    // Past `max` distinct chains, only those just written are kept. Counted after the merge: a head
    // written again is no chain more (the registry's 8 shards, all known, were forgotten at every
    // commit, and each shard's head read again from the store).
    if (this.known.size > this.max) {
      this.known.clear();
      for (const [key, head] of this.written) this.known.set(key, head);
    }
    this.written.clear();
  }

  rolledBack(): void {
    this.written.clear();
  }

  forget(): void {
    this.written.clear();
    this.known.clear();
  }
}

/**
 * Why SQLite refused a commit as it is, when it did: a value over its size limit (SQLITE_TOOBIG), a
 * value of the wrong type, or a constraint the write breaks other than a key another writer took
 * first (NOT NULL, CHECK, a foreign key, a trigger's). Every try of the same write would be refused
 * alike; the store itself works. Null for anything else: a key taken (a lost race), a full disk, an
 * I/O error, a damaged or locked database. SQLite's message names limits and columns, never values.
 */
const REFUSED_AS_IT_IS = new Set([
  'SQLITE_TOOBIG',
  'SQLITE_MISMATCH',
  'SQLITE_CONSTRAINT_NOTNULL',
  'SQLITE_CONSTRAINT_CHECK',
  'SQLITE_CONSTRAINT_FOREIGNKEY',
  'SQLITE_CONSTRAINT_TRIGGER',
  'SQLITE_CONSTRAINT_DATATYPE',
]);

function refusedAsItIs(err: unknown): string | null {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !REFUSED_AS_IT_IS.has(code)) return null;
  return `${code}: ${oneLine((err as Error).message).slice(0, 300)}`;
}

function isPrimaryKeyClash(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * Puts the store in WAL mode (a new store; an existing one is already). Switching a new store
 * turns a read of its header into a write; when another process writes the store meanwhile (two
 * replays creating it at once), SQLite fails that at once with SQLITE_BUSY rather than wait, since
 * two such waits could deadlock. Having read nothing, this process can try again: it does, for as
 * long as any write waits for another.
 */
function useWal(db: Database.Database): void {
  const until = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= until) throw err;
      Atomics.wait(PAUSE, 0, 0, 5);
    }
  }
}

/**
 * A thread with a connection of its own to a store, which checkpoints the log when asked
 * (`SqliteIncidentStore.checkpointBetweenGroups`). It runs nothing else: a checkpoint only copies
 * committed pages from the log into the store, so whatever becomes of it, nothing is lost. Where it
 * stands is read from memory both threads share: recording may not give the event loop a turn for
 * many groups (every read and write of the store is synchronous), so a message would wait.
 */
class Checkpointer {
  private constructor(
    private readonly worker: Worker,
    /** [its state (CHECKPOINTER_*), the log's pages when its last checkpoint ended]. */
    private readonly shared: Int32Array,
  ) {}

  /** null when no thread could be started: the caller checkpoints on its own thread. */
  static open(file: string): Checkpointer | null {
    try {
      const driver = createRequire(import.meta.url).resolve('better-sqlite3');
      const shared = new Int32Array(new SharedArrayBuffer(8));
      const worker = new Worker(CHECKPOINTER_SOURCE, { eval: true, workerData: { driver, file, timeout: BUSY_TIMEOUT_MS, shared } });
      // A thread that failed or ended is used no more: the recording thread checkpoints.
      const failed = () => Atomics.store(shared, 0, CHECKPOINTER_FAILED);
      worker.on('error', failed);
      worker.on('exit', failed);
      // Never what keeps the process running.
      worker.unref();
      return new Checkpointer(worker, shared);
    } catch {
      return null;
    }
  }

  get running(): boolean {
    return Atomics.load(this.shared, 0) === CHECKPOINTER_RUNNING;
  }

  /** Asks for a checkpoint; false when the thread failed (then the caller checkpoints). */
  start(): boolean {
    if (Atomics.compareExchange(this.shared, 0, CHECKPOINTER_IDLE, CHECKPOINTER_RUNNING) !== CHECKPOINTER_IDLE) return false;
    this.worker.postMessage('checkpoint');
    return true;
  }

  /** The log's pages when the last checkpoint ended, once; null while none ended since. */
  takeResult(): { log: number } | null {
    if (Atomics.compareExchange(this.shared, 0, CHECKPOINTER_ENDED, CHECKPOINTER_IDLE) !== CHECKPOINTER_ENDED) return null;
    return { log: Atomics.load(this.shared, 1) };
  }

  /** Closes its connection once the checkpoint under way, if any, ended. */
  async close(): Promise<void> {
    if (Atomics.load(this.shared, 0) === CHECKPOINTER_FAILED) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    // Kept running until it has: the process waits for it.
    this.worker.ref();
    this.worker.postMessage('close');
    await exited;
  }
}

const CHECKPOINTER_IDLE = 0;
const CHECKPOINTER_RUNNING = 1;
const CHECKPOINTER_ENDED = 2;
const CHECKPOINTER_FAILED = 3;

/** The checkpointer's thread: a connection to the store, a PASSIVE checkpoint per request. */
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { shared } = workerData;
let db;
try {
  db = new (require(workerData.driver))(workerData.file, { timeout: workerData.timeout, fileMustExist: true });
  db.pragma('synchronous = NORMAL');
} catch {
  Atomics.store(shared, 0, ${CHECKPOINTER_FAILED});
}
parentPort.on('message', (m) => {
  if (m === 'close' || !db) {
    db?.close();
    parentPort.close();
    return;
  }
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    Atomics.store(shared, 1, r.log);
    Atomics.store(shared, 0, ${CHECKPOINTER_ENDED});
  } catch {
    Atomics.store(shared, 0, ${CHECKPOINTER_IDLE});
  }
});
`;

/**
 * How many groups of commits `checkpointBetweenGroups` lets pass between two reads of the log's
 * index: a group writes a few dozen pages, so a checkpoint comes at most some 300 pages (3 %) late.
 */
const WAL_READ_GROUPS = 8;

/** A frame of the log: a page of the store (4 KB, SQLite's size for a new store) and its header of 24 bytes. */
const WAL_FRAME_BYTES = 4096 + 24;

/**
 * The frames a store's log holds (0 when it has none or its index cannot be read): `mxFrame` of
 * the header of the log's index, the `-shm` file (sqlite.org/walformat.html, "The WAL-Index
 * Header"): a 32-bit number at byte 16, in the machine's byte order. It starts again from 0 when
 * the log starts over, while the log's file keeps its size.
 */
export function walFrames(file: string): number {
  // Opened and closed here: never in a process that has the store open (see `walIndexFd`).
  let fd: number | undefined;
  try {
    fd = openSync(`${file}-shm`, 'r');
    return walFramesIn(fd);
  } catch {
    return 0;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** `walFrames` of an index already open (`fd`). */
function walFramesIn(fd: number): number {
  try {
    const header = Buffer.alloc(20);
    if (readSync(fd, header, 0, 20, 0) < 20) return 0;
    return endianness() === 'LE' ? header.readUInt32LE(16) : header.readUInt32BE(16);
  } catch {
    return 0;
  }
}

/** Something to wait on for a few milliseconds, synchronously (`useWal`). */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function drillMarkOf(db: Database.Database): DrillMark | null {
  if (!hasTable(db, 'meta')) return null;
  const row = db.prepare("SELECT value FROM meta WHERE key = 'drill'").get() as { value: string } | undefined;
  if (!row) return null;
  try {
    return JSON.parse(row.value) as DrillMark;
  } catch {
    return { from: 'unknown (the drill mark is unreadable)', at: 'unknown' };
  }
}

/**
 * Outbox rows as messages. A row whose bytes cannot be read never stops every other message: it goes to
 * `onDamaged` by its id (`messages` and the page list it DAMAGED); the sender's pending read passes none,
 * as such a row cannot be sent as it is, and `datalek verify` names it.
 */
function messageRows(rows: { id?: string; data: string; sent_at: string | null }[], onDamaged?: DamagedMessageHandler): OutboxMessage[] {
  const out: OutboxMessage[] = [];
  for (const row of rows) {
    const read = storedMessage(row.data);
    if ('message' in read) out.push({ ...read.message, sentAt: row.sent_at });
    else if (row.id !== undefined) onDamaged?.({ id: row.id, reason: read.reason });
  }
  return out;
}

/** A store from before the ledger: what it is, and what adopting it means. */
function preLedgerMessage(dir: string, schema: number): string {
  return `store ${dir} was written by an earlier datalek (schema ${schema}), before the ledger, or its ledger was removed: nothing in the file tells the two apart. Adopting it vouches for every record as it is now: check it first (datalek status, show), then run datalek adopt --store ${dir} --by NAME`;
}

/** A change whose entries name the AWS identity that wrote them (`TimelineEntry.caller`): the embedded store has no column for it. */
function refuseCaller(change: IncidentChange): void {
  for (const c of [change, ...(change.others ?? [])]) {
    const named = c.timeline.find((e) => e.caller !== undefined);
    if (named)
      throw new StoreError(
        `entry ${named.seq} of ${c.incident.id} names the AWS caller that wrote it; the embedded store keeps none (--target aws records it)`,
      );
  }
}
