/**
 * `tsx bench/replay-accounting.ts [--sites] [--per-group N]`: what the bench's replay does per event, counted
 * rather than timed (counts do not move with what else the machine runs): JSON.stringify and
 * JSON.parse calls and their bytes, SHA-256 calls and the bytes hashed, the SQL statements run
 * (calls and the bytes bound), the messages queued and their size, Date parsing and formatting,
 * structuredClone, and the pages the log (WAL) takes per event, by the table or index they
 * belong to, beside the floor's (one row per event, one transaction each). As
 * `replay-instructions.ts` does, the figures are the difference between replaying 600 and 200 of
 * the bench's events, divided by 400, in groups of 2 events (`--per-group N`: of N; the bench's own
 * groups hold about 4 on a quiet machine, and the log's pages an event fall as a group holds more:
 * 13.5 at 2, 10.8 at 4, 8.9 at 8, 7.2 at 16 on 2 December). `--sites` names the caller of each
 * JSON and hash call (slower: it reads a stack per call).
 *
 * It wraps the global functions it counts (JSON, crypto, Date, better-sqlite3's statements) in
 * this process only: a measuring tool, never loaded by the product.
 */
import crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SqliteIncidentStore } from '../handlers/adapters/local/sqlite-store.js';
import { CommitGroups } from '../handlers/cli/commands/replay.js';
import { deliverMessages, deliverPending } from '../handlers/core/deliver.js';
import { parseEventText } from '../handlers/core/finding.js';
import type { OutboxMessage } from '../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../handlers/core/policy.js';
import { type RecordDeps, type RecordResult, recordEventText } from '../handlers/core/record-finding.js';
import { NOW, syntheticEvents } from './replay-run.js';

const { values } = parseArgs({ options: { sites: { type: 'boolean' }, 'per-group': { type: 'string', default: '2' } }, strict: true });
const SITES = values.sites === true;
const FEW = 200;
const MANY = 600;
const PER_GROUP = Number(values['per-group']);
if (!Number.isInteger(PER_GROUP) || PER_GROUP < 1) throw new Error(`--per-group: expected a whole number of at least 1, got ${values['per-group']}`);

type Tally = Map<string, { calls: number; bytes: number }>;
let tallies = new Map<string, Tally>();
/** Counting is on while a replay runs, and off inside a counted call (its own JSON, its own stack). */
let counting = false;

function count(kind: string, key: string, bytes: number): void {
  if (!counting) return;
  counting = false;
  try {
    const site = SITES ? ` ${callerOf()}` : '';
    const tally: Tally = tallies.get(kind) ?? new Map();
    tallies.set(kind, tally);
    const row = tally.get(key + site) ?? { calls: 0, bytes: 0 };
    row.calls += 1;
    row.bytes += bytes;
    tally.set(key + site, row);
  } finally {
    counting = true;
  }
}

