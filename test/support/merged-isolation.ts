/**
 * Two incidents on two instances, B recorded first and A isolated (its record as the contain
 * function leaves it): the start of the tests of what a merge of A into B does with A's isolation.
 */
import { changeIncident } from '../../handlers/core/change-incident.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent, instanceResource } from './events.js';
import { doneIsolation } from './incidents.js';
import { ISOLATE_ON_SNS } from './pager-incident.js';

/** Minutes after 02:00 on 28 November 2026, as an ISO time. */
export const T = (m: number) => new Date(Date.parse('2026-11-28T02:00:00.000Z') + m * 60_000).toISOString();
export const I_B = 'i-0bbbbbbbbbbbbbbb1';
export const I_A = 'i-0aaaaaaaaaaaaaaa2';
export const METADATA = { instanceId: I_A, networkInterfaces: [{ id: 'eni-1', groups: ['sg-app'] }] };

export async function twoIncidentsAIsolated(store: IncidentStore) {
  const deps = (m: number) => ({ store, policy: ISOLATE_ON_SNS, now: () => T(m), canEnforce: false });
  const b = (await recordEvent(deps(0), findingEvent({ id: 'r-b', createdAt: T(0), type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource(I_B) })))
    .incidentId as string;
  const a = (await recordEvent(deps(5), findingEvent({ id: 'r-a', createdAt: T(5), type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource(I_A) })))
    .incidentId as string;
  const isolation = doneIsolation(I_A, { findingId: 'r-a', evidence: { groups: { isolation: 'sg-iso', allTraffic: 'sg-all' }, metadata: METADATA } });
  await changeIncident(deps(10), a, (draft) => {
    draft.actions = [isolation];
    return { entries: [] };
  });
  return { deps, a, b, isolation };
}
