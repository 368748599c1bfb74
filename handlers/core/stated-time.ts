/**
 * The rules on times a person states, in one place. A stated time (a report's `--at`, the date the
 * data subjects were informed, the moment of awareness, the end of the breach) is evidence before
 * the AP: it cannot lie before the breach was first seen or detected, nor after the moment it is
 * recorded (Art. 33(5): the documentation must let the AP verify compliance). The moment of
 * recording is kept beside it, and a time stated more than a day before its recording is marked
 * "entered later", so back-dating shows in the timeline and the register. "Met" and "late" are
 * judged by the stated time. The times the AP verdict rests on (the initial report's, the moment
 * of awareness) have a further rule when entered after the AP deadline had passed: see
 * `ap-verdict.ts`.
 */
import { RefusedError } from './errors.js';
import type { Incident } from './incident.js';
import { formatLocal, HOUR_MS, localWithInstant, toUtc } from './time.js';

/** A time stated this long before its recording is marked "entered later". */
export const ENTERED_LATER_HOURS = 24;

/** The earliest time anything about the incident can have happened: its first activity or detection. */
export function earliestStatable(incident: Incident): string {
  const first = incident.firstActivityAt;
  return first && first < incident.detectedAt ? first : incident.detectedAt;
}

/** What each stated time is called on the web page (the form's field), for the Dutch refusal. */
const FIELD_NL: Record<string, string> = {
  '--at': 'Ingediend op',
  '--date': 'Geïnformeerd op',
  '--aware-at': 'Bewust geworden op',
  '--nis2-aware-at': 'NIS2: bewust geworden van het significante incident op',
  '--ended-at': 'Beëindigd op',
  '--started-at': 'Begonnen op',
};

/** The stated times the clocks run from: an awareness (the AP's, or of the significant incident under NIS2). */
const AWARENESS: ReadonlySet<string> = new Set(['--aware-at', '--nis2-aware-at']);

/** When the AVG applied (Art. 99(2)): an awareness or a begin before it is a typo (year 1, a century off), never an AP deadline. */
export const AVG_APPLIES = '2018-05-25T00:00:00.000Z';

/** How the record, the draft and the register mark a moment stated before GuardDuty saw anything. */
export const BEFORE_DETECTION = { nl: 'vóór de detectie door GuardDuty', en: "before GuardDuty's detection" } as const;

/**
 * A finding's first activity set aside (`firstSeenSetAside`, record-finding.ts), in words for the
 * FG: which finding, what GuardDuty sent, and the time used instead, in `when`'s zone; null when
 * none was. The begin of the breach on the AP form rests on it (fg26 item 4).
 */
export function firstSeenSetAsideText(incident: Incident, lang: 'nl' | 'en', when: (iso: string) => string): string | null {
  const s = incident.firstSeenSetAside;
  if (!s) return null;
  const value = JSON.stringify(s.value);
  return lang === 'nl'
    ? `de eerste activiteit die GuardDuty gaf voor bevinding ${s.findingId} (eventFirstSeen ${value}) is geen leesbaar tijdstip met tijdzone en is terzijde gelegd; in plaats daarvan is het aanmaken van die bevinding gebruikt (${when(s.usedInstead)})`
    : `the first activity GuardDuty gave for finding ${s.findingId} (eventFirstSeen ${value}) is not a readable time with a zone and was set aside; the finding's creation was used instead (${when(s.usedInstead)})`;
}

/** Whether a stated moment lies before GuardDuty saw anything of the incident (its first activity or detection). */
export function beforeDetection(incident: Incident, at: string | null | undefined): boolean {
  return typeof at === 'string' && at < earliestStatable(incident);
}

/**
 * The moments that can precede GuardDuty's signal: when the organisation became aware (a customer's
 * call, a researcher's mail, a media report: EDPB Guidelines 9/2022) and when the breach began. Before
 * the detection only when the person confirms it (`confirmed`, `--confirm-stated-time`) with its
 * reason, and never before the AVG applied; after now never. Containment keeps the lower bound of
 * `checkStatedTime`; reports and communications have that of `checkStatedAfterAwareness`: nobody
 * acts on what nobody knew of.
 */
