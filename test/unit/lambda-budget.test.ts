/**
 * Each Lambda function that commits an incident bounds its tries by its own invocation's time
 * (review7 K6 and its storm gaps): the record, sweep, acknowledge and link-apply functions take their
 * deadline from their Lambda context, through one rule (core/conflict-retry.ts untilDeadline), and
 * what they could not do in time is answered or left for the next run, never cut off by a timeout.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signAckLink } from '../../handlers/core/ack-link.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { KEEP_AFTER_COMMIT_MS, MAX_CONFLICT_ATTEMPTS } from '../../handlers/core/conflict-retry.js';
import { ConflictError } from '../../handlers/core/errors.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { KEEP_AFTER_SWEEP_MS, sweep } from '../../handlers/core/sweep.js';
import { createAcknowledgeHandler } from '../../handlers/lambda/acknowledge.js';
import { createLinkApplyHandler } from '../../handlers/lambda/link-apply.js';
import { createRecordHandler } from '../../handlers/lambda/record.js';
import { createSweepHandler } from '../../handlers/lambda/sweep.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent } from '../support/events.js';
import { capturingLogger, errorLines } from '../support/logs.js';
import { memoryIdempotency } from '../support/memory-idempotency.js';
import { exposedFleet, FLEET_AT, ISOLATE_ON_SNS } from '../support/pager-incident.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = () => '2026-11-27T10:00:00.000Z';

/** A Lambda context with `ms` left, counted down by the clock (a fake one where the test fakes Date). */
const invocation = (ms: number) => {
  const end = Date.now() + ms;
  return { awsRequestId: 'req-1', functionName: 'fn', getRemainingTimeInMillis: () => end - Date.now() };
};

type Change = Parameters<IncidentStore['commit']>[0];

