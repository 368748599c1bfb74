/**
 * Use case: on-call acknowledges an incident. It stops the escalation, never the AP clock: being
 * acknowledged is not being aware (EDPB 9/2022). A second acknowledgement changes nothing and says
 * who was first; only a page the pager raised after it (pageAfterAcknowledgement) is taken by the
 * second, and its alert acknowledged there.
 *
 * It arrives three ways, all recorded the same: from the CLI or the web page (`by` is the name or
 * the signed AWS identity), from a page's signed link (`via.link`: the page it came from is
 * recorded, and that link is then used up), or from the pager (core/pager.ts).
 */

import type { IncidentStore } from '../ports/incident-store.js';
import { type AckLinkClaims, type LinkPage, linkId } from './ack-link.js';
import { changeIncident, type TimelineDraft } from './change-incident.js';
import { RefusedError } from './errors.js';
import { followUpHint, type Incident } from './incident.js';
import { composePagerMessage } from './messages.js';
import { notDoneHeldUntaken, notPlannedUntaken } from './pager.js';
import type { Policy } from './policy.js';
import { exposedUntaken, openSince } from './schedule.js';
import { checkRecordingTime } from './stated-time.js';

export interface AckResult {
  incident: Incident;
  /** False when someone had already acknowledged it; `incident` then shows who and when. */
  changed: boolean;
  /**
   * Set when the incident had been acknowledged already (`incident` shows who and when) and this
   * acknowledged the alert the pager raised after that, which was still paging.
   */
  alertAcknowledged?: boolean;
  /** Set when nothing changed because this very link had been used already. */
  linkUsed?: boolean;
}

export interface AckInput {
  incidentId: string;
  by: string;
  note?: string;
  /** Acknowledged from a page's signed link (already verified): which page. */
  link?: LinkPage;
}

export async function acknowledge(deps: { store: IncidentStore; policy: Policy; now: () => string }, input: AckInput): Promise<AckResult> {
  const by = input.by.trim();
  if (!by) throw new RefusedError('an acknowledgement needs the name of the person who takes the incident');
  let linkUsed = false;
  let alertAcknowledged = false;
  const out = await changeIncident(deps, input.incidentId, (draft) => {
    linkUsed = false;
    alertAcknowledged = false;
    if (input.link && (draft.ackLinksUsed ?? []).includes(linkId(input.link))) {
      linkUsed = true;
      return null;
    }
    // A repeated exposed page's link takes that repeat (or the incident nobody acknowledged), not an alert at the pager.
    const pageAfter = pageAfterAcknowledgement(draft) && !input.link?.repeat;
    const repeated = draft.acknowledgedBy && !pageAfter ? exposedUntaken(draft, deps.policy) : [];
    // Alerts of containment that did not fit, or of a step asked for against a not-done decision,
    // raised after the acknowledgement: taken with whatever else this takes.
    const notPlanned = draft.acknowledgedBy && !input.link?.repeat ? alertsToTake(draft) : [];
    if (draft.acknowledgedBy && !pageAfter && repeated.length === 0 && notPlanned.length === 0) return null;
    const now = deps.now();
    const takeNotPlanned = () => {
      if (notPlanned.length === 0) return {};
      draft.notPlannedTakenAt = now;
      return { alerts: notPlanned.map((a) => a.key) };
    };
    const detail: Record<string, unknown> = input.note ? { note: input.note } : {};
    if (input.link) {
      detail.via = 'page-link';
      detail.level = input.link.level;
      detail.round = input.link.round + 1;
      if (input.link.repeat) detail.repeat = true;
      draft.ackLinksUsed = [...(draft.ackLinksUsed ?? []), linkId(input.link)];
    }
    if (pageAfter && draft.pager) {
      // The incident's acknowledgement stays the first one; the page raised since is taken by
      // this person, and its alert acknowledged there, in the same commit.
      checkRecordingTime(draft, now, 'the acknowledgement', deps.policy.timeZone);
      const { provider, triggeredAt } = draft.pager;
      draft.pager = { ...draft.pager, state: 'acknowledged', at: now };
      alertAcknowledged = true;
      return {
        entries: [{ at: now, kind: 'alert-acknowledged', actor: by, detail: { ...detail, provider, raisedAt: triggeredAt, ...takeNotPlanned() } }],
        messages: (incident) => {
          const message = composePagerMessage({
            incident: { ...incident, acknowledgedBy: by },
            action: 'acknowledge',
            key: incident.id,
            now,
            policy: deps.policy,
          });
          // One acknowledge per raise of the alert: the incident's first acknowledgement queued
          // the message of this id without a raise, and a message id queued already is queued
          // no more (both stores), so the record would say acknowledged there and none be sent.
          return [{ ...message, id: `${message.id}:${triggeredAt ?? now}` }];
        },
      };
    }
    if (repeated.length) {
      // The repeated page of an interface left open after the incident's acknowledgement (SNS has
      // no alert state to take): this person takes it, and the repeat stops for what is open now.
      checkRecordingTime(draft, now, 'the acknowledgement', deps.policy.timeZone);
      draft.exposedTakenAt = now;
      alertAcknowledged = true;
      return {
        entries: [
          {
            at: now,
            kind: 'alert-acknowledged',
            actor: by,
            detail: { ...detail, raisedAt: openSince(repeated), interfaces: repeated.map((e) => e.resource), ...takeNotPlanned() },
          },
        ],
      };
    }
    if (notPlanned.length) {
      // An alert of containment that did not fit the record, raised after the incident's
      // acknowledgement: this person takes the work, and it no longer holds a merge (core/pager.ts
      // notPlannedUntaken). The alert at the pager is theirs to handle there.
      checkRecordingTime(draft, now, 'the acknowledgement', deps.policy.timeZone);
      alertAcknowledged = true;
      const raisedAt = notPlanned.map((a) => a.raisedAt).sort()[0];
      return { entries: [{ at: now, kind: 'alert-acknowledged', actor: by, detail: { ...detail, raisedAt, ...takeNotPlanned() } }] };
    }
    return { entries: [applyAcknowledgement(draft, by, now, detail, deps.policy.timeZone)] };
  });
  return { ...out, ...(linkUsed ? { linkUsed } : {}), ...(alertAcknowledged && out.changed ? { alertAcknowledged } : {}) };
}

