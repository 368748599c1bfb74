/**
 * Every legal clock of an incident, computed in UTC from its times, decisions and reports: the
 * AP's 72 hours (Art. 33(1)), the processor's duty to its controller (Art. 33(2)), the Art. 34
 * decision, and those a policy switches on (NIS2 / Cyberbeveiligingswet, Telecommunicatiewet).
 * Each says when it started, when it is due, when it was met (by the time the person stated) and
 * whether in time; status, show, the reminders, the draft and the register all read it from here.
 *
 * Whose duty: for a processor the AP notification and Art. 34 are the controller's (Art. 33(2));
 * they show as "not needed" with that note, and the clock to the controller always runs.
 */
import {
  apInternalTarget,
  apLegalDeadline,
  apLegalHours,
  apVerdictReport,
  dutyEndedAfterDeadline,
  type Renotified,
  renotified,
  verdictMarks,
  withdrawnNotification,
} from './ap-verdict.js';
import { assessmentContradictions } from './assessment-contradictions.js';
import {
  type ClockMark,
  type Decision,
  type Incident,
  initialReport,
  type ReportRecipient,
  type ReportRecord,
  type Role,
  subscribersWithoutAp,
} from './incident.js';
import { AP_MAX_HOURS, type Policy } from './policy.js';
import { recordReached, remindedOverdue } from './stated-time.js';
import { addHours, formatLocal } from './time.js';

export type ClockName =
  | 'ap'
  | 'processor'
  | 'subjects'
  | 'nis2-significance'
  | 'nis2-early-warning'
  | 'nis2-notification'
  | 'nis2-intermediate'
  | 'nis2-final'
  | 'telecom-initial'
  | 'telecom-complete'
  | 'telecom-subscribers';

/**
 * `owed-anew`: the AP's clock only, while a notification withdrawn (the breach then assessed not
 * notifiable) is owed anew: the Art. 33(1) verdict is the first notification's (`anew`), and what is owed
 * is the notification anew, not a deadline passed (law27).
 */
export type ClockState = 'running' | 'met' | 'late' | 'overdue' | 'not-needed' | 'owed-anew';

export interface ClockStatus {
  name: ClockName;
  label: { nl: string; en: string };
  startsAt: string | null;
  dueAt: string | null;
  doneAt: string | null;
  /** running, met (in time), late (done after the deadline), overdue (not done, deadline passed), not-needed, owed-anew (the AP's: `anew`). */
  status: ClockState;
  /** Why it is not needed, or what is still outstanding, in both languages. */
  note?: { nl: string; en: string };
  /**
   * Met by a time stated before the deadline but entered after the record held this clock overdue
   * (a clock other than the AP's, whose marks are ap-verdict.ts's): the deadline, the moment it was
   * overdue from, and when the report that met it was entered.
   */
  enteredAfterDeadline?: { deadline: string; overdueFrom: string; recordedAt: string };
  /**
   * The AP's clock only: the initial report is recorded (met or late), but the AP holds only the
   * first phase of the notification (Art. 33(4)); every place that shows the clock says the
   * follow-up is owed (or overdue), not "met" (`apFollowUpState`).
   */
  followUp?: ApFollowUp;
  /**
   * The AP's clock only: the organisation's internal target, when the record was counted with fewer
   * hours than the law's 72 (policy `apDeadlineHours`). The clock's due time and verdict are the
   * law's; the target is the reminders' and says whether it was missed (review12 S3).
   */
  internalTarget?: { at: string; hours: number; missed: boolean };
  /** The AP's clock only, while `owed-anew`: the first notification (the verdict's), when it was withdrawn, and its verdict. */
  anew?: OwedAnew;
}

/** A notification withdrawn and owed anew (`owedAnew`): the first one, its withdrawal, and the Art. 33(1) verdict it carries. */
export interface OwedAnew {
  reference: string;
  at: string;
  withdrawnAt: string;
  verdict: 'met' | 'late';
}

/** A follow-up the AP is owed (Art. 33(4)): the first phase's reference, and from when it reads overdue. */
export interface ApFollowUp {
  state: 'owed' | 'overdue';
  reference: string;
  /**
   * When the facts marked complete here have waited the follow-up reminder's period; null while they
   * are incomplete. For a high risk assessed after the last report: the raise's time plus that period.
   */
  overdueFrom: string | null;
  /**
   * Set when the follow-up is owed because the risk was assessed high after the AP's last report
   * (`riskFollowUpOwed`, Art. 33(3)(c), (4)), not because the AP holds only a first phase: when the
   * high risk was recorded. `reference` is then that last report's.
   */
  riskRaisedAt?: string;
}

const LABELS: Record<ClockName, { nl: string; en: string }> = {
  // The AP's and the processor's clocks are named with their hours where they run (apLabel, processorLabel).
  ap: { nl: 'Melding AP (AVG art. 33)', en: 'AP notification (GDPR Art. 33)' },
  processor: { nl: 'Verwerker informeert verwerkingsverantwoordelijke (art. 33(2))', en: 'Processor informs the controller (Art. 33(2))' },
  subjects: { nl: 'Besluit informeren betrokkenen (art. 34)', en: 'Decision on informing data subjects (Art. 34)' },
  'nis2-significance': { nl: 'NIS2: besluit significant incident (art. 23(3))', en: 'NIS2: decision on a significant incident (Art. 23(3))' },
  'nis2-early-warning': { nl: 'NIS2 vroegtijdige waarschuwing (24 uur)', en: 'NIS2 early warning (24 hours)' },
  'nis2-notification': { nl: 'NIS2 incidentmelding (72 uur)', en: 'NIS2 incident notification (72 hours)' },
  'nis2-intermediate': { nl: 'NIS2 tussentijds verslag (op verzoek)', en: 'NIS2 intermediate report (on request)' },
  'nis2-final': { nl: 'NIS2 eindverslag (1 kalendermaand na de melding)', en: 'NIS2 final report (1 calendar month after the notification)' },
  'telecom-initial': { nl: 'Telecommunicatiewet: eerste melding AP (24 uur)', en: 'Telecommunications Act: initial AP notification (24 hours)' },
  'telecom-complete': {
    nl: 'Telecommunicatiewet: volledige melding (3 dagen na de eerste)',
    en: 'Telecommunications Act: complete notification (3 days after the initial)',
  },
  'telecom-subscribers': {
    nl: 'Telecommunicatiewet: besluit informeren abonnees (Vo. 611/2013 art. 3)',
    en: 'Telecommunications Act: decision on informing subscribers (Reg. 611/2013 Art. 3)',
  },
};

/**
 * The hours of an incident's AP deadline as the law counts them (Art. 33(1): 72): a shorter
 * internal target the record was counted with is a target beside it (`apInternalTarget`), not the
 * deadline (review12 S3); a record counted with more before G17 keeps its hours (`deadlineHours`:
 * a later policy never re-judges the record). Without a deadline, the policy's, at least 72.
 */
export function apHours(incident: Incident, policy: Policy): number {
  return apLegalHours(incident) ?? Math.max(incident.deadlineHours ?? policy.apDeadlineHours, AP_MAX_HOURS);
}

/** The AP clock's internal target, when there is one, and whether it was missed (by the initial report's stated time, or now). */
function internalTargetOf(incident: Incident, now: string): ClockStatus['internalTarget'] {
  const target = apInternalTarget(incident);
  if (!target) return undefined;
  return { ...target, missed: (apVerdictReport(incident)?.at ?? now) > target.at };
}

/** "internal target 48 hours: missed", for the AP clock's note. */
export function internalTargetText(t: NonNullable<ClockStatus['internalTarget']>): { nl: string; en: string } {
  return {
    nl: `interne doelstelling ${t.hours} uur: ${t.missed ? 'gemist' : 'niet gemist'}`,
    en: `internal target ${t.hours} hours: ${t.missed ? 'missed' : 'not missed'}`,
  };
}

function withInternalTarget(c: ClockStatus, incident: Incident, now: string): ClockStatus {
  const internalTarget = c.status === 'not-needed' ? undefined : internalTargetOf(incident, now);
  if (!internalTarget) return c;
  const text = internalTargetText(internalTarget);
  const note = c.note ? { nl: `${c.note.nl}; ${text.nl}`, en: `${c.note.en}; ${text.en}` } : text;
  return { ...c, note, internalTarget };
}

/** The AP clock named with the hours it counts (Art. 33(1) gives 72; a policy may say otherwise, and the record must say so). */
function apLabel(hours: number): { nl: string; en: string } {
  return { nl: `Melding AP (${hours} uur, AVG art. 33)`, en: `AP notification (${hours} hours, GDPR Art. 33)` };
}

/**
 * A notification made anew after its withdrawal (ap-verdict.ts renotified), as the AP clock's note:
 * the verdict is the first notification's, and the record says so, with the withdrawal and the one in force.
 */
export function renotifiedText(r: Renotified, timeZone: string): { nl: string; en: string } {
  const [first, withdrawn, anew] = [r.first.at, r.withdrawnAt, r.anew.at].map((t) => formatLocal(t, timeZone));
  return {
    nl: `beoordeeld naar de eerste melding ${r.first.reference} (${first}); die is ingetrokken op ${withdrawn} en opnieuw gemeld als ${r.anew.reference} op ${anew} (AVG art. 33(1), (4))`,
    en: `judged by the first notification ${r.first.reference} (${first}); it was withdrawn on ${withdrawn} and notified anew as ${r.anew.reference} on ${anew} (Art. 33(1), (4))`,
  };
}

/**
 * A notification withdrawn and owed anew (`owedAnew`), as the AP clock, the draft and the page name it: the
 * one to make is a notification anew, judged by the first, whose verdict it names (law28, law27).
 */
function withdrawnText(w: OwedAnew, timeZone: string): { nl: string; en: string } {
  const [first, withdrawn] = [w.at, w.withdrawnAt].map((t) => formatLocal(t, timeZone));
  const verdict = { nl: w.verdict === 'met' ? 'gehaald' : 'te laat gedaan', en: w.verdict };
  return {
    nl: `gemeld als ${w.reference} op ${first}; die melding is ingetrokken op ${withdrawn}: meld opnieuw; de termijn wordt beoordeeld naar ${w.reference}: ${verdict.nl} (AVG art. 33(1), (4))`,
    en: `notified as ${w.reference} on ${first}; that notification was withdrawn on ${withdrawn}: notify anew; the deadline is judged by ${w.reference}: ${verdict.en} (Art. 33(1), (4))`,
  };
}

