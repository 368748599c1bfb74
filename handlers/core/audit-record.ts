/**
 * The parts of a stored incident record that `datalek verify` holds to the incident's timeline
 * beside its clock and the FG's decisions (core/audit.ts checkRecordAgainstTimeline): the Art.
 * 33(3) facts and the status of each containment action. A record edited behind the pipeline and
 * declared by one ledger entry appended after the last digest's head hashes true; only its
 * timeline, whose entries each command writes with the change, says what the record must hold.
 * Read from the stored text: nothing here trusts a row, and a row that does not parse is skipped
 * (the audit reports it on its own).
 */

import { canonicalJson } from './hash.js';
import { type BreachFacts, emptyFacts } from './incident.js';
import { withOwnPseudonyms } from './incident-pseudonyms.js';

/** A stored timeline row, as `RawIncident.timeline` holds it. */
export interface Row {
  seq: number;
  at: unknown;
  kind: unknown;
  actor: unknown;
  detail: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A row's detail as an object; null when it is not one (the audit reports a damaged row on its own). */
export function detailOf(row: Row): Record<string, unknown> | null {
  if (typeof row.detail !== 'string') return null;
  try {
    const value: unknown = JSON.parse(row.detail);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

/** The stored record's value, for a check judged by time (verify-store.ts); null when there is none or it is no JSON (the audit names that). */
export function storedRecordOf(raw: { record: { data: string } | null }): unknown {
  try {
    return raw.record ? JSON.parse(raw.record.data) : null;
  } catch {
    return null;
  }
}

/**
 * The facts fields a 'facts-recorded' entry gives as given (fg-workflow.ts recordFacts: the entry's
 * detail holds the fields of that call, each as the record took it). The others are given in a
 * shape of their own, below.
 */
const GIVEN_AS_IS = [
  'nature',
  'categories',
  'specialCategories',
  'subjectGroups',
  'subjectsMin',
  'subjectsMax',
  'records',
  'consequences',
  'measuresTaken',
  'measuresProposed',
  'unintelligible',
  'crossBorder',
  'leadAuthority',
  'otherAuthorities',
  'summary',
  'cause',
  'breachType',
  'complete',
  'endedAt',
] as const;

/**
 * The facts the timeline gives, as recordFacts builds them call by call, or null when no entry gave
 * any: an assessment starts them empty (`assess`: `facts ??= emptyFacts()`), and each
 * 'facts-recorded' entry sets what that call gave, the time and the person (`updatedAt`, `updatedBy`).
 */
export function factsByTimeline(timeline: readonly Row[]): BreachFacts | null {
  let facts: BreachFacts | null = null;
  for (const row of timeline) {
    if (row.kind === 'assessed') facts ??= emptyFacts();
    if (row.kind !== 'facts-recorded') continue;
    const d = detailOf(row);
    if (!d) continue;
    const f: Record<string, unknown> = { ...(facts ?? emptyFacts()) };
    for (const field of GIVEN_AS_IS) if (d[field] !== undefined) f[field] = d[field];
    if (d.specialCategories !== undefined) f.specialStated = true;
    if (isObject(d.consequencesFor)) f.consequencesByNature = { ...(isObject(f.consequencesByNature) ? f.consequencesByNature : {}), ...d.consequencesFor };
    if (d.startedAt !== undefined) {
      f.startedAt = d.startedAt;
      f.startedReason = (typeof d.startedReason === 'string' && d.startedReason.trim()) || null;
    }
    if (Array.isArray(d.otherParties)) {
      f.otherParties = d.otherParties;
      f.otherPartiesStated = true;
    } else if (isObject(d.otherParty)) {
      const name = d.otherParty.name;
      const before = Array.isArray(f.otherParties) ? f.otherParties : [];
      f.otherParties = [...before.filter((p) => !isObject(p) || p.name !== name), d.otherParty];
      f.otherPartiesStated = true;
    }
    if (isObject(d.unknown)) f.unknown = { ...d.unknown, by: row.actor, at: row.at };
    if (Array.isArray(d.clocksEnteredAfterDeadline)) {
      const marks = Array.isArray(f.clockMarks) ? f.clockMarks : [];
      f.clockMarks = [...marks, { recordedAt: row.at, by: row.actor, clocksEnteredAfterDeadline: d.clocksEnteredAfterDeadline }];
    }
    f.updatedAt = row.at;
    f.updatedBy = row.actor;
    facts = f as unknown as BreachFacts;
  }
  return facts;
}

/**
 * The facts on the record must be those its timeline gives (red28, after the clock and the FG's
 * decisions): the draft the FG pastes into the AP's form, the register and the notice read them,
 * and "complete" ends the follow-up reminders. Named by field, never by value (a summary may name
 * a person). The timeline's entries name a principal by the incident's own pseudonym
 * (incident.ts appendEntries), so the record's value is read so too.
 */
export function checkFactsAgainstTimeline(record: Record<string, unknown>, timeline: readonly Row[], add: (problem: string) => void): void {
  const given = factsByTimeline(timeline);
  const held = record.facts;
  if (held === undefined || held === null) {
    if (given) add('it holds no facts, but its timeline gives them: they were taken out behind the pipeline');
    return;
  }
  if (!isObject(held)) {
    add('its facts are not an object: the record was changed behind the pipeline');
    return;
  }
  const key = typeof record.pseudonymKey === 'string' ? record.pseudonymKey : undefined;
  // None given: compared with none recorded yet, so the fields named are those made up.
  const expected: Record<string, unknown> = { ...(given ?? emptyFacts()) };
  const same = (field: string) => {
    const want = canonicalJson(expected[field] ?? null);
    return canonicalJson(held[field] ?? null) === want || canonicalJson(withOwnPseudonyms(key, held[field] ?? null)) === want;
  };
  const differ = [...new Set([...Object.keys(held), ...Object.keys(expected)])].filter((field) => !same(field));
  if (differ.length) {
    // Two whole sentences, not one with a part chosen inside it: the Dutch verify page translates each.
    add(
      given
        ? `its facts (${differ.join(', ')}) are not those its timeline gives: they were changed behind the pipeline, with no entry saying who recorded them; the AP draft and the register read them as the FG's`
        : `its facts (${differ.join(', ')}) are made up: its timeline gives none, and no entry says who recorded them; the AP draft and the register read them as the FG's`,
    );
  }
}

const STATUSES = new Set(['planned', 'done', 'skipped', 'failed']);

/** The status an entry of these kinds gives the action it names, when its detail carries none. */
const STATUS_OF_KIND: Record<string, string> = {
  'containment-refused': 'failed',
  'containment-done-by-hand': 'done',
  'containment-not-to-be-done': 'skipped',
  'containment-not-done-withdrawn': 'planned',
};

/** What the timeline says of the containment actions: by type and target, the statuses it allows now. */
interface ContainmentByTimeline {
  /** `type target` → the statuses the last entries naming it allow (usually one). */
  allowed: Map<string, { statuses: Set<string>; seq: number }>;
  /** `type target` of every action an entry gave "done", at any time. */
  everDone: Set<string>;
  /** Action ids a merge put in place of the survivor's (`containmentTakenOver`): their history is the merged incident's. */
  takenOver: Set<string>;
  /** A merge moved actions here: those no entry of this timeline names came with it. */
  merged: boolean;
  /** A summary entry left actions out (commit-bounds.ts actionEntries): those no entry names were planned there. */
  summarised: boolean;
  /** By type, how many actions the summary entries left out: no more of it can be unnamed. */
  unlisted: Map<string, number>;
  /** The statuses the summary entries count: one left out and never named since holds one of them. */
  unlistedStatuses: Set<string>;
}

/**
 * Reads the containment entries in order. Every change of an action's status writes one that names
 * the action by type and target (commit-bounds.ts actionEntries, contain.ts, by-hand.ts, release.ts,
 * contain-again.ts): most carry the status it was given, the others give it by their kind; a request
 * to contain (`containment-requested`) takes an action left to another incident up again (planned), a
 * release by another incident plans one that relied on it (`now: 'planned'`).
 */
function containmentByTimeline(timeline: readonly Row[]): ContainmentByTimeline {
  const out: ContainmentByTimeline = {
    allowed: new Map(),
    everDone: new Set(),
    takenOver: new Set(),
    merged: false,
    summarised: false,
    unlisted: new Map(),
    unlistedStatuses: new Set(),
  };
  const give = (type: unknown, target: unknown, status: unknown, seq: number) => {
    if (typeof type !== 'string' || typeof target !== 'string' || typeof status !== 'string' || !STATUSES.has(status)) return;
    const key = `${type} ${target}`;
    out.allowed.set(key, { statuses: new Set([status]), seq });
    if (status === 'done') out.everDone.add(key);
  };
  for (const row of timeline) {
    const kind = String(row.kind);
    if (kind === 'incidents-merged') {
      const d = detailOf(row);
      if (Array.isArray(d?.actions)) {
        // Since fixmerge27 the merge lists what it brought and took over, with the status each came with
        // (an empty list when nothing came, since finalA #1: such a merge is judged like any other).
        for (const came of d.actions) if (isObject(came)) give(came.action, came.target, came.status, row.seq);
        continue;
      }
      // A merge written before that lists nothing: what it brought is not judged here (its history is
      // the merged incident's timeline, which this check does not read), only what this timeline names.
      out.merged = true;
      if (Array.isArray(d?.containmentTakenOver)) for (const id of d.containmentTakenOver) out.takenOver.add(String(id));
      continue;
    }
    if (!kind.startsWith('containment-') || kind.startsWith('containment-step-')) continue;
    const d = detailOf(row);
    if (!d) continue;
    if (kind === 'containment-actions') {
      for (const listed of Array.isArray(d.listed) ? d.listed : []) if (isObject(listed)) give(listed.action, listed.target, listed.status, row.seq);
      if (typeof d.notListed === 'number' && d.notListed > 0) {
        out.summarised = true;
        // An action planned before may be among those left out: any status the summary counts.
        const types = isObject(d.types) ? Object.keys(d.types) : [];
        const statuses = isObject(d.statuses) ? Object.keys(d.statuses) : [];
        for (const s of statuses) out.unlistedStatuses.add(s);
        const listed = Array.isArray(d.listed) ? d.listed : [];
        for (const t of types) {
          const left = Number((d.types as Record<string, unknown>)[t]) - listed.filter((l) => isObject(l) && l.action === t).length;
          if (left > 0) out.unlisted.set(t, (out.unlisted.get(t) ?? 0) + left);
        }
        for (const [key, was] of out.allowed) {
          if (types.some((t) => key.startsWith(`${t} `))) for (const s of statuses) was.statuses.add(s);
        }
      }
    } else if (kind === 'containment-requested') {
      for (const named of Array.isArray(d.actions) ? d.actions : []) out.allowed.get(String(named))?.statuses.add('planned');
    } else if (kind === 'containment-released') {
      if (d.now === 'planned') give(d.action, d.target, 'planned', row.seq);
    } else {
      give(d.action, d.target, typeof d.status === 'string' ? d.status : STATUS_OF_KIND[kind], row.seq);
    }
  }
  return out;
}

/**
 * Each containment action's status on the record must be the one its timeline last gave it (red28):
 * a "done" forged on the record makes the register, the AP draft and the notice say the instance
 * isolated or the key deactivated, and a "skipped" ends what the sweep tells of a failure. Named by
 * its place and type, never by its target (a key id, a user's pseudonym). An action no entry of this
 * timeline names is named too, unless a merge brought it or a summary entry left it out. Two actions
 * of one type and target (a released one planned anew, `…#2`; a namesake in another account) share
 * their entries: each reads "done" only if one of them gave it.
 */
export function checkContainmentAgainstTimeline(record: Record<string, unknown>, timeline: readonly Row[], add: (problem: string) => void): void {
  const actions = Array.isArray(record.actions) ? record.actions : [];
  const told = containmentByTimeline(timeline);
  checkNoActionTakenOff(actions, told, typeof record.pseudonymKey === 'string' ? record.pseudonymKey : undefined, add);
  if (actions.length === 0) return;
  const key = typeof record.pseudonymKey === 'string' ? record.pseudonymKey : undefined;
  const keyOf = (a: Record<string, unknown>) => `${String(a.type)} ${withOwnPseudonyms(key, String(a.target))}`;
  const shared = new Map<string, number>();
  for (const a of actions) if (isObject(a)) shared.set(keyOf(a), (shared.get(keyOf(a)) ?? 0) + 1);
  // Unnamed actions of each type so far, held to what the summaries left out of that type.
  const unnamed = new Map<string, number>();
  actions.forEach((a, i) => {
    if (!isObject(a)) {
      add(`its containment action ${i + 1} is not an object: the record was changed behind the pipeline`);
      return;
    }
    if (told.takenOver.has(String(a.id))) return;
    const status = String(a.status);
    const k = keyOf(a);
    const given = told.allowed.get(k);
    if (!given) {
      if (told.merged) return;
      const type = String(a.type);
      unnamed.set(type, (unnamed.get(type) ?? 0) + 1);
      // A summary entry counts what it left out by type and status: one left out was never named since,
      // so it holds a status the summary counts, and no more are unnamed than it left out of that type.
      if ((unnamed.get(type) ?? 0) <= (told.unlisted.get(type) ?? 0) && told.unlistedStatuses.has(status)) return;
      add(`its containment action ${i + 1} (${type}) reads ${status}, but its timeline records no such action: it was added behind the pipeline`);
      return;
    }
    if ((shared.get(k) ?? 0) > 1 ? status !== 'done' || told.everDone.has(k) : given.statuses.has(status)) return;
    add(
      `its containment action ${i + 1} (${String(a.type)}) reads ${status}, but its timeline gives ${[...given.statuses].join(' or ')} (entry ${given.seq}): its status was changed behind the pipeline, with no entry saying who carried it out or decided it; the register and the AP draft read it so`,
    );
  });
}

/** The entries that give the begin of the breach (`firstActivityAt`): the opening, and each earlier one (vpol). */
const FIRST_ACTIVITY_ENTRIES = new Set(['incident-opened', 'incident-opened-by-hand', 'first-activity-earlier']);

/**
 * The begin of the breach on the record (`firstActivityAt`: the AP draft's "started", the register's
 * column, the notice's "since", and the earliest time a person may state) must be the one its timeline
 * last gave (vpol): the opening gives it, and every finding or merge that moves it earlier writes an
 * entry that does. Moved later behind the pipeline, the breach reads shorter to the AP; taken off,
 * the draft gives the detection. A record whose entries give none (opened before they did) is not judged.
 */
export function checkFirstActivityAgainstTimeline(record: Record<string, unknown>, timeline: readonly Row[], add: (problem: string) => void): void {
  let given: { at: string | null; seq: number } | null = null;
  for (const row of timeline) {
    if (!FIRST_ACTIVITY_ENTRIES.has(String(row.kind))) continue;
    const d = detailOf(row);
    if (!d || !('firstActivityAt' in d)) continue;
    if (d.firstActivityAt === null || typeof d.firstActivityAt === 'string') given = { at: d.firstActivityAt, seq: row.seq };
  }
  if (!given) return;
  const held = record.firstActivityAt ?? null;
  if (held === given.at) return;
  const shown = held === null ? '(none)' : typeof held === 'string' ? held : JSON.stringify(held);
  add(
    `its first activity ${shown} is not the one its timeline gives ${given.at ?? '(none)'} (entry ${given.seq}): the begin of the breach was moved behind the pipeline, with no entry saying so; the AP draft, the register and the notice read it`,
  );
}

/**
 * Whether a mark the schedule reads as a time (`Date.parse`) lies no later than `last`: one that is
 * no time, or one ISO text compares lower but the schedule reads later (`+275760-09-13T…`), is not.
 */
export function notBeyond(mark: unknown, last: string | null): boolean {
  if (typeof mark !== 'string' || last === null) return false;
  const t = Date.parse(mark);
  return Number.isFinite(t) && t <= Date.parse(last);
}

/** The kinds of message whose queued entries carry the AP reminder's due time (schedule.ts, track `ap`). */
const AP_REMINDER_KINDS = new Set(['ap-reminder', 'ap-overdue', 'ap-owed-anew']);

/**
 * What the sweep last announced, on the record (`reminders.lastDueAt`, `paging.lastDueAt`), is held to
 * the entries it wrote with it (vpol item 3): each AP reminder it sends is a 'notification-queued' entry
 * with the reminder's due time, each page one with its level's, or a 'page-held' entry in quiet hours.
 * The schedule reads what was announced as done: marked weeks ahead, with the due time the record then
 * gives, no reminder or page is due until then, and the due time the sweep finds the incident by
 * matches the record, so nothing else tells. Judged only later than every such entry (the direction that
 * silences); named by time, which is no personal data.
 */
export function checkAnnouncedAgainstTimeline(record: Record<string, unknown>, timeline: readonly Row[], add: (problem: string) => void): void {
  let reminder: string | null = null;
  let page: string | null = null;
  // When on-call was told (the opening page, news of the incident), and whether it was told of the opening.
  const toldOnCall = new Set<string>();
  let openingPaged = false;
  const later = (a: string | null, b: string) => (a === null || Date.parse(b) > Date.parse(a) ? b : a);
  for (const row of timeline) {
    if (row.kind !== 'notification-queued' && row.kind !== 'page-held') continue;
    const d = detailOf(row);
    if (d && row.kind === 'notification-queued' && d.channel === 'on-call' && d.dueAt === undefined && typeof row.at === 'string') {
      toldOnCall.add(row.at);
      openingPaged ||= d.messageKind === 'opened';
    }
    if (!d || typeof d.dueAt !== 'string') continue;
    if (row.kind === 'page-held' || d.messageKind === 'page') page = later(page, d.dueAt);
    else if (AP_REMINDER_KINDS.has(String(d.messageKind))) reminder = later(reminder, d.dueAt);
  }
  // Any value but none: the schedule reads one that is no time as never due (NaN), which silences too.
  const marked = (held: unknown) => (isObject(held) ? (held.lastDueAt ?? null) : null);
  const ap = marked(record.reminders);
  if (ap !== null && !notBeyond(ap, reminder))
    add(
      `its last AP reminder is marked due at ${String(ap)}, later than the last its timeline records queued (${reminder ?? 'none'}): the sweep sends no AP reminder until then. It was changed behind the pipeline`,
    );
  // The escalation runs from the first page to on-call (record-finding.ts sets it as that message is queued).
  const start = isObject(record.paging) ? (record.paging.firstPageAt ?? null) : null;
  if (typeof start === 'string' ? !toldOnCall.has(start) : openingPaged) {
    const first = [...toldOnCall].sort()[0] ?? 'none';
    add(
      `its escalation's start (${typeof start === 'string' ? start : 'none'}) is not the time its timeline records on-call was first paged (${first}): the pages after the opening one run from it. It was changed behind the pipeline`,
    );
  }
  const paged = marked(record.paging);
  if (paged !== null && !notBeyond(paged, page))
    add(
      `its last page is marked due at ${String(paged)}, later than the last its timeline records queued or held (${page ?? 'none'}): the sweep pages nobody until then. It was changed behind the pipeline`,
    );
}

/**
 * Every action its timeline gives must still be on the record (atk28 F3): no command takes one off
 * (a release marks it released, a merge leaves the merged record's and takes over with the same
 * type and target), so one missing was deleted behind the pipeline: `contain` then carries out
 * nothing for the resource, the sweep tells no failure of it, and the register and `show` no longer
 * name it. Named by type, never by target (a key id, a user's pseudonym).
 */
function checkNoActionTakenOff(actions: unknown[], told: ContainmentByTimeline, key: string | undefined, add: (problem: string) => void): void {
  const objects = actions.filter(isObject);
  const held = new Set(objects.map((a) => `${String(a.type)} ${withOwnPseudonyms(key, String(a.target))}`));
  // A step a record of older code planned under another target (a principal's name before it was
  // pseudonymised) is planned anew under today's, keeping its id (containment.ts formerPseudonymStep
  // and `upgrades`): the id (`type:target`, then `@place` or `#n`) still names the target it was given.
  // Only a step whose id names another target than its own is one planned anew so.
  const ids = objects.filter((a) => !String(a.id).startsWith(`${String(a.type)}:${String(a.target)}`)).map((a) => String(a.id));
  const keptUnderId = (action: string) => {
    const space = action.indexOf(' ');
    const id = `${action.slice(0, space)}:${action.slice(space + 1)}`;
    return ids.some((held) => held === id || held.startsWith(`${id}@`) || held.startsWith(`${id}#`));
  };
  for (const [action, given] of told.allowed) {
    if (held.has(action) || keptUnderId(action)) continue;
    add(
      `its timeline gives containment action ${action.split(' ')[0]} (entry ${given.seq}), but the record holds no such action: it was taken off behind the pipeline, so nothing carries it out and no failure of it is told, with no entry saying who decided it`,
    );
  }
}
