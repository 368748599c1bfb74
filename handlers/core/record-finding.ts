/**
 * Use case: record one delivered GuardDuty event.
 *
 * Primary course:
 * 1. Parse the event into a finding (a bad event is rejected, nothing stored).
 * 2. Known finding: same version is a duplicate, older is stale, newer updates the incident.
 * 3. New finding: attach it to the open incident on the same resource, or open one when its
 *    severity reaches the policy's threshold (archived findings and lower severities open nothing).
 * 4. Plan containment, queue the FG and on-call messages, append the timeline: one atomic commit.
 *    A concurrent writer that got there first makes the commit fail; we read again and decide again.
 *
 * Deliveries are at least once and may arrive late and out of order; the outcome depends only on
 * what is stored and on the finding, so processing the same event twice changes nothing.
 */

import type { IncidentChange, IncidentStore } from '../ports/incident-store.js';
import { planContainment } from './containment.js';
import { ConflictError, InvalidFindingError } from './errors.js';
import { compareVersions, type Finding, findingKeyString, type ParsedEvent, parseEvent, parseEventText, resourceKey } from './finding.js';
import { type ActionRecord, appendEntries, type FindingRecord, type Incident, incidentIdFor, newIncident, type OutboxMessage } from './incident.js';
import { composeMessage, type MessageKind } from './messages.js';
import type { Policy } from './policy.js';
import { nextDueAt } from './schedule.js';
import { describeSeverity, formatSeverity, SEVERITY_BANDS, severityBand } from './severity.js';
import { addHours, toUtc } from './time.js';

export type Outcome = 'opened' | 'attached' | 'updated' | 'duplicate' | 'stale' | 'ignored' | 'rejected';

/** The result of one event, as `datalek replay --json` prints it. */
export interface RecordResult {
  outcome: Outcome;
  findingId: string | null;
  incidentId: string | null;
  severity: number | null;
  /** The AP deadline (ISO UTC) of the incident, or null. */
  deadline: string | null;
  actions: { type: string; status: ActionRecord['status'] }[];
  /** Why the event was ignored or rejected. */
  reason?: string;
  /** Ids of the messages this event queued. */
  messages: string[];
  /** The incident's revision after this event's change; null when nothing was stored. */
  revision: number | null;
}

export interface RecordDeps {
  store: IncidentStore;
  policy: Policy;
  now: () => string;
  /** False on the embedded store: containment is only planned. */
  canEnforce: boolean;
  /** `replay --target aws --enforce`: enforce every matching action this run. */
  forceEnforce?: boolean;
}

const MAX_ATTEMPTS = 10;

/** Parses the text of one event and records it; a bad event gives a `rejected` result. */
export async function recordEventText(deps: RecordDeps, text: string): Promise<RecordResult> {
  let parsed: ParsedEvent;
  try {
    parsed = parseEventText(text);
  } catch (err) {
    if (err instanceof InvalidFindingError) return rejected(err.message);
    throw err;
  }
  return recordParsedEvent(deps, parsed);
}

/** Records an already-decoded event (as Lambda hands it over); a bad event gives `rejected`. */
export async function recordEvent(deps: RecordDeps, event: unknown): Promise<RecordResult> {
  let parsed: ParsedEvent;
  try {
    parsed = parseEvent(event);
  } catch (err) {
    if (err instanceof InvalidFindingError) return rejected(err.message);
    throw err;
  }
  return recordParsedEvent(deps, parsed);
}

