/**
 * Use case: on-call acknowledges an incident. It stops the re-pages, never the AP clock: being
 * acknowledged is not being aware (EDPB 9/2022). A second acknowledgement changes nothing and says
 * who was first.
 */

import type { IncidentStore } from '../ports/incident-store.js';
import { ConflictError, IncidentNotFoundError, RefusedError } from './errors.js';
import { appendEntries, type Incident } from './incident.js';
import type { Policy } from './policy.js';
import { nextDueAt } from './schedule.js';

export interface AckResult {
  incident: Incident;
  /** False when someone had already acknowledged it; `incident` then shows who and when. */
  changed: boolean;
}

export async function acknowledge(
  deps: { store: IncidentStore; policy: Policy; now: () => string },
  input: { incidentId: string; by: string; note?: string },
): Promise<AckResult> {
  const by = input.by.trim();
  if (!by) throw new RefusedError('an acknowledgement needs the name of the person who takes the incident');
  for (let attempt = 1; ; attempt++) {
    const current = await deps.store.getIncident(input.incidentId);
    if (!current) throw new IncidentNotFoundError(input.incidentId);
    if (current.acknowledgedBy) return { incident: current, changed: false };
    if (current.state === 'closed') throw new RefusedError(`incident ${current.id} is closed; there is nothing to acknowledge`);
    const now = deps.now();
    const next = structuredClone(current);
    next.state = 'acknowledged';
    next.acknowledgedBy = by;
    next.acknowledgedAt = now;
    next.revision = current.revision + 1;
    next.nextDueAt = nextDueAt(next, deps.policy);
    const timeline = appendEntries(next, [{ at: now, kind: 'acknowledged', actor: by, detail: input.note ? { note: input.note } : {} }]);
    try {
      await deps.store.commit({ incident: next, expectedRevision: current.revision, timeline, messages: [] });
      return { incident: next, changed: true };
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 10) throw err;
    }
  }
}
