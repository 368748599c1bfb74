/**
 * Use case: carry out an incident's enforced containment, one run at a time per incident.
 *
 * Primary course:
 * 1. Take the incident's containment lease (stored in the incident, under its revision): when
 *    another run holds it and it has not run out, do nothing: that run carries out what is to be
 *    done, including actions added while it runs. ("Incident Opened" and "Incident Updated" of one
 *    incident arrive together; two runs at once would make every call twice.) Outcomes an earlier
 *    run recorded and did not tell (it stopped first) are told in the commit that takes the lease.
 * 2. Per action that is to be enforced and not finished, decide afresh whether this run may carry
 *    it out (`enforcementRefusal`): the record's `mode` is only a request, since every function
 *    that may write incident items could have written it. Refused: recorded as such, told to the
 *    FG and on-call, never carried out. Else hand it to the containment adapter with the steps
 *    earlier runs did (failed ones included) and the time this run has.
 * 3. Store each step's result as it comes (timeline and action), so a crash or a failure leaves a
 *    truthful, resumable record: a retry continues where the last run stopped. A step that left a
 *    resource open (an exposed network interface) is recorded as such and pages on-call at
 *    Critical, on its own.
 * 4. The action is `done` only when no step failed; a failed step makes it `failed`, with the
 *    provider's error code, and it is never reported as contained.
 * 5. Give the lease back, unless an action arrived meanwhile (then carry that out first), and tell
 *    the FG and on-call the outcomes in the same commit (Art. 33(3)(d): measures taken): one
 *    message per channel for the run, however many actions it carried out (a fleet storm is one
 *    message, not one per instance), failed when any failed.
 */

import { randomUUID } from 'node:crypto';
import type { AuditSource } from '../ports/audit-source.js';
import type { Containment, IsolationGroupRole } from '../ports/containment.js';
import type { IncidentStore } from '../ports/incident-store.js';
import { type ChangeDeps, type ChangeResult, changeIncident, changeIncidents, type TimelineDraft } from './change-incident.js';
import { untilDeadline } from './conflict-retry.js';
import {
  ALREADY_CONTAINED,
  ALREADY_ISOLATED,
  actionPlace,
  containCommand,
  doneReason,
  dropUntoldLeftMarks,
  failedAt,
  failedAtHolder,
  failedAtHolderReason,
  failedInterfaces,
  formerPseudonymStep,
  foundIsolatedAlready,
  GROUPS_MADE,
  GROUPS_STEP_PROGRESS,
  heldByReason,
  heldContainment,
  holderIn,
  leftFailedTrack,
  oweLeavers,
  PER_INCIDENT_ACTIONS,
  placedIn,
  planContainment,
  releaseUnderWay,
  resourceKeyOfAction,
  sameResource,
  toldOutcomes,
} from './containment.js';
import { redactErrorMessage } from './error-text.js';
import { ConflictError, ContainmentStepError, IncidentNotFoundError, RefusedError } from './errors.js';
import { FINDING_DETAIL_TYPE, findingKeyString, GUARDDUTY_SOURCE, parseEvent } from './finding.js';
import { principalsToPseudonymise, withPseudonyms } from './finding-resources.js';
import { canonicalJson, sha256 } from './hash.js';
import type { ActionRecord, FindingRecord, Incident, OutboxMessage, StepRecord } from './incident.js';
import { LEASE_MARGIN_MS, LEASE_WITHOUT_DEADLINE_MS, leasePlanted, MAX_LEASE_MS } from './lease-bound.js';
import { storedText } from './ledger.js';
import { composeMessage } from './messages.js';
import { exposedAlertUpThere, notePagerTrigger, withUpThere } from './pager.js';
import type { Policy } from './policy.js';
import { handBack, handBackReleased, toldFailed, UNDOES } from './release.js';

export interface ContainDeps extends Pick<ChangeDeps, 'conflictRetry'> {
  store: IncidentStore;
  policy: Policy;
  now: () => string;
  containment: Containment;
  /**
   * This run is `datalek replay --target aws --enforce`: the person who ran it asked for every
   * action its findings call for to be carried out, whatever the policy's modes. Only the CLI sets
   * it; the contain function enforces what its own policy enforces.
   */
  forceEnforce?: boolean;
  /**
   * The machine's own clock, when `now` may be a person's stated one (a CLI `--now`): the lease is
   * timed by it, so a run with a past `--now` cannot take a lease already run out for everyone else.
   */
  machineNow?: () => string;
}

export interface ContainOptions {
  /**
   * Who runs this containment. A run with the same holder takes over its own lease (Lambda retries
   * an event with the same event id after a crash). @default a new id per run
   */
  holder?: string;
  /** When this run must have stopped, in epoch milliseconds (the function's timeout). @default no limit */
  deadline?: number;
  /**
   * Only these actions (a person's `datalek contain`): the others waiting when the run starts are
   * left as they are, and `forceEnforce` holds for these alone; an action that arrives meanwhile is
   * carried out as the contain function would (the policy decides), since its own event sees the lease.
   */
  only?: ReadonlySet<string>;
}

export interface ContainResult {
  incident: Incident;
  /** `heldBy`: skipped, left to that incident, which holds the resource contained. */
  actions: { id: string; type: string; target: string; status: ActionRecord['status']; reason?: string; heldBy?: string }[];
  /** Set when another run holds the incident's containment: this run did nothing. */
  busy?: { holder: string; until: string };
  /** Steps of this run that left a resource open (`isolate-eni:<id>`). */
  exposed: string[];
  /** Actions the record held as enforced that this run refused to carry out (also in `actions`, as failed). */
  refused: { id: string; type: string; target: string; reason: string }[];
  /**
   * Set when the run lost its lease (its process stalled past it, and another run took it): it took
   * no further step, after the action named (null: before any), and the timeline says so.
   */
  stopped?: { actionId: string | null; reason: string };
}

/** The step an error the adapter did not put on a step of its own is recorded as. */
const UNEXPECTED_ERROR = 'unexpected-error';

/**
 * Actions this run should carry out: enforced, not released, not refused, not yet done. None of an
 * incident merged into another: the survivor took its actions, and its own run carries them out.
 * None of a closed incident: what its closing left undone is a person's, as the closing's
 * containment reason says; a later run (a late finding version's "Incident Updated") only tells
 * outcomes not yet told.
 */
export function actionsToEnforce(incident: Incident, now?: string): ActionRecord[] {
  return incident.sample || incident.mergedInto || incident.state === 'closed'
    ? []
    : incident.actions.filter(
        (a) => a.mode === 'enforce' && !a.released && !releaseUnderWay(a, now) && !a.refused && (a.status === 'planned' || a.status === 'failed'),
      );
}

/** Whether a run of the contain function is to carry the action out (`actionsToEnforce`): no person records it done by hand. */
export function carriedOutByPipeline(incident: Incident, action: ActionRecord, now?: string): boolean {
  return actionsToEnforce(incident, now).includes(action);
}

/**
 * Whether the incident left an action to another incident (`heldBy`) that may have been closed since
 * without containing the resource: a run reads that incident (`leftToClosed`) and takes it up.
 */
export function leftToOthers(incident: Incident): boolean {
  return !incident.sample && !incident.mergedInto && incident.state !== 'closed' && incident.actions.some(leftToAnother);
}

/**
 * A failed step's reason: which step, its code and its detail. A step's own error (ContainmentStepError)
 * already begins its detail so: said once, not twice.
 */
function failedStepReason(step: StepRecord): string {
  const head = `${step.name} failed (${step.code ?? 'error'}): `;
  const detail = step.detail ?? '';
  return (detail.startsWith(head) ? detail : `${head}${detail}`).trim();
}

