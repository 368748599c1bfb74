/**
 * What people look at, read from the store the same way by the CLI and the web page: the open
 * incidents most urgent first, one incident with everything that belongs to it, and the register.
 * Only reads; the clocks come from core/clocks.ts.
 */

import { type CarriedOutElsewhere, carriedOutElsewhere, containedElsewhereBy } from '../core/breach-facts.js';
import { type ClockStatus, clocksOf, dutiesAfterClosing } from '../core/clocks.js';
import { mergeChain } from '../core/contain.js';
import { type MissingFact, missingFactItems } from '../core/draft.js';
import { drillField, drillLine, drillMarkdown } from '../core/drill.js';
import { type CloseBlocker, closeBlockerItems } from '../core/fg-workflow.js';
import { joinedTypes, typeNames } from '../core/finding-types.js';
import type { ActionRecord, ActionStatus, Incident, OutboxMessage, TimelineEntry } from '../core/incident.js';
import { RUNBOOKS } from '../core/messages.js';
import { holdsInherited, type InheritedHold, minimisedAsRecorded } from '../core/minimise.js';
import type { Policy } from '../core/policy.js';
import { type RegisterRow, registerCsv, registerMarkdown, registerRow } from '../core/register.js';
import { releasable } from '../core/release.js';
import type { IncidentFilter } from '../ports/incident-store.js';
import type { Lang } from './fields.js';
import type { QueryDeps } from './open-incidents.js';

/** The listing lives apart (open-incidents.ts: `status` loads it alone); its readers find it here too. */
export { byUrgency, closedIncidents, openIncidents, type QueryDeps } from './open-incidents.js';

/** How many containment actions are in each state; a released action counts as released only. */
export type ContainmentCounts = Record<ActionStatus | 'released', number>;

export function containmentCounts(incident: Incident): ContainmentCounts {
  const counts: ContainmentCounts = { planned: 0, done: 0, skipped: 0, failed: 0, released: 0 };
  for (const a of incident.actions) counts[a.released ? 'released' : a.status] += 1;
  return counts;
}

/** The runbook a person follows for a containment action (a path under runbooks/): a person's step names its own. */
export function runbookOf(action: Pick<ActionRecord, 'type' | 'params'>): string {
  return action.params?.runbook ?? RUNBOOKS[action.type] ?? 'runbooks/triage.md';
}

/** Clocks that still ask for something: running, overdue or owed anew, not met, late or not needed. */
export function openClocks(incident: Incident, policy: Policy, now: string): ClockStatus[] {
  // Closed: only what an assessment after closing reopened.
  if (incident.state === 'closed') return dutiesAfterClosing(incident, policy, now);
  return clocksOf(incident, policy, now).filter((c) => c.status === 'running' || c.status === 'overdue' || c.status === 'owed-anew');
}

/** One incident with everything a person needs to act on it. */
export interface IncidentDetail {
  incident: Incident;
  timeline: TimelineEntry[];
  messages: OutboxMessage[];
  clocks: ClockStatus[];
  /** Required facts the AP notification still lacks, in the language asked for, each with where it is recorded. */
  missing: MissingFact[];
  /** What stands between the incident and closing it (empty: it can close), in both languages, each with its form. */
  closeBlockers: CloseBlocker[];
  /** Containment actions that were carried out and can be undone. */
  releasable: ActionRecord[];
  /** Containment another incident carried out on this one's resources: a measure taken for it too. */
  elsewhere: CarriedOutElsewhere[];
  /** Holds on other incidents that keep findings this one holds or held (a merge, a follow-up: core/minimise.ts). */
  holdsInherited: InheritedHold[];
  /** Its finding types by name, past the most its record lists too (core/finding-types.ts): what the assessment forms list. */
  findingTypes: string[];
  /** Its messages whose stored rows cannot be read, by id: shown as damaged, never left out in silence (atk29 A13). */
  damagedMessages: { id: string; reason: string }[];
}