/**
 * The notification withdrawn and owed anew: none in force, the breach notifiable again, and the
 * AP notification ours (a controller's); with the first notification's verdict against the law's
 * deadline (ap-verdict.ts apVerdictReport: the verdict stays the first one's). Null otherwise.
 */
export function owedAnew(incident: Incident, policy: Policy): OwedAnew | null {
  if (incident.sample || incident.mergedInto || incident.assessment?.notifiable === false || roleOf(incident, policy) !== 'controller') return null;
  const w = withdrawnNotification(incident);
  if (!w) return null;
  const legal = apLegalDeadline(incident);
  return { reference: w.first.reference, at: w.first.at, withdrawnAt: w.withdrawnAt, verdict: legal !== null && w.first.at > legal ? 'late' : 'met' };
}

/**
 * A notification made before and withdrawn, owed or made anew: the text the draft and the page give
 * beside the deadline; else null. Withdrawn while the breach is not notifiable (or the notification is
 * the controller's), nothing is owed anew and none is said.
 */
export function earlierNotificationText(incident: Incident, policy: Policy, timeZone = policy.timeZone): { nl: string; en: string } | null {
  const anew = renotified(incident);
  const withdrawn = anew ? null : owedAnew(incident, policy);
  return anew ? renotifiedText(anew, timeZone) : withdrawn ? withdrawnText(withdrawn, timeZone) : null;
}

/** The processor's clock named with the hours it counts (the contract's, else 24). */
function processorLabel(hours: number): { nl: string; en: string } {
  return {
    nl: `Verwerker informeert verwerkingsverantwoordelijke (${hours} uur, art. 33(2))`,
    en: `Processor informs the controller (${hours} hours, Art. 33(2))`,
  };
}

/** The organisation's role for this incident: a person's decision first, then the policy's when its clocks began, else the policy's now. */
export function roleOf(incident: Incident, policy: Policy): Role {
  return incident.role ?? incident.policyRole ?? (policy.organisation.processor ? 'processor' : 'controller');
}

/**
 * Hours a processor has to tell its controller (Art. 33(2): without undue delay; the contract's hours,
 * else 24): those kept with the incident, else the policy's.
 */
export function processorHours(policy: Policy, incident?: Incident): number {
  return incident?.controllerHours ?? policy.clocks.processorToControllerHours ?? 24;
}

/**
 * The NIS2 and telecom clocks that run for this incident: those in force when it was recorded
 * (`clocksInForce`), whatever the policy says now (law27). A record from before they were kept: the
 * policy's now while it is open (a person still judges it, as before), and once closed only a clock
 * its record shows was running (`ranOnRecord`): a policy switched on after closing owes it no report.
 * Either way a person's decision taken under the clock (a significance decision, the subscribers'
 * decision, which the policy's clock must allow when taken) makes it run: it was decided for this
 * incident.
 */
export function clocksInForce(incident: Incident, policy: Policy): { nis2: boolean; telecom: boolean } {
  const { nis2, telecom } = policy.clocks;
  const kept = incident.clocksInForce ?? (incident.state === 'closed' ? { nis2: false, telecom: false } : { nis2, telecom });
  return { nis2: kept.nis2 || (nis2 && ranOnRecord(incident, 'nis2')), telecom: kept.telecom || (telecom && ranOnRecord(incident, 'telecom')) };
}

/**
 * Whether a NIS2 or telecom decision (significance, subscribers) may be recorded on this incident:
 * the policy runs those clocks now, or they run for the incident, recorded under them (law27), whose
 * decisions closing asks whatever the policy says now.
 */
export function clockDecisionsOpen(incident: Incident, policy: Policy, clocks: 'nis2' | 'telecom'): boolean {
  return policy.clocks[clocks] || clocksInForce(incident, policy)[clocks];
}

/**
 * Whether the record shows the NIS2 or telecom clocks ran on it: the decision closing asks under them
 * since 2c7b28d2 (the significance decision, the subscribers' decision), a report to the CSIRT or the
 * authority, or a reminder of one of its clocks (the sweep's `clock:<name>` marks, for a record closed
 * in the hours between 0936a24d and 2c7b28d2, when closing asked neither decision).
 */
function ranOnRecord(incident: Incident, clocks: 'nis2' | 'telecom'): boolean {
  const decided =
    clocks === 'nis2' ? !!incident.nis2 || (incident.reports ?? []).some((r) => r.to === 'csirt' || r.to === 'authority') : !!incident.subscribers;
  return decided || Object.keys(incident.reminders?.byClock ?? {}).some((k) => k.startsWith(`clock:${clocks}-`));
}

/** Personal data not (yet) ruled out: the conservative reading until the FG says "no". */
function personalDataPossible(incident: Incident): boolean {
  return incident.assessment?.personalData !== 'no';
}

/**
 * Art. 33(4): the initial AP report in force, made while the facts were incomplete, when no AP report
 * recorded since it carried the facts marked complete. The AP then holds only the first phase:
 * completing the facts in datalek tells the AP nothing. Undefined once the complete facts reached the
 * AP, and while the assessment says not notifiable (the AP is owed a withdrawal or a correction
 * then, not the facts: fg-workflow.ts notificationStanding). The controller's duty only.
 */
export function apFollowUpOwed(incident: Incident, policy: Policy): ReportRecord | undefined {
  return roleOf(incident, policy) === 'controller' ? firstPhaseOnly(incident) : undefined;
}

/**
 * Art. 33(3)(c), (4): the last report to the AP, when the risk was assessed high after it and no
 * report to the AP followed. The AP holds a notification whose likely consequences, and its answer on
 * informing the data subjects (form section 8), were given at a lower risk (or before any
 * assessment); the high risk is information it is owed without undue further delay, as Art. 34(4)
 * lets it weigh the communication to the data subjects (law27). Undefined without a notification in
 * force (none, or withdrawn). The controller's duty only.
 */
export function riskRaisedAfterReport(incident: Incident, policy: Policy): ReportRecord | undefined {
  const a = incident.assessment;
  if (roleOf(incident, policy) !== 'controller' || incident.sample || a?.risk !== 'high' || !a.notifiable || !initialReport(incident)) return undefined;
  const last = (incident.reports ?? []).filter((r) => r.to === 'ap' && r.kind !== 'withdrawal').at(-1);
  if (!last) return undefined;
  // The assessment in force when that report was recorded; a record from before the history holds only the current one.
  const assessments = (incident.decisions ?? []).filter((d) => d.kind === 'assessment');
  const then = incident.decisions ? assessments.filter((d) => d.recordedAt <= last.recordedAt).at(-1) : a.at <= last.recordedAt ? a : undefined;
  return then?.risk === 'high' ? undefined : last;
}

/**
 * The follow-up a high risk assessed after the AP's last report makes owed (`riskRaisedAfterReport`),
 * open or closed alike (law28: raised after closing, the record asked Art. 34 and not this), until a
 * report to the AP follows or a reason given since the raise says why none does: at closing (its
 * `--follow-up-reason`, kept for that report) or after it (`close --after-close --follow-up-reason`).
 * A reason given before the raise (a first phase's, at closing) answers for another question and
 * ends nothing. `raisedAt`: when the assessment that made the risk high was recorded (the first of
 * the high ones since the report).
 */
export function riskFollowUpOwed(incident: Incident, policy: Policy): { report: ReportRecord; raisedAt: string } | undefined {
  if (apFollowUpOwed(incident, policy)) return undefined;
  const report = riskRaisedAfterReport(incident, policy);
  if (!report) return undefined;
  const raisedAt = highSince(incident, report.recordedAt);
  // Closed: closing settled what was known before it (it asks this since f3d3e6e4); a raise after it gives its own duty.
  if (incident.state === 'closed' && incident.closedAt && raisedAt < incident.closedAt) return undefined;
  return riskReasonGiven(incident, report, raisedAt) ? undefined : { report, raisedAt };
}

/** When the risk in force became high after `after`: the first of the trailing high assessments recorded after it. */
function highSince(incident: Incident, after: string): string {
  const a = incident.assessment as NonNullable<Incident['assessment']>;
  let since = a.at;
  for (const d of [...(incident.decisions ?? [])].reverse()) {
    if (d.kind !== 'assessment') continue;
    if (d.risk !== 'high' || d.recordedAt <= after) break;
    since = d.recordedAt;
  }
  return since;
}

/** Whether a reason for no follow-up to `report` was given at or after `since` (at closing, or after it). */
function riskReasonGiven(incident: Incident, report: ReportRecord, since: string): boolean {
  const note = `${NO_FOLLOW_UP_NOTE}: ${report.reference}`;
  if ((incident.afterClose ?? []).some((x) => x.what === note && x.at >= since)) return true;
  const answers = incident.apFollowUpReasonFor;
  return (
    !!incident.apFollowUpReason?.trim() &&
    answers?.reference === report.reference &&
    answers.version === report.version &&
    !!incident.closedAt &&
    incident.closedAt >= since
  );
}

/** `apFollowUpOwed` without the role (which takes the policy): what the record alone says the AP holds. */
function firstPhaseOnly(incident: Incident): ReportRecord | undefined {
  const initial = initialReport(incident);
  if (!initial || incident.sample || incident.assessment?.notifiable === false) return undefined;
  const ap = (incident.reports ?? []).filter((r) => r.to === 'ap');
  // A report from before `factsComplete` was recorded is read as the record then did: by the facts in datalek.
  const withFacts = (r: ReportRecord) => r.factsComplete ?? incident.facts?.complete === true;
  const complete = ap.slice(ap.indexOf(initial)).some((r) => r.kind !== 'withdrawal' && withFacts(r));
  return complete ? undefined : initial;
}

/**
 * The follow-up the AP is still owed (Art. 33(4)), unless a reason says why none follows
 * (`apFollowUpReason`, at closing or after it) or the notification in force was withdrawn. Art. 33(4) gives
 * no hours, only "without undue further delay": while the facts are incomplete here the
 * investigation runs and the follow-up is owed; once they are marked complete, the organisation has
 * the follow-up reminder's period (policy `reminders.followUpEveryHours`, from when the facts were
 * last recorded) to bring them to the AP, and after it the follow-up reads overdue.
 */