/**
 * Whether the incident, acknowledged already, has its own alert at the pager raised after that
 * acknowledgement and still paging: the acknowledgement was of an earlier alert, delivered by the
 * pager's webhook after datalek had raised the alert again (core/pager.ts recordPagerEvent). The
 * person paged now takes it with a second acknowledgement, from the page's link, the web page or
 * `datalek ack`, as they would any page; datalek's own levels page no more meanwhile (the
 * incident is acknowledged), the pager's escalation does.
 */
export function pageAfterAcknowledgement(incident: Incident): boolean {
  const pager = incident.pager;
  return (
    incident.state !== 'closed' &&
    incident.acknowledgedAt !== null &&
    pager?.state === 'triggered' &&
    pager.keys.includes(incident.id) &&
    pager.triggeredAt !== undefined &&
    pager.triggeredAt > incident.acknowledgedAt &&
    // An own alert the pager resolved since is held as an earlier one, and is not paging (records
    // from before exposed interfaces' alerts had states of their own could read triggered then).
    !(pager.earlier ?? []).some((alert) => alert.raisedAt === pager.triggeredAt)
  );
}

/**
 * Whether an acknowledgement now would take anything (what the web page and a link's page offer
 * it for): the incident, while nobody acknowledged it; once acknowledged, the alert the pager raised
 * after that (pageAfterAcknowledgement), or an exposed interface's page repeated on the on-call
 * topic that nobody took since the interface was left open (schedule.ts exposedUntaken). `link`:
 * from that page's link, which takes only what acknowledge() takes with it.
 */
export function acknowledgementTakes(incident: Incident, policy: Policy, link?: LinkPage): boolean {
  if (incident.state === 'closed') return false;
  if (!incident.acknowledgedBy) return true;
  if (link?.repeat) return exposedUntaken(incident, policy).length > 0;
  return pageAfterAcknowledgement(incident) || exposedUntaken(incident, policy).length > 0 || alertsToTake(incident).length > 0;
}

/**
 * The alerts raised after the incident's acknowledgement that a person takes in datalek (pager.ts):
 * containment that did not fit the record, and a finding asking for a step decided against (read14b
 * B3: that one held every merge until taken, and only the pager's webhook could take it).
 * `notPlannedTakenAt` notes the taking of both.
 */
function alertsToTake(incident: Incident): { key: string; raisedAt: string }[] {
  return [...notPlannedUntaken(incident), ...notDoneHeldUntaken(incident)];
}

/**
 * Records the acknowledgement on a draft incident and returns its timeline entry. A closed
 * incident is refused, and so is a time before the detection.
 */
export function applyAcknowledgement(draft: Incident, by: string, now: string, detail: Record<string, unknown>, timeZone: string): TimelineDraft {
  if (draft.state === 'closed') {
    const hint = followUpHint(draft);
    throw new RefusedError(`incident ${draft.id} is closed; there is nothing to acknowledge${hint.en}`, {
      page: { nl: `Incident ${draft.id} is gesloten; er is niets op te pakken${hint.nl}.` },
    });
  }
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
