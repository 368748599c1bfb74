/**
 * review7 K6, for every change but the record function's: the contain function's steps, the sweep,
 * the FG's and on-call's changes all commit through change-incident.ts. In a storm of findings on
 * one incident other writers keep winning the race for it; ten tries in a row with no pause were used
 * up at once, so a containment step (or the sweep's) failed while the storm lasted. A lost commit
 * now pauses as conflict-retry.ts says and tries again; one that still loses fails as before.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { changeIncident, changeIncidents } from '../../handlers/core/change-incident.js';
import { backoffRetry, MAX_CONFLICT_ATTEMPTS } from '../../handlers/core/conflict-retry.js';
import { runContainment } from '../../handlers/core/contain.js';
import { ConflictError } from '../../handlers/core/errors.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const POLICY = parsePolicy({});
const NOW = () => '2026-11-27T10:00:00.000Z';

let t: ReturnType<typeof tempSqliteStore>;
let id: string;
const note = (kind: string) => () => ({ entries: [{ at: NOW(), kind, actor: 'on-call' }] });

beforeEach(async () => {
  t = tempSqliteStore();
  id = (await recordEvent({ store: t.store, policy: POLICY, now: NOW, canEnforce: false }, findingEvent({ id: 'storm-0', instanceId: 'i-storm' })))
    .incidentId as string;
});
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await t.cleanup();
});

/**
 * `t.store`, whose every commit another writer beats (it commits the incident first, so the commit
 * meets a real conflict) until `stormOver()` says the storm has passed; `commits` counts them.
 */
function storming(stormOver: () => boolean) {
  const counted = { commits: 0 };
  const store: IncidentStore = new Proxy(t.store, {
    get(target, prop) {
      if (prop === 'commit')
        return async (change: Parameters<IncidentStore['commit']>[0]) => {
          counted.commits += 1;
          if (!stormOver()) await changeIncident({ store: target, policy: POLICY, now: NOW }, id, note('other-writer'));
          return target.commit(change);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, counted };
}

/** A retry whose pauses advance `clock.ms` instead of taking time, their random share fixed. */
function pacedOn(clock: { ms: number }, random: number, budgetMs?: number) {
  return backoffRetry({
    random: () => random,
    sleep: async (ms) => {
      clock.ms += ms;
    },
    ...(budgetMs === undefined ? {} : { timeLeft: () => budgetMs - clock.ms }),
  });
}

it('waits out a storm that outlasts ten tries in a row, and records the change once', async () => {
  // The pauses run on a fake clock, their random share fixed: tries in a row take no time at all.
  vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
  vi.spyOn(Math, 'random').mockReturnValue(0.5);
  const stormEnds = Date.now() + 1_000;
  const { store, counted } = storming(() => Date.now() >= stormEnds);
  const change = changeIncident({ store, policy: POLICY, now: NOW }, id, note('storm-note'));
  await vi.runAllTimersAsync();
  const { changed } = await change;
  expect(changed).toBe(true);
  expect(counted.commits).toBeGreaterThan(1);
  const timeline = await t.store.getTimeline(id);
  expect(timeline.filter((e) => e.kind === 'storm-note')).toHaveLength(1);
});

it('changes of several incidents at once wait out the storm too', async () => {
  const clock = { ms: 0 };
  const { store } = storming(() => clock.ms >= 1_000);
  const conflictRetry = pacedOn(clock, 0.5);
  const { changed } = await changeIncidents({ store, policy: POLICY, now: NOW, conflictRetry }, [id], () => [note('storm-note')()]);
  expect(changed).toBe(true);
});

it('with a time budget (a Lambda invocation) tries on past MAX_CONFLICT_ATTEMPTS while it has time', async () => {
  const clock = { ms: 0 };
  // Longer than MAX_CONFLICT_ATTEMPTS paced tries take (their pauses stay under 7.2 s).
  const { store, counted } = storming(() => clock.ms >= 30_000);
  const conflictRetry = pacedOn(clock, 0.99, 60_000);
  const { changed } = await changeIncident({ store, policy: POLICY, now: NOW, conflictRetry }, id, note('storm-note'));
  expect(changed).toBe(true);
  expect(counted.commits).toBeGreaterThan(MAX_CONFLICT_ATTEMPTS);
});

it('fails with the conflict when the storm outlasts its tries, and writes nothing of its change', async () => {
  const clock = { ms: 0 };
  const { store, counted } = storming(() => false);
  const conflictRetry = pacedOn(clock, 0.5);
  await expect(changeIncident({ store, policy: POLICY, now: NOW, conflictRetry }, id, note('storm-note'))).rejects.toThrow(ConflictError);
  expect(counted.commits).toBe(MAX_CONFLICT_ATTEMPTS);
  expect(clock.ms).toBeGreaterThan(0);
  expect((await t.store.getTimeline(id)).filter((e) => e.kind === 'storm-note')).toEqual([]);
});

it("the contain function's run waits out a storm longer than ten paced tries, for as long as its invocation has time", async () => {
  const policy = parsePolicy({ containment: { rules: [{ action: 'contain-workload', findingTypes: ['Backdoor:*'], minSeverity: 1, mode: 'enforce' }] } });
  const recorded = await recordEvent(
    { store: t.store, policy, now: NOW, canEnforce: true },
    findingEvent({ id: 'storm-hot', type: 'Backdoor:EC2/C&CActivity.B', severity: 8, resource: instanceResource('i-0123456789abcdef0') }),
  );
  id = recorded.incidentId as string;
  const isolates: Containment = {
    canEnforce: true,
    async execute(action, ctx) {
      await ctx.record({ name: action.type, status: 'done', at: NOW() });
    },
    async release() {},
  };
  vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
  vi.spyOn(Math, 'random').mockReturnValue(0.99);
  // Longer than MAX_CONFLICT_ATTEMPTS paced tries take (their pauses stay under 7.2 s); the function has 5 minutes.
  const stormEnds = Date.now() + 30_000;
  const { store, counted } = storming(() => Date.now() >= stormEnds);
  const run = runContainment({ store, policy, now: NOW, containment: isolates }, id, { deadline: Date.now() + 5 * 60_000 });
  await vi.runAllTimersAsync();
  const result = await run;
  expect(result.actions.map((a) => a.status)).toEqual(['done']);
  expect(counted.commits).toBeGreaterThan(MAX_CONFLICT_ATTEMPTS);
});

it('a sweep waits out a storm on an incident whose reminder is due, instead of giving up after ten tries in a row', async () => {
  const clock = { ms: 0 };
  const { store } = storming(() => clock.ms >= 1_000);
  // 48 hours before the AP deadline (detection + 72 h): the first reminder is due.
  const result = await sweep({ store, policy: POLICY, now: () => '2026-11-28T11:00:00.000Z', conflictRetry: pacedOn(clock, 0.5) });
  expect(result.failed).toEqual([]);
  expect(result.sent.map((s) => s.incidentId)).toContain(id);
});
