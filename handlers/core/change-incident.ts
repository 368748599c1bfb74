/**
 * Changes one stored incident safely: read it, apply the change to a copy, append its timeline
 * entries and store it under the revision it was read at. When another writer got there first the
 * change is applied again to what that writer stored, so no update is lost and none applied twice.
 */

import type { IncidentChange, IncidentStore } from '../ports/incident-store.js';
import { checkPersonRoom, commitItems, MAX_COMMIT_ITEMS } from './commit-bounds.js';
import { backoffRetry, type ConflictRetry } from './conflict-retry.js';
import { dropUntoldLeftMarks } from './containment.js';
import { setNextDue } from './due-policy.js';
import { ConflictError, IncidentNotFoundError, isLostRace, StuckConflictError } from './errors.js';
import { appendEntries, type Incident, type OutboxMessage } from './incident.js';
import { markOldFormAlertsUpThere, pagerFollowUps } from './pager.js';
import type { Policy } from './policy.js';

export interface TimelineDraft {
  at: string;
  kind: string;
  actor?: string;
  detail?: Record<string, unknown>;
}

/**
 * What a change appends; `null` means there is nothing to change (nothing is written).
 * `pagerFollowUps: false`: the change does not reach the alert at the pager (an acknowledgement
 * of an alert raised before the present one, core/pager.ts).
 */
export type ChangeResult = { entries: TimelineDraft[]; messages?: (incident: Incident) => OutboxMessage[]; pagerFollowUps?: false } | null;

/** How far a person's run clock (`--now`) may lag the machine's before their entries say when they were entered. */
export const STATED_CLOCK_SKEW_MS = 5 * 60_000;

/** Whether the run's clock is stated: a `--now` behind the machine's (given on a real store) by more than STATED_CLOCK_SKEW_MS. */
export function clockStated(clocks: { now: () => string; machineNow?: () => string }): boolean {
  return clocks.machineNow !== undefined && Date.parse(clocks.machineNow()) - Date.parse(clocks.now()) > STATED_CLOCK_SKEW_MS;
}

/**
 * When a person's change is entered: the machine's clock when the run's `--now` is stated behind it
 * (the change's clock-stated entry names that moment, `markEnteredAt`), else the run's clock. The
 * judgements of "entered later" and "entered after the deadline" take it, not the stated `--now`:
 * else a report or a move of awareness entered days after the AP deadline read as entered in time,
 * with no --confirm-stated-time asked and no mark (atk28 F16). What the entry says happened, and
 * its place in the record's order (`recordedAt`), stay at the stated clock.
 */
export function enteredAt(clocks: { now: () => string; machineNow?: () => string }): string {
  return clocks.machineNow && clockStated(clocks) ? clocks.machineNow() : clocks.now();
}

/**
 * The clocks a change is recorded with. `now` is the run's (a CLI `--now`, or the machine's);
 * `machineNow`, given for a person's commands on a real store, is the machine's own.
 */
export interface ChangeDeps {
  store: IncidentStore;
  policy: Policy;
  now: () => string;
  machineNow?: () => string;
  /**
   * How a commit that lost the race for its incident waits and tries again: a storm of findings on
   * one incident keeps its writers racing (review7 K6). @default MAX_CONFLICT_ATTEMPTS tries, with jittered pauses
   */
  conflictRetry?: ConflictRetry;
}

/** Whether to try a change again after `err`: only a lost race, after its pause, while tries are left. */
async function tryAgain(deps: ChangeDeps, err: unknown, attempt: number): Promise<boolean> {
  return isLostRace(err) && (await (deps.conflictRetry ?? backoffRetry()).again(attempt));
}

/**
 * What a change ends on after its last try failed with `err`: a conflict is a lost race only when a
 * fresh read shows that one of `ids` moved past the revision its first try read (`first`); when none
 * did, nobody else wrote, and it is a `StuckConflictError` (a run again would fail the same way).
 */
export async function settledConflict(store: IncidentStore, ids: readonly string[], first: readonly number[], err: unknown): Promise<unknown> {
  if (!(err instanceof ConflictError) || err instanceof StuckConflictError) return err;
  const fresh = await Promise.all(ids.map((id) => store.getIncident(id)));
  return fresh.some((f, i) => f?.revision !== first[i]) ? err : new StuckConflictError(ids[0], err);
}

