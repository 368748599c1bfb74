/**
 * The FG's use cases: the assessment and the other decisions (Art. 33(1), (5); awareness, the
 * organisation's role, NIS2 significance), the Art. 33(3) facts, the reports to the AP (Art. 33(4):
 * in phases) and other recipients, the Art. 34 decision, and closing. Each is a function taking its
 * dependencies and a typed input, so the CLI and the web page call the same rules.
 *
 * What they guarantee: every decision is recorded with who, when and its own reason, in the
 * timeline and in the incident's decision history, never overwriting what came before; every time
 * a person states passes the rules of `stated-time.ts`; a request the law does not allow is a
 * `RefusedError` naming the rule and its article, and then nothing is written.
 */

import type { IncidentStore } from '../ports/incident-store.js';
import {
  apInternalTarget,
  apLegalDeadline,
  apVerdictReport,
  currentAwareness,
  deadlineDetail,
  delayReasons,
  initialReportLate,
  lateWithoutReasons,
  passedDeadlines,
} from './ap-verdict.js';
import { assessmentContradictions, noneAffected, personalDataNamed, specialUnconfirmed } from './assessment-contradictions.js';
import {
  type CarriedOutElsewhere,
  containmentNotCarriedOut,
  measuresTaken,
  missingForRegister,
  namesHealthData,
  notCarriedOutText,
  registerGaps,
  stillPlannedAtClose,
} from './breach-facts.js';
import { changeIncident, enteredAt, type TimelineDraft } from './change-incident.js';
import {
  apClockRunning,
  apFollowUpLeftAtClosing,
  apFollowUpOwed,
  apHours,
  apOwedUnderTelecom,
  type ClockName,
  clockDecisionsOpen,
  clocksInForce,
  clocksOf,
  clocksStoppedAfterDeadline,
  deadlineName,
  firstReport,
  NO_FOLLOW_UP_NOTE,
  nis2AwareAt,
  nis2AwarenessOfYes,
  nis2FinalChain,
  nis2ReportInForce,
  otherClockRunning,
  overdueClocks,
  processorHours,
  reportsKeptAfterClosing,
  reportsStillDue,
  riskFollowUpOwed,
  riskRaisedAfterReport,
  roleOf,
  subjectsDecisionNeeded,
  subscribersDecisionNeeded,
} from './clocks.js';
import { asReleased, containCommand } from './containment.js';
import { factsCarried, missingFactCli, missingFactItems } from './draft.js';
import { RefusedError } from './errors.js';
import { type JoinedType, joinedTypes, typeNames } from './finding-types.js';
import {
  type Assessment,
  type BreachFacts,
  type BreachType,
  type ClockMark,
  type Consequence,
  type Decision,
  emptyFacts,
  exposedInterfaces,
  findingTypesOfIncident,
  findingTypesSeen,
  followUpHint,
  type Harm,
  type HarmSeverity,
  type Incident,
  initialReport,
  type Nature,
  type OtherParty,
  type ReportRecipient,
  type ReportRecord,
  type Role,
  resourcesHeld,
  resourcesSeen,
  type SubjectsDecision,
  typeNotListedHash,
  typesSeen,
} from './incident.js';
import { exceptionLabel, type Lang, natureLabel, recipientLabel, reportKindLabel, riskLabel, yesNo } from './labels.js';
import { EXPOSED_RUNBOOK } from './messages.js';
import type { Policy } from './policy.js';
import { awarenessActedOn } from './record-finding.js';
import { closeHandingBack } from './release.js';
import { reviewPending } from './schedule.js';
import { keptSentText } from './sent-text.js';
import {
  BEFORE_DETECTION,
  beforeDetection,
  checkRecordingTime,
  checkStatedAfterAwareness,
  checkStatedBeforeDetection,
  checkStatedTime,
  enteredLater,
} from './stated-time.js';
import { givenText } from './text.js';
import { addHours, formatDuration, formatLocal, HOUR_MS, localWithInstant, toUtc } from './time.js';

export interface FgDeps {
  store: IncidentStore;
  policy: Policy;
  now: () => string;
  /** The machine's own clock, when `now` may be a person's stated one (the CLI's `personDeps` gives it): a release mark is judged by it. */
  machineNow?: () => string;
}

/**
 * A time in an English refusal, as the Dutch texts, `show` and the draft give it: in the policy's
 * zone, the ISO instant beside it (fg28 item 1); the ISO alone read an hour early in Amsterdam.
 */
function shownIn(iso: string | null | undefined, timeZone: string): string {
  return iso ? localWithInstant(iso, timeZone) : '';
}

/** A refusal with its Dutch words for the web page, which names the form's fields, never a flag. */
function refuse(en: string, nl: string): RefusedError {
  return new RefusedError(en, { page: { nl } });
}

function required(value: string | undefined, what: string, why = '', nl = 'Dit veld is verplicht.'): string {
  // A text that shows nothing (U+200B alone) is as empty as none (atk28 F10).
  const v = givenText(value);
  if (!v) throw refuse(`${what} is required${why}`, nl);
  return v;
}

function notClosed(incident: Incident): void {
  if (incident.state !== 'closed') return;
  const hint = followUpHint(incident);
  throw refuse(
    `incident ${incident.id} is closed; the register keeps it as it was closed (Art. 33(5))${hint.en}`,
    `Incident ${incident.id} is gesloten; het register bewaart het zoals het werd gesloten (AVG art. 33(5))${hint.nl}.`,
  );
}

/**
 * nis17 item 2: what a "no" leaves owed (readA16 A2, clocks.ts nis2OwedAfterNo), for its timeline
 * entry: the final report a notification owes (since when, due when) and the intermediate report the
 * CSIRT asked (due when), each not yet made. The "no" says it then, not only the clocks later.
 */
function nis2KeptByNo(draft: Incident, policy: Policy, now: string): Record<string, unknown> {
  const owed = clocksOf(draft, policy, now).filter(
    (c) => (c.name === 'nis2-final' || c.name === 'nis2-intermediate') && !c.doneAt && c.status !== 'not-needed',
  );
  if (!owed.length) return {};
  const final = owed.find((c) => c.name === 'nis2-final');
  const intermediate = owed.find((c) => c.name === 'nis2-intermediate');
  return {
    stillOwed: owed.map((c) => (c.name === 'nis2-final' ? 'final' : 'intermediate')),
    ...(final ? { finalOwedSince: final.startsAt, finalDueAt: final.dueAt } : {}),
    ...(intermediate ? { intermediateDueAt: intermediate.dueAt } : {}),
  };
}

/**
 * After closing, only information that follows to the AP (a follow-up, correction or withdrawal),
 * corrected facts, a changed assessment and an Art. 34 decision (the AP can require the
 * communication after reading the notification, Art. 34(4)) can be recorded (Art. 33(4)), each
 * with its reason; the incident stays closed, and its containment and clocks are not reopened,
 * except what an assessment after closing that says notifiable asks: the AP notification, with its
 * initial report, and the Art. 34 decision (core/clocks.ts `assessedAfterClosing`), and what a
 * significance under NIS2 decided after closing asks: its early warning and notification
 * (core/clocks.ts `nis2SignificantAfterClosing`).
 * Returns the reason.
 */
function afterCloseReason(incident: Incident, allowed: boolean, reason: string | null, timeZone: string): string {
  // Merged: the breach goes on in the survivor (one breach, one AP clock); the merged record holds nothing of the FG's.
  if (incident.mergedInto) {
    const at = incident.closedAt ?? incident.openedAt;
    throw refuse(
      `incident ${incident.id} was merged into ${incident.mergedInto} on ${shownIn(at, timeZone)}: the breach is recorded there, with its AP clock; record this on ${incident.mergedInto} (datalek show ${incident.mergedInto})`,
      `Incident ${incident.id} is samengevoegd met ${incident.mergedInto}: het datalek staat daar, met zijn termijn voor de AP; leg dit vast bij ${incident.mergedInto}.`,
    );
  }
  if (!allowed) notClosed(incident);
  if (!reason) {
    throw refuse(
      `incident ${incident.id} is closed: information that follows after closing (a follow-up, correction or withdrawal to the AP, the initial report of a breach assessed notifiable after closing, a corrected fact, a changed assessment, a significance under NIS2 learned after closing, an Art. 34 decision) is recorded with its reason (--reason) (Art. 33(4), (5))`,
      `Incident ${incident.id} is gesloten: informatie die na het sluiten volgt (een vervolgmelding, correctie of intrekking aan de AP, de eerste melding van een datalek dat na het sluiten meldplichtig is beoordeeld, een gecorrigeerd feit, een gewijzigde beoordeling, een significant incident onder NIS2 waarvan u na het sluiten hoort, een besluit over de betrokkenen) wordt vastgelegd met een reden ("Reden") (AVG art. 33(4), (5)).`,
    );
  }
  return reason;
}

/**
 * A changed assessment or an Art. 34 decision after closing needs the person to say they mean the
 * closed incident (`--after-close`, on the page a confirmation naming it and its closing date): one
 * run with a mistyped id would otherwise write an after-close change into another incident's
 * record. Given for an open incident, it is refused too: the person meant a closed one.
 */
function checkAfterCloseConfirmed(incident: Incident, confirmed: boolean | undefined, timeZone: string): void {
  const closed = incident.state === 'closed';
  if (closed && !confirmed) {
    const at = incident.closedAt ?? incident.openedAt;
    throw refuse(
      `incident ${incident.id} was closed on ${shownIn(at, timeZone)}: a change after closing is recorded only with --after-close, which says it is meant for this closed incident (Art. 33(4), (5)); check the incident id`,
      `Incident ${incident.id} is gesloten op ${formatLocal(at, timeZone)}: een wijziging na het sluiten wordt alleen vastgelegd als u bevestigt dat die voor dit gesloten incident bedoeld is ("Ik bevestig dat ik incident ${incident.id} … na het sluiten wijzig"); controleer het incidentnummer.`,
    );
  }
  if (!closed && confirmed) {
    throw refuse(
      `incident ${incident.id} is not closed: --after-close is for a change to a closed incident; check the incident id, or leave --after-close out`,
      `Incident ${incident.id} is niet gesloten: de bevestiging is voor een wijziging van een gesloten incident; controleer het incidentnummer.`,
    );
  }
}

/** Something recorded after closing, for the register's `afterClose` (Art. 33(4), (5)). */
function noteAfterClose(draft: Incident, now: string, by: string, what: string, reason: string): void {
  draft.afterClose = [...(draft.afterClose ?? []), { at: now, by, what, reason }];
}

const REASON_WHY = ': the register keeps the reasoning of every decision (Art. 33(5))';
const REASON_NL = 'Een motivering is verplicht: het register bewaart de motivering van elk besluit (AVG art. 33(5)).';
const BY_NL = 'Wie dit vastlegt is verplicht: elk besluit staat met naam in de tijdlijn.';

// --- assess ------------------------------------------------------------------------------------

export interface AssessInput {
  incidentId: string;
  /** Is personal data affected, and how great is the risk to the data subjects (Art. 33(1))? Given together. */
  personalData?: Assessment['personalData'];
  risk?: Assessment['risk'];
  /** The reasoning of this assessment (and of a role or NIS2 decision made with it). */
  reason?: string;
  by: string;
  /** When the organisation became aware; moving it moves the AP deadline and needs `awareReason`. */
  awareAt?: string;
  awareReason?: string;
  /** The reasons for the delay of a recorded initial AP report that this move of awareness makes late (Art. 33(1)). */
  delayReason?: string;
  /** The FG confirms `awareAt` although it moves the deadline later after the record held the AP notification overdue. */
  confirmStatedTime?: boolean;
  /** The organisation's role for this incident (Art. 33(2)). */
  actingAs?: Role;
  /** NIS2 art. 23(3): is the incident significant? Only then do the NIS2 clocks run. */
  nis2Significant?: boolean;
  /** The person means the closed incident (`--after-close`): required for a change after closing, refused on an open incident. */
  confirmAfterClose?: boolean;
  /** The CSIRT or competent authority asked for an intermediate report by this time (NIS2 art. 23(4)(c)). */
  nis2IntermediateDueAt?: string;
  /**
   * When the entity became aware of the significant incident (NIS2 art. 23(4)(a), (b)), with `reason`:
   * the NIS2 deadlines run from it; default the detection. Before the detection only confirmed.
   */
  nis2AwareAt?: string;
  /**
   * The FG confirms "no risk" beside special categories of personal data (or the BSN) not recorded
   * as unintelligible, with its own reason (`specialReason`), kept with the decision.
   */
  confirmSpecialCategories?: boolean;
  specialReason?: string;
  /**
   * From the command line, the finding types the person was shown: the token `show` printed
   * (`--seen`) or the types named (`--finding-types`); an assessment is refused when a type came
   * since, or, with neither, when the incident holds more than one type. Absent (the page, which
   * checks its own form): not checked.
   */
  seen?: { token?: string; types?: string[] };
}

/**
 * Records the FG's decisions on an incident. Primary course:
 * 1. Check the input on its own (pairs given together, reasons present, no contradiction).
 * 2. Awareness: a stated time in range, not after an earlier "personal data yes", with its own reason.
 * 3. Role, assessment, NIS2: each a decision in the history, with the timeline entry.
 */
export async function assess(deps: FgDeps, input: AssessInput): Promise<Incident> {
  const local = (iso: string) => formatLocal(iso, deps.policy.timeZone);
  const by = required(input.by, 'who assesses (--by)', '', BY_NL);
  const assessing = input.personalData !== undefined || input.risk !== undefined;
  if (assessing && (input.personalData === undefined || input.risk === undefined)) {
    throw refuse(
      '--personal-data and --risk go together: Art. 33(1) asks whether personal data is affected and how great the risk is',
      'Vul beide in: of persoonsgegevens zijn getroffen en hoe groot het risico is; AVG art. 33(1) vraagt naar allebei.',
    );
  }
  const nis2Deciding = input.nis2Significant !== undefined || input.nis2IntermediateDueAt !== undefined || input.nis2AwareAt !== undefined;
  const decides = assessing || input.actingAs !== undefined || nis2Deciding;
  if (!decides && input.awareAt === undefined) {
    throw refuse(
      'nothing to assess: give --personal-data and --risk, --aware-at, --acting-as, --nis2-significant, --nis2-aware-at or --nis2-intermediate-due',
      'Er is niets ingevuld om vast te leggen.',
    );
  }
  if (input.personalData === 'no' && input.risk !== 'none') {
    throw refuse(
      `--personal-data no with --risk ${input.risk} contradicts itself: without personal data there is no risk to data subjects to weigh (Art. 33(1)); say --risk none, or --personal-data unknown`,
      `"Geen persoonsgegevens" met "${riskLabel('nl', input.risk)}" spreekt zichzelf tegen: zonder persoonsgegevens is er geen risico voor betrokkenen te wegen (AVG art. 33(1)); kies "geen risico", of "onbekend" bij de persoonsgegevens.`,
    );
  }
  if (input.personalData === 'unknown' && input.risk === 'none') {
    throw refuse(
      '--personal-data unknown with --risk none contradicts itself: "unlikely to result in a risk" is a conclusion about personal data, and cannot be drawn while it is unknown whether any is affected; unknown counts as notifiable (Art. 33(1)): give the risk as far as it can be judged, or --personal-data no when none is affected',
      '"Persoonsgegevens onbekend" met "geen risico" spreekt zichzelf tegen: dat er waarschijnlijk geen risico is, is een conclusie over persoonsgegevens, en die kan niet worden getrokken zolang onbekend is of ze getroffen zijn; onbekend telt als meldplichtig (AVG art. 33(1)): kies het risico zo goed als het te beoordelen is, of "nee" bij de persoonsgegevens als er geen getroffen zijn.',
    );
  }
  const reason = decides ? required(input.reason, 'a reason (--reason)', REASON_WHY, REASON_NL) : '';
  const specialReason = checkSpecialConfirmationInput(input);
  const awareReason = input.awareReason?.trim() ?? '';
  if (input.awareAt !== undefined && !awareReason) {
    throw refuse(
      'moving the moment of awareness needs its own reason (--aware-reason): the register keeps why the 72 hours start when they do (Art. 33(1), EDPB Guidelines 9/2022)',
      'Een ander moment van bewustwording heeft een eigen reden nodig ("Waarom dit bewustwordingsmoment"): het register bewaart waarom de 72 uur beginnen wanneer ze beginnen (AVG art. 33(1), EDPB-richtsnoeren 9/2022).',
    );
  }
  const delayReason = givenText(input.delayReason);
  if (delayReason && input.awareAt === undefined) {
    throw refuse(
      '--delay-reason with assess belongs to a move of awareness (--aware-at) that makes the initial AP report late; the reasons for a report late already go with a follow-up or correction (datalek reported --kind follow-up --delay-reason) (Art. 33(1))',
      'Een reden voor vertraging hoort hier bij een ander bewustwordingsmoment dat de eerste melding aan de AP te laat maakt; redenen voor een melding die al te laat is, legt u vast met een vervolgmelding of correctie bij "Melding vastleggen" (AVG art. 33(1)).',
    );
  }
  // Types named past the 100 the record lists are known by the incident's findings (core/finding-types.ts, fg15).
  const joined = assessing && input.seen?.types?.length ? await joinedTypes(deps.store, input.incidentId) : [];
  const { incident } = await changeIncident(deps, input.incidentId, (draft) => {
    // The incident's NIS2 clocks (recorded under them) or the policy's now (law27): a decision on an incident whose clocks run is never refused.
    if (nis2Deciding && !clockDecisionsOpen(draft, deps.policy, 'nis2')) {
      throw refuse(
        'the policy runs no NIS2 clocks (clocks.nis2): a significance decision under NIS2 art. 23(3) has nothing to start',
        'Het beleid laat geen NIS2-termijnen lopen: een besluit over een significant incident (NIS2 art. 23(3)) heeft hier geen gevolg.',
      );
    }
    // After closing, only the assessment itself and what NIS2 asks after closing: a significance
    // learned then (its awareness with it), taken back when that "yes" was itself after closing, and
    // the CSIRT's request for an intermediate report; a role would reopen a clock. A move of
    // awareness only with an assessment that makes the breach notifiable: the AP clock it reopens
    // starts when the organisation became aware of that (Art. 33(1)), not at an old detection.
    const afterClose = draft.state === 'closed';
    const nis2Now = afterClose ? nis2AfterClose(draft, input) : NO_NIS2_AFTER_CLOSE;
    if (afterClose) nis2AfterCloseRefusal(draft, input, nis2Now);
    if (nis2Now.takenBack) nis2OwedRefusal(draft, deps.policy.timeZone);
    if (afterClose) afterCloseReason(draft, (assessing || nis2Taken(nis2Now)) && !decidesMoreThanAssessment(input, nis2Now), reason, deps.policy.timeZone);
    checkAfterCloseConfirmed(draft, input.confirmAfterClose, deps.policy.timeZone);
    if (assessing && input.seen) checkTypesSeen(draft, input.seen, joined, deps.policy.timeZone);
    const now = deps.now();
    checkRecordingTime(draft, now, 'the assessment', deps.policy.timeZone);
    const decisions = history(draft);
    // As it was, to tell which clocks the record held overdue these decisions stop (core/clocks.ts).
    const before = structuredClone(draft);
    const firstNew = decisions.length;
    const entries: TimelineDraft[] = [];
    if (input.awareAt !== undefined) {
      const move = { stated: input.awareAt, reason: awareReason, delayReason, confirmed: input.confirmStatedTime === true };
      const moved = moveAwareness(deps, draft, move, by, now, input.personalData === 'yes');
      entries.push(...moved);
      if (afterClose && moved.length) noteAfterClose(draft, now, by, `awareness ${draft.awareAt}`, awareReason);
    }
    if (input.actingAs !== undefined) {
      const ending = input.actingAs === 'processor' && roleOf(draft, deps.policy) === 'controller';
      const passed = ending ? endsDutyAfterDeadline(deps, draft, 'controller', input.confirmStatedTime === true, 'processor') : null;
      decisions.push({ kind: 'role', role: input.actingAs, reason, by, recordedAt: now, ...(passed ? { enteredAfterDeadline: passed } : {}) });
      // Its clock to tell the controller begins: by the contract hours in force now (as `deadlineHours`), said in its entry (verify holds the record to it, tl28a).
      const hoursNow = input.actingAs === 'processor' && draft.controllerHours === undefined ? { controllerHours: processorHours(deps.policy) } : {};
      entries.push({ at: now, kind: 'role-set', actor: by, detail: { from: roleOf(draft, deps.policy), to: input.actingAs, reason, ...hoursNow } });
      draft.role = input.actingAs;
      Object.assign(draft, hoursNow);
    }
    if (assessing) {
      const personalData = input.personalData as Assessment['personalData'];
      const risk = input.risk as Assessment['risk'];
      const confirmed = checkAssessmentAgainstFacts(deps, draft, personalData, risk, specialReason);
      // "Unknown" is notifiable: without certainty, the conservative reading applies (unknown with
      // risk "none" is refused above: no risk cannot be concluded about data not known to be there).
      const notifiable = personalData !== 'no' && risk !== 'none';
      const role = roleOf(draft, deps.policy);
      const ending = !notifiable && draft.assessment?.notifiable !== false && role === 'controller';
      const passed = ending ? endsDutyAfterDeadline(deps, draft, role, input.confirmStatedTime === true, 'not-notifiable') : null;
      const besideSpecial = confirmed ? { confirmedBesideSpecial: confirmed } : {};
      draft.assessment = { personalData, risk, reason, by, at: now, notifiable, ...(afterClose ? { afterClose: true as const } : {}), ...besideSpecial };
      decisions.push({
        kind: 'assessment',
        personalData,
        risk,
        notifiable,
        reason,
        by,
        recordedAt: now,
        ...(passed ? { enteredAfterDeadline: passed } : {}),
        ...besideSpecial,
      });
      draft.facts ??= emptyFacts();
      if (draft.state === 'open' || draft.state === 'acknowledged') draft.state = 'assessed';
      // Art. 34(1): "not required" rested on a risk that was not high. A high risk now sets it
      // aside (it stays in the history): the data subjects must be informed, or an exception of
      // Art. 34(3) recorded, before the incident can close.
      // The subscribers' "not required" likewise (Regulation 611/2013 art. 3(1), (2): a lower bar than high risk).
      const setAside = risk === 'high' && draft.subjects?.decision === 'not-required' ? draft.subjects : null;
      if (setAside) draft.subjects = null;
      const subscribersSetAside = risk === 'high' && draft.subscribers?.decision === 'not-required' ? draft.subscribers : null;
      if (subscribersSetAside) draft.subscribers = null;
      entries.push({
        at: now,
        kind: 'assessed',
        actor: by,
        detail: {
          personalData,
          risk,
          notifiable,
          reason,
          ...deadlineDetail(draft),
          ...besideSpecial,
          ...(setAside ? { subjectsDecisionSetAside: setAside } : {}),
          ...(subscribersSetAside ? { subscribersDecisionSetAside: subscribersSetAside } : {}),
          ...(afterClose ? { afterClose } : {}),
        },
      });
      if (afterClose) noteAfterClose(draft, now, by, `assessment personal data ${personalData}, risk ${risk}`, reason);
    }
    if (input.nis2Significant !== undefined) {
      // Decided after closing: marked, so its early warning and notification run on the closed incident (core/clocks.ts
      // nis2SignificantAfterClosing); taken back, marked too, and both stay in the decisions and the register's afterClose.
      const marked = afterClose ? { afterClose: true as const } : {};
      // A request for an intermediate report the CSIRT made (art. 23(4)(c)) stays owed through a "no"
      // on the open incident until it is reported (readA16 A2, clocks.ts nis2OwedAfterNo), and so
      // through a later "yes"; one already reported, or one a "no" after closing meets (refused while
      // owed, nis2OwedRefusal), ends (said in its entry; the request stays in the decisions).
      const asked = draft.nis2?.intermediateDueAt ?? null;
      const reported = clocksOf(draft, deps.policy, now).some((c) => c.name === 'nis2-intermediate' && c.doneAt);
      const intermediateDueAt = asked && (input.nis2Significant || (!afterClose && !reported)) ? asked : null;
      const ended = asked && !intermediateDueAt ? { intermediateRequestEnded: asked } : {};
      // The awareness given with (or after) the "yes" taken back is that "yes"'s: ended with it (fgsec16 S4).
      const awareness = input.nis2Significant ? {} : endNis2AwarenessOfYes(draft);
      draft.nis2 = { significant: input.nis2Significant, reason, by, at: now, intermediateDueAt, ...marked };
      decisions.push({ kind: 'nis2-significance', significant: input.nis2Significant, reason, by, recordedAt: now });
      const kept = input.nis2Significant ? {} : nis2KeptByNo(draft, deps.policy, now);
      entries.push({
        at: now,
        kind: 'nis2-decided',
        actor: by,
        detail: { significant: input.nis2Significant, ...kept, reason, ...ended, ...awareness, ...marked },
      });
      if (afterClose) noteAfterClose(draft, now, by, `NIS2 ${input.nis2Significant ? '' : 'not '}significant (art. 23(3))`, reason);
    }
    if (input.nis2IntermediateDueAt !== undefined) {
      if (!draft.nis2?.significant) {
        throw refuse(
          'an intermediate report is asked only of a significant incident (NIS2 art. 23(4)(c)): decide --nis2-significant yes first',
          'Een tussentijds verslag wordt alleen gevraagd bij een significant incident (NIS2 art. 23(4)(c)): besluit eerst dat het incident significant is.',
        );
      }
      const dueAt = toUtc(input.nis2IntermediateDueAt);
      if (dueAt < now)
        throw refuse(
          `--nis2-intermediate-due ${shownIn(dueAt, deps.policy.timeZone)} lies before now (${shownIn(now, deps.policy.timeZone)}): a request is for a report still to come (NIS2 art. 23(4)(c))`,
          `De gevraagde datum voor het tussentijds verslag (${local(dueAt)}) ligt vóór nu (${local(now)}): een verzoek gaat over een verslag dat nog moet komen (NIS2 art. 23(4)(c)).`,
        );
      draft.nis2 = { ...draft.nis2, intermediateDueAt: dueAt };
      decisions.push({ kind: 'nis2-intermediate-request', dueAt, reason, by, recordedAt: now });
      entries.push({ at: now, kind: 'nis2-intermediate-requested', actor: by, detail: { dueAt, reason, ...(afterClose ? { afterClose } : {}) } });
      // After closing its clock runs on the closed incident until the report (core/clocks.ts KEPT_AFTER_CLOSING).
      if (afterClose) noteAfterClose(draft, now, by, 'NIS2 intermediate report requested (art. 23(4)(c))', reason);
    }
    if (input.nis2AwareAt !== undefined) {
      const move = { stated: input.nis2AwareAt, reason, delayReason: null, confirmed: input.confirmStatedTime === true };
      const moved = moveNis2Awareness(deps, draft, move, by, now);
      if (nis2Now.awarenessCorrected && moved.length) {
        for (const e of moved) e.detail = { ...e.detail, afterClose: true };
        noteAfterClose(draft, now, by, 'NIS2 awareness (art. 23(4)(a))', reason);
      }
      entries.push(...moved);
    }
    // The other clocks' rule, as the AP's above: a decision that stops one the record held overdue
    // (moves its deadline later, or ends it) is confirmed by the FG and marked, naming the clock.
    // Judged at the moment it is entered: the machine's clock behind a stated --now (atk28 F16).
    const entered = enteredAt(deps);
    const stopped = clocksStoppedAfterDeadline(before, draft, deps.policy, entered);
    if (stopped.length && !input.confirmStatedTime) throw clockPassedRefusal(stopped, entered, deps.policy.timeZone);
    if (stopped.length) for (const d of decisions.slice(firstNew)) d.clocksEnteredAfterDeadline = stopped;
    return { entries };
  });
  return incident;
}

