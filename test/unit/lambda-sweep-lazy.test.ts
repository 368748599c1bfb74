/**
 * The sweep function as its entry builds it (lambda/lazy-deps.ts createLambdaDeps, perf10): the
 * notifier (SNS, the pager) and the publisher (EventBridge) are loaded on first use, once per
 * container, and a load that failed is tried again on the next use, never kept for the container's
 * life (a Lambda container serves sweeps for hours: a kept rejection would fail every one of them).
 * Their modules are replaced (vi.mock) to count the loads and to fail one; the store is the
 * embedded one (the handler is the same on either).
 *
 * And the sweep stopped at its stop point (lambda/sweep.ts, storm10): it fails the invocation, so
 * Lambda retries it (RETRY_ATTEMPTS, infra/constructs/response-function.ts; every queued function's
 * retry is checked in test/infra/alarm-paths.test.ts); when the retries stop there too, nothing is
 * lost: the re-sends stay pending, unclaimed, and the next sweep on the schedule sends each once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AwsConfig } from '../../handlers/adapters/aws/config.js';
import type { OutboxMessage } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { KEEP_AFTER_SWEEP_MS } from '../../handlers/core/sweep.js';
import { addMinutes } from '../../handlers/core/time.js';
import { createLambdaDeps } from '../../handlers/lambda/lazy-deps.js';
import { createSweepHandler } from '../../handlers/lambda/sweep.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

/**
 * What the replaced modules saw: how often each was loaded (vitest, as Node, keeps a module once
 * loaded: only a failed load is loaded again) and made into a notifier or publisher, what they
 * sent, and whether a load is to fail.
 */
const seen = vi.hoisted(() => ({
  loads: { notifier: 0, publisher: 0 },
  made: { notifier: 0, publisher: 0 },
  failLoad: { notifier: false, publisher: false },
  delivered: [] as string[],
  published: [] as string[],
}));

vi.mock('../../handlers/lambda/notifier.js', () => {
  seen.loads.notifier += 1;
  if (seen.failLoad.notifier) throw new Error('the notifier chunk could not be loaded');
  return {
    snsNotifier: () => {
      seen.made.notifier += 1;
      return { deliver: async (m: OutboxMessage) => void seen.delivered.push(m.id) };
    },
  };
});
vi.mock('../../handlers/lambda/publisher.js', () => {
  seen.loads.publisher += 1;
  if (seen.failLoad.publisher) throw new Error('the publisher chunk could not be loaded');
  return {
    eventBridgePublisher: () => {
      seen.made.publisher += 1;
      return {
        publish: async (events: { type: string; incidentId: string }[]) => void seen.published.push(...events.map((e) => `${e.type} ${e.incidentId}`)),
      };
    },
  };
});

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const T0 = '2026-11-28T02:00:00.000Z';
const config: AwsConfig = {
  region: 'eu-west-1',
  table: 'datalek-incidents',
  idempotencyTable: 'datalek-idempotency',
  topics: { fg: 'arn:aws:sns:eu-west-1:111122223333:fg', 'on-call': 'arn:aws:sns:eu-west-1:111122223333:on-call' },
  busName: 'datalek',
  policy,
  containmentRoleName: 'datalek-containment',
};