/**
 * Acknowledging or closing an incident whose alert lives at the pager (PagerDuty, Opsgenie) also
 * queues, in the same commit, the message that acknowledges or resolves it there.
 * `readAlong`: what else the change is decided on (its timeline, say), read at each try after the
 * incident, so the commit's revision check vouches for it too; `change` gets it as `along`.
 */
export async function changeIncident<T = undefined>(
  deps: ChangeDeps,
  incidentId: string,
  change: (draft: Incident, current: Incident, along: T) => ChangeResult,
  readAlong?: (current: Incident) => Promise<T>,
): Promise<{ incident: Incident; changed: boolean }> {
  let first: number | undefined;
  for (let attempt = 1; ; attempt++) {
    const current = await deps.store.getIncident(incidentId);
    if (!current) throw new IncidentNotFoundError(incidentId);
    first ??= current.revision;
    const along = (readAlong ? await readAlong(current) : undefined) as T;
    const draft = structuredClone(current);
    const result = change(draft, current, along);
    if (!result) return { incident: current, changed: false };
    await beforeClosing(deps, current, draft, result);
    try {
      await deps.store.commit(commitOf(deps, current, draft, result));
      return { incident: draft, changed: true };
    } catch (err) {
      if (!(await tryAgain(deps, err, attempt))) throw await settledConflict(deps.store, [incidentId], [first], err);
    }
  }
}

/**
 * What a change that closes the incident reads before its commit resolves its alerts at the pager
 * (pagerFollowUps): the old-form exposed alerts still up there, from the timeline (contain17).
 */
async function beforeClosing(deps: ChangeDeps, current: Incident, draft: Incident, result: NonNullable<ChangeResult>): Promise<void> {
  if (draft.state === 'closed' && current.state !== 'closed' && result.pagerFollowUps !== false) await markOldFormAlertsUpThere(deps.store, draft);
}

/** The commit of one incident's change, `draft` being `current` changed as `result` says. */
function commitOf(deps: ChangeDeps, current: Incident, draft: Incident, result: NonNullable<ChangeResult>): IncidentChange {
  // People's text has a share of the record of its own: it never takes the room of containment.
  checkPersonRoom(current, draft);
  draft.revision = current.revision + 1;
  // A holder's failure told of an action handed back since (by whatever path) is history: its mark goes.
  dropUntoldLeftMarks(draft);
  setNextDue(draft, deps.policy);
  const timeline = appendEntries(draft, markEnteredAt(draft, result.entries, deps));
  const messages = [...(result.messages?.(draft) ?? []), ...(result.pagerFollowUps === false ? [] : pagerFollowUps(current, draft, deps.policy, deps.now()))];
  return { incident: draft, expectedRevision: current.revision, timeline, messages };
}

/**
 * `changeIncident` for several incidents at once, in one atomic commit (the first incident's, the
 * rest as its `others`): each is read, `change` gets a draft of each (in the order of `ids`) and
 * says per draft what it appends, `null` for one it leaves as it is; when it returns `null` nothing
 * is written. A record one run holds up to date, another's told in the same write: a crash never
 * leaves one saying what the other undid. Applied again when another writer got to any of them first.
 * Returns the incidents as stored after it.
 */
export async function changeIncidents(
  deps: ChangeDeps,
  ids: readonly string[],
  change: (drafts: Incident[], current: Incident[]) => ChangeResult[] | null,
): Promise<{ incidents: Incident[]; changed: boolean }> {
  let first: number[] | undefined;
  for (let attempt = 1; ; attempt++) {
    const current = await Promise.all(ids.map((id) => deps.store.getIncident(id)));
    const missing = ids.find((_, i) => !current[i]);
    if (missing) throw new IncidentNotFoundError(missing);
    const read = current as Incident[];
    first ??= read.map((c) => c.revision);
    const drafts = read.map((c) => structuredClone(c));
    const results = change(drafts, read);
    if (!results) return { incidents: read, changed: false };
    for (const [i, r] of results.entries()) if (r) await beforeClosing(deps, read[i], drafts[i], r);
    const changes = results.flatMap((r, i) => (r ? [commitOf(deps, read[i], drafts[i], r)] : []));
    if (changes.length === 0) return { incidents: read, changed: false };
    const [main, ...others] = changes;
    try {
      await deps.store.commit(others.length ? { ...main, others } : main);
      return { incidents: read.map((c, i) => (results[i] ? drafts[i] : c)), changed: true };
    } catch (err) {
      if (!(await tryAgain(deps, err, attempt))) throw await settledConflict(deps.store, ids, first, err);
    }
  }
}