// --- the assessment against the facts -----------------------------------------------------------

/** For the page: the special categories an assessment of "no risk" would need confirmed now. */
export function specialCategoriesToConfirm(incident: Incident): string[] {
  return specialUnconfirmed(incident.facts ?? emptyFacts(), { personalData: 'yes', risk: 'none' });
}

/** `--confirm-special-categories` and its `--special-reason` go together, and only with "no risk" beside personal data. Returns the reason. */
function checkSpecialConfirmationInput(input: AssessInput): string | null {
  const specialReason = givenText(input.specialReason);
  if (!input.confirmSpecialCategories && !specialReason) return null;
  if (input.personalData !== 'yes' || input.risk !== 'none') {
    throw refuse(
      '--confirm-special-categories confirms "no risk" (--personal-data yes --risk none) beside special categories of personal data (Art. 9(1), 33(1)); this assessment says otherwise: leave it and --special-reason out',
      'De bevestiging hoort bij "geen risico" naast bijzondere persoonsgegevens (AVG art. 9(1), 33(1)); deze beoordeling zegt iets anders: laat de bevestiging en haar reden leeg.',
    );
  }
  if (!input.confirmSpecialCategories || !specialReason) {
    throw refuse(
      '--confirm-special-categories and --special-reason go together: the confirmation of "no risk" beside special categories of personal data is kept with its own reason (Art. 9(1), 33(1), (5))',
      'De bevestiging van "geen risico" naast bijzondere persoonsgegevens en de reden daarvoor horen bij elkaar: het register bewaart de bevestiging met haar eigen reden (AVG art. 9(1), 33(1), (5)).',
    );
  }
  return specialReason;
}

/**
 * The assessment must fit the facts on record (Art. 33(5)): "no personal data" is refused while
 * they name personal data, and "no risk" beside special categories not unintelligible needs the
 * FG's confirmation with its reason (refused when there is nothing to confirm). Returns what the
 * confirmation covers, to keep with the decision.
 */
function checkAssessmentAgainstFacts(
  deps: FgDeps,
  draft: Incident,
  personalData: Assessment['personalData'],
  risk: Assessment['risk'],
  specialReason: string | null,
): Assessment['confirmedBesideSpecial'] | null {
  const facts = draft.facts ?? emptyFacts();
  const named = personalData === 'no' ? personalDataNamed(facts) : [];
  if (named.length) {
    throw refuse(
      `--personal-data no contradicts the facts on record, which name personal data: ${named.map((n) => n.en).join('; ')} (Art. 4(1), 33(1), (5)): assess --personal-data yes or unknown, or correct those facts first (datalek facts ${draft.id})`,
      `"Geen persoonsgegevens getroffen" spreekt de vastgelegde feiten tegen, die persoonsgegevens noemen: ${named.map((n) => n.nl).join('; ')} (AVG art. 4(1), 33(1), (5)): kies "ja" of "onbekend", of corrigeer eerst die feiten.`,
    );
  }
  const none = personalData === 'yes' ? noneAffected(facts) : [];
  if (none.length) throw noneAffectedRefusal(none, null, 'assess');
  const special = specialUnconfirmed(facts, { personalData, risk });
  const unintelligible = facts.unintelligible ?? 'not recorded';
  if (special.length && !specialReason) {
    const local = (iso: string) => formatLocal(iso, deps.policy.timeZone);
    throw refuse(
      `incident ${draft.id}: --risk none ("unlikely to result in a risk", Art. 33(1)) beside special categories of personal data (${special.join(', ')}; Art. 9(1), the BSN UAVG art. 46), not recorded as unintelligible (--unintelligible ${unintelligible}): EDPB Guidelines 9/2022 hold such a breach likely to result in a risk, typically high; assess the risk again (datalek assess ${draft.id} --personal-data yes --risk risk|high --reason TEXT), or confirm "no risk" explicitly with its own reason, kept with the decision and marked in the register (datalek assess ${draft.id} --personal-data yes --risk none --confirm-special-categories --special-reason TEXT --reason TEXT); nothing was recorded`,
      `"Geen risico" (AVG art. 33(1)) naast bijzondere persoonsgegevens (${special.join(', ')}; AVG art. 9(1), het BSN UAVG art. 46) die niet als onbegrijpelijk zijn vastgelegd${facts.unintelligible ? ` ("${yesNo('nl', facts.unintelligible)}")` : ''}: volgens de EDPB-richtsnoeren 9/2022 leidt zo'n datalek waarschijnlijk tot een risico, meestal een hoog risico. Beoordeel het risico opnieuw, of bevestig "geen risico" uitdrukkelijk met een eigen reden ("Waarom geen risico ondanks bijzondere persoonsgegevens"); het register markeert het besluit${draft.facts?.updatedAt ? ` (feiten van ${local(draft.facts.updatedAt)})` : ''}.`,
    );
  }
  if (!special.length && specialReason) {
    throw refuse(
      `--confirm-special-categories given, but the facts on record name no special categories of personal data beside "no risk" that are not unintelligible (unintelligible: ${unintelligible}): there is nothing to confirm; leave it and --special-reason out (Art. 9(1), 33(1))`,
      'Er is een bevestiging van "geen risico" naast bijzondere persoonsgegevens ingevuld, maar de vastgelegde feiten noemen geen bijzondere persoonsgegevens die niet onbegrijpelijk zijn: er is niets te bevestigen; laat de bevestiging leeg (AVG art. 9(1), 33(1)).',
    );
  }
  return specialReason ? { categories: special, unintelligible: facts.unintelligible, reason: specialReason } : null;
}

/**
 * The refusal of facts that state nobody and nothing affected beside "personal data: yes" (`facts`:
 * the facts given under that assessment; `assess`: that assessment over such facts). Nothing is recorded.
 */
function noneAffectedRefusal(none: { en: string; nl: string }[], a: Assessment | null, refused: 'facts' | 'assess'): RefusedError {
  const en = none.map((n) => n.en).join('; ');
  const nl = none.map((n) => n.nl).join('; ');
  const way =
    'give the approximate numbers (Art. 33(3)(a)); leave a number not yet known out (datalek facts --complete --unknown-reason TEXT says why when the rest is complete); if no personal data was affected after all, correct the facts and assess again';
  if (refused === 'facts' && a) {
    return refuse(
      `${en}: the assessment in force (${a.at}, by ${a.by}) says personal data is affected, a risk to natural persons (Art. 33(1), 34(1)), and such a breach affects at least one data subject and one record: ${way}; nothing was recorded`,
      `${nl}: de geldende beoordeling zegt dat persoonsgegevens getroffen zijn, een risico voor natuurlijke personen (AVG art. 33(1), 34(1)); zo'n datalek treft ten minste één betrokkene en één record. Geef de aantallen bij benadering (art. 33(3)(a)); laat een aantal dat nog niet bekend is leeg; zijn er toch geen persoonsgegevens getroffen, corrigeer dan de feiten en beoordeel opnieuw. Er is niets vastgelegd.`,
    );
  }
  return refuse(
    `--personal-data yes contradicts the facts on record, which state ${en} (Art. 33(1), 34(1): a breach of personal data affects at least one data subject and one record): correct those facts first (datalek facts), or assess --personal-data unknown while the numbers are not known; nothing was recorded`,
    `"Persoonsgegevens getroffen" spreekt de vastgelegde feiten tegen: ${nl} (AVG art. 33(1), 34(1): zo'n datalek treft ten minste één betrokkene en één record). Corrigeer eerst die feiten, of kies "onbekend" zolang de aantallen niet bekend zijn. Er is niets vastgelegd.`,
  );
}

/**
 * Whether an assess call decides more than the assessment (a role, NIS2, or an awareness without an
 * assessment that makes the breach notifiable): not taken after closing. The NIS2 decisions
 * `nis2AfterClose` takes after closing are not "more": a significance learned then, with the NIS2
 * awareness its deadlines run from, or taken back, and a request for an intermediate report.
 */
function decidesMoreThanAssessment(input: AssessInput, nis2: Nis2AfterClose): boolean {
  const notifiable = input.personalData !== 'no' && input.risk !== 'none';
  const assessing = input.personalData !== undefined;
  return (
    (input.awareAt !== undefined && (!assessing || !notifiable)) ||
    input.actingAs !== undefined ||
    (input.nis2Significant !== undefined && !nis2.learned && !nis2.takenBack) ||
    (input.nis2AwareAt !== undefined && !nis2.learned && !nis2.awarenessCorrected)
  );
}

/** What of an assess call NIS2 asks after closing (`nis2AfterClose`). */
interface Nis2AfterClose {
  /** "Yes" on an incident not significant in force (`nis2SignificantLearned`). */
  learned: boolean;
  /** "No" on a significance itself decided after closing (`nis2SignificanceTakenBack`). */
  takenBack: boolean;
  /** The NIS2 awareness of a significance decided after closing, in a later call (`nis2AwarenessCorrected`). */
  awarenessCorrected: boolean;
  /** The CSIRT's or authority's request for an intermediate report (art. 23(4)(c)); whether the incident is significant is checked with it. */
  intermediate: boolean;
}

const NO_NIS2_AFTER_CLOSE: Nis2AfterClose = { learned: false, takenBack: false, awarenessCorrected: false, intermediate: false };

function nis2AfterClose(incident: Incident, input: AssessInput): Nis2AfterClose {
  return {
    learned: nis2SignificantLearned(incident, input),
    takenBack: nis2SignificanceTakenBack(incident, input),
    awarenessCorrected: nis2AwarenessCorrected(incident, input),
    intermediate: input.nis2IntermediateDueAt !== undefined,
  };
}

function nis2Taken(nis2: Nis2AfterClose): boolean {
  return nis2.learned || nis2.takenBack || nis2.awarenessCorrected || nis2.intermediate;
}

/**
 * "Not significant" after closing, on a significance itself decided after closing (fgsec15 S2,
 * attack15 K5): the only NIS2 clocks it ends are those that "yes" started (closing left none running),
 * so a "yes" given in error, or one the CSIRT reads otherwise, is taken back with its reason; the
 * decisions keep both. A significance decided before closing stays: "no" would end clocks closing
 * left running (its final report, art. 23(4)(d)).
 */
function nis2SignificanceTakenBack(incident: Incident, input: AssessInput): boolean {
  return input.nis2Significant === false && incident.nis2?.significant === true && incident.nis2.afterClose === true;
}

/**
 * The NIS2 awareness of a significance decided after closing, corrected in a later call (read14a A3):
 * left out with the decision, it is the detection, days or weeks back, and the early warning reads
 * overdue from it (art. 23(4)(a): 24 hours from becoming aware of the significant incident). Taken
 * alone (no other decision in the call), under `moveNis2Awareness`'s checks, as on an open incident.
 */
function nis2AwarenessCorrected(incident: Incident, input: AssessInput): boolean {
  return input.nis2AwareAt !== undefined && input.nis2Significant === undefined && incident.nis2?.significant === true && incident.nis2.afterClose === true;
}

/** A NIS2 decision after closing that is not taken, refused with its reason rather than "closed" alone. */
function nis2AfterCloseRefusal(incident: Incident, input: AssessInput, nis2: Nis2AfterClose): void {
  if (nis2.learned || nis2.takenBack || nis2.awarenessCorrected || incident.mergedInto) return;
  if (input.nis2Significant !== undefined) {
    // Nothing new: the decision in force says so already; else "no" on a significance decided before closing.
    const same = input.nis2Significant === (incident.nis2?.significant === true);
    const yes = input.nis2Significant;
    throw refuse(
      `incident ${incident.id} is closed: after closing, a significance under NIS2 is taken as learned then ("yes" on an incident not significant, NIS2 art. 23(3)), or taken back ("no") when that "yes" was itself given after closing; "${yes ? 'yes' : 'no'}" would ${same ? 'decide nothing new' : 'end the NIS2 clocks closing left running'}`,
      `Incident ${incident.id} is gesloten: na het sluiten wordt vastgelegd dat het incident alsnog significant is onder NIS2 (art. 23(3)), of dat het toch niet significant is als dat "ja" zelf na het sluiten is gegeven; ${same ? `"${yes ? 'ja' : 'nee'}" besluit niets nieuws` : '"nee" zou de NIS2-termijnen beëindigen die bij het sluiten bleven lopen'}.`,
    );
  }
  if (input.nis2AwareAt !== undefined && input.nis2Significant === undefined) {
    throw refuse(
      `incident ${incident.id} is closed: after closing, --nis2-aware-at is taken only for a significance under NIS2 decided after closing (with it, or in a later call); this incident's ${incident.nis2?.significant ? 'was decided before closing' : 'is not decided significant'} (NIS2 art. 23(4)(a), Art. 33(5))`,
      `Incident ${incident.id} is gesloten: na het sluiten wordt het NIS2-bewustwordingsmoment alleen vastgelegd bij een significantie onder NIS2 waartoe na het sluiten is besloten; ${incident.nis2?.significant ? 'die van dit incident is vóór het sluiten besloten' : 'dit incident is niet significant bevonden'} (NIS2 art. 23(4)(a), AVG art. 33(5)).`,
    );
  }
}

/**
 * What went to the CSIRT or the authority, or was asked by them, since the NIS2 "yes" in force
 * (`nis2.at`), each named (en, nl), or null when nothing: what a "no" after closing would end
 * (`nis2OwedRefusal`), and why the closed page does not offer that "no" (web/action-forms.ts).
 */
export function nis2OwedSinceYes(incident: Incident, timeZone: string): { since: string; en: string[]; nl: string[] } | null {
  const since = incident.nis2?.at ?? '';
  const made = (incident.reports ?? []).filter((r) => (r.to === 'csirt' || r.to === 'authority') && r.recordedAt >= since);
  const asked = (incident.decisions ?? []).flatMap((d) => (d.kind === 'nis2-intermediate-request' && d.recordedAt >= since ? [d.dueAt] : []));
  if (!made.length && !asked.length) return null;
  const local = (iso: string) => formatLocal(iso, timeZone);
  return {
    since,
    en: [
      ...made.map((r) => `the ${reportKindLabel('en', r.kind)} ${r.reference} to the ${recipientLabel('en', r.to)}`),
      ...asked.map((due) => `the request for an intermediate report by ${due}`),
    ],
    nl: [
      ...made.map((r) => `${reportKindLabel('nl', r.kind)} ${r.reference} aan ${recipientLabel('nl', r.to)}`),
      ...asked.map((due) => `het verzoek om een tussentijds verslag uiterlijk ${local(due)}`),
    ],
  };
}

/**
 * lfd15 (readD15 D1): "no" after closing on a "yes" itself given after closing, once a NIS2 report
 * went to the CSIRT or the authority since that "yes", or either asked for an intermediate report:
 * those reports are owed because of what was submitted and asked (the final report a notification
 * owes, the intermediate report asked, art. 23(4)(c), (d)), not because of when the "yes" was given.
 * Refused as the "no" on a significance decided before closing is, naming what is owed and how on.
 */
