/**
 * The AP verdict as the FG must defend it before the AP (Art. 33(1), (5)): "met" or "late" is
 * judged by the times a person states (the moment of awareness, the time the initial report was
 * submitted), and the record shows what those times rest on.
 *
 * - The record held the AP notification overdue once a deadline in force passed with no initial
 *   report recorded (`passedDeadlines`); datalek's overdue reminders go from then. An initial
 *   report dated at or before such a deadline but entered after it had passed, or a move of
 *   awareness entered after one had passed that moves the deadline later, is marked "entered
 *   after the deadline" (with that deadline) and needs the FG's confirmation: "met" then never
 *   reads unmarked against an overdue record.
 * - A late initial report carries the reasons for the delay (Art. 33(1)), given with the report,
 *   with the move of awareness that made it late, or afterwards with a follow-up or correction to
 *   the AP; each is kept where it was given, none overwrites another (`delayReasons`).
 */
import { type Decision, type Incident, initialReport, type ReportRecord, type Role } from './incident.js';
import { AP_MAX_HOURS } from './policy.js';
import { recordReached, remindedOverdue } from './stated-time.js';
import { addHours, HOUR_MS } from './time.js';

type Awareness = Extract<Decision, { kind: 'awareness' }>;

/** The hours the record counted its AP deadline with (`deadlineHours`, else read from the deadline), or null without one. */
function countedHours(incident: Incident): number | null {
  if (incident.deadline === null || incident.awareAt === null) return null;
  return incident.deadlineHours ?? (Date.parse(incident.deadline) - Date.parse(incident.awareAt)) / HOUR_MS;
}

/**
 * The organisation's internal target, when the record was counted with fewer hours than Art. 33(1)'s
 * 72 (policy `apDeadlineHours` below 72): `deadline` then holds the target, which the reminders run
 * to. A target is not the law (review12 S3): missing it is no delay under Art. 33(1).
 */
export function apInternalTarget(incident: Incident): { at: string; hours: number } | null {
  const hours = countedHours(incident);
  return hours !== null && hours < AP_MAX_HOURS ? { at: incident.deadline as string, hours } : null;
}

/**
 * The AP deadline the verdict is judged by ("met", "late", the reasons for a delay, overdue): 72
 * hours from awareness (Art. 33(1)), whatever internal target the record was counted with; a record
 * counted with more before G17 keeps its hours (it says them).
 */
export function apLegalDeadline(incident: Incident): string | null {
  return apInternalTarget(incident) ? addHours(incident.awareAt as string, AP_MAX_HOURS) : incident.deadline;
}

/**
 * What a timeline entry stores of the AP clock: `deadline`, the law's (as everywhere since review12
 * S3), and `internalTarget` beside it when the record counts with a shorter target (fg15). Entries
 * written before held the target as `deadline` with no `internalTarget`: `entryDeadlines` reads both.
 */
export function deadlineDetail(incident: Incident): { deadline: string | null; internalTarget?: string } {
  const target = apInternalTarget(incident);
  return target ? { deadline: apLegalDeadline(incident), internalTarget: target.at } : { deadline: incident.deadline };
}

/**
 * The law's deadline and the internal target a timeline entry gives, old or new: an entry without
 * `internalTarget` whose `deadline` lies before 72 hours from its awareness held the target there.
 */
export function entryDeadlines(
  detail: { deadline?: unknown; internalTarget?: unknown },
  awareAt: string | null,
): { deadline: string | null; internalTarget: string | null } {
  const deadline = typeof detail.deadline === 'string' ? detail.deadline : null;
  if (typeof detail.internalTarget === 'string') return { deadline, internalTarget: detail.internalTarget };
  const legal = deadline && awareAt ? addHours(awareAt, AP_MAX_HOURS) : null;
  return legal && deadline && deadline < legal ? { deadline: legal, internalTarget: deadline } : { deadline, internalTarget: null };
}

/** The hours of the legal deadline: 72, or the more a record was counted with before G17. */
export function apLegalHours(incident: Incident): number | null {
  const hours = countedHours(incident);
  return hours === null ? null : Math.max(hours, AP_MAX_HOURS);
}