export function checkStatedBeforeDetection(
  incident: Incident,
  stated: string,
  now: string,
  what: string,
  confirmed: boolean,
  timeZone = 'Europe/Amsterdam',
  deadlineMovesTo: (at: string) => string | null = () => null,
): { at: string; beforeDetection: boolean } {
  const at = toUtc(stated);
  const earliest = earliestStatable(incident);
  // After now is refused as any stated time is (a run's --now before the detection is refused earlier, checkRecordingTime).
  if (at >= earliest || at > now) return { at: checkStatedTime(incident, stated, now, what, timeZone), beforeDetection: false };
  const local = (iso: string) => formatLocal(iso, timeZone);
  // The English refusal gives a time as the Dutch one, with the ISO instant beside it (fg28 item 1).
  const shown = (iso: string) => localWithInstant(iso, timeZone);
  const field = FIELD_NL[what] ?? what;
  if (at < AVG_APPLIES) {
    throw new RefusedError(
      `${what} ${shown(at)} lies before ${AVG_APPLIES}, when the AVG (GDPR) began to apply (Art. 99(2)): no deadline runs from it; a typo?`,
      {
        page: {
          nl: `"${field}" (${local(at)}) ligt vóór ${AVG_APPLIES.slice(0, 10)}, toen de AVG van toepassing werd (AVG art. 99(2)): daar loopt geen termijn vanaf. Een tikfout?`,
        },
      },
    );
  }
  if (!confirmed) {
    // The clocks run from an awareness; the begin and the end of the breach move none (Art. 33(1): from awareness),
    // unless the awareness kept for the begin on record follows the detection once the begin allows it (readC15 C3).
    const moves = AWARENESS.has(what) ? null : deadlineMovesTo(at);
    const runs = AWARENESS.has(what)
      ? { en: 'and the clocks run from it', nl: 'en de termijnen lopen vanaf dat moment' }
      : moves
        ? {
            en: `and confirming it moves the awareness kept for the begin on record to the detection: the AP deadline moves to ${moves}`,
            nl: `en bevestigt u het, dan volgt het bewustwordingsmoment dat voor het vastgelegde begin werd aangehouden de detectie: de termijn voor de AP verschuift naar ${local(moves)}`,
          }
        : {
            en: 'and the AP deadline does not move: it runs from awareness',
            nl: 'en de termijn voor de AP verschuift er niet door: die loopt vanaf de bewustwording',
          };
    throw new RefusedError(
      `${what} ${shown(at)} lies before GuardDuty's detection of ${incident.id} (first activity or detection: ${shown(earliest)}): the record will mark it as before GuardDuty's detection, ${runs.en}; confirm the moment stated with --confirm-stated-time (Art. 33(1), (5))`,
      {
        page: {
          nl: `"${field}" (${local(at)}) ligt vóór de detectie door GuardDuty van ${incident.id} (eerste activiteit of detectie: ${local(earliest)}): het dossier markeert het als ${BEFORE_DETECTION.nl}, ${runs.nl}; bevestig het opgegeven tijdstip ("Ik bevestig het opgegeven tijdstip") (AVG art. 33(1), (5)).`,
        },
      },
    );
  }
  return { at, beforeDetection: true };
}

/**
 * A report or a communication about the breach (to the AP, the controller, the data subjects, an NIS2
 * report) tells of what somebody knew. Its lower bound is GuardDuty's detection, or, when the record
 * holds an awareness before it (`awareAt`: a customer's call, G4; for an NIS2 report the NIS2
 * awareness), that awareness: a report made in time after the call is true, and a bound at the
 * detection would force a later, false time and a "late" verdict (review11 S1, Art. 5(2), 33(5)).
 * Between that awareness and the detection only confirmed (`confirmed`, `--confirm-stated-time`)
 * and marked "before GuardDuty's detection", as the awareness is; before the awareness never.
 */
export function checkStatedAfterAwareness(
  incident: Incident,
  stated: string,
  now: string,
  what: string,
  awareAt: string | null | undefined,
  confirmed: boolean,
  timeZone = 'Europe/Amsterdam',
): { at: string; beforeDetection: boolean } {
  const at = toUtc(stated);
  const earliest = earliestStatable(incident);
  if (!beforeDetection(incident, awareAt) || at >= earliest || at > now)
    return { at: checkStatedTime(incident, stated, now, what, timeZone), beforeDetection: false };
  const aware = awareAt as string;
  const local = (iso: string) => formatLocal(iso, timeZone);
  // The English refusal gives a time as the Dutch one, with the ISO instant beside it (fg28 item 1).
  const shown = (iso: string) => localWithInstant(iso, timeZone);
  const field = FIELD_NL[what] ?? what;
  if (at < aware) {
    throw new RefusedError(
      `${what} ${shown(at)} lies before the awareness on record, ${shown(aware)} (${BEFORE_DETECTION.en}): nobody tells of a breach before they knew of it; a stated time lies between that and now, or the record is not true (Art. 33(5))`,
      {
        page: {
          nl: `"${field}" (${local(at)}) ligt vóór het vastgelegde bewustwordingsmoment (${local(aware)}, ${BEFORE_DETECTION.nl}): niemand vertelt over een datalek voordat hij ervan wist; een opgegeven tijd ligt tussen dat moment en nu, anders klopt het dossier niet (AVG art. 33(5)).`,
        },
      },
    );
  }
  if (!confirmed) {
    throw new RefusedError(
      `${what} ${shown(at)} lies before GuardDuty's detection of ${incident.id} (first activity or detection: ${shown(earliest)}), after the awareness on record (${shown(aware)}): the record will mark it as before GuardDuty's detection; confirm the moment stated with --confirm-stated-time (Art. 33(5))`,
      {
        page: {
          nl: `"${field}" (${local(at)}) ligt vóór de detectie door GuardDuty van ${incident.id} (eerste activiteit of detectie: ${local(earliest)}), na het vastgelegde bewustwordingsmoment (${local(aware)}): het dossier markeert het als ${BEFORE_DETECTION.nl}; bevestig het opgegeven tijdstip ("Ik bevestig het opgegeven tijdstip") (AVG art. 33(5)).`,
        },
      },
    );
  }
  return { at, beforeDetection: true };
}