function nis2OwedRefusal(incident: Incident, timeZone: string): void {
  const owed = nis2OwedSinceYes(incident, timeZone);
  if (!owed) return;
  const { since, en, nl } = owed;
  const local = (iso: string) => formatLocal(iso, timeZone);
  throw refuse(
    `incident ${incident.id} is closed: "no" would end the NIS2 reports owed since the "yes" of ${shownIn(since, timeZone)}, because of ${en.join(', ')}: what they hold the entity to stays owed (the incident notification after an early warning, the intermediate report asked, the final report after a notification; NIS2 art. 23(4)(b)-(d)); record those reports after closing (datalek reported ID --recipient csirt --kind intermediate|final --reason TEXT) and, if the incident proves not significant, say so in them`,
    `Incident ${incident.id} is gesloten: "nee" zou de NIS2-verslagen beëindigen die sinds het "ja" van ${local(since)} verschuldigd zijn, vanwege ${nl.join(', ')}: wat die van de entiteit vragen blijft verschuldigd (de incidentmelding na een vroegtijdige waarschuwing, het gevraagde tussentijds verslag, het eindverslag na een melding; NIS2 art. 23(4)(b)-(d)). Legt u die verslagen na het sluiten vast bij "Na het sluiten: melding onder NIS2" en vermeldt u daarin dat het incident toch niet significant is, als dat zo blijkt.`,
  );
}

/**
 * An FG who learns after closing that the incident was significant under NIS2 (art. 23(3)) records
 * it after closing: "yes" on an incident not significant in force. Its early warning and
 * notification then run on the closed incident (core/clocks.ts nis2SignificantAfterClosing). "No"
 * is taken only on such a "yes" (`nis2SignificanceTakenBack`), and a second "yes" decides nothing new.
 */
function nis2SignificantLearned(incident: Incident, input: AssessInput): boolean {
  return input.nis2Significant === true && incident.nis2?.significant !== true;
}

/**
 * A decision that ends the AP duty (the organisation declared processor, or the breach assessed
 * not notifiable) entered after an AP deadline had passed with no report: the record held the
 * notification overdue, and datalek's overdue reminders were due. As with a time stated after the
 * deadline (`checkMoveAgainstVerdict`), the FG confirms it, and it is marked. Returns that deadline.
 */
function endsDutyAfterDeadline(deps: FgDeps, draft: Incident, role: Role, confirmed: boolean, what: 'processor' | 'not-notifiable'): string | null {
  // Entered at the machine's clock behind a stated --now (atk28 F16).
  const entered = enteredAt(deps);
  const passed = passedDeadlines(draft, role, entered)[0];
  if (!passed) return null;
  if (!confirmed) {
    const local = (iso: string) => formatLocal(iso, deps.policy.timeZone);
    const en = what === 'processor' ? 'declaring the organisation processor (--acting-as processor)' : 'assessing the breach as not notifiable';
    const nl = what === 'processor' ? 'De rol "verwerker"' : 'De beoordeling "niet meldplichtig"';
    throw refuse(
      `${en} makes the AP notification not needed, but it is entered at ${shownIn(entered, deps.policy.timeZone)}, after the AP deadline of ${shownIn(passed.deadline, deps.policy.timeZone)} had passed: the record held the notification overdue from ${shownIn(passed.overdueFrom, deps.policy.timeZone)}, and datalek's overdue reminders were due from then; the record will mark it entered after the deadline: confirm it with --confirm-stated-time (Art. 33(1), (5))`,
      `${nl} maakt de melding aan de AP overbodig, maar wordt vastgelegd op ${local(entered)}, nadat de termijn van ${local(passed.deadline)} al verstreken was: het dossier toont de melding als te laat sinds ${local(passed.overdueFrom)}, en datalek herinnerde daar vanaf toen aan. Het dossier markeert dit besluit als ingevoerd na het verstrijken van de termijn: bevestig het ("Ik bevestig het opgegeven tijdstip") (AVG art. 33(1), (5)).`,
    );
  }
  return passed.deadline;
}

/** The incident's decision history, started from its one assessment when it was stored before the history existed. */
function history(incident: Incident): Decision[] {
  if (!incident.decisions) incident.decisions = legacyDecisions(incident);
  return incident.decisions;
}

/** The decisions of an incident stored before the history existed: its one assessment, as recorded. */
function legacyDecisions(incident: Incident): Decision[] {
  const a = incident.assessment;
  return a ? [{ kind: 'assessment', personalData: a.personalData, risk: a.risk, notifiable: a.notifiable, reason: a.reason, by: a.by, recordedAt: a.at }] : [];
}

/** When an assessment first recorded personal data as affected: the organisation was aware by then. */
function firstPersonalDataYes(incident: Incident): string | null {
  const d = (incident.decisions ?? []).find((x) => x.kind === 'assessment' && x.personalData === 'yes');
  return d?.recordedAt ?? null;
}

/**
 * The earliest time stated for telling someone of the breach: a report to the AP or the controller,
 * or a communication to the data subjects or subscribers. Nobody tells of a breach they are not
 * aware of: awareness lies at or before it.
 */
function firstCommunication(incident: Incident): { at: string; what: { en: string; nl: string } } | null {
  const told = [
    ...(incident.reports ?? [])
      .filter((r) => r.to === 'ap' || r.to === 'controller')
      .map((r) => ({
        at: r.at,
        what:
          r.to === 'ap'
            ? { en: `the AP was notified (${r.kind} ${r.reference})`, nl: `De AP is gemeld (${r.kind} ${r.reference})` }
            : {
                en: `the controller was informed (${r.kind} ${r.reference})`,
                nl: `De verwerkingsverantwoordelijke is geïnformeerd (${r.kind} ${r.reference})`,
              },
      })),
    ...(incident.decisions ?? []).flatMap((d) =>
      d.kind === 'subjects' && d.date
        ? [
            {
              at: d.date,
              what:
                d.audience === 'subscribers'
                  ? { en: 'the subscribers were informed', nl: 'De abonnees zijn geïnformeerd' }
                  : { en: 'the data subjects were informed', nl: 'De betrokkenen zijn geïnformeerd' },
            },
          ]
        : [],
    ),
  ];
  return told.sort((a, b) => a.at.localeCompare(b.at))[0] ?? null;
}

interface AwarenessMove {
  stated: string;
  reason: string;
  delayReason: string | null;
  /** The FG confirmed the moment stated (see `checkMoveAgainstVerdict`). */
  confirmed: boolean;
}

/**
 * What a move of awareness does to the AP verdict, checked before it is recorded (Art. 33(1), (5)):
 * - moving the deadline later after a deadline had passed with no report (`passedDeadlines`: the
 *   record held the notification overdue) needs the FG's confirmation, and is marked "entered
 *   after the deadline";
 * - making a recorded initial report late needs the reasons for the delay, kept with the move;
 * - reasons for a delay the move does not make are refused: there is nothing to explain.
 * Returns the deadline that had passed when the move is entered after it.
 */
function checkMoveAgainstVerdict(deps: FgDeps, draft: Incident, awareAt: string, move: AwarenessMove): string | null {
  const local = (iso: string) => formatLocal(iso, deps.policy.timeZone);
  // The law's deadlines, before and after the move: an internal target is no deadline of Art. 33(1) (review12 S3).
  const oldDeadline = apLegalDeadline(draft);
  const newDeadline = addHours(awareAt, apHours(draft, deps.policy));
  // Entered at the machine's clock behind a stated --now (atk28 F16).
  const entered = enteredAt(deps);
  const passed = oldDeadline !== null && newDeadline > oldDeadline ? passedDeadlines(draft, roleOf(draft, deps.policy), entered)[0] : undefined;
  if (passed && !move.confirmed) {
    throw refuse(
      `--aware-at ${shownIn(awareAt, deps.policy.timeZone)} moves the AP deadline later (${shownIn(oldDeadline, deps.policy.timeZone)} to ${shownIn(newDeadline, deps.policy.timeZone)}), but it is entered at ${shownIn(entered, deps.policy.timeZone)}, after the AP deadline of ${shownIn(passed.deadline, deps.policy.timeZone)} had passed: the record held the notification overdue from ${shownIn(passed.overdueFrom, deps.policy.timeZone)}, and datalek's overdue reminders were due from then; the record will mark it entered after the deadline: confirm the moment stated with --confirm-stated-time (Art. 33(1), (5))`,
      `"Bewust geworden op" (${local(awareAt)}) verschuift de AP-termijn naar later (${local(oldDeadline as string)} naar ${local(newDeadline)}), maar wordt vastgelegd op ${local(entered)}, nadat de termijn van ${local(passed.deadline)} al verstreken was: het dossier toont de melding als te laat sinds ${local(passed.overdueFrom)}, en datalek herinnerde daar vanaf toen aan. Het dossier markeert dit moment als ingevoerd na het verstrijken van de termijn: bevestig het opgegeven moment ("Ik bevestig het opgegeven tijdstip") (AVG art. 33(1), (5)).`,
    );
  }
  // The report the verdict rests on: a notification made anew after its withdrawal is judged with the first (ap-verdict.ts apVerdictReport, law28).
  const initial = apVerdictReport(draft);
  const lateBefore = initial !== undefined && oldDeadline !== null && initial.at > oldDeadline;
  const lateAfter = initial !== undefined && initial.at > newDeadline;
  if (initial && lateAfter && (!lateBefore || delayReasons(draft).length === 0) && !move.delayReason) {
    const late = Date.parse(initial.at) - Date.parse(newDeadline);
    throw refuse(
      `moving awareness to ${shownIn(awareAt, deps.policy.timeZone)} makes the initial report ${initial.reference} (${shownIn(initial.at, deps.policy.timeZone)}) late, ${formatDuration(late)} after the new AP deadline (${shownIn(newDeadline, deps.policy.timeZone)}): Art. 33(1) requires the reasons for the delay: give them with this move (--delay-reason), and send them to the AP with a follow-up`,
      `Dit bewustwordingsmoment (${local(awareAt)}) maakt de eerste melding ${initial.reference} (${local(initial.at)}) te laat, ${formatDuration(late, 'nl')} na de nieuwe termijn van de AP (${local(newDeadline)}): AVG art. 33(1) vraagt de redenen voor de vertraging: vul ze in bij "Reden voor de vertraging", en stuur ze de AP met een vervolgmelding.`,
    );
  }
  if (move.delayReason && !lateAfter) {
    throw refuse(
      initial
        ? `--delay-reason given, but with awareness at ${shownIn(awareAt, deps.policy.timeZone)} the initial AP report ${initial.reference} (${shownIn(initial.at, deps.policy.timeZone)}) is within the AP deadline (${shownIn(newDeadline, deps.policy.timeZone)}): there is no delay to explain (Art. 33(1))`
        : '--delay-reason given, but no initial AP report is recorded: the reasons for a delay go with the report (datalek reported --delay-reason) (Art. 33(1))',
      initial
        ? `Er is een reden voor vertraging ingevuld, maar met dit bewustwordingsmoment valt de eerste melding ${initial.reference} (${local(initial.at)}) binnen de termijn van de AP (${local(newDeadline)}): er is geen vertraging uit te leggen (AVG art. 33(1)).`
        : 'Er is een reden voor vertraging ingevuld, maar er is nog geen eerste melding aan de AP vastgelegd: de redenen horen bij die melding (AVG art. 33(1)).',
    );
  }
  return passed?.deadline ?? null;
}

function moveAwareness(deps: FgDeps, draft: Incident, move: AwarenessMove, by: string, now: string, confirmsNow: boolean): TimelineDraft[] {
  const local = (iso: string) => formatLocal(iso, deps.policy.timeZone);
  const { stated, reason } = move;
  if (draft.sample)
    throw refuse(
      `incident ${draft.id} comes from a sample finding: it has no clock`,
      `Incident ${draft.id} komt uit een testmelding (voorbeeldbevinding): er loopt geen termijn.`,
    );
  // Before GuardDuty's detection (a customer's call, a researcher's mail) only confirmed: marked, and the clock runs from it.
  const { at: awareAt, beforeDetection } = checkStatedBeforeDetection(draft, stated, now, '--aware-at', move.confirmed, deps.policy.timeZone);
  const confirmed = firstPersonalDataYes(draft) ?? (confirmsNow ? now : null);
  if (confirmed && awareAt > confirmed) {
    throw refuse(
      `personal data was recorded as affected at ${shownIn(confirmed, deps.policy.timeZone)}: the organisation was aware by then at the latest (Art. 33(1), EDPB Guidelines 9/2022); --aware-at ${shownIn(awareAt, deps.policy.timeZone)} lies after it`,
      `Op ${local(confirmed)} is vastgelegd dat persoonsgegevens getroffen zijn: toen was de organisatie uiterlijk op de hoogte (AVG art. 33(1), EDPB-richtsnoeren 9/2022); ${local(awareAt)} ligt daarna.`,
    );
  }
  checkAwareAfterBegin(deps, draft.facts?.startedAt, awareAt);
  const told = firstCommunication(draft);
  if (told && awareAt > told.at) {
    throw refuse(
      `${told.what.en} at ${shownIn(told.at, deps.policy.timeZone)}: the organisation was aware by then at the latest (Art. 33(1), 34(1)); --aware-at ${shownIn(awareAt, deps.policy.timeZone)} lies after it`,
      `${told.what.nl} op ${local(told.at)}: toen was de organisatie uiterlijk op de hoogte (AVG art. 33(1), 34(1)); ${local(awareAt)} ligt daarna.`,
    );
  }
  if (awareAt === draft.awareAt) {
    if (move.delayReason)
      throw refuse(
        `--aware-at ${shownIn(awareAt, deps.policy.timeZone)} is the moment of awareness on record already: the move changes no deadline, and its --delay-reason explains no delay it makes; the reasons for a report late already go with a follow-up or correction (datalek reported --kind follow-up --delay-reason) (Art. 33(1))`,
        'Dit bewustwordingsmoment staat al vast: er verschuift geen termijn en er is geen nieuwe vertraging uit te leggen; redenen voor een melding die al te laat is, legt u vast met een vervolgmelding of correctie bij "Melding vastleggen" (AVG art. 33(1)).',
      );
    return [];
  }
  const afterDeadline = checkMoveAgainstVerdict(deps, draft, awareAt, move);
  const marks = {
    enteredLater: enteredLater(awareAt, enteredAt(deps)) || afterDeadline !== null,
    ...(beforeDetection ? { beforeDetection } : {}),
    ...(afterDeadline ? { enteredAfterDeadline: afterDeadline } : {}),
    ...(move.delayReason ? { delayReason: move.delayReason } : {}),
  };
  const movedLaterAfterPersonalDataYes = firstPersonalDataYes(draft) !== null && draft.awareAt !== null && awareAt > draft.awareAt;
  const hoursAfterDetection = Math.round(((Date.parse(awareAt) - Date.parse(draft.detectedAt)) / HOUR_MS) * 10) / 10;
  const decision: Decision = {
    kind: 'awareness',
    from: draft.awareAt,
    to: awareAt,
    reason,
    by,
    recordedAt: now,
    hoursAfterDetection,
    movedLaterAfterPersonalDataYes,
    ...marks,
  };
  history(draft).push(decision);
  const from = draft.awareAt;
  draft.awareAt = awareAt;
  draft.awareReason = reason;
  draft.deadline = addHours(awareAt, draft.deadlineHours ?? deps.policy.apDeadlineHours);
  return [
    {
      at: now,
      kind: 'awareness-set',
      actor: by,
      detail: {
        from,
        to: awareAt,
        detectedAt: draft.detectedAt,
        reason,
        ...deadlineDetail(draft),
        hoursAfterDetection,
        movedLaterAfterPersonalDataYes,
        ...marks,
      },
    },
  ];
}

/**
 * When the entity became aware of the significant incident (NIS2 art. 23(4)(a), (b)): a moment of
 * its own, never the GDPR awareness. Moved only by a person with a reason; before the detection only
 * confirmed; never after the significance decision (the entity knew then at the latest) nor after the
 * first NIS2 report (it told of what it knew). A move that stops an NIS2 clock the record held
 * overdue is confirmed and marked by `assess` (clocksStoppedAfterDeadline), as any other decision.
 */
function moveNis2Awareness(deps: FgDeps, draft: Incident, move: AwarenessMove, by: string, now: string): TimelineDraft[] {
  const local = (iso: string) => formatLocal(iso, deps.policy.timeZone);
  if (draft.sample)
    throw refuse(
      `incident ${draft.id} comes from a sample finding: it has no clock`,
      `Incident ${draft.id} komt uit een testmelding (voorbeeldbevinding): er loopt geen termijn.`,
    );
  const { at, beforeDetection } = checkStatedBeforeDetection(draft, move.stated, now, '--nis2-aware-at', move.confirmed, deps.policy.timeZone);
  const decided = significantSince(history(draft));
  if (decided && at > decided) {
    throw refuse(
      `the incident was decided significant at ${shownIn(decided, deps.policy.timeZone)}: the entity was aware of the significant incident by then at the latest (NIS2 art. 23(4)(a)); --nis2-aware-at ${shownIn(at, deps.policy.timeZone)} lies after it`,
      `Op ${local(decided)} is besloten dat het incident significant is: toen was de entiteit zich uiterlijk bewust van het significante incident (NIS2 art. 23(4)(a)); ${local(at)} ligt daarna.`,
    );
  }
  // Only a report made under the significance in force: one sent under a "yes" taken back told of a significance withdrawn since.
  // A final, progress or intermediate report made before this "yes" answered what a "no" kept owed
  // (readA16 A2, nis17 item 1): it told the CSIRT how the incident taken back ended, not of this significance.
  const inForce = nis2ReportInForce(draft);
  const told = firstReport(draft, (r) => inForce(r) && (r.kind === 'early-warning' || r.kind === 'notification' || !decided || r.at >= decided));
  if (told && at > told.at) {
    throw refuse(
      `an NIS2 report (${told.kind} ${told.reference} to the ${told.to}) was made at ${shownIn(told.at, deps.policy.timeZone)}: the entity was aware of the significant incident by then at the latest (NIS2 art. 23(4)(a)); --nis2-aware-at ${shownIn(at, deps.policy.timeZone)} lies after it`,
      `Op ${local(told.at)} is een NIS2-melding gedaan (${told.reference}): toen was de entiteit zich uiterlijk bewust van het significante incident (NIS2 art. 23(4)(a)); ${local(at)} ligt daarna.`,
    );
  }
  if (at === nis2AwareAt(draft)) return [];
  const from = draft.nis2AwareAt ?? null;
  const marks = { ...(enteredLater(at, enteredAt(deps)) ? { enteredLater: true } : {}), ...(beforeDetection ? { beforeDetection } : {}) };
  history(draft).push({ kind: 'nis2-awareness', from, to: at, reason: move.reason, by, recordedAt: now, ...marks });
  draft.nis2AwareAt = at;
  draft.nis2AwareReason = move.reason;
  return [{ at: now, kind: 'nis2-awareness-set', actor: by, detail: { from, to: at, detectedAt: draft.detectedAt, reason: move.reason, ...marks } }];
}

/**
 * A "no" that takes a "yes" back ends the NIS2 awareness stated with that "yes" or after it (fgsec16
 * S4): it was the awareness of a significance the entity withdrew, whose reason may be "the wrong
 * incident", so a later "yes" runs from its own stated awareness or else the earlier of the detection
 * and the awarenesses "no"s ended (readA16 A1: the stricter reading; clocks.ts `nis2AwareAt`). The statement stays in the decisions; the timeline's "no" names it (`awarenessEnded`).
 * One stated on its own, while no "yes" was in force (before any, or after a "no"), is not that
 * "yes"'s and stays. Returns the detail for the "no"'s timeline entry.
 */
function endNis2AwarenessOfYes(draft: Incident): { awarenessEnded?: string } {
  const { ofYes } = nis2AwarenessOfYes(history(draft));
  if (!draft.nis2?.significant || !ofYes || ofYes !== draft.nis2AwareAt) return {};
  const awarenessEnded = draft.nis2AwareAt;
  draft.nis2AwareAt = null;
  draft.nis2AwareReason = null;
  return { awarenessEnded };
}

/**
 * When the significance in force was decided: the first "yes" since the last "no", not a "yes"
 * taken back (readD15 D2: a mistaken after-close "yes" bound the true one's awareness, for good).
 */
function significantSince(decisions: Decision[]): string | undefined {
  let since: string | undefined;
  for (const d of decisions) if (d.kind === 'nis2-significance') since = d.significant ? (since ?? d.recordedAt) : undefined;
  return since;
}

// --- facts -------------------------------------------------------------------------------------

export interface FactsInput {
  incidentId: string;
  by: string;
  nature?: Nature[];
  categories?: string[];
  /** The special categories (Art. 9, and the BSN); an empty list states that there are none. */
  specialCategories?: string[];
  subjectGroups?: string[];
  subjectsMin?: number;
  subjectsMax?: number;
  records?: number;
  /** Likely consequences: in general, or for one kind of breach (`consequencesFor`) with harm and severity. */
  consequences?: string;
  consequencesFor?: Nature;
  harm?: Harm[];
  harmSeverity?: HarmSeverity;
  measuresTaken?: string;
  measuresProposed?: string;
  unintelligible?: BreachFacts['unintelligible'];
  crossBorder?: boolean;
  leadAuthority?: string;
  otherAuthorities?: string;
  summary?: string;
  cause?: string;
  breachType?: BreachType;
  /** When the breach ended (a stated time). */
  endedAt?: string;
  /** When the breach began (a stated time); before GuardDuty's detection only confirmed (`confirmStatedTime`) with `startedReason`. */
  startedAt?: string;
  startedReason?: string;
  /** Another organisation involved, or `none` to state that there is none. */
  otherParty?: OtherParty | 'none';
  complete?: boolean;
  /** With `complete`: why the facts still missing cannot be given; they are recorded as unknown. */
  unknownReason?: string;
  /** Why the facts change: required after closing (Art. 33(4)). */
  reason?: string;
  /**
   * The FG confirms a fact (a corrected `endedAt`) that moves a clock's deadline later after the record
   * held it overdue, or a begin (`startedAt`) before GuardDuty's detection.
   */
  confirmStatedTime?: boolean;
}

