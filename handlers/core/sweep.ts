/**
 * Use case: the deadline sweep. Sends the AP reminders and the escalation pages that are due, each
 * exactly once however often the sweep runs, or how many run at once: the announcement is stored
 * with the incident under its revision, and a sweep that lost the race reads again and finds
 * nothing left to send.
 */

import type { IncidentStore } from '../ports/incident-store.js';
import { type ChangeResult, markStatedRun, settledConflict } from './change-incident.js';
import { backoffRetry, type ConflictRetry, MAX_CONFLICT_ATTEMPTS } from './conflict-retry.js';
import { oweLeavers, toldOutcomes } from './containment.js';
import { type DuePolicyPass, resetForPolicy } from './due-index.js';
import { setNextDue } from './due-policy.js';
import { ConflictError, isLostRace, StoreError, StuckConflictError } from './errors.js';
import { composeRepeatSummary, type RepeatSummary, repeatSummaryId } from './exposed-summary.js';
import { appendEntries, type Incident } from './incident.js';
import { toldOutside } from './incident-pseudonyms.js';
import { composeMessage } from './messages.js';
import { notePagerTrigger } from './pager.js';
import type { Policy } from './policy.js';
import {
  dueItems,
  EXPOSED_REPEAT_MINUTES,
  EXPOSED_REPEAT_STALE_MINUTES,
  EXPOSED_REPEAT_TRACK,
  exposedUntaken,
  LEFT_CHECK_TRACK,
  leftCheckDueAt,
  MAX_EXPOSED_REPEATS_PER_SWEEP,
  openSince,
  owedLeaversDueAt,
  untoldOutcomesDueAt,
} from './schedule.js';
import { MINUTE_MS } from './time.js';

export interface SweepItem {
  incidentId: string;
  kind: string;
  dueAt: string;
  /** For pages: the escalation level and round. */
  level?: string;
  round?: number;
  /** A page held by quiet hours: recorded, not sent. */
  held?: boolean;
  /** A clock's reminder (besides the AP's): the clock. */
  clock?: string;
  /** An exposed interface's alert raised again: the interface. */
  exposed?: string;
  /** The summary of the repeats not sent one by one (core/exposed-summary.ts): how many incidents it names. */
  summarised?: number;
}

export interface SweepResult {
  sent: SweepItem[];
  /**
   * Incidents the sweep could not update (e.g. a timeline changed behind the store's back). One
   * broken incident must not stop the reminders of all the others: they are reported, not thrown.
   * `error` names a principal by the incident's own pseudonym (incident-pseudonyms.ts
   * `toldOutside`): the sweep function logs it, and `datalek sweep` prints it, past minimise.
   */
  failed: { incidentId: string; error: string; lostRace?: true }[];
  /**
   * Incidents with something due that the sweep did not start for want of time (`SweepDeps.deadline`):
   * nothing of theirs was written or queued, so they stay due and the next sweep sends what they owe, once.
   */
  notReached: string[];
  /** How many incidents the sweep read from the store: grows with what is due, not with history. */
  incidentsRead: number;
  /** The revision each incident the sweep changed is at now (for the events that announce it). */
  revisions: Record<string, number>;
  /**
   * The pass after a policy change (due-index.ts resetForPolicy): present when the policy in force was
   * not the one the sweep last set every due time under. Its reads are not in `incidentsRead`.
   */
  duePolicy?: DuePolicyPass;
}

