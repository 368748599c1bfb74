/**
 * atk28 F15: one incident record holding what datalek never writes (nested thousands deep, or
 * `reminders: null`, `paging: null`, `decisions: "x"`, `reports: [null]`), edited behind the
 * pipeline, stopped everything: the sweep died (exit 3, "unexpected failure: RangeError/TypeError",
 * naming nothing) before it queued or sent the other incidents' pages, a replay stopped at the first
 * finding on that incident with every later event (an unrelated one too) not recorded, and status and
 * the register exited 3. Such a record is now unreadable as one that is no JSON is, named with what
 * is wrong: the sweep names it and sweeps the others, a replay rejects the finding naming it and
 * records the rest, status and the register leave it out and say so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { sweep } from '../../handlers/core/sweep.js';
import { ROOT, runCli } from '../support/cli.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-27T21:20:00Z';
const EC2 = join(ROOT, 'events/01-ec2-backdoor-command-and-control-high.json');
const S3 = join(ROOT, 'events/08-s3-bucket-made-public-anonymous-access.json');
const SAME_INSTANCE = join(ROOT, 'events/05-ec2-same-instance-bitcoin-tool-attached.json');
const IAM_KEY = join(ROOT, 'events/07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json');

/** A field `x` nested `n` deep, as text: JSON.stringify would overflow this stack itself. */
const NESTED = (n: number) => `"x":${'['.repeat(n)}${']'.repeat(n)}`;

type Edit = (r: Record<string, unknown>) => void;
const CASES: { name: string; edit: Edit | string; names: string }[] = [
  { name: 'nested 5000 deep', edit: NESTED(5000), names: 'its record nests deeper than 100 levels' },
  { name: 'reminders: null', edit: (r) => Object.assign(r, { reminders: null }), names: 'its record has reminders that is not an object (null)' },
  { name: 'paging: null', edit: (r) => Object.assign(r, { paging: null }), names: 'its record has paging that is not an object (null)' },
  { name: 'decisions: "x"', edit: (r) => Object.assign(r, { decisions: 'x' }), names: 'its record has decisions that are not a list (a string)' },
  { name: 'reports: [null]', edit: (r) => Object.assign(r, { reports: [null] }), names: 'its record has reports entry 1 null, not an object' },
];

describe('one incident record holding what datalek never writes (atk28 F15)', () => {
  let dir: string;
  let store: string;
  let ec2: string;
  let s3: string;
  const db = () => new Database(join(store, 'datalek.sqlite'));
  const cli = (...args: string[]) => runCli([...args, '--store', store, ...(args.includes('--now') ? [] : ['--now', NOW])]);
  /** The EC2 incident's record rewritten behind datalek's back (the ledger left as it was). */
  const edit = (change: Edit | string) => {
    const d = db();
    try {
      const text = (d.prepare('SELECT data FROM incidents WHERE id = ?').get(ec2) as { data: string }).data;
      let data: string;
      if (typeof change === 'string') data = `${text.slice(0, -1)},${change}}`;
      else {
        const record = JSON.parse(text);
        change(record);
        data = JSON.stringify(record);
      }
      d.prepare('UPDATE incidents SET data = ? WHERE id = ?').run(data, ec2);
    } finally {
      d.close();
    }
  };
  const unsent = (id: string) => {
    const d = db();
    try {
      return (d.prepare('SELECT count(*) AS n FROM outbox WHERE incident_id = ? AND sent_at IS NULL').get(id) as { n: number }).n;
    } finally {
      d.close();
    }
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-unhandled-shapes-'));
    store = join(dir, 'store');
    const out = await runCli(['replay', EC2, S3, '--store', store, '--now', NOW, '--json']);
    [ec2, s3] = out.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { incidentId: string }).incidentId);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const c of CASES) {
    it(`the sweep names the incident and sweeps the other, its pages sent (${c.name})`, async () => {
      edit(c.edit);
      const out = await cli('sweep', '--now', '2026-11-30T12:00:00Z', '--json');
      expect(out.stderr).not.toMatch(/unexpected failure|RangeError|TypeError/);
      expect(out.stderr).toContain(`incident ${ec2} could not be swept: cannot be read from the store (${c.names}`);
      expect(out.code).not.toBe(0);
      const due = JSON.parse(out.stdout) as { incidentId: string; kind: string }[];
      expect(due.filter((d) => d.incidentId === s3).map((d) => d.kind)).toContain('ap-overdue');
      expect(unsent(s3)).toBe(0);
    });

    it(`a replay rejects the finding on that incident naming it, and records the unrelated one after it (${c.name})`, async () => {
      edit(c.edit);
      const out = await runCli(['replay', SAME_INSTANCE, IAM_KEY, '--store', store, '--now', '2026-11-27T23:30:00Z', '--json']);
      expect(out.stderr).not.toMatch(/unexpected failure|replay stopped|RangeError|TypeError/);
      const lines = out.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { outcome: string; reason?: string; input: string });
      expect(lines).toHaveLength(2);
      expect(lines[0].outcome).toBe('rejected');
      expect(lines[0].reason).toContain(`incident ${ec2} cannot be read from the store (${c.names}`);
      expect(lines[1].outcome).toBe('opened');
      expect(out.code).toBe(1);
    });

    it(`status and the register list the other incident and name this one (${c.name})`, async () => {
      edit(c.edit);
      for (const args of [['status'], ['register']]) {
        const out = await cli(...args);
        expect(out.stderr, args[0]).not.toMatch(/unexpected failure|RangeError|TypeError/);
        expect(out.stderr, args[0]).toContain(`incident ${ec2}`);
        expect(out.stdout, args[0]).toContain(s3);
      }
    });
  }
});

describe('the sweep, when one incident throws what no check foresaw', () => {
  it('names that incident and sweeps the others', async () => {
    const t = tempSqliteStore();
    try {
      const { recordEvent } = await import('../../handlers/core/record-finding.js');
      const { findingEvent } = await import('../support/events.js');
      const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:05:00.000Z', canEnforce: false };
      const a = (await recordEvent(deps, findingEvent({ id: 'a', instanceId: 'i-0aaaaaaaaaaaaaaa1' }))).incidentId as string;
      const b = (await recordEvent(deps, findingEvent({ id: 'b', instanceId: 'i-0bbbbbbbbbbbbbbb2' }))).incidentId as string;
      // A getter that throws: a record shape the checks on reading do not know of.
      const store = new Proxy(t.store, {
        get(target, prop, receiver) {
          if (prop === 'listDue')
            return async (...args: Parameters<typeof target.listDue>) =>
              (await target.listDue(...args)).map((i) =>
                i.id === a
                  ? Object.defineProperty(i, 'reminders', {
                      get() {
                        throw new TypeError('an unforeseen shape');
                      },
                    })
                  : i,
              );
          const value = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const result = await sweep({ store, policy: DEFAULT_POLICY, now: () => '2026-11-30T12:00:00.000Z' });
      expect(result.failed.map((f) => f.incidentId)).toContain(a);
      expect(result.failed.find((f) => f.incidentId === a)?.error).toContain('TypeError: an unforeseen shape');
      expect(result.sent.some((s) => s.incidentId === b)).toBe(true);
    } finally {
      await t.cleanup();
    }
  });
});
