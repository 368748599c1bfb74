/**
 * The breach register (Art. 33(5)): every incident, notified or not, with the facts, the effects,
 * the remedial action, every decision with its reasoning (JSON: the whole history; CSV and
 * Markdown: the first and the last reasoning), the clocks and whether each was met, the reports
 * with the time stated beside the time recorded (so back-dating shows), and the measures taken.
 * One row per incident. CSV and JSON carry codes for tools; Markdown is for people, in the
 * policy's language.
 */
import { apLegalDeadline, apVerdictReport, type DelayReason, delayReasons, firstApNotification, verdictMarks } from './ap-verdict.js';
import { assessmentContradictions } from './assessment-contradictions.js';
import {
  type CarriedOutElsewhere,
  containmentNotCarriedOut,
  containmentStatus,
  measuresRecorded,
  notCarriedOutText,
  stillPlannedAtClose,
  stillPlannedText,
} from './breach-facts.js';
import {
  apFollowUpLeftAtClosing,
  apFollowUpOwed,
  apHours,
  type ClockName,
  type ClockState,
  type ClockStatus,
  clocksOf,
  contradictedAfterClosing,
  enteredAfterDeadlineText,
  processorHours,
  riskFollowUpOwed,
  roleOf,
} from './clocks.js';
import { escapeMarkdown, notDoneClause } from './draft.js';
import { FG_DECISION_KINDS } from './fg-decisions.js';
import { type Decision, type Incident, type ReportRecord, type SubjectsDecision, subscribersWithoutAp, type TimelineEntry } from './incident.js';
import { pseudonymText, withKeyPseudonyms, withOwnPseudonyms } from './incident-pseudonyms.js';
import {
  type ApShownState,
  awareReasonLabel,
  besideSpecialLabel,
  callerLabel,
  clockStateText,
  type Lang,
  natureLabel,
  recipientLabel,
  reportKindShown,
  riskLabel,
  roleLabel,
  shownState,
  stateLabel,
  subjectsLabel,
  subscribersLabel,
  TOLD_LABEL,
  yesNo,
} from './labels.js';
import { notPlannedMeasure } from './message-bounds.js';
import type { Policy } from './policy.js';
import { BEFORE_DETECTION, beforeDetection, enteredAtOf } from './stated-time.js';
import { formatLocal } from './time.js';

