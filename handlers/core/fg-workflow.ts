/**
 * The FG's use cases: the assessment (Art. 33(1), (5)), the Art. 33(3) facts, the reports to the
 * AP (Art. 33(4): in phases) and other recipients, the Art. 34 decision, and closing. Each is
 * recorded with who and when, in the timeline, and never rewrites what came before: the register
 * keeps the reasoning.
 */

import type { IncidentStore } from '../ports/incident-store.js';
import { changeIncident } from './change-incident.js';
import { subjectsDecisionNeeded } from './clocks.js';
import { RefusedError } from './errors.js';
import {
  type Assessment,
  type BreachFacts,
  emptyFacts,
  type Incident,
  initialReport,
  type ReportRecipient,
  type ReportRecord,
  type SubjectsDecision,
} from './incident.js';
import type { Policy } from './policy.js';
import { addHours, formatDuration, toUtc } from './time.js';

export interface FgDeps {
  store: IncidentStore;
  policy: Policy;
  now: () => string;
}

function required(value: string | undefined, what: string): string {
  const v = value?.trim();
  if (!v) throw new RefusedError(`${what} is required`);
  return v;
}

export interface AssessInput {
  incidentId: string;
  personalData: Assessment['personalData'];
  risk: Assessment['risk'];
  reason: string;
  by: string;
  /** When the organisation became aware; changing it recomputes the AP deadline. */
  awareAt?: string;
}

export async function assess(deps: FgDeps, input: AssessInput): Promise<Incident> {
  const reason = required(input.reason, 'a reason (--reason)');
  const by = required(input.by, 'who assesses (--by)');
  const { incident } = await changeIncident(deps, input.incidentId, (draft) => {
    if (draft.state === 'closed') throw new RefusedError(`incident ${draft.id} is closed`);
    const now = deps.now();
    const entries = [];
    if (input.awareAt !== undefined) {
      if (draft.sample) throw new RefusedError(`incident ${draft.id} comes from a sample finding: it has no clock`);
      const awareAt = toUtc(input.awareAt);
      if (awareAt > now) throw new RefusedError(`--aware-at ${awareAt} is in the future`);
      if (awareAt !== draft.awareAt) {
        entries.push({ at: now, kind: 'awareness-set', actor: by, detail: { from: draft.awareAt, to: awareAt, detectedAt: draft.detectedAt, reason } });
        draft.awareAt = awareAt;
        draft.awareReason = reason;
        draft.deadline = addHours(awareAt, draft.deadlineHours ?? deps.policy.apDeadlineHours);
      }
    }
    // "Unknown" is notifiable: without certainty, the conservative reading applies.
    const notifiable = input.personalData !== 'no' && input.risk !== 'none';
    draft.assessment = { personalData: input.personalData, risk: input.risk, reason, by, at: now, notifiable };
    draft.facts ??= emptyFacts();
    if (draft.state === 'open' || draft.state === 'acknowledged') draft.state = 'assessed';
    entries.push({
      at: now,
      kind: 'assessed',
      actor: by,
      detail: { personalData: input.personalData, risk: input.risk, notifiable, reason, deadline: draft.deadline },
    });
    return { entries };
  });
  return incident;
}

export type FactsInput = Partial<Omit<BreachFacts, 'updatedAt' | 'updatedBy'>> & { incidentId: string; by: string };

export async function recordFacts(deps: FgDeps, input: FactsInput): Promise<Incident> {
  const by = required(input.by, 'who records the facts (--by)');
  const { incidentId, by: _, ...changes } = input;
  const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  if (Object.keys(given).length === 0) throw new RefusedError('no facts given: see datalek facts --help');
  if (given.subjectsMin !== undefined && given.subjectsMax !== undefined && (given.subjectsMin as number) > (given.subjectsMax as number)) {
    throw new RefusedError('the minimum number of data subjects is above the maximum');
  }
  const { incident } = await changeIncident(deps, incidentId, (draft) => {
    if (draft.state === 'closed') throw new RefusedError(`incident ${draft.id} is closed`);
    const now = deps.now();
    draft.facts = { ...(draft.facts ?? emptyFacts()), ...given, updatedAt: now, updatedBy: by };
    return { entries: [{ at: now, kind: 'facts-recorded', actor: by, detail: given }] };
  });
  return incident;
}

export interface ReportInput {
  incidentId: string;
  reference: string;
  by: string;
  to?: ReportRecipient;
  kind?: string;
  at?: string;
  delayReason?: string;
}

const KINDS: Record<ReportRecipient, string[]> = {
  ap: ['initial', 'follow-up', 'correction', 'withdrawal'],
  csirt: ['early-warning', 'notification', 'final'],
  controller: ['initial', 'follow-up'],
};