const leftToAnother = (a: ActionRecord) => a.status === 'skipped' && Boolean(a.heldBy) && !a.released && !a.person;

/** An action left to an incident closed since (`closed`: as it is now, merges followed) that does not hold its resource contained. */
export interface LeftToClosed {
  type: string;
  target: string;
  heldBy: string;
  closed: string;
}

/**
 * The actions of `incident` left to an incident that was closed without holding their resources
 * contained (review7 Y12): a close from before the hand-back (a06cbe5), or in Y2's window, left them
 * so. Nothing contains the resource; `show` and `status` name them, and the next containment run
 * hands them back (`handBackFromClosed`). An action left to a closed incident whose containment still
 * holds the resource stays left to it (its release hands it back).
 */
export async function leftToClosed(store: Pick<IncidentStore, 'getIncident'>, incident: Incident): Promise<LeftToClosed[]> {
  return (await closedHolders(store, incident)).map(({ action, holder }) => ({
    type: action.type,
    target: action.target,
    heldBy: action.heldBy as string,
    closed: holder.id,
  }));
}

async function closedHolders(store: Pick<IncidentStore, 'getIncident'>, incident: Incident): Promise<{ action: ActionRecord; holder: Incident }[]> {
  if (!leftToOthers(incident)) return [];
  const holders = new Map<string, Incident | undefined>();
  const out: { action: ActionRecord; holder: Incident }[] = [];
  for (const a of incident.actions.filter(leftToAnother)) {
    const id = a.heldBy as string;
    if (!holders.has(id)) holders.set(id, await survivorOf(store, id));
    const holder = holders.get(id);
    if (holder?.state !== 'closed' || holderIn(heldContainment(holder), { type: a.type, target: a.target, ...actionPlace(a, incident) })) continue;
    out.push({ action: a, holder });
  }
  return out;
}

/**
 * Hands back to `incident` what it left to incidents closed without containing it (`leftToClosed`),
 * as their closing does now (release.ts handBack: not carried out, told to the FG and on-call), so
 * this run carries it out. True when it handed something back.
 */
async function handBackFromClosed(deps: ContainDeps, incident: Incident): Promise<boolean> {
  const holders = await closedHoldersOf(deps.store, incident);
  for (const { holder, names } of holders) {
    await changeIncident(deps, incident.id, (draft) => (leftToOthers(draft) ? handBack(deps, holder, draft, names) : null));
  }
  return holders.length > 0;
}

/**
 * The incidents `incident` left actions to that were closed without holding their resources
 * (`closedHolders`), each with the names the actions give it: what to hand back (release.ts
 * `handBack`), by a containment run or by the sweep (core/sweep.ts).
 */
export async function closedHoldersOf(store: Pick<IncidentStore, 'getIncident'>, incident: Incident): Promise<{ holder: Incident; names: Set<string> }[]> {
  const byHolder = new Map<string, { holder: Incident; names: Set<string> }>();
  for (const { action, holder } of await closedHolders(store, incident)) {
    const entry = byHolder.get(holder.id) ?? { holder, names: new Set<string>() };
    entry.names.add(action.heldBy as string);
    byHolder.set(holder.id, entry);
  }
  return [...byHolder.values()];
}

/** An action of an incident left to an open incident whose containment of its resource failed (containment.ts `failedAtHolder`). */
export interface FailedAtHolder {
  actionId: string;
  holder: Incident;
  failed: ActionRecord;
}

/**
 * What `incident` left to open incidents whose containment of the resource failed, no run of theirs
 * under way: nothing contains it, and while that incident is open nothing hands it back (its take
 * holds). Also what it was told of before and is no longer so (`failed` undefined: held again, or
 * the action taken up since), so its words can be put back. Each holder read once.
 */
export async function failedHoldersOf(
  store: Pick<IncidentStore, 'getIncident'>,
  incident: Incident,
  now: string,
): Promise<{ actionId: string; holder: Incident; failed?: ActionRecord }[]> {
  if (!leftToOthers(incident)) return [];
  const holders = new Map<string, Incident | undefined>();
  const out: { actionId: string; holder: Incident; failed?: ActionRecord }[] = [];
  for (const a of incident.actions.filter(leftToAnother)) {
    const id = a.heldBy as string;
    if (!holders.has(id)) holders.set(id, await survivorOf(store, id));
    const holder = holders.get(id);
    if (!holder) continue;
    const failed = failedAtHolder(holder, a, incident, now);
    if (failed || incident.reminders.byClock?.[leftFailedTrack(a.id)]) out.push({ actionId: a.id, holder, failed });
  }
  return out;
}

/**
 * Tells, in `draft`, of each action left to an open incident whose containment of it failed
 * (`failedHoldersOf`), once per failure: the action's reason says so and what to do, an entry on the
 * timeline, and its FG and on-call told (the holder's own run told only the holder's record). The
 * action stays left to the holder (its take holds the resource: a run here would leave it there
 * again); `datalek contain HOLDER` carries it out. One told before whose holder holds it again (or
 * runs it) gets its words back, quietly. Null when nothing changed.
 */
export function tellFailedAtHolders(deps: ChangeDeps, draft: Incident, found: { actionId: string; holder: Incident; failed?: ActionRecord }[]): ChangeResult {
  const at = deps.now();
  const entries: TimelineDraft[] = [];
  let told = 0;
  let mended = false;
  // A failure told of an action no longer left (handed back in this very commit, say): its mark goes
  // (every commit drops it too: change-incident.ts commitOf; here so that the mend alone is written).
  if (dropUntoldLeftMarks(draft)) mended = true;
  for (const f of found) {
    const a = draft.actions.find((x) => x.id === f.actionId);
    if (!a || !leftToAnother(a)) continue;
    const track = leftFailedTrack(a.id);
    const byClock = { ...(draft.reminders.byClock ?? {}) };
    if (!f.failed) {
      delete byClock[track];
      draft.reminders.byClock = byClock;
      a.reason = heldByReason(a.heldBy as string);
      mended = true;
      continue;
    }
    const when = failedAt(f.failed);
    if (byClock[track] === when) continue;
    draft.reminders.byClock = { ...byClock, [track]: when };
    a.reason = leftReason(a, f);
    entries.push({
      at,
      kind: 'containment-failed',
      detail: { action: a.type, target: a.target, status: a.status, reason: a.reason, heldBy: a.heldBy, failedUnder: f.holder.id, failedAt: when },
    });
    told += 1;
  }
  if (told === 0) return mended ? { entries: [] } : null;
  return { entries, messages: toldFailed(deps, at, told, (d) => `failed-at-holder:${d.revision}`) };
}

/**
 * The reason of an action left to `f.holder` as the holder's record reads now: failed there, NOT
 * CONTAINED, naming the interfaces it is reachable through when some were cut and one refused
 * (read12c C2); else contained by it.
 */
function leftReason(a: ActionRecord, f: { holder: Incident; failed?: ActionRecord }): string {
  return f.failed ? failedAtHolderReason(f.holder.id, failedAt(f.failed), failedInterfaces(f.failed)) : heldByReason(a.heldBy as string);
}

/**
 * Reads through `store`, each incident once: `known` (records read already, as a listing gave them)
 * are not read again. For a reading command that reads the holders of many incidents (`status`:
 * `withHoldersRead` and `leftToClosed` of each): a holder is read once, however many incidents left
 * something to it, and not at all when it is among those listed.
 */