/** Records Art. 33(3) facts in phases (Art. 33(4)); a fact contradicting the record is refused. */
export async function recordFacts(deps: FgDeps, input: FactsInput): Promise<Incident> {
  const local = (iso: string) => formatLocal(iso, deps.policy.timeZone);
  const by = required(input.by, 'who records the facts (--by)', '', BY_NL);
  const {
    incidentId,
    by: _,
    consequencesFor,
    harm,
    harmSeverity,
    otherParty,
    unknownReason: unknownGiven,
    reason: reasonGiven,
    confirmStatedTime,
    ...rest
  } = input;
  const factsReason = givenText(reasonGiven);
  const unknownReason = givenText(unknownGiven);
  if (unknownReason && input.complete !== true) {
    throw refuse(
      '--unknown-reason says why the facts still missing cannot be given when they are marked complete: it goes with --complete (Art. 33(4))',
      'De reden waarom feiten niet te geven zijn, hoort bij het compleet melden van de feiten ("De feiten zijn compleet") (AVG art. 33(4)).',
    );
  }
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<FactsInput>;
  if (given.subjectsMin !== undefined && given.subjectsMax !== undefined && given.subjectsMin > given.subjectsMax) {
    throw refuse(
      'the minimum number of data subjects is above the maximum (Art. 33(3)(a): approximate numbers)',
      'Het minimum aantal betrokkenen is groter dan het maximum (AVG art. 33(3)(a): aantallen bij benadering).',
    );
  }
  if ((harm !== undefined || harmSeverity !== undefined) && consequencesFor === undefined) {
    throw refuse(
      '--harm and --harm-severity describe the consequences of one kind of breach: give --for confidentiality|integrity|availability (Art. 33(3)(c))',
      'De soort schade en de ernst horen bij de gevolgen voor één soort datalek: kies bij "Gevolgen voor" vertrouwelijkheid, integriteit of beschikbaarheid (AVG art. 33(3)(c)).',
    );
  }
  if (consequencesFor !== undefined && !given.consequences?.trim()) {
    throw refuse(
      `--for ${consequencesFor} needs the consequences themselves (--consequences TEXT) (Art. 33(3)(c))`,
      `Gevolgen voor de ${natureLabel('nl', consequencesFor)}: beschrijf de gevolgen zelf bij "Waarschijnlijke gevolgen" (AVG art. 33(3)(c)).`,
    );
  }
  if (Object.keys(given).length === 0 && otherParty === undefined)
    throw refuse('no facts given: see datalek facts --help', 'Er is niets veranderd: er zijn geen nieuwe feiten om vast te leggen.');
  const { incident } = await changeIncident(deps, incidentId, (draft) => {
    const afterClose = draft.state === 'closed';
    // Completeness is the closing's, except while the AP is owed the rest of a notification made after
    // closing (clocks.ts apFollowUpLeftAtClosing): the follow-up carries the facts marked complete.
    if (afterClose)
      afterCloseReason(draft, (input.complete === undefined && !unknownReason) || apFollowUpLeftAtClosing(draft), factsReason, deps.policy.timeZone);
    const now = deps.now();
    checkRecordingTime(draft, now, 'the facts', deps.policy.timeZone);
    const before = draft.facts ?? emptyFacts();
    const facts: BreachFacts = { ...before };
    const detail: Record<string, unknown> = { ...given, ...(factsReason ? { reason: factsReason } : {}), ...(afterClose ? { afterClose } : {}) };
    if (given.nature) facts.nature = given.nature;
    if (given.categories) facts.categories = given.categories;
    if (given.specialCategories) {
      facts.specialCategories = given.specialCategories;
      facts.specialStated = true;
    }
    if (given.subjectGroups) facts.subjectGroups = given.subjectGroups;
    if (given.subjectsMin !== undefined) facts.subjectsMin = given.subjectsMin;
    if (given.subjectsMax !== undefined) facts.subjectsMax = given.subjectsMax;
    if (given.records !== undefined) facts.records = given.records;
    if (given.consequences !== undefined) {
      if (consequencesFor) {
        if (facts.nature.length && !facts.nature.includes(consequencesFor)) {
          throw refuse(
            `--for ${consequencesFor}: the facts name the breach as ${facts.nature.join(', ')} only; record --nature first (Art. 33(3)(a), (c))`,
            `Gevolgen voor de ${natureLabel('nl', consequencesFor)}: de feiten noemen het datalek alleen een inbreuk op de ${facts.nature.map((n) => natureLabel('nl', n)).join(', ')}; vul eerst de aard van het datalek aan (AVG art. 33(3)(a), (c)).`,
          );
        }
        const consequence: Consequence = { text: given.consequences.trim(), harm: harm ?? [], severity: harmSeverity ?? null };
        facts.consequencesByNature = { ...(before.consequencesByNature ?? {}), [consequencesFor]: consequence };
        delete detail.consequences;
        detail.consequencesFor = { [consequencesFor]: consequence };
      } else {
        facts.consequences = given.consequences;
      }
    }
    if (given.measuresTaken !== undefined) facts.measuresTaken = given.measuresTaken;
    if (given.measuresProposed !== undefined) facts.measuresProposed = given.measuresProposed;
    if (given.unintelligible !== undefined) facts.unintelligible = given.unintelligible;
    if (given.crossBorder !== undefined) facts.crossBorder = given.crossBorder;
    if (given.leadAuthority !== undefined) facts.leadAuthority = given.leadAuthority;
    if (given.otherAuthorities !== undefined) facts.otherAuthorities = given.otherAuthorities;
    if (given.summary !== undefined) facts.summary = given.summary;
    if (given.cause !== undefined) facts.cause = given.cause;
    if (given.breachType !== undefined) facts.breachType = given.breachType;
    if (given.complete !== undefined) facts.complete = given.complete;
    if (given.startedAt !== undefined)
      recordBegin(deps, draft, facts, detail, { at: given.startedAt, reason: given.startedReason }, confirmStatedTime === true, now);
    else if (given.startedReason !== undefined) {
      throw refuse(
        '--started-reason says why the breach began when --started-at says: give them together',
        'De reden voor het begin hoort bij "Begonnen op": vul ze samen in.',
      );
    }
    if (given.endedAt !== undefined) {
      const ended = checkStatedEnd(deps, draft, given.endedAt, facts.startedAt, confirmStatedTime === true, now);
      facts.endedAt = ended.at;
      detail.endedAt = ended.at;
      if (ended.beforeDetection) detail.endedBeforeDetection = true;
    }
    if (facts.startedAt && facts.endedAt && facts.endedAt < facts.startedAt) {
      throw refuse(
        `the end of the breach (${shownIn(facts.endedAt, deps.policy.timeZone)}) lies before the begin (${shownIn(facts.startedAt, deps.policy.timeZone)}) (form section 2)`,
        `Het einde van het datalek (${local(facts.endedAt)}) ligt vóór het begin (${local(facts.startedAt)}).`,
      );
    }
    if (otherParty === 'none') {
      facts.otherParties = [];
      facts.otherPartiesStated = true;
      detail.otherParties = [];
    } else if (otherParty) {
      facts.otherParties = [...(before.otherParties ?? []).filter((p) => p.name !== otherParty.name), otherParty];
      facts.otherPartiesStated = true;
      detail.otherParty = otherParty;
    }
    // Nobody affected beside "personal data: yes" is no fact learnt but a contradiction in terms (atk29 A12).
    if (draft.assessment?.personalData === 'yes' && (given.subjectsMax !== undefined || given.records !== undefined || given.categories)) {
      const none = noneAffected(facts);
      if (none.length) throw noneAffectedRefusal(none, draft.assessment, 'facts');
    }
    // Contradictions with what is recorded. With the assessment: recorded, and marked (closing waits for it).
    const contradicted = assessmentContradictions({ ...draft, facts }).map((c) => c.en);
    if (contradicted.length) detail.contradictsAssessment = contradicted;
    if (facts.specialStated && facts.specialCategories.length === 0 && namesHealthData(facts.categories)) {
      throw refuse(
        `the categories (${facts.categories.join(', ')}) name health data, a special category of personal data (Art. 9(1)): "no special categories" contradicts them`,
        `De soorten persoonsgegevens (${facts.categories.join(', ')}) noemen gezondheidsgegevens, een bijzondere categorie (AVG art. 9(1)): "geen bijzondere persoonsgegevens" spreekt dat tegen.`,
      );
    }
    // A decision on informing whose ground these facts take away (the data not unintelligible, or a
    // breach without confidentiality, under "encrypted": learnt, not undone) is set aside in the same
    // commit, as a high risk sets "not required" aside (assess): the facts are true and recorded, the
    // decision stays in the history, and it is open again (closing asks for it while it is needed).
    const setAside = groundlessDecisions(draft, facts, given.nature !== undefined);
    if (setAside.subjects) {
      detail.subjectsDecisionSetAside = draft.subjects;
      draft.subjects = null;
    }
    if (setAside.subscribers) {
      detail.subscribersDecisionSetAside = draft.subscribers;
      draft.subscribers = null;
    }
    if (draft.subjects?.exception === 'measures-taken' && measuresTaken(asReleased({ ...draft, facts }, deps)).length === 0) {
      throw refuse(
        'the Art. 34 decision rests on the measures taken (exception "measures taken", Art. 34(3)(b)); emptying --measures-taken leaves it without them: record a new Art. 34 decision first',
        'Het besluit over de betrokkenen steunt op de genomen maatregelen (uitzondering art. 34(3)(b)); zonder "Genomen maatregelen" vervalt die grond: leg eerst een nieuw besluit over de betrokkenen vast.',
      );
    }
    if (facts.crossBorder === false && given.leadAuthority) {
      throw refuse(
        '--lead-authority names the lead supervisory authority of a cross-border breach (Art. 56), but the facts say it is not cross-border',
        'Een leidende toezichthouder hoort bij een grensoverschrijdend datalek (AVG art. 56), maar de feiten zeggen dat het niet grensoverschrijdend is.',
      );
    }
    if (given.complete) {
      const unknown = checkComplete(deps, { ...draft, facts }, now, unknownReason);
      if (unknown) {
        facts.unknown = { ...unknown, by, at: now };
        detail.unknown = unknown;
      }
    }
    facts.updatedAt = now;
    facts.updatedBy = by;
    // NIS2 art. 23(4)(e): after a progress report the final report is due a month after the end of
    // the breach; a corrected end entered after that deadline had passed moves it later. As every
    // entry that stops a clock the record held overdue (core/clocks.ts), the FG confirms it, and the
    // record marks it, naming the clock.
    const entered = enteredAt(deps);
    const stopped = clocksStoppedAfterDeadline(draft, { ...draft, facts }, deps.policy, entered);
    if (stopped.length && !confirmStatedTime) {
      const stated = facts.endedAt && given.endedAt !== undefined ? facts.endedAt : null;
      throw clockPassedRefusal(stopped, entered, deps.policy.timeZone, undefined, {
        en: stated ? `--ended-at ${stated}` : 'this correction of the facts',
        nl: stated ? `"Beëindigd op" (${local(stated)})` : 'Deze correctie van de feiten',
      });
    }
    if (stopped.length) {
      facts.clockMarks = [...(before.clockMarks ?? []), { recordedAt: now, by, clocksEnteredAfterDeadline: stopped }];
      detail.clocksEnteredAfterDeadline = stopped;
    }
    draft.facts = facts;
    if (afterClose) {
      const what = `facts ${Object.keys(detail)
        .filter((k) => k !== 'reason' && k !== 'afterClose')
        .join(', ')}`;
      draft.afterClose = [...(draft.afterClose ?? []), { at: now, by, what, reason: factsReason as string }];
    }
    return { entries: [{ at: now, kind: 'facts-recorded', actor: by, detail }] };
  });
  return incident;
}

/**
 * When the breach began (AP form section 2), as a person states it: GuardDuty's first activity is
 * when GuardDuty saw it, not when it began (a key leaked days before it was used). Before the
 * detection only confirmed, with its reason, and marked so in the record and the draft.
 */
function recordBegin(
  deps: FgDeps,
  draft: Incident,
  facts: BreachFacts,
  detail: Record<string, unknown>,
  stated: { at: string; reason: string | undefined },
  confirmed: boolean,
  now: string,
): void {
  const started = checkStatedBeforeDetection(draft, stated.at, now, '--started-at', confirmed, deps.policy.timeZone, (at) =>
    deadlineFollowingDetection(draft, facts, at),
  );
  const reason = givenText(stated.reason);
  if (started.beforeDetection && !reason) {
    throw refuse(
      `--started-at ${shownIn(started.at, deps.policy.timeZone)} lies before GuardDuty's detection: say how it is known (--started-reason); the register keeps it (Art. 33(5))`,
      'Een begin vóór de detectie door GuardDuty heeft een reden nodig ("Waarom dit begin"): het register bewaart hoe het bekend is (AVG art. 33(5)).',
    );
  }
  if (draft.awareAt) checkAwareAfterBegin(deps, started.at, draft.awareAt);
  facts.startedAt = started.at;
  facts.startedReason = reason;
  detail.startedAt = started.at;
  if (started.beforeDetection) detail.startedBeforeDetection = true;
  awarenessFollowsDetection(draft, facts, detail);
}

/** The AP deadline a begin stated at `startedAt` moves to (awarenessFollowsDetection), or null when it moves none: for the refusal that asks to confirm it. */
function deadlineFollowingDetection(draft: Incident, facts: BreachFacts, startedAt: string): string | null {
  const trial = structuredClone(draft);
  awarenessFollowsDetection(trial, { ...facts, startedAt }, {});
  return trial.awareAt === draft.awareAt ? null : (apLegalDeadline(trial) ?? trial.deadline);
}

/**
 * An awareness kept after the detection for a begin stated later than it (record-finding.ts
 * moveDetectionEarlier, 'begin') follows the detection once the begin is corrected to allow it, as
 * it would have had the begin been right when the finding came (read14a A4): no person recorded it
 * (no reason, no awareness decision), no report or assessment acted on it, so it is not the
 * conservative default the record keeps until a person says otherwise (Art. 33(1)). The entry says so.
 */
function awarenessFollowsDetection(draft: Incident, facts: BreachFacts, detail: Record<string, unknown>): void {
  const from = draft.awareAt;
  if (!from || from <= draft.detectedAt || draft.awareReason || draft.openedByHand || draft.deadlineHours === null) return;
  if (currentAwareness(draft) || awarenessActedOn({ ...draft, facts }, draft.detectedAt)) return;
  draft.awareAt = draft.detectedAt;
  draft.deadline = addHours(draft.detectedAt, draft.deadlineHours);
  detail.awarenessFollowsDetection = { from, to: draft.awareAt, deadline: apLegalDeadline(draft) };
}

/**
 * When the breach ended (form section 2), as a person states it. Its floor is the recorded begin, or
 * without one the awareness on record (S6: nobody is aware before the begin); when that floor lies
 * before GuardDuty's detection, an end between it and the detection is true and recorded, confirmed
 * and marked as the other stated times (review11 S1). Otherwise the detection stays the floor.
 */
function checkStatedEnd(
  deps: FgDeps,
  draft: Incident,
  stated: string,
  startedAt: string | null | undefined,
  confirmed: boolean,
  now: string,
): { at: string; beforeDetection: boolean } {
  const floor = startedAt ?? draft.awareAt;
  // An end before the detection with no begin recorded (a letter sent on Friday, found and opened by hand on Monday):
  // the refusal names the begin, which is what makes such an end true (review12, low).
  if (!startedAt && !beforeDetection(draft, floor) && beforeDetection(draft, toUtc(stated))) {
    const local = (iso: string) => formatLocal(iso, deps.policy.timeZone);
    const at = toUtc(stated);
    throw refuse(
      `--ended-at ${shownIn(at, deps.policy.timeZone)} lies before the detection of ${draft.id}${draft.openedByHand ? ' (opened by hand: the awareness entered then)' : ''}, and no begin of the breach is recorded: an end before it is taken with the begin, stated and confirmed in the same command (datalek facts --started-at --started-reason --confirm-stated-time) (Art. 33(5))`,
      `"Beëindigd op" (${local(at)}) ligt vóór de detectie van ${draft.id}${draft.openedByHand ? ' (met de hand geopend: het toen ingevulde bewustwordingsmoment)' : ''} en er is geen begin vastgelegd: een einde daarvoor legt u vast samen met het begin ("Begonnen op", met de reden, en bevestig het opgegeven tijdstip) (AVG art. 33(5)).`,
    );
  }
  if (!beforeDetection(draft, floor)) return { at: checkStatedTime(draft, stated, now, '--ended-at', deps.policy.timeZone), beforeDetection: false };
  const at = toUtc(stated);
  // Before a recorded begin: the end-before-begin refusal names both.
  if (!startedAt && at < (floor as string)) {
    const local = (iso: string) => formatLocal(iso, deps.policy.timeZone);
    throw refuse(
      `--ended-at ${shownIn(at, deps.policy.timeZone)} lies before the awareness on record, ${shownIn(floor, deps.policy.timeZone)} (${BEFORE_DETECTION.en}), and no begin of the breach is recorded: record when it began (datalek facts --started-at --started-reason) with its end (Art. 33(5))`,
      `"Beëindigd op" (${local(at)}) ligt vóór het vastgelegde bewustwordingsmoment (${local(floor as string)}, ${BEFORE_DETECTION.nl}) en er is geen begin vastgelegd: vul "Begonnen op" met de reden in, samen met het einde (AVG art. 33(5)).`,
    );
  }
  return checkStatedBeforeDetection(draft, stated, now, '--ended-at', confirmed, deps.policy.timeZone);
}

/**
 * The organisation cannot have become aware of a breach (a reasonable degree of certainty that it
 * happened: EDPB Guidelines 9/2022) before it began: the AP clock would run from a moment the record
 * itself contradicts (Art. 33(1), (5)). A begin after the awareness, or an awareness before the
 * begin, is refused naming both: one of them is wrong (review11 S6).
 */
function checkAwareAfterBegin(deps: FgDeps, startedAt: string | null | undefined, awareAt: string): void {
  if (!startedAt || awareAt >= startedAt) return;
  const local = (iso: string) => formatLocal(iso, deps.policy.timeZone);
  throw refuse(
    `the begin of the breach (${shownIn(startedAt, deps.policy.timeZone)}) lies after the moment of awareness (${shownIn(awareAt, deps.policy.timeZone)}), from which the AP deadline runs: nobody is aware of a breach before it began (Art. 33(1), EDPB Guidelines 9/2022); correct the begin (datalek facts --started-at) or the awareness (datalek assess --aware-at --aware-reason)`,
    `Het begin van het datalek (${local(startedAt)}) ligt na het bewustwordingsmoment (${local(awareAt)}), waar de termijn voor de AP vanaf loopt: niemand is zich bewust van een datalek voordat het begon (AVG art. 33(1), EDPB-richtsnoeren 9/2022); corrigeer het begin ("Begonnen op") of het bewustwordingsmoment ("Bewust geworden op").`,
  );
}

/**
 * Which decisions on informing the facts leave without their ground: the exception "encrypted"
 * (Art. 34(3)(a); subscribers Regulation 611/2013 art. 4) rests on the data being unintelligible and
 * answers a risk to confidentiality only (EDPB Guidelines 9/2022). The nature is weighed when these
 * facts state it (a record from before the nature was checked keeps its decision until then).
 */
function groundlessDecisions(draft: Incident, facts: BreachFacts, natureGiven: boolean): { subjects: boolean; subscribers: boolean } {
  const encryptedGone = facts.unintelligible !== 'yes' || (natureGiven && !facts.nature.includes('confidentiality'));
  // A nature added besides confidentiality that the exception never answered (review7 G19).
  const unanswered = (d: SubjectsDecision) => natureGiven && natureBesidesConfidentiality(facts.nature).length > 0 && !d.otherNatureReason;
  const gone = (d: Incident['subjects'] | Incident['subscribers']) => !!d && d.exception === 'encrypted' && (encryptedGone || unanswered(d));
  return { subjects: gone(draft.subjects), subscribers: gone(draft.subscribers) };
}

/** Facts the FG may record as unknown when marking the facts complete; a decision (the assessment, Art. 34) or the policy's contact details are never unknown. */
const MAY_BE_UNKNOWN = new Set([
  'summary',
  'type',
  'nature',
  'cause',
  'categories',
  'special',
  'groups',
  'subjects',
  'records',
  'measures',
  'unintelligible',
  'crossBorder',
  'lead',
]);

/**
 * "Complete" stops the follow-up reminders and meets the telecom provider's complete notification
 * (Regulation 611/2013 art. 2(3)): it is recorded only when every required fact is, or when the FG
 * says why the facts still missing cannot be given (Art. 33(4): as far as it is possible to
 * provide it). The reasons for a delay are left out: they go with the report itself.
 * Returns the facts recorded as unknown, with the reason, or null when none are missing.
 */