function awarenessMoves(incident: Incident): Awareness[] {
  return (incident.decisions ?? []).filter((d): d is Awareness => d.kind === 'awareness');
}

/**
 * When the FG's decisions held the breach not notifiable (personal data "no" or risk "none"): from
 * such an assessment until the next one that said notifiable. No AP clock ran then.
 */
function notNotifiableSpans(incident: Incident): { from: string; until: string | null }[] {
  const spans: { from: string; until: string | null }[] = [];
  for (const d of incident.decisions ?? []) {
    if (d.kind !== 'assessment') continue;
    const open = spans.at(-1);
    if (!d.notifiable && (!open || open.until !== null)) spans.push({ from: d.recordedAt, until: null });
    else if (d.notifiable && open && open.until === null) open.until = d.recordedAt;
  }
  return spans;
}

/** The first moment at or after `t` that lies in no span of "not notifiable". */
function whenNotifiable(t: string, spans: { from: string; until: string | null }[]): string | null {
  let at = t;
  for (const span of spans) {
    if (span.from <= at && (span.until === null || at < span.until)) {
      if (span.until === null) return null;
      at = span.until;
    }
  }
  return at;
}

/** An AP deadline that passed while it was in force, and the moment from which the record held the notification overdue. */
export interface PassedDeadline {
  deadline: string;
  overdueFrom: string;
}

/**
 * The AP deadlines that passed while in force (the one from the detection, then each set by a move
 * of awareness), before the next move and before the initial report was recorded, while the FG's
 * decisions held the breach notifiable: the record then held the notification overdue, and
 * datalek's overdue reminders were due. In the order they passed; none for a processor, whose AP
 * notification is the controller's (`role`: the organisation's role for the incident, clocks.ts
 * roleOf, which reads this module's marks).
 */
export function passedDeadlines(incident: Incident, role: Role, now: string): PassedDeadline[] {
  if (incident.sample || incident.deadline === null || incident.awareAt === null) return [];
  if (role === 'processor') return [];
  // Judged against the law's hours, not an internal target (review12 S3).
  const hours = apLegalHours(incident) as number;
  const legal = apLegalDeadline(incident) as string;
  // The first notification of the breach ends the period, a notification anew after its withdrawal aside (law28);
  // so it does once withdrawn: owed anew after it, the record holds the notification owed anew, never overdue (law27, law28 s28).
  const recorded = firstApNotification(incident)?.recordedAt;
  // Judged at what the record already holds, not at a `--now` lagging it (stated-time.ts recordReached).
  const reached = recordReached(incident, now);
  const end = recorded && recorded < reached ? recorded : reached;
  const moves = awarenessMoves(incident);
  const periods: { deadline: string | null; from: string; until: string }[] = [];
  let aware = moves[0]?.from ?? incident.awareAt;
  let from = incident.openedAt;
  for (const move of moves) {
    periods.push({ deadline: aware ? addHours(aware, hours) : null, from, until: move.recordedAt });
    aware = move.to;
    from = move.recordedAt;
  }
  periods.push({ deadline: legal, from, until: end });
  const spans = notNotifiableSpans(incident);
  // The sweep's overdue reminder of the deadline in force, due at the deadline itself: it passed.
  const reminded = (p: { deadline: string }) => p.deadline === legal && !recorded && remindedOverdue(incident.reminders.lastDueAt, p.deadline);
  return (
    periods
      .map((p) => ({ ...p, until: [p.until, end].sort()[0] }))
      // A period can be empty: an incident recorded after its deadline had passed was overdue from the start.
      .filter(
        (p): p is { deadline: string; from: string; until: string } =>
          p.deadline !== null && (p.deadline < p.until || reminded(p as { deadline: string })) && p.from <= p.until,
      )
      .flatMap((p) => {
        const overdue = whenNotifiable([p.deadline, p.from].sort()[1], spans);
        return overdue !== null && overdue <= p.until ? [{ deadline: p.deadline, overdueFrom: overdue }] : [];
      })
      .sort((a, b) => a.overdueFrom.localeCompare(b.overdueFrom))
  );
}