export function apFollowUpState(incident: Incident, policy: Policy, now: string): ApFollowUp | undefined {
  const first = apFollowUpOwed(incident, policy);
  // Art. 33(3)(c), (4): a high risk the AP was not told of is owed as a follow-up, shown and reminded as one (law28).
  const raised = first ? undefined : riskFollowUpOwed(incident, policy);
  if (raised) {
    const overdueFrom = addHours(raised.raisedAt, policy.reminders.followUpEveryHours);
    return { state: now >= overdueFrom ? 'overdue' : 'owed', reference: raised.report.reference, overdueFrom, riskRaisedAt: raised.raisedAt };
  }
  // A withdrawal ends the follow-up of the notification it withdrew (initialReport reads none in force then), not one made anew after it (review11 A2).
  if (!first || followUpReasonHolds(incident, first)) return undefined;
  const since = incident.facts?.complete ? incident.facts.updatedAt : null;
  const overdueFrom = since ? addHours(since, policy.reminders.followUpEveryHours) : null;
  return { state: overdueFrom && now >= overdueFrom ? 'overdue' : 'owed', reference: first.reference, overdueFrom };
}

/**
 * Whether the reason for no follow-up (`apFollowUpReason`) answers for `first`, the notification in
 * force (review12 S6): a reason given for M-1, withdrawn since, does not end the follow-up of M-2
 * made anew. It names its notification (`apFollowUpReasonFor`); a record from before that holds it
 * for a notification recorded before the reason could be given: at closing, or after it with
 * `--follow-up-reason` (its after-close note).
 */
export function followUpReasonHolds(incident: Incident, first: ReportRecord): boolean {
  // Given after closing for this notification, beside a closing's reason for another (read14a A5).
  const note = `${NO_FOLLOW_UP_NOTE}: ${first.reference}`;
  if ((incident.afterClose ?? []).some((x) => x.what === note && x.at >= first.recordedAt)) return true;
  if (!incident.apFollowUpReason?.trim()) return false;
  const answers = incident.apFollowUpReasonFor;
  if (answers) return answers.reference === first.reference && answers.version === first.version;
  const given = [incident.closedAt, ...(incident.afterClose ?? []).filter((x) => x.what.startsWith(NO_FOLLOW_UP_NOTE)).map((x) => x.at)]
    .filter((t): t is string => typeof t === 'string')
    .sort()
    .at(-1);
  return given === undefined || first.recordedAt <= given;
}

/** How the after-close note of a reason for no follow-up begins (fg-workflow.ts recordNoFollowUp). */
export const NO_FOLLOW_UP_NOTE = 'no follow-up to the AP (Art. 33(4))';

export function firstReport(incident: Incident, match: (r: ReportRecord) => boolean): ReportRecord | undefined {
  return (incident.reports ?? []).filter(match).sort((a, b) => a.at.localeCompare(b.at))[0];
}

function state(dueAt: string | null, doneAt: string | null, now: string, needed: boolean): ClockState {
  if (!needed) return 'not-needed';
  if (doneAt) return dueAt && doneAt > dueAt ? 'late' : 'met';
  if (dueAt && now > dueAt) return 'overdue';
  return 'running';
}

/** The AP clock while a withdrawn notification is owed anew (`owedAnew`): neither running nor overdue, the first one's verdict beside it. */
function withOwedAnew(c: ClockStatus, anew: OwedAnew | null): ClockStatus {
  return anew ? { ...c, status: 'owed-anew', anew } : c;
}

function withFollowUp(c: ClockStatus, followUp: ApFollowUp | undefined): ClockStatus {
  return followUp ? { ...c, followUp } : c;
}

function clock(
  name: ClockName,
  times: { startsAt: string | null; dueAt: string | null; doneAt: string | null },
  now: string,
  needed: boolean,
  note?: { nl: string; en: string },
  label: { nl: string; en: string } = LABELS[name],
): ClockStatus {
  return { name, label, ...times, status: state(times.dueAt, times.doneAt, now, needed), ...(note ? { note } : {}) };
}

/** Whether Art. 34 asks this organisation for a decision: high risk, as controller, and not a financial undertaking (UAVG art. 42). */
export function subjectsDecisionNeeded(incident: Incident, policy: Policy): boolean {
  return (
    incident.assessment?.risk === 'high' &&
    incident.assessment.notifiable &&
    roleOf(incident, policy) === 'controller' &&
    !policy.organisation.financialUndertaking
  );
}

/** The subscribers' exception recorded without the AP's agreement (incident.ts subscribersWithoutAp), wherever the decision or its clock is shown. */
export const SUBSCRIBERS_AP_NOT_RECORDED = {
  nl: 'niet gedaan: de uitzondering wegens onbegrijpelijke gegevens is vastgelegd zonder de instemming van de AP (Verordening 611/2013 art. 4(1)); leg het besluit opnieuw vast met het kenmerk en de datum van die instemming, of informeer de abonnees',
  en: 'not done: the exception for unintelligible data was recorded without the AP’s agreement (Regulation 611/2013 art. 4(1)); record the decision again with the AP’s reference and the date it agreed, or inform the subscribers',
} as const;

/**
 * Whether a telecom provider owes the AP the notification of this breach whatever the FG's
 * assessment of the risk (Regulation 611/2013 art. 2, Telecommunicatiewet art. 11.3a): while
 * personal data is not ruled out. A notification made then stands under that law, "no risk" or not.
 */
export function apOwedUnderTelecom(incident: Incident, policy: Policy): boolean {
  return clocksInForce(incident, policy).telecom && !incident.sample && personalDataPossible(incident);
}

/** Whether a telecom provider must decide on informing its subscribers (Regulation 611/2013 art. 3). */
export function subscribersDecisionNeeded(incident: Incident, policy: Policy): boolean {
  return clocksInForce(incident, policy).telecom && incident.assessment !== undefined && incident.assessment !== null && personalDataPossible(incident);
}

// --- calendar months (NIS2 final report) ----------------------------------------------------

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function localParts(ms: number, timeZone: string): { y: number; m: number; d: number; hh: number; mm: number; ss: number } {
  let fmt = zoneFormatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    zoneFormatters.set(timeZone, fmt);
  }
  const p = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
  return { y: p.year, m: p.month, d: p.day, hh: p.hour, mm: p.minute, ss: p.second };
}

/** The UTC instant of local midnight starting day y-m-d in `timeZone`. */
function localMidnight(y: number, m: number, d: number, timeZone: string): number {
  const wall = Date.UTC(y, m - 1, d);
  let guess = wall;
  // Two rounds settle the zone's offset, also on a day the clocks change.
  for (let i = 0; i < 2; i++) {
    const p = localParts(guess, timeZone);
    const offset = Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm, p.ss) - guess;
    guess = wall - offset;
  }
  return guess;
}

/**
 * A period of calendar months, counted on the wall calendar of `timeZone` (EU Regulation 1182/71
 * art. 3(2)(c)): it ends when the day with the same date, `months` later, ends there; when that
 * month is shorter, when its last day ends. From 31 January 00:30 in Amsterdam a month ends at
 * the end of 28 February in Amsterdam (22:59:59.999 UTC in winter), not a day later as a count in
 * UTC would have it.
 */
export function addCalendarMonths(iso: string, months: number, timeZone: string): string {
  const start = localParts(Date.parse(iso), timeZone);
  const target = new Date(Date.UTC(start.y, start.m - 1 + months, 1));
  const y = target.getUTCFullYear();
  const m = target.getUTCMonth() + 1;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const d = Math.min(start.d, last);
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return new Date(localMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone) - 1).toISOString();
}

/** Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian algorithm), as [month, day]. */
function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

/**
 * The Dutch public holidays of `year` that a period's end moves off (Algemene termijnenwet art. 3(1),
 * the days the Netherlands names under Regulation 1182/71 art. 3(4)): New Year's Day, Easter Monday,
 * Ascension Day, Whit Monday, Christmas and Boxing Day, King's Day (27 April, or 26 April when the
 * 27th is a Sunday) and 5 May. Easter Sunday and Whit Sunday are Sundays anyway. As `MM-DD`.
 */
export function dutchPublicHolidays(year: number): Set<string> {
  const [em, ed] = easterSunday(year);
  const easter = Date.UTC(year, em - 1, ed);
  const fromEaster = (days: number) => new Date(easter + days * 86_400_000).toISOString().slice(5, 10);
  const kingsDay = new Date(Date.UTC(year, 3, 27)).getUTCDay() === 0 ? '04-26' : '04-27';
  return new Set(['01-01', fromEaster(1), fromEaster(39), fromEaster(50), kingsDay, '05-05', '12-25', '12-26']);
}

/** Whether the local day y-m-d is a Saturday, Sunday or Dutch public holiday. */
function notWorkingDay(y: number, m: number, d: number): boolean {
  const day = new Date(Date.UTC(y, m - 1, d));
  const weekday = day.getUTCDay();
  return weekday === 0 || weekday === 6 || dutchPublicHolidays(y).has(day.toISOString().slice(5, 10));
}

/**
 * Regulation 1182/71 art. 3(4): a period expressed otherwise than in hours whose last day is a
 * Saturday, Sunday or public holiday ends with the last hour of the next working day. `end` is the
 * last moment of the period's last day in `timeZone` (as addCalendarMonths and addDays give it).
 */
export function endOnWorkingDay(end: string, timeZone: string): string {
  let { y, m, d } = localParts(Date.parse(end), timeZone);
  if (!notWorkingDay(y, m, d)) return end;
  do {
    const next = new Date(Date.UTC(y, m - 1, d + 1));
    [y, m, d] = [next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()];
  } while (notWorkingDay(y, m, d));
  const after = new Date(Date.UTC(y, m - 1, d + 1));
  return new Date(localMidnight(after.getUTCFullYear(), after.getUTCMonth() + 1, after.getUTCDate(), timeZone) - 1).toISOString();
}

/**
 * A period of `days` days after the event at `iso` (Regulation 1182/71 art. 3(1), (2)(b)): it starts
 * with the day after the event and ends with the last hour of its last day, on the calendar of
 * `timeZone`; one ending on a Saturday, Sunday or public holiday ends with the next working day
 * (art. 3(4)); and a period of two days or more holds at least two working days (art. 3(5)): three
 * days after a Friday end on Tuesday, not Monday.
 */