/** `t.store` with each commit made through `commit`, which gets the change and the store itself. */
function withCommit(commit: (change: Change, store: IncidentStore) => Promise<unknown>): IncidentStore {
  return new Proxy(t.store, {
    get(target, prop) {
      if (prop === 'commit') return (change: Change) => commit(change, target);
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** `t.store` with its commit refused as a lost race `times` times first (nothing written), the rest passed on. */
function losing(times: number) {
  const counted = { commits: 0 };
  const store = withCommit(async (change, target) => {
    counted.commits += 1;
    if (counted.commits <= times) throw new ConflictError('another writer changed the incident first');
    return target.commit(change);
  });
  return { store, counted };
}

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await t.cleanup();
});

const quiet = { notifier: { deliver: async () => {} }, publisher: { publish: async () => {} } };

describe('the record function', () => {
  it('near its deadline still makes the quick tries every function with a deadline makes (one rule, untilDeadline), instead of failing at its first lost race', async () => {
    const lines: string[] = [];
    const { store, counted } = losing(3);
    const record = createRecordHandler({
      ...quiet,
      store,
      policy: DEFAULT_POLICY,
      now: NOW,
      logger: capturingLogger(lines),
      persistenceStore: memoryIdempotency(),
    });
    // Less left than the time kept after the commit: no pause fits.
    const summary = await record(findingEvent({ id: 'late' }), invocation(KEEP_AFTER_COMMIT_MS / 2));
    expect(summary.outcome).toBe('opened');
    expect(counted.commits).toBe(4);
    expect(counted.commits).toBeLessThanOrEqual(MAX_CONFLICT_ATTEMPTS);
  });
});

/** 48 hours before the AP deadline of incidents detected at NOW (+ 72 h): their first reminder is due. */
const SWEEP_AT = () => '2026-11-28T11:00:00.000Z';

/** Three incidents whose first AP reminder is due at SWEEP_AT, in the order the store lists them due. */
async function threeDue(): Promise<string[]> {
  const ids: string[] = [];
  for (const n of [1, 2, 3]) {
    const r = await recordEvent(
      { store: t.store, policy: DEFAULT_POLICY, now: NOW, canEnforce: false },
      findingEvent({ id: `due-${n}`, instanceId: `i-due-${n}` }),
    );
    ids.push(r.incidentId as string);
  }
  return (await t.store.listDue(SWEEP_AT())).map((i) => i.id).filter((id) => ids.includes(id));
}

/** `t.store`, each commit of which takes `ms` of the (fake) clock. */
function slowCommits(ms: number): IncidentStore {
  return withCommit(async (change, target) => {
    vi.setSystemTime(Date.now() + ms);
    return target.commit(change);
  });
}

/** The reminders queued in each incident's outbox by the sweeps at SWEEP_AT. */
const queuedBySweep = async (ids: string[]) =>
  Promise.all(ids.map(async (id) => (await t.store.listMessages(id)).filter((m) => m.createdAt === SWEEP_AT()).length));

describe('the sweep function', () => {
  it('starts no incident once its invocation is near its end: those it did not reach stay due, untouched, and the next sweep sends them, each once', async () => {
    const ids = await threeDue();
    vi.useFakeTimers({ toFake: ['Date'] });
    const lines: string[] = [];
    const published: { incidentId: string }[] = [];
    const handler = createSweepHandler({
      ...quiet,
      publisher: { publish: async (events) => void published.push(...events) },
      store: slowCommits(20_000),
      policy: DEFAULT_POLICY,
      now: SWEEP_AT,
      logger: capturingLogger(lines),
    });
    // Time for two incidents' commits (20 s each) before the time it keeps for what follows them.
    const context = invocation(KEEP_AFTER_SWEEP_MS + 30_000);
    await expect(handler({}, context)).rejects.toThrow(/1 incident\(s\) not reached/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    // Those it swept are announced; the one it did not reach is left as it was.
    expect([...new Set(published.map((e) => e.incidentId))]).toEqual(ids.slice(0, 2));
    const [one, two, none] = await queuedBySweep(ids);
    expect(one).toBeGreaterThan(0);
    expect([two, none]).toEqual([one, 0]);
    expect((await t.store.getIncident(ids[2]))?.reminders.lastDueAt).toBeFalsy();
    expect(errorLines(lines).join('\n')).toMatch(/"notReached":1/);
    // The next sweep reaches it; the two already swept send nothing again.
    const next = await sweep({ store: t.store, policy: DEFAULT_POLICY, now: SWEEP_AT });
    expect([...new Set(next.sent.map((s) => s.incidentId))]).toEqual([ids[2]]);
    expect(await queuedBySweep(ids)).toEqual([one, one, one]);
  });

  it('marks every incident its summary page named as named in it, though past that point: the next sweep does not name them again', async () => {
    const ids = await exposedFleet(t.store, 3, 'late');
    // Long after the interfaces were left open: every first repeat is stale, named in one summary.
    const later = () => FLEET_AT(30 * 24 * 60);
    const summaries = async () => (await Promise.all(ids.map((id) => t.store.listMessages(id)))).flat().filter((m) => m.id.includes('exposed-summary'));
    vi.useFakeTimers({ toFake: ['Date'] });
    // Time for the carrier's commit (20 s) only.
    const first = await sweep({ store: slowCommits(20_000), policy: ISOLATE_ON_SNS, now: later, deadline: Date.now() + KEEP_AFTER_SWEEP_MS + 10_000 });
    expect(await summaries()).toHaveLength(1);
    expect(first.notReached).toEqual([]);
    vi.useRealTimers();
    await sweep({ store: t.store, policy: ISOLATE_ON_SNS, now: () => FLEET_AT(30 * 24 * 60 + 1) });
    expect(await summaries()).toHaveLength(1);
  });

  it('starts no re-send of a message older than a lease past that point either: those left stay pending, unclaimed, and the next sweep sends them, each once', async () => {
    // Three incidents' messages, queued at NOW and never sent (the events that should have sent them were lost).
    for (const n of [1, 2, 3])
      await recordEvent({ store: t.store, policy: DEFAULT_POLICY, now: NOW, canEnforce: false }, findingEvent({ id: `lost-${n}`, instanceId: `i-lost-${n}` }));
    const waiting = (await t.store.pendingMessages()).map((m) => m.id);
    expect(waiting.length).toBeGreaterThan(3);
    vi.useFakeTimers({ toFake: ['Date'] });
    const delivered: string[] = [];
    // Each delivery takes 10 s (a pager that answers slowly).
    const slow = {
      deliver: async (m: { id: string }) => {
        vi.setSystemTime(Date.now() + 10_000);
        delivered.push(m.id);
      },
    };
    // Past a lease after they were queued, nothing else due.
    const later = () => '2026-11-27T10:10:00.000Z';
    const handler = createSweepHandler({ ...quiet, notifier: slow, store: t.store, policy: DEFAULT_POLICY, now: later, logger: capturingLogger([]) });
    // Time for three re-sends before the point where the sweep starts nothing more.
    const context = invocation(KEEP_AFTER_SWEEP_MS + 25_000);
    await expect(handler({}, context)).rejects.toThrow(/message\(s\) not re-sent for want of time/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(delivered).toEqual(waiting.slice(0, 3));
    // The rest are still waiting, and no claim holds them: the next sender takes them at once.
    expect((await t.store.pendingMessages()).map((m) => m.id)).toEqual(waiting.slice(3));
    vi.useRealTimers();
    const next = createSweepHandler({ ...quiet, notifier: slow, store: t.store, policy: DEFAULT_POLICY, now: later, logger: capturingLogger([]) });
    await next({}, invocation(600_000));
    expect(delivered).toEqual(waiting);
  });

  it('pauses after a lost commit only while the pause ends before that point: a storm on one incident does not take the sweep past it', async () => {
    const [id] = await threeDue();
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    vi.spyOn(Math, 'random').mockReturnValue(0.99);
    // Another writer always wins the incident.
    const stormy = withCommit(async (change, target) => {
      if (change.incident.id === id) throw new ConflictError(`another writer changed incident ${id} first`);
      return target.commit(change);
    });
    // Less than ten paced tries' pauses (about 7 s) before the point where it stops starting incidents.
    const deadline = Date.now() + KEEP_AFTER_SWEEP_MS + 2_000;
    const run = sweep({ store: stormy, policy: DEFAULT_POLICY, now: SWEEP_AT, deadline });
    await vi.runAllTimersAsync();
    const result = await run;
    expect(Date.now()).toBeLessThanOrEqual(deadline - KEEP_AFTER_SWEEP_MS);
    expect(result.failed.map((f) => f.incidentId)).toEqual([id]);
  });
});

/**
 * `t.store`, whose every commit of incident `id` another writer beats (it commits the incident
 * first, so the commit meets a real conflict) until `stormOver()` says the storm has passed.
 */
function storming(id: string, stormOver: () => boolean): IncidentStore {
  return withCommit(async (change, target) => {
    if (change.incident.id === id && !stormOver())
      await changeIncident({ store: target, policy: DEFAULT_POLICY, now: NOW }, id, () => ({ entries: [{ at: NOW(), kind: 'other-writer' }] }));
    return target.commit(change);
  });
}

/** An incident nobody acknowledged, and a clock and pauses faked so that a storm takes no time; the storm's end, from now. */
async function stormyIncident(stormMs: number) {
  const id = (
    await recordEvent({ store: t.store, policy: DEFAULT_POLICY, now: NOW, canEnforce: false }, findingEvent({ id: 'ack-storm', instanceId: 'i-ack' }))
  ).incidentId as string;
  vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
  // The longest pauses: ten paced tries then take about 7 s.
  vi.spyOn(Math, 'random').mockReturnValue(0.99);
  const ends = Date.now() + stormMs;
  return { id, store: storming(id, () => Date.now() >= ends) };
}

/** Runs `call` to its end on the fake clock. */
async function settled<T>(call: Promise<T>): Promise<T> {
  const done = call.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  const outcome = await done;
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

const ON_CALL = 'arn:aws:sts::123456789012:assumed-role/datalek-on-call/anna';
const ackRequest = (incidentId: string) => ({
  requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: ON_CALL } } },
  body: JSON.stringify({ incidentId }),
});

describe('the acknowledge function', () => {
  const handlerOn = (store: IncidentStore) =>
    createAcknowledgeHandler({
      ...quiet,
      store,
      policy: DEFAULT_POLICY,
      now: NOW,
      logger: capturingLogger([]),
      allowedPrincipals: ['arn:aws:sts::123456789012:assumed-role/datalek-on-call/*'],
    });

  it('waits out a storm longer than ten paced tries while its invocation has time, and records the acknowledgement', async () => {
    const { id, store } = await stormyIncident(12_000);
    const res = (await settled(handlerOn(store)(ackRequest(id), invocation(30_000)))) as { statusCode: number };
    expect(res.statusCode).toBe(200);
    expect((await t.store.getIncident(id))?.acknowledgedBy).toBe(ON_CALL);
  });

  it('answers a storm that outlasts its time before the invocation ends: nothing recorded, acknowledge again (never a timeout with the state unknown)', async () => {
    const { id, store } = await stormyIncident(Number.POSITIVE_INFINITY);
    const context = invocation(30_000);
    const res = (await settled(handlerOn(store)(ackRequest(id), context))) as { statusCode: number; body: string };
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body).error).toMatch(/nothing (was )?recorded.*again/i);
    expect((await t.store.getIncident(id))?.acknowledgedBy).toBeFalsy();
  });
});

