/**
 * A closed incident whose findings the FG holds (a complaint): one GuardDuty finding
 * (`held-finding`, instance `i-0held`) recorded, assessed without personal data, closed, then held.
 * The tests that follow where a held record goes next (a follow-up, an attach) start from it; they
 * move `clock.now` on as the story goes.
 */

import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { holdFindings } from '../../handlers/core/retention-hold.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent } from './events.js';

export const HELD_FINDING = { id: 'held-finding', createdAt: '2026-01-10T09:00:00Z', instanceId: 'i-0held' };

export async function closedHeldIncident(store: IncidentStore) {
  const clock = { now: '2026-01-10T09:15:00.000Z' };
  const deps = { store, policy: DEFAULT_POLICY, now: () => clock.now, canEnforce: false };
  const first = findingEvent(HELD_FINDING);
  const held = (await recordEvent(deps, first)).incidentId as string;
  await assess(deps, { incidentId: held, personalData: 'no', risk: 'none', reason: 'testserver zonder persoonsgegevens', by: 'FG' });
  await closeIncident(deps, { incidentId: held, reason: 'afgehandeld', by: 'FG' });
  clock.now = '2026-01-20T09:00:00.000Z';
  await holdFindings(deps, held, { by: 'FG', reason: 'klacht van een betrokkene; de AP vraagt nog' });
  const key = { accountId: first.detail.accountId, region: first.detail.region, findingId: HELD_FINDING.id };
  return { clock, deps, held, key };
}