export function addDays(iso: string, days: number, timeZone: string): string {
  const start = localParts(Date.parse(iso), timeZone);
  const day = (n: number) => {
    const at = new Date(Date.UTC(start.y, start.m - 1, start.d + n));
    return [at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate()] as const;
  };
  let last = days;
  while (notWorkingDay(...day(last))) last++;
  let working = 0;
  for (let n = 1; n <= last; n++) if (!notWorkingDay(...day(n))) working++;
  while (days >= 2 && working < 2) {
    last++;
    if (!notWorkingDay(...day(last))) working++;
  }
  const [y, m, d] = day(last + 1);
  return new Date(localMidnight(y, m, d, timeZone) - 1).toISOString();
}

// --- NIS2 ------------------------------------------------------------------------------------

const NIS2_RECIPIENTS: ReportRecipient[] = ['csirt', 'authority'];

/**
 * When the last "no" took back a NIS2 "yes" (art. 23(3)), or null. A report made before it was made
 * under a significance the entity then withdrew: it was sent and stays in the record, but it told the
 * CSIRT of a significance since declared not to be, so it answers none of a later "yes"'s reports and
 * does not bound that "yes"'s awareness (which it cannot have been aware of then).
 */
function nis2WithdrawnAt(incident: Incident): string | null {
  const withdrawals = nis2Withdrawals(incident);
  // readA16 A2: while the incident is not significant, the "yes" the last "no" took back is the one
  // whose reports count: what it sent to the CSIRT or was asked (the final report a notification
  // owes, the intermediate report requested; art. 23(4)(c), (d)) stays owed, as after closing
  // (fg-workflow.ts nis2OwedRefusal). A later "yes" runs from its own reports again.
  return (incident.nis2?.significant ? withdrawals.at(-1) : withdrawals.at(-2)) ?? null;
}

/** When each "no" that took back a NIS2 "yes" was decided, in order. */
function nis2Withdrawals(incident: Incident): string[] {
  let yes = false;
  const at: string[] = [];
  for (const d of incident.decisions ?? []) {
    if (d.kind !== 'nis2-significance') continue;
    if (!d.significant && yes) at.push(d.recordedAt);
    yes = d.significant;
  }
  return at;
}

/** Each "no" that took back a NIS2 "yes", with when the next "yes" came (null while none came yet). */
function nis2WithdrawalsAndYesAgain(incident: Incident): { withdrawnAt: string; yesAgainAt: string | null }[] {
  let yes = false;
  const out: { withdrawnAt: string; yesAgainAt: string | null }[] = [];
  for (const d of incident.decisions ?? []) {
    if (d.kind !== 'nis2-significance') continue;
    if (!d.significant && yes) out.push({ withdrawnAt: d.recordedAt, yesAgainAt: null });
    const last = out.at(-1);
    if (d.significant && last && last.yesAgainAt === null) last.yesAgainAt = d.recordedAt;
    yes = d.significant;
  }
  return out;
}

/**
 * A NIS2 report (to the CSIRT or the authority) made under the significance in force: since the last
 * "no" that took a "yes" back; while not significant, since the one before it (`nis2WithdrawnAt`).
 */
export function nis2ReportInForce(incident: Incident): (r: ReportRecord) => boolean {
  return nis2ReportSince(nis2WithdrawnAt(incident));
}

function nis2ReportSince(since: string | null): (r: ReportRecord) => boolean {
  return (r) => NIS2_RECIPIENTS.includes(r.to) && (since === null || r.at >= since);
}

/**
 * The NIS2 reports that count for a later "yes" as reports of `kinds`: those of the significance in
 * force, and further back while one of `kinds` the CSIRT or the authority got under a "yes" taken
 * back was not answered by a final report before the next "yes" came (`nis2FinalChain`). The
 * early warning and notification clocks of a later "yes" run from the same awareness (readA16 A1),
 * so an early warning or notification the CSIRT got on time about the same incident meets them
 * (readB17): before, they read overdue while the final report ran from that very notification.
 */
function nis2Chain(incident: Incident, kinds: string[]): { inChain: (r: ReportRecord) => boolean; since: string | null; inForce: string | null } {
  const inForce = nis2WithdrawnAt(incident);
  let since: string | null = null;
  for (const w of nis2WithdrawalsAndYesAgain(incident)) {
    if (inForce === null || w.withdrawnAt > inForce) break;
    const until = w.yesAgainAt;
    const before = (r: ReportRecord) => nis2ReportSince(since)(r) && (until === null || r.at < until);
    const started = firstReport(incident, (r) => before(r) && kinds.includes(r.kind));
    const answered = started && nis2DoneBy(incident, ['final'], (r) => before(r) && r.at >= started.at).doneAt;
    if (!started || answered) since = w.withdrawnAt;
  }
  return { inChain: nis2ReportSince(since), since, inForce };
}

/**
 * The incident notification the final report answers (art. 23(4)(d): "one month after the submission
 * of the incident notification"), and the NIS2 reports that count for it (nis17 item 1). Those of
 * the significance in force (`nis2ReportInForce`), and further back while a notification the CSIRT
 * got under a "yes" taken back was still owed its final report when the next "yes" came: the "no"
 * kept that final report owed (readA16 A2), and a later "yes" about the same incident gives it no new
 * month; one final report then answers both. A final report made before that "yes" (telling the
 * CSIRT it proved not significant) ends the chain: the later "yes" owes its own, from its own
 * notification. `notifiedAt`: the first notification of the chain, to the CSIRT or the authority
 * (the month runs "after the submission", so a late one to the other does not move it out).
 * `keptFrom`: when the chain reaches back past the significance in force, that notification.
 */
export function nis2FinalChain(incident: Incident): { inChain: (r: ReportRecord) => boolean; notifiedAt: string | null; keptFrom: string | null } {
  const { inChain, since, inForce } = nis2Chain(incident, ['notification']);
  const notifiedAt = firstReport(incident, (r) => inChain(r) && r.kind === 'notification')?.at ?? null;
  const keptFrom = notifiedAt && since !== inForce && (inForce === null || notifiedAt < inForce) ? notifiedAt : null;
  return { inChain, notifiedAt, keptFrom };
}

/**
 * When a NIS2 report of one of `kinds` that `inForce` counts reached both the CSIRT and the competent
 * authority (the Cyberbeveiligingswet names both): the later of the two first reports, or null while
 * one is missing.
 */
function nis2DoneBy(incident: Incident, kinds: string[], inForce: (r: ReportRecord) => boolean): { doneAt: string | null; missing: ReportRecipient[] } {
  const times = NIS2_RECIPIENTS.map((to) => ({ to, r: firstReport(incident, (r) => r.to === to && kinds.includes(r.kind) && inForce(r)) }));
  const missing = times.filter((t) => !t.r).map((t) => t.to);
  if (missing.length) return { doneAt: null, missing };
  return { doneAt: times.map((t) => (t.r as ReportRecord).at).sort()[1], missing };
}

function missingNote(missing: ReportRecipient[]): { nl: string; en: string } | undefined {
  if (missing.length !== 1) return undefined;
  return missing[0] === 'csirt'
    ? { nl: 'de CSIRT heeft het nog niet', en: 'the CSIRT does not have it yet' }
    : { nl: 'de bevoegde autoriteit heeft het nog niet', en: 'the competent authority does not have it yet' };
}

/**
 * When the entity became aware of the significant incident for NIS2 (art. 23(4)(a), (b)): the moment
 * a person recorded (`assess --nis2-aware-at`, with its reason; never after the significance decision),
 * else the earlier of the detection and any awareness a "no" ended (`nis2EndedBeforeDetection`). Not
 * the GDPR awareness: that is certainty about *personal data* (EDPB 9/2022) and moves on its own;
 * moving it never moves the NIS2 deadlines.
 */
export function nis2AwareAt(incident: Incident): string {
  return incident.nis2AwareAt ?? nis2EndedBeforeDetection(incident) ?? incident.detectedAt;
}

/**
 * readA16 A1: the earliest awareness a "no" ended (fgsec16 S4) when it lies before the detection, or
 * null. A later "yes" with no awareness of its own runs from it: the record holds that the entity
 * knew by then, so running from the later detection would give a day (or more) the law does not; the
 * stricter reading, as the significance clock takes (888e95e). One after the detection: the detection.
 */
function nis2EndedBeforeDetection(incident: Incident): string | null {
  const earliest = [...nis2AwarenessOfYes(incident.decisions ?? []).ended].sort()[0];
  return earliest && earliest < incident.detectedAt ? earliest : null;
}

/**
 * The NIS2 awareness belongs to the "yes" it was stated with, or after while that "yes" was in force
 * (fgsec16 S4): a "no" that takes the "yes" back ends it. By the decisions' order, not their times
 * (one stated on its own just before a "yes" may share its second). `ended`: the awarenesses "no"s
 * ended, in order; `ofYes`: the one a "no" now would end, or null (none stated under the "yes" in
 * force, or one stated on its own while no "yes" was, which stays).
 */
export function nis2AwarenessOfYes(decisions: Decision[]): { ended: string[]; ofYes: string | null } {
  const ended: string[] = [];
  let yes = false;
  let ofYes: string | null = null;
  for (const d of decisions) {
    if (d.kind === 'nis2-awareness') ofYes = yes ? d.to : null;
    if (d.kind !== 'nis2-significance') continue;
    if (!d.significant && ofYes) ended.push(ofYes);
    if (!d.significant) ofYes = null;
    yes = d.significant;
  }
  return { ended, ofYes };
}

/**
 * For `show` and the page, while the incident is significant: which awareness its NIS2 deadlines run
 * from, the one recorded (with its reason), one a "no" ended before the detection (readA16 A1) or the
 * detection, and, when a "no" ended the awareness stated with a "yes" it took back (fgsec16 S4), that
 * it did. Null while it is not significant.
 */
