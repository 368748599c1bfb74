/**
 * What one commit may write. A commit is one atomic write of the store (a DynamoDB
 * TransactWriteItems holds at most 100 items, and every timeline entry is an item of its own), so
 * what grows with the finding (the containment an attack sequence across a fleet plans) is
 * written as one timeline entry that summarises it, never one entry per resource: the finding is
 * always recorded, on every store alike. The actions themselves stay in the incident's record, each
 * one, and the ledger hashes that record with the entry.
 */

import type { IncidentChange } from '../ports/incident-store.js';
import { withActions } from './containment.js';
import type { ActionRecord, Incident } from './incident.js';

/** Most containment actions one commit writes a timeline entry of each; more are summarised in one. */
export const MAX_ACTION_ENTRIES = 10;

/** A timeline entry as the use cases draft it (before it is chained). */
export interface TimelineDraft {
  at: string;
  kind: string;
  actor?: string;
  detail?: Record<string, unknown>;
}

const actionDetail = (a: ActionRecord) => ({
  action: a.type,
  target: a.target,
  status: a.status,
  mode: a.mode,
  reason: a.reason ?? null,
  findingId: a.findingId,
});

/**
 * The timeline entries of the actions one change plans: one per action, or, for more than
 * MAX_ACTION_ENTRIES, one `containment-actions` entry that counts them by type, status and mode,
 * lists the first MAX_ACTION_ENTRIES and says how many it leaves out and where they all are.
 */
export function actionEntries(actions: ActionRecord[], now: string, incidentId: string): TimelineDraft[] {
  if (actions.length <= MAX_ACTION_ENTRIES) return actions.map((a) => ({ at: now, kind: `containment-${a.status}`, detail: actionDetail(a) }));
  const count = (key: (a: ActionRecord) => string) => {
    const counts: Record<string, number> = {};
    for (const a of actions) counts[key(a)] = (counts[key(a)] ?? 0) + 1;
    return counts;
  };
  return [
    {
      at: now,
      kind: 'containment-actions',
      detail: {
        count: actions.length,
        types: count((a) => a.type),
        statuses: count((a) => a.status),
        modes: count((a) => a.mode),
        findingIds: [...new Set(actions.map((a) => a.findingId))],
        listed: actions.slice(0, MAX_ACTION_ENTRIES).map(actionDetail),
        notListed: actions.length - MAX_ACTION_ENTRIES,
        reason: `${actions.length} containment actions planned at once: the first ${MAX_ACTION_ENTRIES} are listed here, every one is in the incident's record (datalek show ${incidentId})`,
      },
    },
  ];
}

/**
 * Most containment actions one incident's record holds. An action carried out holds its steps and
 * what undoing it needs (a few KB at most), so the record of an incident stays far within
 * DynamoDB's 400 KB an item however long a storm on its resources lasts.
 */
export const MAX_ACTIONS = 100;

/**
 * Adds the actions a change plans to the incident, while its record has room (MAX_ACTIONS); the
 * rest are counted in `actionsNotPlanned`, and the timeline says so the first time. Returns those
 * added.
 */
export function takeActions(incident: Incident, planned: ActionRecord[], now: string, entries: TimelineDraft[]): ActionRecord[] {
  // An action the incident holds already (planned again to enforce, or renewed after a release)
  // takes its own place; only new ones need room.
  const held = new Set(incident.actions.map((a) => a.id));
  let room = Math.max(0, MAX_ACTIONS - incident.actions.length);
  const taken: ActionRecord[] = [];
  let left = 0;
  let first: ActionRecord | undefined;
  for (const a of planned) {
    if (held.has(a.id)) taken.push(a);
    else if (room > 0) {
      taken.push(a);
      room -= 1;
    } else {
      left += 1;
      first ??= a;
    }
  }
  incident.actions = withActions(incident.actions, taken);
  if (left > 0) noteActionsNotPlanned(incident, left, now, entries, first);
  return taken;
}

/** Counts actions left out for want of room, and says so on the timeline the first time. */
export function noteActionsNotPlanned(incident: Incident, count: number, now: string, entries: TimelineDraft[], first?: ActionRecord): void {
  const known = incident.actionsNotPlanned;
  incident.actionsNotPlanned = { count: (known?.count ?? 0) + count, since: known?.since ?? now };
  if (known) return;
  entries.push({
    at: now,
    kind: 'containment-not-planned',
    detail: {
      limit: MAX_ACTIONS,
      count,
      ...(first ? { firstLeftOut: { action: first.type, target: first.target, findingId: first.findingId } } : {}),
      reason: `the incident's record holds ${MAX_ACTIONS} containment actions: further actions are not planned, only counted; a person contains those resources (the findings name them)`,
    },
  });
}

/** Most items one commit may write: DynamoDB's TransactWriteItems holds at most 100. */
export const MAX_COMMIT_ITEMS = 100;

/**
 * The items a commit writes at most, counted as the DynamoDB store writes them: per incident its
 * record, its ledger entry and the entry's anchor mark, each timeline entry, each message and each
 * resource key it claims; a new incident also its registry entry, the registry head and the lock
 * of its own resource; an incident this change closes also the release of every key it held; and
 * the finding's record. (Messages stored already are left out by the store, so it may write fewer.)
 */
export function commitItems(change: IncidentChange): number {
  // A key the incident claims from one this commit closes is handed over with one write.
  const handedOver = new Set(change.claims);
  let items = (change.finding ? 1 : 0) + handedOver.size;
  for (const c of [change, ...(change.others ?? [])]) {
    items += 3 + c.timeline.length + c.messages.length;
    if (c.expectedRevision === null) items += 3;
    if (closedBy(c)) items += [c.incident.resourceKey, ...(c.incident.resourceKeys ?? [])].filter((k) => !handedOver.has(k)).length;
  }
  return items;
}

/** Whether the change closes its incident (rather than changing one closed before). */
function closedBy(change: IncidentChange): boolean {
  return change.incident.state === 'closed' && change.incident.closedAt !== null && change.timeline.some((e) => e.at === change.incident.closedAt);
}