function checkComplete(deps: FgDeps, incident: Incident, now: string, reason: string | null): { facts: string[]; reason: string } | null {
  const missing = (lang: Lang) => missingFactItems(incident, deps.policy, now, lang).filter((m) => m.key !== 'delay');
  const en = missing('en');
  if (en.length === 0) {
    if (reason)
      throw refuse(
        '--unknown-reason given, but nothing is missing: every required fact is recorded (Art. 33(4))',
        'Er is een reden ingevuld waarom feiten niet te geven zijn, maar er ontbreekt niets: alle verplichte feiten zijn vastgelegd (AVG art. 33(4)).',
      );
    return null;
  }
  const excusable = (key: string) => MAY_BE_UNKNOWN.has(key) || key.startsWith('consequences');
  const fixed = en.filter((m) => !excusable(m.key));
  if (fixed.length || !reason) {
    const nl = missing('nl');
    throw refuse(
      `the facts cannot be marked complete: still missing ${en.map(missingFactCli).join('; ')}; record them${fixed.length ? '' : ', or say why they cannot be given (--unknown-reason TEXT)'} (Art. 33(3), (4); for a telecom provider Regulation 611/2013 art. 2(3))`,
      `De feiten kunnen nog niet compleet worden gemeld; er ontbreekt nog: ${nl.map((m) => m.text).join('; ')}. Vul ze aan${fixed.length ? '' : ', of geef aan waarom ze niet te geven zijn ("Waarom ontbrekende feiten niet te geven zijn")'} (AVG art. 33(3), (4)).`,
    );
  }
  return { facts: en.map((m) => m.key), reason };
}

// --- reports -----------------------------------------------------------------------------------

export interface ReportInput {
  incidentId: string;
  reference: string;
  by: string;
  to?: ReportRecipient;
  kind?: string;
  /** When it was submitted, as the person states it; default now. */
  at?: string;
  /** With a late initial AP report; or with a follow-up or correction that gives the reasons for one afterwards (Art. 33(1)). */
  delayReason?: string;
  /** The FG confirms `at` for an initial AP report dated before the deadline had passed but entered after it. */
  confirmStatedTime?: boolean;
  /** Why this report was made: required with a withdrawal of the AP notification (Art. 33(5)). */
  reason?: string;
  /** The AP gave this follow-up, correction or withdrawal a number of its own, not the initial's. */
  otherReference?: boolean;
}

const NIS2_KINDS = ['early-warning', 'notification', 'intermediate', 'progress', 'final'];
export const REPORT_KINDS: Record<ReportRecipient, string[]> = {
  ap: ['initial', 'follow-up', 'correction', 'withdrawal'],
  csirt: NIS2_KINDS,
  authority: NIS2_KINDS,
  controller: ['initial', 'follow-up'],
};

/**
 * The deadline of a telecom provider's complete notification to the AP (Regulation 611/2013 art.
 * 2(3)) that this report, completing it, is made after; null when it is in time, completes nothing
 * (the facts not marked complete, or recorded after its stated time) or the clock is not needed or met.
 */
function telecomCompleteLate(draft: Incident, policy: Policy, now: string, to: ReportRecipient, kind: string, at: string): string | null {
  if (to !== 'ap' || kind === 'withdrawal' || draft.facts?.complete !== true) return null;
  if (draft.facts.updatedAt && draft.facts.updatedAt > at) return null;
  const c = clocksOf(draft, policy, now).find((x) => x.name === 'telecom-complete');
  return c && c.status !== 'not-needed' && !c.doneAt && c.dueAt && at > c.dueAt ? c.dueAt : null;
}

/** When a processor's time to inform its controller ends (Art. 33(2); the contract's hours), or null before awareness. */
function controllerDueAt(incident: Incident, policy: Policy): string | null {
  return incident.awareAt ? addHours(incident.awareAt, processorHours(policy, incident)) : null;
}

/** A processor informed its controller after its time, and no reasons for the delay are recorded with a report to it. */
export function controllerToldLate(incident: Incident, policy: Policy): boolean {
  const toController = (incident.reports ?? []).filter((r) => r.to === 'controller');
  const first = [...toController].sort((a, b) => a.at.localeCompare(b.at))[0];
  const due = controllerDueAt(incident, policy);
  return roleOf(incident, policy) === 'processor' && !!first && !!due && first.at > due && !toController.some((r) => r.delayReason);
}

/** Records one submission, versioned (Art. 33(4)); a late initial AP report needs the reasons for the delay (Art. 33(1)). */
export async function recordReport(deps: FgDeps, input: ReportInput): Promise<{ incident: Incident; report: ReportRecord }> {
  const local = (iso: string) => formatLocal(iso, deps.policy.timeZone);
  const reference = required(input.reference, 'the reference number of the submission (--reference)', '', 'Het meldingsnummer is verplicht.');
  const by = required(input.by, 'who submitted it (--by)', '', BY_NL);
  const to = input.to ?? 'ap';
  const kind = input.kind ?? (to === 'csirt' || to === 'authority' ? 'early-warning' : 'initial');
  if (!REPORT_KINDS[to].includes(kind))
    throw refuse(
      `--kind ${kind} is not a kind of report to ${to}: one of ${REPORT_KINDS[to].join(', ')}`,
      `Een ${reportKindLabel('nl', kind)} is geen melding aan de ${recipientLabel('nl', to)}; kies: ${REPORT_KINDS[to].map((k) => reportKindLabel('nl', k)).join(', ')}.`,
    );
  const delayReason = givenText(input.delayReason);
  const reportReason = givenText(input.reason);
  let report: ReportRecord | undefined;
  const { incident } = await changeIncident(deps, input.incidentId, (draft) => {
    if (draft.sample)
      throw refuse(
        `incident ${draft.id} comes from a sample finding: there is nothing to report`,
        `Incident ${draft.id} komt uit een testmelding (voorbeeldbevinding): er is niets te melden.`,
      );
    const afterClose = draft.state === 'closed';
    // The initial report too, when an assessment after closing reopened its clock: the AP's (or a
    // telecom provider's 24 hours), or a processor's to its controller (Art. 33(2)); and a
    // significant incident's NIS2 early warning or incident notification (art. 23(4)(a), (b)).
    if (afterClose) {
      const nis2 = (kind === 'early-warning' || kind === 'notification') && (to === 'csirt' || to === 'authority');
      const reopened =
        to === 'ap'
          ? apClockRunning(draft, deps.policy) || otherClockRunning(draft, deps.policy, 'telecom-initial')
          : to === 'controller'
            ? otherClockRunning(draft, deps.policy, 'processor')
            : nis2 && (otherClockRunning(draft, deps.policy, 'nis2-early-warning') || otherClockRunning(draft, deps.policy, 'nis2-notification'));
      // The NIS2 reports that come after closing (art. 23(4)(c)-(e)) while their clock runs on (clocks.ts KEPT_AFTER_CLOSING).
      const later =
        (kind === 'final' || kind === 'progress' || kind === 'intermediate') &&
        (to === 'csirt' || to === 'authority') &&
        (otherClockRunning(draft, deps.policy, 'nis2-final') || otherClockRunning(draft, deps.policy, 'nis2-intermediate'));
      afterCloseReason(draft, (to === 'ap' && kind !== 'initial') || ((kind === 'initial' || nis2) && reopened) || later, reportReason, deps.policy.timeZone);
    }
    const now = deps.now();
    checkRecordingTime(draft, now, 'the report', deps.policy.timeZone);
    // After an awareness before GuardDuty's detection (an NIS2 report: the NIS2 awareness), a report made before the detection is true: confirmed, and marked.
    // The NIS2 awareness by the clocks' own rule (clocks.ts nis2AwareAt): with none stored, one a "no" ended before the detection (readA16 A1, nis17 item 3).
    const aware = to === 'csirt' || to === 'authority' ? nis2AwareAt(draft) : draft.awareAt;
    const stated = checkStatedAfterAwareness(draft, input.at ?? now, now, '--at', aware, input.confirmStatedTime === true, deps.policy.timeZone);
    const at = stated.at;
    checkToldAfterAwareness(deps, draft, to, at);
    const previous = (draft.reports ?? []).filter((r) => r.to === to);
    // To the AP, the initial report in force: a withdrawn one no longer stands, and a breach found
    // notifiable again after a withdrawal is notified anew.
    const standing = to === 'ap' ? initialReport(draft) : previous.find((r) => r.kind === 'initial');
    if (kind === 'initial' && standing) {
      throw refuse(
        `the initial report to ${to} is recorded already (${standing.reference}); later information is a follow-up or correction (Art. 33(4)): use --kind follow-up or correction`,
        `De eerste melding aan de ${recipientLabel('nl', to)} is al vastgelegd (${standing.reference}); latere informatie is een vervolgmelding of correctie (AVG art. 33(4)): kies die bij "Soort melding".`,
      );
    }
    if (to === 'ap' && kind !== 'initial' && !standing && previous.some((r) => r.kind === 'withdrawal')) {
      throw refuse(
        `the AP notification of ${draft.id} was withdrawn: a ${kind} has no notification to follow; a breach notifiable again is notified anew (--kind initial) (Art. 33(4))`,
        `De melding aan de AP van ${draft.id} is ingetrokken: een ${reportKindLabel('nl', kind)} volgt op geen melding; een datalek dat weer meldplichtig is, meldt u opnieuw met een eerste melding (AVG art. 33(4)).`,
      );
    }
    if ((to === 'ap' || to === 'controller') && kind !== 'initial' && !standing) {
      throw refuse(
        `a ${kind} needs the initial report to the ${to === 'ap' ? 'AP' : 'controller'} first (Art. 33(4): information in phases)`,
        `Een ${reportKindLabel('nl', kind)} volgt op de eerste melding aan de ${recipientLabel('nl', to)}: leg die eerst vast (AVG art. 33(4): informatie in fasen).`,
      );
    }
    // The AP gives one number per notification, and later information names it: another number is
    // almost always a typo, and the register would list the report under a notification that is not there.
    if (to === 'ap' && kind !== 'initial' && standing && reference !== standing.reference && !input.otherReference) {
      throw new RefusedError(
        `the AP notification of ${draft.id} has the number ${standing.reference}; a ${kind} names that number: give --reference ${standing.reference}, or --other-reference if the AP gave this ${kind} a number of its own`,
        {
          page: {
            nl: `De melding aan de AP heeft nummer ${standing.reference}; een ${reportKindLabel('nl', kind)} noemt dat nummer. Vul ${standing.reference} in, of vink "Eigen nummer van de AP" aan als de AP hiervoor een eigen nummer gaf.`,
          },
        },
      );
    }
    // The notification of the significance in force: one sent under a "yes" taken back since is not
    // followed up (clocks.ts nis2ReportInForce), unless its final report was still owed when the
    // later "yes" came: the final report answers it then (clocks.ts nis2FinalChain, nis17 item 1).
    const notified = previous.filter((r) => r.kind === 'notification');
    if ((kind === 'final' || kind === 'progress') && !notified.some(nis2FinalChain(draft).inChain)) {
      const withdrawn = notified.length ? ' made since the last "no" (the one on record was made under a "yes" taken back since)' : '';
      const ingetrokken = notified.length ? ' die sinds het laatste "nee" is gedaan (de vastgelegde is gedaan onder een "ja" dat daarna is teruggenomen)' : '';
      throw refuse(
        `a ${kind} report follows the incident notification to the ${to}${withdrawn} (NIS2 art. 23(4)(d), (e)): record the notification first`,
        `Een ${reportKindLabel('nl', kind)} volgt op de incidentmelding aan de ${recipientLabel('nl', to)}${ingetrokken} (NIS2 art. 23(4)(d), (e)): leg die eerst vast.`,
      );
    }
    // A report that follows another cannot have been made before it.
    const follows = kind === 'final' || kind === 'progress' ? 'notification' : REPORT_KINDS.ap.includes(kind) && kind !== 'initial' ? 'initial' : null;
    const before = follows ? previous.filter((r) => r.kind === follows && r.at > at).sort((x, y) => x.at.localeCompare(y.at))[0] : undefined;
    if (before) {
      throw refuse(
        follows === 'initial'
          ? `--at ${shownIn(at, deps.policy.timeZone)} lies before the initial report to the ${to === 'ap' ? 'AP' : 'controller'} it follows (${before.reference}, ${shownIn(before.at, deps.policy.timeZone)}): information given in phases follows the first (Art. 33(4))`
          : `--at ${shownIn(at, deps.policy.timeZone)} lies before the incident notification to the ${to} it follows (${before.reference}, ${shownIn(before.at, deps.policy.timeZone)}) (NIS2 art. 23(4))`,
        `${local(at)} ligt vóór de ${follows === 'initial' ? 'eerste melding' : 'incidentmelding'} aan de ${recipientLabel('nl', to)} waarop deze volgt (${before.reference}, ${local(before.at)}): ${follows === 'initial' ? 'informatie in fasen volgt op de eerste melding (AVG art. 33(4))' : 'dit verslag volgt op de melding (NIS2 art. 23(4))'}.`,
      );
    }
    // A notification anew follows the withdrawal of the one before (it is made because the breach is notifiable again).
    const withdrawn =
      to === 'ap' && kind === 'initial' ? previous.filter((r) => r.kind === 'withdrawal' && r.at > at).sort((x, y) => y.at.localeCompare(x.at))[0] : undefined;
    if (withdrawn) {
      throw refuse(
        `--at ${shownIn(at, deps.policy.timeZone)} lies before the withdrawal of the notification to the AP it follows (${withdrawn.reference}, ${shownIn(withdrawn.at, deps.policy.timeZone)}): a notification anew is made after the one before was withdrawn, or the AP would hold two of one breach (Art. 33(1), (4))`,
        `${local(at)} ligt vóór de intrekking van de melding aan de AP waarop deze volgt (${withdrawn.reference}, ${local(withdrawn.at)}): een nieuwe melding volgt op de intrekking van de vorige, anders heeft de AP twee meldingen van één datalek (AVG art. 33(1), (4)).`,
      );
    }
    if (kind === 'withdrawal') checkWithdrawal(deps, draft, reportReason);
    // An initial AP report dated at or before a deadline that passed with no report recorded, but
    // entered after it had passed: the record held the notification overdue. "Met" then rests on
    // the time stated alone; the FG confirms it, and the record marks it (Art. 33(5)).
    // Entered at the machine's clock when the run's --now is stated behind it (atk28 F16).
    const entered = enteredAt(deps);
    const passed = to === 'ap' && kind === 'initial' ? passedDeadlines(draft, roleOf(draft, deps.policy), entered).find((p) => at <= p.deadline) : undefined;
    const afterDeadline = passed?.deadline ?? null;
    if (passed && !input.confirmStatedTime) {
      throw refuse(
        `--at ${shownIn(at, deps.policy.timeZone)} lies before the AP deadline (${shownIn(passed.deadline, deps.policy.timeZone)}), but the report is entered at ${shownIn(entered, deps.policy.timeZone)}, after it had passed: the record held the notification overdue from ${shownIn(passed.overdueFrom, deps.policy.timeZone)}, and datalek's overdue reminders were due; the record will mark the report entered after the deadline; confirm that it was submitted then with --confirm-stated-time (Art. 33(5))`,
        `"Ingediend op" (${local(at)}) ligt vóór de AP-termijn (${local(passed.deadline)}), maar de melding wordt vastgelegd op ${local(entered)}, nadat die verstreken was: het dossier toonde de melding als te laat sinds ${local(passed.overdueFrom)} en datalek herinnerde daaraan. Het dossier markeert de melding als ingevoerd na het verstrijken van de termijn: bevestig het opgegeven tijdstip ("Ik bevestig het opgegeven tijdstip") (AVG art. 33(5)).`,
      );
    }
    // Art. 33(1): a notification after 72 hours must give the reasons for the delay; judged by the stated time.
    // An internal target shorter than 72 hours is no deadline of the law: missing it is no delay (review12 S3).
    const legal = apLegalDeadline(draft);
    const target = apInternalTarget(draft);
    // Only a notification the AVG requires can be late under it: not one of a breach the FG holds not
    // notifiable (a telecom provider's under Regulation 611/2013 art. 2, or a voluntary one); made
    // notifiable later, it reads late then and the reasons follow with a follow-up (law24).
    const avgOwed = roleOf(draft, deps.policy) === 'controller' && draft.assessment?.notifiable !== false;
    // A notification anew after a withdrawal is judged with the first (ap-verdict.ts apVerdictReport, law28): the
    // AP was notified of the breach then, and a first one made late gave its reasons then.
    const notifiedBefore = (draft.reports ?? []).some((r) => r.to === 'ap' && r.kind === 'initial');
    const pastDeadline = to === 'ap' && kind === 'initial' && legal !== null && at > legal && avgOwed;
    const late = pastDeadline && !notifiedBefore;
    // Made anew after the deadline: reasons are not asked, but taken (why the AP held no notification since the withdrawal).
    const anewAfterDeadline = pastDeadline && notifiedBefore;
    // The reasons for a delay can follow the initial report, with a follow-up or correction to the
    // AP: kept with that report, never written into the initial one.
    const reasonsAfterwards =
      (to === 'ap' && (kind === 'follow-up' || kind === 'correction') && initialReportLate(draft) && avgOwed) ||
      (to === 'controller' && kind === 'follow-up' && controllerToldLate(draft, deps.policy));
    // Art. 33(2): a processor tells its controller without undue delay (the contract's hours); a
    // report after them gives the reasons for the delay, as a late AP report does.
    const controllerDue = to === 'controller' && kind === 'initial' && roleOf(draft, deps.policy) === 'processor' ? controllerDueAt(draft, deps.policy) : null;
    if (controllerDue && at > controllerDue && !delayReason) {
      throw refuse(
        `the report to the controller is ${formatDuration(Date.parse(at) - Date.parse(controllerDue))} after ${shownIn(controllerDue, deps.policy.timeZone)}, the time a processor has to inform it (clocks.processorToControllerHours; Art. 33(2): without undue delay): give the reasons for the delay (--delay-reason)`,
        `De melding aan de verwerkingsverantwoordelijke is ${formatDuration(Date.parse(at) - Date.parse(controllerDue), 'nl')} na ${local(controllerDue)}, de tijd die een verwerker heeft om die te informeren (AVG art. 33(2): zonder onredelijke vertraging): geef de redenen voor de vertraging ("Reden voor de vertraging").`,
      );
    }
    // Regulation 611/2013 art. 2(3): the complete notification after the three days following the
    // initial one gives the reasons for the delay (law24); they are the Telecommunicatiewet's, kept
    // marked so, not reasons under Art. 33(1) (ap-verdict.ts delayReasons).
    const completeLate = telecomCompleteLate(draft, deps.policy, now, to, kind, at);
    if (completeLate && !delayReason) {
      throw refuse(
        `this report completes the telecom notification to the AP ${formatDuration(Date.parse(at) - Date.parse(completeLate))} after its deadline (${shownIn(completeLate, deps.policy.timeZone)}, three days after the initial notification): Regulation 611/2013 art. 2(3) requires the reasons for the delay (--delay-reason)`,
        `Deze melding maakt de melding aan de AP onder de Telecommunicatiewet compleet, ${formatDuration(Date.parse(at) - Date.parse(completeLate), 'nl')} na de termijn (${local(completeLate)}, drie dagen na de eerste melding): Verordening 611/2013 art. 2(3) vraagt de redenen voor de vertraging ("Reden voor de vertraging").`,
      );
    }
    if (late && !delayReason) {
      throw refuse(
        `the report is ${formatDuration(Date.parse(at) - Date.parse(legal as string))} after the AP deadline (${shownIn(legal, deps.policy.timeZone)}): Art. 33(1) requires the reasons for the delay (--delay-reason)`,
        `De melding is ${formatDuration(Date.parse(at) - Date.parse(legal as string), 'nl')} na de termijn van de AP (${local(legal as string)}): AVG art. 33(1) vraagt de redenen voor de vertraging ("Reden voor de vertraging").`,
      );
    }
    if (
      !late &&
      !completeLate &&
      !reasonsAfterwards &&
      !(controllerDue && at > controllerDue) &&
      delayReason &&
      to === 'ap' &&
      kind !== 'withdrawal' &&
      !avgOwed
    ) {
      const a = draft.assessment;
      const why =
        a?.notifiable === false
          ? `the assessment in force (${shownIn(a.at, deps.policy.timeZone)}: personal data ${a.personalData}, risk ${a.risk}) says not notifiable`
          : 'the organisation is processor for this incident (Art. 33(2))';
      const waarom =
        a?.notifiable === false ? 'de geldende beoordeling zegt niet meldplichtig' : 'de organisatie is verwerker voor dit incident (AVG art. 33(2))';
      throw refuse(
        `--delay-reason given, but ${why}: the deadline of Art. 33(1) does not bind this report, and there is no delay to explain`,
        `Er is een reden voor vertraging ingevuld, maar ${waarom}: de termijn van AVG art. 33(1) geldt niet voor deze melding, er is geen vertraging uit te leggen.`,
      );
    }
    if (!late && !anewAfterDeadline && !completeLate && !reasonsAfterwards && !(controllerDue && at > controllerDue) && delayReason) {
      throw refuse(
        to === 'ap' && kind === 'initial'
          ? `--delay-reason given, but the report at ${shownIn(at, deps.policy.timeZone)} is within the AP deadline (${shownIn(legal, deps.policy.timeZone)}): there is no delay to explain (Art. 33(1))${target && at > target.at ? `; the internal target of ${target.hours} hours (${shownIn(target.at, deps.policy.timeZone)}) is the organisation's own, not the law's` : ''}`
          : '--delay-reason belongs to a late initial report to the AP or the controller, or to a follow-up (or correction to the AP) that gives the reasons for one afterwards (Art. 33(1), (2))',
        to === 'ap' && kind === 'initial'
          ? `Er is een reden voor vertraging ingevuld, maar de melding op ${local(at)} valt binnen de termijn van de AP (${local(legal as string)}): er is geen vertraging uit te leggen (AVG art. 33(1)).${target && at > target.at ? ` De interne doelstelling van ${target.hours} uur (${local(target.at)}) is die van de organisatie, niet die van de wet.` : ''}`
          : 'Een reden voor vertraging hoort alleen bij een te late eerste melding aan de AP, of bij een vervolgmelding of correctie aan de AP die de redenen daarvoor alsnog geeft (AVG art. 33(1)).',
      );
    }
    const factsAfter = draft.facts?.updatedAt && draft.facts.updatedAt > at ? draft.facts.updatedAt : null;
    report = {
      version: previous.length + 1,
      to,
      kind,
      reference,
      at,
      delayReason,
      // Given only for the Telecommunicatiewet's complete notification, not for a delay under Art. 33(1).
      ...(delayReason && completeLate && !late && !reasonsAfterwards ? { delayUnder: 'telecom-complete' as const } : {}),
      by,
      recordedAt: now,
      enteredLater: enteredLater(at, entered) || afterDeadline !== null,
      ...(afterDeadline ? { enteredAfterDeadline: afterDeadline } : {}),
      ...(stated.beforeDetection ? { beforeDetection: true } : {}),
      // Facts recorded after the report's stated time were not in it as they are now (review11 A3): which it carried is not known.
      factsComplete: draft.facts?.complete === true && !factsAfter,
      ...(to === 'ap' && kind !== 'withdrawal' && factsAfter ? { factsAfter } : {}),
      ...(reportReason ? { reason: reportReason } : {}),
      ...(afterClose ? { afterClose } : {}),
    };
    // What it carried, the report itself among the record's: its reasons for the delay are in it
    // (Art. 33(1)), and the next draft must not name them as "added since" it (fg24).
    if (to === 'ap' && kind !== 'withdrawal' && !factsAfter) report.factsSent = factsCarried({ ...draft, reports: [...(draft.reports ?? []), report] });
    // The same for every other clock the report meets: dated before its deadline, entered after
    // the record held it overdue (core/clocks.ts). The FG confirms, and the record names the clock.
    const metAfter = clocksStoppedAfterDeadline(draft, { ...draft, reports: [...(draft.reports ?? []), report] }, deps.policy, entered);
    if (metAfter.length && !input.confirmStatedTime) throw clockPassedRefusal(metAfter, entered, deps.policy.timeZone, at);
    if (metAfter.length) report.clocksEnteredAfterDeadline = metAfter;
    draft.reports = [...(draft.reports ?? []), report];
    if (afterClose) draft.afterClose = [...(draft.afterClose ?? []), { at: now, by, what: `${to}:${kind}:${reference}`, reason: reportReason as string }];
    if (to === 'ap' && kind === 'initial' && draft.state !== 'closed') draft.state = 'reported';
    if (kind === 'withdrawal' && draft.state === 'reported') draft.state = 'assessed';
    return { entries: [{ at: now, kind: 'reported', actor: by, detail: { ...report, late } }] };
  });
  return { incident, report: report as ReportRecord };
}

