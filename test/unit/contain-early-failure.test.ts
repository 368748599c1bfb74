/**
 * A failure before the first step (AssumeRole into the member account throttled in a storm) belongs
 * to the attempt it stopped: once a later run carried out every step, the action is done, and the
 * AP draft counts it as a measure taken (review2 attack §12).
 */
import { describe, expect, it } from 'vitest';
import { containmentTaken } from '../../handlers/core/breach-facts.js';
import { runContainment } from '../../handlers/core/contain.js';
import { ISOLATION_LEAVES_OPEN } from '../../handlers/core/containment.js';
import { ContainmentStepError } from '../../handlers/core/errors.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { Containment, ExecutionContext } from '../../handlers/ports/containment.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const POLICY = parsePolicy({ containment: { rules: [{ action: 'contain-workload', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] } });
const NOW = '2026-11-27T21:10:00.000Z';

/** Throws before any step on the calls listed, as `clientsFor` does when AssumeRole is throttled; else does every step. */
class FailsBeforeSteps implements Containment {
  readonly canEnforce = true;
  calls = 0;
  constructor(private readonly failing: number[]) {}
  async execute(_action: ActionRecord, ctx: ExecutionContext): Promise<void> {
    this.calls += 1;
    if (this.failing.includes(this.calls))
      throw new ContainmentStepError('assume-member-role', 'Throttling', 'cannot act in the member account: Rate exceeded');
    for (const name of ['capture-metadata', 'prepare-isolation-groups', 'isolate-eni:eni-1']) {
      if (!ctx.done.has(name)) await ctx.record({ name, status: 'done', at: NOW, detail: 'ok' });
    }
  }
  async release(): Promise<void> {}
}

/** Not a !DNS finding: the isolation is the incident's one action (the DNS channel step has tests of its own). */
async function twoRuns(failing: number[]) {
  const f = tempSqliteStore();
  const now = () => NOW;
  const r = await recordEvent(
    { store: f.store, policy: POLICY, now, canEnforce: true },
    findingEvent({ id: 'e0000000000000000000000000000001', type: 'Backdoor:EC2/C&CActivity.B', severity: 8 }),
  );
  const id = r.incidentId as string;
  const containment = new FailsBeforeSteps(failing);
  const first = await runContainment({ store: f.store, policy: POLICY, now, containment }, id);
  const second = await runContainment({ store: f.store, policy: POLICY, now, containment }, id);
  const incident = await f.store.getIncident(id);
  const timeline = await f.store.getTimeline(id);
  await f.cleanup();
  return { first, second, incident: incident as NonNullable<typeof incident>, timeline };
}

describe('a failure before the first step', () => {
  it('stops counting once a later run carried out every step: the action is done and a measure taken', async () => {
    const { first, second, incident, timeline } = await twoRuns([1]);
    expect(first.actions[0].status).toBe('failed');
    expect(second.actions[0]).toMatchObject({ status: 'done' });
    expect(incident.actions[0].status).toBe('done');
    // The failure's reason is gone; a done isolation says only what it leaves open (the DNS resolver).
    expect(incident.actions[0].reason).toBe(ISOLATION_LEAVES_OPEN);
    expect(incident.actions[0].steps?.map((s) => `${s.name}=${s.status}`)).toEqual([
      'capture-metadata=done',
      'prepare-isolation-groups=done',
      'isolate-eni:eni-1=done',
    ]);
    expect(containmentTaken(incident)).toHaveLength(1);
    // The failure stays in the timeline: the record says what happened, in order.
    expect(timeline.filter((e) => e.kind === 'containment-step-failed').map((e) => e.detail.step)).toEqual(['unexpected-error']);
    expect(timeline.map((e) => e.kind).filter((k) => k.startsWith('containment-') && !k.startsWith('containment-step'))).toEqual([
      'containment-planned',
      'containment-failed',
      'containment-done',
    ]);
  });

  it('still fails the action when the later run fails before its first step too', async () => {
    const { second, incident } = await twoRuns([1, 2]);
    expect(second.actions[0].status).toBe('failed');
    expect(incident.actions[0].status).toBe('failed');
    expect(containmentTaken(incident)).toEqual([]);
  });
});