export function nis2AwarenessText(incident: Incident, timeZone: string): { nl: string; en: string } | null {
  if (!incident.nis2?.significant) return null;
  const at = formatLocal(nis2AwareAt(incident), timeZone);
  if (incident.nis2AwareAt)
    return {
      en: `the NIS2 deadlines run from the awareness recorded (${at}): ${incident.nis2AwareReason ?? ''}`,
      nl: `de NIS2-termijnen lopen vanaf het vastgelegde bewustwordingsmoment (${at}): ${incident.nis2AwareReason ?? ''}`,
    };
  const before = nis2EndedBeforeDetection(incident);
  if (before) {
    const detected = formatLocal(incident.detectedAt, timeZone);
    return {
      en: `the NIS2 deadlines run from the awareness a "no" ended (${at}), earlier than the detection (${detected}): no awareness recorded for this "yes", so the earlier one the record holds (the stricter reading)`,
      nl: `de NIS2-termijnen lopen vanaf het bewustwordingsmoment dat met een teruggenomen "ja" is vervallen (${at}), eerder dan de detectie (${detected}): voor dit "ja" is geen bewustwordingsmoment vastgelegd, dus geldt het eerdere dat in het dossier staat (de strengere lezing)`,
    };
  }
  const ended = nis2AwarenessOfYes(incident.decisions ?? []).ended.at(-1);
  const was = ended ? formatLocal(ended, timeZone) : null;
  return {
    en: `the NIS2 deadlines run from the detection (${at}): no awareness recorded for this "yes"${was ? `; the one given with the "yes" taken back (${was}) ended with it` : ''}`,
    nl: `de NIS2-termijnen lopen vanaf de detectie (${at}): voor dit "ja" is geen bewustwordingsmoment vastgelegd${was ? `; dat van het teruggenomen "ja" (${was}) is ermee vervallen` : ''}`,
  };
}

/**
 * When the significance was decided (art. 23(3)): by the first decision, the one the clock asks for
 * (fgsec15 S3). A later one (new information, the CSIRT's reading, after closing too) is a change,
 * said in the note, not the decision made late; records from before `decisions` by the one in force.
 */
function significanceDecided(incident: Incident): { doneAt: string | null; note?: { nl: string; en: string } } {
  const decided = (incident.decisions ?? []).filter((d) => d.kind === 'nis2-significance');
  const first = decided[0];
  const now = incident.nis2;
  if (!first || !now) return { doneAt: now?.at ?? null };
  if (!decided.some((d) => d.significant !== first.significant)) return { doneAt: first.recordedAt };
  const en = (yes: boolean) => (yes ? 'significant' : 'not significant');
  const nl = (yes: boolean) => (yes ? 'significant' : 'niet significant');
  // Each change as it was (fgsec16): after no → yes → no, "changed later, now not significant" read as a change to the same answer.
  const changes = decided.filter((d, i) => i > 0 && d.significant !== decided[i - 1].significant).map((d) => d.significant);
  if (changes.length === 1)
    return {
      doneAt: first.recordedAt,
      note: {
        en: `first decided ${en(first.significant)}; changed later, now ${en(now.significant)}`,
        nl: `eerst besloten: ${nl(first.significant)}; later gewijzigd, nu ${nl(now.significant)}`,
      },
    };
  const said = (label: (yes: boolean) => string, opening: string, back: string, again: string) =>
    changes.map((c, i) => `${i === 0 ? opening : i % 2 ? back : again}${label(c)}`).join(', ');
  return {
    doneAt: first.recordedAt,
    note: {
      en: `first decided ${en(first.significant)}; ${said(en, 'changed to ', 'then back to ', 'then again to ')}`,
      nl: `eerst besloten: ${nl(first.significant)}; ${said(nl, 'gewijzigd in ', 'daarna terug naar ', 'daarna weer naar ')}`,
    },
  };
}

function nis2Clocks(incident: Incident, policy: Policy, now: string): ClockStatus[] {
  const aware = nis2AwareAt(incident);
  const decision = incident.nis2;
  // Deciding whether the incident is significant is due a day after it was known at all: the
  // detection, or an awareness stated before it; an awareness of the significance stated later does
  // not make that decision on time.
  // An awareness a "no" ended still counts here (fgsec16 S4): the "no" does not make a first decision
  // that was late against it on time (the stricter reading, as before the regulator).
  const known = [aware, incident.detectedAt, ...nis2AwarenessOfYes(incident.decisions ?? []).ended].sort()[0];
  const decided = significanceDecided(incident);
  const out = [clock('nis2-significance', { startsAt: known, dueAt: addHours(known, 24), doneAt: decided.doneAt }, now, true, decided.note)];
  if (!decision?.significant) return [...out, ...nis2OwedAfterNo(incident, policy, now)];
  // Through a later "yes" too: one the CSIRT got under a "yes" taken back about the same incident
  // (`nis2Chain`), made since the awareness these clocks run from (readA16 A1: one a "no" ended, when
  // the later "yes" states none); one made before a later awareness answers the "yes" taken back only.
  const inForce = nis2ReportInForce(incident);
  const since = (chain: (r: ReportRecord) => boolean) => (r: ReportRecord) => inForce(r) || (chain(r) && r.at >= aware);
  const warning = nis2DoneBy(incident, ['early-warning', 'notification'], since(nis2Chain(incident, ['early-warning', 'notification']).inChain));
  const notification = nis2DoneBy(incident, ['notification'], since(nis2FinalChain(incident).inChain));
  out.push(clock('nis2-early-warning', { startsAt: aware, dueAt: addHours(aware, 24), doneAt: warning.doneAt }, now, true, missingNote(warning.missing)));
  out.push(
    clock('nis2-notification', { startsAt: aware, dueAt: addHours(aware, 72), doneAt: notification.doneAt }, now, true, missingNote(notification.missing)),
  );
  out.push(...nis2LaterReports(incident, policy, now));
  return out;
}

/**
 * readA16 A2: a "no" on an open incident after a notification went to the CSIRT, or the CSIRT asked
 * for an intermediate report, ends only what was not yet reported (the early warning and notification
 * not yet sent): the final report (telling the CSIRT how it ended, that it proved not significant)
 * and the intermediate report asked keep running, from the reports of the "yes" taken back
 * (`nis2ReportInForce`), as they stay owed after closing. Neither owed: none.
 */
function nis2OwedAfterNo(incident: Incident, policy: Policy, now: string): ClockStatus[] {
  if (!incident.nis2) return [];
  const notified = nis2FinalChain(incident).notifiedAt !== null;
  return nis2LaterReports(incident, policy, now).filter((c) => c.name === 'nis2-intermediate' || notified);
}

/**
 * nis17 items 2 and 4: why a NIS2 report is owed while the incident is not significant (a "no"
 * kept it, readA16 A2), or under a later "yes" from a notification made under the "yes" taken back
 * (`later`): said on the clock, so `show`, the page and the reminders say why a duty runs after a
 * "no", also on an incident recorded before A2 that now shows one. Null when no "no" is involved.
 */
function keptByNo(
  incident: Incident,
  since: string | null,
  report: 'final' | 'intermediate',
  timeZone: string,
  later: boolean,
): { nl: string; en: string } | null {
  if (!since || (!later && incident.nis2?.significant !== false)) return null;
  const at = formatLocal(since, timeZone);
  if (report === 'intermediate')
    return {
      en: `asked on ${at}; a "no" does not end it (NIS2 art. 23(4)(c))`,
      nl: `gevraagd op ${at}; een "nee" beëindigt het niet (NIS2 art. 23(4)(c))`,
    };
  return later
    ? {
        en: `owed since the notification of ${at}, made under the "yes" taken back: the later "yes" does not start it again (NIS2 art. 23(4)(d))`,
        nl: `verschuldigd sinds de incidentmelding van ${at}, gedaan onder het teruggenomen "ja": het latere "ja" laat het niet opnieuw beginnen (NIS2 art. 23(4)(d))`,
      }
    : {
        en: `owed since the notification of ${at}; a "no" does not end it (NIS2 art. 23(4)(d))`,
        nl: `verschuldigd sinds de incidentmelding van ${at}; een "nee" beëindigt het niet (NIS2 art. 23(4)(d))`,
      };
}

function joinNotes(...notes: ({ nl: string; en: string } | null | undefined)[]): { nl: string; en: string } | undefined {
  const said = notes.filter((n): n is { nl: string; en: string } => !!n);
  return said.length ? { nl: said.map((n) => n.nl).join('; '), en: said.map((n) => n.en).join('; ') } : undefined;
}

/**
 * The intermediate report that answers the request in force (art. 23(4)(c): one "upon the request",
 * so each request owes one): a report recorded since that request; one recorded before it answered an
 * earlier request (law26: it met a second request from the start). With a single request, any made
 * under the significance in force, as before.
 */
function nis2IntermediateDone(incident: Incident): { doneAt: string | null; missing: ReportRecipient[] } {
  const requests = (incident.decisions ?? []).filter((d) => d.kind === 'nis2-intermediate-request');
  const since = requests.length > 1 ? (requests.at(-1) as Decision).recordedAt : null;
  const inForce = nis2ReportInForce(incident);
  return nis2DoneBy(incident, ['intermediate'], (r) => inForce(r) && (since === null || r.recordedAt >= since));
}

