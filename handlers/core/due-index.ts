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
  dueAt: string;
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

/** Writes `incidentId` again if its stored due time still misses what is due: what was put back, else null. */
async function reindexOne(deps: ChangeDeps, incidentId: string): Promise<Reindexed | null> {
  let done: Reindexed | null = null;
  await changeIncident(deps, incidentId, (draft) => {
    const dueAt = dueIndexMisses(draft, deps.policy);
    if (dueAt === null) return null;
    // A due time taken off the record is none (`dueIndexMisses`): the entry says null, not nothing.
    const was = draft.nextDueAt ?? null;
    done = { incidentId: draft.id, was, dueAt };
    return {
      entries: [
        {
          at: deps.now(),
          kind: 'due-index-repaired',
          detail: {
            was,
            dueAt,
            reason: 'the stored due time missed what is due on the record under the policy (stored before the code or this policy owed it)',
          },
        },
      ],
    };
  });
  return done;
}
