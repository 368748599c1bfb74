/**
 * The due index: the time the sweep reads an incident again (`nextDueAt`, stored with the record and
 * indexed by the store). It is computed at every write of the incident (change-incident.ts,
 * record-finding.ts). A record stored before a reminder it owes was known to the code (fg11's telecom
 * subscribers' exception without the AP's agreement, which used to count done) holds a due time
 * without it, and a closed record is seldom written again: the sweep, which reads only what the
 * index says is due, would never remind it. So does a record stored before a change to the policy
 * (a reminder added, a clock switched on). `reindexDue` (`datalek sweep --reindex`, once after an
 * upgrade or a change to the policy, on every store) writes each such incident again, so its index
 * holds what is due.
 */
import { type ChangeDeps, changeIncident } from './change-incident.js';
import { type DuePolicyMark, duePolicyDigest, dueSettings } from './due-policy.js';
import { UnreadableMarkError } from './due-policy-mark.js';
import { ConflictError } from './errors.js';
import type { Incident } from './incident.js';
import type { Policy } from './policy.js';
import { nextDueAt } from './schedule.js';
import type { UnreadableHandler } from './stored-record.js';

/**
 * When something falls due on the incident before its stored due time (or it stores none): that time,
 * else null. A due time taken off the record (the key missing) or one that is no date stores none: read
 * as a time, it parsed to NaN, which no comparison holds, so verify named nothing and the reindex put
 * nothing back while the sweep never read the incident (finalA #2).
 */
export function dueIndexMisses(incident: Incident, policy: Policy): string | null {
  if (incident.mergedInto) return null;
  const due = nextDueAt(incident, policy);
  if (due === null) return null;
  const stored = typeof incident.nextDueAt === 'string' ? Date.parse(incident.nextDueAt) : Number.NaN;
  return Number.isNaN(stored) || Date.parse(due) < stored ? due : null;
}

export interface Reindexed {
  incidentId: string;
  /** The due time the record held before: null for none. */
  was: string | null;
  /** The due time it holds now: null for none (set again after a policy change under which nothing falls due). */
  dueAt: string | null;
}

/**
 * Writes again every incident, open or closed, whose stored due time misses what is due now
 * (`dueIndexMisses`): the commit computes its due time, and the timeline says why it was written.
 * An incident another writer changed meanwhile is read again; one that holds its due time by then
 * is left alone. Reads every incident once: a migration, not a sweep. One whose record cannot be
 * read goes to `onUnreadable`, and one whose write the store refuses at every try (a `ConflictError`:
 * a storm on it, or a `StuckConflictError`, refused for good) to `onRefused`; the others are put back
 * all the same (read12c C1: one such record must not keep every later one out of the index), with
 * the incident's pseudonym secret, to name a principal in the store's words by the incident's own
 * pseudonym (incident-pseudonyms.ts `toldOutside`). Without the handler, either fails the whole.
 */
export async function reindexDue(
  deps: ChangeDeps,
  onUnreadable?: UnreadableHandler,
  onRefused?: (incidentId: string, err: ConflictError, pseudonymKey: string | undefined) => void,
): Promise<Reindexed[]> {
  const put: Reindexed[] = [];
  for (const listed of await deps.store.listIncidents({ onUnreadable })) {
    if (dueIndexMisses(listed, deps.policy) === null) continue;
    try {
      const done = await reindexOne(deps, listed.id);
      if (done) put.push(done);
    } catch (err) {
      if (!(onRefused && err instanceof ConflictError)) throw err;
      onRefused(listed.id, err, listed.pseudonymKey);
    }
  }
  return put;
}

/**
 * What the sweep did when the policy in force was not the one it last set every due time under
 * (`resetForPolicy`): the policies (digests of their due settings), the incidents whose due time it
 * set again, how many it read, and whether it went through them all (then the store keeps the new mark).
 */
export interface DuePolicyPass {
  was: string | null;
  now: string;
  reset: Reindexed[];
  read: number;
  complete: boolean;
  /** Why the store's mark could not be read or kept (the pass then did not end). */
  error?: string;
}

/**
 * The sweep's pass after a policy change: when the policy in force is not the one the store says the
 * sweep last set every due time under (`IncidentStore.duePolicyMark`; none on a store no sweep of
 * this release has run on), every incident whose stored due time is not what the policy in force
 * gives is written again (`due-index-repaired`, saying the policy changed and from which to which),
 * and then the store keeps the new mark, with the policy's due settings, which verify holds records
 * set under it to until they are set again. So a policy change needs no `sweep --reindex` by hand:
 * verify names a record still set under the policy before as a change the sweep follows, not as
 * tampering (verify-store.ts `dueTimeMissed`). Reads every incident once per policy change: a
 * migration, counted apart from the sweep's reads. Stops when `outOfTime` says so, and an incident
 * whose write the store refuses goes to `onRefused`: then the mark stays, and the next sweep goes on.
 * Null when nothing is to be done (the mark is the policy in force, or the store keeps no mark).
 */