export async function incidentDetail(deps: QueryDeps, incident: Incident, lang: Lang): Promise<IncidentDetail> {
  const now = deps.now();
  const damagedMessages: IncidentDetail['damagedMessages'] = [];
  const [timeline, messages, elsewhere] = await Promise.all([
    deps.store.getTimeline(incident.id),
    deps.store.listMessages(incident.id, (d) => damagedMessages.push(d)),
    measuresElsewhere(deps, incident),
  ]);
  return {
    incident,
    timeline,
    messages,
    damagedMessages,
    clocks: clocksOf(incident, deps.policy, now),
    missing: missingFactItems(incident, deps.policy, now, lang, elsewhere),
    closeBlockers: incident.state === 'closed' ? [] : closeBlockerItems(incident, deps.policy, now, undefined, undefined, elsewhere),
    // A merged incident's containment is the survivor's (core/release.ts refuses it here).
    releasable: incident.mergedInto ? [] : releasable(incident.actions),
    elsewhere,
    holdsInherited: await holdsInherited(deps.store, incident, timeline),
    // Its own timeline as read above; a merged incident's from the store.
    findingTypes: typeNames(
      incident,
      await joinedTypes({ getTimeline: (id) => (id === incident.id ? Promise.resolve(timeline) : deps.store.getTimeline(id)) }, incident.id),
    ).all,
  };
}

/**
 * Containment another incident carried out on this one's resources (core/breach-facts.ts
 * carriedOutElsewhere): read from the incidents its record says did (`containedElsewhereBy`: its
 * actions left to one, `heldBy`, or a resource whose key it holds taken up by one, `containedBy`; as
 * that one is now: merged since, the one it was merged into), and, while it is open, those holding
 * its resources.
 * `known`: incidents already read (the register's), looked up before the store.
 */
export async function measuresElsewhere(deps: Pick<QueryDeps, 'store'>, incident: Incident, known?: Map<string, Incident>): Promise<CarriedOutElsewhere[]> {
  const read = async (id: string) => known?.get(id) ?? (await deps.store.getIncident(id));
  const ids = new Set<string>();
  for (const id of containedElsewhereBy(incident)) {
    for (const linked of known?.has(id) && !known.get(id)?.mergedInto ? [id] : await mergeChain(deps.store, id)) ids.add(linked);
  }
  if (incident.state !== 'closed') {
    for (const key of [incident.resourceKey, ...(incident.resourceKeys ?? [])]) {
      const holder = await deps.store.findOpenIncident(key);
      if (holder && holder.id !== incident.id) ids.add(holder.id);
    }
  }
  ids.delete(incident.id);
  const holders = (await Promise.all([...ids].map(read))).filter((h): h is Incident => h !== undefined);
  return carriedOutElsewhere(incident, holders);
}

/** A period of the register; an incident that cannot be read is reported to `onUnreadable` and left out. */
export type RegisterPeriod = Pick<IncidentFilter, 'from' | 'to' | 'onUnreadable'>;

/** The breach register (Art. 33(5)) over a period: every incident detected in it, notified or not, with its row. */
export async function registerEntries(
  deps: QueryDeps,
  period: RegisterPeriod,
): Promise<{ incident: Incident; row: RegisterRow; elsewhere: CarriedOutElsewhere[] }[]> {
  const now = deps.now();
  const incidents = await minimisedAsTimelineSays(deps, await deps.store.listIncidents(period));
  const elsewhere = await elsewhereOfAll(deps, incidents);
  const timelines = await timelinesOfAll(deps, incidents);
  return rowsOrNamed(incidents, period, (incident) => ({
    incident,
    row: registerRow(incident, deps.policy, now, elsewhere.get(incident.id), timelines.get(incident.id)),
    elsewhere: elsewhere.get(incident.id) ?? [],
  }));
}

/**
 * The incidents, each minimised one with its note as its timeline shows it (core/minimise.ts
 * `minimisedAsRecorded`): a run before fg20 that minimised records again wrote its own time, name
 * and `--after-days` over the note, and the register would give a retention period the findings were
 * never kept for. One timeline read per minimised incident; the others are as listed.
 */
