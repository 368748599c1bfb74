/**
 * The last note's "Still left": the drift check read nothing of an action left elsewhere. An
 * instance found in datalek's isolation group already (isolated under an earlier incident) was
 * skipped by the new incident, whose drift check then read none of its interfaces; an action left
 * to another incident (`heldBy`) was "that incident's to check", also when that incident did not hold
 * the resource any more (released it, or was closed without containing it): `show` and `verify`
 * then said nothing, though nothing datalek records contained the resource. Whoever holds it, what
 * the record counts on as contained is now read back under the incident that counts on it.
 */
import { describe, expect, it } from 'vitest';
import { type ContainmentCheck, checkContainment, drifted, type Observation } from '../../handlers/core/drift.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-28T10:00:00.000Z';

/** What a capture that found i-1's interface isolated already leaves on the record (core/contain.ts leaveIsolated). */
const foundIsolated = (over: Partial<ActionRecord> = {}): ActionRecord => ({
  id: 'isolate-instance:i-1',
  type: 'isolate-instance',
  target: 'i-1',
  status: 'skipped',
  mode: 'enforce',
  findingId: 'f-new',
  at: NOW,
  reason: "found in datalek's isolation group already",
  steps: [{ name: 'capture-metadata', status: 'failed', at: NOW, code: 'AlreadyIsolated', detail: 'i-1: eni-a in the isolation group' }],
  evidence: { 'progress:capture-metadata': { foundIsolated: [{ id: 'eni-a', group: 'sg-iso' }] } },
  ...over,
});

/** The earlier incident's isolation of i-1, done. */
const earlier = (over: Partial<ActionRecord> = {}): ActionRecord =>
  doneIsolation('i-1', {
    steps: [
      { name: 'capture-metadata', status: 'done', at: NOW },
      { name: 'isolate-eni:eni-a', status: 'done', at: NOW },
    ],
    evidence: {
      metadata: { instanceId: 'i-1', networkInterfaces: [{ id: 'eni-a', groups: ['sg-app'] }] },
      groups: { allTraffic: 'sg-all', isolation: 'sg-iso' },
    },
    ...over,
  });

/** AWS as a test answers it: the interface back in its own group (someone undid the isolation). */
const undone = (c: ContainmentCheck): Observation => {
  switch (c.expect.kind) {
    case 'interface':
      return { read: 'interface', groups: ['sg-app'] };
    case 'instance':
      return { read: 'instance', state: 'running', interfaces: [{ id: 'eni-a', groups: ['sg-app'] }] };
    case 'isolation-group':
      return { read: 'group-rules', inbound: 0, outbound: 0 };
    default:
      return { read: 'error', code: 'NotInThisTest', message: c.expect.kind };
  }
};
const reader = () => {
  const asked: ContainmentCheck[] = [];
  const read = async (checks: readonly ContainmentCheck[]) => {
    asked.push(...checks);
    return checks.map(undone);
  };
  return { asked, read };
};

describe('drift reads what an incident left elsewhere', () => {
  it('an instance found isolated already: its interfaces are read under the incident that found it, and drift shows', async () => {
    const incident = incidentFixture({ id: 'dl-new', actions: [foundIsolated()] });
    const report = await checkContainment([incident], reader(), NOW);
    const iface = report.resources.find((r) => r.resource.startsWith('network interface eni-a'));
    expect(iface).toMatchObject({ incidentId: 'dl-new', state: 'drifted' });
    expect(drifted(report)).toBe(true);
  });

  it('a key found inactive already, no record holding it: read back under the incident that relies on it', async () => {
    const key: ActionRecord = {
      id: 'deactivate-access-key:AKIAFOUND',
      type: 'deactivate-access-key',
      target: 'AKIAFOUND',
      status: 'skipped',
      mode: 'enforce',
      findingId: 'f-new',
      at: NOW,
      params: { userName: 'svc-export' },
      steps: [{ name: 'deactivate-key', status: 'failed', at: NOW, code: 'AlreadyContained', detail: 'AKIAFOUND is Inactive already' }],
    };
    const active = async (checks: readonly ContainmentCheck[]) => checks.map((): Observation => ({ read: 'key', status: 'Active' }));
    const report = await checkContainment([incidentFixture({ id: 'dl-new', actions: [key] })], { read: active }, NOW);
    expect(report.resources).toEqual([expect.objectContaining({ incidentId: 'dl-new', resource: 'access key AKIAFOUND', state: 'drifted' })]);
  });

  it('left to a holder: its containment of the resource is read under this incident too, each resource read once', async () => {
    const holder = incidentFixture({ id: 'dl-holder', actions: [earlier()] });
    const left = incidentFixture({ id: 'dl-left', actions: [foundIsolated({ evidence: {}, heldBy: 'dl-holder' })] });
    const r = reader();
    const report = await checkContainment([holder, left], r, NOW, (id) => (id === 'dl-holder' ? holder : undefined));
    const mine = report.resources.filter((e) => e.incidentId === 'dl-left');
    expect(mine.find((e) => e.resource.startsWith('network interface eni-a'))).toMatchObject({ state: 'drifted', heldBy: 'dl-holder' });
    // The holder's and the left one's checks are the same reads: made once.
    expect(r.asked.filter((c) => c.expect.kind === 'interface')).toHaveLength(1);
  });

  it('left to an incident that released it: NOT CONTAINED, without a read', async () => {
    const holder = incidentFixture({ id: 'dl-holder', actions: [earlier({ released: { at: NOW, by: 'anna', reason: 'vals positief' } })] });
    const left = incidentFixture({ id: 'dl-left', actions: [foundIsolated({ evidence: {}, steps: [], heldBy: 'dl-holder' })] });
    const report = await checkContainment([left], reader(), NOW, (id) => (id === 'dl-holder' ? holder : undefined));
    expect(report.resources).toEqual([expect.objectContaining({ incidentId: 'dl-left', state: 'drifted', actual: expect.stringContaining('NOT CONTAINED') })]);
  });

  it('left to an incident that released it after this one was closed: history, not drift', async () => {
    const holder = incidentFixture({
      id: 'dl-holder',
      actions: [earlier({ released: { at: '2026-11-28T12:00:00.000Z', by: 'anna', reason: 'onderzoek klaar' } })],
    });
    const closed: Incident = {
      ...incidentFixture({ id: 'dl-left', actions: [foundIsolated({ evidence: {}, steps: [], heldBy: 'dl-holder' })] }),
      state: 'closed',
      closedAt: NOW,
    };
    const report = await checkContainment([closed], reader(), '2026-11-28T13:00:00.000Z', (id) => (id === 'dl-holder' ? holder : undefined));
    expect(report.resources).toEqual([]);
  });
});