/** What is being recorded, in Dutch, for the refusal of a recording time. */
const WHAT_NL: Record<string, string> = {
  'the assessment': 'de beoordeling',
  'the facts': 'de feiten',
  'the report': 'de melding',
  'the decision': 'het besluit',
  'the acknowledgement': 'het oppakken',
  closing: 'het sluiten',
};

/**
 * Checks a stated time against the incident and the recording moment and returns it in UTC.
 * `what` names it as the person typed it (`--at`, `--date`); `timeZone` shows the times of the
 * Dutch refusal as the page shows them.
 */
export function checkStatedTime(incident: Incident, stated: string, now: string, what: string, timeZone = 'Europe/Amsterdam'): string {
  const at = toUtc(stated);
  const earliest = earliestStatable(incident);
  const local = (iso: string) => formatLocal(iso, timeZone);
  // The English refusal gives a time as the Dutch one, with the ISO instant beside it (fg28 item 1).
  const shown = (iso: string) => localWithInstant(iso, timeZone);
  const field = FIELD_NL[what] ?? what;
  if (at < earliest) {
    throw new RefusedError(
      `${what} ${shown(at)} lies before the detection of ${incident.id} (first activity or detection: ${shown(earliest)}); a stated time lies between that and now, or the record is not true (Art. 33(5))`,
      {
        page: {
          nl: `"${field}" (${local(at)}) ligt vóór de detectie van ${incident.id} (eerste activiteit of detectie: ${local(earliest)}); een opgegeven tijd ligt tussen dat moment en nu, anders klopt het dossier niet (AVG art. 33(5)).`,
        },
      },
    );
  }
  if (at > now) {
    throw new RefusedError(`${what} ${shown(at)} lies after now (${shown(now)}); record what happened when it has happened (Art. 33(5))`, {
      page: { nl: `"${field}" (${local(at)}) ligt na nu (${local(now)}); leg vast wat gebeurd is wanneer het gebeurd is (AVG art. 33(5)).` },
    });
  }
  return at;
}

/** How far one person's clock may lag behind the moment of what another recorded (machines' clock skew). */
export const RECORDING_SKEW_MS = 5 * 60_000;

/**
 * The latest moment the incident's record already holds: a decision, report, fact, Art. 34
 * decision or acknowledgement recorded, a containment step, a reminder or page sent. Nothing can
 * be recorded before it: the record is kept in the order it happened.
 */
export function latestRecorded(incident: Incident): string {
  const times = [
    incident.openedAt,
    incident.acknowledgedAt,
    incident.assessment?.at,
    incident.nis2?.at,
    incident.facts?.updatedAt,
    incident.subjects?.at,
    incident.subscribers?.at,
    incident.closedAt,
    incident.reminders.lastDueAt,
    ...Object.values(incident.reminders.byClock ?? {}),
    incident.paging.lastDueAt,
    ...(incident.decisions ?? []).map((d) => d.recordedAt),
    ...(incident.reports ?? []).map((r) => r.recordedAt),
    ...incident.actions.flatMap((a) => [a.at, ...(a.steps ?? []).map((x) => x.at), a.released?.at]),
  ].filter((t): t is string => typeof t === 'string' && t.length > 0);
  return times.sort().at(-1) ?? incident.openedAt;
}

/**
 * The moment the record has reached: `now`, or the latest moment it already holds when that lies
 * later. A run's clock may lag what the record holds by `RECORDING_SKEW_MS` (`checkRecordingTime`),
 * so whether the record held a clock overdue is judged here, not at that run's `--now`: a report
 * entered two minutes "before" the deadline, after the sweep had sent the overdue reminder, was
 * entered after the record held it overdue (ap-verdict.ts, clocks.ts).
 */