export async function recordReport(deps: FgDeps, input: ReportInput): Promise<{ incident: Incident; report: ReportRecord }> {
  const reference = required(input.reference, 'the reference number of the submission (--reference)');
  const by = required(input.by, 'who submitted it (--by)');
  const to = input.to ?? 'ap';
  const kind = input.kind ?? (to === 'csirt' ? 'early-warning' : 'initial');
  if (!KINDS[to].includes(kind)) throw new RefusedError(`--kind ${kind} is not a kind of report to ${to}: one of ${KINDS[to].join(', ')}`);
  let report: ReportRecord | undefined;
  const { incident } = await changeIncident(deps, input.incidentId, (draft) => {
    if (draft.sample) throw new RefusedError(`incident ${draft.id} comes from a sample finding: there is nothing to report`);
    if (draft.state === 'closed') throw new RefusedError(`incident ${draft.id} is closed`);
    const now = deps.now();
    const at = toUtc(input.at ?? now);
    if (at > now) throw new RefusedError(`--at ${at} is in the future`);
    const previous = (draft.reports ?? []).filter((r) => r.to === to);
    if (kind === 'initial' && previous.some((r) => r.kind === 'initial')) {
      throw new RefusedError(`the initial report to ${to} is recorded already (${previous[0].reference}); use --kind follow-up or correction`);
    }
    if (to === 'ap' && kind !== 'initial' && !initialReport(draft)) throw new RefusedError(`a ${kind} needs the initial report to the AP first`);
    // Art. 33(1): a notification after 72 hours must give the reasons for the delay.
    const late = to === 'ap' && kind === 'initial' && draft.deadline !== null && at > draft.deadline;
    if (late && !input.delayReason?.trim()) {
      throw new RefusedError(
        `the report is ${formatDuration(Date.parse(at) - Date.parse(draft.deadline as string))} after the AP deadline (${draft.deadline}): Art. 33(1) requires the reasons for the delay (--delay-reason)`,
      );
    }
    report = { version: previous.length + 1, to, kind, reference, at, delayReason: input.delayReason?.trim() || null, by, recordedAt: now };
    draft.reports = [...(draft.reports ?? []), report];
    if (to === 'ap' && kind === 'initial') draft.state = 'reported';
    return { entries: [{ at: now, kind: 'reported', actor: by, detail: { ...report, late } }] };
  });
  return { incident, report: report as ReportRecord };
}

export interface SubjectsInput {
  incidentId: string;
  decision: SubjectsDecision['decision'];
  reason: string;
  by: string;
  date?: string;
  channel?: string;
  exception?: SubjectsDecision['exception'];
}

export async function decideSubjects(deps: FgDeps, input: SubjectsInput): Promise<Incident> {
  const reason = required(input.reason, 'a reason (--reason)');
  const by = required(input.by, 'who decides (--by)');
  if (input.decision === 'inform' && (!input.date || !input.channel)) {
    throw new RefusedError('informing the data subjects needs the date (--date) and the channel (--channel)');
  }
  if (input.decision === 'exception' && !input.exception) {
    throw new RefusedError('an exception needs which one of Art. 34(3) applies (--exception encrypted|measures-taken|disproportionate-effort)');
  }
  const { incident } = await changeIncident(deps, input.incidentId, (draft) => {
    if (draft.state === 'closed') throw new RefusedError(`incident ${draft.id} is closed`);
    const now = deps.now();
    draft.subjects = {
      decision: input.decision,
      date: input.date ? toUtc(input.date) : null,
      channel: input.channel ?? null,
      exception: input.exception ?? null,
      reason,
      by,
      at: now,
    };
    return { entries: [{ at: now, kind: 'subjects-decided', actor: by, detail: { ...draft.subjects } }] };
  });
  return incident;
}

/** What still stands between the incident and closing it, in words for the person. */
export function closeBlockers(incident: Incident, policy: Policy): string[] {
  if (incident.sample) return [];
  const out: string[] = [];
  if (!incident.assessment) out.push('no assessment: every incident needs a recorded decision (Art. 33(5)): datalek assess');
  else if (incident.assessment.notifiable) {
    if (!initialReport(incident)) out.push('notifiable, but no initial report to the AP is recorded: datalek reported');
    if (subjectsDecisionNeeded(incident, policy) && !incident.subjects)
      out.push('high risk, but no Art. 34 decision on informing the data subjects: datalek subjects');
  }
  return out;
}

export async function closeIncident(deps: FgDeps, input: { incidentId: string; by: string; reason: string }): Promise<Incident> {
  const reason = required(input.reason, 'a reason (--reason)');
  const by = required(input.by, 'who closes it (--by)');
  const { incident } = await changeIncident(deps, input.incidentId, (draft) => {
    if (draft.state === 'closed') throw new RefusedError(`incident ${draft.id} is closed already`);
    const blockers = closeBlockers(draft, deps.policy);
    if (blockers.length) throw new RefusedError(`incident ${draft.id} cannot be closed yet: ${blockers.join('; ')}`);
    const now = deps.now();
    draft.state = 'closed';
    draft.closedAt = now;
    draft.closeReason = reason;
    return { entries: [{ at: now, kind: 'closed', actor: by, detail: { reason } }] };
  });
  return incident;
}