/** The reports that follow: an intermediate report asked (art. 23(4)(c)) and the final report (art. 23(4)(d), (e)). */
function nis2LaterReports(incident: Incident, policy: Policy, now: string): ClockStatus[] {
  const out: ClockStatus[] = [];
  const decision = incident.nis2 as NonNullable<Incident['nis2']>;
  if (decision.intermediateDueAt) {
    const requested = [...(incident.decisions ?? [])].reverse().find((d) => d.kind === 'nis2-intermediate-request');
    const intermediate = nis2IntermediateDone(incident);
    out.push(
      clock(
        'nis2-intermediate',
        { startsAt: requested?.recordedAt ?? decision.at, dueAt: decision.intermediateDueAt, doneAt: intermediate.doneAt },
        now,
        true,
        joinNotes(keptByNo(incident, requested?.recordedAt ?? null, 'intermediate', policy.timeZone, false), missingNote(intermediate.missing)),
      ),
    );
  }
  // Art. 23(4)(d): "not later than one month after the submission of the incident notification":
  // from the first one (the CSIRT's or the authority's), whichever came first; a month that ends on
  // a weekend or public holiday ends with the next working day (Regulation 1182/71 art. 3(4)). The
  // notification a "no" kept it owed from, through a later "yes" too (`nis2FinalChain`).
  const chain = nis2FinalChain(incident);
  const startsAt = chain.notifiedAt;
  const final = startsAt ? nis2DoneBy(incident, ['final'], (r) => chain.inChain(r) && r.at >= startsAt) : { doneAt: null, missing: NIS2_RECIPIENTS };
  const month = (iso: string) => endOnWorkingDay(addCalendarMonths(iso, 1, policy.timeZone), policy.timeZone);
  let dueAt = startsAt ? month(startsAt) : null;
  let note = joinNotes(keptByNo(incident, chain.keptFrom ?? startsAt, 'final', policy.timeZone, !!chain.keptFrom), missingNote(final.missing));
  // Art. 23(4)(e): still ongoing when the final report is due: a progress report then, and the
  // final report within a month after the incident was handled. Made by then, the final report is
  // judged by that month too (law26: its first month read it "late"). (e) gives more time, never
  // less: a month after an end that lies before the notification (one made late) leaves (d)'s month.
  const progress = nis2DoneBy(incident, ['progress'], chain.inChain);
  const ended = incident.facts?.endedAt ?? null;
  if (dueAt && progress.doneAt && progress.doneAt <= dueAt && !(final.doneAt && final.doneAt <= dueAt) && !(ended && month(ended) <= dueAt)) {
    // Closed with no end recorded: the incident was handled by its closing at the latest (law26; no deadline at all before).
    const closedAt = !ended && incident.state === 'closed' ? (incident.closedAt ?? null) : null;
    dueAt = ended ? month(ended) : closedAt ? month(closedAt) : null;
    note = ended
      ? { nl: 'voortgangsverslag gedaan; eindverslag een maand na afloop', en: 'progress report made; final report a month after the incident ended' }
      : closedAt
        ? {
            nl: `voortgangsverslag gedaan; eindverslag een maand na de afhandeling: gesloten op ${formatLocal(closedAt, policy.timeZone)} zonder vastgelegd einde`,
            en: `progress report made; final report a month after the incident was handled: closed on ${formatLocal(closedAt, policy.timeZone)} with no end recorded`,
          }
        : {
            nl: 'voortgangsverslag gedaan; eindverslag een maand na afloop (einde nog niet vastgelegd)',
            en: 'progress report made; final report a month after the incident ends (end not recorded yet)',
          };
  }
  out.push(clock('nis2-final', { startsAt, dueAt, doneAt: final.doneAt }, now, true, note));
  return out;
}

// --- all clocks --------------------------------------------------------------------------------

const NOT_NOTIFIABLE = { nl: 'niet meldplichtig (besluit FG)', en: 'not notifiable (FG decision)' };
const CONTROLLERS_DUTY = {
  nl: 'taak van de verwerkingsverantwoordelijke (art. 33(2)): wij zijn verwerker',
  en: "the controller's duty (Art. 33(2)): we act as processor",
};
const NO_PERSONAL_DATA = { nl: 'geen persoonsgegevens (besluit FG)', en: 'no personal data (FG decision)' };
/** "Met" or "late" rests on a time entered after the AP deadline had passed, confirmed by the FG (ap-verdict.ts). */
const ENTERED_AFTER_DEADLINE = { nl: 'ingevoerd na het verstrijken van de termijn', en: 'entered after the AP deadline had passed' };

/** Why the AP clock is not needed, marked when the decision that made it so was entered after the AP deadline had passed (ap-verdict.ts). */
function markedIfAfterDeadline(note: { nl: string; en: string }, incident: Incident, role: Role): { nl: string; en: string } {
  if (dutyEndedAfterDeadline(incident, role) === null) return note;
  return { nl: `${note.nl}; ${ENTERED_AFTER_DEADLINE.nl}`, en: `${note.en}; ${ENTERED_AFTER_DEADLINE.en}` };
}

/** How the mark names each clock a report meets: "entered after the … deadline had passed". */
const DEADLINE_OF: Partial<Record<ClockName, { nl: string; en: string }>> = {
  processor: { nl: 'om de verwerkingsverantwoordelijke te informeren', en: 'deadline to inform the controller' },
  'nis2-early-warning': { nl: 'voor de NIS2 vroegtijdige waarschuwing', en: 'NIS2 early warning deadline' },
  'nis2-notification': { nl: 'voor de NIS2 incidentmelding', en: 'NIS2 incident notification deadline' },
  'nis2-intermediate': { nl: 'voor het NIS2 tussentijds verslag', en: 'NIS2 intermediate report deadline' },
  'nis2-final': { nl: 'voor het NIS2 eindverslag', en: 'NIS2 final report deadline' },
  'telecom-initial': { nl: 'voor de eerste melding onder de Telecommunicatiewet', en: 'telecom initial notification deadline' },
  'telecom-complete': { nl: 'voor de volledige melding onder de Telecommunicatiewet', en: 'telecom complete notification deadline' },
};

/** A clock's deadline as the mark and the refusal name it, in both languages. */
export function deadlineName(name: ClockName): { nl: string; en: string } {
  return DEADLINE_OF[name] ?? { nl: `voor ${LABELS[name].nl}`, en: `${LABELS[name].en} deadline` };
}

/** "Entered after the … deadline had passed", naming the clock. */
export function enteredAfterDeadlineText(name: ClockName): { nl: string; en: string } {
  const d = deadlineName(name);
  return { nl: `ingevoerd na het verstrijken van de termijn ${d.nl}`, en: `entered after the ${d.en} had passed` };
}

/**
 * A clock other than the AP's that an entry stopped after the record held it overdue (a report
 * that met it, a decision that moved or ended it) carries that entry's mark, in its note too;
 * "late" and "overdue" need none, they say so themselves.
 */
function withEnteredMark(c: ClockStatus, incident: Incident): ClockStatus {
  if (c.name === 'ap' || c.status === 'late' || c.status === 'overdue') return c;
  const entries: { recordedAt: string; clocksEnteredAfterDeadline?: ClockMark[] }[] = [
    ...(incident.reports ?? []),
    ...(incident.decisions ?? []),
    ...(incident.facts?.clockMarks ?? []),
  ];
  const mark = entries
    .flatMap((e) => (e.clocksEnteredAfterDeadline ?? []).filter((m) => m.clock === c.name).map((m) => ({ ...m, recordedAt: e.recordedAt })))
    .sort((a, b) => a.recordedAt.localeCompare(b.recordedAt))
    .at(-1);
  if (!mark) return c;
  const text = enteredAfterDeadlineText(c.name);
  const note = c.note ? { nl: `${c.note.nl}; ${text.nl}`, en: `${c.note.en}; ${text.en}` } : text;
  return { ...c, note, enteredAfterDeadline: { deadline: mark.deadline, overdueFrom: mark.overdueFrom, recordedAt: mark.recordedAt } };
}

/**
 * From when the record held a clock overdue: its deadline, or the later decision that set the
 * clock running (the NIS2 significance decision, a request for an intermediate report, the role of
 * processor declared for the incident), since no clock was overdue before it ran.
 */
function overdueSince(c: ClockStatus, incident: Incident): string | null {
  if (!c.dueAt) return null;
  const since: (string | null | undefined)[] = [c.dueAt];
  if (c.name.startsWith('nis2-')) since.push(incident.nis2?.at);
  if (c.name === 'nis2-intermediate') since.push(c.startsAt);
  if (c.name === 'processor') since.push([...(incident.decisions ?? [])].reverse().find((d) => d.kind === 'role' && d.role === 'processor')?.recordedAt);
  return (since.filter((t): t is string => typeof t === 'string') as string[]).sort().at(-1) ?? null;
}

/**
 * The clocks other than the AP's (whose rule is ap-verdict.ts's) that the record holds overdue at
 * `now` and that an entry would stop reading overdue without reading late: a report that meets
 * one by its stated time, a move of awareness that moves its deadline later, a decision that ends
 * it ("no personal data", no longer processor, not significant). The record would then say "met"
 * or "not needed" against its own overdue reminders, as for the AP (ap-verdict.ts). `before` is the
 * incident without the entry, `after` with it; each with its deadline and the moment it was
 * overdue from.
 */
export function clocksStoppedAfterDeadline(before: Incident, after: Incident, policy: Policy, now: string): (ClockMark & { clock: ClockName })[] {
  const held = new Set(otherClocksHeldOverdue(after, policy, now).map((c) => c.name));
  const then = new Map(clocksOf(after, policy, recordReached(after, now)).map((c) => [c.name, c]));
  return otherClocksHeldOverdue(before, policy, now).flatMap((was) => {
    const from = overdueSince(was, before);
    return from && !held.has(was.name) && then.get(was.name)?.status !== 'late' ? [{ clock: was.name, deadline: was.dueAt as string, overdueFrom: from }] : [];
  });
}

/**
 * The clocks other than the AP's that the record holds overdue: judged at what the record already
 * holds when a run's `--now` lags it (stated-time.ts recordReached), and overdue too once datalek's
 * reminders announced them overdue (an overdue reminder is due at the deadline itself).
 */
export function otherClocksHeldOverdue(incident: Incident, policy: Policy, now: string): ClockStatus[] {
  return clocksOf(incident, policy, recordReached(incident, now)).filter(
    (c) =>
      c.name !== 'ap' &&
      !!c.dueAt &&
      (c.status === 'overdue' || (c.status === 'running' && remindedOverdue(incident.reminders.byClock?.[`clock:${c.name}`], c.dueAt))),
  );
}

export function clocksOf(incident: Incident, policy: Policy, now: string): ClockStatus[] {
  return allClocks(incident, policy, now).map((c) => withEnteredMark(c, incident));
}