export function readingOnce(store: Pick<IncidentStore, 'getIncident'>, known: readonly Incident[] = []): Pick<IncidentStore, 'getIncident'> {
  const read = new Map<string, Promise<Incident | undefined>>(known.map((i) => [i.id, Promise.resolve(i)]));
  return {
    getIncident: (id: string) => {
      let found = read.get(id);
      if (!found) {
        found = store.getIncident(id);
        read.set(id, found);
      }
      return found;
    },
  };
}

/**
 * `incident` with the reasons of what it left to open incidents read from those incidents' records
 * now (`failedHoldersOf`): a holder's containment that failed since reads NOT CONTAINED, not
 * "contained by", before any left check has recorded it (and one that holds it again reads so).
 * For reading (`show`, `status`): nothing is stored, nobody is told; `left` lists those whose holder failed.
 */
export async function withHoldersRead(
  store: Pick<IncidentStore, 'getIncident'>,
  incident: Incident,
  now: string,
): Promise<{ incident: Incident; left: { actionId: string; holder: string; reason: string }[] }> {
  const found = await failedHoldersOf(store, incident, now);
  if (found.length === 0) return { incident, left: [] };
  const shown = structuredClone(incident);
  const left: { actionId: string; holder: string; reason: string }[] = [];
  for (const f of found) {
    const a = shown.actions.find((x) => x.id === f.actionId);
    if (!a) continue;
    a.reason = leftReason(a, f);
    if (f.failed) left.push({ actionId: a.id, holder: f.holder.id, reason: a.reason });
  }
  return { incident: shown, left };
}

/** The time leases and release marks are timed by: the machine's, not a person's stated `--now`. */
const machineTime = (deps: Pick<ContainDeps, 'now' | 'machineNow'>) => deps.machineNow?.() ?? deps.now();

/** Whether a containment run has anything to do: actions to carry out, or outcomes to tell. */
export function containmentDue(incident: Incident, now?: string): boolean {
  return actionsToEnforce(incident, now).length > 0 || (incident.containmentUntold?.length ?? 0) > 0;
}

export async function runContainment(deps: ContainDeps, incidentId: string, options: ContainOptions = {}): Promise<ContainResult> {
  // A run with a deadline (the contain function's invocation) waits out a storm of writers on its
  // incident for as long as it has time, as the record function does (review7 K6).
  const paced = options.deadline === undefined || deps.conflictRetry ? deps : { ...deps, conflictRetry: untilDeadline(options.deadline) };
  return containRun(paced, incidentId, options);
}

async function containRun(deps: ContainDeps, incidentId: string, options: ContainOptions): Promise<ContainResult> {
  let start = await deps.store.getIncident(incidentId);
  if (!start) throw new IncidentNotFoundError(incidentId);
  if (!deps.containment.canEnforce) throw new RefusedError('this target only plans containment');
  if (await handBackFromClosed(deps, start)) start = (await deps.store.getIncident(incidentId)) as Incident;
  if (!containmentDue(start, machineTime(deps))) return { incident: start, actions: [], exposed: [], refused: [] };

  const holder = options.holder ?? `run-${randomUUID()}`;
  const lease: RunLease = { holder, deadline: options.deadline, until: leaseUntil(deps, options.deadline) };
  const busy = await takeLease(deps, incidentId, lease);
  if (busy) return { incident: start, actions: [], busy, exposed: [], refused: [] };

  const ran: ContainResult['actions'] = [];
  const exposed: string[] = [];
  const refused: ContainResult['refused'] = [];
  // Left alone: what was waiting when a person's run for some actions only began.
  const attempted = new Set<string>(
    options.only
      ? actionsToEnforce(start, machineTime(deps))
          .filter((a) => !options.only?.has(a.id))
          .map((a) => a.id)
      : [],
  );
  let stopped: ContainResult['stopped'];
  // Failed before this run: its outcome now changes what the incidents that left it here read.
  const retried = new Set(start.actions.filter((a) => a.status === 'failed').map((a) => a.id));
  const vouched = new Set<string>();
  let last: string | null = null;
  try {
    for (;;) {
      await renewWhenDue(deps, incidentId, lease);
      const current = (await deps.store.getIncident(incidentId)) as Incident;
      const action = actionsToEnforce(current, machineTime(deps)).find((a) => !attempted.has(a.id));
      if (!action) {
        if (await giveLeaseBack(deps, incidentId, holder, attempted, retried)) break;
        continue; // an action arrived meanwhile: it is this run's too
      }
      attempted.add(action.id);
      const force = options.only ? options.only.has(action.id) && deps.forceEnforce === true : deps.forceEnforce;
      const refusal = await enforcementRefusal({ ...deps, forceEnforce: force }, current, action, vouched);
      if (refusal) {
        refused.push({ id: action.id, type: action.type, target: action.target, reason: refusal });
        ran.push(await refuseAction(deps, incidentId, action.id, refusal));
        continue;
      }
      const heldBy = await takeResource(deps, incidentId, action.id);
      if (heldBy) {
        ran.push(await leaveTo(deps, incidentId, action.id, heldBy));
        await handBackIfReleased(deps, incidentId, action.id, heldBy);
        continue;
      }
      last = action.id;
      ran.push(await runAction(deps, current, action, lease, exposed));
      if (lease.lost) throw new LeaseLostError(lease.lost);
    }
    // Told in this run, not at the sweep's next left check (up to a day on: C3), once the lease is back.
    await tellLeftFailures(deps, incidentId, ran);
  } catch (err) {
    if (err instanceof LeaseLostError) {
      // Not this run's any more: it takes no further step, says where it stopped, and leaves the
      // lease to its holder (whose run, or the next, goes on from the steps recorded).
      stopped = await recordStop(deps, incidentId, err.message, last);
    } else {
      // A store failure: give the lease back so that the retry (or another event) is not held up.
      await giveLeaseBack(deps, incidentId, holder, null, retried).catch(() => undefined);
      throw err;
    }
  }
  return { incident: (await deps.store.getIncident(incidentId)) as Incident, actions: ran, exposed, refused, ...(stopped ? { stopped } : {}) };
}

/**
 * After a run, its lease given back: tells what its outcomes change for the records that rely on
 * another incident's containment (C3), as the sweep's left check does (`tellFailedAtHolders`), in
 * this run rather than at that check (spaced out to a day; it stays the fallback).
 * - An action of this run that failed, or was failed before it and ran again: each incident that left
 *   that resource's containment to this one reads NOT CONTAINED and its FG and on-call are told (or,
 *   contained now, gets its words back). They are found by point reads, never a list of every
 *   incident: only the open incident holding the resource's key and the incidents linked to it (or to
 *   this one) plan that resource (see `takeResource`); beyond the links a record lists, the check finds them.
 * - An action this run left to an incident whose containment of it failed: told here at once.
 */