/** The first moment the record held the AP notification overdue, or null. */
export function overdueFrom(incident: Incident, role: Role, now: string): string | null {
  return passedDeadlines(incident, role, now)[0]?.overdueFrom ?? null;
}

/**
 * The AP report the Art. 33(1) verdict rests on, while a notification is in force: the first initial
 * report of the breach. A notification withdrawn (the breach then assessed not notifiable) and made anew
 * once it was found notifiable again does not move it (law28): the 72 hours run from awareness, and the
 * AP was notified of this breach at the first one's time; what followed (the withdrawal, the
 * notification anew) is information given in phases (Art. 33(4)), which the verdict names beside it
 * (`renotified`), never hides. A first notification made late stays late, its reasons with it; one made
 * in time is not called late for the notification anew. Reports are kept in the order recorded, and a
 * notification anew is never stated before the withdrawal it follows (fg-workflow.ts recordReport).
 */
export function apVerdictReport(incident: Incident): ReportRecord | undefined {
  if (!initialReport(incident)) return undefined;
  return (incident.reports ?? []).find((r) => r.to === 'ap' && r.kind === 'initial');
}

/** A notification made anew after a withdrawal: the first one (the verdict's), when it was withdrawn, and the one in force. */
export interface Renotified {
  first: ReportRecord;
  withdrawnAt: string;
  anew: ReportRecord;
}

/** The notification in force made anew after a withdrawal (`apVerdictReport`), or null. */
export function renotified(incident: Incident): Renotified | null {
  const anew = initialReport(incident);
  const first = apVerdictReport(incident);
  if (!anew || !first || first === anew) return null;
  const ap = (incident.reports ?? []).filter((r) => r.to === 'ap');
  // The withdrawal the notification in force answers: the last before it (a second cycle answers a second one).
  const withdrawal = ap.slice(ap.indexOf(first), ap.indexOf(anew)).findLast((r) => r.kind === 'withdrawal');
  return withdrawal ? { first, withdrawnAt: withdrawal.at, anew } : null;
}

/** The AP notified of the breach before and the notification withdrawn, none in force now: the first one and when it was withdrawn; else null. */
export function withdrawnNotification(incident: Incident): { first: ReportRecord; withdrawnAt: string } | null {
  if (initialReport(incident)) return null;
  const ap = (incident.reports ?? []).filter((r) => r.to === 'ap');
  const first = ap.find((r) => r.kind === 'initial');
  const withdrawal = first ? ap.slice(ap.indexOf(first)).findLast((r) => r.kind === 'withdrawal') : undefined;
  return first && withdrawal ? { first, withdrawnAt: withdrawal.at } : null;
}

/**
 * The first notification of the breach to the AP, which the Art. 33(1) verdict rests on: the one in
 * force's first (`apVerdictReport`), or, while none is in force after a withdrawal, the one withdrawn
 * (law27: its verdict stays); undefined when the AP was never notified.
 */
export function firstApNotification(incident: Incident): ReportRecord | undefined {
  return apVerdictReport(incident) ?? withdrawnNotification(incident)?.first;
}

/**
 * The AP withdrawal an initial AP report answers, made anew after it (the last AP withdrawal recorded
 * before it), or undefined: the report is then no first notification of the breach, and is never named one.
 */
export function withdrawalAnswered(reports: readonly ReportRecord[], report: ReportRecord): ReportRecord | undefined {
  if (report.to !== 'ap' || report.kind !== 'initial') return undefined;
  const ap = reports.filter((r) => r.to === 'ap');
  const at = ap.indexOf(report);
  return at < 0 ? undefined : ap.slice(0, at).findLast((r) => r.kind === 'withdrawal');
}

/** The initial AP report was made (by its stated time) after the legal deadline in force (an internal target missed is no delay). */
export function initialReportLate(incident: Incident): boolean {
  const initial = apVerdictReport(incident);
  const legal = apLegalDeadline(incident);
  return initial !== undefined && legal !== null && initial.at > legal;
}