describe('the link-apply function', () => {
  const KEY = Buffer.from('k'.repeat(40) + 'Z'.repeat(24), 'utf8');
  const ORIGIN = 'https://abcdefghij0123456789abcdefghij01.lambda-url.eu-west-1.on.aws';
  const press = (incidentId: string) => {
    const token = signAckLink(KEY, { incidentId, level: 'on-call', round: 0, expiresAt: '2026-11-27T10:30:00.000Z' });
    return { method: 'POST', origin: ORIGIN, path: `/ack/${token}`, lang: 'en', headers: { origin: ORIGIN }, form: { by: 'Anna', note: '' } };
  };
  const handlerOn = (store: IncidentStore) =>
    createLinkApplyHandler({ ...quiet, store, policy: DEFAULT_POLICY, now: NOW, logger: capturingLogger([]), linkKey: async () => KEY });

  it('waits out a storm longer than ten paced tries while its invocation has time', async () => {
    const { id, store } = await stormyIncident(8_000);
    const answer = (await settled(handlerOn(store)(press(id), invocation(20_000)))) as { status: number };
    expect(answer.status).toBe(200);
    expect((await t.store.getIncident(id))?.acknowledgedBy).toBeTruthy();
  });

  it('answers a press it cannot record in time with a page that says nothing changed and to press again, before the invocation ends', async () => {
    const { id, store } = await stormyIncident(Number.POSITIVE_INFINITY);
    const context = invocation(20_000);
    const answer = (await settled(handlerOn(store)(press(id), context))) as { status: number; body: string };
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(answer.status).toBe(503);
    expect(answer.body).toContain('Nothing changed.');
    expect(answer.body).toMatch(/open the link again and press the button/i);
    const incident = await t.store.getIncident(id);
    expect(incident?.acknowledgedBy).toBeFalsy();
    expect(incident?.ackLinksUsed ?? []).toEqual([]);
  });
});