/**
 * A report to the AP (a telecom provider's too) or a processor's to its controller tells of the
 * breach: nobody tells of a breach they are not aware of, so it is not stated before the awareness
 * on record (Art. 33(1), (2)), as an Art. 34 communication is not (`decideSubjects`) and awareness
 * is not moved after a report (`moveAwareness`). The NIS2 reports run from awareness of the
 * significant incident, which is not the GDPR's: they are not held to it here.
 */
function checkToldAfterAwareness(deps: FgDeps, draft: Incident, to: ReportRecipient, at: string): void {
  if ((to !== 'ap' && to !== 'controller') || !draft.awareAt || at >= draft.awareAt) return;
  const local = (iso: string) => formatLocal(iso, deps.policy.timeZone);
  const article = to === 'ap' ? 'Art. 33(1)' : 'Art. 33(2)';
  throw refuse(
    `--at ${shownIn(at, deps.policy.timeZone)} lies before the awareness on record, ${shownIn(draft.awareAt, deps.policy.timeZone)}: nobody reports a breach they are not aware of (${article}); if the organisation was aware earlier, record that first (datalek assess --aware-at --aware-reason)`,
    `"Ingediend op" (${local(at)}) ligt vóór het vastgelegde bewustwordingsmoment (${local(draft.awareAt)}): niemand meldt een datalek waarvan hij niet op de hoogte is (AVG ${article.replace('Art.', 'art.')}); was de organisatie eerder op de hoogte, leg dat dan eerst vast bij de beoordeling ("Bewust geworden op").`,
  );
}

/**
 * A withdrawal tells the AP that the breach needed no notification after all: the record keeps why
 * (Art. 33(5)), and the FG's assessment in force must say so (not notifiable, or the notification
 * is the controller's), or the register would read "met" while the AP holds no notification.
 */
/**
 * An entry that stops clocks the record held overdue (`passed`): a report dated before their
 * deadlines (`at`), or a decision that moves or ends them, entered after; the FG confirms it.
 */
function clockPassedRefusal(
  passed: ClockMark[],
  now: string,
  timeZone: string,
  at?: string,
  entry: { en: string; nl: string } = { en: 'this decision', nl: 'Dit besluit' },
): RefusedError {
  const local = (iso: string) => formatLocal(iso, timeZone);
  const en = passed.map((p) => `the ${deadlineName(p.clock as ClockName).en} (${shownIn(p.deadline, timeZone)})`).join(' and ');
  const nl = passed.map((p) => `de termijn ${deadlineName(p.clock as ClockName).nl} (${local(p.deadline)})`).join(' en ');
  const from = passed.map((p) => p.overdueFrom);
  const overdue = `the record held it overdue from ${from.map((f) => shownIn(f, timeZone)).join(' and ')}, and datalek's overdue reminders were due`;
  const overdueNl = `het dossier toonde die termijn als verlopen sinds ${from.map(local).join(' en ')} en datalek herinnerde daaraan`;
  return at
    ? refuse(
        `--at ${shownIn(at, timeZone)} lies before ${en}, but the report is entered at ${shownIn(now, timeZone)}, after it had passed: ${overdue}; the record will mark the report entered after that deadline; confirm that it was submitted then with --confirm-stated-time (Art. 33(5))`,
        `"Ingediend op" (${local(at)}) ligt vóór ${nl}, maar de melding wordt vastgelegd op ${local(now)}, nadat die verstreken was: ${overdueNl}. Het dossier markeert de melding als ingevoerd na het verstrijken van die termijn: bevestig het opgegeven tijdstip ("Ik bevestig het opgegeven tijdstip") (AVG art. 33(5)).`,
      )
    : refuse(
        `${entry.en} stops ${en} from reading overdue, but it is entered at ${shownIn(now, timeZone)}, after that deadline had passed: ${overdue}; the record will mark it entered after that deadline; confirm it with --confirm-stated-time (Art. 33(5))`,
        `${entry.nl} laat ${nl} niet langer als verlopen lezen, maar wordt vastgelegd op ${local(now)}, nadat die verstreken was: ${overdueNl}. Het dossier markeert dit als ingevoerd na het verstrijken van die termijn: bevestig het ("Ik bevestig het opgegeven tijdstip") (AVG art. 33(5)).`,
      );
}

function checkWithdrawal(deps: FgDeps, draft: Incident, reason: string | null): void {
  if (!reason) {
    throw refuse(
      'a withdrawal of the AP notification needs its reason (--reason): the register keeps why the AP no longer holds a notification (Art. 33(5))',
      'Een intrekking van de melding aan de AP heeft een reden nodig ("Reden"): het register bewaart waarom de AP geen melding meer heeft (AVG art. 33(5)).',
    );
  }
  const a = draft.assessment;
  if (roleOf(draft, deps.policy) === 'controller' && a?.notifiable !== false) {
    const said = a
      ? `the assessment in force (${shownIn(a.at, deps.policy.timeZone)}: personal data ${a.personalData}, risk ${a.risk}) says notifiable`
      : 'no assessment is recorded';
    throw refuse(
      `a withdrawal says the breach needed no notification after all, but ${said}: record that it is not notifiable first, with its reasoning (datalek assess --personal-data no --risk none, or --risk none) (Art. 33(1), (5))`,
      `Een intrekking zegt dat het datalek toch niet gemeld hoefde te worden, maar ${a ? `de geldende beoordeling (${formatLocal(a.at, deps.policy.timeZone)}) zegt meldplichtig` : 'er is geen beoordeling vastgelegd'}: leg eerst met motivering vast dat het niet meldplichtig is (AVG art. 33(1), (5)).`,
    );
  }
  if (apOwedUnderTelecom(draft, deps.policy)) {
    throw refuse(
      `a withdrawal says the breach of ${draft.id} needed no notification after all, but a provider of public electronic communications notifies the AP of every breach with personal data, whatever the risk (Regulation 611/2013 art. 2, Telecommunicatiewet art. 11.3a): the notification stands; it is withdrawn only when no personal data is affected (datalek assess ${draft.id} --personal-data no --risk none --reason TEXT); nothing was recorded`,
      'Een intrekking zegt dat het datalek toch niet gemeld hoefde te worden, maar een aanbieder van openbare elektronische communicatiediensten meldt elk datalek met persoonsgegevens aan de AP, ongeacht het risico (Telecommunicatiewet art. 11.3a, Verordening 611/2013 art. 2): de melding blijft staan. Intrekken kan alleen als er geen persoonsgegevens getroffen zijn; leg dat dan eerst met motivering vast bij de beoordeling. Er is niets vastgelegd.',
    );
  }
}

/**
 * An assessment from the command line answers only for the finding types the person was shown
 * (`show`'s `--seen` token, or the types named): a finding of a new type that came since (an
 * exfiltration on the instance she assesses as a miner) makes her "no personal data" one she never
 * weighed. With neither, one type needs nothing; more than one must be named (storm11's page check).
 * Named, every type counts, those past the 100 the record lists too (`joined`: the types its findings
 * had, core/finding-types.ts; the record's hashes catch one that came since they were read), and a
 * name none of its findings had is refused: the record would say the assessment answers for it (fg15).
 */
function checkTypesSeen(incident: Incident, seen: NonNullable<AssessInput['seen']>, joined: JoinedType[], timeZone: string): void {
  const types = findingTypesOfIncident(incident);
  const again = `look at the incident again (datalek show ${incident.id}) and assess with the --seen it prints, or name every type you assessed (--finding-types)`;
  const opnieuw = 'bekijk het incident opnieuw en beoordeel het met wat u dan ziet';
  if (seen.types?.length) {
    const named = seen.types;
    const names = typeNames(incident, joined);
    const hashes = incident.findingTypesNotListed?.hashes ?? [];
    const foreign = named.filter((t) => !names.all.includes(t) && !hashes.includes(typeNotListedHash(t)));
    if (foreign.length) {
      throw refuse(
        `not a type of any finding of incident ${incident.id}: ${foreign.join(', ')}; the assessment would say it answers for it (Art. 33(5)): name the types datalek show ${incident.id} lists; nothing was recorded`,
        `Geen soort van een bevinding van incident ${incident.id}: ${foreign.join(', ')} (AVG art. 33(5)): ${opnieuw}. Er is niets vastgelegd.`,
      );
    }
    const unnamed: string[] = names.all.filter((t) => !named.includes(t));
    // A hash no name covers, named or not: a type past the list whose name no finding read gives (one that came since).
    const covered = new Set([...named, ...unnamed].map(typeNotListedHash));
    const orphans = hashes.filter((h) => !covered.has(h)).length;
    if (orphans) unnamed.push(`${orphans} further type${orphans === 1 ? '' : 's'} past the 100 listed`);
    if (unnamed.length) {
      throw refuse(
        `the assessment answers only for the finding types you name; not named in --finding-types: ${unnamed.join(', ')} (Art. 33(1), (5)): ${again}; nothing was recorded`,
        `De beoordeling geldt alleen voor de soorten bevindingen die u aanvinkt; niet aangevinkt: ${unnamed.join(', ')} (AVG art. 33(1), (5)): ${opnieuw}. Er is niets vastgelegd.`,
      );
    }
    // Types name no resource: the review a resource new to the incident asked takes the token too (red26;
    // the page gives the token of the state it drew, web/action-forms.ts).
    if (newResourceReview(incident)) {
      if (!seen.token) throw newResourceUnseen(incident, timeZone);
      checkResourcesSeen(incident, seen.token, again, opnieuw);
    }
    return;
  }
  if (seen.token) {
    if (seen.token.split('-')[0] === typesSeen(incident)) checkResourcesSeen(incident, seen.token, again, opnieuw);
    if (seen.token !== findingTypesSeen(incident)) {
      throw refuse(
        `the finding types changed since show printed --seen ${seen.token}: the incident now holds ${types.join(', ')}; a finding of a type you were not shown came since (Art. 33(1), (5)): ${again}; nothing was recorded`,
        `De soorten bevindingen zijn veranderd sinds u het incident bekeek: het bevat nu ${types.join(', ')} (AVG art. 33(1), (5)): ${opnieuw}. Er is niets vastgelegd.`,
      );
    }
    return;
  }
  if (types.length > 1) {
    // Those past the list too, by their hashes (`findingTypesNotListed`; none kept before 3f4c3fb).
    const past = incident.findingTypesNotListed?.hashes?.length ?? 0;
    const count = types.length + past;
    throw refuse(
      `incident ${incident.id} holds ${count} finding types (${types.join(', ')}${past ? ` and ${past} past the ${types.length} listed` : ''}): say which you assessed, with the --seen that datalek show ${incident.id} prints, or --finding-types naming them all (Art. 33(1), (5)); nothing was recorded`,
      `Incident ${incident.id} bevat ${count} soorten bevindingen: vink bij "Beoordeelde soorten bevindingen" elke soort aan die u hebt beoordeeld (AVG art. 33(1), (5)). Er is niets vastgelegd.`,
    );
  }
  // One type asks no token, but a review a resource new to the incident asked does: the token is what
  // says the assessment saw it (27d8c96c).
  if (newResourceReview(incident)) throw newResourceUnseen(incident, timeZone);
}

/** A review pending that a resource new to the incident asked (27d8c96c): only the `--seen` token says the assessment saw it. */
function newResourceReview(incident: Incident): boolean {
  return reviewPending(incident) && incident.reviewAsked?.newResource === true;
}

function newResourceUnseen(incident: Incident, timeZone: string): RefusedError {
  const asked = incident.reviewAsked as NonNullable<Incident['reviewAsked']>;
  return refuse(
    `a finding named a resource the incident did not hold after the assessment of ${shownIn(asked.assessedAt, timeZone)} (${asked.findingType}, ${asked.findingId}): say you were shown it, with the --seen that datalek show ${incident.id} prints (Art. 33(1), (5)); nothing was recorded`,
    `Na de beoordeling noemde een bevinding een resource die het incident nog niet had: bekijk het incident opnieuw en beoordeel het met wat u dan ziet (AVG art. 33(1), (5)). Er is niets vastgelegd.`,
  );
}

/**
 * Refuses a `--seen` token whose resources' part is not the incident's now (4826cd92): the resources changed,
 * or the token is another incident's (red27), or was printed before the token named its incident.
 */
function checkResourcesSeen(incident: Incident, token: string, again: string, opnieuw: string): void {
  if ((token.split('-')[1] ?? '') === resourcesSeen(incident)) return;
  const held = resourcesHeld(incident);
  throw refuse(
    `the resources changed since show printed --seen ${token}, or it was not printed for incident ${incident.id} (another incident's token, or one printed before the token named its incident): the incident now names ${held} resources and credentials; a finding naming a resource you were not shown came since, or an incident was merged into it (Art. 33(1), (5)): ${again}; nothing was recorded`,
    `De resources van het incident zijn veranderd sinds u het bekeek, of u bekeek een ander incident: het noemt er nu ${held}, inloggegevens meegeteld (AVG art. 33(1), (5)): ${opnieuw}. Er is niets vastgelegd.`,
  );
}

// --- Art. 34 -----------------------------------------------------------------------------------

export interface SubjectsInput {
  incidentId: string;
  /** The data subjects (Art. 34), or a telecom provider's subscribers (Regulation 611/2013 art. 3). */
  audience?: 'data-subjects' | 'subscribers';
  decision: SubjectsDecision['decision'];
  reason: string;
  by: string;
  /** When they were informed, or when the public communication was made (a stated time). */
  date?: string;
  channel?: string;
  /** The text of the communication: required to inform (Art. 34(2); subscribers Regulation 611/2013 art. 3(3)) and for a public communication (Art. 34(3)(c)). */
  text?: string;
  exception?: SubjectsDecision['exception'];
  /** The person means the closed incident (`--after-close`): required for a decision after closing, refused on an open incident. */
  confirmAfterClose?: boolean;
  /** The subscribers' exception for unintelligible data: the AP's reference of its agreement (Regulation 611/2013 art. 4(1)). */
  apReference?: string;
  /** When the AP agreed (a stated time). */
  apAgreedAt?: string;
  /**
   * The exception "encrypted" for a breach that is also one of availability or integrity: why that
   * part is no longer a high risk (encryption answers only the confidentiality part; review7 G19).
   */
  otherNatureReason?: string;
  /** The person confirms a `date` before GuardDuty's detection, after an awareness recorded before it (review11 S1). */
  confirmStatedTime?: boolean;
}

const SUBJECTS_DECISIONS: readonly SubjectsDecision['decision'][] = ['inform', 'exception', 'not-required'];
const SUBJECTS_EXCEPTIONS: readonly NonNullable<SubjectsDecision['exception']>[] = ['encrypted', 'measures-taken', 'disproportionate-effort'];
const SUBJECTS_AUDIENCES: readonly NonNullable<SubjectsInput['audience']>[] = ['data-subjects', 'subscribers'];

