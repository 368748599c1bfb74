/**
 * Observation 1 of issue #13: a drill (`sweep --now <future>`) on the real store silenced every
 * later sweep, and a --now without a zone was read in the machine's zone. Now a real store refuses
 * a --now ahead of the system clock for every command that writes; `datalek drill` makes a marked
 * copy where any --now goes and every message is marked.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { digestKeys } from '../support/tamper.js';

/** Far ahead of any machine's clock that runs these tests. */
const FUTURE = '2999-01-01T00:00:00Z';

describe('drills that cannot hurt', () => {
  let dir: string;
  let store: string;
  let id: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-drill-'));
    store = join(dir, 'store');
    const events = join(dir, 'e.json');
    writeFileSync(events, JSON.stringify(findingEvent({ createdAt: '2026-11-20T21:00:00Z' })));
    const replay = await runCli(['replay', events, '--store', store, '--json', '--now', '2026-11-20T21:05:00Z']);
    id = jsonLines(replay.stdout)[0].incidentId as string;
  });

  const fileBytes = () => readFileSync(join(store, 'datalek.sqlite'));

  it('refuses a future --now on the real store for every command that writes, and writes nothing', async () => {
    const before = fileBytes();
    const cases = [
      ['sweep'],
      ['ack', id, '--by', 'anna'],
      ['replay', join(dir, 'e.json')],
      ['assess', id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'r'],
      ['close', id, '--reason', 'r'],
    ];
    for (const args of cases) {
      const r = await runCli([...args, '--store', store, '--now', FUTURE]);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toMatch(/^datalek: --now 2999-01-01T00:00:00.000Z is later than this machine's clock .* datalek drill --from /);
    }
    expect(fileBytes().equals(before)).toBe(true);
  });

  it('keeps the real sweep working after a refused drill: the pages and reminders still go out', async () => {
    expect((await runCli(['sweep', '--store', store, '--now', '9999-12-31T23:59:59Z'])).code).toBe(2);
    const real = await runCli(['sweep', '--store', store, '--json', '--now', '2026-11-21T21:00:00Z']);
    expect(real.code).toBe(0);
    expect(JSON.parse(real.stdout).map((s: { kind: string }) => s.kind)).toContain('ap-reminder');
  });

  it('takes a past --now and one within a few minutes of the clock', async () => {
    expect((await runCli(['sweep', '--store', store, '--now', '2026-11-21T00:00:00Z'])).code).toBe(0);
    const soon = new Date(Date.now() + 60_000).toISOString();
    expect((await runCli(['sweep', '--store', store, '--now', soon])).code).toBe(0);
  });

  it('lets read-only commands look at any time', async () => {
    expect((await runCli(['status', '--store', store, '--now', FUTURE])).code).toBe(0);
  });

  it('refuses a --now without a zone instead of reading it in local time', async () => {
    for (const now of ['2026-11-21T00:00:00', '2026-11-21', '2026-11-21 00:00:00Z']) {
      const r = await runCli(['status', '--store', store, '--now', now]);
      expect(r.code, now).toBe(2);
      expect(r.stderr).toMatch(/^datalek: --now must be an ISO 8601 time with a zone/);
    }
  });

  it('makes a marked copy where any --now goes; what it sends is marked, the real store is untouched', async () => {
    const before = fileBytes();
    const drill = join(dir, 'drill');
    const made = await runCli(['drill', '--from', store, '--store', drill, '--json']);
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ store: drill, from: store, incidents: 1 });

    const swept = await runCli(['sweep', '--store', drill, '--now', FUTURE]);
    expect(swept.code, swept.stderr).toBe(0);
    expect(swept.stderr).toMatch(/DRILL store \(a copy of .*\): nothing here is real/);
    const delivered = swept.stderr.split('\n').filter((l) => l.includes('→'));
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.every((l) => l.includes('[DRILL] '))).toBe(true);

    expect(fileBytes().equals(before)).toBe(true);
    // The real store's next sweep still has everything to send.
    const real = await runCli(['sweep', '--store', store, '--json', '--now', '2026-11-21T21:00:00Z']);
    expect(JSON.parse(real.stdout).length).toBeGreaterThan(0);
  });

  it('is never anchored: its digests would fork the real chain', async () => {
    const drill = join(dir, 'drill-anchor');
    await runCli(['drill', '--from', store, '--store', drill]);
    const keys = digestKeys(dir);
    const r = await runCli(['anchor', '--store', drill, '--digests', join(dir, 'digests'), '--key', keys.private]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a drill copy is never anchored/);
    expect(existsSync(join(dir, 'digests'))).toBe(false);
  });

  it('never copies over a store, and needs a source', async () => {
    const other = join(dir, 'other');
    await runCli(['replay', join(dir, 'e.json'), '--store', other, '--now', '2026-11-20T21:05:00Z']);
    const r = await runCli(['drill', '--from', store, '--store', other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already holds a store/);
    expect((await runCli(['drill', '--from', join(dir, 'nothing'), '--store', join(dir, 'x')])).stderr).toMatch(/no store at/);
    expect((await runCli(['drill', '--store', join(dir, 'y')])).code).toBe(2);
    // Without --store: a new folder beside the source, never the default store.
    const beside = await runCli(['drill', '--from', store, '--json']);
    expect(beside.code, beside.stderr).toBe(0);
    expect(JSON.parse(beside.stdout).store).toMatch(new RegExp(`^${store}-drill-\\d{8}T\\d{6}$`));
    expect(existsSync(join(dir, 'x'))).toBe(false);
    // The drill mark is in the copy itself.
    const db = new Database(join(other, 'datalek.sqlite'), { readonly: true });
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'meta'").get()).toEqual({ n: 1 });
    expect(db.prepare("SELECT count(*) AS n FROM meta WHERE key = 'drill'").get()).toEqual({ n: 0 });
    db.close();
  });
});