async function tellLeftFailures(deps: ChangeDeps, incidentId: string, ran: ContainResult['actions']): Promise<void> {
  const now = machineTime(deps);
  const tell = async (leaver: Incident, holderId?: string) => {
    const found = await failedHoldersOf(deps.store, leaver, now);
    if (!found.some((f) => holderId === undefined || f.holder.id === holderId)) return;
    await changeIncident(deps, leaver.id, (draft) => tellFailedAtHolders(deps, draft, found));
  };
  if (ran.some((r) => r.heldBy)) await tell((await deps.store.getIncident(incidentId)) as Incident);
  const holder = (await deps.store.getIncident(incidentId)) as Incident;
  // What this run's outcomes owe (marked when its lease was given back), and what an earlier run owed and did not tell.
  const concerned = new Set(holder.leftUntold ?? []);
  if (concerned.size === 0) return;
  const candidates = new Set(holder.linked ?? []);
  for (const a of holder.actions.filter((x) => concerned.has(x.id) && sharesState(x))) {
    const key = resourceKeyOfAction(a, holder);
    const keyHolder = key ? await deps.store.findOpenIncident(key) : undefined;
    for (const id of keyHolder ? [keyHolder.id, ...(keyHolder.linked ?? [])] : []) candidates.add(id);
  }
  candidates.delete(incidentId);
  // Each leaver on its own: one whose write is refused does not keep the others untold.
  const errors: unknown[] = [];
  for (const id of candidates) {
    try {
      const leaver = await deps.store.getIncident(id);
      if (leaver && leftToOthers(leaver)) await tell(leaver, incidentId);
    } catch (err) {
      errors.push(err);
    }
  }
  // Still owed (the next sweep tells it) while one of them could not be told.
  if (errors.length) throw errors[0];
  await changeIncident(deps, incidentId, (draft) => {
    const left = (draft.leftUntold ?? []).filter((id) => !concerned.has(id));
    if (left.length === (draft.leftUntold?.length ?? 0)) return null;
    draft.leftUntold = left.length ? left : undefined;
    return { entries: [] };
  });
}

/**
 * Tells the incidents that left a resource to `incidentId` what a stopped run of it left owed
 * (`leftUntold`): the sweep's part (core/sweep.ts), once no run of it is under way.
 */
export async function tellOwedLeavers(deps: ChangeDeps, incidentId: string): Promise<void> {
  await tellLeftFailures(deps, incidentId, []);
}

/** This run's hold on its incident's containment lease, as it last wrote it. */
interface RunLease {
  holder: string;
  deadline: number | undefined;
  until: string;
  /** Set once the run found its lease gone (run out and taken by another run, or given back): who holds it now. */
  lost?: string;
}

/** The run's lease was lost: it stops taking steps (see `runContainment`). */
class LeaseLostError extends Error {}

/** Until when a run's lease lasts, taken or renewed now: by the machine's clock. */
function leaseUntil(deps: ContainDeps, deadline: number | undefined): string {
  const now = deps.machineNow?.() ?? deps.now();
  const lasts = deadline === undefined ? LEASE_WITHOUT_DEADLINE_MS : Math.max(0, deadline - Date.now()) + LEASE_MARGIN_MS;
  return new Date(Date.parse(now) + lasts).toISOString();
}

/**
 * Renews the run's lease in `draft`, which a commit of the run is about to store (each step's
 * record): a run without a deadline (the CLI's) works as long as its steps take, and a merge, which
 * waits for a live lease, never takes the incident from under it. When the lease is no longer this
 * run's, it is left as it is and the run notes it lost.
 */
function renewLease(deps: ContainDeps, draft: Incident, lease: RunLease): void {
  const held = draft.containmentLease;
  if (held?.holder !== lease.holder) {
    lease.lost ??= held ? `run ${held.holder} holds the incident's containment until ${held.until}` : 'no run holds the incident’s containment';
    return;
  }
  lease.until = leaseUntil(deps, lease.deadline);
  draft.containmentLease = { holder: lease.holder, until: lease.until };
}

/** Before an action: renews a run's lease without a deadline when half of it has passed (its steps renew it too). */
async function renewWhenDue(deps: ContainDeps, incidentId: string, lease: RunLease): Promise<void> {
  if (lease.deadline !== undefined) return;
  const now = Date.parse(deps.machineNow?.() ?? deps.now());
  if (Date.parse(lease.until) - now > LEASE_WITHOUT_DEADLINE_MS / 2) return;
  await changeIncident(deps, incidentId, (draft) => {
    renewLease(deps, draft, lease);
    return lease.lost ? null : { entries: [] };
  });
  if (lease.lost) throw new LeaseLostError(lease.lost);
}

/** Records that the run stopped, having lost its lease: after which action, and what it left. */
async function recordStop(deps: ContainDeps, incidentId: string, why: string, lastActionId: string | null): Promise<NonNullable<ContainResult['stopped']>> {
  const reason = `this run's lease on the incident ran out (${why}): it took no further step; the steps it recorded stand, and the run holding the incident, or the next, goes on from them`;
  await changeIncident(deps, incidentId, (draft) => {
    const last = draft.actions.find((a) => a.id === lastActionId);
    return {
      entries: [
        {
          at: deps.now(),
          kind: 'containment-stopped',
          detail: {
            action: last?.type ?? null,
            target: last?.target ?? null,
            steps: (last?.steps ?? []).map((st) => `${st.name}:${st.status}`),
            notCarriedOut: actionsToEnforce(draft, machineTime(deps)).length,
            reason,
          },
        },
      ],
    };
  });
  return { actionId: lastActionId, reason };
}

/** How many times the ledger check reads a finding again that a write in flight may have changed. */
const LEDGER_READS = 3;

/**
 * The finding record as the ledger vouches for it: its bytes are those the last ledger entry that
 * wrote it recorded (in the ledger of its incident, or of one that incident was merged into); null
 * when none does (edited, or written behind the pipeline). Read again while it does not match: the
 * store may read the ledger and the finding apart, and a new version may land between them. A store
 * that keeps no readable ledger (a test's) is taken as it is; both adapters keep one (the audit
 * reads it).
 */
async function ledgeredFinding(store: IncidentStore, stored: FindingRecord, vouched: Set<string>): Promise<FindingRecord | null> {
  const ledger = store as IncidentStore & Partial<Pick<AuditSource, 'lastFindingWrite'>>;
  if (typeof ledger.lastFindingWrite !== 'function') return stored;
  const key = findingKeyString(stored.key);
  let record: FindingRecord | undefined = stored;
  for (let read = 1; record && read <= LEDGER_READS; read++) {
    const hash = sha256(storedText.finding(record));
    // A run checks each finding's version once (a storm's actions come from a few findings).
    if (vouched.has(`${key}#${hash}`)) return record;
    for (const id of await mergeChain(store, record.incidentId)) {
      if ((await ledger.lastFindingWrite(id, key)) === hash) {
        vouched.add(`${key}#${hash}`);
        return record;
      }
    }
    record = await store.getFinding(stored.key);
  }
  return null;
}

/** How many merges deep a finding record's incident may lie from the incident acting on it. */
const MAX_MERGE_HOPS = 10;

/**
 * Why this run must not carry out `action`, or null when it may. The incident record is no
 * authority: record-finding, notify, sweep and acknowledge may all write incident items, so code
 * running in any of them could put an enforced action on any target, in any account, there. An
 * action is carried out only when, from what the contain function reads itself:
 * - the finding it names is stored where the action says it was recorded (the incident's account
 *   and region unless the action names others: a key used from another region, a sequence raised
 *   in a member account), belongs to this incident (or to one merged into it), and still parses as
 *   a GuardDuty finding of that account and region;
 * - planning that finding afresh with the policy this run loaded (and a replay's `--enforce`, when
 *   this run is that replay) gives the same action, type, target and parameters, to be enforced:
 *   not a person's step, not exempt, not a sample.
 * (Code that can write finding records, record-finding's, can still store a forged finding; it then
 * gets what the policy enforces for such a finding, on what it names, in its account.)
 */
