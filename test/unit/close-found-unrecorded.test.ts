/**
 * The last note's "Still left" (containment): an old record whose capture found the instance
 * isolated already, from before the capture kept which interfaces it found (FOUND_ISOLATED), cannot
 * show what was checked: `show`/`verify --target aws` list it as "not read", yet closing asked no
 * containment reason, so the incident closed as contained on a record that shows nothing. Closing
 * now counts it as not carried out (found contained already, what was found not recorded) and asks
 * what became of it (--containment-reason), which the register keeps. A record that names what it
 * found closes as before (drift reads those interfaces).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { assess, closeIncident, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { registerRow } from '../../handlers/core/register.js';
import { incidentFixture, REGISTER_FACTS } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T10:00:00.000Z';
/** What a capture that found i-1 isolated already left on the record, before it kept the interfaces it found. */
const foundIsolated = (evidence: Record<string, unknown> = {}): ActionRecord => ({
  id: 'isolate-instance:i-1',
  type: 'isolate-instance',
  target: 'i-1',
  status: 'skipped',
  mode: 'enforce',
  findingId: 'f-1',
  at: NOW,
  reason: "found in datalek's isolation group already",
  steps: [{ name: 'capture-metadata', status: 'failed', at: NOW, code: 'AlreadyIsolated', detail: 'i-1: every interface in the isolation group' }],
  evidence,
});

let t: ReturnType<typeof tempSqliteStore>;
const deps = () => ({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW });
const close = (containmentReason?: string) =>
  closeIncident(deps(), {
    incidentId: 'dl-old',
    reason: 'afgehandeld',
    by: 'FG',
    followUpReason: 'de aanvulling ging per brief naar de AP',
    ...(containmentReason ? { containmentReason } : {}),
  });
const stored = async (action: ActionRecord) => {
  await t.store.commit({ incident: incidentFixture({ id: 'dl-old', actions: [action] }), expectedRevision: null, timeline: [], messages: [] });
  await assess(deps(), { incidentId: 'dl-old', personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
  await recordFacts(deps(), { incidentId: 'dl-old', by: 'FG', ...REGISTER_FACTS });
  await recordReport(deps(), { incidentId: 'dl-old', reference: 'M-3', by: 'FG' });
};
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

it('found isolated, what was found not recorded: closing asks what became of it, and the register keeps the answer', async () => {
  await stored(foundIsolated());
  await expect(close()).rejects.toThrow(/containment not carried out: isolate-instance i-1 \(found contained already.*not recorded.*--containment-reason/);
  expect(((await t.store.getIncident('dl-old')) as Incident).state).not.toBe('closed');
  const closed = await close('gecontroleerd: i-1 zat in sg-iso zonder regels');
  expect(closed.state).toBe('closed');
  expect(closed.containmentReason).toBe('gecontroleerd: i-1 zat in sg-iso zonder regels');
  const row = registerRow(closed, DEFAULT_POLICY, NOW);
  expect(row.containmentReason).toBe('gecontroleerd: i-1 zat in sg-iso zonder regels');
});

it('found isolated with the interfaces it found recorded: closes as before', async () => {
  await stored(foundIsolated({ 'progress:capture-metadata': { foundIsolated: [{ id: 'eni-a', group: 'sg-iso' }] } }));
  expect((await close()).state).toBe('closed');
});
