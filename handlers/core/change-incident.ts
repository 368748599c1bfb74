/**
 * Changes one stored incident safely: read it, apply the change to a copy, append its timeline
 * entries and store it under the revision it was read at. When another writer got there first the
 * change is applied again to what that writer stored, so no update is lost and none applied twice.
 */

import type { IncidentStore } from '../ports/incident-store.js';
import { ConflictError, IncidentNotFoundError } from './errors.js';
import { appendEntries, type Incident, type OutboxMessage } from './incident.js';
import { pagerFollowUps } from './pager.js';
import type { Policy } from './policy.js';
import { nextDueAt } from './schedule.js';

export interface TimelineDraft {
  at: string;
  kind: string;
  actor?: string;
  detail?: Record<string, unknown>;
}

/**
 * What a change appends; `null` means there is nothing to change (nothing is written).
 * `pagerFollowUps: false`: the change does not reach the alert at the pager (an acknowledgement
 * of an alert raised before the present one, core/pager.ts).
 */
export type ChangeResult = { entries: TimelineDraft[]; messages?: (incident: Incident) => OutboxMessage[]; pagerFollowUps?: false } | null;

const MAX_ATTEMPTS = 10;

/**
 * Acknowledging or closing an incident whose alert lives at the pager (PagerDuty, Opsgenie) also
 * queues, in the same commit, the message that acknowledges or resolves it there.
 */
export async function changeIncident(
  deps: { store: IncidentStore; policy: Policy; now: () => string },
  incidentId: string,
  change: (draft: Incident, current: Incident) => ChangeResult,
): Promise<{ incident: Incident; changed: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.store.getIncident(incidentId);
    if (!current) throw new IncidentNotFoundError(incidentId);
    const draft = structuredClone(current);
    const result = change(draft, current);
    if (!result) return { incident: current, changed: false };
    draft.revision = current.revision + 1;
    draft.nextDueAt = nextDueAt(draft, deps.policy);
    const timeline = appendEntries(draft, result.entries);
    const messages = [...(result.messages?.(draft) ?? []), ...(result.pagerFollowUps === false ? [] : pagerFollowUps(current, draft, deps.policy, deps.now()))];
    try {
      await deps.store.commit({ incident: draft, expectedRevision: current.revision, timeline, messages });
      return { incident: draft, changed: true };
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}