export interface SweepDeps {
  store: IncidentStore;
  policy: Policy;
  now: () => string;
  /**
   * Set when a person runs the sweep on a real store: the machine's clock and who runs it. With a
   * `now` behind that clock, what each commit records is marked as stated (change-incident.ts
   * markStatedRun), as a person's replay is.
   */
  statedRun?: { machineNow: () => string; by: string };
  /** How a commit that lost the race for its incident waits before reading it again (conflict-retry.ts; default: paced, ten tries). */
  conflictRetry?: ConflictRetry;
  /**
   * The end of the sweep function's invocation (epoch ms, `Date.now() + getRemainingTimeInMillis()`).
   * From KEEP_AFTER_SWEEP_MS before it the sweep starts no incident (`notReached`) but those its
   * queued summary page named (each one commit, no pause), and an
   * incident's lost commit is tried again only while its pause ends before then: an invocation cut
   * off by its timeout announces none of what it queued, and the errors alarm only says it failed.
   */
  deadline?: number;
  /**
   * Whether this sweep sets due times again when the policy in force is not the one the sweep last set
   * every due time under (due-index.ts resetForPolicy). @default true. A person's `sweep --target aws`
   * does not: the scheduled sweep runs under the deployment's policy, and one run without it
   * (DATALEK_POLICY unset) would set every due time under another, for the scheduled one to set back.
   */
  duePolicyPass?: boolean;
}

/**
 * What the sweep function keeps of its 2 minutes (infra/response-stack.ts) after the last incident
 * it starts: that incident's commit, the events that announce what it queued, and the one re-send of
 * a message that waited longer than a claim lease under way then (lambda/sweep.ts starts none after
 * this point either: a pager's call takes up to 20 s, its fall-back to the topic a few more).
 */
export const KEEP_AFTER_SWEEP_MS = 30_000;