export interface RegisterRow {
  /**
   * Who recorded each FG decision on AWS: its kind, time and the role and account of the identity
   * that wrote it (TimelineEntry.caller; fgrole item 4); null where no entry names a caller (the embedded store).
   */
  fgDecisionsRecordedAs: string | null;
  incidentId: string;
  state: string;
  sample: boolean;
  role: string;
  firstActivityAt: string | null;
  detectedAt: string;
  awareAt: string | null;
  awareReason: string | null;
  /**
   * Awareness was moved later *after* personal data had been assessed as affected (see `decisions`);
   * false for a move from the detection to a later stated time made before that assessment. The name
   * is kept: scripts read the register's columns by name and position (review8's note on it).
   */
  awarenessMovedLater: boolean;
  /** The moment of awareness lies before GuardDuty's first activity or detection (a customer's call), as the person confirmed (core/stated-time.ts). */
  awareBeforeDetection: boolean;
  /** When the entity became aware of the significant incident (NIS2 art. 23(4)(a)), as a person recorded it with its reason; null: the detection. */
  nis2AwareAt: string | null;
  /** The moment of awareness the deadline rests on was stated more than a day before it was entered, or entered after the AP deadline had passed. */
  awarenessEnteredLater: boolean;
  /**
   * A time the AP verdict rests on (the initial report's, the moment of awareness) was entered after
   * the record held the notification overdue, and the FG confirmed it: "met" rests on that time alone.
   */
  enteredAfterDeadline: boolean;
  findingType: string;
  severity: number;
  resource: string;
  account: string;
  personalData: string | null;
  risk: string | null;
  notifiable: boolean | null;
  /** The latest assessment's reasoning. */
  decisionReason: string | null;
  /**
   * "No risk" beside special categories of personal data not recorded as unintelligible, which the
   * FG confirmed explicitly: `categories (unintelligible: …): reason` (core/fg-workflow.ts).
   */
  noRiskBesideSpecial: string | null;
  /** Why it was closed before a telecom or NIS2 report whose clock still ran (those clocks keep running). */
  reportsPendingReason: string | null;
  /** Why it was closed while the AP held only the first phase of the notification, made with the facts incomplete (Art. 33(4)). */
  apFollowUpReason: string | null;
  /** The hours of `apDeadline` (Art. 33(1): 72; more only for a record counted with more before G17). An internal target is in `apInternalTarget*`. */
  apDeadlineHours: number | null;
  /** For a processor: the hours it had to inform its controller (the contract's, else 24). */
  controllerHours: number | null;
  /**
   * Opened by a person, not by a finding (core/open-by-hand.ts): `by NAME, entered T, aware T: what`,
   * and the finding the policy ignored that it comes from; empty for one a finding opened.
   */
  openedByHand: string;
  /** The first assessment's reasoning: kept, never overwritten by later ones. */
  firstDecisionReason: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  /** Every decision, in the order recorded (JSON only). */
  decisions: Decision[];
  nis2Significant: boolean | null;
  /** The AP deadline of the law (Art. 33(1): 72 hours from awareness; a record counted with more before G17 keeps its hours), which the verdict columns judge by. */
  apDeadline: string | null;
  apClock: string | null;
  /** The AP clock's state; a follow-up still owed to the AP (Art. 33(4)) reads `follow-up-owed` or `follow-up-overdue`, not `met`. */
  apClockStatus: ApShownState | null;
  /** The AP clock's own state: the initial notification's verdict against the deadline (Art. 33(1)), whatever follow-up is owed. */
  apInitialStatus: ClockState | null;
  /**
   * The time the initial AP report the verdict (`apInitialStatus`) rests on was made, as stated: the first
   * notification of the breach, also once withdrawn and owed or made anew (`references` lists every one, law28 s28).
   */
  apReportedAt: string | null;
  /** When it was entered: beside the stated time, so back-dating shows. */
  apReportRecordedAt: string | null;
  apReportEnteredLater: boolean | null;
  references: string;
  /** The reasons given with reports (a withdrawal of the AP notification needs one): `to:kind:reference: reason`. */
  reportReasons: string;
  /** What was recorded after closing (Art. 33(4)): `ap:correction:M-1 at … by …: reason`, `facts records at … by …: reason`. */
  afterClose: string;
  /** Facts the FG said cannot be given when marking the facts complete, and why: `subjects, records: reason`. */
  factsUnknown: string | null;
  /**
   * Times entered later (more than a day after the time stated, or after the AP deadline had
   * passed): `to:kind:reference stated … recorded …`, `awareness stated … recorded …`, each
   * followed by `after the AP deadline had passed (…)` when it was.
   */
  enteredLater: string;
  /** The reasons for the delay of the initial AP report, as given (with it, with a move of awareness, or afterwards); `; ` between them. */
  delayReason: string | null;
  /** Each reason for the delay with where, by whom and when it was given (JSON only). */
  delayReasons: DelayReason[];
  subjectsDecision: string | null;
  subscribersDecision: string | null;
  /** What the data subjects, or the subscribers, were told, as recorded with the decision in force (Art. 34(2), 33(5)). */
  subjectsText: string | null;
  subscribersText: string | null;
  /** The AP's agreement the subscribers' exception for unintelligible data rests on (Regulation 611/2013 art. 4(1)): reference, when, who recorded it. */
  subscribersApAgreement: string | null;
  otherClocks: string;
  summary: string | null;
  cause: string | null;
  breachType: string | null;
  endedAt: string | null;
  nature: string;
  /** When the breach began, as a person stated it (`facts --started-at`), and how that is known (review11 S3, Art. 33(5)). */
  startedAt: string | null;
  startedReason: string | null;
  /** The begin lies before GuardDuty's first activity or detection, as the person confirmed (core/stated-time.ts). */
  startedBeforeDetection: boolean;
  /** The end of the breach as stated (`endedAt`) lies before GuardDuty's detection (after a begin or awareness before it, confirmed). */
  endedBeforeDetection: boolean;
  /**
   * The organisation's internal target when shorter than the law's 72 hours (policy `apDeadlineHours`,
   * kept with the record): when it fell, its hours, and whether the initial report (or, without one,
   * now) came after it. Missing it is no delay under Art. 33(1): `apClockStatus`, `apInitialStatus`
   * and `delayReason` follow `apDeadline` (review12 S3). Empty without a target.
   */
  apInternalTarget: string | null;
  apInternalTargetHours: number | null;
  apInternalTargetMissed: boolean | null;
  /**
   * The notification `apFollowUpReason` answers for (`M-1 v1`: reference and report version), empty
   * for a record from before it was kept (read14a A5). A reason given after closing for another
   * notification (one made anew) never replaces it: it is under `afterClose`.
   */
  apFollowUpReasonFor: string | null;
  categories: string;
  specialCategories: string;
  dataSubjects: string | null;
  records: number | null;
  /** The likely consequences: in general and per kind of breach. */
  consequences: string | null;
  /** Measures taken: the people's words, then containment carried out, a released one with when, by whom and why it was undone. */
  measuresTaken: string;
  measuresProposed: string | null;
  otherParties: string;
  closedAt: string | null;
  closeReason: string | null;
  overdueReason: string | null;
  /** Every finding type of the incident; `findingType` is the most severe one. */
  findingTypes: string;
  /** A finding of a new type that came after the assessment: `<type> (<finding>) at <time>, after the assessment of <time>`, and whether one answered it. */
  reviewAsked: string | null;
  /** The closed incident this one follows up (its finding was active again after it was closed). */
  followUpOf: string | null;
  /** The follow-up incidents opened for activity after this one was closed; its own decision stays as it was. */
  followUps: string;
  /** The open incidents a finding linked to this one rather than merging them: the breach's record is in both. */
  linkedTo: string;
  /**
   * Every containment action with its final status: `type target: status time (reason)`, with
   * `; released at … by …: reason` when undone; a failed or never carried out one shows as such.
   */
  containment: string;
  /** Why the incident was closed with enforced containment failed or not carried out: what was done by hand, or why it is left. */
  containmentReason: string | null;
  /**
   * Containment the record still holds as planned (`still planned, not recorded as carried out: type
   * target, …`), beside `measuresTaken`: a closing does not refuse a step only planned, and the
   * measures taken may read as if it was done (fg26 item 1); null when none.
   */
  stillPlanned: string | null;
  /** Changes a person recorded with a --now behind the machine's clock: their times were stated, not taken. */
  statedClock: string;
  /** The personal data of its findings removed after the retention period (`datalek minimise`): how many, when, by whom. */
  findingsMinimised: string | null;
  /** A hold keeping the findings past the retention period (retention-hold.ts): when, who, why; null without one. */
  retentionHold: string | null;
}

function consequencesOf(incident: Incident): string | null {
  const f = incident.facts;
  const parts = [
    ...(f?.consequences?.trim() ? [f.consequences.trim()] : []),
    ...Object.entries(f?.consequencesByNature ?? {}).map(
      ([n, c]) => `${n}: ${c?.text}${c?.harm.length ? ` [${c.harm.join(', ')}]` : ''}${c?.severity ? ` (${c.severity})` : ''}`,
    ),
  ];
  return parts.length ? parts.join('; ') : null;
}

/** A high risk assessed after closing that the AP has not been told of (clocks.ts riskFollowUpOwed), for the closing cell; null when none. */
function riskOwedAfterClosing(incident: Incident, policy: Policy, nl: boolean): string | null {
  const owed = incident.state === 'closed' ? riskFollowUpOwed(incident, policy) : undefined;
  if (!owed) return null;
  return nl
    ? `vervolgmelding aan de AP nog verschuldigd (AVG art. 33(3)(c), (4)): het risico is na het sluiten hoog beoordeeld, na de laatste melding ${owed.report.reference}`
    : `follow-up to the AP still owed (Art. 33(3)(c), (4)): the risk was assessed high after closing, after the last report ${owed.report.reference}`;
}

