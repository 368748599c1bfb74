/**
 * Use case: on-call acknowledges an incident. It stops the escalation, never the AP clock: being
 * acknowledged is not being aware (EDPB 9/2022). A second acknowledgement changes nothing and says
 * who was first.
 */

import type { IncidentStore } from '../ports/incident-store.js';
import { changeIncident } from './change-incident.js';
import { RefusedError } from './errors.js';
import type { Incident } from './incident.js';
import type { Policy } from './policy.js';
import { checkRecordingTime } from './stated-time.js';

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
  return changeIncident(deps, input.incidentId, (draft) => {
    if (draft.acknowledgedBy) return null;
    if (draft.state === 'closed')
      throw new RefusedError(`incident ${draft.id} is closed; there is nothing to acknowledge`, {
        page: { nl: `Incident ${draft.id} is gesloten; er is niets op te pakken.` },
      });
    const now = deps.now();
    checkRecordingTime(draft, now, 'the acknowledgement', deps.policy.timeZone);
    // Acknowledging moves an open incident on; one the FG already assessed keeps its state.
    if (draft.state === 'open') draft.state = 'acknowledged';
    draft.acknowledgedBy = by;
    draft.acknowledgedAt = now;
    return { entries: [{ at: now, kind: 'acknowledged', actor: by, detail: input.note ? { note: input.note } : {} }] };
  });
}
