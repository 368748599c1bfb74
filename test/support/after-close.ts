/** The reviewer's closed-incident case (review item 2), shared by the SQLite and DynamoDB tests. */
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { ACCOUNT, type EventOptions, findingEvent, REGION } from './events.js';

export const C2 = 'Backdoor:EC2/C&CActivity.B!DNS';
export const FINDING = 'c1000000000000000000000000000001';
export const KEY = { accountId: ACCOUNT, region: REGION, findingId: FINDING };
export const CREATED = '2026-11-26T10:00:00.000Z';

/** The backdoor finding at a version: first seen at creation, last seen at `updatedAt`. */
export const backdoor = (o: EventOptions = {}) => findingEvent({ id: FINDING, type: C2, instanceId: 'i-0c10000000000001', createdAt: CREATED, ...o });

/** The reviewer's case: opened, assessed "no personal data", closed; returns the closed incident. */
export async function closedIncident(store: IncidentStore, clock: { now: string }): Promise<Incident> {
  const deps = { store, policy: DEFAULT_POLICY, now: () => clock.now, canEnforce: false };
  clock.now = '2026-11-26T10:05:00.000Z';
  const first = await recordEvent(deps, backdoor());
  const id = first.incidentId as string;
  clock.now = '2026-11-26T11:00:00.000Z';
  await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver', by: 'FG' });
  clock.now = '2026-11-26T11:05:00.000Z';
  return closeIncident(deps, { incidentId: id, reason: 'geen persoonsgegevens', by: 'FG' });
}
