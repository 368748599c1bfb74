/**
 * Reading a stored record back: the bytes may have been damaged or edited, so a row that is not
 * valid JSON, or not the shape of an incident, is an `UnreadableRecordError` naming the incident,
 * never a SyntaxError from deep inside a command. Lists skip such a row and report it (`status`
 * shows the others and says which one could not be read).
 */
import { StoreError } from './errors.js';
import { type FindingKey, findingKeyString } from './finding.js';
import type { Assessment, Decision, FindingRecord, Incident, OutboxMessage, SubjectsDecision } from './incident.js';
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
  const problem = recordProblem(value, id);
  if (problem) throw new UnreadableRecordError(id, problem);
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

/**
 * Why a stored record, parsed, cannot be read as incident `id`'s, or null. `parseStoredIncident`
 * refuses such a record; verify (audit.ts) names it, also when the ledger was made to agree with it.
 */
export function recordProblem(value: unknown, id: string): string | null {
  if (!isObject(value)) return 'its record is not an object';
  if (value.id !== id) return 'its record names another incident';
  for (const field of ['state', 'detectedAt', 'resourceKey', 'findingType'] as const) {
    if (typeof value[field] !== 'string') return `its record has no ${field}`;
  }
  if (typeof value.revision !== 'number' || typeof value.severity !== 'number') return 'its record has no revision or severity';
  if (!isObject(value.timelineHead) || !isObject(value.resource) || !Array.isArray(value.actions)) return 'its record is incomplete';
  return actionsProblem(value.actions) ?? fieldsProblem(value) ?? depthProblem(value);
}

/**
 * How deep a record, or a finding record, may nest (objects and lists within each other). The
 * deepest a record holds is a GuardDuty resource's details, well under twenty; one nested thousands
 * deep (written behind the pipeline) overflowed the stack of every recursive reader (`copyRecord`),
 * a RangeError naming nothing that stopped the sweep and a replay for every incident (atk28 F15).
 */
export const MAX_RECORD_DEPTH = 100;