/** The first frame of the stack outside this file and node's own modules. */
function callerOf(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  // sha256 (core/hash.ts) is named by its caller.
  const frame = frames.find((f) => !f.includes('replay-accounting') && !f.includes('node:') && !f.includes('core/hash.ts')) ?? '?';
  return frame
    .trim()
    .replace(/^at /, '')
    .replace(/\(?(?:file:\/\/)?\/[^)]*\/(handlers|bench)\//, '$1/');
}

const byteLength = (v: unknown): number => (typeof v === 'string' ? Buffer.byteLength(v) : Buffer.isBuffer(v) ? v.length : 0);

function wrapGlobals(): void {
  const stringify = JSON.stringify;
  JSON.stringify = ((...args: Parameters<typeof stringify>) => {
    const out = stringify(...args);
    count('JSON.stringify', '', out?.length ?? 0);
    return out;
  }) as typeof stringify;
  const parse = JSON.parse;
  JSON.parse = (text: string, reviver?: Parameters<typeof parse>[1]) => {
    count('JSON.parse', '', text.length);
    return parse(text, reviver);
  };
  const hash = crypto.hash;
  crypto.hash = ((algorithm: string, data: string | Buffer, encoding?: crypto.BinaryToTextEncoding) => {
    count('crypto.hash', algorithm, byteLength(data));
    return hash(algorithm, data, encoding);
  }) as typeof hash;
  const createHash = crypto.createHash;
  crypto.createHash = ((algorithm: string, options?: crypto.HashOptions) => {
    count('crypto.createHash', algorithm, 0);
    return createHash(algorithm, options);
  }) as typeof createHash;
  const randomBytes = crypto.randomBytes;
  crypto.randomBytes = ((size: number) => {
    count('crypto.randomBytes', '', size);
    return randomBytes(size);
  }) as typeof randomBytes;
  const randomFillSync = crypto.randomFillSync;
  crypto.randomFillSync = (<T extends NodeJS.ArrayBufferView>(buffer: T, offset?: number, size?: number): T => {
    count('crypto.randomFillSync', '', size ?? buffer.byteLength - (offset ?? 0));
    return randomFillSync(buffer, offset, size);
  }) as typeof randomFillSync;
  syncBuiltinESMExports();
  const clone = globalThis.structuredClone;
  globalThis.structuredClone = ((value: unknown, options?: StructuredSerializeOptions) => {
    count('structuredClone', '', 0);
    return clone(value, options);
  }) as typeof clone;
  const dateParse = Date.parse;
  Date.parse = (text: string) => {
    count('Date', 'Date.parse', 0);
    return dateParse(text);
  };
  const toISOString = Date.prototype.toISOString;
  Date.prototype.toISOString = function (this: Date) {
    count('Date', 'toISOString', 0);
    return toISOString.call(this);
  };
  const formatToParts = Intl.DateTimeFormat.prototype.formatToParts;
  Intl.DateTimeFormat.prototype.formatToParts = function (this: Intl.DateTimeFormat, date?: Date | number) {
    count('Date', 'Intl.DateTimeFormat formatToParts', 0);
    return formatToParts.call(this, date);
  };
  // better-sqlite3's statements: one prototype for all.
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = statement[method];
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      let bytes = 0;
      for (const a of args)
        bytes += a && typeof a === 'object' && !Buffer.isBuffer(a) ? Object.values(a).reduce<number>((s, v) => s + byteLength(v), 0) : byteLength(a);
      count(`sql.${method}`, this.source.replace(/\s+/g, ' ').slice(0, 100), bytes);
      return original.apply(this, args);
    };
  }
  const database = Object.getPrototypeOf(probe) as Record<string, (sql: string) => unknown>;
  const exec = database.exec;
  database.exec = function (this: unknown, sql: string) {
    count('sql.exec', sql.slice(0, 60), 0);
    return exec.call(this, sql);
  };
  probe.close();
}

/** The log's frames from byte `from` on, by the table or index whose page each wrote. */
function framesByTree(db: Database.Database, wal: Buffer, from: number): Map<string, number> {
  const pageSize = wal.readUInt32BE(8);
  const owner = new Map<number, string>();
  for (const r of db.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[]) owner.set(r.pageno, r.name);
  const trees = new Map<string, number>();
  for (let at = Math.max(32, from); at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    const page = wal.readUInt32BE(at);
    const name = owner.get(page) ?? 'a page since freed';
    trees.set(name, (trees.get(name) ?? 0) + 1);
  }
  return trees;
}

/**
 * Replays the bench's first MANY events as `replayEvents` does (groups of PER_GROUP), counting
 * from event FEW on; no checkpoint runs, so the log holds every page written.
 */