export async function recordParsedEvent(deps: RecordDeps, parsed: ParsedEvent): Promise<RecordResult> {
  if (parsed.kind === 'not-a-finding') {
    return ignored(null, `detail-type "${parsed.detailType}" is a GuardDuty event but not a finding`);
  }
  const finding = parsed.finding;
  for (let attempt = 1; ; attempt++) {
    const decision = await decide(deps, finding);
    if (!decision.change) return decision.result;
    try {
      await deps.store.commit(decision.change);
      return decision.result;
    } catch (err) {
      if (err instanceof ConflictError && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
  }
}

interface Decision {
  result: RecordResult;
  change?: IncidentChange;
}

async function decide(deps: RecordDeps, finding: Finding): Promise<Decision> {
  const { store, policy } = deps;
  const now = deps.now();
  const known = await store.getFinding(finding.key);
  if (known) {
    const order = compareVersions(finding.version, known.version);
    if (order === 0) return { result: result('duplicate', finding, known.incidentId, null, []) };
    if (order < 0) {
      return {
        result: {
          ...result('stale', finding, known.incidentId, null, []),
          reason: `older than the stored version (updatedAt ${known.version.updatedAt}, count ${known.version.count})`,
        },
      };
    }
    const incident = await store.getIncident(known.incidentId);
    if (!incident) throw new ConflictError(`finding ${findingKeyString(finding.key)} points to incident ${known.incidentId}, which is not stored yet`);
    return update(deps, finding, known, incident, now);
  }

  if (finding.archived) {
    return { result: ignored(finding, 'archived in GuardDuty: an archived finding opens no incident') };
  }
  const open = await store.findOpenIncident(resourceKey(finding));
  if (open) return attach(deps, finding, open, now);
  if (finding.severity < policy.thresholds.openIncident) {
    return {
      result: ignored(
        finding,
        `severity ${describeSeverity(finding.severity)} is below the policy's threshold ${formatSeverity(policy.thresholds.openIncident)} for opening an incident`,
      ),
    };
  }
  return open_(deps, finding, now);
}

function open_(deps: RecordDeps, finding: Finding, now: string): Decision {
  const { policy } = deps;
  const id = incidentIdFor(finding.key);
  // Art. 33(1): 72 hours from awareness. Until a person records when the organisation became aware,
  // the conservative default is detection (the finding's createdAt), never the processing time.
  const detectedAt = toUtc(finding.createdAt);
  const awareAt = finding.sample ? null : detectedAt;
  const incident = newIncident({
    id,
    sample: finding.sample,
    accountId: finding.key.accountId,
    region: finding.key.region,
    resource: finding.resource,
    resourceKey: resourceKey(finding),
    firstFinding: finding.key,
    findingType: finding.type,
    severity: finding.severity,
    detectedAt,
    awareAt,
    deadline: awareAt ? addHours(awareAt, policy.apDeadlineHours) : null,
    deadlineHours: awareAt ? policy.apDeadlineHours : null,
    openedAt: now,
  });
  incident.firstActivityAt = finding.sample ? null : firstActivity(finding);
  const actions = planContainment(finding, policy, [], { canEnforce: deps.canEnforce, forceEnforce: deps.forceEnforce, now });
  incident.actions = actions;
  const entries: TimelineDraft[] = [
    {
      at: now,
      kind: 'incident-opened',
      detail: {
        ...findingSummary(finding),
        detectedAt,
        awareAt,
        deadline: incident.deadline,
        awareAtBasis: awareAt ? 'detection (default until a person records awareness)' : 'none: sample finding starts no clock',
      },
    },
    ...actionEntries(actions, now),
  ];
  const messages = announce(null, incident, policy, now, entries);
  return finish(incident, null, { record: findingRecord(finding, id), expected: null }, entries, messages, 'opened', finding, actions, policy);
}

function attach(deps: RecordDeps, finding: Finding, open: Incident, now: string): Decision {
  const before = open;
  const incident = structuredClone(open);
  incident.findings += 1;
  noteFirstActivity(incident, finding);
  const entries: TimelineDraft[] = [{ at: now, kind: 'finding-attached', detail: findingSummary(finding) }];
  raiseSeverity(incident, finding, now, entries);
  const actions = planContainment(finding, deps.policy, incident.actions, { canEnforce: deps.canEnforce, forceEnforce: deps.forceEnforce, now });
  incident.actions.push(...actions);
  entries.push(...actionEntries(actions, now));
  const messages = announce(before, incident, deps.policy, now, entries);
  return finish(
    incident,
    before.revision,
    { record: findingRecord(finding, incident.id), expected: null },
    entries,
    messages,
    'attached',
    finding,
    actions,
    deps.policy,
  );
}

function update(deps: RecordDeps, finding: Finding, known: FindingRecord, current: Incident, now: string): Decision {
  const incident = structuredClone(current);
  const entries: TimelineDraft[] = [
    {
      at: now,
      kind: 'finding-updated',
      detail: {
        findingId: finding.key.findingId,
        updatedAt: finding.updatedAt,
        count: finding.version.count,
        previousCount: known.version.count,
        severity: finding.severity,
        archived: finding.archived,
      },
    },
  ];
  let actions: ActionRecord[] = [];
  let messages: OutboxMessage[] = [];
  // A closed incident keeps the record of later occurrences, but is not reopened or re-notified.
  if (incident.state !== 'closed') {
    noteFirstActivity(incident, finding);
    raiseSeverity(incident, finding, now, entries);
    actions = planContainment(finding, deps.policy, incident.actions, { canEnforce: deps.canEnforce, forceEnforce: deps.forceEnforce, now });
    incident.actions.push(...actions);
    entries.push(...actionEntries(actions, now));
    messages = announce(current, incident, deps.policy, now, entries);
  }
  return finish(
    incident,
    current.revision,
    { record: findingRecord(finding, incident.id), expected: known.version },
    entries,
    messages,
    'updated',
    finding,
    actions,
    deps.policy,
  );
}

type TimelineDraft = { at: string; kind: string; actor?: string; detail?: Record<string, unknown> };

/**
 * When the activity behind a finding began: `service.eventFirstSeen`, which can be days before
 * GuardDuty created the finding. The start of the breach on the AP's form (section 2), and the
 * earliest time a person can state for anything about the incident.
 */
function firstActivity(finding: Finding): string {
  const service = finding.detail.service as { eventFirstSeen?: unknown } | undefined;
  const seen = typeof service?.eventFirstSeen === 'string' ? Date.parse(service.eventFirstSeen) : Number.NaN;
  const created = toUtc(finding.createdAt);
  return Number.isFinite(seen) && new Date(seen).toISOString() < created ? new Date(seen).toISOString() : created;
}

function noteFirstActivity(incident: Incident, finding: Finding): void {
  if (incident.sample || finding.sample) return;
  const seen = firstActivity(finding);
  const known = incident.firstActivityAt ?? incident.detectedAt;
  if (seen < known) incident.firstActivityAt = seen;
}

function finish(
  incident: Incident,
  expectedRevision: number | null,
  finding: IncidentChange['finding'],
  drafts: TimelineDraft[],
  messages: OutboxMessage[],
  outcome: Outcome,
  f: Finding,
  actions: ActionRecord[],
  policy: Policy,
): Decision {
  incident.revision = (expectedRevision ?? 0) + 1;
  incident.nextDueAt = nextDueAt(incident, policy);
  const timeline = appendEntries(incident, drafts);
  return {
    change: { incident, expectedRevision, finding, timeline, messages },
    result: { ...result(outcome, f, incident.id, incident.deadline, actions), messages: messages.map((m) => m.id), revision: incident.revision },
  };
}

function raiseSeverity(incident: Incident, finding: Finding, now: string, entries: TimelineDraft[]): void {
  if (finding.severity <= incident.severity) return;
  entries.push({
    at: now,
    kind: 'severity-raised',
    detail: {
      from: incident.severity,
      to: finding.severity,
      band: severityBand(finding.severity),
      findingId: finding.key.findingId,
      findingType: finding.type,
    },
  });
  incident.severity = finding.severity;
  incident.findingType = finding.type;
}

/**
 * The messages a change calls for, each once per incident state: the first time the incident
 * reaches a channel's threshold it is announced; a later rise to a higher band is announced again.
 * The same state never pages twice, however often its findings are delivered.
 */
function announce(before: Incident | null, after: Incident, policy: Policy, now: string, entries: TimelineDraft[]): OutboxMessage[] {
  const out: OutboxMessage[] = [];
  const channels = [
    { channel: 'fg' as const, threshold: policy.thresholds.notifyFg },
    { channel: 'on-call' as const, threshold: policy.thresholds.pageOnCall },
  ];
  const band = severityBand(after.severity);
  const bandRose = before !== null && bandRank(band) > bandRank(severityBand(before.severity));
  for (const { channel, threshold } of channels) {
    if (after.severity < threshold) continue;
    let kind: MessageKind | null = null;
    let stateKey = '';
    if (!after.announced.includes(`${channel}:opened`)) {
      kind = 'opened';
      stateKey = 'opened';
    } else if (bandRose && !after.announced.includes(`${channel}:band:${band}`)) {
      kind = 'severity-raised';
      stateKey = `band:${band}`;
    }
    if (!kind) continue;
    after.announced.push(`${channel}:${stateKey}`);
    if (channel === 'on-call' && !after.paging.firstPageAt) after.paging.firstPageAt = now;
    const message = composeMessage({ incident: after, channel, kind, stateKey, now, policy });
    out.push(message);
    entries.push({ at: now, kind: 'notification-queued', detail: { channel, messageKind: kind, messageId: message.id } });
  }
  return out;
}

function bandRank(band: string): number {
  return SEVERITY_BANDS.length - SEVERITY_BANDS.findIndex((b) => b.band === band);
}

function actionEntries(actions: ActionRecord[], now: string): TimelineDraft[] {
  return actions.map((a) => ({
    at: now,
    kind: `containment-${a.status}`,
    detail: { action: a.type, target: a.target, status: a.status, mode: a.mode, reason: a.reason ?? null, findingId: a.findingId },
  }));
}

/** What the timeline says of a finding: identifiers and classification, no personal data. */
function findingSummary(finding: Finding): Record<string, unknown> {
  return {
    findingId: finding.key.findingId,
    findingType: finding.type,
    severity: finding.severity,
    band: finding.band,
    resourceType: finding.resource.resourceType,
    resourceId: finding.resource.id,
    createdAt: finding.createdAt,
    updatedAt: finding.updatedAt,
    count: finding.version.count,
    sample: finding.sample,
  };
}

function findingRecord(finding: Finding, incidentId: string): FindingRecord {
  return {
    key: finding.key,
    version: finding.version,
    incidentId,
    type: finding.type,
    severity: finding.severity,
    createdAt: finding.createdAt,
    sample: finding.sample,
    archived: finding.archived,
    detail: finding.detail,
  };
}

function result(outcome: Outcome, finding: Finding, incidentId: string | null, deadline: string | null, actions: ActionRecord[]): RecordResult {
  return {
    outcome,
    findingId: finding.key.findingId,
    incidentId,
    severity: finding.severity,
    deadline,
    actions: actions.map((a) => ({ type: a.type, status: a.status })),
    messages: [],
    revision: null,
  };
}

function ignored(finding: Finding | null, reason: string): RecordResult {
  return {
    outcome: 'ignored',
    findingId: finding?.key.findingId ?? null,
    incidentId: null,
    severity: finding?.severity ?? null,
    deadline: null,
    actions: [],
    reason,
    messages: [],
    revision: null,
  };
}

function rejected(reason: string): RecordResult {
  return { outcome: 'rejected', findingId: null, incidentId: null, severity: null, deadline: null, actions: [], reason, messages: [], revision: null };
}