export async function sweep(deps: SweepDeps): Promise<SweepResult> {
  const now = deps.now();
  const sent: SweepItem[] = [];
  const failed: SweepResult['failed'] = [];
  // One damaged incident must not stop the reminders of the others: it is reported with the failures.
  // An item that is no incident record is passed by, named as such (verify names it too).
  const due = await deps.store.listDue(now, (p) =>
    failed.push({
      incidentId: p.incidentId,
      error: toldOutside(undefined, p.notAnIncident ? `skipped: ${p.reason}` : `cannot be read from the store (${p.reason})`),
    }),
  );
  const revisions: SweepResult['revisions'] = {};
  const notReached: string[] = [];
  let incidentsRead = due.length;
  const stopAt = deps.deadline === undefined ? null : deps.deadline - KEEP_AFTER_SWEEP_MS;
  const outOfTime = () => stopAt !== null && Date.now() >= stopAt;
  // With a deadline, the ten paced tries only while the pause ends before the sweep stops starting incidents.
  const conflictRetry =
    deps.conflictRetry ?? (stopAt === null ? backoffRetry() : backoffRetry({ timeLeft: () => stopAt - Date.now(), maxAttempts: MAX_CONFLICT_ATTEMPTS }));
  // The holders of what an incident left elsewhere, read only when their check is due (each read counted).
  const reads = {
    getIncident: (id: string) => {
      incidentsRead += 1;
      return deps.store.getIncident(id);
    },
  };
  // Commits one incident's due items under `plan`, reading it again on a conflict.
  const commitOne = async (first: Incident, plan: RepeatPlan): Promise<{ error: string; incident: Incident; lostRace?: true } | null> => {
    let incident = first;
    for (let attempt = 1; ; attempt++) {
      const change = sweepOne(incident, deps.policy, now, plan, await leftCheck(deps, reads, incident, now));
      if (!change) return null;
      if (deps.statedRun) markStatedRun(change.change, { now: deps.now, machineNow: deps.statedRun.machineNow }, deps.statedRun.by);
      try {
        await deps.store.commit(change.change);
        sent.push(...change.items);
        revisions[incident.id] = change.change.incident.revision;
        return null;
      } catch (err) {
        // A storm of writers on the incident: pause as every other change does (review7 K6), not ten tries in a row.
        if (!isLostRace(err) || !(await conflictRetry.again(attempt))) {
          // A lost race only when the incident moved meanwhile; else the store refuses it for good (verify says why).
          const settled = await settledConflict(deps.store, [first.id], [first.revision], err);
          if (err instanceof ConflictError) incidentsRead += 1;
          return {
            // Logged by the sweep function, and kept past minimise: a resource or step by the incident's own pseudonym.
            error: toldOutside(incident.pseudonymKey, (settled as Error).message),
            incident,
            ...(settled instanceof ConflictError && !(settled instanceof StuckConflictError) ? { lostRace: true as const } : {}),
          };
        }
        const fresh = await deps.store.getIncident(incident.id);
        incidentsRead += 1;
        if (!fresh) return null;
        incident = fresh;
      }
    }
  };
  // One incident the sweep fails on, whatever the error (a record shape no check on reading foresaw),
  // is named and passed by: the others are swept and their pages sent (atk28 F15).
  const broken = new Set<string>();
  const unforeseen = (incident: Incident, err: unknown) => {
    broken.add(incident.id);
    failed.push({ incidentId: incident.id, error: toldOutside(incident.pseudonymKey, failedOn(err)) });
  };
  const planned = planRepeats(due, deps.policy, now, unforeseen);
  // The summary is committed first, by the first incident it names whose commit succeeds; only
  // then are the stale ones marked as named in it. If none can carry it, nobody was paged: the
  // stale ones stay due, as those left out, and are paged by the next sweep.
  const retry = new Map<string, Incident>();
  const carried = new Set<string>();
  let repeats: RepeatPlan = { ...planned, summary: null, leftOut: new Set([...planned.leftOut, ...planned.stale]), stale: new Set() };
  let summaryError: { incidentId: string; error: string } | null = null;
  for (const id of planned.summary ? [...planned.stale, ...planned.leftOut] : []) {
    // Out of time: no carrier, so nobody was paged; the stale ones stay due, as below.
    if (outOfTime()) break;
    const incident = due.find((i) => i.id === id) as Incident;
    carried.add(id);
    const plan = { ...planned, summary: { ...(planned.summary as RepeatSummary), carrier: id } };
    const failure = await commitOne(incident, plan).catch((err: unknown) => {
      unforeseen(incident, err);
      return null;
    });
    if (broken.has(id)) continue;
    if (!failure) {
      repeats = plan;
      summaryError = null;
      break;
    }
    // Tried again below without the summary: the summary may be what it could not take.
    retry.set(id, failure.incident);
    summaryError ??= { incidentId: id, error: failure.error };
  }
  if (summaryError)
    failed.push({
      incidentId: summaryError.incidentId,
      error: `the summary of the exposed pages not repeated one by one could not be queued with any incident it names (${summaryError.error}); they stay due for the next sweep`,
    });
  // The stale ones the queued summary names go first, and are committed past the stop point too
  // (a lost race there is not paced): the page named them, and only their own commit records it;
  // left undone, the next sweep would name them in a summary again.
  const named = (incident: Incident) => repeats.stale.has(incident.id);
  for (const incident of [...due.filter(named), ...due.filter((i) => !named(i))]) {
    if (broken.has(incident.id) || (carried.has(incident.id) && !retry.has(incident.id))) continue;
    if (!named(incident) && outOfTime()) {
      notReached.push(incident.id);
      continue;
    }
    let failure: Awaited<ReturnType<typeof commitOne>>;
    try {
      failure = await commitOne(retry.get(incident.id) ?? incident, repeats);
    } catch (err) {
      unforeseen(incident, err);
      continue;
    }
    if (failure) failed.push({ incidentId: incident.id, error: failure.error, ...(failure.lostRace ? { lostRace: failure.lostRace } : {}) });
    else
      await tellOwed(deps, incident.id, now).catch((err: unknown) =>
        failed.push({ incidentId: incident.id, error: toldOutside(incident.pseudonymKey, (err as Error).message) }),
      );
  }
  // After what is due, while time is left: the due times of a policy changed since the last sweep
  // (due-index.ts resetForPolicy), so a change of the policy needs no `sweep --reindex` by hand.
  const failedAlready = new Set(failed.map((f) => f.incidentId));
  const duePolicy =
    deps.duePolicyPass === false
      ? null
      : await resetForPolicy(
          { store: deps.store, policy: deps.policy, now: () => now, ...(deps.statedRun ? { machineNow: deps.statedRun.machineNow } : {}), conflictRetry },
          {
            onUnreadable: (p) => {
              if (!failedAlready.has(p.incidentId))
                failed.push({
                  incidentId: p.incidentId,
                  error: toldOutside(undefined, p.notAnIncident ? `skipped: ${p.reason}` : `cannot be read from the store (${p.reason})`),
                });
            },
            onRefused: (incidentId, err, pseudonymKey) =>
              failed.push({
                incidentId,
                error: toldOutside(pseudonymKey, `its due time was not set again under the policy in force: ${err.message}`),
                ...(err instanceof StuckConflictError ? {} : { lostRace: true as const }),
              }),
            outOfTime,
          },
        );
  if (duePolicy?.error) failed.push({ incidentId: '(store)', error: duePolicy.error });
  return { sent, failed, notReached, incidentsRead, revisions, ...(duePolicy ? { duePolicy } : {}) };
}