export async function resetForPolicy(
  deps: ChangeDeps,
  handlers: {
    onUnreadable?: UnreadableHandler;
    onRefused?: (incidentId: string, err: ConflictError, pseudonymKey: string | undefined) => void;
    outOfTime?: () => boolean;
  } = {},
): Promise<DuePolicyPass | null> {
  const { store, policy } = deps;
  if (!store.duePolicyMark || !store.markDuePolicy) return null;
  const digest = duePolicyDigest(policy);
  let mark: DuePolicyMark | null;
  try {
    mark = await store.duePolicyMark();
  } catch (err) {
    // One not written by the sweep (changed behind the pipeline; verify names it): read as none and written anew.
    if (err instanceof UnreadableMarkError) mark = null;
    // A role that may not read it (a person's on AWS): the due times stay as they are, said.
    else
      return {
        was: null,
        now: digest,
        reset: [],
        read: 0,
        complete: false,
        error: `the policy the sweep last set every due time under could not be read: ${(err as Error).message}`,
      };
  }
  if (mark?.digest === digest) return null;
  // Out of time already: not a read of every incident now; the next sweep begins it.
  if (handlers.outOfTime?.()) return { was: mark?.digest ?? null, now: digest, reset: [], read: 0, complete: false };
  const listed = await store.listIncidents({ onUnreadable: handlers.onUnreadable ?? (() => undefined) });
  const pass: DuePolicyPass = { was: mark?.digest ?? null, now: digest, reset: [], read: listed.length, complete: true };
  for (const incident of listed) {
    if (dueTimeDiffers(incident, policy) === undefined) continue;
    if (handlers.outOfTime?.()) {
      pass.complete = false;
      break;
    }
    try {
      const done = await writeAgain(deps, incident.id, dueTimeDiffers, (draft) =>
        draft.dueUnder === undefined
          ? 'the record was stored before records named the policy their due time was set under, and its due time is not what the policy in force gives: set again by the sweep under it'
          : 'the policy in force changed since its due time was set (the settings that decide due times): set again by the sweep under it',
      );
      if (done) pass.reset.push(done);
    } catch (err) {
      if (!(handlers.onRefused && err instanceof ConflictError)) throw err;
      pass.complete = false;
      handlers.onRefused(incident.id, err, incident.pseudonymKey);
    }
  }
  if (pass.complete)
    try {
      await store.markDuePolicy({ digest, settings: dueSettings(policy), at: deps.now() });
    } catch (err) {
      // Every due time is set again; without the mark the next sweep reads them all once more, and finds none to set.
      return { ...pass, complete: false, error: `the policy the due times were set under could not be kept in the store: ${(err as Error).message}` };
    }
  return pass;
}

/**
 * The due time the policy gives the incident when its stored one is another (a due time taken off or
 * no date is none), else undefined: what the pass after a policy change sets again. A merged incident
 * is never swept (`dueIndexMisses`).
 */
function dueTimeDiffers(incident: Incident, policy: Policy): string | null | undefined {
  if (incident.mergedInto) return undefined;
  const due = nextDueAt(incident, policy);
  const stored = typeof incident.nextDueAt === 'string' && !Number.isNaN(Date.parse(incident.nextDueAt)) ? incident.nextDueAt : null;
  return due === stored ? undefined : due;
}

/** Writes `incidentId` again if its stored due time still misses what is due: what was put back, else null. */
function reindexOne(deps: ChangeDeps, incidentId: string): Promise<Reindexed | null> {
  return writeAgain(
    deps,
    incidentId,
    (draft, policy) => dueIndexMisses(draft, policy) ?? undefined,
    () => 'the stored due time missed what is due on the record under the policy (stored before the code or this policy owed it)',
  );
}

/**
 * Writes `incidentId` again when `needs` gives the due time it is to have (undefined: it holds what it
 * should by then), with a `due-index-repaired` entry saying why, and the policies it was set under
 * before and is now: what was put back, else null.
 */
async function writeAgain(
  deps: ChangeDeps,
  incidentId: string,
  needs: (draft: Incident, policy: Policy) => string | null | undefined,
  reason: (draft: Incident) => string,
): Promise<Reindexed | null> {
  let done: Reindexed | null = null;
  await changeIncident(deps, incidentId, (draft) => {
    const dueAt = needs(draft, deps.policy);
    if (dueAt === undefined) return null;
    // A due time taken off the record is none (`dueIndexMisses`): the entry says null, not nothing.
    const was = draft.nextDueAt ?? null;
    done = { incidentId: draft.id, was, dueAt };
    return {
      entries: [
        {
          at: deps.now(),
          kind: 'due-index-repaired',
          detail: { was, dueAt, policy: { was: draft.dueUnder ?? null, now: duePolicyDigest(deps.policy) }, reason: reason(draft) },
        },
      ],
    };
  });
  return done;
}
