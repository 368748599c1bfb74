/**
 * A command that lost the race for an incident at every try its use case made (`ConflictError`:
 * other writers kept changing it, a storm of findings) is answered here, for every command alike:
 * what happened, what was recorded, and what to do, in plain words, never the store's conflict text.
 *
 * What was recorded is known, not guessed: `RecordedLog` watches the store the command writes with
 * and keeps what each commit it made stored. A command whose earlier commits went through (each
 * finding record `minimise` minimised, the change a delivery after it lost the race for) is told
 * what they stored: never "nothing was recorded" then.
 */
import { ActedNotRecordedError, ConflictError, DatalekError, StuckConflictError } from '../core/errors.js';
import type { IncidentStore } from '../ports/incident-store.js';

/** How many incidents a lost race's message names what was recorded on; the rest are counted. */
const NAMED_INCIDENTS = 5;

/** What the commits of one run stored: per incident, the kinds of the timeline entries they added; and the messages marked sent. */
export class RecordedLog {
  /** Per incident named, how many entries of each kind (bounded: the kinds are few, however long the run). */
  private readonly kinds = new Map<string, Map<string, number>>();
  /** Changes to incidents past the named ones, counted only: a replay of thousands keeps no list. */
  private unnamed = 0;
  private sent = 0;

  /** `store`, telling this log of every write it takes; everything else passes as it is. */
  watch(store: IncidentStore): IncidentStore {
    return new Proxy(store, {
      get: (target, prop) => {
        if (prop === 'commit')
          return async (change: Parameters<IncidentStore['commit']>[0]) => {
            const receipt = await target.commit(change);
            for (const c of [...(change.others ?? []), change])
              this.add(
                c.incident.id,
                c.timeline.map((e) => e.kind),
              );
            return receipt;
          };
        if (prop === 'markSent')
          return async (id: string, at: string) => {
            await target.markSent(id, at);
            this.sent += 1;
          };
        if (prop === 'markAllSent')
          return async (ids: string[], at: string) => {
            await target.markAllSent(ids, at);
            this.sent += ids.length;
          };
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  private add(incidentId: string, kinds: string[]): void {
    let counts = this.kinds.get(incidentId);
    if (!counts) {
      if (this.kinds.size >= NAMED_INCIDENTS) {
        this.unnamed += 1;
        return;
      }
      counts = new Map();
      this.kinds.set(incidentId, counts);
    }
    // A stated clock's mark is how a change was entered, not a change of its own.
    for (const kind of kinds) if (kind !== 'clock-stated') counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }

  /** What was recorded, one phrase per incident named (its entries' kinds, counted), or nothing. */
  summary(): string[] {
    const said = [...this.kinds].map(([id, counts]) => `on ${id}: ${counted(counts) || 'a change'}`);
    if (this.unnamed) said.push(`${this.unnamed} change${this.unnamed === 1 ? '' : 's'} of other incidents`);
    if (this.sent) said.push(`${this.sent} message${this.sent === 1 ? '' : 's'} recorded as sent`);
    return said;
  }

  /** The first incident a commit of this run changed, if any. */
  firstIncident(): string | undefined {
    return this.kinds.keys().next().value;
  }
}

/** `a, b ×2, c`: each kind once, in the order first seen, with how often. */
function counted(counts: Map<string, number>): string {
  return [...counts].map(([k, c]) => (c > 1 ? `${k} ×${c}` : k)).join(', ');
}

/** A lost race at every try, with what the run's earlier commits recorded (`recorded`, empty when nothing). */
export class LostRaceError extends DatalekError {
  constructor(
    readonly recorded: string[],
    readonly firstIncident: string | undefined,
    override readonly cause: ConflictError,
  ) {
    super(cause.message, { cause });
  }
}

/**
 * Runs `fn`, whose writes `log` watched; a lost race it ends on becomes a `LostRaceError` saying
 * what was recorded before it.
 */
export async function answeringLostRace<T>(log: RecordedLog, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ConflictError) throw new LostRaceError(log.summary(), log.firstIncident(), err);
    throw err;
  }
}

/**
 * The one line a person reads for a lost race of `command` (on `incidentId`, the incident the
 * command names, when it names one): what happened, what was recorded, what to do.
 */
export function lostRaceText(command: string, incidentId: string | undefined, err: ConflictError | LostRaceError | StuckActed): string {
  if (err instanceof ActedNotRecordedError) return `not recorded: ${err.message}. ${stuckWhy(err.cause)}`;
  const recorded = err instanceof LostRaceError ? err.recorded : [];
  const stuck = err instanceof LostRaceError ? err.cause : err;
  if (stuck instanceof StuckConflictError) return stuckText(stuck, recorded);
  const on = incidentId ? `incident ${incidentId}` : 'the incidents';
  const happened = `other changes to ${on} kept coming in while this command tried to record (a storm of findings?), and it stopped trying.`;
  const again = `datalek ${command}${incidentId ? ` ${incidentId}` : ''} …`;
  if (recorded.length === 0)
    return `not recorded: ${happened} Nothing was recorded. Run it again (${again}) once the changes calm down${incidentId ? `; datalek show ${incidentId} shows what is recorded now` : ''}.`;
  const shown = incidentId ?? (err as LostRaceError).firstIncident;
  return `not all recorded: ${happened} Recorded before that, and kept: ${recorded.join('; ')}. Nothing after that was recorded. Check what is recorded (datalek show ${shown ?? 'ID'}), then run it again (${again}) for what is still missing.`;
}

/**
 * A conflict that was no race (StuckConflictError): the store's own words, that running it again
 * fails the same way, and the check that says why.
 */
function stuckText(err: StuckConflictError, recorded: string[]): string {
  const why = stuckWhy(err);
  return recorded.length === 0
    ? `not recorded: ${why} Nothing was recorded.`
    : `not all recorded: ${why} Recorded before that, and kept: ${recorded.join('; ')}. Nothing after that was recorded.`;
}

/** The sweep's line for an incident it lost the race for at every try: the others were swept; this one stays due. */
export function sweptLostRaceText(incidentId: string): string {
  return `incident ${incidentId} was not swept: other changes to it kept coming in while the sweep tried to record (a storm of findings?), and it stopped trying. Nothing of it was recorded: it stays due, and the next sweep sends what it owes.`;
}

/**
 * `sweep --reindex`'s line for an incident whose write the store refused at every try: not put back
 * in the due index (the others were). Refused for good: the store's words and verify; else a storm.
 */
export function reindexRefusedText(incidentId: string, err: ConflictError): string {
  const why =
    err instanceof StuckConflictError
      ? stuckWhy(err)
      : `other changes to it kept coming in while the reindex tried to record (a storm of findings?), and it stopped trying. Run datalek sweep --reindex again once they calm down (datalek verify ${incidentId} checks its record).`;
  return `incident ${incidentId} was not put back in the due index: ${why}`;
}

/** Why a stuck conflict fails: the store's own words, that running it again fails the same way, and the check. */
function stuckWhy(err: StuckConflictError): string {
  return `${err.message}, and every try was refused: running it again fails the same way. Check the incident's record: datalek verify ${err.incidentId}.`;
}

type StuckActed = ActedNotRecordedError & { cause: StuckConflictError };

/**
 * Whether `err` is a change carried out in AWS whose record the store refused for good (core/errors.ts
 * `stuckActed`): answered here as the other stuck conflicts are, with what was carried out first.
 */
export function stuckActedOn(err: unknown): err is StuckActed {
  return err instanceof ActedNotRecordedError && err.cause instanceof StuckConflictError;
}
