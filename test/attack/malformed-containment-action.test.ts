/**
 * A record whose containment actions list holds something that is no action (`[null]`, a string, an
 * action whose steps hold null or whose status is no status): damaged bytes, or someone with write
 * access to the store. Every reader of the list (release, show, status, the sweep, the register,
 * contained, close, draft, verify) died on a TypeError naming nothing (exit 3, a stack trace), and
 * one such record stopped the sweep and the register for every incident. The record is now
 * unreadable as a record that is no JSON is: named with the action that is wrong; release refuses
 * (exit 2, nothing written), the lists leave it out and say so, verify names it (exit 1), rechained
 * or not; and a release of another incident, which reads every incident for holds, refuses naming it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContainDeps } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';
import { releasing } from '../support/release-steps.js';
import { tempSqliteStore } from '../support/store.js';
import { rechainSqlite } from '../support/tamper.js';

const NOW = '2026-11-27T21:05:00Z';

/** Each malformed list, built from the record's own first action, and what the refusal names. */
const CASES: { name: string; make: (a: Record<string, unknown>) => unknown[]; names: RegExp }[] = [
  { name: 'null', make: (a) => [a, null], names: /containment action 2 is null, not an action/ },
  { name: 'a string', make: () => ['isolate-instance'], names: /containment action 1 is a string, not an action/ },
  { name: 'no id', make: (a) => [{ ...a, id: 7 }], names: /containment action 1 has no id/ },
  {
    name: 'a step that is null',
    make: (a) => [{ ...a, steps: [null] }],
    names: /containment action isolate-instance:i-[0-9a-f]+ has step 1 null, not a step/,
  },
  {
    name: 'steps that are no list',
    make: (a) => [{ ...a, steps: 'done' }],
    names: /containment action isolate-instance:i-[0-9a-f]+ has steps that are not a list/,
  },
  {
    name: 'an unknown status',
    make: (a) => [{ ...a, status: 'gone' }],
    names: /containment action isolate-instance:i-[0-9a-f]+ has status "gone", not planned, done, skipped or failed/,
  },
  {
    name: 'evidence that is no object',
    make: (a) => [{ ...a, evidence: 'x' }],
    names: /containment action isolate-instance:i-[0-9a-f]+ has evidence that is not an object/,
  },
  {
    name: 'released that is null',
    make: (a) => [{ ...a, released: null }],
    names: /containment action isolate-instance:i-[0-9a-f]+ has released that is not an object/,
  },
];

describe('a containment actions list holding what is no action, on the embedded store', () => {
  let dir: string;
  let store: string;
  let id: string;
  const db = () => new Database(join(store, 'datalek.sqlite'));
  const recordText = () => {
    const d = db();
    try {
      return (d.prepare('SELECT data FROM incidents WHERE id = ?').get(id) as { data: string }).data;
    } finally {
      d.close();
    }
  };
  /** The actions list rewritten behind datalek's back (the ledger left as it was). */
  const edit = (make: (a: Record<string, unknown>) => unknown[]) => {
    const d = db();
    try {
      const record = JSON.parse(recordText()) as { actions: Record<string, unknown>[] };
      record.actions = make(record.actions[0]) as Record<string, unknown>[];
      d.prepare('UPDATE incidents SET data = ? WHERE id = ?').run(JSON.stringify(record), id);
    } finally {
      d.close();
    }
  };
  const cli = (...args: string[]) => runCli([...args, '--store', store, ...(args.includes('--now') ? [] : ['--now', NOW])]);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-malformed-action-'));
    store = join(dir, 'store');
    const file = join(dir, 'event.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'malformed', type: 'Backdoor:EC2/C&CActivity.B', createdAt: '2026-11-27T21:00:00Z' })));
    const out = await runCli(['replay', file, '--store', store, '--now', NOW, '--json']);
    id = JSON.parse(out.stdout.trim()).incidentId;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const c of CASES)
    it(`release refuses naming the incident and the action (${c.name}): exit 2, one line, nothing written`, async () => {
      edit(c.make);
      const before = recordText();
      const out = await cli('release', id, '--by', 'anna', '--reason', 'vals positief');
      expect(out.stderr).not.toMatch(/unexpected failure|TypeError/);
      expect(out.code, out.stderr).toBe(2);
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toContain(`incident ${id} cannot be read from the store`);
      expect(out.stderr).toMatch(c.names);
      expect(out.stderr).toContain('nothing was released');
      expect(recordText()).toBe(before);
    });

  it('show, status, sweep, register, draft, contained and close name it instead of dying on a TypeError', async () => {
    edit(CASES[0].make);
    for (const args of [
      ['show', id],
      ['status'],
      // A day later: the first reminder is due, so the sweep reads the record.
      ['sweep', '--now', '2026-11-28T21:05:00Z'],
      ['register'],
      ['draft', id],
      ['contained', id, '--action', 'x', '--by', 'anna', '--what', 'y'],
      ['close', id, '--by', 'anna', '--reason', 'r'],
    ]) {
      const out = await cli(...args);
      expect(out.stderr, args[0]).not.toMatch(/unexpected failure|TypeError/);
      expect(out.stderr, args[0]).toMatch(new RegExp(`incident ${id}.*cannot be read from the store \\(its containment action 2 is null, not an action\\)`));
      expect(out.code, args[0]).not.toBe(0);
    }
  });

  it('verify names the record and the action (exit 1), also when the ledger was made to agree', async () => {
    const d = db();
    try {
      rechainSqlite(d, id, (record) => {
        record.actions = [...(record.actions as unknown[]), null];
      });
    } finally {
      d.close();
    }
    const out = await cli('verify');
    expect(out.stderr).not.toMatch(/unexpected failure|TypeError/);
    expect(out.code, out.stderr).toBe(1);
    expect(out.stderr).toContain(`datalek: incident ${id}, record: cannot be read as an incident record: its containment action 2 is null, not an action`);
  });
});

describe('releasing one incident while another holds what is no action', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const put = (incident: Incident) => t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
  const deps = (): ContainDeps => ({
    store: t.store,
    policy: DEFAULT_POLICY,
    now: () => '2026-11-27T22:00:00.000Z',
    containment: releasing([{ name: 'isolate-eni:eni-1', status: 'done', at: '2026-11-27T22:00:00.000Z' }]),
  });
  beforeEach(async () => {
    t = tempSqliteStore();
    await put(incidentFixture({ id: 'dl-mine', actions: [doneIsolation('i-0shared00000028')] }));
    await put(incidentFixture({ id: 'dl-broken', actions: [doneIsolation('i-0shared00000028'), null as unknown as ActionRecord] }));
  });
  afterEach(async () => t.cleanup());

  it('is refused naming that incident and its action: whether it holds the instance is unknown', async () => {
    await expect(releaseContainment(deps(), { incidentId: 'dl-mine', by: 'oncall', reason: 'vals positief' })).rejects.toThrow(
      /incident dl-broken cannot be read from the store \(its containment action 2 is null, not an action;.*Nothing was released/,
    );
    expect(((await t.store.getIncident('dl-mine')) as Incident).actions[0].released).toBeUndefined();
  });
});