/** What the sweep failed on for one incident: a store's own words, or the error's kind and message (no stack). */
function failedOn(err: unknown): string {
  if (err instanceof StoreError) return err.message;
  const e = err instanceof Error ? err : new Error(String(err));
  return `datalek failed on it (${e.name}: ${e.message}): its record may hold what datalek never writes, or this is a fault of datalek's; the other incidents were swept`;
}

/**
 * Tells the incidents that left a resource to `incidentId` what a stopped run of it owed them
 * (read14c C2), once no run holds its lease. The containment code loads only then.
 */
async function tellOwed(deps: SweepDeps, incidentId: string, now: string): Promise<void> {
  const incident = await deps.store.getIncident(incidentId);
  const dueAt = incident ? owedLeaversDueAt(incident) : null;
  if (dueAt === null || Date.parse(dueAt) > Date.parse(now)) return;
  const { tellOwedLeavers } = await import('./contain.js');
  await tellOwedLeavers({ store: deps.store, policy: deps.policy, now: () => now }, incidentId);
}

/**
 * Which incidents' exposed pages this sweep repeats one by one, across incidents: at most
 * MAX_EXPOSED_REPEATS_PER_SWEEP, in the order the store lists them due (the longest waiting first,
 * so those left out go first next time). The rest, and stale first repeats
 * (EXPOSED_REPEAT_STALE_MINUTES), are named in one summary page, queued with the first of them
 * whose commit takes it (`sweep`).
 */
interface RepeatPlan {
  /** Left out of this sweep: not sent, still due. */
  leftOut: Set<string>;
  /** Stale: named in the summary instead, the repeat's due time taken as announced. */
  stale: Set<string>;
  summary: (RepeatSummary & { carrier: string }) | null;
}

function planRepeats(due: readonly Incident[], policy: Policy, now: string, onError: (incident: Incident, err: unknown) => void): RepeatPlan {
  const plan: RepeatPlan = { leftOut: new Set(), stale: new Set(), summary: null };
  let sent = 0;
  for (const incident of due) {
    let item: ReturnType<typeof dueItems>[number] | undefined;
    let stale: boolean;
    try {
      item = dueItems(incident, policy, now).find((i) => i.track === EXPOSED_REPEAT_TRACK);
      stale = item !== undefined && staleRepeat(incident, policy, now);
    } catch (err) {
      onError(incident, err);
      continue;
    }
    if (!item) continue;
    if (stale) plan.stale.add(incident.id);
    else if (sent < MAX_EXPOSED_REPEATS_PER_SWEEP) sent += 1;
    else plan.leftOut.add(incident.id);
  }
  const named = [...plan.stale, ...plan.leftOut];
  if (named.length) plan.summary = { carrier: named[0], leftOut: [...plan.leftOut], stale: [...plan.stale] };
  return plan;
}

/**
 * Whether the incident's repeat is stale: none went out since the interfaces now open were left
 * open, and the first fell due more than EXPOSED_REPEAT_STALE_MINUTES ago.
 */