/**
 * What a close with `apFollowUpReason` left out (Art. 33(4)): the follow-up with the complete facts.
 * After a follow-up made while they were incomplete, "without a follow-up" was false beside the
 * follow-up the same row lists (fg24).
 */
function closedWithoutFollowUp(incident: Incident, nl: boolean): string {
  // The reason answers a high risk assessed after a report that gave the AP the complete facts (clocks.ts
  // riskRaisedAfterReport, closing's check since f3d3e6e4): not the facts, the risk was not followed up.
  const answers = incident.apFollowUpReasonFor;
  const answered = answers && (incident.reports ?? []).find((r) => r.to === 'ap' && r.reference === answers.reference && r.version === answers.version);
  if (answered?.factsComplete)
    return nl
      ? 'gesloten zonder vervolgmelding aan de AP met het hoge risico (AVG art. 33(3)(c), (4))'
      : 'closed without a follow-up to the AP with the high risk (Art. 33(3)(c), (4))';
  const followedUp = (incident.reports ?? []).some((r) => r.to === 'ap' && (r.kind === 'follow-up' || r.kind === 'correction'));
  if (followedUp)
    return nl
      ? 'gesloten zonder vervolgmelding met de complete feiten aan de AP (AVG art. 33(4))'
      : 'closed without a follow-up to the AP with the complete facts (Art. 33(4))';
  return nl ? 'gesloten zonder vervolgmelding aan de AP (AVG art. 33(4))' : 'closed without a follow-up to the AP (Art. 33(4))';
}

/**
 * Each FG decision (FG_DECISION_KINDS) of `timeline` that names its caller: its kind, time and the
 * caller's role and account (labels.ts `callerLabel`); null when none names one.
 */
export function fgDecisionsRecordedAs(timeline: readonly Pick<TimelineEntry, 'kind' | 'at' | 'caller'>[]): string | null {
  const said = timeline.filter((e) => e.caller && FG_DECISION_KINDS.has(e.kind)).map((e) => `${e.kind} ${e.at} as ${callerLabel('en', e.caller as string)}`);
  return said.length ? said.join('; ') : null;
}

/**
 * `elsewhere`: containment another incident carried out on its resources (breach-facts.ts), among the
 * measures taken. `timeline`: the incident's, for who recorded the FG's decisions (none read: not said).
 */
export function registerRow(
  incident: Incident,
  policy: Policy,
  now: string,
  elsewhere: CarriedOutElsewhere[] = [],
  timeline: readonly TimelineEntry[] = [],
): RegisterRow {
  // An export outlives minimise (kept for years, handed to an auditor): a principal named by the
  // incident's own pseudonym, as its timeline names it (fg24, core/incident-pseudonyms.ts).
  // An access key by its kind and the incident's own pseudonym, as the AP draft names it (fg28 item 7):
  // the key id is personal data of a user; `show` gives it beside the pseudonym.
  const row = withKeyPseudonyms(incident.pseudonymKey, withOwnPseudonyms(incident.pseudonymKey, rowOf(incident, policy, now, elsewhere)));
  return { ...row, fgDecisionsRecordedAs: fgDecisionsRecordedAs(timeline) };
}

/**
 * The AP report the verdict rests on (ap-verdict.ts apVerdictReport): the first notification of the
 * breach, while one is in force or owed anew after its withdrawal; not the notification made anew, whose
 * time (after the deadline, perhaps) beside the first one's "met" would call a late report in time.
 */
function verdictReport(incident: Incident, ap: ClockStatus | undefined) {
  return apVerdictReport(incident) ?? (ap?.anew ? firstApNotification(incident) : undefined);
}