export async function enforcementRefusal(
  deps: ContainDeps,
  incident: Incident,
  action: ActionRecord,
  vouched: Set<string> = new Set(),
): Promise<string | null> {
  if (action.person) return 'a person’s step is never carried out by the pipeline';
  const key = { accountId: action.findingAccountId ?? incident.accountId, region: action.findingRegion ?? incident.region, findingId: action.findingId };
  const stored = await deps.store.getFinding(key);
  if (!stored) return `no finding ${action.findingId} is stored for account ${key.accountId} and region ${key.region}`;
  const record = await ledgeredFinding(deps.store, stored, vouched);
  if (!record)
    return `the stored finding ${action.findingId} is not the one the ledger recorded when the pipeline wrote it (edited or written behind the pipeline: datalek verify names it)`;
  if (!(await belongsTo(deps.store, record.incidentId, incident.id)))
    return `finding ${action.findingId} belongs to incident ${record.incidentId}, not to this one`;
  let parsed: ReturnType<typeof parseEvent>;
  try {
    // Checked against its own time: a stored finding is not refused for the clock of this run.
    const now = record.version.updatedAt;
    const envelope = { source: GUARDDUTY_SOURCE, 'detail-type': FINDING_DETAIL_TYPE, account: key.accountId, region: key.region, detail: record.detail };
    parsed = parseEvent(envelope, { now });
  } catch (err) {
    return `the stored finding ${action.findingId} is not a GuardDuty finding any more: ${(err as Error).message}`;
  }
  if (parsed.kind !== 'finding') return `the stored finding ${action.findingId} is not a GuardDuty finding`;
  // Planned as it was recorded: a principal named by a person's name by its pseudonym (an IAM user's step's target).
  const finding = principalsToPseudonymise(parsed.finding).size ? withPseudonyms(parsed.finding, await deps.store.pseudonymKey()) : parsed.finding;
  if (finding.key.accountId !== key.accountId || finding.key.region !== key.region || finding.key.findingId !== key.findingId)
    return `the stored finding ${action.findingId} names account ${finding.key.accountId}, region ${finding.key.region}: not where it is stored`;
  const home = { accountId: incident.accountId, region: incident.region };
  const options = { canEnforce: true, forceEnforce: deps.forceEnforce === true, now: deps.now() };
  // Planned for this incident, or for the finding's own incident and moved here by a merge
  // (placedIn says where it acts outright, a key's region included).
  const planned = [
    ...planContainment(finding, deps.policy, [], { ...options, home }),
    ...planContainment(finding, deps.policy, [], { ...options, home: { accountId: key.accountId, region: key.region } }).map((p) =>
      placedIn(p, { accountId: key.accountId, region: key.region }, home),
    ),
  ];
  // A step recorded before its principal was pseudonymised is read under the target it is planned by now.
  const asked = identity(formerPseudonymStep(action, finding));
  const same = planned.find((p) => identity(p) === asked);
  if (!same) {
    const near = planned.some((p) => p.type === action.type && p.target === action.target);
    return near
      ? `the action’s parameters are not those finding ${action.findingId} calls for`
      : `finding ${action.findingId} (${finding.type}) does not call for ${action.type} on this target`;
  }
  if (same.mode !== 'enforce')
    return `the policy this run loaded does not enforce ${action.type} for ${finding.type}${same.reason ? ` (${same.reason})` : ''}${deps.forceEnforce ? '' : '; only a replay run with --enforce carries out what the policy plans'}`;
  return null;
}

/**
 * Takes up the resource `actionId` acts on for this incident, or returns the open incident that
 * holds it. Most containment sets a state the resource has once (PER_INCIDENT_ACTIONS aside): two
 * incidents that both carried it out would each record the other's contained state as the one to
 * restore, and each claim it. So one incident holds it: one whose action on it was taken up
 * (`startedAt`) or has steps, and is enforced and not released.
 *
 * Only two kinds of incident plan one resource: the open incident holding its key, and incidents
 * linked to that one (they saw it when their finding was recorded). So the key's holder, one point
 * read, is where a take is decided, never a list of every incident: its action on the resource
 * holds it, or its `containedBy` names the linked incident that took it up first. When neither
 * does, this run takes it up, and in the same commit the holder's record notes it (`containedBy`)
 * and the holder's plan of it, not yet taken up, is left to this one (`heldBy`, skipped). A run
 * racing on either record loses on its revision, or reads them after. A note naming an incident
 * that no longer holds the resource (released, closed) gives way. Null: this run carries it out.
 */
async function takeResource(deps: ContainDeps, incidentId: string, actionId: string): Promise<string | null> {
  for (let attempt = 1; ; attempt++) {
    const own = (await deps.store.getIncident(incidentId)) as Incident;
    const action = own.actions.find((a) => a.id === actionId);
    if (!action || !sharesState(action) || action.startedAt || action.steps?.length) return null;
    const key = resourceKeyOfAction(action, own);
    const found = key ? await deps.store.findOpenIncident(key) : undefined;
    const keyHolder = found && found.id !== incidentId && !found.mergedInto && found.state !== 'closed' ? found : own;
    const notedId = noteOf(keyHolder, action, own)?.incidentId;
    const noted = notedId && notedId !== incidentId ? (await mergeChain(deps.store, notedId)).at(-1) : undefined;
    const ids = [...new Set([incidentId, keyHolder.id, ...(noted ? [noted] : [])])];
    let holder: string | null = null;
    let moved = false;
    const at = deps.now();
    await changeIncidents(deps, ids, (drafts) => {
      holder = null;
      moved = false;
      const mine = drafts[0];
      const holding = drafts[ids.indexOf(keyHolder.id)];
      const a = mine.actions.find((x) => x.id === actionId);
      if (!a || a.startedAt || a.steps?.length) return null;
      if (a.heldBy) {
        holder = a.heldBy;
        return null;
      }
      if (noteOf(holding, a, mine)?.incidentId !== notedId || (holding !== mine && (holding.mergedInto || holding.state === 'closed'))) {
        moved = true; // another take noted it since, or the key moved on: read again
        return null;
      }
      const notedDraft = noted ? drafts[ids.indexOf(noted)] : undefined;
      if (notedDraft && notedDraft.state !== 'closed' && !notedDraft.mergedInto && holdsResource(notedDraft, a, mine)) {
        holder = notedDraft.id;
        return null;
      }
      const results: ChangeResult[] = ids.map(() => null);
      results[0] = { entries: [] };
      if (holding !== mine) {
        if (holdsResource(holding, a, mine)) {
          holder = holding.id;
          return null;
        }
        const left = holding.actions.filter((b) => sharesStateWith(a, mine, b, holding) && (b.status === 'planned' || b.status === 'failed'));
        for (const b of left) {
          b.status = 'skipped';
          b.heldBy = incidentId;
          b.reason = heldByReason(incidentId);
        }
        setNote(holding, a, mine, incidentId);
        results[ids.indexOf(holding.id)] = { entries: left.map((b) => skippedEntry(b, at)) };
      } else if (notedId) {
        setNote(mine, a, mine, null); // the incident it named holds it no more
      }
      a.startedAt = at;
      return results;
    });
    if (!moved) return holder;
    if (attempt >= MAX_TAKE_ATTEMPTS)
      throw new ConflictError(`incident ${incidentId}: who holds the resource of its ${action.type} kept changing; not carried out, a retry decides`);
  }
}

/** Reads of the key's holder a take makes before it gives up on notes that keep changing under it. */
const MAX_TAKE_ATTEMPTS = 5;

/** An action of `of` on the resource `a` of `aOf` acts on, that would hold it: enforced, by the machine, not released nor left elsewhere. */
function sharesStateWith(a: ActionRecord, aOf: Incident, b: ActionRecord, of: Incident): boolean {
  return sameResource(a, aOf, b, of) && !b.person && !b.released && !b.heldBy && b.mode === 'enforce';
}

/** Whether `of` holds the resource `a` (of `aOf`) acts on: its action on it was taken up or has steps. */
function holdsResource(of: Incident, a: ActionRecord, aOf: Incident): boolean {
  return of.actions.some((b) => sharesStateWith(a, aOf, b, of) && (b.startedAt || b.steps?.length));
}