let t: ReturnType<typeof tempSqliteStore>;
let clock = T0;
/** The sweep function as a container runs it: one set of deps for every invocation. */
let sweep: ReturnType<typeof createSweepHandler>;
beforeEach(() => {
  t = tempSqliteStore();
  clock = T0;
  seen.made = { notifier: 0, publisher: 0 };
  seen.delivered = [];
  seen.published = [];
  // The client is never called: the store here is the embedded one.
  const deps = createLambdaDeps(config, new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' } }));
  sweep = createSweepHandler({ ...deps, store: t.store, now: () => clock });
});
afterEach(async () => t.cleanup());

/** A high-severity finding recorded at `at`: it pages on-call (its messages left pending: no notify function here). */
async function recorded(n: number, at: string): Promise<string> {
  const r = await recordEvent(
    { store: t.store, policy, now: () => at, canEnforce: false },
    findingEvent({ id: `lazy${n}`.padEnd(32, '0'), severity: 8, instanceId: `i-0lazy${n}` }),
  );
  return r.incidentId as string;
}

/** An invocation with `ms` of its time left (Lambda's context). */
const left = (ms: number) => ({ awsRequestId: 'r', functionName: 'datalek-sweep', getRemainingTimeInMillis: () => ms });

// In this order: the modules are loaded once in the file, as in a container.
describe('the sweep function’s lazy notifier and publisher', () => {
  it('loads neither when nothing is due or waiting', async () => {
    await sweep(undefined, left(120_000));
    expect(seen.loads).toEqual({ notifier: 0, publisher: 0 });
    expect(seen.made).toEqual({ notifier: 0, publisher: 0 });
  });

  it('tries a load that failed again on the next invocation that needs it, never keeping the failure: what waited is sent then', async () => {
    const id = await recorded(1, T0);
    const opened = (await t.store.listMessages(id)).map((m) => m.id);
    clock = addMinutes(T0, 60);
    seen.failLoad = { notifier: true, publisher: true };
    // Something is due: the publisher's load fails, and the invocation with it.
    // (vitest wraps the module's error in one of its own.)
    await expect(sweep(undefined, left(120_000))).rejects.toMatchObject({ cause: { message: 'the publisher chunk could not be loaded' } });
    // Lambda's retry: the reminders are queued already; the messages waiting past their lease need the notifier, whose load fails.
    clock = addMinutes(clock, 1);
    await expect(sweep(undefined, left(120_000))).rejects.toThrow(/message\(s\) not delivered/);
    expect(seen.delivered).toEqual([]);
    seen.failLoad = { notifier: false, publisher: false };
    // The second retry, in the same container: the notifier is loaded now, and what waited is sent.
    clock = addMinutes(clock, 2);
    await sweep(undefined, left(120_000));
    expect(seen.delivered).toEqual(expect.arrayContaining(opened));
    // The next sweep with something due: the publisher is loaded now, and publishes.
    const second = await recorded(2, clock);
    clock = addMinutes(clock, 60);
    await sweep(undefined, left(120_000));
    expect(seen.published).toContain(`Reminder Due ${second}`);
    // Tried again at each use: in the failing retry once per message waiting, then once for good.
    expect(seen.loads).toEqual({ notifier: opened.length + 1, publisher: 2 });
  });

  it('makes each once per container, on first use: one notifier and one publisher for every invocation after', async () => {
    const first = await recorded(1, T0);
    clock = addMinutes(T0, 60);
    await sweep(undefined, left(120_000));
    const second = await recorded(2, clock);
    clock = addMinutes(clock, 60);
    await sweep(undefined, left(120_000));
    expect(seen.published).toEqual(expect.arrayContaining([`Reminder Due ${first}`, `Reminder Due ${second}`]));
    const waited = (await t.store.listMessages(first)).filter((m) => m.createdAt === T0).map((m) => m.id);
    expect(seen.delivered).toEqual(expect.arrayContaining(waited));
    expect(seen.made).toEqual({ notifier: 1, publisher: 1 });
  });
});

describe('a sweep stopped at its stop point, and its retries stopped too', () => {
  it('fails each invocation (for Lambda’s retry), and loses nothing: the next sweep sends each re-send once and sweeps what was due', async () => {
    const id = await recorded(1, T0);
    const waiting = (await t.store.listMessages(id)).map((m) => m.id);
    expect(waiting.length).toBeGreaterThan(0);
    clock = addMinutes(T0, 60);
    // The invocation and Lambda's two retries (a minute, then two apart), each with no time left past the stop point.
    for (const after of [0, 1, 2]) {
      clock = addMinutes(clock, after);
      await expect(sweep(undefined, left(KEEP_AFTER_SWEEP_MS))).rejects.toThrow(/not re-sent for want of time, left pending/);
    }
    expect(seen.delivered).toEqual([]);
    expect(seen.published).toEqual([]);
    // The claims were given back: the next sweep on the schedule need not wait out their lease.
    expect((await t.store.pendingMessages()).map((m) => m.id).sort()).toEqual([...waiting].sort());
    clock = addMinutes(clock, 5);
    await sweep(undefined, left(120_000));
    expect([...seen.delivered].sort()).toEqual([...waiting].sort());
    expect(seen.published).toContain(`Reminder Due ${id}`);
    expect((await t.store.listMessages(id)).filter((m) => waiting.includes(m.id)).every((m) => m.sentAt)).toBe(true);
    // And once only: a later sweep sends none of them again.
    clock = addMinutes(clock, 5);
    await sweep(undefined, left(120_000)).catch(() => undefined);
    expect([...seen.delivered].sort()).toEqual([...waiting].sort());
  });
});