async function minimisedAsTimelineSays(deps: Pick<QueryDeps, 'store'>, incidents: Incident[]): Promise<Incident[]> {
  const out: Incident[] = [];
  for (const incident of incidents)
    out.push(incident.minimised ? { ...incident, minimised: minimisedAsRecorded(incident, await deps.store.getTimeline(incident.id)) } : incident);
  return out;
}

/** Each incident's timeline, for who recorded its FG decisions (register.ts `fgDecisionsRecordedAs`): one read per incident. */
async function timelinesOfAll(deps: Pick<QueryDeps, 'store'>, incidents: Incident[]): Promise<Map<string, TimelineEntry[]>> {
  const out = new Map<string, TimelineEntry[]>();
  for (const incident of incidents) out.set(incident.id, await deps.store.getTimeline(incident.id));
  return out;
}

/** `measuresElsewhere` of each incident of the register, the incidents it lists read once. */
async function elsewhereOfAll(deps: QueryDeps, incidents: Incident[]): Promise<Map<string, CarriedOutElsewhere[]>> {
  const known = new Map(incidents.map((i) => [i.id, i]));
  const out = new Map<string, CarriedOutElsewhere[]>();
  for (const incident of incidents) out.set(incident.id, await measuresElsewhere(deps, incident, known));
  return out;
}

export type RegisterFormat = 'csv' | 'json' | 'md';

/** The register over a period as a file: CSV and JSON one row per incident, Markdown in the policy's language. */
export async function registerExport(deps: QueryDeps, period: RegisterPeriod, format: RegisterFormat): Promise<string> {
  const now = deps.now();
  const listed = await minimisedAsTimelineSays(deps, await deps.store.listIncidents(period));
  const elsewhere = await elsewhereOfAll(deps, listed);
  const timelines = await timelinesOfAll(deps, listed);
  if (format === 'md') {
    // Those whose row it fails on left out, named: the Markdown reads what the row reads, and more.
    const incidents: Incident[] = [];
    rowsOrNamed(
      listed,
      period,
      (i) => registerRow(i, deps.policy, now, elsewhere.get(i.id), timelines.get(i.id)),
      (i) => incidents.push(i),
    );
    const text = registerMarkdown(
      incidents,
      deps.policy,
      now,
      deps.policy.language,
      (i) => elsewhere.get(i.id) ?? [],
      (i) => timelines.get(i.id) ?? [],
    );
    return deps.drill ? drillMarkdown(text, deps.drill, deps.policy.language) : text;
  }
  const rows = rowsOrNamed(listed, period, (i) => registerRow(i, deps.policy, now, elsewhere.get(i.id), timelines.get(i.id)));
  // A drill's register says so in every row (JSON: a `drill` field; CSV: a last column): never the record's (atk29 A4).
  if (format === 'json') return JSON.stringify(deps.drill ? rows.map((r) => ({ ...drillField(deps.drill), ...r })) : rows, null, 2);
  return registerCsv(rows, deps.drill ? drillLine(deps.drill, deps.policy.language) : undefined);
}

/**
 * `row` of each incident; one it fails on (a record shape no check on reading foresaw) is reported
 * to `onUnreadable` with the error's kind and message, and left out, as an unreadable record is:
 * the register of every other incident is not lost to one (atk28 F15). Without `onUnreadable`, it throws.
 */
function rowsOrNamed<R>(incidents: Incident[], period: RegisterPeriod, row: (i: Incident) => R, keep?: (i: Incident) => void): R[] {
  const out: R[] = [];
  for (const incident of incidents) {
    try {
      out.push(row(incident));
      keep?.(incident);
    } catch (err) {
      if (!period.onUnreadable) throw err;
      const e = err instanceof Error ? err : new Error(String(err));
      period.onUnreadable({ incidentId: incident.id, reason: `datalek failed on its record: ${e.name}: ${e.message}` });
    }
  }
  return out;
}
