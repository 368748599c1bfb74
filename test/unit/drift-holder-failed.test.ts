/**
 * The last note's "Still left" (containment): an action left to an open incident whose own
 * containment of the resource failed read "left to incident X, whose containment of it is under
 * way" in `show` and `verify --target aws`, until X was closed and handed it back: the incident that
 * left it said the resource was being contained while nothing was, and verify passed. A holder's
 * failed action on the resource, with no run of the holder under way (its lease), now reads as what
 * it is: NOT CONTAINED, failed under incident X, with what to do. A run of X holding its lease is
 * still "under way".
 *
 * The closing note's "Still left": the holder's own drift did not name an interface it failed to
 * isolate (the leaver's did, 1be9b14): its checks read only the interface it cut, and read in place.
 */
import { expect, it } from 'vitest';
import { type ContainmentCheck, checkContainment, drifted, driftLines, type Observation } from '../../handlers/core/drift.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { incidentFixture, partlyFailedIsolation, plannedIsolation } from '../support/incidents.js';

const NOW = '2026-11-28T10:00:00.000Z';
const EARLIER = '2026-11-28T09:00:00.000Z';

/** The holder's run took i-1 up and failed at the swap: nothing of it cuts the instance off. */
const failedIsolation = plannedIsolation('i-1', {
  status: 'failed',
  startedAt: EARLIER,
  reason: 'isolate-eni:eni-a failed: UnauthorizedOperation',
  steps: [
    { name: 'capture-metadata', status: 'done', at: EARLIER },
    { name: 'isolate-eni:eni-a', status: 'failed', at: EARLIER, code: 'UnauthorizedOperation' },
  ],
});
const leftToHolder: ActionRecord = plannedIsolation('i-1', { status: 'skipped', heldBy: 'dl-holder', reason: 'contained by incident dl-holder' });
const noRead = {
  read: async (checks: readonly ContainmentCheck[]): Promise<Observation[]> => checks.map(() => ({ read: 'error', code: 'NotInThisTest', message: '' })),
};

it('left to an open incident whose containment of it failed: NOT CONTAINED, failed under that incident, and what to do', async () => {
  const holder = incidentFixture({ id: 'dl-holder', actions: [failedIsolation] });
  const left = incidentFixture({ id: 'dl-left', actions: [leftToHolder] });
  const report = await checkContainment([left], noRead, NOW, (id) => (id === 'dl-holder' ? holder : undefined));
  expect(report.notChecked).toEqual([]);
  expect(report.resources).toEqual([
    expect.objectContaining({
      incidentId: 'dl-left',
      state: 'drifted',
      actual: expect.stringMatching(/containment of it failed.*NOT CONTAINED/),
      todo: expect.stringContaining('datalek contain dl-holder'),
    }),
  ]);
  expect(drifted(report)).toBe(true);
});

it('a run of the holder under way (its lease held): still "under way", not a failure', async () => {
  const holder: Incident = {
    ...incidentFixture({ id: 'dl-holder', actions: [failedIsolation] }),
    containmentLease: { holder: 'run-1', until: '2026-11-28T10:05:00.000Z' },
  };
  const left = incidentFixture({ id: 'dl-left', actions: [leftToHolder] });
  const report = await checkContainment([left], noRead, NOW, (id) => (id === 'dl-holder' ? holder : undefined));
  expect(report.resources).toEqual([]);
  expect(report.notChecked).toEqual([expect.objectContaining({ what: expect.stringContaining('under way') })]);
});

it("the holder's own drift names an interface it failed to isolate beside one it cut, with what to do", async () => {
  const partly = partlyFailedIsolation('i-1', EARLIER);
  const inPlace = {
    read: async (checks: readonly ContainmentCheck[]): Promise<Observation[]> =>
      checks.map((c): Observation => {
        if (c.expect.kind === 'interface') return { read: 'interface', groups: ['sg-0isolation00001'] };
        if (c.expect.kind === 'instance')
          return {
            read: 'instance',
            state: 'running',
            interfaces: ['eni-a', 'eni-b'].map((id) => ({ id, groups: [id === 'eni-a' ? 'sg-0isolation00001' : 'sg-0own000000001'] })),
          };
        if (c.expect.kind === 'isolation-group') return { read: 'group-rules', inbound: 0, outbound: 0 };
        return { read: 'error', code: 'NotInThisTest', message: '' };
      }),
  };
  const report = await checkContainment([incidentFixture({ id: 'dl-holder', actions: [partly] })], inPlace, NOW);
  // What it cut reads in place; the interface it failed to isolate is named, DRIFTED, with what to do.
  expect(report.resources.filter((r) => r.state === 'in-place').map((r) => r.resource)).toContain('network interface eni-a of i-1');
  expect(report.resources.filter((r) => r.state === 'drifted')).toEqual([
    expect.objectContaining({
      incidentId: 'dl-holder',
      resource: 'network interface eni-b of i-1',
      actual: expect.stringMatching(/this incident failed to isolate this interface.*NOT CONTAINED, i-1 is reachable through it/),
      todo: expect.stringContaining('datalek contain dl-holder --by NAME --reason TEXT'),
    }),
  ]);
  expect(drifted(report)).toBe(true);
  expect(driftLines(report, false).join('\n')).toMatch(/DRIFTED {5}network interface eni-b of i-1/);
});
