/**
 * The last note's "Still left": an action left to another incident needed no containment reason at
 * closing, whatever became of that incident. Left to one closed without containing it (review7 Y12),
 * nothing contains the resource, yet the record closed saying "contained by incident X". Closing now
 * finds it (as the contain function and the sweep do), records it as not carried out, and so asks
 * what became of it (--containment-reason); left to one that holds it contained, it closes as before.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { assess, closeIncident, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { doneIsolation, incidentFixture, REGISTER_FACTS } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T10:00:00.000Z';
const SHARED = 'i-0shared000000001';
const left: ActionRecord = {
  id: `isolate-instance:${SHARED}`,
  type: 'isolate-instance',
  target: SHARED,
  status: 'skipped',
  mode: 'enforce',
  heldBy: 'dl-first',
  reason: 'contained by incident dl-first',
  findingId: 'f-second',
  at: '2026-11-27T21:05:00.000Z',
};

let t: ReturnType<typeof tempSqliteStore>;
const deps = () => ({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW });
const put = (incident: Incident) => t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
beforeEach(async () => {
  t = tempSqliteStore();
  await put(incidentFixture({ id: 'dl-second', actions: [left] }));
  await assess(deps(), { incidentId: 'dl-second', personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
  await recordFacts(deps(), { incidentId: 'dl-second', by: 'FG', ...REGISTER_FACTS });
  await recordReport(deps(), { incidentId: 'dl-second', reference: 'M-2', by: 'FG' });
});
afterEach(async () => t.cleanup());

it('left to an incident closed without containing it: closing asks what became of it, and records it as not carried out', async () => {
  await put({ ...incidentFixture({ id: 'dl-first', actions: [doneIsolation(SHARED, { status: 'failed', steps: [] })] }), state: 'closed', closedAt: NOW });
  await expect(
    closeIncident(deps(), { incidentId: 'dl-second', reason: 'afgehandeld', by: 'FG', followUpReason: 'de aanvulling ging per brief naar de AP' }),
  ).rejects.toThrow(/containment not carried out: isolate-instance i-0shared000000001 .*--containment-reason/);
  expect(((await t.store.getIncident('dl-second')) as Incident).state).not.toBe('closed');

  const closed = await closeIncident(deps(), {
    incidentId: 'dl-second',
    reason: 'afgehandeld',
    by: 'FG',
    followUpReason: 'de aanvulling ging per brief naar de AP',
    containmentReason: 'met de hand geïsoleerd',
  });
  expect(closed.state).toBe('closed');
  expect(closed.actions[0]).toMatchObject({ status: 'failed' });
  expect(closed.actions[0].heldBy).toBeUndefined();
  expect(closed.containmentReason).toBe('met de hand geïsoleerd');
});

it('left to an incident that holds it contained: closes as before', async () => {
  await put({ ...incidentFixture({ id: 'dl-first', actions: [doneIsolation(SHARED)] }), state: 'closed', closedAt: NOW });
  const closed = await closeIncident(deps(), {
    incidentId: 'dl-second',
    reason: 'afgehandeld',
    by: 'FG',
    followUpReason: 'de aanvulling ging per brief naar de AP',
  });
  expect(closed.actions[0]).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
});
