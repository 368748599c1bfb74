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
import { RefusedError } from './errors.js';
import type { ActionRecord, Incident } from './incident.js';
import { storedText } from './ledger.js';
import { MAX_LONGTEXT_CHARS } from './sent-text.js';
import { storedIncident } from './stored-record.js';

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
 * Most containment actions one incident's record holds, however small: what `show` and the
 * messages list stays readable.
 */
export const MAX_ACTIONS = 100;

/**
 * Most bytes (UTF-8) of an incident's stored record, counting the room kept for what its actions
 * still to be carried out will record, and leaving out what people entered (that has a share of
 * its own, MAX_PERSON_BYTES, so that no text displaces containment). The DynamoDB store writes the
 * record as one item, and an item holds at most 400 KB: a commit over it is refused, and then
 * nothing about the incident could be written again (no finding, no containment step, no
 * assessment). The rest up to 400 KB, after the people's share, is for the item's other attributes
 * and for an action that records more than the room kept for it.
 */
export const MAX_RECORD_BYTES = 300 * 1024;

/**
 * Most bytes (UTF-8) of an incident's record that people's text takes: the FG's decisions and
 * their reasons (the reason of the assessment in force is stored once, in `decisions`), the
 * facts, reports, Art. 34 decisions, what was recorded after closing, the reasons of closing and
 * of releases, the decisions not to carry a containment step out (and those taken back), what
 * was done by hand, and who acknowledged. A change that would take the record past it is refused
 * (core/change-incident.ts); what the pipeline records never counts against it, and it never
 * counts against the room for containment.
 */
export const MAX_PERSON_BYTES = 64 * 1024;

/**
 * The most characters of the text of a communication as sent (`subjects --text`): above the
 * longest notice datalek drafts, so that it is never refused. The notice repeats the facts' texts
 * (summary, consequences in general and per nature, measures), at most MAX_PERSON_BYTES of people's
 * text and so at most as many characters, which Markdown escaping can double, beside containment
 * steps and headings: three times MAX_PERSON_BYTES is above it (32,000 was not: review11 A4). The
 * record keeps one longer than MAX_LONGTEXT_CHARS as its beginning, length and SHA-256; the
 * timeline the whole of it (sent-text.ts keptSentText), within MAX_SENT_TEXT_BYTES.
 */
export const MAX_SENT_TEXT_CHARS = 3 * MAX_PERSON_BYTES;

/**
 * The most bytes the text of a communication as sent takes as the timeline stores it (UTF-8, in
 * JSON): the decision's timeline entry keeps the whole text, and a DynamoDB item holds 400 KB, the
 * decision's own texts (its reason, the record's copy of the text) beside it. The longest notice
 * datalek drafts stays under it (its characters come from at most MAX_PERSON_BYTES of people's
 * text, escaped); a text over it is refused naming the field, as one over MAX_SENT_TEXT_CHARS is.
 */
export const MAX_SENT_TEXT_BYTES = 256 * 1024;

/** The parts of the record that hold what people entered (see MAX_PERSON_BYTES). */
const PERSON_FIELDS = [
  'assessment',
  'decisions',
  'nis2',
  'nis2AwareReason',
  'facts',
  'reports',
  'subjects',
  'subscribers',
  'afterClose',
  'retentionHold',
  'awareReason',
  'closeReason',
  'overdueReason',
  'containmentReason',
  'reportsPendingReason',
  'apFollowUpReason',
  'acknowledgedBy',
] as const satisfies readonly (keyof Incident)[];

/** The bytes of an incident's record that people's text takes (see MAX_PERSON_BYTES). */
export function personBytes(incident: Incident): number {
  let bytes = 0;
  // As stored: the reason of the assessment in force once (stored-record.ts storedIncident).
  const stored = storedIncident(incident);
  for (const field of PERSON_FIELDS) {
    const value = stored[field];
    if (value !== undefined && value !== null) bytes += Buffer.byteLength(JSON.stringify(value));
  }
  for (const a of incident.actions) {
    if (a.released) bytes += Buffer.byteLength(JSON.stringify(a.released));
    // The not-done decisions taken back (core/by-hand.ts): each a person's text, and as many as she decides.
    if (a.notDoneWithdrawn) bytes += Buffer.byteLength(JSON.stringify(a.notDoneWithdrawn));
    // A decision not to carry it out, and what was done by hand in its stead: a person's words, of any length.
    if (a.notDone) bytes += Buffer.byteLength(JSON.stringify(a.notDone));
    if (a.byHand) bytes += Buffer.byteLength(JSON.stringify(a.byHand));
  }
  return bytes;
}

/** The people's share without on-call's entries: the acknowledgement, the releases' reasons and the containments recorded by hand. */
function fgTextBytes(incident: Incident): number {
  let bytes = personBytes(incident);
  if (incident.acknowledgedBy) bytes -= Buffer.byteLength(JSON.stringify(incident.acknowledgedBy));
  for (const a of incident.actions) {
    if (a.released) bytes -= Buffer.byteLength(JSON.stringify(a.released));
    if (a.byHand) bytes -= Buffer.byteLength(JSON.stringify(a.byHand));
  }
  return bytes;
}