function rowOf(incident: Incident, policy: Policy, now: string, elsewhere: CarriedOutElsewhere[]): Omit<RegisterRow, 'fgDecisionsRecordedAs'> {
  const a = incident.assessment;
  const f = incident.facts;
  const clocks = clocksOf(incident, policy, now);
  const ap = clocks.find((c) => c.name === 'ap');
  const reports = incident.reports ?? [];
  const initial = verdictReport(incident, ap);
  const decisions = incident.decisions ?? (a ? [{ kind: 'assessment' as const, ...a, recordedAt: a.at }] : []);
  const assessments = decisions.filter((d) => d.kind === 'assessment');
  const s = incident.subjects;
  const marks = verdictMarks(incident, roleOf(incident, policy));
  const reasons = delayReasons(incident);
  const afterDeadline = (moment: string | null | undefined) => (moment ? ` after the AP deadline had passed (${moment})` : '');
  const subjectsText = (x: typeof s) =>
    x ? `${x.decision}${x.exception ? ` (${x.exception})` : ''}${x.date ? ` ${x.date}` : ''}${x.channel ? ` via ${x.channel}` : ''}: ${x.reason}` : null;
  return {
    incidentId: incident.id,
    state: incident.state,
    sample: incident.sample,
    role: roleOf(incident, policy),
    firstActivityAt: incident.firstActivityAt ?? null,
    detectedAt: incident.detectedAt,
    awareAt: incident.awareAt,
    awareReason: incident.awareReason ?? null,
    awarenessMovedLater: decisions.some((d) => d.kind === 'awareness' && d.movedLaterAfterPersonalDataYes),
    awareBeforeDetection: beforeDetection(incident, incident.awareAt),
    nis2AwareAt: incident.nis2AwareAt
      ? `${incident.nis2AwareAt}${beforeDetection(incident, incident.nis2AwareAt) ? ` (${BEFORE_DETECTION.en})` : ''}: ${incident.nis2AwareReason ?? ''}`
      : null,
    awarenessEnteredLater: marks.awarenessEnteredLater,
    enteredAfterDeadline: marks.enteredAfterDeadline,
    findingType: incident.findingType,
    severity: incident.severity,
    resource: `${incident.resource.resourceType} ${incident.resource.id}`,
    account: `${incident.accountId}/${incident.region}`,
    personalData: a?.personalData ?? null,
    risk: a?.risk ?? null,
    notifiable: a ? a.notifiable : null,
    decisionReason: a?.reason ?? null,
    noRiskBesideSpecial: a?.confirmedBesideSpecial
      ? `${a.confirmedBesideSpecial.categories.join(', ')} (unintelligible: ${a.confirmedBesideSpecial.unintelligible ?? 'not recorded'}): ${a.confirmedBesideSpecial.reason}`
      : null,
    firstDecisionReason: assessments[0]?.reason ?? null,
    decidedBy: a?.by ?? null,
    decidedAt: a?.at ?? null,
    decisions,
    nis2Significant: incident.nis2 ? incident.nis2.significant : null,
    apDeadline: apLegalDeadline(incident),
    apClock: ap ? (ap.followUp ? clockStateText('en', ap) : `${ap.status}${ap.note ? ` (${ap.note.en})` : ''}`) : incident.sample ? 'none (sample)' : null,
    apClockStatus: ap ? shownState(ap) : null,
    // Owed anew after a withdrawal, the initial notification's verdict is the first one's (law27).
    apInitialStatus: ap?.anew?.verdict ?? ap?.status ?? null,
    apReportedAt: initial?.at ?? null,
    apReportRecordedAt: initial?.recordedAt ?? null,
    apReportEnteredLater: initial ? initial.enteredLater === true : null,
    references: reports.map((r) => `${r.to}:${r.kind}:${r.reference}@${r.at}${r.beforeDetection ? ` (${BEFORE_DETECTION.en})` : ''}`).join('; '),
    reportReasons: reports
      .flatMap((r) => [
        ...(r.reason ? [`${r.to}:${r.kind}:${r.reference}: ${r.reason}`] : []),
        // The AP's reasons for a delay are in delayReason; a processor's to its controller here (Art. 33(2)).
        ...(r.to === 'controller' && r.delayReason ? [`${r.to}:${r.kind}:${r.reference}: reasons for the delay: ${r.delayReason}`] : []),
        // A telecom provider's for its complete notification after the three days (Regulation 611/2013 art. 2(3)).
        ...(r.delayUnder === 'telecom-complete' && r.delayReason
          ? [`${r.to}:${r.kind}:${r.reference}: reasons for the delay of the complete notification (Regulation 611/2013 art. 2(3)): ${r.delayReason}`]
          : []),
      ])
      .join('; '),
    enteredLater: [
      ...decisions.flatMap((d) =>
        d.kind === 'awareness' && d.enteredLater
          ? [`awareness stated ${d.to} recorded ${enteredAtOf(incident, d.recordedAt, d.by, 'awareness-set')}${afterDeadline(d.enteredAfterDeadline)}`]
          : [],
      ),
      ...reports
        .filter((r) => r.enteredLater)
        .map(
          (r) =>
            `${r.to}:${r.kind}:${r.reference} stated ${r.at} recorded ${enteredAtOf(incident, r.recordedAt, r.by, 'reported')}${afterDeadline(r.enteredAfterDeadline)}`,
        ),
      ...(
        [
          ['subjects', s],
          ['subscribers', incident.subscribers],
        ] as const
      )
        .filter(([, x]) => x?.enteredLater && x.date)
        .map(
          ([who, x]) =>
            `${who}:${x?.decision} stated ${x?.date} recorded ${x ? enteredAtOf(incident, x.at, x.by, who === 'subjects' ? 'subjects-decided' : 'subscribers-decided') : ''}`,
        ),
    ].join('; '),
    delayReason: reasons.length ? reasons.map((d) => d.reason).join('; ') : null,
    delayReasons: reasons,
    subjectsDecision: subjectsText(s),
    subscribersDecision: subjectsText(incident.subscribers),
    subjectsText: s?.text ?? null,
    subscribersText: incident.subscribers?.text ?? null,
    subscribersApAgreement: apAgreementText(incident.subscribers),
    otherClocks: clocks
      .filter((c) => c.name !== 'ap')
      .map(
        (c) =>
          // The significance decision changed after the first says so (its note), not as the decision made late.
          `${c.name}: ${c.status}${c.name === 'nis2-significance' && c.note ? ` (${c.note.en})` : ''}${c.enteredAfterDeadline ? ` (${enteredAfterDeadlineText(c.name).en}; overdue from ${c.enteredAfterDeadline.overdueFrom})` : ''}`,
      )
      .join('; '),
    afterClose: [
      ...(incident.afterClose ?? []).map((x) => `${x.what} at ${x.at} by ${x.by}: ${x.reason}`),
      ...contradictedNow(incident).map((c) => `assessment contradicts facts: ${c.en}`),
    ].join('; '),
    factsUnknown: f?.unknown?.facts.length ? `${f.unknown.facts.join(', ')}: ${f.unknown.reason}` : null,
    summary: f?.summary ?? null,
    cause: f?.cause ?? null,
    breachType: f?.breachType ?? null,
    endedAt: f?.endedAt ?? null,
    startedAt: f?.startedAt ?? null,
    startedReason: f?.startedReason ?? null,
    startedBeforeDetection: beforeDetection(incident, f?.startedAt),
    endedBeforeDetection: beforeDetection(incident, f?.endedAt),
    apInternalTarget: ap?.internalTarget?.at ?? null,
    apInternalTargetHours: ap?.internalTarget?.hours ?? null,
    apInternalTargetMissed: ap?.internalTarget ? ap.internalTarget.missed : null,
    apFollowUpReasonFor: incident.apFollowUpReasonFor ? `${incident.apFollowUpReasonFor.reference} v${incident.apFollowUpReasonFor.version}` : null,
    nature: f?.nature.join(', ') ?? '',
    categories: f?.categories.join(', ') ?? '',
    specialCategories: f?.specialStated ? f.specialCategories.join(', ') || 'none' : f?.specialCategories.join(', ') || '',
    dataSubjects: f?.subjectsMin != null && f.subjectsMax != null ? `${f.subjectsMin}-${f.subjectsMax}` : null,
    records: f?.records ?? null,
    consequences: consequencesOf(incident),
    measuresTaken: measuresRecorded(incident, 'en', undefined, elsewhere).join('; '),
    measuresProposed: f?.measuresProposed ?? null,
    otherParties: (f?.otherParties ?? []).map((p) => `${p.name} (${p.role})`).join('; '),
    closedAt: incident.closedAt,
    closeReason: incident.closeReason ?? null,
    overdueReason: incident.overdueReason ?? null,
    findingTypes: `${(incident.findingTypes ?? [incident.findingType]).join(', ')}${incident.findingTypesNotListed ? `; further types not listed, from ${incident.findingTypesNotListed.since}` : ''}`,
    reviewAsked: reviewText(incident),
    followUpOf: incident.followUpOf?.incidentId ?? null,
    followUps: (incident.followUps ?? []).join(', '),
    linkedTo: [...(incident.linked ?? []), ...(incident.linkedNotListed ? [`and ${incident.linkedNotListed} more (timeline)`] : [])].join(', '),
    containment: [...containmentStatus(incident), ...[notPlannedMeasure(incident, 'en', (iso) => iso)].filter((x) => x !== null)].join('; '),
    containmentReason: incident.containmentReason ?? null,
    stillPlanned: stillPlannedText(incident, 'en', false),
    reportsPendingReason: incident.reportsPendingReason ?? null,
    apFollowUpReason: incident.apFollowUpReason ?? null,
    apDeadlineHours: incident.sample || !incident.deadline ? null : apHours(incident, policy),
    controllerHours: roleOf(incident, policy) === 'processor' ? processorHours(policy, incident) : null,
    statedClock: statedClockText(incident),
    openedByHand: openedByHandText(incident),
    findingsMinimised: minimisedText(incident),
    retentionHold: incident.retentionHold ? `held at ${incident.retentionHold.at} by ${incident.retentionHold.by}: ${incident.retentionHold.reason}` : null,
  };
}

