/**
 * How incidents look on the command line: the exact JSON objects of the CLI contract
 * (../shared/cli-contract.md), and the tables people read, with times in the policy's zone.
 */

import { apInternalTarget, apLegalDeadline, apVerdictReport, currentAwareness, renotified } from '../core/ap-verdict.js';
import { byHandText, notDoneText, notDoneWithdrawnText } from '../core/breach-facts.js';
import { runbookUrl } from '../core/chat-card.js';
import {
  apFollowUpState,
  apOwedUnderTelecom,
  assessedAfterClosing,
  type ClockName,
  clocksOf,
  enteredAfterDeadlineText,
  nis2AwarenessText,
  owedAnew,
  roleOf,
  SUBSCRIBERS_AP_NOT_RECORDED,
} from '../core/clocks.js';
import { ACTION_RUNBOOKS, dnsBlockRefusal, dnsDomains } from '../core/containment.js';
import { isStoreWidePseudonym } from '../core/finding-resources.js';
import { assessmentCoverage, type FindingTypeNames } from '../core/finding-types.js';
import { findingTypesSeen, type Incident, initialReport, type ReportRecord, subscribersWithoutAp, type TimelineEntry } from '../core/incident.js';
import { keyPseudonyms, ownPseudonyms, pseudonymText } from '../core/incident-pseudonyms.js';
import { besideSpecialLabel, callerLabel, clockNote, clockShownLabel, reportKindLabel, reportKindShown, shownState, userDeletedText } from '../core/labels.js';
import { runbookFor } from '../core/messages.js';
import { MINIMISED, minimisedAsRecorded } from '../core/minimise.js';
import type { Policy } from '../core/policy.js';
import { resourceTagsText } from '../core/resource-tags.js';
import { reviewPending } from '../core/schedule.js';
import { formatSeverity, severityBand } from '../core/severity.js';
import { BEFORE_DETECTION, beforeDetection, enteredAtOf, firstSeenSetAsideText } from '../core/stated-time.js';
import { oneLine } from '../core/text.js';
import { formatLocal, localWithInstant, timeLeft } from '../core/time.js';

/** `datalek status --json`: one of these per incident (with its legal clocks when a policy is given). */
export function statusObject(incident: Incident, policy?: Policy, now?: string) {
  return {
    incidentId: incident.id,
    state: incident.state,
    severity: incident.severity,
    band: severityBand(incident.severity),
    findingType: incident.findingType,
    findingTypes: incident.findingTypes ?? [incident.findingType],
    // The token `assess --seen` takes: the finding types and resources as shown now.
    findingTypesSeen: findingTypesSeen(incident),
    resource: { type: incident.resource.resourceType, id: incident.resource.id },
    accountId: incident.accountId,
    region: incident.region,
    detectedAt: incident.detectedAt,
    awareAt: incident.awareAt,
    // The law's deadline (Art. 33(1)); a shorter internal target beside it (review12 S3).
    deadline: apLegalDeadline(incident),
    internalTarget: apInternalTarget(incident)?.at ?? null,
    sample: incident.sample,
    findings: incident.findings,
    acknowledgedBy: incident.acknowledgedBy,
    acknowledgedAt: incident.acknowledgedAt,
    // A released action is shown as released: what it did was undone, the resource is open again.
    actions: incident.actions.map((a) => ({
      id: a.id,
      type: a.type,
      target: a.target,
      ...elsewhere(a),
      status: a.released ? ('released' as const) : a.status,
      reason: a.reason ?? null,
      // Carried out by a person, by hand (core/by-hand.ts): datalek touched nothing.
      ...(a.byHand ? { byHand: a.byHand } : {}),
      // Decided by a person not to be carried out (core/by-hand.ts): who, why.
      ...(a.notDone ? { notDone: a.notDone } : {}),
      // Such decisions taken back (`not-done --withdraw`), each beside its withdrawal.
      ...(a.notDoneWithdrawn ? { notDoneWithdrawn: a.notDoneWithdrawn } : {}),
      ...(a.released ? { released: a.released } : {}),
      // A release of it is under way (or crashed: release again).
      ...(a.releasing ? { releasing: a.releasing } : {}),
      // A release undid part of it (one interface of several): which steps undid, which failed.
      ...(a.partlyReleased && !a.released ? { partlyReleased: a.partlyReleased } : {}),
      // Left to another open incident that holds the resource contained (core/containment.ts).
      ...(a.heldBy ? { heldBy: a.heldBy } : {}),
    })),
    assessment: incident.assessment ?? null,
    reports: incident.reports ?? [],
    firstActivityAt: incident.firstActivityAt ?? null,
    role: policy ? roleOf(incident, policy) : (incident.role ?? null),
    reviewAsked: reviewPending(incident) ? (incident.reviewAsked ?? null) : null,
    // Opened by a person, not by a finding (core/open-by-hand.ts).
    ...(incident.openedByHand ? { openedByHand: incident.openedByHand } : {}),
    followUpOf: incident.followUpOf ?? null,
    followUps: incident.followUps ?? [],
    // The open incidents a finding linked to this one rather than merging them (record-finding.ts), only when any.
    ...(incident.linked?.length ? { linked: incident.linked, ...(incident.linkedNotListed ? { linkedNotListed: incident.linkedNotListed } : {}) } : {}),
    // The personal data of its findings removed after the retention period (core/minimise.ts), only when it was.
    ...(incident.minimised ? { minimised: incident.minimised } : {}),
    // Its findings kept past the retention period by a person's decision (core/retention-hold.ts), only while held.
    ...(incident.retentionHold ? { retentionHold: incident.retentionHold } : {}),
    decisions: incident.decisions ?? [],
    nis2: incident.nis2 ?? null,
    subjects: incident.subjects ?? null,
    subscribers: incident.subscribers ?? null,
    facts: incident.facts ?? null,
    // Messages their channel refused for good: never sent, no longer tried.
    ...(incident.undeliverable?.length ? { undeliverable: incident.undeliverable } : {}),
    // Beyond what the record holds (commit-bounds.ts): counted, a person's to contain; only when reached.
    ...(incident.actionsNotPlanned ? { actionsNotPlanned: incident.actionsNotPlanned } : {}),
    ...(incident.resourcesNotListed ? { resourcesNotListed: incident.resourcesNotListed } : {}),
    ...(policy && now
      ? {
          clocks: clocksOf(incident, policy, now).map(({ name, startsAt, dueAt, doneAt, status, enteredAfterDeadline, followUp, anew }) => ({
            name,
            startsAt,
            dueAt,
            doneAt,
            status,
            // Only on a clock other than the AP's, met by a report entered after it had passed (core/clocks.ts).
            ...(enteredAfterDeadline ? { enteredAfterDeadline } : {}),
            // Only on the AP's: the initial report is recorded, the follow-up still owed (Art. 33(4)).
            ...(followUp ? { followUp } : {}),
            // Only on the AP's, while `owed-anew`: the withdrawn first notification and its verdict (law27).
            ...(anew ? { anew } : {}),
          })),
        }
      : {}),
  };
}

