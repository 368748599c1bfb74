import { acknowledge } from '../../handlers/core/acknowledge.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent } from './events.js';

/**
 * One High incident detected at 2026-11-27T21:00Z, recorded under the built-in policy at `now` and
 * acknowledged (taken: no page falls due before the AP reminders); its id. For the due-time tests.
 */
export async function takenIncident(store: IncidentStore, now: string): Promise<string> {
  const recorded = await recordEvent(
    { store, policy: DEFAULT_POLICY, now: () => now, canEnforce: false },
    findingEvent({ id: 'due-1', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-due', createdAt: '2026-11-27T21:00:00Z' }),
  );
  const id = recorded.incidentId as string;
  await acknowledge({ store, policy: DEFAULT_POLICY, now: () => now }, { incidentId: id, by: 'anna' });
  return id;
}
