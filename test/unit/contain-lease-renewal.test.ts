/**
 * A containment run without a deadline (`datalek contain`, `replay --enforce` on AWS) holds its
 * incident by a lease of 15 minutes. A run that works longer renews it as it records each step, so
 * a merge never takes the incident from under a live run; a run that lost its lease all the same
 * (its process stalled past it, another run took it) stops taking new steps and records where.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { runContainment } from '../../handlers/core/contain.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const POLICY = parsePolicy({
  containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] },
});
const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();
const INSTANCE = 'i-0e5f60718293a4b5c';

const keyEvent = () => JSON.parse(readFileSync('events/07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json', 'utf8'));
/** Event 28: the attack sequence naming the key's incident's key and the backdoor's instance (seen at minute `m`). */
function sequenceAt(m: number) {
  const seq = JSON.parse(readFileSync('events/28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents.json', 'utf8'));
  seq.detail.createdAt = T(m - 1);
  seq.detail.updatedAt = T(m);
  return seq;
}
const backdoor = (id: string, instanceId = INSTANCE) =>
  findingEvent({ id, type: 'Backdoor:EC2/C&CActivity.B', accountId: '111122223333', resource: instanceResource(instanceId), createdAt: T(4) });

describe('a containment run longer than its lease', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const clock = { now: T(0) };
  const deps = () => ({ store: t.store, policy: POLICY, now: () => clock.now, canEnforce: true });
  beforeEach(() => {
    t = tempSqliteStore();
    clock.now = T(0);
  });
  afterEach(async () => t.cleanup());

  /** A signal a test awaits, and what sets it. */
  function signal(): { done: Promise<void>; set: () => void } {
    let set: () => void = () => {};
    const done = new Promise<void>((r) => {
      set = r;
    });
    return { done, set };
  }

  /** An adapter of three steps that waits before each of the first two until the test lets it go on, at the minute the test sets. */
  function pausing() {
    const entered = signal();
    const first = signal();
    const inStep = signal();
    const second = signal();
    const adapter: Containment = {
      canEnforce: true,
      async execute(_action, ctx) {
        entered.set();
        await first.done;
        await ctx.record({ name: 'capture-metadata', status: 'done', at: clock.now, detail: '1 interface' });
        inStep.set();
        await second.done;
        await ctx.record({ name: 'isolate', status: 'done', at: clock.now, detail: 'isolated' });
        await ctx.record({ name: 'revoke-credentials', status: 'done', at: clock.now, detail: 'revoked' });
      },
      async release() {},
    };
    return { adapter, entered: entered.done, first: first.set, inStep: inStep.done, resume: second.set };
  }

  it('renews its lease as it records its steps: a merge at minute 25 of a run begun at minute 5 links the incident, never merges it', async () => {
    const a = (await recordEvent(deps(), keyEvent())).incidentId as string;
    clock.now = T(5);
    const b = (await recordEvent(deps(), backdoor('b'.repeat(32)))).incidentId as string;
    const p = pausing();
    const run = runContainment({ ...deps(), containment: p.adapter }, b);
    await p.entered;
    // Taken at minute 5, the lease runs to 20.
    expect(((await t.store.getIncident(b)) as Incident).containmentLease?.until).toBe(T(20));
    clock.now = T(12);
    p.first();
    await p.inStep;
    // The first step was recorded at minute 12: the run holds the incident until 12 + 15.
    expect(((await t.store.getIncident(b)) as Incident).containmentLease?.until).toBe(T(27));
    clock.now = T(25);
    expect((await recordEvent(deps(), sequenceAt(25))).incidentId).toBe(a);
    p.resume();
    await run;
    const bAfter = (await t.store.getIncident(b)) as Incident;
    expect(bAfter.state).toBe('open');
    expect(bAfter.mergedInto ?? null).toBeNull();
    expect(bAfter.actions.find((x) => x.type === 'isolate-instance')?.status).toBe('done');
    expect(bAfter.containmentLease).toBeNull();
  });

  it('stops taking steps once another run took its lease, and records where it stopped', async () => {
    clock.now = T(5);
    const b = (await recordEvent(deps(), backdoor('c'.repeat(32)))).incidentId as string;
    const p = pausing();
    const run = runContainment({ ...deps(), containment: p.adapter }, b, { holder: 'run-stalled' });
    await p.entered;
    clock.now = T(6);
    p.first();
    await p.inStep;
    // The process stalls past its lease; another run takes the incident.
    await changeIncident(deps(), b, (draft) => {
      draft.containmentLease = { holder: 'run-later', until: T(60) };
      return { entries: [] };
    });
    clock.now = T(30);
    p.resume();
    const result = await run;
    expect(result.stopped).toMatchObject({ actionId: `isolate-instance:${INSTANCE}` });
    const bAfter = (await t.store.getIncident(b)) as Incident;
    // What it did is recorded, and nothing after it; the other run's lease is left as it is.
    expect(bAfter.actions[0].steps?.map((s) => s.name)).toEqual(['capture-metadata', 'isolate']);
    expect(bAfter.containmentLease).toEqual({ holder: 'run-later', until: T(60) });
    const stopped = (await t.store.getTimeline(b)).find((e) => e.kind === 'containment-stopped');
    expect(stopped?.detail).toMatchObject({ action: 'isolate-instance', target: INSTANCE, reason: expect.stringContaining('run-later') });
  });
});