/** Reasons for the delay of the initial AP report, as given: with it, with a move of awareness, or with a later report to the AP. */
export interface DelayReason {
  reason: string;
  given: 'initial' | 'follow-up' | 'correction' | 'awareness';
  /** The report that carried it; null for a move of awareness. */
  reference: string | null;
  by: string;
  recordedAt: string;
}

/** Every reason for the delay on record, in the order given. */
export function delayReasons(incident: Incident): DelayReason[] {
  const fromReports = (incident.reports ?? [])
    .filter(
      (r): r is ReportRecord & { delayReason: string } =>
        r.to === 'ap' && !!r.delayReason && !r.delayUnder && ['initial', 'follow-up', 'correction'].includes(r.kind),
    )
    .map((r) => ({ reason: r.delayReason, given: r.kind as DelayReason['given'], reference: r.reference, by: r.by, recordedAt: r.recordedAt }));
  const fromMoves = awarenessMoves(incident)
    .filter((d): d is Awareness & { delayReason: string } => !!d.delayReason)
    .map((d) => ({ reason: d.delayReason, given: 'awareness' as const, reference: null, by: d.by, recordedAt: d.recordedAt }));
  return [...fromReports, ...fromMoves].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
}

/** The reasons for the delay as one text, or null when none was given. */
export function delayReasonText(incident: Incident): string | null {
  const all = delayReasons(incident);
  return all.length ? all.map((d) => d.reason).join('; ') : null;
}

/** A late initial AP report with no reasons for the delay on record: Art. 33(1) asks them. */
export function lateWithoutReasons(incident: Incident): boolean {
  return initialReportLate(incident) && delayReasons(incident).length === 0;
}

/** The move of awareness the present deadline rests on, if a person made one. */
export function currentAwareness(incident: Incident): Awareness | undefined {
  return awarenessMoves(incident)
    .reverse()
    .find((d) => d.to === incident.awareAt);
}

/**
 * What marks the verdict: the stated times it rests on (the initial AP report's time, the moment of
 * awareness) that were entered later, and whether one was entered after the deadline had passed.
 */
export function verdictMarks(
  incident: Incident,
  role: Role = incident.role ?? 'controller',
): { reportEnteredLater: boolean; awarenessEnteredLater: boolean; enteredAfterDeadline: boolean } {
  // Owed anew after a withdrawal (clocks.ts owedAnew: notifiable again, ours to make), the verdict is the
  // withdrawn first one's, and so are its marks: else "met" read unmarked until the notification anew (law28 s28).
  const owedAnew = incident.assessment?.notifiable !== false && role === 'controller';
  const initial = apVerdictReport(incident) ?? (owedAnew ? withdrawnNotification(incident)?.first : undefined);
  const awareness = currentAwareness(incident);
  return {
    reportEnteredLater: initial?.enteredLater === true,
    awarenessEnteredLater: awareness?.enteredLater === true,
    // Or the decision that ended the AP duty was entered after it (`dutyEndedAfterDeadline`).
    enteredAfterDeadline: !!initial?.enteredAfterDeadline || !!awareness?.enteredAfterDeadline || dutyEndedAfterDeadline(incident, role) !== null,
  };
}

/**
 * The AP deadline that had passed when the decision ending the AP duty was entered, or null: the
 * organisation declared processor, or the assessment that began the present "not notifiable". Such
 * a decision, entered after the record held the notification overdue, turns "overdue" into "not
 * needed": like a time entered then, it needs the FG's confirmation and is marked.
 */
export function dutyEndedAfterDeadline(incident: Incident, role: Role): string | null {
  let began: Decision | undefined;
  for (const d of incident.decisions ?? []) {
    const ends = role === 'processor' ? d.kind === 'role' && d.role === 'processor' : d.kind === 'assessment' && !d.notifiable;
    const resumes = role === 'processor' ? d.kind === 'role' && d.role !== 'processor' : d.kind === 'assessment' && d.notifiable;
    if (ends && !began) began = d;
    else if (resumes) began = undefined;
  }
  return began?.kind === 'role' || began?.kind === 'assessment' ? (began.enteredAfterDeadline ?? null) : null;
}