function allClocks(incident: Incident, policy: Policy, now: string): ClockStatus[] {
  if (incident.sample || !incident.awareAt) return [];
  const aware = incident.awareAt;
  // Merged into another incident (one breach, one AP clock): every clock runs there, none here.
  if (incident.mergedInto) {
    const there = { nl: `samengevoegd met ${incident.mergedInto}: de termijnen lopen daar`, en: `merged into ${incident.mergedInto}: the clocks run there` };
    return [clock('ap', { startsAt: aware, dueAt: apLegalDeadline(incident), doneAt: null }, now, false, there, apLabel(apHours(incident, policy)))];
  }
  const out: ClockStatus[] = [];
  const role = roleOf(incident, policy);
  const notNotifiable = incident.assessment?.notifiable === false;
  const initial = initialReport(incident);
  const apNeeded = role === 'controller' && !notNotifiable;
  const followUp = initial ? apFollowUpState(incident, policy, now) : undefined;
  // Met or late by the first notification of the breach; one made anew after its withdrawal is named beside it (law28).
  const verdict = apVerdictReport(incident);
  // Withdrawn and owed anew: a state of its own, the first one's verdict beside it (law27).
  const anew = owedAnew(incident, policy);
  out.push(
    withOwedAnew(
      withFollowUp(
        withInternalTarget(
          clock(
            'ap',
            { startsAt: aware, dueAt: apLegalDeadline(incident), doneAt: verdict?.at ?? null },
            now,
            apNeeded,
            role === 'processor'
              ? markedIfAfterDeadline(CONTROLLERS_DUTY, incident, role)
              : notNotifiable
                ? markedIfAfterDeadline(NOT_NOTIFIABLE, incident, role)
                : joinNotes(
                    (initial || anew) && verdictMarks(incident, role).enteredAfterDeadline ? ENTERED_AFTER_DEADLINE : undefined,
                    // Notified before and withdrawn, owed or made anew: named beside the verdict (law28), as the draft and the page name it.
                    earlierNotificationText(incident, policy) ?? undefined,
                  ),
            apLabel(apHours(incident, policy)),
          ),
          incident,
          now,
        ),
        followUp,
      ),
      anew,
    ),
  );
  if (role === 'processor') {
    const told = firstReport(incident, (r) => r.to === 'controller');
    const needed = personalDataPossible(incident);
    const hours = processorHours(policy, incident);
    out.push(
      clock(
        'processor',
        { startsAt: aware, dueAt: addHours(aware, hours), doneAt: told?.at ?? null },
        now,
        needed,
        needed ? undefined : NO_PERSONAL_DATA,
        processorLabel(hours),
      ),
    );
  }
  if (incident.assessment?.risk === 'high' || incident.subjects) {
    const needed = subjectsDecisionNeeded(incident, policy);
    const note = policy.organisation.financialUndertaking
      ? { nl: 'vrijgesteld: financiële onderneming (UAVG art. 42)', en: 'exempt: financial undertaking (UAVG art. 42)' }
      : role === 'processor'
        ? CONTROLLERS_DUTY
        : undefined;
    out.push(clock('subjects', { startsAt: incident.assessment?.at ?? aware, dueAt: null, doneAt: incident.subjects?.at ?? null }, now, needed, note));
  }
  const inForce = clocksInForce(incident, policy);
  if (inForce.nis2) out.push(...nis2Clocks(incident, policy, now));
  if (inForce.telecom) {
    // Regulation 611/2013: every personal data breach of a provider goes to the AP, whatever the
    // risk; the clocks stop only when there is no personal data.
    const needed = personalDataPossible(incident);
    const note = needed ? undefined : NO_PERSONAL_DATA;
    const apReports = (r: ReportRecord) => r.to === 'ap' && r.kind !== 'withdrawal';
    const first = firstReport(incident, apReports);
    // Art. 2(3): complete within three days after the initial notification, counted in days
    // (Regulation 1182/71 art. 3: from the next day, to the end of the third, off a weekend or
    // public holiday); judged by the time of the report that was complete (the facts were marked
    // complete when it was recorded).
    const complete = firstReport(incident, (r) => apReports(r) && r.factsComplete === true);
    // Art. 2(2): 24 hours after the provider "acquired sufficient awareness": the awareness on
    // record (detection until a person records it), as the AP clock runs.
    out.push(clock('telecom-initial', { startsAt: aware, dueAt: addHours(aware, 24), doneAt: first?.at ?? null }, now, needed, note));
    out.push(
      clock(
        'telecom-complete',
        { startsAt: first?.at ?? null, dueAt: first ? addDays(first.at, 3, policy.timeZone) : null, doneAt: complete?.at ?? null },
        now,
        needed,
        note,
      ),
    );
    // An exception for unintelligible data without the AP's agreement (a record from before it was
    // asked) settles nothing (Regulation 611/2013 art. 4(1)): the decision is still to make.
    const withoutAp = subscribersWithoutAp(incident.subscribers);
    const subscribersDone = withoutAp ? null : (incident.subscribers?.at ?? null);
    out.push(
      clock(
        'telecom-subscribers',
        { startsAt: aware, dueAt: null, doneAt: subscribersDone },
        now,
        needed,
        withoutAp && needed ? SUBSCRIBERS_AP_NOT_RECORDED : note,
      ),
    );
  }
  return out;
}

/**
 * The clocks besides the AP's that an assessment after closing reopens, as it does the AP's: the
 * processor's report to its controller (Art. 33(2)), a telecom provider's reports to the AP
 * (Regulation 611/2013), and a significant incident's NIS2 early warning and incident notification
 * (art. 23(4)(a), (b)). Each only while needed and not done; NIS2's only for an incident a person
 * decided significant. An early warning overdue at closing was closed with its reason recorded
 * (`overdueReason`), which stands: the incident notification updates it. The notification itself
 * stays owed overdue (`OWED_WHEN_OVERDUE`; law25).
 */
const REOPENED_AFTER_CLOSING: ReadonlySet<ClockName> = new Set(['processor', 'telecom-initial', 'telecom-complete', 'nis2-early-warning', 'nis2-notification']);
const NIS2_REPORTS: ReadonlySet<ClockName> = new Set(['nis2-early-warning', 'nis2-notification']);

function reopenedAfterClosing(c: ClockStatus, incident: Incident): boolean {
  return (
    REOPENED_AFTER_CLOSING.has(c.name) && (!NIS2_REPORTS.has(c.name) || OWED_WHEN_OVERDUE.has(c.name) || (c.dueAt as string) > (incident.closedAt as string))
  );
}

/**
 * Decided significant under NIS2 after the incident was closed (`assess --after-close
 * --nis2-significant yes`): the FG learned it then. Its early warning and incident notification
 * (art. 23(4)(a), (b)) run on the closed incident from the NIS2 awareness, overdue when their
 * deadlines passed (closing could not have settled them), and are reminded of, listed and recorded
 * after closing as the clocks an assessment after closing reopens are.
 */
export function nis2SignificantAfterClosing(incident: Incident): boolean {
  return incident.state === 'closed' && incident.nis2?.significant === true && incident.nis2.afterClose === true;
}

/**
 * The reports closing waits for while their clock runs (fg-workflow.ts closeBlockerItems): a
 * telecom provider's notifications to the AP (Regulation 611/2013 art. 2: every personal data
 * breach, whatever the risk) and a significant incident's NIS2 early warning and notification (art.
 * 23(4)(a), (b)). Closed before them with a reason (`reportsPendingReason`), they keep running.
 */
export const REPORTS_BEFORE_CLOSING: ReadonlySet<ClockName> = new Set(['telecom-initial', 'telecom-complete', 'nis2-early-warning', 'nis2-notification']);

/**
 * A telecom provider's notifications to the AP, owed for every breach with personal data (Regulation
 * 611/2013 art. 2(1)), a significant incident's NIS2 incident notification (art. 23(1), (4)(b):
 * every significant incident is notified; the final report runs from it, (4)(d)), its final report
 * ((4)(d): "not later than one month after" the notification) and an intermediate report the CSIRT
 * or the authority asked ((4)(c)): past their deadline still owed, as the AVG's initial report is
 * (closing waits for it), not ended by the reason for the delay (law24, law25, law26). The NIS2
 * early warning is not: past, the notification updates it ((4)(b)).
 */
const OWED_WHEN_OVERDUE: ReadonlySet<ClockName> = new Set(['telecom-initial', 'telecom-complete', 'nis2-notification', 'nis2-intermediate', 'nis2-final']);

/**
 * Those of `REPORTS_BEFORE_CLOSING` still running, and those `OWED_WHEN_OVERDUE` overdue, not done:
 * closing before them needs a reason, and they keep running after it. A NIS2 final or intermediate
 * report still running asks none: it comes after closing (`KEPT_AFTER_CLOSING`).
 */
export function reportsStillDue(incident: Incident, policy: Policy, now: string): ClockStatus[] {
  return clocksOf(incident, policy, now).filter(
    (c) =>
      ((REPORTS_BEFORE_CLOSING.has(c.name) && c.status === 'running') || (c.status === 'overdue' && OWED_WHEN_OVERDUE.has(c.name))) && !!c.dueAt && !c.doneAt,
  );
}

/**
 * The NIS2 reports that come after an incident is normally closed: the final report a month after the
 * notification (art. 23(4)(d), (e)) and an intermediate report the CSIRT or authority asked for (art.
 * 23(4)(c)). Closing does not end them: their clocks keep running, are reminded of and listed, until
 * the report is recorded. Still running at closing, closing asks no reason for them; overdue, they
 * stay owed (`OWED_WHEN_OVERDUE`) and closing needs `--reports-pending-reason` besides the overdue
 * reason (law26; before, that reason ended them).
 */
const KEPT_AFTER_CLOSING: ReadonlySet<ClockName> = new Set(['nis2-intermediate', 'nis2-final']);

function keptAfterClosing(c: ClockStatus): boolean {
  return KEPT_AFTER_CLOSING.has(c.name) && !!c.dueAt;
}

/**
 * A significant incident closed with its final (or a requested intermediate) NIS2 report not yet made
 * to both; or one a "no" on the open incident left them owed (`nis2OwedAfterNo`).
 */
function nis2ReportLeft(incident: Incident): boolean {
  if (incident.state !== 'closed' || !incident.nis2) return false;
  // The final report of the notification it answers (`nis2FinalChain`): one a "no" kept owed, through a later "yes" too.
  const chain = nis2FinalChain(incident);
  const notified = chain.notifiedAt;
  const finalLeft =
    !!notified &&
    nis2DoneBy(incident, ['notification'], chain.inChain).doneAt !== null &&
    nis2DoneBy(incident, ['final'], (r) => chain.inChain(r) && r.at >= notified).doneAt === null;
  return finalLeft || (!!incident.nis2.intermediateDueAt && nis2IntermediateDone(incident).doneAt === null);
}