/** `datalek show --json`: the status object plus the timeline, and on-call's next step. */
export function showObject(incident: Incident, timeline: TimelineEntry[], policy?: Policy, now?: string, types?: FindingTypeNames) {
  const coverage = types && assessmentCoverage(incident, types, timeline);
  return {
    ...statusObject(incident, policy, now),
    // The types past the 100 listed, by name, and which the assessment in force covers (core/finding-types.ts, fg15).
    ...(types?.notListed.length || types?.unnamed ? { findingTypesPastList: { names: types.notListed, unnamed: types.unnamed } } : {}),
    ...(coverage ? { assessmentCovers: coverage } : {}),
    // The note as the timeline shows it: a run before fg20 that minimised again wrote over it (minimisedAsRecorded).
    ...(incident.minimised ? { minimised: minimisedAsRecorded(incident, timeline) } : {}),
    // A finding's eventFirstSeen set aside (not a strict instant): what it was, and the time used instead (fg26 item 4).
    ...(incident.firstSeenSetAside ? { firstSeenSetAside: incident.firstSeenSetAside } : {}),
    // `caller`: the AWS identity that wrote the entry, beside the name given (TimelineEntry.caller).
    timeline: timeline.map((e) => ({
      seq: e.seq,
      at: e.at,
      kind: e.kind,
      actor: e.actor,
      ...(e.caller ? { caller: e.caller } : {}),
      detail: e.detail,
      ...(e.damaged ? { damaged: e.damaged } : {}),
    })),
    ...onCallNext(incident),
  };
}

/**
 * What on-call does next, as the acknowledgement page says it: the incident's runbook, and each
 * containment step still to do (planned and not carried out, or failed), with its own runbook.
 */
export function onCallNext(incident: Incident) {
  return {
    runbook: runbookFor(incident, 'on-call'),
    nextSteps: incident.actions
      .filter((a) => !a.released && (a.status === 'planned' || a.status === 'failed'))
      .map((a) => ({ type: a.type, target: a.target, ...elsewhere(a), status: a.status, reason: a.reason ?? null, runbook: actionRunbook(a) })),
  };
}

const actionRunbook = (a: Incident['actions'][number]): string | null => a.params?.runbook ?? ACTION_RUNBOOKS[a.type] ?? null;

/** The account and region of an action's target, when not the incident's (a namesake there is another resource). */
const elsewhere = (a: { accountId?: string; region?: string }) => ({
  ...(a.accountId ? { accountId: a.accountId } : {}),
  ...(a.region ? { region: a.region } : {}),
});

