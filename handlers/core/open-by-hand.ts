/**
 * Use case: a person opens an incident by hand (`datalek open`, review7 G12). Art. 33(5): the
 * controller documents every personal data breach, and a breach is not always a GuardDuty finding
 * the policy opened: a letter to the wrong person, a lost laptop a colleague reports, or a finding
 * the policy ignored (below its threshold, archived) that turns out to be one. Ignored findings
 * are kept nowhere (record-finding.ts records nothing for them), so the person hands the event in.
 *
 * Primary course:
 * 1. Who, what, and when the organisation became aware (a stated time: not after now).
 * 2. With a finding: it must be one the policy ignores and no incident recorded (else it is the
 *    pipeline's: `datalek replay`), and not a sample; the detection is then the earlier of its
 *    creation and the awareness.
 * 3. The incident opens in one commit, its id derived from what was stated (so the same command
 *    twice opens it once): the AP clock runs from the awareness stated, as `assess --aware-at`
 *    would have set it, and the person who opened it has taken it (no one is paged). It holds no
 *    resource and no containment. The FG is told at once (Art. 38(1), review9 S4), as of an
 *    incident a finding opens, unless the person who opened it is the FG the policy names.
 * 4. With a finding, the finding is recorded on it (review9 S2, attack K4): GuardDuty publishing it
 *    again (un-archived, re-scored above the threshold) updates this incident instead of opening a
 *    second one for the same breach with a clock of its own. A version the policy still ignores
 *    acts on nothing; one it opens plans the containment it calls for, which on-call is told of
 *    (record-finding.ts `update`): never an opening page, nor a "possible breach" to the FG, for an
 *    incident a person opened.
 */
import type { IncidentChange } from '../ports/incident-store.js';
import { deadlineDetail } from './ap-verdict.js';
import { type ChangeDeps, enteredAt, markStatedRun } from './change-incident.js';
import { processorHours, roleOf } from './clocks.js';
import { setNextDue } from './due-policy.js';
import { ConflictError, InvalidFindingError, refused as refuse } from './errors.js';
import { type Finding, parseEventText } from './finding.js';
import { sha256 } from './hash.js';
import { appendEntries, type Decision, INCIDENT_ID_HEX, type Incident, lawInForce, newIncident, type OpenedByHand } from './incident.js';
import { OPENED_BY_HAND_REASON } from './labels.js';
import { composeMessage } from './messages.js';
import type { Policy } from './policy.js';
import { findingRecord } from './record-finding.js';
import { describeSeverity, formatSeverity } from './severity.js';
import { AVG_APPLIES, enteredLater } from './stated-time.js';
import { addHours, HOUR_MS, localWithInstant, toUtc } from './time.js';

/**
 * The finding of one event's text (`datalek open --finding FILE`, the page's pasted event), parsed as
 * replay parses it (the same bounds), or what is wrong with it: the parser's problem names a field,
 * never the value there.
 */
export function findingOfEvent(text: string, now: string): { finding: Finding } | { problem: string } {
  try {
    const parsed = parseEventText(text, { now });
    return parsed.kind === 'finding' ? { finding: parsed.finding } : { problem: 'a GuardDuty event, but not a finding' };
  } catch (err) {
    if (err instanceof InvalidFindingError) return { problem: err.message };
    throw err;
  }
}

export interface OpenByHandInput {
  by: string;
  /** What happened, in the person's words. */
  what: string;
  /** When the organisation became aware (stated). */
  awareAt: string;
  /** The event of the finding the policy ignored that it comes from. */
  finding?: Finding;
  /** Why the organisation became aware only then: required when that is long after the finding (AWARE_GAP_HOURS). */
  awareReason?: string;
}

/**
 * How long after its finding's detection the awareness of an incident opened by hand may be stated
 * without a reason of its own (review9 S3). EDPB Guidelines 9/2022 allow a short investigation after
 * the first alert, started at once; beyond a day the register must say why the 72 hours start so
 * late, as `assess --aware-at` asks for any move of the awareness.
 */
export const AWARE_GAP_HOURS = 24;

/** The finding type an incident opened by hand without a finding shows. */
export const BY_HAND_TYPE = 'by-hand';

/** Why the policy opens no incident for the finding (as `datalek replay` says it), or null when it opens one. */
function ignoredBecause(finding: Finding, policy: Policy): string | null {
  if (finding.archived) return 'archived in GuardDuty: an archived finding opens no incident';
  const threshold = policy.thresholds.openIncident;
  if (finding.severity < threshold)
    return `severity ${describeSeverity(finding.severity)} is below the policy's threshold ${formatSeverity(threshold)} for opening an incident`;
  return null;
}

