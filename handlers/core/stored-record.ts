/**
 * Reading a stored record back: the bytes may have been damaged or edited, so a row that is not
 * valid JSON, or not the shape of an incident, is an `UnreadableRecordError` naming the incident,
 * never a SyntaxError from deep inside a command. Lists skip such a row and report it (`status`
 * shows the others and says which one could not be read).
 */
import { StoreError } from './errors.js';
import { type FindingKey, findingKeyString } from './finding.js';
import type { Assessment, Decision, FindingRecord, Incident, SubjectsDecision } from './incident.js';
import { randomText } from './random.js';

export class UnreadableRecordError extends StoreError {
  constructor(
    readonly incidentId: string,
    readonly reason: string,
  ) {
    super(`incident ${incidentId} cannot be read from the store (${reason}); datalek verify ${incidentId} shows what changed`);
  }
}

/**
 * Reports a row a list skipped because it could not be read. `notAnIncident`: the row is no
 * incident record at all (another item an index holds among the incidents, DynamoDB): no incident
 * is missing from the list for it, only an index entry the pipeline did not write (verify names it).
 */
export type UnreadableHandler = (problem: { incidentId: string; reason: string; notAnIncident?: true }) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The incident in a stored record's text; `id` is the key it was stored under. */
export function parseStoredIncident(text: unknown, id: string): Incident {
  let value: unknown;
  try {
    value = JSON.parse(String(text));
  } catch {
    throw new UnreadableRecordError(id, 'its record is not valid JSON');
  }
  if (!isObject(value)) throw new UnreadableRecordError(id, 'its record is not an object');
  if (value.id !== id) throw new UnreadableRecordError(id, 'its record names another incident');
  for (const field of ['state', 'detectedAt', 'resourceKey', 'findingType'] as const) {
    if (typeof value[field] !== 'string') throw new UnreadableRecordError(id, `its record has no ${field}`);
  }
  if (typeof value.revision !== 'number' || typeof value.severity !== 'number') throw new UnreadableRecordError(id, 'its record has no revision or severity');
  if (!isObject(value.timelineHead) || !isObject(value.resource) || !Array.isArray(value.actions))
    throw new UnreadableRecordError(id, 'its record is incomplete');
  const incident = value as unknown as Incident;
  // Its reason stored once, in the decision history (`storedIncident`).
  const assessment = incident.assessment;
  if (isObject(assessment) && assessment.reason === undefined) {
    const reason = lastAssessment(incident)?.reason;
    if (reason !== undefined) assessment.reason = reason;
  }
  // So is the text told to the data subjects or the subscribers (fg15).
  for (const audience of AUDIENCES) {
    const s = incident[audience];
    if (isObject(s) && s.text === undefined) {
      const text = toldEntry(incident, audience, s as SubjectsDecision)?.text;
      if (text !== undefined) (s as SubjectsDecision).text = text;
    }
  }
  return incident;
}

/** The two decisions on informing whose text is stored once: the data subjects' (Art. 34) and the subscribers' (Regulation 611/2013 art. 3). */
const AUDIENCES = ['subjects', 'subscribers'] as const;

/** The decision history's entry of the decision in force on informing `audience`: recorded with it, by the same person. */
function toldEntry(incident: Incident, audience: (typeof AUDIENCES)[number], s: SubjectsDecision): Extract<Decision, { kind: 'subjects' }> | undefined {
  const decisions = Array.isArray(incident.decisions) ? incident.decisions : [];
  for (let i = decisions.length - 1; i >= 0; i--) {
    const d = decisions[i];
    if (d?.kind === 'subjects' && (d.audience === 'subscribers') === (audience === 'subscribers'))
      return d.recordedAt === s.at && d.by === s.by ? d : undefined;
  }
  return undefined;
}