function staleRepeat(incident: Incident, policy: Policy, now: string): boolean {
  const open = exposedUntaken(incident, policy);
  if (open.length === 0) return false;
  const since = openSince(open);
  const last = incident.reminders.byClock?.[EXPOSED_REPEAT_TRACK];
  if (last !== undefined && last >= since) return false;
  const firstDue = Date.parse(since) + EXPOSED_REPEAT_MINUTES * MINUTE_MS;
  return Date.parse(now) - firstDue > EXPOSED_REPEAT_STALE_MINUTES * MINUTE_MS;
}

/**
 * The check, due now, of the holders of what `incident` left to other incidents (schedule.ts
 * `leftCheckDueAt`): the hand-backs of what it left to incidents closed without containing it
 * (review7 Y12), as changes of the sweep's draft, none when every holder still holds or is open.
 * Null when no check is due. The containment code loads only then (the sweep function's start stays small).
 */
async function leftCheck(deps: SweepDeps, reads: Pick<IncidentStore, 'getIncident'>, incident: Incident, now: string): Promise<LeftCheck | null> {
  const dueAt = leftCheckDueAt(incident);
  if (dueAt === null || Date.parse(dueAt) > Date.parse(now)) return null;
  const [{ closedHoldersOf, failedHoldersOf, tellFailedAtHolders }, { handBack }] = await Promise.all([import('./contain.js'), import('./release.js')]);
  // Each holder read once for both.
  const read = new Map<string, ReturnType<IncidentStore['getIncident']>>();
  const once = {
    getIncident: (id: string) => {
      const got = read.get(id) ?? reads.getIncident(id);
      read.set(id, got);
      return got;
    },
  };
  const holders = await closedHoldersOf(once, incident);
  const failed = await failedHoldersOf(once, incident, now);
  const change = { store: deps.store, policy: deps.policy, now: () => now };
  return {
    dueAt,
    handBack: (draft) => [...holders.map(({ holder, names }) => handBack(change, holder, draft, names)), tellFailedAtHolders(change, draft, failed)],
  };
}

interface LeftCheck {
  dueAt: string;
  /** Hands back, in `draft`, what was left to incidents closed without containing it; tells what was left to open ones whose containment of it failed. */
  handBack: (draft: Incident) => ChangeResult[];
}

/**
 * Who a reminder without a channel of its own goes to: the FG, and for a NIS2 clock also whom the
 * policy names (`reminders.nis2To`): the reports to the CSIRT and the authority are the organisation's
 * security duty, often on-call's or the CISO's (law28); for the AP follow-up after a high risk whom
 * `reminders.riskFollowUpTo` names (law27). One track, one due time: each channel's message is its
 * own (its id holds the channel), sent once.
 */
function reminderChannels(item: { clock?: string; track: string }, policy: Policy): ('fg' | 'on-call')[] {
  if (item.track === 'follow-up-risk') return policy.reminders.riskFollowUpTo;
  return item.clock?.startsWith('nis2-') ? policy.reminders.nis2To : ['fg'];
}

