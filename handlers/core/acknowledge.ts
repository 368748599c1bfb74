/**
 * Use case: on-call acknowledges an incident. It stops the escalation, never the AP clock: being
 * acknowledged is not being aware (EDPB 9/2022). A second acknowledgement changes nothing and says
 * who was first.
 *
 * It arrives three ways, all recorded the same: from the CLI or the web page (`by` is the name or
 * the signed AWS identity), from a page's signed link (`via.link`: the page it came from is
 * recorded, and that link is then used up), or from the pager (core/pager.ts).
 */

import type { IncidentStore } from '../ports/incident-store.js';
import { type AckLinkClaims, linkId } from './ack-link.js';
import { changeIncident, type TimelineDraft } from './change-incident.js';
import { RefusedError } from './errors.js';
import type { Incident } from './incident.js';
import type { Policy } from './policy.js';
import { checkRecordingTime } from './stated-time.js';

export interface AckResult {
  incident: Incident;
  /** False when someone had already acknowledged it; `incident` then shows who and when. */
  changed: boolean;
  /** Set when nothing changed because this very link had been used already. */
  linkUsed?: boolean;
}

export interface AckInput {
  incidentId: string;
  by: string;
  note?: string;
  /** Acknowledged from a page's signed link (already verified): which page. */
  link?: Pick<AckLinkClaims, 'level' | 'round'>;
}

export async function acknowledge(deps: { store: IncidentStore; policy: Policy; now: () => string }, input: AckInput): Promise<AckResult> {
  const by = input.by.trim();
  if (!by) throw new RefusedError('an acknowledgement needs the name of the person who takes the incident');
  let linkUsed = false;
  const out = await changeIncident(deps, input.incidentId, (draft) => {
    if (input.link && (draft.ackLinksUsed ?? []).includes(linkId(input.link))) {
      linkUsed = true;
      return null;
    }
    if (draft.acknowledgedBy) return null;
    const now = deps.now();
    const detail: Record<string, unknown> = input.note ? { note: input.note } : {};
    if (input.link) {
      detail.via = 'page-link';
      detail.level = input.link.level;
      detail.round = input.link.round + 1;
      draft.ackLinksUsed = [...(draft.ackLinksUsed ?? []), linkId(input.link)];
    }
    return { entries: [applyAcknowledgement(draft, by, now, detail, deps.policy.timeZone)] };
  });
  return { ...out, ...(linkUsed ? { linkUsed } : {}) };
}

/**
 * Records the acknowledgement on a draft incident and returns its timeline entry. A closed
 * incident is refused, and so is a time before the detection.
 */
export function applyAcknowledgement(draft: Incident, by: string, now: string, detail: Record<string, unknown>, timeZone: string): TimelineDraft {
  if (draft.state === 'closed')
    throw new RefusedError(`incident ${draft.id} is closed; there is nothing to acknowledge`, {
      page: { nl: `Incident ${draft.id} is gesloten; er is niets op te pakken.` },
    });
  checkRecordingTime(draft, now, 'the acknowledgement', timeZone);
  // Acknowledging moves an open incident on; one the FG already assessed keeps its state.
  if (draft.state === 'open') draft.state = 'acknowledged';
  draft.acknowledgedBy = by;
  draft.acknowledgedAt = now;
  return { at: now, kind: 'acknowledged', actor: by, detail };
}

/**
 * How an acknowledgement from a page's link names who took it: the name the person gave (not
 * verified: whoever holds the link may type any) and the page it came from, with its round 1-based.
 */
export function linkAcknowledger(claims: Pick<AckLinkClaims, 'level' | 'round'>, name: string | undefined): string {
  const page = `from the page to ${claims.level}, round ${claims.round + 1}`;
  const given = name?.trim();
  return given ? `${given} (${page})` : page;
}
