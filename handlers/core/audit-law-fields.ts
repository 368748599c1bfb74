/**
 * The fields of the law on a stored incident record, and who decided, held to the incident's
 * timeline (tl28a, atk28 F1, F5, F6, F7, F9), beside the clock, the FG's decisions, the facts and the
 * containment (core/audit.ts checkRecordAgainstTimeline, core/audit-record.ts): the hours the AP
 * deadline is counted with, whether the incident is a sample, who acknowledged it first and when,
 * the detection, and the changes made with a stated clock. A record edited behind the pipeline and
 * declared by ledger entries rechained after the last digest's head hashes true; only its timeline,
 * whose entries each command writes with the change, says what the record must hold. Read from the
 * stored text: nothing here trusts a row, and a row that does not parse is skipped (the audit
 * reports it on its own).
 */

import { detailOf, type Row } from './audit-record.js';
import { canonicalJson } from './hash.js';
import { keptSentText } from './sent-text.js';
import { addHours, HOUR_MS } from './time.js';

/** The entries that open an incident: from a finding, or by a person (`datalek open`). */
const OPENING_ENTRIES = new Set(['incident-opened', 'incident-opened-by-hand']);
/** The entries that acknowledge an incident (audit.ts ACKNOWLEDGING_ENTRIES): a person, or opening it by hand. */
const ACKNOWLEDGING_ENTRIES = new Set(['acknowledged', 'incident-opened-by-hand']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value as a problem names it: `none` for null or absent. */
const shown = (v: unknown): string => (v === null || v === undefined ? 'none' : typeof v === 'string' ? v : JSON.stringify(v));

/** The opening entry and its detail, or null when the timeline holds none that parses. */
function openingOf(timeline: readonly Row[]): { row: Row; d: Record<string, unknown> } | null {
  const row = timeline.find((r) => OPENING_ENTRIES.has(String(r.kind)));
  const d = row ? detailOf(row) : null;
  return row && d ? { row, d } : null;
}

/** Holds the law's fields and who decided to the timeline; `add` names each problem. */
export function checkLawFieldsAgainstTimeline(record: Record<string, unknown>, timeline: readonly Row[], add: (problem: string) => void): void {
  const opening = openingOf(timeline);
  checkDeadlineHours(record, opening, add);
  checkSample(record, opening, add);
  checkAcknowledgement(record, timeline, opening, add);
  checkDetection(record, timeline, add);
  checkStatedClock(record, timeline, add);
  checkRole(record, timeline, opening, add);
  checkDecisionHistory(record, timeline, add);
}

/**
 * The AP deadline is the awareness plus the hours the record counts (`deadlineHours`), and those are
 * the policy's when the incident was opened: nothing changes them after (record-finding.ts open_,
 * open-by-hand.ts). The opening entry gives the deadline (the target counted, `internalTarget`, where
 * the hours were fewer than the law's 72) at its awareness, so the hours counted then. A record
 * whose awareness runs a clock holds both: with the hours taken off, the deadline was held to nothing.
 */
function checkDeadlineHours(record: Record<string, unknown>, opening: ReturnType<typeof openingOf>, add: (problem: string) => void): void {
  if (typeof record.awareAt !== 'string') return; // the awareness is held to the timeline in audit.ts
  const hours = record.deadlineHours;
  if (typeof hours !== 'number' || !Number.isFinite(hours) || typeof record.deadline !== 'string') {
    add(
      `its awareness ${record.awareAt} holds no AP deadline or no hours it counts (deadline ${shown(record.deadline)}, hours ${typeof hours === 'number' ? hours : 'none'}): they were taken off behind the pipeline, which leaves the AP deadline held to nothing`,
    );
    return;
  }
  if (!opening || typeof opening.d.awareAt !== 'string') return;
  const counted = typeof opening.d.internalTarget === 'string' ? opening.d.internalTarget : opening.d.deadline;
  if (typeof counted !== 'string' || addHours(opening.d.awareAt, hours) === counted) return;
  const then = (Date.parse(counted) - Date.parse(opening.d.awareAt)) / HOUR_MS;
  add(
    `its AP deadline counts ${hours} hours, but its opening (entry ${opening.row.seq}) counted ${then}: the hours were changed behind the pipeline, which moves the AP deadline and its reminders`,
  );
}

/**
 * A sample finding (GuardDuty's test data) runs no clock and no containment, and the sweep passes it
 * by: whether the incident is one is said when it is opened (the opening entry's `sample`; an
 * incident a person opened is never one), and nothing changes it after.
 */
function checkSample(record: Record<string, unknown>, opening: ReturnType<typeof openingOf>, add: (problem: string) => void): void {
  if (!opening) return;
  const given = opening.row.kind === 'incident-opened-by-hand' ? false : opening.d.sample;
  if (typeof given !== 'boolean' || (record.sample === true) === given) return;
  add(
    given
      ? `it reads no sample finding, but its opening (entry ${opening.row.seq}) says it is one: it was changed behind the pipeline`
      : `it reads a sample finding, but its opening (entry ${opening.row.seq}) says it is none: it was made test data behind the pipeline, which runs no AP clock and no reminders`,
  );
}

/**
 * The incident's acknowledgement is its first (acknowledge.ts: a later one takes a page or an alert,
 * not the incident): the first acknowledging entry's person and time. One taken at the pager is
 * recorded when the webhook arrives and dated when the person acted there (`occurredAt`), never
 * before the incident was opened nor after it was recorded (pager.ts).
 */
function checkAcknowledgement(
  record: Record<string, unknown>,
  timeline: readonly Row[],
  opening: ReturnType<typeof openingOf>,
  add: (problem: string) => void,
): void {
  const row = timeline.find((r) => ACKNOWLEDGING_ENTRIES.has(String(r.kind)));
  if (!row) return; // one on the record with no entry is named in audit.ts
  const occurredAt = detailOf(row)?.occurredAt;
  const at =
    typeof occurredAt === 'string' && opening
      ? [String(opening.row.at), occurredAt, String(row.at)].sort((a, b) => Date.parse(a) - Date.parse(b))[1]
      : String(row.at);
  if (record.acknowledgedBy === row.actor && record.acknowledgedAt === at) return;
  add(
    `its acknowledgement (${shown(record.acknowledgedBy)} at ${shown(record.acknowledgedAt)}) is not the first its timeline records (${shown(row.actor)} at ${at}, entry ${row.seq}): it was changed behind the pipeline, with no entry saying who took the incident`,
  );
}

/**
 * GuardDuty's detection: the opening gives it, and only an earlier detection (a finding joining, a
 * merge) moves it, with its entry (record-finding.ts moveDetectionEarlier). The AP clock's default
 * awareness and the register read it.
 */
function checkDetection(record: Record<string, unknown>, timeline: readonly Row[], add: (problem: string) => void): void {
  let given: { at: string; seq: number } | null = null;
  for (const row of timeline) {
    const kind = String(row.kind);
    if (!OPENING_ENTRIES.has(kind) && kind !== 'detection-moved-earlier') continue;
    const d = detailOf(row);
    const at = kind === 'detection-moved-earlier' ? d?.to : d?.detectedAt;
    if (typeof at === 'string') given = { at, seq: row.seq };
  }
  if (!given || record.detectedAt === given.at) return;
  add(
    `its detection ${shown(record.detectedAt)} is not the one its timeline gives ${given.at} (entry ${given.seq}): it was moved behind the pipeline, with no entry saying so; the register and the AP clock's default awareness read it`,
  );
}

/**
 * Every change a person made with a `--now` behind the machine's clock starts with a 'clock-stated'
 * entry, and the record lists it (`statedClock`, change-incident.ts keepStatedClock; beyond the most
 * it lists, counted in `statedClockNotListed`): the register and show mark the times it stated as
 * entered later by it. One the record does not list reads as entered when it says.
 */
function checkStatedClock(record: Record<string, unknown>, timeline: readonly Row[], add: (problem: string) => void): void {
  const listed = new Set((Array.isArray(record.statedClock) ? record.statedClock : []).map((m) => canonicalJson(m)));
  let missing = 0;
  for (const row of timeline) {
    if (row.kind !== 'clock-stated') continue;
    const d = detailOf(row);
    if (!d) continue;
    if (!listed.has(canonicalJson({ at: row.at, enteredAt: d.enteredAt, by: row.actor, entries: d.entries }))) missing += 1;
  }
  const counted = typeof record.statedClockNotListed === 'number' ? record.statedClockNotListed : 0;
  if (missing <= counted) return;
  add(
    `its timeline records ${missing} changes made with a stated clock that its record does not list: they were taken off behind the pipeline, and the register and show read the times they stated as entered then`,
  );
}

/**
 * The organisation's role for the incident (`role`) is the one the last 'role-set' entry gave, or
 * none (the policy's when it was opened, `policyRole`) while no person set one: made processor, the
 * AP notification reads as the controller's duty and its clock "not-needed". The law in force when
 * the clock began (`policyRole`, `controllerHours`, `clocksInForce`), kept so that a later policy never
 * re-judges the record, is the opening entry's; a processor's hours begin with the role set, when
 * its entry says them. An opening written before it said them is not judged for those.
 */
function checkRole(record: Record<string, unknown>, timeline: readonly Row[], opening: ReturnType<typeof openingOf>, add: (problem: string) => void): void {
  let role: { to: unknown; seq: number } | null = null;
  let hours: unknown = null;
  for (const row of timeline) {
    if (row.kind !== 'role-set') continue;
    const d = detailOf(row);
    if (!d) continue;
    role = { to: d.to, seq: row.seq };
    if (typeof d.controllerHours === 'number') hours = d.controllerHours;
  }
  if ((record.role ?? null) !== (role?.to ?? null)) {
    const gives = role ? `${shown(role.to)} (entry ${role.seq})` : "(none: the policy's when it was opened)";
    add(
      `its role ${shown(record.role)} is not the one its timeline gives ${gives}: it was changed behind the pipeline, with no entry saying who decided it or why; the AP clock and the register read it`,
    );
  }
  if (!opening || !('clocksInForce' in opening.d)) return;
  const given: Record<string, unknown> = {
    policyRole: opening.d.policyRole,
    controllerHours: typeof opening.d.controllerHours === 'number' ? opening.d.controllerHours : hours,
    clocksInForce: opening.d.clocksInForce,
  };
  const differ = Object.keys(given).filter((field) => canonicalJson(record[field] ?? null) !== canonicalJson(given[field] ?? null));
  if (differ.length === 0) return;
  add(
    `its policy's role, a processor's hours and the clocks in force when its clock began (${differ.join(', ')}) are not those its timeline gives: they were changed behind the pipeline; the AP, NIS2 and telecom clocks read them`,
  );
}

/** The entries that record a decision of the FG's history (`decisions`), by the decision's kind (fg-workflow.ts, open-by-hand.ts). */
const DECISION_OF_ENTRY: Record<string, string> = {
  assessed: 'assessment',
  'awareness-set': 'awareness',
  'incident-opened-by-hand': 'awareness',
  'role-set': 'role',
  'nis2-decided': 'nis2-significance',
  'nis2-intermediate-requested': 'nis2-intermediate-request',
  'nis2-awareness-set': 'nis2-awareness',
  'subjects-decided': 'subjects',
  'subscribers-decided': 'subjects',
};

/**
 * Who decided, and when (Art. 33(5): the register's decision history): each decision on the record
 * is its entry's kind, person and time, with its reason where the entry gives one, in order; the
 * assessment in force is the last 'assessed' entry's, with its person, time and reason; and a decision
 * on informing (Art. 34; the subscribers') is its last entry's in every field (the record keeps the
 * beginning of a long text, keptSentText). What the clocks read of them is held in audit.ts.
 */
function checkDecisionHistory(record: Record<string, unknown>, timeline: readonly Row[], add: (problem: string) => void): void {
  const entries = timeline.filter((row) => DECISION_OF_ENTRY[String(row.kind)] !== undefined);
  const held = Array.isArray(record.decisions) ? record.decisions : [];
  if (held.length !== entries.length) {
    add(
      `its decisions (${held.length}) are not those its timeline records (${entries.length}): they were changed behind the pipeline, and the register's decision history reads them (Art. 33(5))`,
    );
    return;
  }
  held.forEach((decision, i) => {
    const row = entries[i];
    const d = detailOf(row) ?? {};
    const want = `${DECISION_OF_ENTRY[String(row.kind)]} by ${shown(row.actor)} at ${shown(row.at)}`;
    const got = isObject(decision) ? `${shown(decision.kind)} by ${shown(decision.by)} at ${shown(decision.recordedAt)}` : shown(decision);
    const reasonDiffers = isObject(decision) && typeof d.reason === 'string' && decision.reason !== d.reason;
    if (got === want && !reasonDiffers) return;
    add(
      `its decision ${i + 1} (${got}) is not the one its timeline records (${want}, entry ${row.seq}): it was changed behind the pipeline, with no entry saying who decided it or why`,
    );
  });
  const assessed = timeline.findLast((row) => row.kind === 'assessed');
  if (assessed && isObject(record.assessment)) {
    const d = detailOf(assessed) ?? {};
    const given: Record<string, unknown> = {
      by: assessed.actor,
      at: assessed.at,
      reason: d.reason,
      afterClose: d.afterClose,
      confirmedBesideSpecial: d.confirmedBesideSpecial,
    };
    const a = record.assessment;
    // The reason is kept once, in the decisions (reason-once): a record without it is as written.
    if (a.reason === undefined) delete given.reason;
    const differ = Object.keys(given).filter((field) => canonicalJson(a[field] ?? null) !== canonicalJson(given[field] ?? null));
    if (differ.length) {
      add(
        `its assessment differs from its last 'assessed' entry (entry ${assessed.seq}) in ${differ.join(', ')}: it was changed behind the pipeline, and the register reads who assessed it, when and why`,
      );
    }
  }
  for (const [field, kind] of [
    ['subjects', 'subjects-decided'],
    ['subscribers', 'subscribers-decided'],
  ] as const) {
    const row = timeline.findLast((r) => r.kind === kind);
    const decision = record[field];
    if (!row || !isObject(decision)) continue; // one taken off or made up is named in audit.ts
    const { afterClose: _afterClose, ...given } = detailOf(row) ?? {};
    // The text sent is kept once, on the timeline (subjects-text-once): a record without it is as written.
    if (decision.text === undefined) delete given.text;
    else if (typeof given.text === 'string') given.text = keptSentText(given.text);
    const differ = [...new Set([...Object.keys(decision), ...Object.keys(given)])]
      .filter((f) => canonicalJson(decision[f] ?? null) !== canonicalJson(given[f] ?? null))
      .sort();
    if (differ.length) {
      add(
        `its decision on informing the ${field} differs from its last decision entry (entry ${row.seq}) in ${differ.join(', ')}: it was changed behind the pipeline, and the register and the notice read it`,
      );
    }
  }
}
