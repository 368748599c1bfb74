/**
 * An incident's finding types by name, those past the most its record lists too (record-finding.ts
 * MAX_TYPES: past it the record keeps only their hashes, `findingTypesNotListed`, and none in records
 * from before 3f4c3fb). The names come from the incident's findings as its timeline recorded each
 * one joining (`incident-opened`, `finding-attached`), and from those of incidents merged into it,
 * at the time of the merge. Read by `show` and by `assess --finding-types` (fg15): any of the
 * incident's types can be named, every one must be, and a name none of its findings had is refused.
 */
import type { IncidentStore } from '../ports/incident-store.js';
import { findingTypesOfIncident, type Incident, type TimelineEntry, typeNotListedHash } from './incident.js';

/** A finding type as it joined the incident: when it first did. */
export interface JoinedType {
  type: string;
  at: string;
}

export interface FindingTypeNames {
  /** Every type the incident's findings had, sorted: the listed ones and those past the list. */
  all: string[];
  /** The types past the list, by name, sorted. */
  notListed: string[];
  /** Types past the list the record keeps as hashes whose name no finding read gives (a merged incident past the depth read). */
  unnamed: number;
  /** When each type first joined (absent for a listed type no entry read names). */
  joinedAt: Map<string, string>;
}

/** How deep a chain of merged incidents is read (each merge one timeline). */
const MAX_MERGE_DEPTH = 10;

/** The finding types the entries of one timeline record joining, with when; a merged incident's at its merge. */
export async function joinedTypes(store: Pick<IncidentStore, 'getTimeline'>, incidentId: string, depth = 0): Promise<JoinedType[]> {
  const out: JoinedType[] = [];
  for (const e of await store.getTimeline(incidentId)) {
    const d = e.detail as Record<string, unknown>;
    if ((e.kind === 'incident-opened' || e.kind === 'finding-attached') && typeof d.findingType === 'string') out.push({ type: d.findingType, at: e.at });
    else if (e.kind === 'incidents-merged' && typeof d.merged === 'string' && depth < MAX_MERGE_DEPTH) {
      for (const j of await joinedTypes(store, d.merged, depth + 1)) out.push({ type: j.type, at: [j.at, e.at].sort()[1] });
    }
  }
  return out;
}

/** The incident's types by name (`joined`: read with `joinedTypes`), past the list too. */
export function typeNames(incident: Incident, joined: JoinedType[]): FindingTypeNames {
  const listed = findingTypesOfIncident(incident);
  const joinedAt = new Map<string, string>();
  for (const j of joined) {
    const known = joinedAt.get(j.type);
    if (known === undefined || j.at < known) joinedAt.set(j.type, j.at);
  }
  const listedSet = new Set(listed);
  const notListed = incident.findingTypesNotListed ? [...joinedAt.keys()].filter((t) => !listedSet.has(t)).sort() : [];
  const named = new Set(notListed.map(typeNotListedHash));
  const unnamed = (incident.findingTypesNotListed?.hashes ?? []).filter((h) => !named.has(h)).length;
  return { all: [...listed, ...notListed].sort(), notListed, unnamed, joinedAt };
}

/** `typeNames` read from the store. */
export async function findingTypesWithNames(store: Pick<IncidentStore, 'getTimeline'>, incident: Incident): Promise<FindingTypeNames> {
  return typeNames(incident, await joinedTypes(store, incident.id));
}

/**
 * Which of the incident's types the assessment in force covers: those its findings had when it was
 * recorded (a type that came after asks for a review, record-finding.ts askReview); a listed type no
 * entry read names counts as covered (it was listed when the FG looked).
 */
export function assessmentCoverage(incident: Incident, names: FindingTypeNames, timeline: TimelineEntry[]): { covered: string[]; notCovered: string[] } | null {
  if (!incident.assessment) return null;
  const assessed = timeline.findLast((e) => e.kind === 'assessed')?.at ?? incident.assessment.at;
  const notCovered = names.all.filter((t) => (names.joinedAt.get(t) ?? '') > assessed);
  return { covered: names.all.filter((t) => !notCovered.includes(t)), notCovered };
}