/** ` in account 444455556666` after a target that lives elsewhere; nothing for the incident's own. */
const placeText = (a: { accountId?: string; region?: string }) =>
  a.accountId || a.region ? ` in ${[a.accountId ? `account ${a.accountId}` : '', a.region ?? ''].filter(Boolean).join(', ')}` : '';

/** `onCallNext` for people: the runbook (a link when the policy has a base URL) and the steps still to do. */
export function nextStepLines(incident: Incident, policy: Policy): string[] {
  const { runbook, nextSteps } = onCallNext(incident);
  const lines = [`Next: follow the runbook ${runbookUrl(policy, runbook) ?? runbook}`];
  if (nextSteps.length) lines.push('Containment still to do:');
  for (const s of nextSteps) {
    lines.push(
      `  ${s.status.padEnd(8)} ${s.type} ${s.target}${placeText(s)}${s.reason ? `: ${s.reason}` : ''}${s.runbook && s.runbook !== runbook ? ` (runbook: ${s.runbook})` : ''}`,
    );
  }
  return lines.map(oneLine);
}

/** Most urgent first: the web page's overview orders the same way. */
export { byUrgency } from '../use-cases/open-incidents.js';

/** A table for the terminal; every cell is one line, its control characters shown escaped. */
export function table(headers: string[], rawRows: string[][]): string {
  const rows = rawRows.map((r) => r.map(oneLine));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function statusTable(incidents: Incident[], policy: Policy, now: string): string {
  const tz = policy.timeZone;
  const rows = incidents.map((i) => [
    i.id,
    i.state,
    `${formatSeverity(i.severity)} ${severityBand(i.severity)}`,
    truncate(i.findingType, 44),
    // The incident's own pseudonym, as its pages and messages name a principal: a table pasted into a
    // chat then links no other incident of the user (fg25); --json keeps the store's id, show names both.
    truncate(`${i.resource.resourceType} ${ownPseudonyms(i.pseudonymKey, i.resource.id)}`, 36),
    i.deadline ? formatLocal(apLegalDeadline(i) as string, tz) : i.sample ? 'none (sample)' : '-',
    `${deadlineNote(i, now, tz, policy)}${targetLeft(i, now)}`,
    i.acknowledgedBy ?? (i.sample ? '' : 'NOT ACKNOWLEDGED'),
  ]);
  const table0 = table(['INCIDENT', 'STATE', 'SEVERITY', 'FINDING TYPE', 'RESOURCE', `AP DEADLINE (${tz})`, 'TIME LEFT', 'ACKNOWLEDGED BY'], rows);
  // The order and the reminders run to an internal target the policy set, not to the column's deadline: said (fg15).
  const targets = [...new Set(incidents.flatMap((i) => apInternalTarget(i)?.hours ?? []))].sort((a, b) => a - b);
  const out = targets.length
    ? `${table0}\nMost urgent first; the AP reminders and the order run to the internal target where the policy sets one (${targets.join(', ')} hours, not the law’s 72).`
    : table0;
  // A message that will never go is said under the table, each once (show names them).
  const refused = incidents.filter((i) => i.undeliverable?.length);
  if (refused.length === 0) return out;
  return [
    out,
    ...refused.map((i) => oneLine(`NOT SENT: ${i.undeliverable?.length} message(s) of ${i.id} refused by their channel for good (datalek show ${i.id})`)),
  ].join('\n');
}

/** How a person opened the incident by hand (core/open-by-hand.ts), and the ignored finding it comes from. */
function openedByHandLine(o: NonNullable<Incident['openedByHand']>, tz: string): string {
  const f = o.finding;
  const from = f ? `; from finding ${f.findingId} (${f.type}, severity ${formatSeverity(f.severity)}), which the policy ignored: ${f.ignored}` : '';
  return oneLine(`  OPENED BY HAND by ${o.by} at ${formatLocal(o.recordedAt, tz)}: ${o.what}${from}`);
}

/** `show`: the types past the 100 the record lists, by name, and which the assessment in force covers (fg15). */
function typesLines(incident: Incident, timeline: TimelineEntry[], types: FindingTypeNames | undefined): string[] {
  if (!types) return [];
  const out: string[] = [];
  if (types.notListed.length || types.unnamed) {
    const hashed = types.unnamed ? `${types.notListed.length ? ' and ' : ''}${types.unnamed} known only by their hash` : '';
    out.push(`  not listed     ${types.notListed.join(', ')}${hashed}   (past the 100 the record lists; read from its findings)`);
  }
  const coverage = assessmentCoverage(incident, types, timeline);
  if (coverage && types.all.length > 1) {
    const n = types.all.length;
    out.push(
      coverage.notCovered.length
        ? `  assessed for   ${coverage.covered.length} of the ${n} finding types; not covered (came after the assessment): ${coverage.notCovered.join(', ')}`
        : `  assessed for   all ${n} finding types`,
    );
  }
  return out;
}

/**
 * Each principal the incident names by the store-wide pseudonym as a resource (the affected one, an
 * attack sequence's actor), with the incident's own pseudonym of it (pseud21): the timeline and the
 * messages name it so, a step or none (fg22: only a step's was shown, so an actor without one, or
 * a resource whose step was never planned, could not be matched to what a message said).
 */
/**
 * When the activity began, as GuardDuty said it, when that is before the detection; and a first
 * activity set aside, with the time used instead (fg26 item 4: nothing showed it).
 */
function firstActivityLines(incident: Incident, when: (iso: string | null) => string): string[] {
  const first = incident.firstActivityAt;
  const setAside = firstSeenSetAsideText(incident, 'en', when);
  return [
    ...(first && first !== incident.detectedAt ? [`  first activity ${when(first)}`] : []),
    ...(setAside ? [`  first seen     set aside: ${oneLine(setAside)}`] : []),
  ];
}

function ownPseudonymLines(incident: Incident): string[] {
  const named = [incident.resource, ...(incident.resources ?? []).filter((r) => r.id !== incident.resource.id)];
  return named.flatMap((r) => {
    // An access key: the AP draft names it by its kind and this pseudonym (fg26 item 5), told here beside the id.
    const key = keyPseudonyms(incident.pseudonymKey, r.id);
    if (key !== r.id) return [`  pseudonym      ${key} in the AP draft (this incident's own pseudonym of access key ${r.id})`];
    const own = isStoreWidePseudonym(r.id) ? ownPseudonyms(incident.pseudonymKey, r.id) : r.id;
    if (own === r.id) return [];
    const which = r === incident.resource ? 'the resource' : 'a resource the findings name';
    return [
      `  pseudonym      ${own} in the timeline and messages (this incident's own pseudonym of ${r.id}, ${which}; minimise names it so here too and deletes its secret)`,
    ];
  });
}

/**
 * Who recorded an entry: its actor, the AWS identity that wrote it, and whether an FG decision's is
 * not the FG's role's. The identity by its role and account (labels.ts callerLabel), as verify and
 * the register name it: its session's name is often a person's e-mail address, on a screen or in a
 * screenshot; `show --json` keeps the full ARN (CALLERS_SHOWN says so under the timeline).
 */
function actorCell(e: TimelineEntry, notByFg: boolean): string {
  const notFg = notByFg ? "; not the FG's role" : '';
  if (e.caller) return `${e.actor} (as ${callerLabel('en', e.caller)}${notFg})`;
  return notByFg ? `${e.actor} (no caller${notFg})` : e.actor;
}

/**
 * `notByFg`: the entries (by seq) of FG decisions that no session of the FG's role recorded, on AWS
 * (cli/fg-role.ts `decisionsNotByFg`): marked beside their actor.
 */
export function showText(
  incident: Incident,
  timeline: TimelineEntry[],
  policy: Policy,
  now: string,
  types?: FindingTypeNames,
  notByFg: ReadonlySet<number> = new Set(),
): string {
  const tz = policy.timeZone;
  const when = (iso: string | null) => (iso ? localWithInstant(iso, tz) : '-');
  const awareness = currentAwareness(incident);
  const lines = [
    `Incident ${incident.id}${incident.sample ? '  [SAMPLE FINDING: test data, no clock, no containment]' : ''}`,
    ...(incident.openedByHand ? [openedByHandLine(incident.openedByHand, tz)] : []),
    `  state          ${incident.state}`,
    `  severity       ${formatSeverity(incident.severity)} (${severityBand(incident.severity)})`,
    `  finding type   ${incident.findingType}   (${incident.findings} finding${incident.findings === 1 ? '' : 's'})`,
    ...((incident.findingTypes?.length ?? 0) > 1 ? [`  finding types  ${incident.findingTypes?.join(', ')}`] : []),
    ...typesLines(incident, timeline, types),
    // What an assessment from the command line answers for: a type that comes after this changes the token (core/fg-workflow.ts checkTypesSeen).
    // Merged: no assessment is taken here (fg-workflow.ts afterCloseReason), so where it goes instead (nis17 item 5).
    incident.mergedInto
      ? `  merged into    ${incident.mergedInto}   (closed as merged: the breach, its clocks and what follows are recorded there: datalek show ${incident.mergedInto})`
      : `  seen           ${findingTypesSeen(incident)}   (datalek assess ${incident.id} --seen ${findingTypesSeen(incident)} …: refused if a finding of another type, or naming another resource, comes first)`,
    ...(incident.followUpOf
      ? [
          `  follow-up of   ${incident.followUpOf.incidentId} (closed ${when(incident.followUpOf.closedAt)}; finding ${incident.followUpOf.findingId} active again)`,
        ]
      : []),
    ...(incident.followUps?.length ? [`  follow-ups     ${incident.followUps.join(', ')} (activity after closing)`] : []),
    ...(incident.linked?.length
      ? [
          `  linked to      ${incident.linked.join(', ')}${incident.linkedNotListed ? ` and ${incident.linkedNotListed} more` : ''} (a finding named resources of both; not merged: see the timeline)`,
        ]
      : []),
    `  resource       ${incident.resource.resourceType} ${incident.resource.id}   account ${incident.accountId}, ${incident.region}`,
    ...(resourceTagsText(incident, 'en') ? [`  tags          ${resourceTagsText(incident, 'en')}`] : []),
    ...ownPseudonymLines(incident),
    ...firstActivityLines(incident, when),
    `  detected       ${when(incident.detectedAt)}`,
    `  aware          ${when(incident.awareAt)}${incident.awareAt && incident.awareAt === incident.detectedAt && !awareness ? '   (default: detection, until a person records awareness)' : ''}${beforeDetection(incident, incident.awareAt) ? ` (${BEFORE_DETECTION.en})` : ''}${awareness ? enteredMark(incident, awareness, tz, 'awareness-set') : ''}`,
    `  AP deadline    ${incident.deadline ? `${when(apLegalDeadline(incident))}   ${deadlineNote(incident, now, tz, policy)}` : 'none'}`,
    ...internalTargetLine(incident, now, when),
    `  acknowledged   ${incident.acknowledgedBy ? `${incident.acknowledgedBy} at ${when(incident.acknowledgedAt)}` : 'no'}`,
  ];
  if (incident.assessment) {
    const a = incident.assessment;
    lines.push(
      `  assessment     personal data ${a.personalData}, risk ${a.risk}: ${a.notifiable ? 'notifiable' : 'NOT notifiable'} (${a.by}, ${formatLocal(a.at, tz)}): ${a.reason}`,
    );
    if (a.confirmedBesideSpecial) lines.push(`  NO RISK        ${besideSpecialLabel('en', a.confirmedBesideSpecial)}`);
    const ask = incident.reviewAsked;
    if (ask && reviewPending(incident)) {
      lines.push(`  TO REVIEW      ${ask.findingType} (${ask.findingId}) came at ${formatLocal(ask.at, tz)}, after this assessment: the FG assesses again`);
    }
  }
  if (!incident.sample) lines.push(`  role           ${roleOf(incident, policy)}${incident.role ? '' : ' (policy default)'}`);
  if (incident.nis2) {
    lines.push(
      `  NIS2           ${incident.nis2.significant ? 'significant' : 'not significant'} (${incident.nis2.by}, ${formatLocal(incident.nis2.at, tz)}): ${incident.nis2.reason}`,
    );
    // Which awareness its deadlines run from, while significant (fgsec16 S4).
    const aware = nis2AwarenessText(incident, tz);
    if (aware) lines.push(`  NIS2 aware     ${aware.en}`);
  }
  for (const [what, s] of [
    ['Art. 34', incident.subjects],
    ['subscribers', incident.subscribers],
  ] as const) {
    if (s)
      lines.push(
        `  ${what.padEnd(14)} ${s.decision}${s.exception ? ` (${s.exception})` : ''}${s.date ? ` on ${formatLocal(s.date, tz)}` : ''}${s.channel ? ` by ${s.channel}` : ''}: ${s.reason}`,
        ...(s.text ? [`  told           "${s.text}"`] : []),
        ...(what === 'subscribers' && subscribersWithoutAp(s) ? [`  NOT DONE       ${SUBSCRIBERS_AP_NOT_RECORDED.en}`] : []),
      );
  }
  const decisions = incident.decisions?.length ?? 0;
  if (decisions > 1) lines.push(`  decisions      ${decisions} recorded, each with its reason (datalek show ${incident.id} --json, or the register)`);
  // A decision that stopped a clock other than the AP's after the record held it overdue names it (core/clocks.ts).
  for (const d of incident.decisions ?? [])
    for (const m of d.clocksEnteredAfterDeadline ?? [])
      lines.push(
        `  decision       ${d.kind} at ${formatLocal(d.recordedAt, tz)} by ${d.by}: ${enteredAfterDeadlineText(m.clock as ClockName).en} (overdue from ${formatLocal(m.overdueFrom, tz)})`,
      );
  for (const c of clocksOf(incident, policy, now)) {
    // Owed anew, the deadline is the one the first notification met or missed, not a time the one anew is due by (law28 s28).
    const due = c.dueAt ? `${c.status === 'owed-anew' ? 'deadline' : 'due'} ${formatLocal(c.dueAt, tz)}` : '';
    const done = c.doneAt
      ? `, done ${formatLocal(c.doneAt, tz)}`
      : c.dueAt && c.status !== 'not-needed' && c.status !== 'owed-anew'
        ? `, ${timeLeft(c.dueAt, now)}`
        : '';
    // A follow-up still owed to the AP (Art. 33(4)) is not "met" (core/labels.ts shownState).
    const note = clockNote('en', c);
    lines.push(`  clock          ${c.label.en}: ${shownState(c)}${due ? ` (${due}${done})` : ''}${note ? ` (${note})` : ''}`);
  }
  for (const r of incident.reports ?? [])
    lines.push(
      `  reported       ${r.to} ${r.kind} ${r.reference}${anewAfter(incident, r)} at ${formatLocal(r.at, tz)}${r.beforeDetection ? ` (${BEFORE_DETECTION.en})` : ''} by ${r.by}${enteredMark(incident, r, tz, 'reported')}${clockMarks(r, tz)}${r.delayReason ? ` (delay: ${r.delayReason})` : ''}`,
    );
  if (incident.actions.length) {
    lines.push('  containment');
    for (const a of incident.actions) {
      if (a.released) {
        const r = a.released;
        // Its IAM user stated deleted (release --user-deleted, rel28): the release rests on that word.
        const gone = r.userDeleted ? `; ${userDeletedText(r.by, 'en')}` : '';
        lines.push(`    ${'released'.padEnd(8)} ${a.type} ${a.target}${placeText(a)}: undone by ${r.by} at ${formatLocal(r.at, tz)}: ${r.reason}${gone}`);
        continue;
      }
      // A step still to do names the runbook to do it by.
      const todo = (a.status === 'planned' || a.status === 'failed') && actionRunbook(a);
      const said = a.byHand
        ? byHandText(a.byHand, 'en', formatLocal(a.byHand.at, tz))
        : a.notDone
          ? notDoneText(a.notDone, 'en', formatLocal(a.notDone.recordedAt, tz))
          : a.reason;
      lines.push(`    ${a.status.padEnd(8)} ${a.type} ${a.target}${placeText(a)}${said ? `: ${said}` : ''}${todo ? `   (runbook: ${todo})` : ''}`);
      for (const w of a.notDoneWithdrawn ?? []) lines.push(`             ${notDoneWithdrawnText(w, 'en', (iso) => formatLocal(iso, tz))}`);
      // Keys a person named on the embedded store were not read Inactive, as `--target aws` reads them first: said here.
      if (a.byHand?.keysNotRead)
        for (const k of a.byHand.keys ?? [])
          lines.push(
            `             key ${k} given with --key, not read when recorded (the embedded store reads no AWS): taken as given; datalek verify --target aws reads it`,
          );
      if (a.partlyReleased)
        lines.push(
          `             partly released by ${a.partlyReleased.by} at ${formatLocal(a.partlyReleased.at, tz)}: undone ${a.partlyReleased.undone.join(', ')}; still in effect ${a.partlyReleased.stillInEffect.join(', ')}`,
        );
      // The domain a DNS channel step blocks is left out of messages (attacker-chosen text): here on-call reads it.
      if (a.type === 'block-dns-channel') lines.push(...dnsDomainLines(a));
      // A federated user's principal is named by its pseudonym everywhere else (fed16): here on-call reads it, until minimised.
      const principal = a.type === 'contain-federated-user' ? a.params?.principalId : undefined;
      if (typeof principal === 'string' && principal !== MINIMISED)
        lines.push(`             principal ${principal} (as the finding names it; left out of messages, removed when the finding is minimised)`);
      // So is an IAM user named by its user name alone (fgpseud17): the user its step acts on.
      const user = a.type === 'revoke-user-sessions' && a.target.startsWith('iam-user:') ? a.params?.userName : undefined;
      if (typeof user === 'string' && user !== MINIMISED)
        lines.push(`             user ${user} (as the finding names it; left out of messages, removed when the finding is minimised)`);
      // The timeline and messages name such a step by the incident's own pseudonym (pseud21): on-call finds it there by this.
      const own = ownPseudonyms(incident.pseudonymKey, a.target);
      if (own !== a.target)
        lines.push(
          `             ${own} in the timeline and messages (this incident's own pseudonym of ${a.target}; minimise names it so here too and deletes its secret)`,
        );
    }
    // Beyond what the record holds (commit-bounds.ts): counted, and a person's to contain.
    const left = incident.actionsNotPlanned;
    if (left)
      lines.push(
        `    not planned ${left.count} further action(s) since ${formatLocal(left.since, tz)}: the record keeps ${incident.actions.length}; the findings name those resources`,
      );
  } else {
    lines.push(`  containment    none (${incident.openedByHand ? 'opened by hand' : 'notify only'})`);
  }
  for (const u of incident.undeliverable ?? [])
    lines.push(`  NOT SENT       ${u.messageId} (${u.kind} to ${u.channel}) refused at ${formatLocal(u.at, tz)}, never tried again: ${u.reason}`);
  const runbook = runbookFor(incident, 'on-call');
  lines.push(`  runbook        ${runbookUrl(policy, runbook) ?? runbook}`);
  // The note as the timeline shows it: a run before fg20 that minimised again wrote over it (minimisedAsRecorded).
  const m = minimisedAsRecorded(incident, timeline);
  if (m)
    lines.push(
      `  minimised      personal data removed from ${m.findings} finding record${m.findings === 1 ? '' : 's'} by ${m.by} at ${formatLocal(m.at, tz)}, ${m.afterDays} days after closing (retention; the register, timeline and ledger are kept)${m.again ? `; minimised again at ${formatLocal(m.again.at, tz)} by ${m.again.by} (what an earlier minimise left in records minimised before: no retention period)` : ''}${pseudonymText(incident, false)}`,
    );
  const h = incident.retentionHold;
  if (h)
    lines.push(
      `  held           findings kept past the retention period by ${h.by} since ${formatLocal(h.at, tz)}: ${h.reason}; minimise leaves them until: datalek minimise ${incident.id} --release-hold --reason TEXT --by NAME`,
    );
  // A person's entries made with a --now behind the machine's clock (core/change-incident.ts).
  const stated = timeline.filter((e) => e.kind === 'clock-stated');
  if (stated.length)
    lines.push(
      `  STATED CLOCK   ${stated.length} change${stated.length === 1 ? ' was' : 's were'} recorded with a --now earlier than the machine's clock (#${stated.map((e) => e.seq).join(', #')}): the times of the entries after ${stated.length === 1 ? 'it' : 'each'} were stated, not taken; its enteredAt says when the machine recorded them`,
    );
  // Those made on an incident merged into this one: its timeline holds them (core/record-finding.ts mergeInto).
  for (const c of (incident.statedClock ?? []).filter((m) => m.incidentId))
    lines.push(
      `  STATED CLOCK   ${c.entries.join(', ')} at ${formatLocal(c.at, tz)} was stated with --now, recorded ${formatLocal(c.enteredAt, tz)}, on incident ${c.incidentId} (merged into this one)`,
    );
  // Each line above is one line, whatever a value holds; the table escapes its own cells.
  const timelineTable = table(
    ['#', `AT (${tz})`, 'ACTOR', 'WHAT', 'DETAIL'],
    timeline.map((e) => [
      String(e.seq),
      formatLocal(e.at, tz),
      actorCell(e, notByFg.has(e.seq)),
      e.kind,
      e.damaged ? `DAMAGED: ${e.damaged}` : summarise(e.detail),
    ]),
  )
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  const callers = timeline.some((e) => e.caller) ? ['', `  ${CALLERS_SHOWN}`] : [];
  return [...lines.map(oneLine), '', 'Timeline', timelineTable, ...callers].join('\n');
}

/** What `show` leaves out of each entry's AWS identity, and where it is. */
const CALLERS_SHOWN =
  "AWS identities (as …) are named by role and account: the session's name (often a person's e-mail address) is left out, and datalek show ID --json gives each entry's full ARN (caller)";

/**
 * A stated time's mark, as the page and the register show it: entered later, or entered after the
 * AP deadline had passed (with the moment the record held the notification overdue from), which
 * the AP verdict rests on (core/ap-verdict.ts).
 */
/**
 * The domains a DNS channel step blocks, one a line, each with why it must not be blocked VPC-wide
 * when it must not: left out of messages (attacker-chosen text), here on-call reads them.
 */
function dnsDomainLines(a: Incident['actions'][number]): string[] {
  const domains = dnsDomains(a.params);
  const lines = domains.map((d) => {
    const refused = domains.length > 1 ? dnsBlockRefusal(d) : null;
    return `             domain ${d} (as the finding names it${refused ? `; not to be blocked VPC-wide: ${refused}` : ''})`;
  });
  const more = Number(a.params?.domainsNotListed ?? 0);
  if (more > 0) lines.push(`             and ${more} further domain(s), not listed (the findings name them)`);
  return lines;
}

function enteredMark(
  incident: Incident,
  stated: { enteredLater?: boolean; enteredAfterDeadline?: string | null; recordedAt: string; by: string },
  tz: string,
  kind: 'reported' | 'awareness-set',
): string {
  // When it was entered: the machine's clock, not a stated --now (atk29 A6).
  const entered = formatLocal(enteredAtOf(incident, stated.recordedAt, stated.by, kind), tz);
  if (stated.enteredAfterDeadline)
    return ` (entered after the AP deadline had passed: ${entered}; overdue from ${formatLocal(stated.enteredAfterDeadline, tz)})`;
  return stated.enteredLater ? ` (entered later: ${entered})` : '';
}

/** The other clocks a report met although entered after the record held them overdue, each named (core/clocks.ts). */
function clockMarks(r: ReportRecord, tz: string): string {
  return (r.clocksEnteredAfterDeadline ?? [])
    .map((m) => ` (${enteredAfterDeadlineText(m.clock as ClockName).en}: ${formatLocal(r.recordedAt, tz)}; overdue from ${formatLocal(m.overdueFrom, tz)})`)
    .join('');
}

/** Time left while the AP clock runs; otherwise why it stopped. Times in the policy's zone (and its clocks, given the policy). */
/** A notification to the AP made anew after a withdrawal, named so beside its recorded kind (`initial`): it is not the first (law28 s28). */
function anewAfter(incident: Incident, report: ReportRecord): string {
  const shown = reportKindShown('en', report, incident.reports ?? []);
  return shown === reportKindLabel('en', report.kind) ? '' : ` (${shown})`;
}

export function deadlineNote(incident: Incident, now: string, timeZone = 'Europe/Amsterdam', policy?: Policy): string {
  if (!incident.deadline) return '';
  // The first notification of the breach; one made anew after its withdrawal is named beside it (ap-verdict.ts, law28).
  const report = apVerdictReport(incident);
  const anew = renotified(incident);
  const legal = apLegalDeadline(incident) as string;
  // Late only against a deadline that bound it: not a report of a breach assessed not notifiable (Art. 33(1); law24).
  const late = report && report.at > legal && incident.assessment?.notifiable !== false;
  if (report) {
    // The AP holds only the first phase (Art. 33(4)): the row does not read as done while the follow-up is owed (fg27).
    const followUp = policy ? apFollowUpState(incident, policy, now) : undefined;
    const again = anew ? `; withdrawn ${formatLocal(anew.withdrawnAt, timeZone)}, notified anew ${formatLocal(anew.anew.at, timeZone)}` : '';
    return `reported ${formatLocal(report.at, timeZone)}${late ? ' (late)' : ''}${again}${followUp ? `; ${clockShownLabel('en', `follow-up-${followUp.state}`)}` : ''}`;
  }
  if (incident.assessment?.notifiable === false) return policy ? notNotifiableNote(incident, policy, now, timeZone) : 'not notifiable (FG decision)';
  // Withdrawn and owed anew: judged by the first notification, named with its verdict; no time left to count (law27).
  const owed = policy ? owedAnew(incident, policy) : null;
  if (owed)
    return `${clockShownLabel('en', 'owed-anew')}: ${owed.reference} reported ${formatLocal(owed.at, timeZone)} (${owed.verdict}), withdrawn ${formatLocal(owed.withdrawnAt, timeZone)}`;
  if (incident.state === 'closed' && !assessedAfterClosing(incident)) return 'closed';
  return timeLeft(legal, now);
}

/**
 * Not notifiable under the AVG; a telecom provider still notifies the AP, within 24 hours (Regulation
 * 611/2013 art. 2; law24), and after closing too while overdue (61960886): what stays owed, and by when.
 */
function notNotifiableNote(incident: Incident, policy: Policy, now: string, timeZone: string): string {
  const telecom = apOwedUnderTelecom(incident, policy) ? clocksOf(incident, policy, now).find((c) => c.name === 'telecom-initial') : undefined;
  if (!telecom?.dueAt || telecom.doneAt) return 'not notifiable (FG decision)';
  return `not notifiable under the GDPR (FG decision); the provider notifies the AP (Regulation 611/2013 Art. 2): due ${formatLocal(telecom.dueAt, timeZone)}, ${timeLeft(telecom.dueAt, now)}`;
}

/** `status`: the time left to an internal target while the AP clock's time left is shown (fg15). */
function targetLeft(incident: Incident, now: string): string {
  const target = apInternalTarget(incident);
  if (!target || initialReport(incident) || incident.assessment?.notifiable === false || incident.state === 'closed') return '';
  return `; internal target ${now > target.at ? 'missed' : timeLeft(target.at, now)}`;
}

/** `show`: the organisation's internal AP target under the law's deadline, when shorter (review12 S3). */
function internalTargetLine(incident: Incident, now: string, when: (iso: string | null) => string): string[] {
  const target = apInternalTarget(incident);
  if (!target) return [];
  const report = apVerdictReport(incident);
  const missed = (report?.at ?? now) > target.at;
  const state = report || missed ? (missed ? 'missed' : 'met') : timeLeft(target.at, now);
  return [`  internal target ${when(target.at)}   ${target.hours} hours, not the legal deadline: ${state}`];
}

function summarise(detail: Record<string, unknown>): string {
  return truncate(
    Object.entries(detail)
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' '),
    110,
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