/**
 * A person who records with a `--now` in the past (on a real store; a drill copy takes any) makes
 * their entries say a time the machine did not. The change then starts with a `clock-stated` entry
 * that says when the machine recorded it (`enteredAt`) and which entries follow, so a "met" that
 * rests on a stated clock shows as such (Art. 33(5): the record must survive an auditor comparing
 * when something was said done with when it was entered). Entries without an actor are the
 * pipeline's own: a replay of history keeps its times.
 */
export function markEnteredAt(draft: Incident, entries: TimelineDraft[], deps: Pick<ChangeDeps, 'now' | 'machineNow'>): TimelineDraft[] {
  if (!deps.machineNow) return entries;
  const person = entries.filter((e) => e.actor);
  if (person.length === 0) return entries;
  const machine = deps.machineNow();
  const stated = deps.now();
  if (Date.parse(machine) - Date.parse(stated) <= STATED_CLOCK_SKEW_MS) return entries;
  const by = person[0].actor as string;
  const kinds = person.map((e) => e.kind);
  // On the record too, so the register and the page say it without reading the timeline.
  keepStatedClock(draft, { at: stated, enteredAt: machine, by, entries: kinds });
  return [{ at: stated, kind: 'clock-stated', actor: by, detail: { enteredAt: machine, entries: kinds } }, ...entries];
}

/**
 * A replay a person runs with a `--now` behind the machine's clock, on a real store (a drill copy
 * and the record-finding function have no `machineNow`), records the pipeline's own entries at the
 * time stated: the incident opened, its containment planned, the FG and on-call told. The record
 * must not say datalek did so then when the machine did it now (review5 A14): each incident of the
 * commit then starts its entries with a `clock-stated` one naming the machine's clock and who ran
 * the replay, and lists it in `statedClock`, as a person's change does (`markEnteredAt`). The
 * entries are chained again after it. A commit with no room for the entry (MAX_COMMIT_ITEMS: a
 * merge of incidents holding many resources) keeps the mark in `statedClock` alone.
 */
export function markStatedRun(change: IncidentChange, clocks: { now: () => string; machineNow?: () => string }, by: string): void {
  if (!clocks.machineNow || !clockStated(clocks)) return;
  const machine = clocks.machineNow();
  const stated = clocks.now();
  for (const c of [change, ...(change.others ?? [])]) {
    if (c.timeline.length === 0) continue;
    const drafts: TimelineDraft[] = c.timeline.map(({ at, kind, actor, detail }) => ({ at, kind, actor, detail }));
    const kinds = drafts.map((e) => e.kind);
    keepStatedClock(c.incident, { at: stated, enteredAt: machine, by, entries: kinds });
    if (commitItems(change) >= MAX_COMMIT_ITEMS) continue; // the record says it; the timeline has no room
    // Chained again from where the entries began, the mark first.
    const first = c.timeline[0];
    c.incident.timelineHead = { seq: first.seq - 1, hash: first.prevHash };
    c.timeline = appendEntries(c.incident, [{ at: stated, kind: 'clock-stated', actor: by, detail: { enteredAt: machine, entries: kinds } }, ...drafts]);
  }
}

/**
 * Names `caller`, the AWS identity whose credentials write `change` (sts:GetCallerIdentity's ARN),
 * on every timeline entry of it and of its `others`, chained again from where they began: a
 * person's `--target aws` run records who AWS says wrote each entry beside the name given (`--by`),
 * which anyone with write access could type (sec, session 26). The entries' hashes cover it.
 */
export function stampCaller(change: IncidentChange, caller: string): void {
  for (const c of [change, ...(change.others ?? [])]) {
    if (c.timeline.length === 0) continue;
    const first = c.timeline[0];
    c.incident.timelineHead = { seq: first.seq - 1, hash: first.prevHash };
    c.timeline = appendEntries(
      c.incident,
      c.timeline.map(({ at, kind, actor, detail }) => ({ at, kind, actor, caller, detail })),
    );
  }
}

/** How many stated-clock changes an incident's record lists (the timeline keeps them all). */
const MAX_STATED_CLOCK = 50;

/** Lists a stated-clock change on the record while fewer than MAX_STATED_CLOCK are; counts it beyond. */
export function keepStatedClock(draft: Incident, mark: NonNullable<Incident['statedClock']>[number]): void {
  const kept = draft.statedClock ?? [];
  if (kept.length < MAX_STATED_CLOCK) draft.statedClock = [...kept, mark];
  else draft.statedClockNotListed = (draft.statedClockNotListed ?? 0) + 1;
}
