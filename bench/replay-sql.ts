/**
 * `tsx bench/replay-sql.ts [--events N] [--rounds N] [--parts]`: how much of the bench's replay is
 * its SQL alone. It records every statement one replay of the bench's events runs (its text and
 * arguments, BEGIN and COMMIT of the groups, each commit's savepoint), then, in turns with the
 * replay itself, runs the same statements in the same order on a fresh store opened as replay opens
 * it: the CPU time an event of each. What the SQL takes, SQLite's work, the log's writes in the
 * kernel and binding the arguments, no change outside the store can take away; the rest is the
 * record path's JavaScript (parsing, deciding, composing, serialising, hashing).
 *
 * `--parts`: the SQL again without the statements of one table at a time (foreign keys off, so
 * that what is left out does not fail the rest), and what each saved: what that table's rows cost.
 * Each part is a difference of two timed runs: on a machine others load, take five rounds or more
 * (at load 7 on 3 December three rounds gave parts below zero).
 *
 * Approximations, each small: the store's checkpoints run on a thread of their own in the replay,
 * and inside SQLite's commits here (at the same 10,000 pages); a statement read row by row
 * (`iterate`) is read to its first row only. Statements that failed in the replay fail here too
 * and are counted. A measuring tool: it wraps better-sqlite3's statements in this process only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SqliteIncidentStore } from '../handlers/adapters/local/sqlite-store.js';
import { replayEvents, syntheticEvents } from './replay-run.js';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '3' }, parts: { type: 'boolean' } },
  strict: true,
});
const EVENTS = wholeNumber('events', values.events);
const ROUNDS = wholeNumber('rounds', values.rounds);

function wholeNumber(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a whole number of at least 1, got ${text}`);
  return n;
}

type Method = 'run' | 'get' | 'all' | 'iterate';
interface Op {
  method: Method | 'exec';
  sql: string;
  args: unknown[];
}

/** Runs `replay` with every statement it runs recorded (pragmas left out: the store's settings, its checkpoints). */
async function recorded(replay: () => Promise<unknown>): Promise<Op[]> {
  const ops: Op[] = [];
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<Method, (...args: unknown[]) => unknown>;
  const database = Object.getPrototypeOf(probe) as { exec: (sql: string) => unknown };
  probe.close();
  const originals = { run: statement.run, get: statement.get, all: statement.all, iterate: statement.iterate, exec: database.exec };
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = originals[method];
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      // Named parameters are an object the caller may reuse: copied as they were.
      if (!this.source.startsWith('PRAGMA'))
        ops.push({ method, sql: this.source, args: args.map((a) => (a && typeof a === 'object' && !Buffer.isBuffer(a) ? { ...a } : a)) });
      return original.apply(this, args);
    };
  }
  database.exec = function (this: unknown, sql: string) {
    ops.push({ method: 'exec', sql, args: [] });
    return originals.exec.call(this, sql);
  };
  try {
    await replay();
  } finally {
    Object.assign(statement, { run: originals.run, get: originals.get, all: originals.all, iterate: originals.iterate });
    database.exec = originals.exec;
  }
  return ops;
}

/** Runs `ops` on a fresh store, leaving out those `skip` matches: its CPU time an event, and the statements that failed. */
function runSql(ops: Op[], skip?: RegExp): { cpuUsPerEvent: number; failed: number } {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-bench-sql-'));
  try {
    // The store's own tables and indexes, made as replay makes them.
    void new SqliteIncidentStore(dir, { bulk: true }).close();
    const db = new Database(join(dir, 'datalek.sqlite'));
    // As the store sets them in bulk (sqlite-store.ts), but SQLite's checkpoint at the store's 10,000 pages.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -16000');
    db.pragma('wal_autocheckpoint = 10000');
    db.pragma(`foreign_keys = ${skip ? 'OFF' : 'ON'}`);
    const prepared = new Map<string, Database.Statement>();
    let failed = 0;
    const before = process.cpuUsage();
    for (const op of ops) {
      if (skip?.test(op.sql)) continue;
      try {
        if (op.method === 'exec') {
          db.exec(op.sql);
          continue;
        }
        let statement = prepared.get(op.sql);
        if (!statement) {
          statement = db.prepare(op.sql);
          prepared.set(op.sql, statement);
        }
        if (op.method === 'iterate') for (const _ of statement.iterate(...op.args)) break;
        else statement[op.method](...op.args);
      } catch {
        failed += 1;
      }
    }
    db.close();
    const cpu = process.cpuUsage(before);
    return { cpuUsPerEvent: (cpu.user + cpu.system) / EVENTS, failed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The statements of one table (or kind), as `--parts` leaves them out. */
const PARTS: [string, RegExp][] = [
  ['incidents (rows, claims)', /^(INSERT INTO|UPDATE|DELETE FROM) (incidents|incident_keys)\b/],
  ['findings', /^(INSERT INTO|UPDATE) findings\b/],
  ['timeline', /^INSERT INTO timeline\b/],
  ['outbox (messages)', /^INSERT OR IGNORE INTO outbox\b/],
  ['outbox (marked sent)', /^UPDATE outbox SET sent_at\b/],
  ['ledger', /^INSERT INTO ledger\b/],
  ['registry', /^INSERT INTO registry\b/],
  ['reads', /^SELECT\b/],
  ['savepoints', /^(SAVEPOINT|RELEASE)\b/],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const events = syntheticEvents(EVENTS);
// Once to compile the record path, once recorded.
await replayEvents(events);
const ops = await recorded(() => replayEvents(events));
const replayed: number[] = [];
const sqlAlone: number[] = [];
let failed = 0;
for (let round = 0; round < ROUNDS; round++) {
  const before = process.cpuUsage();
  await replayEvents(events);
  const cpu = process.cpuUsage(before);
  replayed.push((cpu.user + cpu.system) / EVENTS);
  const sql = runSql(ops);
  sqlAlone.push(sql.cpuUsPerEvent);
  failed = sql.failed;
}
const replay = median(replayed);
const sql = median(sqlAlone);
console.log(
  `replay   ${EVENTS} events, ${(ops.length / EVENTS).toFixed(2)} statements an event, ${ROUNDS} rounds in turns (medians): ${replay.toFixed(0)} µs of CPU an event; its SQL alone ${sql.toFixed(0)} µs (${((100 * sql) / replay).toFixed(0)}%), the rest ${(replay - sql).toFixed(0)} µs${failed ? `; ${failed} statements failed` : ''}`,
);
for (let round = 0; round < ROUNDS; round++) console.log(`         ${replayed[round].toFixed(0)} µs, SQL ${sqlAlone[round].toFixed(0)} µs`);
if (values.parts) {
  // Each part in turns with the whole, round after round.
  const whole: number[] = [];
  const without = new Map<string, number[]>(PARTS.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    whole.push(runSql(ops).cpuUsPerEvent);
    for (const [name, re] of PARTS) without.get(name)?.push(runSql(ops, re).cpuUsPerEvent);
  }
  const all = median(whole);
  console.log(`SQL by table (medians; the SQL whole ${all.toFixed(0)} µs an event): what leaving out its statements saves`);
  for (const [name, re] of PARTS) {
    const count = ops.filter((op) => re.test(op.sql)).length / EVENTS;
    console.log(`  ${name.padEnd(26)} ${(all - median(without.get(name) ?? [])).toFixed(0).padStart(4)} µs  (${count.toFixed(2)} statements an event)`);
  }
}