async function replayCounted() {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-accounting-'));
  const store = new SqliteIncidentStore(dir, { bulk: true, checkpointPages: 1_000_000 });
  try {
    const deps: RecordDeps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false, claimQueued: () => true };
    store.deferSentMarks(5);
    const notifier = { deliver: async () => {} };
    const messages = { count: 0, bytes: 0, kinds: new Map<string, number>() };
    const groups = new CommitGroups<RecordResult>(
      store,
      async (done) => {
        for (const result of done) {
          const queued: OutboxMessage[] = result.queued ?? [];
          if (counting) {
            // Sized without being counted.
            counting = false;
            for (const m of queued) {
              messages.count += 1;
              messages.bytes += Buffer.byteLength(JSON.stringify(m));
              messages.kinds.set(`${m.channel} ${m.kind}`, (messages.kinds.get(`${m.channel} ${m.kind}`) ?? 0) + 1);
            }
            counting = true;
          }
          await deliverMessages({ store, notifier, now: deps.now }, queued, result.claimed);
        }
      },
      { events: PER_GROUP, ms: Number.POSITIVE_INFINITY, wallMs: Number.POSITIVE_INFINITY },
    );
    const wal = join(dir, 'datalek.sqlite-wal');
    let walFrom = 0;
    const events = syntheticEvents(MANY);
    await groups.run(async () => {
      for (const [i, text] of events.entries()) {
        if (i === FEW) {
          await groups.flush();
          walFrom = readFileSync(wal).length;
          tallies = new Map();
          counting = true;
        }
        groups.open();
        await groups.recorded(await recordEventText(deps, text));
      }
    });
    await deliverPending({ store, notifier, now: deps.now });
    counting = false;
    return { messages, trees: framesByTree(store.database, readFileSync(wal), walFrom) };
  } finally {
    counting = false;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The floor's log pages per event (bench.ts benchFloor: a row per event, a transaction each). */
function floorPages(): number {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-accounting-floor-'));
  try {
    const db = new Database(join(dir, 'floor.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, finding_id TEXT, data TEXT)');
    const insert = db.prepare('INSERT INTO events (finding_id, data) VALUES (?, ?)');
    const tx = db.transaction((id: string, data: string) => insert.run(id, data));
    const pageBytes = (db.pragma('page_size', { simple: true }) as number) + 24;
    const wal = join(dir, 'floor.sqlite-wal');
    let from = 0;
    for (const [i, text] of syntheticEvents(MANY).entries()) {
      if (i === FEW) from = readFileSync(wal).length;
      const parsed = parseEventText(text);
      tx.immediate(parsed.kind === 'finding' ? parsed.finding.key.findingId : '', text);
    }
    const pages = (readFileSync(wal).length - from) / pageBytes;
    db.close();
    return pages / (MANY - FEW);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

wrapGlobals();
const { messages, trees } = await replayCounted();
const n = MANY - FEW;
const per = (x: number) => (x / n).toFixed(2);
const pages = [...trees.values()].reduce((a, b) => a + b, 0);
console.log(`per event, events ${FEW + 1}-${MANY} of the bench's replay in groups of ${PER_GROUP}:`);
console.log(`log (WAL) pages: ${per(pages)} (the floor: ${floorPages().toFixed(2)})`);
for (const [name, k] of [...trees].sort((a, b) => b[1] - a[1])) console.log(`  ${per(k).padStart(6)}  ${name}`);
console.log(`messages queued: ${per(messages.count)}, ${per(messages.bytes)} bytes (${[...messages.kinds].map(([k, v]) => `${k} ${per(v)}`).join(', ')})`);
for (const [kind, tally] of tallies) {
  const rows = [...tally].sort((a, b) => b[1].bytes - a[1].bytes || b[1].calls - a[1].calls);
  const calls = rows.reduce((s, [, r]) => s + r.calls, 0);
  const bytes = rows.reduce((s, [, r]) => s + r.bytes, 0);
  console.log(`${kind}: ${per(calls)} calls, ${per(bytes)} bytes`);
  for (const [key, r] of rows) if (key.trim()) console.log(`  ${per(r.calls).padStart(6)} ${per(r.bytes).padStart(9)}  ${key.trim()}`);
}