/** The finding's part of the record, after checking that it is the policy's to ignore and nobody's yet. */
async function ignoredFinding(deps: ChangeDeps, finding: Finding): Promise<NonNullable<OpenedByHand['finding']>> {
  const { findingId, accountId, region } = finding.key;
  if (finding.sample)
    throw refuse(
      `--finding ${findingId} is a sample finding (GuardDuty's test data): it is no breach`,
      `Bevinding ${findingId} is een voorbeeldbevinding (testgegevens van GuardDuty): geen datalek.`,
    );
  const known = await deps.store.getFinding(finding.key);
  if (known)
    throw refuse(
      `finding ${findingId} is recorded already, on incident ${known.incidentId}: record the breach there (datalek show ${known.incidentId})`,
      `Bevinding ${findingId} is al vastgelegd, bij incident ${known.incidentId}: leg het datalek daar vast.`,
    );
  const ignored = ignoredBecause(finding, deps.policy);
  if (!ignored)
    throw refuse(
      `the policy opens an incident for finding ${findingId} (severity ${describeSeverity(finding.severity)}): record it with datalek replay FILE, which opens it with its containment`,
      `Het beleid opent een incident voor bevinding ${findingId}: leg haar vast met datalek replay.`,
    );
  return { findingId, accountId, region, type: finding.type, severity: finding.severity, createdAt: toUtc(finding.createdAt), ignored };
}