export function recordReached(incident: Incident, now: string): string {
  const latest = latestRecorded(incident);
  return latest > now ? latest : now;
}

/**
 * Whether datalek's reminders of a clock (`lastDueAt`: the AP's `reminders.lastDueAt`, another
 * clock's `reminders.byClock`) announced it overdue for `deadline`: an overdue reminder is due from
 * the deadline on and sent at or after it, so the record held the clock overdue from then.
 */
export function remindedOverdue(lastDueAt: string | null | undefined, deadline: string): boolean {
  return typeof lastDueAt === 'string' && lastDueAt >= deadline;
}

/**
 * The moment of recording itself (`--now`, or the clock) cannot lie before the detection, nor
 * before datalek recorded the incident: such a record would say someone acted on the incident
 * before anyone could know of it. Nor can it lie (beyond clock skew) before what the record
 * already holds: a run with a past `--now` would otherwise record a report as made and entered
 * before the deadline after later entries were written.
 */
export function checkRecordingTime(incident: Incident, now: string, what: string, timeZone = 'Europe/Amsterdam'): void {
  const earliest = earliestStatable(incident);
  const local = (iso: string) => formatLocal(iso, timeZone);
  // The English refusal gives a time as the Dutch one, with the ISO instant beside it (fg28 item 1).
  const shown = (iso: string) => localWithInstant(iso, timeZone);
  const whatNl = WHAT_NL[what] ?? what;
  if (now < earliest) {
    throw new RefusedError(
      `${what} at ${shown(now)} lies before the detection of ${incident.id} (${shown(earliest)}): it cannot be recorded then (Art. 33(5))`,
      {
        page: {
          nl: `${whatNl} op ${local(now)} ligt vóór de detectie van ${incident.id} (${local(earliest)}): dat kan toen niet zijn vastgelegd (AVG art. 33(5)).`,
        },
      },
    );
  }
  const latest = latestRecorded(incident);
  if (Date.parse(now) < Date.parse(latest) - RECORDING_SKEW_MS) {
    throw new RefusedError(
      `${what} at ${shown(now)} lies before ${shown(latest)}, when something about ${incident.id} was already recorded: the record is kept in the order it happened (Art. 33(5)); record it at the present time`,
      {
        page: {
          nl: `${whatNl} op ${local(now)} ligt vóór ${local(latest)}, toen al iets over ${incident.id} was vastgelegd: het dossier volgt de volgorde waarin het gebeurde (AVG art. 33(5)); leg het vast op het huidige tijdstip.`,
        },
      },
    );
  }
  if (now < incident.openedAt) {
    throw new RefusedError(
      `${what} at ${shown(now)} lies before datalek recorded incident ${incident.id} (${shown(incident.openedAt)}): nothing about it can be recorded earlier (Art. 33(5))`,
      {
        page: {
          nl: `${whatNl} op ${local(now)} ligt vóór het moment dat datalek incident ${incident.id} vastlegde (${local(incident.openedAt)}): daarover kan niets eerder zijn vastgelegd (AVG art. 33(5)).`,
        },
      },
    );
  }
}

/** Whether a time was entered more than `ENTERED_LATER_HOURS` after it is said to have happened. */
export function enteredLater(stated: string, recordedAt: string): boolean {
  return Date.parse(recordedAt) - Date.parse(stated) > ENTERED_LATER_HOURS * HOUR_MS;
}

/**
 * When a person's entry was entered: the machine's clock a change made with a stated `--now` records
 * (its clock-stated mark, `statedClock`: change-incident.ts), else the time it was recorded at. An entry's
 * `recordedAt` is the run's clock, stated or not; "entered later" and "entered after the AP deadline had
 * passed" are judged by the machine's (`enteredAt`), and say that moment, never the stated one (atk29 A6).
 * A mark the record no longer lists (past MAX_STATED_CLOCK) leaves the recorded time. `kind` is the entry's
 * timeline kind ('reported', 'awareness-set', 'subjects-decided'): two changes of one kind at one stated time
 * by one person are still told apart by nothing, and the later mark is given.
 */
export function enteredAtOf(incident: Pick<Incident, 'statedClock'>, recordedAt: string, by?: string, kind?: string): string {
  const marks = (incident.statedClock ?? []).filter((m) => !m.incidentId && m.at === recordedAt);
  // One person may state the same --now for several changes, days apart (an assessment, then a report):
  // the mark that lists the entry's kind is the one that entered it (finB F1).
  const byPerson = marks.filter((m) => m.by === by);
  const ofKind = kind ? byPerson.filter((m) => m.entries?.includes(kind)) : [];
  return (ofKind.at(-1) ?? byPerson[0] ?? marks[0])?.enteredAt ?? recordedAt;
}