/** Each check below compares to a known value: an unknown one would pass them all and be recorded as the decision (any caller, not only the CLI's and the page's choices). */
function checkSubjectsValues(input: SubjectsInput): void {
  const check = (flag: string, value: unknown, what: string, allowed: readonly string[], nl: string, optional: boolean) => {
    if (optional && (value === undefined || value === null)) return;
    if (allowed.includes(value as string)) return;
    const list = `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
    const given = value === undefined || value === null ? 'is missing' : `${JSON.stringify(value)} is not ${what}`;
    throw refuse(`--${flag} ${given}: use ${list} (Art. 34)`, `Kies bij ${nl} een van de aangeboden mogelijkheden (AVG art. 34).`);
  };
  check('decision', input.decision, 'a decision on informing the data subjects', SUBJECTS_DECISIONS, '"Besluit"', false);
  check('exception', input.exception, 'an exception of Art. 34(3)', SUBJECTS_EXCEPTIONS, '"Uitzondering"', true);
  check('audience', input.audience, 'whom a decision of Art. 34 can concern', SUBJECTS_AUDIENCES, '"Wie"', true);
}

/** Records the decision on informing the data subjects (or subscribers) as Art. 34 reads. */
export async function decideSubjects(deps: FgDeps, input: SubjectsInput): Promise<Incident> {
  checkSubjectsValues(input);
  const reason = required(input.reason, 'a reason (--reason)', REASON_WHY, REASON_NL);
  const by = required(input.by, 'who decides (--by)', '', BY_NL);
  const audience = input.audience ?? 'data-subjects';
  const communication = input.date !== undefined || input.channel !== undefined || input.text !== undefined;
  if (input.decision === 'inform' && input.exception) {
    throw refuse(
      '--decision inform and --exception exclude each other: the data subjects are informed, or an exception of Art. 34(3) applies (Art. 34)',
      'Informeren en een uitzondering sluiten elkaar uit: de betrokkenen worden geïnformeerd, of er geldt een uitzondering van art. 34(3) (AVG art. 34).',
    );
  }
  if (input.decision === 'inform' && (!input.date || !input.channel?.trim())) {
    throw refuse(
      'informing the data subjects needs the date (--date) and the channel (--channel) of the communication (Art. 34(1), (2))',
      'Informeren vraagt wanneer ("Geïnformeerd op") en hoe ("Kanaal") het bericht verstuurd is (AVG art. 34(1), (2)).',
    );
  }
  if (input.decision === 'inform' && !input.text?.trim()) {
    const subscribers = audience === 'subscribers';
    throw refuse(
      `informing the ${subscribers ? 'subscribers' : 'data subjects'} needs what they were told (--text TEXT: the message as sent, e.g. the notice datalek drafted, datalek notice ID, as edited): ${subscribers ? 'Regulation 611/2013 art. 3(3) and Annex II prescribe' : 'Art. 34(2) prescribes'} its content, and the register shows what was sent (Art. 5(2), 33(5))`,
      `Informeren vraagt wat ${subscribers ? 'de abonnees' : 'de betrokkenen'} is verteld ("Tekst van het bericht": het bericht zoals het verstuurd is, bijvoorbeeld de kennisgeving die datalek opstelde, zoals aangepast): ${subscribers ? 'Verordening 611/2013 art. 3(3) en bijlage II schrijven' : 'AVG art. 34(2) schrijft'} de inhoud voor, en het register toont wat er verstuurd is (AVG art. 5(2), 33(5)).`,
    );
  }
  if (input.decision === 'exception' && !input.exception) {
    throw refuse(
      'an exception needs which one of Art. 34(3) applies (--exception encrypted|measures-taken|disproportionate-effort)',
      'Kies bij "Uitzondering" welke uitzondering van art. 34(3) geldt.',
    );
  }
  if (input.decision === 'not-required' && (input.exception || communication)) {
    throw refuse(
      '"not required" records no exception and no communication (Art. 34(1)); use --decision exception or inform',
      '"Niet vereist" legt geen uitzondering en geen bericht vast (AVG art. 34(1)); kies "uitzondering" of "informeren".',
    );
  }
  if (input.exception === 'disproportionate-effort' && (!input.date || !input.channel?.trim() || !input.text?.trim())) {
    throw refuse(
      'the exception of disproportionate effort needs a public communication instead (Art. 34(3)(c)): give its --date, --channel and --text',
      'Bij onevenredige inspanning is in plaats daarvan een openbare mededeling nodig (AVG art. 34(3)(c)): vul de datum ("Geïnformeerd op"), het kanaal en de tekst in.',
    );
  }
  if ((input.exception === 'encrypted' || input.exception === 'measures-taken') && communication) {
    throw refuse(
      `the exception "${input.exception}" involves no communication (Art. 34(3)): --date, --channel and --text do not belong to it`,
      `De uitzondering "${exceptionLabel('nl', input.exception)}" kent geen bericht (AVG art. 34(3)): laat datum, kanaal en tekst leeg.`,
    );
  }
  if (audience === 'subscribers') {
    if (input.exception && input.exception !== 'encrypted') {
      throw refuse(
        `--exception ${input.exception} is not an exception for subscribers: only unintelligible data is (Regulation 611/2013 art. 4)`,
        `"${exceptionLabel('nl', input.exception)}" is geen uitzondering voor abonnees: alleen onbegrijpelijke gegevens zijn dat (Verordening 611/2013 art. 4).`,
      );
    }
  }
  const apAgreement = input.apReference?.trim() || input.apAgreedAt !== undefined;
  const subscribersEncrypted = audience === 'subscribers' && input.exception === 'encrypted';
  if (apAgreement && !subscribersEncrypted) {
    throw refuse(
      '--ap-reference and --ap-agreed-at belong to the subscribers’ exception for unintelligible data (--audience subscribers --exception encrypted, Regulation 611/2013 art. 4(1))',
      'Het kenmerk en de datum van de instemming van de AP horen alleen bij de uitzondering voor abonnees wegens onbegrijpelijke gegevens (Verordening 611/2013 art. 4(1)).',
    );
  }
  // Regulation 611/2013 art. 4(1): not notifying the subscribers needs the provider to have shown the
  // competent authority (the AP) that the data was unintelligible, to its satisfaction: the provider's
  // own view of its encryption is not enough, the AP's agreement is recorded with the exception.
  if (subscribersEncrypted && (!input.apReference?.trim() || input.apAgreedAt === undefined)) {
    throw refuse(
      'the subscribers’ exception for unintelligible data needs the AP’s agreement: Regulation 611/2013 art. 4(1) lets a provider skip notifying its subscribers only when it showed the AP, to its satisfaction, that the data was unintelligible to anyone not authorised; give the AP’s reference (--ap-reference) and when it agreed (--ap-agreed-at), or inform the subscribers; nothing was recorded',
      'De uitzondering voor abonnees wegens onbegrijpelijke gegevens vraagt de instemming van de AP: volgens Verordening 611/2013 art. 4(1) hoeft een aanbieder zijn abonnees alleen niet te informeren als hij de AP heeft aangetoond, tot haar tevredenheid, dat de gegevens onbegrijpelijk waren voor onbevoegden. Vul het kenmerk van de AP en de datum van haar instemming in, of informeer de abonnees; er is niets vastgelegd.',
    );
  }
  const { incident } = await changeIncident(deps, input.incidentId, (draft) => {
    // The incident's telecom clocks (recorded under them) or the policy's now (law27).
    if (audience === 'subscribers' && !clockDecisionsOpen(draft, deps.policy, 'telecom')) {
      throw refuse(
        'informing subscribers is a duty under the Telecommunicatiewet (Regulation 611/2013 art. 3); the policy runs no telecom clocks (clocks.telecom)',
        'Abonnees informeren is een plicht onder de Telecommunicatiewet (Verordening 611/2013 art. 3); het beleid laat geen telecomtermijnen lopen.',
      );
    }
    const afterClose = draft.state === 'closed';
    if (afterClose) afterCloseReason(draft, true, reason, deps.policy.timeZone);
    checkAfterCloseConfirmed(draft, input.confirmAfterClose, deps.policy.timeZone);
    const now = deps.now();
    checkRecordingTime(draft, now, 'the decision', deps.policy.timeZone);
    // After an awareness before GuardDuty's detection, a communication made before the detection is true: confirmed, and marked.
    const stated =
      input.date !== undefined
        ? checkStatedAfterAwareness(draft, input.date, now, '--date', draft.awareAt, input.confirmStatedTime === true, deps.policy.timeZone)
        : null;
    const date = stated?.at ?? null;
    if (date && draft.awareAt && date < draft.awareAt) {
      throw refuse(
        `--date ${shownIn(date, deps.policy.timeZone)} lies before the awareness on record, ${shownIn(draft.awareAt, deps.policy.timeZone)}: nobody informs of a breach they are not aware of (Art. 34(1)); if the organisation was aware earlier, record that first (datalek assess --aware-at --aware-reason)`,
        `De datum ${formatLocal(date, deps.policy.timeZone)} ligt vóór het vastgelegde bewustwordingsmoment (${formatLocal(draft.awareAt, deps.policy.timeZone)}): niemand informeert over een datalek waarvan hij niet op de hoogte is (AVG art. 34(1)); was de organisatie eerder op de hoogte, leg dat dan eerst vast bij de beoordeling.`,
      );
    }
    if (input.decision === 'not-required') notRequiredCheck(draft, audience);
    if (audience === 'data-subjects') {
      if (roleOf(draft, deps.policy) === 'processor') {
        throw refuse(
          `as processor for incident ${draft.id} the Art. 34 decision is the controller's (Art. 33(2), 34): inform the controller (datalek reported --recipient controller)`,
          `Als verwerker voor incident ${draft.id} is het besluit over de betrokkenen aan de verwerkingsverantwoordelijke (AVG art. 33(2), 34): informeer de verwerkingsverantwoordelijke en leg dat vast bij "Melding vastleggen".`,
        );
      }
      // A containment being released is no measure (contain15: S5's window, containment.ts asReleased).
      if (input.exception === 'measures-taken' && measuresTaken(asReleased(draft, deps)).length === 0) {
        throw refuse(
          'the exception "measures taken" needs the measures recorded that make the high risk no longer likely (facts --measures-taken, or containment carried out) (Art. 34(3)(b))',
          'De uitzondering "latere maatregelen" vraagt de vastgelegde maatregelen die het hoge risico wegnemen ("Genomen maatregelen" bij de feiten, of uitgevoerde inperking) (AVG art. 34(3)(b)).',
        );
      }
    }
    if (input.exception === 'encrypted' && draft.facts?.unintelligible !== 'yes') {
      throw refuse(
        `the exception "encrypted" needs the facts to say the data was unintelligible to anyone not authorised (facts --unintelligible yes); they say ${draft.facts?.unintelligible ?? 'nothing yet'} (${audience === 'subscribers' ? 'Regulation 611/2013 art. 4' : 'Art. 34(3)(a)'})`,
        `De uitzondering "onbegrijpelijk" vraagt dat de feiten zeggen dat de gegevens onbegrijpelijk waren voor onbevoegden ("Waren de gegevens versleuteld of anders onbegrijpelijk?": ja); ze zeggen: ${draft.facts?.unintelligible ? yesNo('nl', draft.facts.unintelligible) : 'nog niets'} (${audience === 'subscribers' ? 'Verordening 611/2013 art. 4' : 'AVG art. 34(3)(a)'}).`,
      );
    }
    if (input.exception === 'encrypted' && !(draft.facts?.nature ?? []).includes('confidentiality')) {
      throw encryptedWithoutConfidentiality(audience, draft.facts?.nature ?? []);
    }
    const otherNature = input.exception === 'encrypted' ? natureBesidesConfidentiality(draft.facts?.nature ?? []) : [];
    const otherNatureReason = givenText(input.otherNatureReason);
    if (otherNature.length && !otherNatureReason) throw encryptedOtherNatureUnanswered(audience, otherNature);
    if (otherNatureReason && !otherNature.length) {
      throw refuse(
        '--other-nature-reason belongs to the exception "encrypted" for a breach the facts name as one of availability or integrity besides confidentiality (Art. 34(3)(a)); nothing was recorded',
        'De reden voor de inbreuk op beschikbaarheid of integriteit hoort bij de uitzondering "onbegrijpelijk" voor een datalek dat de feiten ook zo noemen (AVG art. 34(3)(a)); er is niets vastgelegd.',
      );
    }
    const apAgreedAt = subscribersEncrypted ? checkStatedTime(draft, input.apAgreedAt as string, now, '--ap-agreed-at', deps.policy.timeZone) : null;
    const sent = givenText(input.text);
    const decision: SubjectsDecision = {
      ...(apAgreedAt ? { apAgreed: { reference: (input.apReference as string).trim(), at: apAgreedAt, by } } : {}),
      decision: input.decision,
      date,
      channel: givenText(input.channel),
      exception: input.exception ?? null,
      text: sent && keptSentText(sent),
      reason,
      ...(otherNatureReason ? { otherNatureReason } : {}),
      by,
      at: now,
      enteredLater: date ? enteredLater(date, enteredAt(deps)) : false,
      ...(stated?.beforeDetection ? { beforeDetection: true } : {}),
    };
    if (audience === 'data-subjects') draft.subjects = decision;
    else draft.subscribers = decision;
    history(draft).push({ kind: 'subjects', ...decision, recordedAt: now, ...(audience === 'subscribers' ? { audience } : {}) });
    if (afterClose) {
      const what = [audience === 'data-subjects' ? 'subjects' : 'subscribers', decision.decision, decision.exception, decision.date].filter(Boolean).join(' ');
      noteAfterClose(draft, now, by, what, reason);
    }
    return {
      entries: [
        {
          at: now,
          kind: audience === 'data-subjects' ? 'subjects-decided' : 'subscribers-decided',
          actor: by,
          // The whole text as sent, where the record keeps its beginning (keptSentText): nothing of it is lost.
          detail: { ...decision, ...(sent && sent !== decision.text ? { text: sent } : {}), ...(afterClose ? { afterClose } : {}) },
        },
      ],
    };
  });
  return incident;
}

/**
 * "Not required" rests on an assessment whose risk is not high. For the data subjects Art. 34(1);
 * for a provider's subscribers Regulation 611/2013 art. 3(1), (2): they are informed when the breach
 * is likely to adversely affect their personal data or privacy (identity theft or fraud, physical
 * harm, significant humiliation, damage to reputation), a bar below the high risk of Art. 34(1): a
 * high risk is above it. Without an assessment, or at high risk, it is refused.
 */
function notRequiredCheck(draft: Incident, audience: 'data-subjects' | 'subscribers'): void {
  const subscribers = audience === 'subscribers';
  const rule = subscribers ? 'Regulation 611/2013 art. 3(1), (2)' : 'Art. 34(1)';
  const regel = subscribers ? 'Verordening 611/2013 art. 3(1), (2)' : 'AVG art. 34(1)';
  if (!draft.assessment) {
    throw refuse(
      `"not required" rests on an assessment that the risk is not high (${rule}); no assessment is recorded yet: assess the incident first (datalek assess)`,
      `"Niet vereist" steunt op een beoordeling dat het risico niet hoog is (${regel}); er is nog geen beoordeling vastgelegd: beoordeel het incident eerst.`,
    );
  }
  if (draft.assessment.risk !== 'high') return;
  if (subscribers) {
    throw refuse(
      'the current assessment says high risk: Regulation 611/2013 art. 3(1), (2) requires informing the subscribers when the breach is likely to adversely affect their personal data or privacy, a bar below high risk, unless the AP agreed the data was unintelligible (art. 4(1)); "not required" needs a new assessment that lowers the risk (datalek assess)',
      'De huidige beoordeling zegt hoog risico: Verordening 611/2013 art. 3(1), (2) vraagt de abonnees te informeren als het datalek waarschijnlijk nadelige gevolgen heeft voor hun persoonsgegevens of privacy, een lagere drempel dan hoog risico, tenzij de AP instemde met onbegrijpelijke gegevens (art. 4(1)); "niet vereist" vraagt eerst een nieuwe beoordeling met een lager risico.',
    );
  }
  throw refuse(
    'the current assessment says high risk: Art. 34(1) requires informing the data subjects unless an exception of Art. 34(3) applies; "not required" needs a new assessment that lowers the risk (datalek assess)',
    'De huidige beoordeling zegt hoog risico: AVG art. 34(1) vraagt de betrokkenen te informeren, tenzij een uitzondering van art. 34(3) geldt; "niet vereist" vraagt eerst een nieuwe beoordeling met een lager risico.',
  );
}

/**
 * The exception "encrypted" (Art. 34(3)(a); for subscribers Regulation 611/2013 art. 4) rests on
 * the data being unintelligible to anyone not authorised: it answers a risk to confidentiality. For a
 * breach of availability or integrity alone the risk comes from data gone or altered, which
 * encryption does not remove (EDPB Guidelines 9/2022, the ransomware examples).
 */
function encryptedWithoutConfidentiality(audience: 'data-subjects' | 'subscribers', nature: Nature[]): RefusedError {
  const article = audience === 'subscribers' ? 'Regulation 611/2013 art. 4' : 'Art. 34(3)(a)';
  const artikel = audience === 'subscribers' ? 'Verordening 611/2013 art. 4' : 'AVG art. 34(3)(a)';
  const named = nature.length ? `name the breach as one of ${nature.join(', ')} only` : 'name no nature of the breach yet';
  const genoemd = nature.length
    ? `noemen het datalek alleen een inbreuk op de ${nature.map((n) => natureLabel('nl', n)).join(', ')}`
    : 'noemen de aard van het datalek nog niet';
  return refuse(
    `--exception encrypted rests on the data being unintelligible to anyone not authorised (${article}), which answers a risk to confidentiality; the facts ${named}: encryption does not remove a risk from data being unavailable or altered (EDPB Guidelines 9/2022). Record --nature confidentiality first if confidentiality was breached, or inform ${audience === 'subscribers' ? 'the subscribers' : 'the data subjects'}, or choose another exception`,
    `De uitzondering "onbegrijpelijk" steunt op gegevens die onbegrijpelijk zijn voor onbevoegden (${artikel}): die neemt een risico voor de vertrouwelijkheid weg. De feiten ${genoemd}: versleuteling neemt geen risico weg van gegevens die niet beschikbaar of gewijzigd zijn (EDPB-richtsnoeren 9/2022). Leg eerst bij de feiten vast dat de vertrouwelijkheid is geschonden als dat zo is, of informeer ${audience === 'subscribers' ? 'de abonnees' : 'de betrokkenen'}, of kies een andere uitzondering.`,
  );
}

/** The natures of the breach besides confidentiality, which unintelligible data does not answer. */
function natureBesidesConfidentiality(nature: Nature[]): Nature[] {
  return nature.filter((n) => n !== 'confidentiality');
}

/**
 * The exception "encrypted" for a breach of confidentiality that is also one of availability or
 * integrity: encryption answers the copy, not the data gone or altered, so the record must say why
 * that part is no longer a high risk (EDPB Guidelines 9/2022, the ransomware examples).
 */
function encryptedOtherNatureUnanswered(audience: 'data-subjects' | 'subscribers', other: Nature[]): RefusedError {
  const article = audience === 'subscribers' ? 'Regulation 611/2013 art. 4' : 'Art. 34(3)(a)';
  const artikel = audience === 'subscribers' ? 'Verordening 611/2013 art. 4' : 'AVG art. 34(3)(a)';
  return refuse(
    `--exception encrypted answers the confidentiality part (${article}); the facts also name ${other.join(' and ')}, a risk from data unavailable or altered that encryption does not remove (EDPB Guidelines 9/2022): say why that part is no longer a high risk (--other-nature-reason, e.g. restored from a back-up), or inform ${audience === 'subscribers' ? 'the subscribers' : 'the data subjects'}; nothing was recorded`,
    `De uitzondering "onbegrijpelijk" neemt het risico voor de vertrouwelijkheid weg (${artikel}); de feiten noemen ook een inbreuk op de ${other.map((n) => natureLabel('nl', n)).join(' en ')}, een risico van gegevens die niet beschikbaar of gewijzigd zijn dat versleuteling niet wegneemt (EDPB-richtsnoeren 9/2022): vul in waarom dat deel geen hoog risico meer is (bijvoorbeeld teruggezet uit een back-up), of informeer ${audience === 'subscribers' ? 'de abonnees' : 'de betrokkenen'}. Er is niets vastgelegd.`,
  );
}

// --- closing -----------------------------------------------------------------------------------

/**
 * One thing that stands between an incident and closing it, with its rule: in words for the
 * command line (naming the command that settles it) and for the web page (in the page's language,
 * naming the form: `field` is its anchor on the incident page).
 */
export interface CloseBlocker {
  cli: string;
  nl: string;
  en: string;
  field: string | null;
}

