/**
 * vpol (s28 item 1): verify could not tell an honest policy change from a due time moved behind the
 * pipeline. A record's due time is computed under the policy at each write, and nothing said under
 * which one: after the operator changed the reminders, every open record was named as a due time
 * "later than what falls due", exit 1, the same words as a due time moved by hand, and the operator
 * had to run `sweep --reindex` by hand.
 *
 * Now the record names the policy its due time was set under (`dueUnder`, a digest of the settings
 * that decide due times), the sweep keeps in the store the policy it last set every due time under
 * (with those settings), and sets due times again itself when the policy in force differs. verify
 * judges a record under the policy that set its due time and names a changed policy as its own
 * finding, not as tampering.
 */

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { resetForPolicy } from '../../handlers/core/due-index.js';
import { duePolicyDigest } from '../../handlers/core/due-policy.js';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { nextDueAt } from '../../handlers/core/schedule.js';
import { sweep } from '../../handlers/core/sweep.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';
import { takenIncident } from '../support/taken-incident.js';
import { rechainSqlite } from '../support/tamper.js';

// The built-in policy with one reminder added, 70 hours before the AP deadline.
const withReminder = parsePolicy({ reminders: { beforeDeadlineHours: [70, 48, 24, 12, 4, 1] } });
const now = '2026-11-27T21:05:00.000Z';

describe('a due time under a policy changed since it was set', () => {
  let store: SqliteIncidentStore;
  let dir: string;
  let cleanup: () => Promise<void>;
  let id: string;

  beforeEach(async () => {
    ({ store, dir, cleanup } = tempSqliteStore());
    // Taken: no page falls due before the reminders.
    id = await takenIncident(store, now);
  });
  afterEach(async () => cleanup());

  const sweepUnder = (policy: Policy) => sweep({ store, policy, now: () => now });
  const stored = async () => (await store.getIncident(id))?.nextDueAt;

  it("a sweep already out of its invocation's time reads no incident for the pass, and keeps no mark: the next sweep begins it", async () => {
    const pass = await resetForPolicy({ store, policy: withReminder, now: () => now }, { outOfTime: () => true });
    expect(pass).toMatchObject({ read: 0, complete: false, reset: [] });
    expect(await store.duePolicyMark()).toBeNull();
  });

  it('the record names the policy its due time was set under', async () => {
    expect((await store.getIncident(id))?.dueUnder).toBe(duePolicyDigest(DEFAULT_POLICY));
    expect(duePolicyDigest(withReminder)).not.toBe(duePolicyDigest(DEFAULT_POLICY));
  });

  it('is named as a policy change, not as tampering, held to the policy that set it; the next sweep sets it again itself', async () => {
    // The pipeline's sweep under the built-in policy: it keeps in the store that it set every due time under it.
    expect((await sweepUnder(DEFAULT_POLICY)).failed).toEqual([]);
    const before = await verifyStore(store, { only: id, now, policy: withReminder });
    expect(before.problems).toEqual([]);
    expect(before.duePolicy?.loaded).toBe(duePolicyDigest(withReminder));
    expect(before.duePolicy?.swept?.digest).toBe(duePolicyDigest(DEFAULT_POLICY));
    const incident = await store.getIncident(id);
    expect(before.duePolicy?.changed).toEqual([
      { incidentId: id, dueUnder: duePolicyDigest(DEFAULT_POLICY), nextDueAt: await stored(), due: nextDueAt(incident as never, withReminder), judged: true },
    ]);

    // The policy changed: the sweep under it sets the due time again, with an entry saying why. No --reindex.
    const swept = await sweepUnder(withReminder);
    expect(swept.failed).toEqual([]);
    expect(swept.duePolicy?.reset.map((r) => r.incidentId)).toEqual([id]);
    const entry = (await store.getTimeline(id)).filter((e) => e.kind === 'due-index-repaired').at(-1);
    expect(entry?.detail).toMatchObject({ policy: { was: duePolicyDigest(DEFAULT_POLICY), now: duePolicyDigest(withReminder) } });
    expect((entry?.detail as { reason?: string } | undefined)?.reason).toContain('the policy in force changed');
    expect((await store.getIncident(id))?.dueUnder).toBe(duePolicyDigest(withReminder));
    const after = await verifyStore(store, { only: id, now, policy: withReminder });
    expect(after.problems).toEqual([]);
    expect(after.duePolicy?.changed).toEqual([]);
    // A second sweep has nothing left to set again.
    expect((await sweepUnder(withReminder)).duePolicy).toBeUndefined();
  });

  it('a verifier that loaded another policy than the pipeline: held to the policy that set it, said, not failed', async () => {
    await sweepUnder(withReminder);
    const result = await verifyStore(store, { only: id, now, policy: DEFAULT_POLICY });
    expect(result.problems).toEqual([]);
    expect(result.duePolicy?.swept?.digest).toBe(duePolicyDigest(withReminder));
  });

  it('a due time moved later behind the pipeline under the policy that set it is named as moved, with no reading of a policy change', async () => {
    await sweepUnder(DEFAULT_POLICY);
    const db = new Database(join(dir, STORE_FILE));
    rechainSqlite(db, id, (r) => Object.assign(r, { nextDueAt: '2026-12-20T21:00:00.000Z' }));
    db.prepare('UPDATE incidents SET next_due_at = ? WHERE id = ?').run('2026-12-20T21:00:00.000Z', id);
    db.close();
    for (const policy of [DEFAULT_POLICY, withReminder]) {
      const [problem, ...rest] = (await verifyStore(store, { only: id, now, policy })).problems;
      expect(rest).toEqual([]);
      expect(problem.problem).toContain('its due time (2026-12-20T21:00:00.000Z) is later than what falls due on its record under the policy it was set under');
      expect(problem.problem).toContain('moved or taken off behind the pipeline');
      expect(problem.problem).not.toContain('If the policy changed');
    }
  });

  it('a due time moved later with the policy it names made up, after the sweep set every due time under the policy in force: named', async () => {
    await sweepUnder(DEFAULT_POLICY);
    const db = new Database(join(dir, STORE_FILE));
    rechainSqlite(db, id, (r) => Object.assign(r, { nextDueAt: '2026-12-20T21:00:00.000Z', dueUnder: 'f'.repeat(64) }));
    db.prepare('UPDATE incidents SET next_due_at = ? WHERE id = ?').run('2026-12-20T21:00:00.000Z', id);
    db.close();
    const [problem, ...rest] = (await verifyStore(store, { only: id, now, policy: DEFAULT_POLICY })).problems;
    expect(rest).toEqual([]);
    expect(problem.problem).toContain('it says it was set under policy ffffffffffff');
    expect(problem.problem).toContain('which the sweep set every due time under');
  });

  it('a record stored before records named their policy is judged as before, and says so', async () => {
    const db = new Database(join(dir, STORE_FILE));
    rechainSqlite(db, id, (r) => {
      delete r.dueUnder;
    });
    db.close();
    expect((await verifyStore(store, { only: id, now, policy: DEFAULT_POLICY })).problems).toEqual([]);
    const [problem] = (await verifyStore(store, { only: id, now, policy: withReminder })).problems;
    expect(problem.problem).toContain('stored before records named the policy their due time was set under');
    // The sweep under the policy in force sets it again, as the reindex did.
    expect((await sweepUnder(withReminder)).duePolicy?.reset.map((r) => r.incidentId)).toEqual([id]);
    expect((await verifyStore(store, { only: id, now, policy: withReminder })).problems).toEqual([]);
  });
});