/** The note on `of` naming the incident that took up the resource `a` (of `aOf`) acts on. */
function noteOf(of: Incident, a: ActionRecord, aOf: Incident): NonNullable<Incident['containedBy']>[number] | undefined {
  const place = actionPlace(a, aOf);
  const note = of.containedBy?.find((n) => n.type === a.type && n.target === a.target && n.accountId === place.accountId && n.region === place.region);
  if (note) return note;
  // Its own plan left to the incident that took the resource up says as much: a take recorded
  // before the note existed left only that, and a merge carries the plan but not the note.
  const left = of.actions.find((b) => b.heldBy && !b.released && sameResource(a, aOf, b, of));
  return left?.heldBy ? { type: a.type, target: a.target, ...place, incidentId: left.heldBy } : undefined;
}

/** Notes on `of` that `by` took up the resource `a` (of `aOf`) acts on; null removes the note. */
function setNote(of: Incident, a: ActionRecord, aOf: Incident, by: string | null): void {
  const before = noteOf(of, a, aOf);
  const rest = (of.containedBy ?? []).filter((n) => n !== before);
  const notes = by ? [...rest, { type: a.type, target: a.target, ...actionPlace(a, aOf), incidentId: by }] : rest;
  if (notes.length) of.containedBy = notes;
  else delete of.containedBy;
}

/** Whether carrying the action out sets a state its resource has once, whichever incident set it. */
function sharesState(action: ActionRecord): boolean {
  return !action.person && !PER_INCIDENT_ACTIONS.has(action.type);
}

function skippedEntry(a: ActionRecord, at: string): TimelineDraft {
  return {
    at,
    kind: 'containment-skipped',
    detail: { action: a.type, target: a.target, status: a.status, reason: a.reason ?? null, heldBy: a.heldBy ?? null },
  };
}

/** Records the action as left to `holder`, which holds its resource (see `takeResource`); nothing is carried out. */
async function leaveTo(deps: ContainDeps, incidentId: string, actionId: string, holder: string): Promise<ContainResult['actions'][number]> {
  const outcome = await updateAction(deps, incidentId, actionId, (a, draft) => {
    if (a.heldBy === holder && a.status === 'skipped') return null;
    a.status = 'skipped';
    a.heldBy = holder;
    a.reason = heldByReason(holder);
    toTell(draft, a);
    return { entries: [skippedEntry(a, deps.now())] };
  });
  const final = outcome.actions.find((a) => a.id === actionId) as ActionRecord;
  return {
    id: final.id,
    type: final.type,
    target: final.target,
    status: final.status,
    reason: final.reason,
    ...(final.heldBy ? { heldBy: final.heldBy } : {}),
  };
}

/**
 * After leaving an action to `holderId`: that incident's release may have been stored between the
 * read this run decided on and its own commit, and read who holds the resource (before and after
 * its commit) before that commit landed, so it did not see this one (review5 A4's window). Then the
 * action is handed back as a release hands back those it sees: planned again, its FG and on-call
 * told. A release stored after this read sees the action left to it itself. So may its closing
 * (review7 Y2): a holder closed without having cut the resource hands it back as its closing does
 * (release.ts handBack).
 */
async function handBackIfReleased(deps: ContainDeps, incidentId: string, actionId: string, holderId: string): Promise<void> {
  const holder = await deps.store.getIncident((await mergeChain(deps.store, holderId)).at(-1) as string);
  const own = (await deps.store.getIncident(incidentId)) as Incident;
  const a = own.actions.find((x) => x.id === actionId);
  if (!holder || !a || a.heldBy !== holderId) return;
  if (holder.state === 'closed') {
    await changeIncident(deps, incidentId, (draft) => handBack(deps, holder, draft, new Set([holderId])));
    return;
  }
  if (holdsResource(holder, a, own)) return;
  const release = holder.actions.find((b) => b.released && !b.person && sameResource(a, own, b, holder))?.released;
  if (!release) return;
  await changeIncident(deps, incidentId, (draft) => handBackReleased(deps, draft, actionId, holder, release));
}

/**
 * What an action does and to what: everything but its id (a count may be added to it), its
 * progress and why it was planned. Type, target, parameters, and any field naming where it acts.
 */
function identity(action: ActionRecord): string {
  const {
    id: _id,
    status: _s,
    reason: _r,
    mode: _m,
    at: _a,
    steps: _st,
    evidence: _e,
    released: _rel,
    releasing: _rlg,
    partlyReleased: _pr,
    releaseStepsDone: _rsd,
    refused: _ref,
    startedAt: _sa,
    heldBy: _hb,
    findingId: _f,
    findingAccountId: _fa,
    findingRegion: _fr,
    // A person's not-done decisions, and their withdrawals (core/by-hand.ts), are no part of what the finding calls for.
    notDone: _nd,
    notDoneWithdrawn: _ndw,
    ...what
  } = action;
  return canonicalJson(what);
}

/** Whether `holderId` is `incidentId` or an incident merged into it (through at most MAX_MERGE_HOPS merges). */
async function belongsTo(store: IncidentStore, holderId: string, incidentId: string): Promise<boolean> {
  return (await mergeChain(store, holderId)).includes(incidentId);
}

/** The incident a record naming `id` means now (the last of `mergeChain`), each incident on the way read once. */
async function survivorOf(store: Pick<IncidentStore, 'getIncident'>, id: string): Promise<Incident | undefined> {
  const seen = [id];
  let incident = await store.getIncident(id);
  while (incident?.mergedInto && seen.length <= MAX_MERGE_HOPS && !seen.includes(incident.mergedInto)) {
    seen.push(incident.mergedInto);
    incident = await store.getIncident(incident.mergedInto);
  }
  return incident;
}

/**
 * `id`, then the incident it was merged into, and so on (through at most MAX_MERGE_HOPS merges):
 * the incident a record naming `id` (a finding's, an action's `heldBy`) means now is the last.
 */
export async function mergeChain(store: Pick<IncidentStore, 'getIncident'>, id: string): Promise<string[]> {
  const chain: string[] = [];
  let next: string | null | undefined = id;
  for (let hops = 0; next && hops <= MAX_MERGE_HOPS && !chain.includes(next); hops++) {
    chain.push(next);
    next = (await store.getIncident(next))?.mergedInto;
  }
  return chain;
}

/**
 * Records a refusal: the action is failed (it was asked for and not carried out) with the reason
 * and marked refused (no later run takes it up again; a later finding the policy enforces it for
 * plans it anew), the timeline says so, and the FG and on-call are told; the contain function also
 * logs it for the `datalek-containment-refused` alarm. Steps an earlier run did stay done: the
 * action says it was partly carried out, keeps its `enforce` mode and can be released.
 */
async function refuseAction(deps: ContainDeps, incidentId: string, actionId: string, why: string): Promise<ContainResult['actions'][number]> {
  let reason = `refused by the contain function, not carried out: ${why}`;
  const outcome = await updateAction(deps, incidentId, actionId, (a, draft) => {
    const done = (a.steps ?? []).filter((s) => s.status === 'done').map((s) => s.name);
    reason = done.length
      ? `partly carried out (done: ${done.join(', ')}); the rest refused by the contain function, not carried out: ${why}`
      : `refused by the contain function, not carried out: ${why}`;
    if (!done.length) a.mode = 'plan';
    a.status = 'failed';
    a.reason = reason;
    a.refused = { at: deps.now(), reason: why };
    toTell(draft, a);
    return { entries: [{ at: deps.now(), kind: 'containment-refused', detail: { action: a.type, target: a.target, findingId: a.findingId, reason } }] };
  });
  const final = outcome.actions.find((a) => a.id === actionId) as ActionRecord;
  return { id: final.id, type: final.type, target: final.target, status: final.status, reason };
}