function sweepOne(current: Incident, policy: Policy, now: string, repeats: RepeatPlan, left: LeftCheck | null = null) {
  const stale = repeats.stale.has(current.id);
  // A repeat left out of this sweep stays due; a stale one is named in the summary instead.
  const all = dueItems(current, policy, now);
  const items = all.filter((i) => i.track !== EXPOSED_REPEAT_TRACK || !(stale || repeats.leftOut.has(current.id)));
  const staleItem = stale ? all.find((i) => i.track === EXPOSED_REPEAT_TRACK) : undefined;
  const summary = repeats.summary?.carrier === current.id ? composeRepeatSummary(current, repeats.summary, policy, now) : null;
  const next = structuredClone(current);
  const untoldAt = untoldOutcomesDueAt(current);
  const untold = untoldAt !== null && Date.parse(untoldAt) <= Date.parse(now) ? tellUntold(next, policy, now, untoldAt) : null;
  // Checked now: the next check falls due LEFT_CHECK_MINUTES on, while anything stays left elsewhere.
  if (left) next.reminders.byClock = { ...(next.reminders.byClock ?? {}), [LEFT_CHECK_TRACK]: now };
  const handedBack = (left?.handBack(next) ?? []).filter((r): r is NonNullable<ChangeResult> => r !== null);
  if (items.length === 0 && !untold && !staleItem && !summary && !left) {
    // Nothing to send (the state changed since it was scheduled): only move the schedule on.
    setNextDue(next, policy);
    if (next.nextDueAt === current.nextDueAt) return null;
    next.revision = current.revision + 1;
    return { change: { incident: next, expectedRevision: current.revision, timeline: [], messages: [] }, items: [] };
  }
  const messages = [];
  const drafts = [];
  for (const item of items) {
    if (item.track === 'ap') next.reminders.lastDueAt = item.dueAt;
    else if (item.track === 'page') next.paging.lastDueAt = item.dueAt;
    else if (item.track === 'exposed') raisedAgain(next, item.exposed as string);
    else next.reminders.byClock = { ...(next.reminders.byClock ?? {}), [item.track]: item.dueAt };
    const channels = item.channel ? [item.channel] : reminderChannels(item, policy);
    if (item.held) {
      drafts.push({
        at: now,
        kind: 'page-held',
        detail: { level: item.level ?? null, round: item.round ?? null, dueAt: item.dueAt, reason: 'quiet hours (not Critical)' },
      });
      continue;
    }
    const stateKey =
      item.track === 'page'
        ? `page:${item.round}:${item.level}`
        : item.track === 'exposed'
          ? `exposed-again:${item.exposed}:${item.dueAt}`
          : `${item.track}:${item.kind}:${item.dueAt}`;
    // The exposed interfaces' page repeated on the on-call topic: every one still open and not taken.
    const repeat = item.track === EXPOSED_REPEAT_TRACK ? exposedUntaken(next, policy) : undefined;
    for (const to of channels) {
      const message = composeMessage({
        incident: next,
        channel: to,
        kind: item.kind,
        stateKey,
        now,
        policy,
        level: item.level,
        round: item.round,
        clock: item.clock,
        exposed: item.exposed,
        repeat,
        dueAt: item.dueAt,
      });
      // A page after the pager's alert was resolved there (by nobody) raises a new alert: recorded, so
      // that alert escalates from now on, and acknowledging or closing in datalek reaches it.
      notePagerTrigger(next, message, policy, now);
      messages.push(message);
      drafts.push({
        at: now,
        kind: 'notification-queued',
        detail: {
          channel: to,
          messageKind: item.kind,
          dueAt: item.dueAt,
          messageId: message.id,
          ...(item.level ? { level: item.level, round: item.round } : {}),
          ...(item.clock ? { clock: item.clock } : {}),
          ...(item.exposed ? { exposed: item.exposed, reason: 'the pager resolved its alert on its own while the interface is still open' } : {}),
          ...(repeat ? { interfaces: repeat.length, reason: 'repeated on the on-call topic: still open, and nobody took it since' } : {}),
        },
      });
    }
  }
  if (untold) {
    messages.push(...untold.messages);
    drafts.push(...untold.drafts);
  }
  if (staleItem) {
    next.reminders.byClock = { ...(next.reminders.byClock ?? {}), [EXPOSED_REPEAT_TRACK]: staleItem.dueAt };
    drafts.push(
      exposedQueued(now, {
        dueAt: staleItem.dueAt,
        messageId: repeats.summary ? repeatSummaryId(repeats.summary.carrier, now) : null,
        reason: `named in the sweep's summary page instead of a repeat of its own: its first repeat fell due more than ${EXPOSED_REPEAT_STALE_MINUTES} minutes ago and never went out`,
      }),
    );
  }
  if (summary && repeats.summary) {
    messages.push(summary);
    drafts.push(
      exposedQueued(now, {
        messageId: summary.id,
        leftOut: repeats.summary.leftOut.length,
        stale: repeats.summary.stale.length,
        reason: `the sweep's summary of the exposed pages it did not repeat one by one (at most ${MAX_EXPOSED_REPEATS_PER_SWEEP} a sweep)`,
      }),
    );
  }
  for (const r of handedBack) drafts.push(...r.entries);
  setNextDue(next, policy);
  next.revision = current.revision + 1;
  for (const r of handedBack) messages.push(...(r.messages?.(next) ?? []));
  const timeline = appendEntries(next, drafts);
  return {
    change: { incident: next, expectedRevision: current.revision, timeline, messages },
    items: [
      ...items.map((i) => ({
        incidentId: current.id,
        kind: i.kind,
        dueAt: i.dueAt,
        ...(i.track === 'page' ? { level: i.level, round: i.round, ...(i.held ? { held: true } : {}) } : {}),
        ...(i.clock ? { clock: i.clock } : {}),
        ...(i.exposed ? { exposed: i.exposed } : {}),
      })),
      ...(untold?.item ? [{ incidentId: current.id, ...untold.item }] : []),
      // Announced as every item ("Reminder Due"): notify sends the hand-back's messages at once.
      ...(handedBack.some((r) => r.messages) && left ? [{ incidentId: current.id, kind: 'containment-failed', dueAt: left.dueAt }] : []),
      ...(summary && repeats.summary
        ? [{ incidentId: current.id, kind: 'interface-exposed', dueAt: now, summarised: repeats.summary.leftOut.length + repeats.summary.stale.length }]
        : []),
    ],
  };
}