/** How a person opened the incident by hand, for tools: who, when entered, the awareness stated, what, and the ignored finding. */
function openedByHandText(incident: Incident): string {
  const o = incident.openedByHand;
  if (!o) return '';
  const f = o.finding;
  return `by ${o.by}, entered ${o.recordedAt}, aware ${o.awareAt}: ${o.what}${f ? `; from finding ${f.findingId} (${f.type}, severity ${f.severity}), ignored: ${f.ignored}` : ''}`;
}

function reviewText(incident: Incident): string | null {
  const ask = incident.reviewAsked;
  if (!ask) return null;
  const answered = (incident.decisions ?? []).slice(ask.decisions).find((d) => d.kind === 'assessment');
  return `${ask.findingType} (${ask.findingId}) at ${ask.at}, after the assessment of ${ask.assessedAt}: ${answered ? `assessed again ${answered.recordedAt}` : 'not yet assessed again'}`;
}

export function registerCsv(rows: RegisterRow[], drill?: string): string {
  const columns = REGISTER_COLUMNS;
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    // Quote always; a leading =, +, - or @ would be a formula in a spreadsheet, and so would one
    // after a leading TAB or CR, which spreadsheets skip (OWASP CSV injection): prefix it.
    const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
    return `"${safe.replace(/"/g, '""')}"`;
  };
  // A drill's register (`drill`: its line) has a last column saying so in every row (atk29 A4); a real one stays as it was.
  const last = drill === undefined ? [] : [cell(drill)];
  return [[...columns, ...(drill === undefined ? [] : ['drill'])].join(','), ...rows.map((r) => [...columns.map((c) => cell(r[c])), ...last].join(','))].join(
    '\n',
  );
}

/** The register for people, in the policy's language: the facts, effects and remedial action of each incident. */
/** The reasons for the delay of a telecom provider's complete notification (Regulation 611/2013 art. 2(3)), for the Markdown register's reports. */
function telecomDelayText(r: ReportRecord, nl: boolean): string {
  if (r.delayUnder !== 'telecom-complete' || !r.delayReason) return '';
  return nl
    ? ` (reden vertraging volledige melding, Verordening 611/2013 art. 2(3): ${r.delayReason})`
    : ` (reasons for the delay of the complete notification, Regulation 611/2013 art. 2(3): ${r.delayReason})`;
}