export async function openByHand(deps: ChangeDeps, input: OpenByHandInput): Promise<Incident> {
  const by = input.by.trim();
  const what = input.what.trim();
  if (!by) throw refuse('who records it is required (--by)', 'Wie dit vastlegt is verplicht.');
  if (!what) throw refuse('what happened is required (--what): the register keeps every breach with its facts (Art. 33(5))', 'Beschrijf wat er is gebeurd.');
  const now = deps.now();
  const awareAt = toUtc(input.awareAt);
  // A person reads the refusals: each time in the policy's zone with the instant beside it (law27 item 4);
  // not an awareness before the AVG applied, a typo read best as typed (year 1 has no zone time worth reading).
  const shown = (iso: string) => localWithInstant(iso, deps.policy.timeZone);
  if (awareAt > now)
    throw refuse(
      `--aware-at ${shown(awareAt)} lies after now (${shown(now)}); record what happened when it has happened (Art. 33(5))`,
      `"Bewust geworden op" ligt na nu; leg vast wat gebeurd is wanneer het gebeurd is (AVG art. 33(5)).`,
    );
  if (awareAt < AVG_APPLIES)
    throw refuse(
      `--aware-at ${awareAt} lies before ${AVG_APPLIES}, when the AVG (GDPR) began to apply: no AP deadline runs from it; a typo? give the moment the organisation became aware`,
      `"Bewust geworden op" ligt vóór ${AVG_APPLIES.slice(0, 10)}, toen de AVG van toepassing werd: daar loopt geen AP-termijn vanaf. Een tikfout? Geef het moment waarop de organisatie het wist.`,
    );
  const finding = input.finding ? await ignoredFinding(deps, input.finding) : undefined;
  // Derived from what was stated: the same command twice (a retry) opens one incident.
  const id = `dl-${sha256(`datalek-by-hand\n${by}\n${awareAt}\n${what}\n${finding ? `${finding.accountId}/${finding.region}/${finding.findingId}` : ''}`).slice(0, INCIDENT_ID_HEX)}`;
  const openedAlready = () =>
    refuse(
      `an incident with this description, awareness and recorder was opened by hand already: ${id} (datalek show ${id})`,
      `Dit incident is al met de hand geopend: ${id}.`,
    );
  if (await deps.store.getIncident(id)) throw openedAlready();
  const detectedAt = finding && finding.createdAt < awareAt ? finding.createdAt : awareAt;
  const hoursAfterDetection = Math.round(((Date.parse(awareAt) - Date.parse(detectedAt)) / HOUR_MS) * 10) / 10;
  const statedReason = input.awareReason?.trim() ?? '';
  if (finding && hoursAfterDetection > AWARE_GAP_HOURS && !statedReason)
    throw refuse(
      `--aware-at ${shown(awareAt)} lies ${hoursAfterDetection} hours after finding ${finding.findingId} was detected (${shown(detectedAt)}): say why the organisation became aware only then (--aware-reason); the register keeps why the 72 hours start when they do (Art. 33(1), EDPB Guidelines 9/2022)`,
      `Het bewustwordingsmoment ligt ${hoursAfterDetection} uur na de detectie van bevinding ${finding.findingId}: geef de reden waarom de organisatie pas toen bewust werd (AVG art. 33(1)).`,
    );
  const place = { accountId: finding?.accountId ?? '-', region: finding?.region ?? '-' };
  const incident = newIncident({
    id,
    sample: false,
    ...place,
    resource: { kind: 'other', resourceType: 'none', id: '-' },
    // A key of its own: it holds no resource of anyone's (its finding's later versions claim theirs).
    resourceKey: `by-hand:${id}`,
    firstFinding: { ...place, findingId: `by-hand:${id}` },
    findingType: finding?.type ?? BY_HAND_TYPE,
    severity: finding?.severity ?? 0,
    detectedAt,
    awareAt,
    deadline: addHours(awareAt, deps.policy.apDeadlineHours),
    deadlineHours: deps.policy.apDeadlineHours,
    openedAt: now,
  });
  incident.findings = input.finding ? 1 : 0;
  incident.findingTypes = [incident.findingType];
  incident.firstActivityAt = null;
  // Judged at the machine's clock behind a stated --now (atk28 F16).
  const later = enteredLater(awareAt, enteredAt(deps));
  // A code when the person gave no reason, shown in the reader's words (labels.ts awareReasonLabel).
  const reason = statedReason || OPENED_BY_HAND_REASON;
  incident.openedByHand = { by, recordedAt: now, what, awareAt, ...(finding ? { finding } : {}) };
  incident.awareReason = reason;
  // The awareness is a person's statement, as `assess --aware-at` records one (its marks with it).
  const awareness: Decision = {
    kind: 'awareness',
    from: null,
    to: awareAt,
    reason,
    by,
    recordedAt: now,
    hoursAfterDetection,
    movedLaterAfterPersonalDataYes: false,
    ...(later ? { enteredLater: true } : {}),
  };
  incident.decisions = [awareness];
  // The role and a processor's hours in force now are the record's, as for any incident (record-finding.ts open_).
  incident.policyRole = roleOf(incident, deps.policy);
  if (incident.policyRole === 'processor') incident.controllerHours = processorHours(deps.policy);
  incident.clocksInForce = { nis2: deps.policy.clocks.nis2, telecom: deps.policy.clocks.telecom };
  // Whoever opened it has it in hand: nobody is paged to take it, now or when its finding comes back.
  incident.announced.push('fg:opened', 'on-call:opened');
  incident.state = 'acknowledged';
  incident.acknowledgedBy = by;
  incident.acknowledgedAt = now;
  setNextDue(incident, deps.policy);
  const messages = isTheFg(by, deps.policy) ? [] : [composeMessage({ incident, channel: 'fg', kind: 'opened', stateKey: 'opened', now, policy: deps.policy })];
  const timeline = appendEntries(incident, [
    {
      at: now,
      kind: 'incident-opened-by-hand',
      actor: by,
      detail: {
        what,
        awareAt,
        detectedAt,
        ...deadlineDetail(incident),
        ...(later ? { awarenessEnteredLater: true } : {}),
        ...(finding ? { finding } : {}),
        // None: a person's incident names no begin of the breach (verify holds the record to this, vpol).
        firstActivityAt: null,
        // The law in force when its clock began, which the record keeps: verify holds the record to it (tl28a).
        ...lawInForce(incident),
        // No resources beside its own; a finding joining it later says what it claims (record-finding.ts noteClaimed, tl29).
        resourceKeys: [],
      },
    },
    ...messages.map((m) => ({ at: now, kind: 'notification-queued', detail: { channel: m.channel, messageKind: m.kind, messageId: m.id } })),
  ]);
  const change: IncidentChange = { incident, expectedRevision: null, timeline, messages };
  // Recorded as new: should the pipeline record the finding meanwhile, the commit fails (ConflictError).
  if (input.finding) change.finding = { record: findingRecord(input.finding, id), expected: null };
  markStatedRun(change, deps, by);
  try {
    await deps.store.commit(change);
  } catch (err) {
    // The same command run twice at once: the other one opened it (the store creates an id once).
    if (err instanceof ConflictError && (await deps.store.getIncident(id))) throw openedAlready();
    // The pipeline recorded the finding meanwhile: it is that incident's (as when it was recorded before).
    if (err instanceof ConflictError && input.finding) await ignoredFinding(deps, input.finding);
    throw err;
  }
  return incident;
}

/** Whether `by` is the FG the policy names (the same name, case and spacing aside): then nobody else is to be told. */
function isTheFg(by: string, policy: Policy): boolean {
  const name = (n: string) => n.trim().replace(/\s+/g, ' ').toLowerCase();
  const fg = policy.organisation.fg.name;
  return fg !== undefined && name(fg) !== '' && name(fg) === name(by);
}