/** The timeline entry of an exposed page for on-call: the sweep's summary, or one it names. */
function exposedQueued(now: string, detail: Record<string, unknown>) {
  return { at: now, kind: 'notification-queued', detail: { channel: 'on-call', messageKind: 'interface-exposed', ...detail } };
}

/**
 * Tells the containment outcomes a stopped run left untold (its lease ran out at `leaseUntil`), as
 * the run would have when it ended (core/contain.ts): one message to the FG and one to on-call,
 * `containment-failed` when any failed (`toldOutcomes`), saying the run stopped before telling. Takes them off the
 * record in the same commit, so they are told once. Outcomes of actions no longer done or failed
 * (a later run retried them) are only taken off.
 */
function tellUntold(next: Incident, policy: Policy, now: string, leaseUntil: string) {
  // What the stopped run's failures owe the incidents that left the resource to it: told after this commit (`tellOwed`).
  oweLeavers(next);
  const untold = new Set(next.containmentUntold ?? []);
  next.containmentUntold = undefined;
  const outcome = toldOutcomes(next.actions.filter((a) => untold.has(a.id)));
  if (!outcome) return { messages: [], drafts: [], item: null };
  const { kind, run } = outcome;
  // The stored revision this commit makes: the run's own messages are keyed the same way.
  const stateKey = `${kind}:${next.revision + 1}`;
  const messages = (['fg', 'on-call'] as const).map((channel) =>
    composeMessage({ incident: next, channel, kind, stateKey, now, policy, run, runStopped: leaseUntil }),
  );
  const drafts = messages.map((m) => ({
    at: now,
    kind: 'notification-queued',
    detail: {
      channel: m.channel,
      messageKind: kind,
      messageId: m.id,
      leaseUntil,
      reason: 'containment outcomes the run recorded and did not tell: it stopped before telling, and its lease ran out',
    },
  }));
  return { messages, drafts, item: { kind, dueAt: leaseUntil } };
}

/** The exposed interface's alert is raised again by this sweep: no longer waiting. */
function raisedAgain(incident: Incident, resource: string): void {
  if (!incident.pager?.exposedAgain) return;
  incident.pager = { ...incident.pager, exposedAgain: incident.pager.exposedAgain.filter((e) => e.resource !== resource) };
}
