/**
 * A release some step of which failed (the AWS adapter records a denied or throttled call as a
 * failed step, never throws) is not a release: the resource is still contained, wholly or partly.
 * The action stays held and releasable (the person can try again), the timeline says the release
 * failed, on-call is told, and another incident's hold on the same resource stays as it was.
 * (review5 A5: it was recorded as released, and nothing was left to release.)
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ContainDeps } from '../../handlers/core/contain.js';
import { runContainment } from '../../handlers/core/contain.js';
import { heldContainment } from '../../handlers/core/containment.js';
import type { ActionRecord, Incident, StepRecord } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releasable, releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();
const TARGET = 'i-0123456789abcdef0';

/** A release that records these steps, as the AWS adapter does (a failure is recorded, not thrown). */
const releasing = (steps: StepRecord[]): Containment => ({
  canEnforce: true,
  async execute() {},
  async release(_action, _incident, options) {
    for (const step of steps) await options.record(step);
  },
});
const denied = releasing([
  { name: 'restore-eni:eni-1', status: 'done', at: T(31), detail: 'restored' },
  { name: 'restore-eni:eni-2', status: 'failed', at: T(31), code: 'UnauthorizedOperation', detail: 'not allowed' },
]);

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

const incident = async (id: string) => (await t.store.getIncident(id)) as Incident;

it('a release the provider denied leaves the action contained and releasable, not released (the finding and run as they come)', async () => {
  const policy = parsePolicy({ containment: { rules: [{ action: 'contain-workload', findingTypes: ['Backdoor:*'], minSeverity: 1, mode: 'enforce' }] } });
  const deps = { store: t.store, policy, now: () => T(20), canEnforce: true };
  const recorded = await recordEvent(
    deps,
    findingEvent({ id: 'a'.repeat(32), type: 'Backdoor:EC2/C&CActivity.B', severity: 8, createdAt: T(1), resource: instanceResource(TARGET) }),
  );
  const id = recorded.incidentId as string;
  const isolates: Containment = {
    canEnforce: true,
    async execute(action, ctx) {
      await ctx.record({ name: action.type, status: 'done', at: T(21) });
    },
    async release() {},
  };
  await runContainment({ ...deps, containment: isolates }, id);

  const result = await releaseContainment({ ...deps, now: () => T(31), containment: denied }, { incidentId: id, by: 'oncall', reason: 'false positive' });

  expect(result.released).toEqual([]);
  expect(result.failed.map((f) => f.id)).toEqual([`isolate-instance:${TARGET}`]);
  const after = await incident(id);
  const action = after.actions.find((a) => a.type === 'isolate-instance') as ActionRecord;
  expect(action.released).toBeUndefined();
  expect(releasable(after.actions).map((a) => a.id)).toEqual([action.id]);
  expect(heldContainment(after).map((h) => h.target)).toEqual([TARGET]);
});

it('says on the timeline and to on-call that the release failed, keeps the other incident’s hold, and a second try releases it', async () => {
  const put = (i: Incident) => t.store.commit({ incident: i, expectedRevision: null, timeline: [], messages: [] });
  await put(incidentFixture({ id: 'dl-holds', actions: [doneIsolation(TARGET)] }));
  await put(incidentFixture({ id: 'dl-left', actions: [doneIsolation(TARGET, { status: 'skipped', steps: undefined, heldBy: 'dl-holds' })] }));
  const deps = (containment: Containment): ContainDeps => ({ store: t.store, policy: DEFAULT_POLICY, now: () => T(31), containment });
  const input = { incidentId: 'dl-holds', by: 'oncall', reason: 'false positive', undoFor: ['dl-left'] };

  const first = await releaseContainment(deps(denied), input);

  expect(first).toMatchObject({ released: [], undoneFor: [] });
  const holds = await incident('dl-holds');
  expect(holds.actions[0].released).toBeUndefined();
  const timeline = await t.store.getTimeline('dl-holds');
  expect(timeline.map((e) => e.kind)).not.toContain('containment-released');
  expect(timeline.find((e) => e.kind === 'containment-release-failed')?.detail).toMatchObject({
    failedSteps: ['restore-eni:eni-2'],
    doneSteps: ['restore-eni:eni-1'],
    reason: 'false positive',
  });
  const told = (await t.store.listMessages('dl-holds')).filter((m) => m.kind === 'release-failed' || m.kind === 'released');
  expect(told.map((m) => `${m.kind}:${m.channel}`)).toEqual(['release-failed:on-call']);
  expect(told[0].subject).toContain('MISLUKT');
  // The other incident still leaves it to the one holding it, and hears nothing.
  const left = (await incident('dl-left')).actions[0];
  expect(left).toMatchObject({ status: 'skipped', heldBy: 'dl-holds' });
  expect(left.released).toBeUndefined();
  expect((await t.store.listMessages('dl-left')).filter((m) => m.kind === 'released')).toEqual([]);

  const second = await releaseContainment(deps(releasing([{ name: 'restore-eni:eni-2', status: 'done', at: T(40), detail: 'restored' }])), input);

  expect(second.failed).toEqual([]);
  expect(second.undoneFor).toEqual([{ incidentId: 'dl-left', actionId: left.id, now: 'planned' }]);
  expect((await incident('dl-holds')).actions[0].released).toMatchObject({ by: 'oncall' });
});