/**
 * Refuses a change that takes the people's share of the record past MAX_PERSON_BYTES (a change
 * that does not add to it, or a record stored before the bound, passes; so does one that adds
 * only on-call's entries): nothing is written.
 */
export function checkPersonRoom(current: Incident, draft: Incident): void {
  const after = personBytes(draft);
  if (after <= MAX_PERSON_BYTES || after <= personBytes(current)) return;
  // On-call's own entries (who took the incident, why containment was undone, what was done by hand) are never refused
  // for what the FG wrote: the one refused could not shorten it, and an acknowledgement refused
  // leaves the escalation paging (review6 R8). Each is bounded by the field rules; the record as
  // a whole must still fit.
  if (fgTextBytes(draft) <= fgTextBytes(current) && Buffer.byteLength(storedText.incident(draft)) <= MAX_RECORD_BYTES) return;
  const kb = (n: number) => Math.ceil(n / 1024);
  const limit = MAX_PERSON_BYTES / 1024;
  throw new RefusedError(
    `the record of ${draft.id} would hold ${kb(after)} KB of text people entered, more than the ${limit} KB it keeps for it (the rest is kept for the findings and their containment): shorten the text, or put it in the case file and refer to it`,
    {
      page: {
        nl: `Het dossier van ${draft.id} zou ${kb(after)} KB tekst van personen bevatten, meer dan de ${limit} KB die het daarvoor bewaart (de rest is voor de meldingen van GuardDuty en hun inperking): maak de tekst korter, of zet hem in het dossier en verwijs er hier naar.`,
      },
    },
  );
}

/**
 * The room kept in the record for an action the pipeline will still carry out: its steps and the
 * evidence to undo it. An isolation of an instance with 8 network interfaces and 3 volumes, its
 * credentials revoked, records about 4.9 KB (review3 attack §9, on moto); this keeps room for more
 * interfaces than that.
 */
export const PENDING_ACTION_BYTES = 8 * 1024;

/** The bytes an action takes in the record, with the room kept for what carrying it out will add. */
function actionBytes(a: ActionRecord): number {
  return Buffer.byteLength(JSON.stringify(a)) + (pending(a) ? PENDING_ACTION_BYTES : 0);
}

/** Whether the pipeline will still carry the action out (and its steps and evidence grow the record). */
function pending(a: ActionRecord): boolean {
  return a.mode === 'enforce' && !a.person && !a.released && (a.status === 'planned' || a.status === 'failed');
}

/**
 * The bytes of an incident's stored record that count against MAX_RECORD_BYTES: the record with
 * the room its pending actions keep, less what people entered (their own share).
 */
export function recordBytes(incident: Incident): number {
  let bytes = Buffer.byteLength(storedText.incident(incident)) - personBytes(incident);
  for (const a of incident.actions) if (pending(a)) bytes += PENDING_ACTION_BYTES;
  return bytes;
}

/**
 * Adds the actions a change plans to the incident while its record has room: MAX_ACTIONS actions
 * and MAX_RECORD_BYTES bytes. The rest are counted in `actionsNotPlanned` (the timeline says so the
 * first time) and returned as `left`, so that the finding that called for them can say so to
 * on-call. An action the incident holds already (planned again to enforce, a DNS channel step with
 * a domain added, one renewed after a release) takes its own place; only new ones need room.
 */
export function takeActions(
  incident: Incident,
  planned: ActionRecord[],
  now: string,
  entries: TimelineDraft[],
): { taken: ActionRecord[]; left: ActionRecord[] } {
  const taken: ActionRecord[] = [];
  const left: ActionRecord[] = [];
  if (planned.length === 0) return { taken, left };
  const held = new Map(incident.actions.map((a) => [a.id, a]));
  let count = incident.actions.length;
  // Measured once, then each action's bytes added or replaced: a storm plans a few at a time.
  let bytes = recordBytes(incident);
  for (const a of planned) {
    const before = held.get(a.id);
    const size = actionBytes(a) - (before ? actionBytes(before) : 0);
    if (before && size <= 0) taken.push(a);
    else if ((before || count < MAX_ACTIONS) && bytes + size <= MAX_RECORD_BYTES) {
      taken.push(a);
      bytes += size;
      if (!before) count += 1;
    } else left.push(a); // one held already stays as it was: its enforcement or its further domain is counted
  }
  incident.actions = withActions(incident.actions, taken);
  if (left.length > 0) noteActionsNotPlanned(incident, left.length, now, entries, left[0]);
  return { taken, left };
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
      limitBytes: MAX_RECORD_BYTES,
      count,
      ...(first ? { firstLeftOut: { action: first.type, target: first.target, findingId: first.findingId } } : {}),
      reason: `the incident's record has no room for more containment actions (at most ${MAX_ACTIONS}, and ${MAX_RECORD_BYTES / 1024} KB with what they will record): further actions are not planned, only counted; a person contains those resources (the findings name them)`,
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

export { MAX_LONGTEXT_CHARS };