describe('the settings the digest covers', () => {
  /** The policy's keys `read` reads, as dotted paths (an array read as a whole). */
  function readPaths(policy: Policy, read: (p: Policy) => void): Set<string> {
    const paths = new Set<string>();
    const wrap = (value: object, path: string): object =>
      new Proxy(value, {
        get(target, key, receiver) {
          const got = Reflect.get(target, key, receiver);
          if (typeof key !== 'string') return got;
          const at = path ? `${path}.${key}` : key;
          if (got !== null && typeof got === 'object' && !Array.isArray(got)) return wrap(got, at);
          paths.add(at);
          return got;
        },
      });
    read(wrap(policy, '') as Policy);
    return paths;
  }
  const covered = [
    'apDeadlineHours',
    'reminders',
    'clocks',
    'organisation.processor',
    'organisation.financialUndertaking',
    'onCall.escalation',
    'onCall.provider',
    'onCall.quietHours',
    'timeZone',
  ];
  const inDigest = (path: string) => covered.some((c) => path === c || path.startsWith(`${c}.`));

  it('are every setting the schedule reads to set a due time', async () => {
    const { store, cleanup } = tempSqliteStore();
    try {
      const policy = parsePolicy({ clocks: { nis2: true, telecom: true }, onCall: { quietHours: { from: '22:00', to: '07:00' } } });
      const deps = { store, policy, now: () => now, canEnforce: false };
      const recorded = await recordEvent(deps, findingEvent({ id: 'due-2', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-due2' }));
      const incident = await store.getIncident(recorded.incidentId as string);
      const read = readPaths(policy, (p) => {
        nextDueAt(incident as never, p);
        nextDueAt({ ...(incident as object), acknowledgedBy: 'anna', acknowledgedAt: now } as never, p);
      });
      expect(read.size).toBeGreaterThan(3);
      expect([...read].filter((path) => !inDigest(path))).toEqual([]);
      // And the channels of reminders (who is told) move no due time: left out.
      expect(duePolicyDigest(parsePolicy({ reminders: { nis2To: ['fg', 'on-call'] } }))).toBe(duePolicyDigest(DEFAULT_POLICY));
      expect(duePolicyDigest(parsePolicy({ organisation: { name: 'Acme' } }))).toBe(duePolicyDigest(DEFAULT_POLICY));
    } finally {
      await cleanup();
    }
  });
});