async function runAction(
  deps: ContainDeps,
  current: Incident,
  action: ActionRecord,
  lease: RunLease,
  exposed: string[],
): Promise<ContainResult['actions'][number]> {
  const deadline = lease.deadline;
  const incidentId = current.id;
  const steps = action.steps ?? [];
  const done = new Set(steps.filter((s) => s.status !== 'failed').map((s) => s.name));
  // A release undid part of it, or stopped unfinished (its mark ran out): the steps may not hold any more.
  const recheck = Boolean(action.partlyReleased || action.releasing);
  const evidence = { ...(action.evidence ?? {}) };
  let foundIsolated = false;
  // A release that stopped unfinished may have undone the side steps too (attached to its Auto Scaling
  // group, registered, its profile associated again), recorded only in its timeline: done again, from
  // the start (not from a progress an earlier run left), before the action can read done.
  if (action.releasing) {
    for (const name of Object.values(UNDOES)) {
      done.delete(name);
      delete evidence[`progress:${name}`];
    }
  }
  const record = async (recorded: StepRecord, more?: Record<string, unknown>) => {
    // A failure's words come from the provider, which names the principal: never the user name.
    const step = recorded.status === 'failed' && recorded.detail ? { ...recorded, detail: redactErrorMessage(recorded.detail, personalOf(action)) } : recorded;
    // An interface isolated whose open alert was failed at the pager in a record from before upThere: told by the timeline (contain16).
    const upThere = step.status === 'done' ? await exposedAlertUpThere(deps.store, current, step.name) : undefined;
    Object.assign(evidence, more ?? {});
    if (step.exposed) exposed.push(step.name);
    if (step.status === 'failed' && (step.code === ALREADY_ISOLATED || step.code === ALREADY_CONTAINED)) foundIsolated = true;
    await updateAction(deps, incidentId, action.id, (a, draft) => {
      // The step is recorded whoever holds the lease now (it was done); the run stops after it.
      renewLease(deps, draft, lease);
      if (upThere && draft.pager) draft.pager = withUpThere(draft.pager, upThere);
      a.steps = [...(a.steps ?? []).filter((s) => s.name !== step.name), step];
      if (more) a.evidence = { ...(a.evidence ?? {}), ...more };
      const entries: TimelineDraft[] = [
        {
          at: step.at,
          kind: `containment-step-${step.status}`,
          detail: { action: a.type, target: a.target, step: step.name, status: step.status, detail: step.detail ?? null, code: step.code ?? null },
        },
      ];
      if (!step.exposed) return { entries };
      // Left open: recorded as such, and on-call is paged at Critical on its own, at once.
      const resource = step.name.slice(step.name.indexOf(':') + 1);
      entries.push({ at: step.at, kind: 'resource-exposed', detail: { action: a.type, target: a.target, step: step.name, resource, code: step.code ?? null } });
      const stateKey = `exposed:${step.name}:${(a.steps ?? []).length}`;
      return {
        entries,
        messages: (draft: Incident): OutboxMessage[] => {
          const page = composeMessage({
            incident: draft,
            channel: 'on-call',
            kind: 'interface-exposed',
            stateKey,
            now: deps.now(),
            policy: deps.policy,
            exposed: resource,
          });
          notePagerTrigger(draft, page, deps.policy, deps.now());
          return [page];
        },
      };
    });
    if (lease.lost) throw new LeaseLostError(lease.lost);
  };
  let stopped = false;
  try {
    const recordedGroups = (id: string) => recordedIsolationGroups(deps.store, id);
    await deps.containment.execute(action, { incident: current, done, steps, evidence, record, recordedGroups, deadline, ...(recheck ? { recheck } : {}) });
  } catch (err) {
    if (lease.lost) throw new LeaseLostError(lease.lost);
    stopped = true;
    // An error the adapter did not classify is still a failed step, never a silent success.
    const code = err instanceof ContainmentStepError ? err.code : ((err as Error).name ?? 'Error');
    await record({ name: UNEXPECTED_ERROR, status: 'failed', at: deps.now(), detail: redactErrorMessage((err as Error).message), code });
  }
  // Found isolated already: the open incident whose record holds it, when the store shows one.
  const isolatedBy = foundIsolated ? await isolationHolder(deps, current, action) : undefined;
  const outcome = await updateAction(deps, incidentId, action.id, (a, draft) => {
    // An error outside any step (AssumeRole throttled before the first) stopped that attempt only:
    // this one ran through, so it no longer stands. The timeline keeps it.
    if (!stopped) a.steps = (a.steps ?? []).filter((s) => s.name !== UNEXPECTED_ERROR);
    if (foundIsolatedAlready(a)) return leaveIsolated(deps, draft, a, isolatedBy);
    // Failed only when the latest attempt of some step failed: a retry that did the step clears it.
    const failed = (a.steps ?? []).find((s) => s.status === 'failed');
    a.status = failed ? 'failed' : 'done';
    // Re-checked and wholly in effect again: no longer partly released, and what a release left is history.
    if (recheck && !failed) {
      delete a.partlyReleased;
      if (!releaseUnderWay(a, machineTime(deps))) delete a.releasing;
    }
    // Done, an isolation still says what it left open (the DNS resolver): the record never claims more.
    a.reason = failed ? failedStepReason(failed) : doneReason(a.type);
    const kind = failed ? ('containment-failed' as const) : ('containment-done' as const);
    toTell(draft, a);
    // Failed before this attempt and done now: the incidents that left it here read NOT CONTAINED.
    // Owed in this commit, not only in the lease's give-back: a run killed in between leaves it to the
    // sweep (`tellOwed`), which can no longer tell that this action failed before (contain15, C2's gap).
    if (!failed && action.status === 'failed') oweLeavers(draft, new Set([a.id]));
    return { entries: [{ at: deps.now(), kind, detail: { action: a.type, target: a.target, status: a.status, reason: a.reason ?? null } }] };
  });
  const final = outcome.actions.find((a) => a.id === action.id) as ActionRecord;
  return {
    id: final.id,
    type: final.type,
    target: final.target,
    status: final.status,
    ...(final.reason ? { reason: final.reason } : {}),
    ...(final.heldBy ? { heldBy: final.heldBy } : {}),
  };
}

/**
 * The isolation groups incident `id`'s record names as the ones its containment used (each network
 * isolation's evidence `groups`, and the groups a failed groups step made), and those of the incident
 * it was merged into (a merge moves the absorbed one's isolation to the survivor), each in the role the
 * record gives it: a group's tag says its role too, but anyone who may tag a group can swap the tags
 * (review10 K1: the isolation group opened as the all-traffic group). A group the record names as the
 * isolation group anywhere is the isolation group, whatever else names it (datalek never opens it). A
 * group made by an earlier version's failed step (its id alone, no role) is vouched for in no role.
 * What proves a group datalek's: see ExecutionContext.
 */
