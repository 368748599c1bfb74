/**
 * A release is refused for another incident's hold only where releasing would open something that incident still
 * holds (release27 #5). An isolation whose every interface swap failed cut nothing: its release restores no
 * interface (the adapter restores only what a swap isolated), so another incident's isolation of the same instance
 * stays as it is. It was refused all the same, naming that incident, and `--undo-for` then recorded that incident's
 * isolation released while nothing of it was undone.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ContainDeps } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { doneIsolation, incidentFixture, plannedIsolation } from '../support/incidents.js';
import { releasing } from '../support/release-steps.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-27T22:00:00.000Z';
const AT = '2026-11-27T21:01:00.000Z';
const TARGET = 'i-0shared00000005';

/** Captured and snapshotted; the interface's swap failed: nothing of the instance cut. */
const cutNothing: ActionRecord = plannedIsolation(TARGET, {
  status: 'failed',
  steps: [
    { name: 'capture-metadata', status: 'done', at: AT },
    { name: 'snapshot-volumes', status: 'done', at: AT },
    { name: 'isolate-eni:eni-1', status: 'failed', at: AT, code: 'UnauthorizedOperation' },
  ],
});

let t: ReturnType<typeof tempSqliteStore>;
const put = (incident: Incident) => t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
const deps = (): ContainDeps => ({
  store: t.store,
  policy: DEFAULT_POLICY,
  now: () => NOW,
  containment: releasing([{ name: 'tag-released', status: 'done', at: NOW, detail: 'tagged datalek:state=released' }]),
});
const actionOf = async (id: string) => ((await t.store.getIncident(id)) as Incident).actions[0];

beforeEach(async () => {
  t = tempSqliteStore();
  await put(incidentFixture({ id: 'dl-s', actions: [cutNothing] }));
  await put(incidentFixture({ id: 'dl-holder', actions: [doneIsolation(TARGET)] }));
});
afterEach(async () => t.cleanup());

it("releases an isolation that cut nothing without naming another incident's isolation of the instance, which stays recorded in effect", async () => {
  const out = await releaseContainment(deps(), { incidentId: 'dl-s', by: 'oncall', reason: 'vals positief' });
  expect(out.released.map((r) => r.id)).toEqual([cutNothing.id]);
  expect(out.undoneFor).toEqual([]);
  expect((await actionOf('dl-s')).released).toMatchObject({ by: 'oncall' });
  expect((await actionOf('dl-holder')).released).toBeUndefined();
  expect((await t.store.listMessages('dl-holder')).filter((m) => m.kind === 'released')).toEqual([]);
});

it('still refuses where a swap was done: releasing would open what the other incident holds', async () => {
  const t2 = incidentFixture({
    id: 'dl-s2',
    actions: [{ ...cutNothing, steps: [...(cutNothing.steps ?? []), { name: 'isolate-eni:eni-2', status: 'done', at: AT }] }],
  });
  await put(t2);
  await expect(releaseContainment(deps(), { incidentId: 'dl-s2', by: 'oncall', reason: 'vals positief' })).rejects.toThrow(
    /would undo containment that another open incident still holds:\n {2}incident dl-holder/,
  );
});

it('hands back, unasked, what an open incident left to it: nothing contains that resource for it', async () => {
  await put(incidentFixture({ id: 'dl-left', actions: [doneIsolation(TARGET, { status: 'skipped', steps: undefined, heldBy: 'dl-s' })] }));
  const out = await releaseContainment(deps(), { incidentId: 'dl-s', by: 'oncall', reason: 'vals positief' });
  expect(out.undoneFor).toEqual([{ incidentId: 'dl-left', actionId: cutNothing.id, now: 'planned' }]);
  expect(await actionOf('dl-left')).toMatchObject({ status: 'planned', mode: 'plan' });
  expect((await actionOf('dl-holder')).released).toBeUndefined();
});