/** The last assessment of the decision history: the one in force. */
function lastAssessment(incident: Incident): Extract<Decision, { kind: 'assessment' }> | undefined {
  const decisions = Array.isArray(incident.decisions) ? incident.decisions : [];
  for (let i = decisions.length - 1; i >= 0; i--) {
    const d = decisions[i];
    if (d?.kind === 'assessment') return d;
  }
  return undefined;
}

/**
 * The incident as its record is stored. The assessment in force is also the last assessment of the
 * decision history (`decisions`), reason and all: its reason is stored once, there, so that the
 * record's share of people's text (commit-bounds.ts MAX_PERSON_BYTES) holds it once, and reading the
 * record back (`parseStoredIncident`) gives it to `assessment` again. A record stored before keeps
 * both, and reads as it was; an assessment that does not match the history's last keeps its own.
 */
export function storedIncident(incident: Incident): Incident {
  const stored = storedTold(incident);
  const a = stored.assessment;
  if (!a || a.reason === undefined) return stored;
  const last = lastAssessment(stored);
  if (!last || last.reason !== a.reason || last.recordedAt !== a.at || last.by !== a.by) return stored;
  const { reason: _once, ...assessment } = a;
  return { ...stored, assessment: assessment as Assessment };
}

/**
 * The text told to the data subjects (Art. 34) or the subscribers, stored once (fg15): the decision
 * in force is also its entry in the decision history, text and all, as the assessment's reason is;
 * the text is kept there (the history is never overwritten) and read back into the decision. A
 * record stored before keeps both, and reads as it was; a decision whose text differs from its
 * entry's keeps its own.
 */
function storedTold(incident: Incident): Incident {
  let out = incident;
  for (const audience of AUDIENCES) {
    const s = incident[audience];
    if (!s?.text) continue;
    if (toldEntry(incident, audience, s)?.text !== s.text) continue;
    const { text: _once, ...inForce } = s;
    out = { ...out, [audience]: inForce };
  }
  return out;
}

/** Parses each stored incident of a list, skipping (and reporting) those that cannot be read. */
export function parseStoredIncidents(rows: { id: string; data: unknown }[], onUnreadable: UnreadableHandler | undefined): Incident[] {
  const out: Incident[] = [];
  for (const row of rows) {
    try {
      out.push(parseStoredIncident(row.data, row.id));
    } catch (err) {
      if (!(err instanceof UnreadableRecordError) || !onUnreadable) throw err;
      onUnreadable({ incidentId: err.incidentId, reason: err.reason });
    }
  }
  return out;
}

/** A stored finding record; one that cannot be read names its key (and, when known, its incident). */
export function parseStoredFinding(text: unknown, key: FindingKey): FindingRecord {
  try {
    const value = JSON.parse(String(text)) as FindingRecord;
    if (isObject(value) && isObject(value.version) && typeof value.incidentId === 'string') return value;
  } catch {
    // reported below
  }
  throw new StoreError(`the finding record ${findingKeyString(key)} cannot be read from the store (damaged or edited); datalek verify shows what changed`);
}

/**
 * The salt of a finding record written (`FindingRecord.salt`): 128 random bits, so that the hash
 * the ledger keeps of the record, once its personal data is minimised away, cannot be found again
 * by trying every value that data could have had. Random, not derived from anything the store or
 * the ledger keeps: whoever holds the store must not be able to compute it again.
 */
export function findingSalt(): string {
  return randomText(16, 'base64url');
}

/**
 * A deep copy of a record read from a store (JSON data: objects, arrays, strings, numbers,
 * booleans, null), to change while the one read stays as it was. Keys keep their order. About a
 * sixth of what structuredClone costs, which a replay pays on every incident it changes; anything
 * that is not plain data (a class instance) is copied by structuredClone as before.
 */
export function copyRecord<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyRecord(value[i]);
    return out as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copy = copyRecord((value as Record<string, unknown>)[key]);
    // A key named __proto__ (JSON.parse makes it an own key) stays a key, as structuredClone keeps it.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[key] = copy;
  }
  return out as T;
}