export function registerMarkdown(
  incidents: Incident[],
  policy: Policy,
  now: string,
  lang: Lang = policy.language,
  elsewhereOf: (incident: Incident) => CarriedOutElsewhere[] = () => [],
  timelineOf: (incident: Incident) => readonly TimelineEntry[] = () => [],
): string {
  const nl = lang === 'nl';
  const tz = policy.timeZone;
  const local = (iso: string | null | undefined) => (iso ? formatLocal(iso, tz) : '');
  // Who recorded the FG's decisions (fgrole item 4): a column only where an entry names its caller
  // (AWS); the embedded store records none, and its register stays as it was.
  const recordedAs = incidents.map((incident) =>
    timelineOf(incident)
      .filter((e) => e.caller && FG_DECISION_KINDS.has(e.kind))
      .map((e) => `${FG_DECISION_KINDS.get(e.kind)?.[lang] ?? e.kind} ${local(e.at)} ${nl ? 'als' : 'as'} ${callerLabel(lang, e.caller as string)}`)
      .join('; '),
  );
  const callers = recordedAs.some(Boolean);
  const headers = nl
    ? [
        'Incident',
        'Gedetecteerd',
        'Bewust geworden (reden)',
        'Bevinding',
        'Samenvatting',
        'Rol',
        'Persoonsgegevens',
        'Risico',
        'Meldplichtig',
        'Eerste motivering',
        'Laatste motivering',
        'Melding AP',
        'Gemeld (vastgelegd)',
        'Reden vertraging',
        'Alle meldingen',
        'Aard',
        'Soorten gegevens',
        'Betrokkenen; records',
        'Gevolgen',
        'Genomen maatregelen',
        'Voorgestelde maatregelen',
        'Art. 34',
        'Status',
        'Afgesloten (reden)',
        'Inperking niet uitgevoerd',
        ...(callers ? ['Vastgelegd als (besluiten van de FG)'] : []),
      ]
    : [
        'Incident',
        'Detected',
        'Became aware (reason)',
        'Finding',
        'Summary',
        'Role',
        'Personal data',
        'Risk',
        'Notifiable',
        'First reasoning',
        'Last reasoning',
        'AP notification',
        'Reported (recorded)',
        'Reasons for the delay',
        'All reports',
        'Nature',
        'Categories',
        'Data subjects; records',
        'Consequences',
        'Measures taken',
        'Measures proposed',
        'Art. 34',
        'State',
        'Closed (reason)',
        'Containment not carried out',
        ...(callers ? ["Recorded as (the FG's decisions)"] : []),
      ];
  const rows = incidents.map((incident, n) => {
    const row = registerRow(incident, policy, now, elsewhereOf(incident));
    const f = incident.facts;
    const a = incident.assessment;
    const ap = clocksOf(incident, policy, now).find((c) => c.name === 'ap');
    const initial = verdictReport(incident, ap);
    const later = nl ? 'later ingevoerd' : 'entered later';
    const perNature = Object.entries(f?.consequencesByNature ?? {}).map(([n, c]) => `${natureLabel(lang, n as never)}: ${c?.text}`);
    const reportsText = (incident.reports ?? [])
      .map(
        (r) =>
          `${recipientLabel(lang, r.to)} ${reportKindShown(lang, r, incident.reports ?? [])} ${r.reference} ${local(r.at)}${r.beforeDetection ? ` (${BEFORE_DETECTION[lang]})` : ''}${r.enteredLater ? ` (${later}: ${nl ? 'vastgelegd' : 'recorded'} ${local(enteredAtOf(incident, r.recordedAt, r.by, 'reported'))})` : ''}${(r.clocksEnteredAfterDeadline ?? []).map((m) => ` (${enteredAfterDeadlineText(m.clock as ClockName)[lang]})`).join('')}${r.reason ? ` (${nl ? 'reden' : 'reason'}: ${r.reason})` : ''}${telecomDelayText(r, nl)}`,
      )
      .join('; ');
    const closing = incident.closedAt
      ? [
          local(incident.closedAt),
          incident.closeReason,
          incident.overdueReason ? `${nl ? 'termijn verlopen' : 'clock overdue'}: ${incident.overdueReason}` : null,
          incident.containmentReason ? `${nl ? 'inperking niet uitgevoerd' : 'containment not carried out'}: ${incident.containmentReason}` : null,
          incident.reportsPendingReason ? `${nl ? 'gesloten vóór een melding' : 'closed before a report'}: ${incident.reportsPendingReason}` : null,
          incident.apFollowUpReason ? `${closedWithoutFollowUp(incident, nl)}: ${incident.apFollowUpReason}` : null,
          apFollowUpLeftAtClosing(incident) && apFollowUpOwed(incident, policy)
            ? `${nl ? 'vervolgmelding aan de AP nog verschuldigd (AVG art. 33(4)): de AP heeft alleen de eerste fase' : 'follow-up to the AP still owed (Art. 33(4)): the AP holds only the first phase'} ${apFollowUpOwed(incident, policy)?.reference}`
            : null,
          riskOwedAfterClosing(incident, policy, nl),
          ...(incident.afterClose ?? []).map((x) => `${nl ? 'na sluiten' : 'after closing'} ${local(x.at)}: ${x.what} (${x.reason})`),
          incident.minimised
            ? `${nl ? 'persoonsgegevens uit de bevindingen verwijderd' : 'personal data removed from the findings'} ${local(incident.minimised.at)} (${incident.minimised.by}, ${incident.minimised.afterDays} ${nl ? 'dagen na sluiten' : 'days after closing'})${againText(incident.minimised, nl, local)}${pseudonymText(incident, nl)}`
            : null,
          incident.retentionHold
            ? `${nl ? 'langer bewaard: besloten door' : 'kept past the retention period: decided by'} ${incident.retentionHold.by} ${nl ? 'op' : 'on'} ${local(incident.retentionHold.at)}: ${incident.retentionHold.reason}`
            : null,
          ...contradictedNow(incident).map((c) => (nl ? `beoordeling spreekt feiten tegen: ${c.nl}` : `assessment contradicts facts: ${c.en}`)),
        ]
          .filter(Boolean)
          .join('; ')
      : '';
    const cells = [
      incident.id,
      [local(incident.detectedAt), beganCell(incident, lang, local)].filter(Boolean).join('; '),
      [
        incident.awareAt
          ? `${local(incident.awareAt)}${row.awareBeforeDetection ? ` (${BEFORE_DETECTION[lang]})` : ''}${incident.awareReason ? ` (${awareReasonLabel(lang, incident.awareReason)})` : ''}${row.awarenessEnteredLater ? ` (${later})` : ''}`
          : '',
        nis2AwareCell(incident, lang, local),
      ]
        .filter(Boolean)
        .join('; '),
      incident.findingType,
      f?.summary ?? '',
      roleLabel(lang, roleOf(incident, policy)),
      a ? yesNo(lang, a.personalData) : '',
      a ? `${riskLabel(lang, a.risk)}${a.confirmedBesideSpecial ? `; ${besideSpecialLabel(lang, a.confirmedBesideSpecial)}` : ''}` : '',
      a ? yesNo(lang, a.notifiable) : '',
      row.firstDecisionReason ?? '',
      row.decisionReason ?? '',
      ap
        ? `${clockStateText(lang, ap)}; ${nl ? 'termijn' : 'deadline'} ${row.apDeadlineHours} ${nl ? 'uur' : 'hours'}${row.controllerHours ? `, ${nl ? 'aan verwerkingsverantwoordelijke' : 'to the controller'} ${row.controllerHours} ${nl ? 'uur' : 'hours'}` : ''}`
        : incident.sample
          ? nl
            ? 'geen (testmelding)'
            : 'none (sample finding)'
          : '',
      initial ? `${local(initial.at)} (${local(initial.recordedAt)}${initial.enteredLater ? `, ${later}` : ''})` : '',
      row.delayReasons.map((d) => (d.given === 'initial' ? d.reason : `${d.reason} (${local(d.recordedAt)})`)).join('; '),
      reportsText,
      (f?.nature ?? []).map((n) => natureLabel(lang, n)).join(', '),
      row.categories,
      [row.dataSubjects, row.records == null ? null : String(row.records)].filter(Boolean).join('; '),
      [...(f?.consequences?.trim() ? [f.consequences.trim()] : []), ...perNature].join('; '),
      measuresCell(measuresRecorded(incident, lang, tz, elsewhereOf(incident)), incident, lang),
      row.measuresProposed ?? '',
      subjectsCell(incident, lang, local),
      // A GuardDuty sample finding is test data (no clock, no containment): never an open incident like the others.
      `${stateLabel(lang, incident.state)}${incident.sample ? (nl ? ' (testmelding: voorbeeldbevinding van GuardDuty)' : ' (sample finding (test))') : ''}${incident.openedByHand ? (nl ? ` (met de hand geopend door ${incident.openedByHand.by})` : ` (opened by hand by ${incident.openedByHand.by})`) : ''}${statedClockNote(incident, nl)}`,
      closing,
      [
        ...containmentNotCarriedOut(incident).map((a) => notCarriedOutText(a, lang)),
        // A step only planned (plan mode, a person's step) is not carried out either: an empty cell read as all done (fg26).
        ...stillPlannedAtClose(incident).map((a) => notCarriedOutText(a, lang)),
        ...[notPlannedMeasure(incident, lang, local), notDoneClause(incident, lang, local)].filter((x) => x !== null),
      ].join('; '),
      ...(callers ? [recordedAs[n]] : []),
    ];
    // A principal by the incident's own pseudonym, as in the row (f75ba96f): a step's target may be a store-wide one.
    return withKeyPseudonyms(incident.pseudonymKey, withOwnPseudonyms(incident.pseudonymKey, cells));
  });
  const line = (cells: string[]) => `| ${cells.map((c) => escapeMarkdown(c)).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/**
 * The measures taken for people, with the containment still planned beside those in a person's
 * words: they may claim a step the record holds as only planned (fg26 item 1).
 */
function measuresCell(measures: string[], incident: Incident, lang: Lang): string {
  const planned = incident.facts?.measuresTaken?.trim() ? stillPlannedText(incident, lang) : null;
  return [...measures, ...(planned ? [planned] : [])].join('; ');
}

/**
 * The NIS2 awareness of the significant incident a person recorded (`assess --nis2-aware-at`), its
 * NIS2 clocks' start, with its marks and reason; empty when none was recorded (the detection).
 */
function nis2AwareCell(incident: Incident, lang: Lang, local: (iso: string) => string): string {
  const at = incident.nis2AwareAt;
  if (!at) return '';
  const nl = lang === 'nl';
  const last = (incident.decisions ?? []).filter((d) => d.kind === 'nis2-awareness').at(-1);
  const marks = [
    ...(beforeDetection(incident, at) ? [BEFORE_DETECTION[lang]] : []),
    ...(last?.kind === 'nis2-awareness' && last.enteredLater ? [nl ? 'later ingevoerd' : 'entered later'] : []),
  ];
  return `NIS2: ${nl ? 'bewust geworden van het significante incident' : 'became aware of the significant incident'} ${local(at)}${marks.map((m) => ` (${m})`).join('')}: ${incident.nis2AwareReason ?? ''}`;
}

/** The Art. 34 cell: the decisions in force (the subscribers' after the data subjects'), each with what they were told. */
function subjectsCell(incident: Incident, lang: Lang, local: (iso: string) => string): string {
  const told = (s: SubjectsDecision) => (s.text ? `; ${TOLD_LABEL[lang].toLowerCase()}: "${s.text}"` : '');
  const subscribers = lang === 'nl' ? 'abonnees' : 'subscribers';
  return [
    ...(incident.subjects
      ? [
          `${subjectsLabel(lang, incident.subjects, local, enteredAtOf(incident, incident.subjects.at, incident.subjects.by, 'subjects-decided'))}${told(incident.subjects)}`,
        ]
      : []),
    ...(incident.subscribers
      ? [
          `${subscribers}: ${subscribersLabel(lang, incident.subscribers, local, enteredAtOf(incident, incident.subscribers.at, incident.subscribers.by, 'subscribers-decided'))}${told(incident.subscribers)}`,
        ]
      : []),
  ].join('; ');
}

/** The begin of the breach a person stated, beside the detection: when, before GuardDuty's detection or not, and how it is known; '' without one. */
function beganCell(incident: Incident, lang: Lang, local: (iso: string) => string): string {
  const f = incident.facts;
  const before = (at: string) => (beforeDetection(incident, at) ? ` (${BEFORE_DETECTION[lang]})` : '');
  const began = f?.startedAt
    ? `${lang === 'nl' ? 'begonnen' : 'began'} ${local(f.startedAt)}${before(f.startedAt)}${f.startedReason ? ` (${lang === 'nl' ? 'reden' : 'reason'}: ${f.startedReason})` : ''}`
    : '';
  // The end as stated (`facts --ended-at`), marked when before the detection as the begin is.
  const ended = f?.endedAt ? `${lang === 'nl' ? 'beëindigd' : 'ended'} ${local(f.endedAt)}${before(f.endedAt)}` : '';
  return [began, ended].filter(Boolean).join('; ');
}

export const REGISTER_COLUMNS: (keyof RegisterRow)[] = [
  'incidentId',
  'state',
  'sample',
  'detectedAt',
  'awareAt',
  'awareReason',
  'findingType',
  'severity',
  'resource',
  'account',
  'personalData',
  'risk',
  'notifiable',
  'decisionReason',
  'decidedBy',
  'decidedAt',
  'apDeadline',
  'apClock',
  'apReportedAt',
  'references',
  'delayReason',
  'subjectsDecision',
  'otherClocks',
  'nature',
  'categories',
  'specialCategories',
  'dataSubjects',
  'records',
  'consequences',
  'measuresTaken',
  'measuresProposed',
  'closedAt',
  'closeReason',
  // Added by issue #10, after the original columns so that scripts reading by position keep working.
  'role',
  'firstActivityAt',
  'awarenessMovedLater',
  'firstDecisionReason',
  'nis2Significant',
  'apClockStatus',
  'apReportRecordedAt',
  'apReportEnteredLater',
  'enteredLater',
  'subscribersDecision',
  'summary',
  'cause',
  'breachType',
  'endedAt',
  'otherParties',
  'overdueReason',
  // Added for review items 1 and 2 (findings after an assessment, activity after closing).
  'findingTypes',
  'reviewAsked',
  'followUpOf',
  'followUps',
  // Added for review items 3 and 4 (the AP verdict), after the others for the same reason.
  'awarenessEnteredLater',
  'enteredAfterDeadline',
  // Added for the second FG review (a withdrawal's reason), after the others for the same reason.
  'reportReasons',
  'factsUnknown',
  'afterClose',
  // Added for the third FG review (containment failed or released), after the others for the same reason.
  'containment',
  'containmentReason',
  // Added for the third FG review (a --now behind the machine's clock), after the others likewise.
  'statedClock',
  // Added for incidents linked rather than merged (review5 A3), after the others likewise.
  'linkedTo',
  // Added for review7 G2 ("no risk" confirmed beside special categories), after the others likewise.
  'noRiskBesideSpecial',
  // Added for review7 G20 (what the data subjects or subscribers were told), likewise.
  'subjectsText',
  'subscribersText',
  // Added for review7 G9 (closed before a telecom or NIS2 report), after the others likewise.
  'reportsPendingReason',
  // Added for review7 G17 (the hours the AP and processor clocks were counted with), likewise.
  'apDeadlineHours',
  'controllerHours',
  // Added for review7 G12 (an incident opened by hand, not by a finding), after the others likewise.
  'openedByHand',
  // Added for review7 G11 (the findings' personal data removed after the retention period), likewise.
  'findingsMinimised',
  // Added for Regulation 611/2013 art. 4(1) (the AP's agreement to the subscribers' exception), likewise.
  'subscribersApAgreement',
  // Added for review9 S5 (a hold keeping the findings past the retention period), likewise.
  'retentionHold',
  // Added for review10 S2 (closed while the AP held only the first phase of the notification), likewise.
  'apFollowUpReason',
  // Added for review7 G4 (an awareness before GuardDuty's detection, confirmed), likewise.
  'awareBeforeDetection',
  // Added for review7 Y15 (an NIS2 awareness of the significant incident of its own), likewise.
  'nis2AwareAt',
  // Added with apClockStatus's follow-up states (Art. 33(4)): the initial notification's own verdict, likewise.
  'apInitialStatus',
  // Added for review11 S3 (the begin of the breach as stated, and how it is known), likewise.
  'startedAt',
  'startedReason',
  'startedBeforeDetection',
  // Added for the end of the breach before GuardDuty's detection (d24fefa), marked as the begin is, likewise.
  'endedBeforeDetection',
  // Added for review12 S3 (an internal AP target shorter than the law's 72 hours, beside the law's deadline), likewise.
  'apInternalTarget',
  'apInternalTargetHours',
  'apInternalTargetMissed',
  // Added for read14a A5 (the notification the reason for no follow-up answers for), likewise.
  'apFollowUpReasonFor',
  // Added for fg26 item 1 (containment still planned beside the measures taken, at closing too), likewise.
  'stillPlanned',
  // Added for fgrole (session 27) item 4 (who recorded the FG's decisions on AWS), likewise.
  'fgDecisionsRecordedAs',
];

/**
 * `AP-z2026-01234 at 2026-11-28T08:00:00.000Z, recorded by FG`; for an exception for unintelligible
 * data recorded without it (a record from before it was asked), that the decision is not done; else null.
 */
function apAgreementText(s: SubjectsDecision | null | undefined): string | null {
  const a = s?.apAgreed;
  if (a) return `${a.reference} at ${a.at}, recorded by ${a.by}`;
  return subscribersWithoutAp(s) ? 'not recorded: the subscribers’ decision is not done (Regulation 611/2013 art. 4(1))' : null;
}

/** `1 finding record minimised at T by X, 180 days after closing`, or null. */
function minimisedText(incident: Incident): string | null {
  const m = incident.minimised;
  if (!m) return null;
  return `${m.findings} finding record${m.findings === 1 ? '' : 's'} minimised at ${m.at} by ${m.by}, ${m.afterDays} days after closing${againText(m, false, (iso) => iso)}${pseudonymText(incident, false)}`;
}

/** A minimisation again of records minimised before (fg20): said apart, as no retention period governs it. */
function againText(m: NonNullable<Incident['minimised']>, nl: boolean, local: (iso: string) => string): string {
  if (!m.again) return '';
  return nl
    ? `; opnieuw geminimaliseerd ${local(m.again.at)} (${m.again.by}: wat een eerdere minimalisatie liet staan)`
    : `; minimised again ${local(m.again.at)} (${m.again.by}: what an earlier minimise left)`;
}

/** The changes made with a stated clock, each with the machine's time: "assessed at T (entered T') by X". */
function statedClockText(incident: Incident): string {
  const listed = (incident.statedClock ?? []).map(
    (c) => `${c.entries.join(', ')} at ${c.at} (entered ${c.enteredAt}) by ${c.by}${c.incidentId ? ` on incident ${c.incidentId}, merged into this one` : ''}`,
  );
  const more = incident.statedClockNotListed ? [`and ${incident.statedClockNotListed} more`] : [];
  return [...listed, ...more].join('; ');
}

/** In the Markdown register: how many changes were recorded with a stated clock (the CSV and JSON list them). */
function statedClockNote(incident: Incident, nl: boolean): string {
  const n = (incident.statedClock?.length ?? 0) + (incident.statedClockNotListed ?? 0);
  if (!n) return '';
  return nl
    ? `; ${n} wijziging(en) met een opgegeven tijd (--now), niet de klok van de machine`
    : `; ${n} change(s) with a stated time (--now), not the machine's clock`;
}

/** A closed incident's assessment contradicted by facts recorded after closing (review7 Y14): marked in its after-close column until assessed again. */
function contradictedNow(incident: Incident): { en: string; nl: string }[] {
  return contradictedAfterClosing(incident) ? assessmentContradictions(incident) : [];
}