export function closeBlockerItems(
  incident: Incident,
  policy: Policy,
  now: string,
  overdueReason?: string | null,
  containmentReason?: string | null,
  elsewhere: CarriedOutElsewhere[] = [],
  reportsPendingReason?: string | null,
  apFollowUpReason?: string | null,
): CloseBlocker[] {
  if (incident.sample) return [];
  const out: CloseBlocker[] = [];
  const a = incident.assessment;
  const role = roleOf(incident, policy);
  const add = (en: string, cli: string, nl: string, field: string | null) => out.push({ cli: `${en}: ${cli}`, en, nl, field });
  // Closing resolves every alert of the incident at the pager, an exposed interface's too: not
  // while one is open to all traffic, nor while a run may still leave one so.
  for (const eni of exposedInterfaces(incident)) {
    add(
      `network interface ${eni} is open to all traffic (containment left it in the all-traffic group): isolate it first (${EXPOSED_RUNBOOK})`,
      'the contain function retries it, or isolate it by hand and release or retry the action',
      `netwerkinterface ${eni} staat open voor al het verkeer (de inperking liet haar in de groep voor al het verkeer): isoleer haar eerst (${EXPOSED_RUNBOOK})`,
      null,
    );
  }
  const lease = incident.containmentLease;
  if (lease && lease.until > now) {
    add(
      `containment is running (held until ${shownIn(lease.until, policy.timeZone)}): wait for it to finish`,
      'try again after it finished',
      `de inperking loopt (tot uiterlijk ${formatLocal(lease.until, policy.timeZone)}): wacht tot ze klaar is`,
      null,
    );
  }
  // "A failed step is reported as failed, never as contained": closing ends the escalation, so the
  // FG states what was done by hand, or why it is left, and the register keeps it (Art. 33(5)).
  const undone = containmentNotCarriedOut(incident);
  if (undone.length && !containmentReason?.trim()) {
    const en = `containment not carried out: ${undone.map((x) => notCarriedOutText(x, 'en')).join('; ')}`;
    out.push({
      cli: `${en}: closing needs what was done by hand, or why it is left, recorded (--containment-reason), or the containment carried out (${containCommand(incident.id)}) (Art. 33(3)(d), (5))`,
      en: `${en}: closing needs what was done by hand, or why it is left, recorded ("What became of the containment not carried out") (Art. 33(3)(d), (5))`,
      nl: `inperking niet uitgevoerd: ${undone.map((x) => notCarriedOutText(x, 'nl')).join('; ')}: sluiten kan alleen met vastgelegd wat er met de hand is gedaan, of waarom het blijft ("Wat er met de niet uitgevoerde inperking gebeurde") (AVG art. 33(3)(d), (5))`,
      field: 'f-close-containment-reason',
    });
  }
  if (!a) {
    add(
      'no assessment: every incident needs a recorded decision (Art. 33(5))',
      'datalek assess',
      'geen beoordeling: elk incident heeft een vastgelegd besluit nodig (AVG art. 33(5))',
      'assess',
    );
  }
  for (const c of assessmentContradictions(incident)) {
    out.push({
      cli: `assessment contradicts facts: ${c.en}: ${c.cli}`,
      en: `assessment contradicts facts: ${c.en}`,
      nl: `beoordeling spreekt feiten tegen: ${c.nl}`,
      field: 'assess',
    });
  }
  if (a && reviewPending(incident)) {
    const ask = incident.reviewAsked as NonNullable<Incident['reviewAsked']>;
    const what = ask.newResource
      ? { en: 'a finding that names a resource the incident did not hold', nl: 'een bevinding die een resource noemt die het incident nog niet had' }
      : { en: 'a finding of a new type', nl: 'een bevinding van een nieuw type' };
    add(
      `${what.en} (${ask.findingType}, ${ask.findingId}) came after the assessment of ${shownIn(ask.assessedAt, policy.timeZone)}: the FG assesses again before closing (Art. 33(5))`,
      'datalek assess',
      `${what.nl} (${ask.findingType}, ${ask.findingId}) kwam na de beoordeling van ${formatLocal(ask.assessedAt, policy.timeZone)}: de FG beoordeelt opnieuw voor het sluiten (AVG art. 33(5))`,
      'assess',
    );
  }
  if (a && a.personalData !== 'no') {
    const gaps = registerGaps(incident, elsewhere);
    if (gaps.length) {
      const en = 'the register needs the facts of a breach with personal data, whatever the risk (Art. 33(5))';
      out.push({
        cli: `${en}: ${missingForRegister(incident, elsewhere).join(', ')}`,
        en: `${en}: ${gaps.map((g) => g.en).join(', ')}`,
        nl: `het register heeft de feiten nodig van een datalek met persoonsgegevens, ongeacht het risico (AVG art. 33(5)): ${gaps.map((g) => g.nl).join(', ')}`,
        field: 'facts',
      });
    }
  }
  if (a?.notifiable && role === 'controller' && !initialReport(incident)) {
    add(
      'notifiable, but no initial report to the AP is recorded (Art. 33(1))',
      'datalek reported',
      'meldplichtig, maar er is geen eerste melding aan de AP vastgelegd (AVG art. 33(1))',
      'reported',
    );
  }
  const standing = notificationStanding(incident, role, policy);
  if (standing) {
    add(
      `the AP still holds the notification ${standing.reference}, but the assessment since ${shownIn(a?.at, policy.timeZone)} says not notifiable: the AP is told, with a withdrawal or a correction (Art. 33(4), (5))`,
      `datalek reported --kind withdrawal --reference ${standing.reference} --reason TEXT (or --kind correction)`,
      `de AP heeft nog melding ${standing.reference}, maar de beoordeling van ${a?.at ? formatLocal(a.at, policy.timeZone) : ''} zegt niet meldplichtig: laat het de AP weten met een intrekking of een correctie (AVG art. 33(4), (5))`,
      'reported',
    );
  }
  // Art. 33(4): information given in phases reaches the AP "without undue further delay". Facts
  // completed in datalek alone leave the AP with the first phase; closing then ends the reminder.
  const firstPhase = apFollowUpOwed(incident, policy);
  if (firstPhase && !apFollowUpReason?.trim()) {
    const en = `the AP holds only the first phase of the notification (${firstPhase.reference}, made while the facts were incomplete), and no report to the AP with the facts marked complete followed (Art. 33(4))`;
    // Facts marked complete already: only the follow-up is left to name (fg27).
    const complete = incident.facts?.complete === true;
    const followUp = `datalek reported ${incident.id} --kind follow-up --reference ${firstPhase.reference}`;
    out.push({
      cli: `${en}: ${complete ? `record the follow-up (${followUp})` : `mark the facts complete and record the follow-up (datalek facts ${incident.id} --complete, then ${followUp})`}, or record why it is closed without one (--follow-up-reason)`,
      en: `${en}: ${complete ? 'record the follow-up' : 'mark the facts complete and record the follow-up'}, or record why it is closed without one ("Why it is closed without a follow-up to the AP")`,
      nl: `de AP heeft alleen de eerste fase van de melding (${firstPhase.reference}, gedaan toen de feiten nog niet compleet waren) en er volgde geen melding aan de AP met de feiten als compleet gemarkeerd (AVG art. 33(4)): ${complete ? 'leg de vervolgmelding vast' : 'markeer de feiten als compleet en leg de vervolgmelding vast'}, of leg vast waarom het zonder vervolgmelding gesloten wordt ("Waarom gesloten zonder vervolgmelding aan de AP")`,
      field: 'f-close-follow-up-reason',
    });
  }
  // Art. 33(4): a high risk assessed after the AP's last report is information the AP has not received (law27).
  const raised = firstPhase ? undefined : riskRaisedAfterReport(incident, policy);
  if (raised && !apFollowUpReason?.trim()) {
    const en = `the risk was assessed high at ${shownIn(a?.at, policy.timeZone)}, after the last report to the AP (${raised.reference}), and no report to the AP followed: the AP holds a notification made at a lower risk, without the likely consequences and the data subjects' communication a high risk brings (Art. 33(3)(c), (4), Art. 34(4))`;
    out.push({
      cli: `${en}: record the follow-up (datalek reported ${incident.id} --kind follow-up --reference ${raised.reference}), or record why it is closed without one (--follow-up-reason)`,
      en: `${en}: record the follow-up, or record why it is closed without one ("Why it is closed without a follow-up to the AP")`,
      nl: `het risico is hoog beoordeeld op ${a?.at ? formatLocal(a.at, policy.timeZone) : ''}, na de laatste melding aan de AP (${raised.reference}), en er volgde geen melding aan de AP: de AP heeft een melding gedaan bij een lager risico, zonder de waarschijnlijke gevolgen en de mededeling aan de betrokkenen die een hoog risico meebrengt (AVG art. 33(3)(c), (4), art. 34(4)): leg de vervolgmelding vast, of leg vast waarom het zonder vervolgmelding gesloten wordt ("Waarom gesloten zonder vervolgmelding aan de AP")`,
      field: 'f-close-follow-up-reason',
    });
  }
  if (a?.notifiable && role === 'controller' && lateWithoutReasons(incident)) {
    add(
      'the initial report to the AP is late and no reasons for the delay are recorded (Art. 33(1))',
      'datalek reported --kind follow-up --reference NUMBER --delay-reason TEXT',
      'de eerste melding aan de AP is te laat en er zijn geen redenen voor de vertraging vastgelegd (AVG art. 33(1)); geef ze met een vervolgmelding',
      'reported',
    );
  }
  if (subjectsDecisionNeeded(incident, policy) && !incident.subjects) {
    add(
      'high risk, but no decision on informing the data subjects (Art. 34)',
      'datalek subjects',
      'hoog risico, maar geen besluit over het informeren van de betrokkenen (AVG art. 34)',
      'subjects',
    );
  }
  if (role === 'processor' && a?.personalData !== 'no' && !(incident.reports ?? []).some((r) => r.to === 'controller')) {
    add(
      'as processor, the controller must be informed first (Art. 33(2))',
      'datalek reported --recipient controller',
      'als verwerker moet u eerst de verwerkingsverantwoordelijke informeren (AVG art. 33(2))',
      'reported',
    );
  }
  if (controllerToldLate(incident, policy)) {
    add(
      'the controller was informed late and no reasons for the delay are recorded (Art. 33(2))',
      'datalek reported --recipient controller --kind follow-up --reference NUMBER --delay-reason TEXT',
      'de verwerkingsverantwoordelijke is te laat geïnformeerd en er zijn geen redenen voor de vertraging vastgelegd (AVG art. 33(2)); geef ze met een vervolgmelding',
      'reported',
    );
  }
  if (clocksInForce(incident, policy).nis2 && !incident.nis2) {
    add(
      'no decision whether the incident is significant under NIS2 (art. 23(3))',
      'datalek assess --nis2-significant yes|no',
      'geen besluit of het incident significant is onder NIS2 (art. 23(3))',
      'nis2',
    );
  }
  if (subscribersDecisionNeeded(incident, policy) && !incident.subscribers) {
    add(
      'no decision on informing the subscribers (Telecommunicatiewet, Regulation 611/2013 art. 3)',
      'datalek subjects --audience subscribers',
      'geen besluit over het informeren van de abonnees (Telecommunicatiewet, Verordening 611/2013 art. 3)',
      'subjects',
    );
  }
  // A provider reports every breach with personal data to the AP, whatever the risk (Regulation
  // 611/2013 art. 2), and a significant incident goes to the CSIRT and the authority (NIS2 art.
  // 23(4)): not closed before those while their clock runs, unless the FG records why; the clocks
  // then keep running after closing (clocks.ts dutiesAfterClosing). One overdue needs --overdue-reason
  // (below) and, being owed still (the telecom notifications, the NIS2 notification, final and asked
  // intermediate report: clocks.ts OWED_WHEN_OVERDUE), this reason too: it keeps running as well.
  const due = reportsStillDue(incident, policy, now);
  if (due.length && !reportsPendingReason?.trim()) {
    const en = `${due.map((c) => c.label.en).join('; ')} still to be made (Telecommunicatiewet, Regulation 611/2013 art. 2; NIS2 art. 23(4))`;
    out.push({
      cli: `${en}: record the report first (datalek reported --recipient ap|csirt|authority), or why it is closed before it (--reports-pending-reason); the clock keeps running after closing`,
      en: `${en}: record the report first, or why it is closed before it ("Why it is closed before a report"); the clock keeps running after closing`,
      nl: `${due.map((c) => c.label.nl).join('; ')} nog te doen (Telecommunicatiewet, Verordening 611/2013 art. 2; NIS2 art. 23(4)): leg eerst de melding vast, of waarom het vóór die melding gesloten wordt ("Waarom gesloten vóór een melding"); de termijn loopt na het sluiten door`,
      field: 'f-close-reports-pending-reason',
    });
  }
  const overdue = overdueClocks(incident, policy, now).filter((c) => c.name !== 'ap' && c.name !== 'processor');
  if (overdue.length && !overdueReason?.trim()) {
    const en = overdue.map((c) => c.label.en).join('; ');
    out.push({
      cli: `overdue: ${en}: closing needs the reason recorded (--overdue-reason) (Art. 33(5))`,
      en: `overdue: ${en}: closing needs the reason recorded ("Why a clock is overdue") (Art. 33(5))`,
      nl: `verlopen: ${overdue.map((c) => c.label.nl).join('; ')}: sluiten kan alleen met de reden vastgelegd ("Waarom een termijn verlopen is") (AVG art. 33(5))`,
      field: 'f-close-overdue-reason',
    });
  }
  return out;
}

/**
 * The initial AP report still in force while the FG's assessment says the breach is not notifiable,
 * with no withdrawal or correction to the AP recorded since that assessment began to say so: the
 * AP holds a notification the record calls unnecessary (Art. 33(4), (5)).
 */
function notificationStanding(incident: Incident, role: Role, policy: Policy): ReportRecord | undefined {
  const initial = initialReport(incident);
  if (!initial || role !== 'controller' || incident.assessment?.notifiable !== false) return undefined;
  // A telecom provider's notification stands under the Telecommunicatiewet, whatever the risk (Regulation 611/2013 art. 2).
  if (apOwedUnderTelecom(incident, policy)) return undefined;
  let since: string | undefined;
  for (const d of incident.decisions ?? []) {
    if (d.kind !== 'assessment') continue;
    if (d.notifiable) since = undefined;
    else since ??= d.recordedAt;
  }
  const from = since ?? incident.assessment.at;
  const told = (incident.reports ?? []).some((r) => r.to === 'ap' && r.kind === 'correction' && r.recordedAt >= from);
  return told ? undefined : initial;
}

/** What still stands between the incident and closing it, in words for the command line, each with its rule. */
export function closeBlockers(incident: Incident, policy: Policy, now: string, overdueReason?: string | null): string[] {
  return closeBlockerItems(incident, policy, now, overdueReason).map((b) => b.cli);
}

export interface CloseInput {
  incidentId: string;
  by: string;
  reason: string;
  /** Why a clock was still overdue at closing. */
  overdueReason?: string;
  /** What was done by hand about enforced containment failed or not carried out, or why it is left. */
  containmentReason?: string;
  /** Why it is closed before a report whose clock still runs (telecom, NIS2): those clocks keep running. */
  reportsPendingReason?: string;
  /** Why it is closed while the AP holds only the first phase of the notification, made with the facts incomplete (Art. 33(4)). */
  followUpReason?: string;
  /** Containment another incident carried out on its resources (use-cases/queries.ts measuresElsewhere): measures taken for the register. */
  measuresElsewhere?: CarriedOutElsewhere[];
}

export async function closeIncident(deps: FgDeps, input: CloseInput): Promise<Incident> {
  const reason = required(input.reason, 'a reason (--reason)', REASON_WHY, REASON_NL);
  const by = required(input.by, 'who closes it (--by)', '', BY_NL);
  // What other incidents left to this one and it never contained is handed back to them in the same commit.
  const { incident } = await closeHandingBack(deps, input.incidentId, (draft) => {
    if (draft.state === 'closed') throw refuse(`incident ${draft.id} is closed already`, `Incident ${draft.id} is al gesloten.`);
    const now = deps.now();
    checkRecordingTime(draft, now, 'closing', deps.policy.timeZone);
    const blockers = closeBlockerItems(
      draft,
      deps.policy,
      now,
      input.overdueReason,
      input.containmentReason,
      input.measuresElsewhere,
      input.reportsPendingReason,
      input.followUpReason,
    );
    if (blockers.length) {
      throw new RefusedError(`incident ${draft.id} cannot be closed yet: ${blockers.map((b) => b.cli).join('; ')}`, {
        page: {
          nl: `Incident ${draft.id} kan nog niet worden gesloten: ${blockers.map((b) => b.nl).join('; ')}`,
          en: `Incident ${draft.id} cannot be closed yet: ${blockers.map((b) => b.en).join('; ')}`,
        },
      });
    }
    const overdue = overdueClocks(draft, deps.policy, now).map((c) => c.name);
    if (input.overdueReason?.trim() && overdue.length === 0) {
      throw refuse(
        '--overdue-reason given, but no clock is overdue: the record would explain a delay that is not there (Art. 33(5))',
        'Er is een reden voor een verlopen termijn ingevuld, maar geen termijn is verlopen: het dossier zou een vertraging uitleggen die er niet is (AVG art. 33(5)).',
      );
    }
    const pending = reportsStillDue(draft, deps.policy, now).map((c) => c.name);
    if (input.reportsPendingReason?.trim() && pending.length === 0) {
      throw refuse(
        '--reports-pending-reason given, but no telecom or NIS2 report is still running: the record would explain a report that is not outstanding (Art. 33(5))',
        'Er is ingevuld waarom het vóór een melding gesloten wordt, maar er loopt geen termijn voor een melding onder de Telecommunicatiewet of NIS2: het dossier zou iets uitleggen dat er niet is (AVG art. 33(5)).',
      );
    }
    const firstPhase = apFollowUpOwed(draft, deps.policy);
    const raised = firstPhase ? undefined : riskRaisedAfterReport(draft, deps.policy);
    if (input.followUpReason?.trim() && !firstPhase && !raised) {
      throw refuse(
        '--follow-up-reason given, but no follow-up to the AP is owed: the AP has the complete facts, or holds no notification; the record would explain what is not there (Art. 33(5))',
        'Er is ingevuld waarom het zonder vervolgmelding aan de AP gesloten wordt, maar er is geen vervolgmelding nodig: het dossier zou iets uitleggen dat er niet is (AVG art. 33(5)).',
      );
    }
    const undone = containmentNotCarriedOut(draft).map((x) => x.id);
    if (input.containmentReason?.trim() && undone.length === 0) {
      throw refuse(
        '--containment-reason given, but nothing is left of the containment: no enforced action failed or is still planned; the record would explain what is not there (Art. 33(5))',
        'Er is ingevuld wat er met niet uitgevoerde inperking gebeurde, maar alle inperking is uitgevoerd: het dossier zou iets uitleggen dat er niet is (AVG art. 33(5)).',
      );
    }
    draft.state = 'closed';
    draft.closedAt = now;
    // A record from before the history: its assessment is counted, as the history made later starts with it.
    draft.closedAfterDecisions = (draft.decisions ?? legacyDecisions(draft)).length;
    draft.closeReason = reason;
    draft.overdueReason = givenText(input.overdueReason);
    if (pending.length) draft.reportsPendingReason = givenText(input.reportsPendingReason);
    if (undone.length) draft.containmentReason = givenText(input.containmentReason);
    // A high risk the AP was not told of (Art. 33(4)): why not, kept as the first phase's reason is.
    if (raised) {
      draft.apFollowUpReason = givenText(input.followUpReason);
      draft.apFollowUpReasonFor = draft.apFollowUpReason ? { reference: raised.reference, version: raised.version } : null;
    }
    if (firstPhase) {
      draft.apFollowUpReason = givenText(input.followUpReason);
      // The notification the reason answers for: not one made anew after a withdrawal (review12 S6).
      draft.apFollowUpReasonFor = draft.apFollowUpReason ? { reference: firstPhase.reference, version: firstPhase.version } : null;
    }
    const containment = undone.length ? { containmentNotCarriedOut: undone, containmentReason: draft.containmentReason } : {};
    // Not refused (fg-review3 F6), but kept: the timeline says it closed with these steps still planned (fg26 item 1).
    const planned = stillPlannedAtClose(draft).map((x) => x.id);
    const reports = pending.length ? { reportsPending: pending, reportsPendingReason: draft.reportsPendingReason } : {};
    // The NIS2 final (or a requested intermediate) report comes after closing: named, its clock runs on (clocks.ts KEPT_AFTER_CLOSING).
    const kept = reportsKeptAfterClosing(draft, deps.policy, now).map((c) => c.name);
    return {
      entries: [
        {
          at: now,
          kind: 'closed',
          actor: by,
          detail: {
            reason,
            ...(overdue.length ? { overdue, overdueReason: draft.overdueReason } : {}),
            ...containment,
            ...(planned.length ? { stillPlanned: planned } : {}),
            ...reports,
            ...(firstPhase ? { apFirstPhaseOnly: firstPhase.reference, apFollowUpReason: draft.apFollowUpReason } : {}),
            ...(raised ? { apRiskRaisedAfter: raised.reference, apFollowUpReason: draft.apFollowUpReason } : {}),
            ...(kept.length ? { reportsKeptRunning: kept } : {}),
          },
        },
      ],
    };
  });
  return incident;
}

export interface NoFollowUpInput {
  incidentId: string;
  /** Why no follow-up goes to the AP although it holds only the first phase (Art. 33(4)). */
  reason: string;
  by: string;
  /** The person means the closed incident (`--after-close`). */
  confirmAfterClose?: boolean;
}

/**
 * "No follow-up to the AP, because…" after closing: a follow-up owed by an AP notification made
 * after closing with the facts incomplete (clocks.ts apFollowUpLeftAtClosing), or by a high risk
 * assessed after closing (clocks.ts riskFollowUpOwed, for the AP's last report), is otherwise ended
 * only by the follow-up itself; `close --follow-up-reason` came before the report existed. Kept as
 * the closing's reason is (`apFollowUpReason`) when there is none, and always with who and when among
 * what was recorded after closing (the register's `afterClose`), which alone holds it beside a
 * closing's reason for another notification (read14a A5); the reminder ends, status no longer lists it.
 */
export async function recordNoFollowUp(deps: FgDeps, input: NoFollowUpInput): Promise<Incident> {
  const reason = required(input.reason, 'a reason why no follow-up goes to the AP (--follow-up-reason)', REASON_WHY, REASON_NL);
  const by = required(input.by, 'who decides (--by)', '', BY_NL);
  const { incident } = await changeIncident(deps, input.incidentId, (draft) => {
    if (draft.state !== 'closed') {
      throw refuse(
        `incident ${draft.id} is open: a follow-up still owed to the AP is answered at closing (datalek close ${draft.id} --follow-up-reason "…"), or by the follow-up itself`,
        `Incident ${draft.id} is open: waarom er geen vervolgmelding aan de AP komt, legt u vast bij het sluiten ("Waarom gesloten zonder vervolgmelding aan de AP"), of u doet de vervolgmelding.`,
      );
    }
    checkAfterCloseConfirmed(draft, input.confirmAfterClose, deps.policy.timeZone);
    const now = deps.now();
    checkRecordingTime(draft, now, 'the decision', deps.policy.timeZone);
    // The first phase the AP holds, or the last report before a high risk assessed after closing (law28).
    const leftAtClosing = apFollowUpLeftAtClosing(draft) ? apFollowUpOwed(draft, deps.policy) : undefined;
    const firstPhase = leftAtClosing ?? riskFollowUpOwed(draft, deps.policy)?.report;
    if (!firstPhase) {
      throw refuse(
        `no follow-up to the AP is owed for incident ${draft.id}: the AP has the complete facts, holds no notification, or a reason is recorded already (${draft.apFollowUpReason ?? 'none'}); the record would explain what is not there (Art. 33(5))`,
        `Voor incident ${draft.id} is geen vervolgmelding aan de AP verschuldigd: de AP heeft de feiten compleet, heeft geen melding, of de reden is al vastgelegd; het dossier zou iets uitleggen dat er niet is (AVG art. 33(5)).`,
      );
    }
    // A reason on record (the closing's, for a notification withdrawn since) stays: the register keeps
    // why the incident was closed as it was (read14a A5); this one is the after-close note, which
    // clocks.ts followUpReasonHolds honours for its notification. A high risk raised after closing is
    // answered by the note alone (clocks.ts riskReasonGiven): as the closing's reason it would make
    // the register say the incident was closed without telling the AP of a risk it did not have then.
    if (leftAtClosing && !draft.apFollowUpReason?.trim()) {
      draft.apFollowUpReason = reason;
      draft.apFollowUpReasonFor = { reference: firstPhase.reference, version: firstPhase.version };
    }
    noteAfterClose(draft, now, by, `${NO_FOLLOW_UP_NOTE}: ${firstPhase.reference}`, reason);
    return { entries: [{ at: now, kind: 'no-follow-up', actor: by, detail: { reason, reference: firstPhase.reference, afterClose: true } }] };
  });
  return incident;
}