/**
 * A closed high-risk breach with no Art. 34 decision: closing asks for one, so only facts recorded
 * after closing that set it aside (the "encrypted" exception's ground gone, review7 Y17) leave it so.
 * It is asked for again, as after an assessment after closing; whether the decision is the
 * controller's is weighed with the policy (`subjectsDecisionNeeded`).
 */
function subjectsDecisionLeft(incident: Incident): boolean {
  const a = incident.assessment;
  return incident.state === 'closed' && a?.risk === 'high' && a.notifiable && !incident.subjects;
}

/**
 * A closed incident whose facts contradict the assessment in force: closing waits for such a
 * contradiction, so only facts recorded after closing leave it (review7 Y14). The FG assesses again
 * after closing, or confirms "no risk" beside the special categories.
 */
export function contradictedAfterClosing(incident: Incident): boolean {
  return incident.state === 'closed' && !incident.sample && assessmentContradictions(incident).length > 0;
}

/**
 * Whether a closed incident still owes this telecom or NIS2 report by its record, whatever closing
 * recorded (law26): one owed overdue (`OWED_WHEN_OVERDUE`), one that comes after closing
 * (`KEPT_AFTER_CLOSING`), and one closing cut short before its deadline (the early warning). From the
 * report not made, not from `reportsPendingReason`: a record closed before 61960886 (telecom) or
 * a49957bb (NIS2) with its notification overdue holds none, and the notification is owed all the same.
 */
function owedAfterClosing(c: ClockStatus, incident: Incident): boolean {
  return OWED_WHEN_OVERDUE.has(c.name) || keptAfterClosing(c) || (REPORTS_BEFORE_CLOSING.has(c.name) && !!c.dueAt && c.dueAt > (incident.closedAt ?? ''));
}

/** A closed incident's telecom or NIS2 report still to be made (`owedAfterClosing`). */
function reportOwedAfterClosing(incident: Incident, policy: Policy): boolean {
  const inForce = clocksInForce(incident, policy);
  if (incident.state !== 'closed' || !(inForce.telecom || inForce.nis2)) return false;
  return clocksOf(incident, policy, incident.detectedAt).some((c) => c.status !== 'not-needed' && !!c.dueAt && !c.doneAt && owedAfterClosing(c, incident));
}

/**
 * Closed with a duty left: an assessment after closing gave one, it was closed before a report whose
 * clock ran, a telecom or NIS2 report is still owed (`reportOwedAfterClosing`: an overdue
 * notification, a significant incident's final NIS2 report still to come, `KEPT_AFTER_CLOSING`),
 * facts after closing set the Art. 34 decision aside (`subjectsDecisionLeft`) or contradict the
 * assessment (`contradictedAfterClosing`), or the subscribers' exception for unintelligible data holds
 * no AP agreement (a record from before it was asked: it settles nothing, Regulation 611/2013 art.
 * 4(1); whether the decision is needed at all is the telecom policy's, `subscribersDecisionNeeded`).
 */
export function dutyLeftAtClosing(incident: Incident, policy: Policy): boolean {
  return (
    assessedAfterClosing(incident) ||
    apFollowUpLeftAtClosing(incident) ||
    (incident.state === 'closed' && (!!incident.reportsPendingReason || subscribersWithoutAp(incident.subscribers))) ||
    nis2ReportLeft(incident) ||
    nis2SignificantAfterClosing(incident) ||
    subjectsDecisionLeft(incident) ||
    contradictedAfterClosing(incident) ||
    reportOwedAfterClosing(incident, policy)
  );
}

/** The NIS2 reports that keep running after closing (`KEPT_AFTER_CLOSING`), for the record of the close. */
export function reportsKeptAfterClosing(incident: Incident, policy: Policy, now: string): ClockStatus[] {
  return clocksOf(incident, policy, now).filter((c) => !c.doneAt && c.status === 'running' && keptAfterClosing(c));
}

/**
 * Clocks other than the AP's with a deadline, not yet done and needed: the sweep reminds of them.
 * Closed: none, except those an assessment after closing reopened, the NIS2 early warning and
 * notification of a significance decided after closing (`nis2SignificantAfterClosing`, whatever their
 * deadline), and the telecom and NIS2 reports the record still owes (`owedAfterClosing`: those closing
 * left running with its reason, `reportsPendingReason`, and the same on a record closed before that
 * reason was asked).
 */
export function runningOtherClocks(incident: Incident, policy: Policy, now: string): ClockStatus[] {
  const closed = incident.state === 'closed';
  if (closed && !dutyLeftAtClosing(incident, policy)) return [];
  const reopened = closed && (assessedAfterClosing(incident) || !!incident.reportsPendingReason);
  const significantAfter = nis2SignificantAfterClosing(incident);
  return clocksOf(incident, policy, now).filter(
    (c) =>
      c.name !== 'ap' &&
      c.dueAt &&
      !c.doneAt &&
      c.status !== 'not-needed' &&
      (!closed || (reopened && reopenedAfterClosing(c, incident)) || (significantAfter && NIS2_REPORTS.has(c.name)) || owedAfterClosing(c, incident)),
  );
}

/** Whether that clock (besides the AP's) runs: for a closed incident, reopened by an assessment after closing. */
export function otherClockRunning(incident: Incident, policy: Policy, name: ClockName): boolean {
  return runningOtherClocks(incident, policy, incident.detectedAt).some((c) => c.name === name);
}

/** Clocks whose deadline passed with nothing done: closing needs a recorded reason for each. */
export function overdueClocks(incident: Incident, policy: Policy, now: string): ClockStatus[] {
  return clocksOf(incident, policy, now).filter((c) => c.status === 'overdue');
}

/**
 * Whether the assessment in force was recorded after the incident was closed (Art. 33(4)). Closing
 * settled every duty the assessments before it gave (the close blockers); one changed after it gives
 * its own, and closing in datalek does not end them: the AP notification (Art. 33(1)) and the Art. 34
 * decision. Recorded after the close is what counts, not the times stated for the two.
 */
export function assessedAfterClosing(incident: Incident): boolean {
  const assessment = incident.assessment;
  if (incident.state !== 'closed' || !incident.closedAt || !assessment) return false;
  // Marked when recorded after closing: its `at` may lie a little before closedAt, each from its own
  // process's clock (stated-time.ts RECORDING_SKEW_MS). Else by the order of recording: an assessment
  // and a close at one stated time (a replay, a history typed in afterwards) are in the order they
  // were recorded. By the times only for records closed before that order was kept.
  if (assessment.afterClose === true) return true;
  if (incident.closedAfterDecisions !== undefined) return lastAssessmentIndex(incident) >= incident.closedAfterDecisions;
  return assessment.at >= incident.closedAt;
}

/** Where the assessment in force stands among the decisions (-1: none there, a record from before `decisions`). */
function lastAssessmentIndex(incident: Incident): number {
  const decisions = incident.decisions ?? [];
  for (let i = decisions.length - 1; i >= 0; i--) if (decisions[i].kind === 'assessment') return i;
  return -1;
}

/**
 * The clocks a closed incident still asks someone to act on: those an assessment after closing
 * reopened, or closing before their report left running (`reportsPendingReason`), and that are not yet done (the AP notification, another clock with a deadline, the Art.
 * 34 or subscribers' decision). Status and the overview list such an incident beside the open ones.
 */
export function dutiesAfterClosing(incident: Incident, policy: Policy, now: string): ClockStatus[] {
  if (incident.state !== 'closed' || incident.sample || !dutyLeftAtClosing(incident, policy)) return [];
  const other = new Set(runningOtherClocks(incident, policy, now).map((c) => c.name));
  const owed = (c: ClockStatus): boolean =>
    c.name === 'ap'
      ? apClockRunning(incident, policy)
      : c.name === 'subjects'
        ? subjectsDecisionNeeded(incident, policy) && !incident.subjects
        : c.name === 'telecom-subscribers'
          ? subscribersDecisionNeeded(incident, policy) && (!incident.subscribers || subscribersWithoutAp(incident.subscribers))
          : other.has(c.name);
  return clocksOf(incident, policy, now).filter(owed);
}

/**
 * A closed incident status lists beside the open ones: a clock or decision still owed, the AP
 * follow-up owed (`apFollowUpLeftAtClosing`, or a high risk assessed after closing: `riskFollowUpOwed`),
 * or its assessment contradicted by the facts.
 */
export function closedWithDuty(incident: Incident, policy: Policy): boolean {
  return (
    dutiesAfterClosing(incident, policy, incident.detectedAt).length > 0 ||
    (apFollowUpLeftAtClosing(incident) && apFollowUpOwed(incident, policy) !== undefined) ||
    (incident.state === 'closed' && riskFollowUpOwed(incident, policy) !== undefined) ||
    contradictedAfterClosing(incident)
  );
}

/**
 * Whether a closed incident still owes the AP the rest of a notification made in phases (Art.
 * 33(4), read11c C3): the AP holds only a first phase made with the facts incomplete, no withdrawal
 * followed it, and closing recorded no reason for closing without a follow-up. Close refuses that state
 * unless a reason is given, so it comes from an AP notification made after closing (an assessment
 * after closing said notifiable). The follow-up reminder runs on (schedule.ts), status lists it and
 * minimise waits, until a report with the facts marked complete is recorded. The role aside
 * (`apFollowUpOwed` adds it): the audit asks this of the record alone.
 */
export function apFollowUpLeftAtClosing(incident: Incident): boolean {
  // Withdrawn, no notification is in force (firstPhaseOnly reads none); one made anew after a withdrawal is owed its follow-up,
  // whatever reason was given for the one before (review12 S6).
  const first = firstPhaseOnly(incident);
  return incident.state === 'closed' && first !== undefined && !followUpReasonHolds(incident, first);
}

/**
 * The AP clock runs until the initial report, a "not notifiable" decision, or closing, unless an
 * assessment after closing said notifiable; never for a processor.
 */
export function apClockRunning(incident: Incident, policy: Policy): boolean {
  return (
    !incident.sample &&
    incident.deadline !== null &&
    (incident.state !== 'closed' || assessedAfterClosing(incident)) &&
    incident.assessment?.notifiable !== false &&
    roleOf(incident, policy) === 'controller' &&
    initialReport(incident) === undefined
  );
}
