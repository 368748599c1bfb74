/**
 * The embedded store tells a write it cannot take as it is (a value over SQLite's size limit, a
 * constraint the write breaks) from a store that cannot be written (a full disk, an I/O error): the
 * first is `StoreRefusedError`, refused at once and by name, and `datalek replay` gives that event a
 * rejected line and records the rest, as it does for DynamoDB's refusal; the second stays a
 * `StoreError`, which stops the run (review7 K2). SQLite's own errors, raised by a trigger put in
 * the store by the test for one finding: `zeroblob` over SQLite's length limit (SQLITE_TOOBIG), and
 * `RAISE(ABORT)` (a constraint); the full disk is `max_page_count` reached (SQLITE_FULL).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, StoreRefusedError } from '../../handlers/core/errors.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { jsonLines, runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { refuseFinding, TOO_BIG, tempSqliteStore } from '../support/store.js';

const NOW = () => '2026-11-28T00:00:00.000Z';

/** A constraint the insert of a finding breaks (a trigger's). */
const BROKEN_CONSTRAINT = "SELECT RAISE(ABORT, 'this store takes no such finding')";

describe('the embedded store refusing one write', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let commits: number;
  beforeEach(() => {
    t = tempSqliteStore();
    commits = 0;
  });
  afterEach(async () => t.cleanup());

  const record = (id: string) => {
    const counting = new Proxy(t.store, {
      get(target, prop) {
        if (prop === 'commit')
          return (change: Parameters<typeof target.commit>[0]) => {
            commits += 1;
            return target.commit(change);
          };
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return recordEvent({ store: counting, policy: DEFAULT_POLICY, now: NOW, canEnforce: false }, findingEvent({ id, instanceId: `i-${id}` }));
  };

  it.each([
    ['a value over its size limit', TOO_BIG, /SQLITE_TOOBIG: string or blob too big/],
    ['a constraint the write breaks', BROKEN_CONSTRAINT, /SQLITE_CONSTRAINT_TRIGGER: this store takes no such finding/],
  ])('%s is refused as this write, at once, by name, and nothing of it is stored', async (_what, body, reason) => {
    refuseFinding(t.dir, 'refused-b', body);
    const err = await record('refused-b').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreRefusedError);
    expect((err as StoreRefusedError).reason).toMatch(reason);
    expect((err as StoreRefusedError).incidentId).toMatch(/^dl-/);
    // Not a lost race: no try again.
    expect(commits).toBe(1);
    expect(await t.store.listIncidents()).toEqual([]);
    // The store goes on taking the others.
    expect((await record('refused-c')).outcome).toBe('opened');
  });

  it('a store that cannot be written (its disk full) is the store failing, not a refusal of this write', async () => {
    await record('refused-a');
    // The store's own connection may grow the file by no page more.
    const db = (t.store as unknown as { db: Database.Database }).db;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
    const err = await record('refused-b').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).not.toBeInstanceOf(StoreRefusedError);
    expect((err as Error).message).toMatch(/full/);
  });
});

describe('datalek replay on an embedded store that refuses one event', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-sqlite-refusal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives that event a rejected line naming the refusal, records the events after it, and leaves a store that verifies', async () => {
    const events = join(dir, 'events.json');
    const store = join(dir, 'store');
    const args = ['replay', events, '--store', store, '--now', NOW(), '--json'];
    writeFileSync(events, JSON.stringify([findingEvent({ id: 'refused-a', instanceId: 'i-a' })]));
    expect((await runCli(args)).code).toBe(0);
    refuseFinding(store, 'refused-b');
    writeFileSync(events, JSON.stringify(['refused-a', 'refused-b', 'refused-c'].map((id) => findingEvent({ id, instanceId: `i-${id}` }))));
    const run = await runCli(args);
    expect(jsonLines(run.stdout).map((l) => [l.findingId, l.outcome])).toEqual([
      ['refused-a', 'duplicate'],
      ['refused-b', 'rejected'],
      ['refused-c', 'opened'],
    ]);
    expect(jsonLines(run.stdout)[1].reason).toMatch(/refused this event's commit as it is.*string or blob too big/);
    expect(run.code, run.stderr).toBe(1);
    const status = JSON.parse((await runCli(['status', '--store', store, '--json'])).stdout) as unknown[];
    expect(status).toHaveLength(2);
    // Nothing of the refused event half written: the record and its ledger agree.
    const verified = await runCli(['verify', '--store', store]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  });
});