/** Whether `value` nests deeper than MAX_RECORD_DEPTH, found without recursion. */
function depthProblem(value: unknown): string | null {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (depth > MAX_RECORD_DEPTH) return `its record nests deeper than ${MAX_RECORD_DEPTH} levels, as no record datalek writes does`;
    for (const child of Array.isArray(v) ? v : Object.values(v as object)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return null;
}

/**
 * The record's fields beside the actions that the sweep, replay, the register and status read as
 * objects or lists of objects (`reminders.lastDueAt`, `paging.firstPageAt`, `decisions.find`,
 * `reports[i].to`): one of another kind (`reminders: null`, `decisions: "x"`, `reports: [null]`),
 * written behind the pipeline, died on a TypeError naming nothing, and one such record stopped the
 * sweep and a replay for every incident, and the register (atk28 F15). No version wrote any of these.
 */
function fieldsProblem(value: Record<string, unknown>): string | null {
  for (const field of ['reminders', 'paging'] as const)
    if (!isObject(value[field])) return `its record has ${field} that is not an object (${kindOf(value[field])})`;
  const byClock = (value.reminders as Record<string, unknown>).byClock;
  if (byClock !== undefined && !isObject(byClock)) return `its record has reminders.byClock that is not an object (${kindOf(byClock)})`;
  for (const field of ['decisions', 'reports'] as const) {
    const list = value[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return `its record has ${field} that are not a list (${kindOf(list)})`;
    const i = list.findIndex((e) => !isObject(e));
    if (i >= 0) return `its record has ${field} entry ${i + 1} ${kindOf(list[i])}, not an object`;
  }
  return null;
}

const ACTION_STATUSES: ReadonlySet<unknown> = new Set(['planned', 'done', 'skipped', 'failed']);
const STEP_STATUSES: ReadonlySet<unknown> = new Set(['done', 'skipped', 'failed']);
/** An action's fields that every reader takes as an object when present (`a.released.by`, `a.evidence.taskInterfaces`). */
const ACTION_OBJECTS = ['params', 'evidence', 'refused', 'byHand', 'userGone', 'notDone', 'released', 'releasing', 'partlyReleased'] as const;
const ACTION_LISTS = ['steps', 'ownerKeys', 'notDoneWithdrawn', 'releaseStepsDone'] as const;
const ACTION_TEXTS = ['reason', 'heldBy', 'accountId', 'region', 'findingId', 'at', 'startedAt'] as const;

/** How a value that is not what was expected reads in a message: `null`, `a list`, `a string`… */
export const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : `a ${typeof v}`);

/**
 * What is wrong with a record's containment actions, or null: an entry that is no action (`[null]`, a
 * string), or an action whose id, type, target, status, mode, steps or other fields are not what every
 * reader of the list takes them to be. Such a record is unreadable, as one that is no JSON is, naming
 * the action (by its id, or its place in the list when it has none): each of release, show, the sweep,
 * the register and verify otherwise died on a TypeError that named nothing, and one such record
 * stopped the sweep and the register for every incident. No version of datalek wrote any of these
 * (status and mode have had these values since the first record; no optional field was ever null).
 */
function actionsProblem(actions: readonly unknown[]): string | null {
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i];
    if (!isObject(a)) return `its containment action ${i + 1} is ${kindOf(a)}, not an action`;
    if (typeof a.id !== 'string' || a.id === '') return `its containment action ${i + 1} has no id`;
    const named = `its containment action ${a.id}`;
    for (const field of ['type', 'target'] as const) if (typeof a[field] !== 'string') return `${named} has no ${field}`;
    if (!ACTION_STATUSES.has(a.status)) return `${named} has status ${JSON.stringify(a.status) ?? 'none'}, not planned, done, skipped or failed`;
    if (a.mode !== 'plan' && a.mode !== 'enforce') return `${named} has mode ${JSON.stringify(a.mode) ?? 'none'}, not plan or enforce`;
    for (const field of ACTION_OBJECTS) if (field in a && !isObject(a[field])) return `${named} has ${field} that is not an object (${kindOf(a[field])})`;
    for (const field of ACTION_LISTS) if (field in a && !Array.isArray(a[field])) return `${named} has ${field} that are not a list (${kindOf(a[field])})`;
    for (const field of ACTION_TEXTS) if (field in a && typeof a[field] !== 'string') return `${named} has ${field} that is not text (${kindOf(a[field])})`;
    const steps = (a.steps ?? []) as unknown[];
    for (let n = 0; n < steps.length; n++) {
      const s = steps[n];
      if (!isObject(s)) return `${named} has step ${n + 1} ${kindOf(s)}, not a step`;
      if (typeof s.name !== 'string') return `${named} has step ${n + 1} with no name`;
      if (!STEP_STATUSES.has(s.status)) return `${named} has step ${s.name} with status ${JSON.stringify(s.status) ?? 'none'}, not done, skipped or failed`;
    }
  }
  return null;
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
  return copyAt(value, 1);
}

/**
 * `copyRecord` at `depth`: deeper than a record may nest (MAX_RECORD_DEPTH, which reading one holds it
 * to), a StoreError, not the stack's RangeError (a finding record is read with no such bound).
 */
function copyAt<T>(value: T, depth: number): T {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_RECORD_DEPTH)
    throw new StoreError(`a stored record nests deeper than ${MAX_RECORD_DEPTH} levels, as none datalek writes does; datalek verify names it`);
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyAt(value[i], depth + 1);
    return out as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copy = copyAt((value as Record<string, unknown>)[key], depth + 1);
    // A key named __proto__ (JSON.parse makes it an own key) stays a key, as structuredClone keeps it.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[key] = copy;
  }
  return out as T;
}

/** A message whose stored row cannot be read: its id (the row's key) and why (atk29 A13). */
export type DamagedMessageHandler = (problem: { id: string; reason: string }) => void;

/**
 * The message in an outbox row's stored text (its `sentAt` is the row's), or why it cannot be read:
 * a reader lists such a row as damaged, by its id, never leaves it out in silence (atk29 A13).
 */
export function storedMessage(text: unknown): { message: Omit<OutboxMessage, 'sentAt'> } | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(String(text));
  } catch {
    return { reason: 'its stored text is no JSON' };
  }
  return isObject(value) ? { message: value as unknown as Omit<OutboxMessage, 'sentAt'> } : { reason: 'its stored text is not a JSON object' };
}
