/**
 * The incidents that need action, most urgent first, and the closed ones: the listing `status`
 * and the web page's overview read. Apart from queries.ts so that `datalek status` loads only this,
 * not what one incident's detail and the register need (the FG's workflow, the AP draft).
 */

import { closedWithDuty } from '../core/clocks.js';
import type { DrillMark } from '../core/drill.js';
import type { Incident } from '../core/incident.js';
import type { Policy } from '../core/policy.js';
import { awaitsAcknowledgement } from '../core/schedule.js';
import type { UnreadableHandler } from '../core/stored-record.js';
import type { IncidentStore } from '../ports/incident-store.js';

export interface QueryDeps {
  store: IncidentStore;
  policy: Policy;
  now: () => string;
  /** Set when the store is a drill copy: what is exported for people says so (atk29 A4). */
  drill?: DrillMark | null;
}

/**
 * Most urgent first: real incidents before tests, unacknowledged (by nobody, whatever the FG's state) before acknowledged, then the
 * earliest AP deadline, then the highest severity. The AP deadline here is the record's `deadline`: a shorter internal target
 * where the policy sets one (the organisation's choice, as its reminders are; `status` says so under its table, fg15).
 */
export function byUrgency(a: Incident, b: Incident): number {
  return (
    Number(a.sample) - Number(b.sample) ||
    Number(!awaitsAcknowledgement(a)) - Number(!awaitsAcknowledgement(b)) ||
    (a.deadline ?? '9999').localeCompare(b.deadline ?? '9999') ||
    b.severity - a.severity ||
    a.id.localeCompare(b.id)
  );
}

/** A due time later than any: the due index then holds every incident with something still to come. */
const ANY_TIME = '9999-12-31T23:59:59.999Z';

/**
 * What needs action, most urgent first: the incidents that are not closed, and the closed ones an
 * assessment after closing gave a duty still running (core/clocks.ts `closedWithDuty`). Those come
 * from the due index, which holds exactly the incidents with something due (their reminders run
 * until the duty is done), so the list grows with what is due, not with closed history.
 */
export async function openIncidents(deps: QueryDeps, onUnreadable?: UnreadableHandler): Promise<Incident[]> {
  // A damaged record can be in both lists: named once.
  const named = new Set<string>();
  const once: UnreadableHandler | undefined =
    onUnreadable &&
    ((p) => {
      if (named.has(p.incidentId)) return;
      named.add(p.incidentId);
      onUnreadable(p);
    });
  const open = await deps.store.listIncidents({ openOnly: true, onUnreadable: once });
  const owed = (await deps.store.listDue(ANY_TIME, once)).filter((i) => closedWithDuty(i, deps.policy));
  return [...open, ...owed].sort(byUrgency);
}

/** The closed incidents, the most recently closed first; one whose record cannot be read goes to `onUnreadable` (without it: throws). */
export async function closedIncidents(deps: QueryDeps, onUnreadable?: UnreadableHandler): Promise<Incident[]> {
  return (await deps.store.listIncidents({ onUnreadable }))
    .filter((i) => i.state === 'closed')
    .sort((a, b) => (b.closedAt ?? '').localeCompare(a.closedAt ?? '') || a.id.localeCompare(b.id));
}