export async function recordedIsolationGroups(store: ContainDeps['store'], id: string): Promise<ReadonlyMap<string, IsolationGroupRole>> {
  const roles = new Map<string, IsolationGroupRole>();
  const add = (group: unknown, role: unknown) => {
    if (typeof group !== 'string' || (role !== 'allTraffic' && role !== 'isolation')) return;
    if (roles.get(group) !== 'isolation') roles.set(group, role);
  };
  const incident = await store.getIncident(id);
  const survivor = incident?.mergedInto ? await store.getIncident(incident.mergedInto) : undefined;
  for (const a of [...(incident?.actions ?? []), ...(survivor?.actions ?? [])]) {
    const groups = a.evidence?.groups as Partial<Record<IsolationGroupRole, unknown>> | undefined;
    add(groups?.allTraffic, 'allTraffic');
    add(groups?.isolation, 'isolation');
    const made = (a.evidence?.[GROUPS_STEP_PROGRESS] as Record<string, unknown> | undefined)?.[GROUPS_MADE];
    for (const g of Array.isArray(made) ? made : []) add(g?.id, g?.role);
  }
  return roles;
}

/**
 * The open incident (not this one, not merged) whose record holds the action's resource contained:
 * the one a capture that found it isolated already is left to.
 */
async function isolationHolder(deps: ContainDeps, incident: Incident, action: ActionRecord): Promise<string | undefined> {
  const others = (await deps.store.listIncidents({ openOnly: true })).filter((o) => o.id !== incident.id && !o.mergedInto && o.state !== 'closed');
  return holderIn(others.flatMap(heldContainment), { type: action.type, target: action.target, ...actionPlace(action, incident) });
}

/**
 * Found in datalek's isolation group already: a definite outcome, not a failure a retry mends (the
 * capture finds it so until the record that isolated it releases it). Left to the incident holding it
 * (`heldBy`: its release or closing hands it back), or, where no open record shows one, skipped
 * saying so (`datalek contain` takes it up again). Told once: a skipped action is not run again.
 */
function leaveIsolated(deps: ContainDeps, draft: Incident, a: ActionRecord, holder: string | undefined): { entries: TimelineDraft[] } {
  a.status = 'skipped';
  if (holder) a.heldBy = holder;
  a.reason = holder
    ? heldByReason(holder)
    : NETWORK_ISOLATION_TYPES.has(a.type)
      ? `found in datalek's isolation group already, and no open incident's record holds it (a release not finished, or isolated outside a record): not isolated again here; ${containCommand(draft.id)} takes it up again once it is released`
      : `found contained already (${foundState(a)}), and no open incident's record holds it (a closed incident's containment, a release not finished, or contained outside datalek): not contained again here, and that state is not recorded as the one to restore; ${containCommand(draft.id)} takes it up again once it is released`;
  toTell(draft, a);
  return { entries: [skippedEntry(a, deps.now())] };
}

const NETWORK_ISOLATION_TYPES: ReadonlySet<string> = new Set(['isolate-instance', 'isolate-ecs-task']);

/** What the capture found, as its failed step says (the adapter's words: identifiers, never a person's name). */
function foundState(a: ActionRecord): string {
  const step = (a.steps ?? []).find((s) => s.status === 'failed' && s.code === ALREADY_CONTAINED);
  return step?.detail?.split(';')[0] ?? 'the contained state in place';
}

/** The personal identifiers an action carries (kept in params and evidence, never in words). */
function personalOf(action: ActionRecord): string[] {
  return [action.params?.userName, action.params?.principalId, action.evidence?.userName].filter((v): v is string => typeof v === 'string');
}

/**
 * Takes the lease, or returns the other holder's when it holds one that has not run out. Tells the
 * outcomes an earlier run recorded and did not tell, in the same commit.
 */
async function takeLease(deps: ContainDeps, incidentId: string, run: RunLease): Promise<ContainResult['busy']> {
  let busy: ContainResult['busy'];
  const now = deps.machineNow?.() ?? deps.now();
  await changeIncident(deps, incidentId, (draft) => {
    const lease = draft.containmentLease;
    // A lease longer than any run holds was planted behind the pipeline (atk28 F14): taken, and said, not waited for.
    const planted = lease && lease.holder !== run.holder && leasePlanted(lease, now);
    if (lease && lease.holder !== run.holder && Date.parse(lease.until) > Date.parse(now) && !planted) {
      busy = { ...lease };
      return null;
    }
    draft.containmentLease = { holder: run.holder, until: run.until };
    const entries = planted ? [plantedLeaseEntry(lease, now)] : [];
    // Outcomes on the record now were left by a run that stopped before telling (no live run holds
    // the incident): told as this run takes it, not when it ends, which may be long or never.
    return { entries, messages: tellOutcomes(deps, draft) };
  });
  return busy;
}

/** The entry saying a run took a lease no run could have written (`leasePlanted`), with whose and until when it was. */
function plantedLeaseEntry(lease: { holder: string; until: string }, at: string): TimelineDraft {
  return {
    at,
    kind: 'containment-lease-planted',
    detail: {
      holder: lease.holder,
      until: lease.until,
      reason: `the record held this incident's containment lease until ${lease.until}, longer than any containment run holds one (${MAX_LEASE_MS / 60_000} minutes): no run wrote it, it was set behind the pipeline (datalek verify names it); this run took it rather than leave the resource open until then`,
    },
  };
}

/**
 * Gives the lease back; false, keeping it, when an enforced action this run has not attempted
 * is waiting (it arrived while the run held the lease: the run that skipped it relies on this one).
 * `attempted: null` gives it back whatever waits (after a failure).
 */
async function giveLeaseBack(
  deps: ContainDeps,
  incidentId: string,
  holder: string,
  attempted: ReadonlySet<string> | null,
  retried: ReadonlySet<string> = new Set(),
): Promise<boolean> {
  let waiting = false;
  await changeIncident(deps, incidentId, (draft) => {
    if (attempted && actionsToEnforce(draft, machineTime(deps)).some((a) => !attempted.has(a.id))) {
      waiting = true;
      return null;
    }
    if (draft.containmentLease?.holder !== holder) return null;
    draft.containmentLease = null;
    oweLeavers(draft, retried);
    return { entries: [], messages: tellOutcomes(deps, draft) };
  });
  return !waiting;
}

/** Notes an action's outcome as recorded and not yet told (see `tellOutcomes`). */
function toTell(draft: Incident, action: ActionRecord): void {
  draft.containmentUntold = [...(draft.containmentUntold ?? []).filter((id) => id !== action.id), action.id];
}

/**
 * The FG's and on-call's message on the outcomes not yet told, one per channel however many
 * actions they are: `containment-failed` when any of them failed (refusals included), else
 * `containment-done` when one was carried out, else `containment-left` (`toldOutcomes`). Each message lists at most MAX_LISTED actions, failures among them, and says
 * how many more (`composeMessage`). The outcomes are told once: they are taken off the record in
 * the commit that queues the messages.
 */
function tellOutcomes(deps: ContainDeps, draft: Incident): (draft: Incident) => OutboxMessage[] {
  const untold = new Set(draft.containmentUntold ?? []);
  draft.containmentUntold = undefined;
  const outcome = toldOutcomes(draft.actions.filter((a) => untold.has(a.id)));
  if (!outcome) return () => [];
  const { kind, run } = outcome;
  return (told) => {
    const stateKey = `${kind}:${told.revision}`;
    return (['fg', 'on-call'] as const).map((channel) =>
      composeMessage({ incident: told, channel, kind, stateKey, now: deps.now(), policy: deps.policy, run }),
    );
  };
}

async function updateAction(
  deps: ContainDeps,
  incidentId: string,
  actionId: string,
  change: (action: ActionRecord, draft: Incident) => ChangeResult,
): Promise<Incident> {
  const { incident } = await changeIncident(deps, incidentId, (draft) => {
    const action = draft.actions.find((a) => a.id === actionId);
    if (!action) throw new RefusedError(`incident ${incidentId} has no action ${actionId}`);
    return change(action, draft);
  });
  return incident;
}
