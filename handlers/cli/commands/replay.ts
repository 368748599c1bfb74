import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { actionsToEnforce, runContainment } from '../../core/contain.js';
import { containCommand } from '../../core/containment.js';
import { ConflictError, StoreRefusedError } from '../../core/errors.js';
import type { ActionRecord, Incident, OutboxMessage } from '../../core/incident.js';
import { toldOutside } from '../../core/incident-pseudonyms.js';
import { type RecordDeps, type RecordResult, recordEventText, rejectedResult } from '../../core/record-finding.js';
import { UnreadableRecordError } from '../../core/stored-record.js';
import { oneLine } from '../../core/text.js';
import type { IncidentStore } from '../../ports/incident-store.js';
import type { Backend } from '../backend.js';
import { type Context, deliverQueued, withBackend } from '../context.js';
import { expandPaths, readEvents } from '../inputs.js';

/**
 * Reads each input as a stream and records it at once, so memory stays bounded however large the
 * files are; a file, or an event, that cannot be read or decoded is one rejected line.
 */
export async function replay(ctx: Context): Promise<number> {
  const { io, flags } = ctx;
  const files = expandPaths(ctx.positionals.length ? ctx.positionals : [join(io.cwd, 'events')], io.cwd);
  return withBackend(ctx, 'create', async (backend) => {
    const { store } = backend;
    // Containment on AWS spares the pipeline's own functions, as the contain function does.
    if (backend.containment.canEnforce) ctx.policy = await (await import('../aws-caller.js')).withPipelineAccount(ctx.policy, io.env, backend.caller);
    // Messages are shown on stderr with --json too: one marked sent was shown (review7 K4).
    const notifier = backend.notifier(io.err);
    const deps: RecordDeps = {
      store,
      policy: ctx.policy,
      now: ctx.now,
      canEnforce: backend.containment.canEnforce,
      forceEnforce: flags.enforce === true,
      // On a real store, a --now behind the machine's clock is marked in what the run records (review5 A14).
      ...(backend.drill ? {} : { statedRun: { machineNow: ctx.systemNow, by: `${userInfo().username} (datalek replay)` } }),
      // What an event queues is sent right after it is recorded (below, unless containment on AWS
      // changed the outbox): queued claimed, in the commit, rather than claimed in a transaction of its own.
      ...(backend.containment.canEnforce ? {} : { claimQueued: (m: OutboxMessage) => !notifier.accepts || notifier.accepts(m) }),
    };
    // Each event's sendings are recorded with the next event's commit, not in a transaction of their own.
    store.deferSentMarks?.(SENT_MARK_DELAY_MS);
    const totalBytes = files.reduce((sum, f) => sum + (f.problem ? 0 : sizeOf(f.path)), 0);
    const progress = !flags.json && io.errIsTty && (files.length > 20 || totalBytes > 1024 * 1024) ? new Progress(files.length) : null;
    // Under a progress line too, each message sent is shown (above it): one marked sent was shown (review7 K4).
    const shown = progress ? backend.notifier((line) => progress.above(() => io.err(line))) : notifier;
    const counts = new Map<string, number>();
    // A message that failed is given back for the next run, not tried again in this one.
    const failed = new Set<string>();
    // Each event's line and messages go out once its commit is durable: with the embedded store,
    // once the group of commits it is in (CommitGroups) is.
    const groups = new CommitGroups<RecordResult & { input: string }>(backend.containment.canEnforce ? {} : store, async (lines) => {
      for (const line of lines) {
        counts.set(line.outcome, (counts.get(line.outcome) ?? 0) + 1);
        if (flags.json) io.out(JSON.stringify(jsonLine(line)));
        else if (!progress) io.out(replayLine(line));
        // What this event queued is sent at once, without reading it back; containment on AWS
        // queued its outcome in the store, so that incident's outbox is read.
        const enforced = line.actions.length > 0 && backend.containment.canEnforce && line.incidentId;
        const delivery = await deliverQueued(
          ctx,
          backend,
          { ...(enforced ? { incidentId: line.incidentId as string } : { messages: line.queued ?? [], claimed: line.claimed }), except: failed },
          shown,
        );
        for (const f of delivery.failed) failed.add(f.message.id);
        progress?.event();
      }
    });
    /** The input being recorded (null once its recording returned: its group's commit, `notCommitted`, tells the rest). */
    let recording: string | null = null;
    /** The input whose containment is under way (on AWS), and its incident: recorded, with no line yet. */
    let containing = null as { input: string; incidentId: string } | null;
    try {
      await groups.run(async () => {
        for (const file of files) {
          for await (const input of readEvents(file)) {
            recording = input.name;
            groups.open();
            let result = input.text !== undefined ? await recordOrReject(deps, input.text) : rejectedResult(input.problem ?? 'not read');
            recording = null;
            if (result.incidentId && backend.containment.canEnforce) {
              containing = { input: input.name, incidentId: result.incidentId };
              result = await containOrReject(ctx, backend, result);
              containing = null;
            }
            await groups.recorded({ input: input.name, ...result });
          }
          progress?.file();
        }
      });
    } catch (err) {
      // Where the run stopped: the lines printed are the events recorded; from here on none is (review7 K2).
      const stop = groups.notCommitted[0]?.input ?? recording;
      if (containing)
        io.err(
          `datalek: replay stopped: ${containing.input} was recorded (incident ${containing.incidentId}) but its containment stopped unfinished, and every event after it was not recorded (none of them has a line); run the replay again to go on (that event comes out "duplicate" and its containment is taken up)`,
        );
      else if (stop)
        io.err(
          `datalek: replay stopped: ${stop} and every event after it were not recorded (none of them has a line); run the replay again to record them (those recorded come out "duplicate")`,
        );
      throw err;
    }
    progress?.done();
    // Anything else waiting: messages an earlier run could not send, a pager's failure recorded.
    await deliverQueued(ctx, backend, { except: failed }, shown);
    if (!flags.json) io.out(replaySummary(counts));
    return counts.has('rejected') ? 1 : 0;
  });
}

/**
 * Records one event; a conflict the store still reports after the use case's retries (a resource
 * claimed by an incident whose record does not list it, planted behind the pipeline), or the
 * store's refusal of this event's commit as it is (`StoreRefusedError`: DynamoDB's item size,
 * a value it does not take), is this event's `rejected` line, naming the problem, and the run goes
 * on: one bad input never ends it. (The Lambda handler lets it fail instead, to be retried and kept.)
 */
async function recordOrReject(deps: RecordDeps, text: string): Promise<RecordResult> {
  try {
    return await recordEventText(deps, text);
  } catch (err) {
    // A store that fails (a full disk, an I/O error, an outage) is any other StoreError: the run stops (review7 K2).
    // An incident whose record cannot be read (edited behind the pipeline: no JSON, a shape datalek never
    // writes) refuses this event, named; the others go on, as every commit on that incident is refused (atk28 F15).
    const reason =
      err instanceof ConflictError
        ? `not recorded (the store refused it at every attempt): ${err.message}; datalek verify names what is wrong in the store`
        : err instanceof StoreRefusedError
          ? `not recorded: the store refused this event's commit as it is (${err.message}); the other events go on`
          : err instanceof UnreadableRecordError
            ? `not recorded: ${err.message}; the other events go on`
            : null;
    if (reason === null) throw err;
    // The store's words can name the finding's principal by the store-wide pseudonym (a claim's key): the line
    // outlives minimise (npm start, cron), so it is withheld, as the record function's refusal withholds it (fg22).
    return { ...rejectedResult(toldOutside(undefined, reason)), findingId: findingIdOf(text) };
  }
}

/** The finding id of an event that parsed (for the line of one that could not be recorded). */
function findingIdOf(text: string): string | null {
  try {
    const id = (JSON.parse(text) as { detail?: { id?: unknown } }).detail?.id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/** At most this long a sending waits for the next event's commit before it is written on its own. */
const SENT_MARK_DELAY_MS = 5;

/**
 * A group of commits ends when it holds this many events, or once this process has spent `ms` of
 * CPU time on it (a few events' work: about 0.35 ms each on a quiet machine), or `wallMs` after it
 * began, whichever comes first. Each commit then writes its pages once per group rather than once
 * per event (about 19 pages an event alone, 12 in a group of six), while an event's line and
 * messages wait for a few events' work at most. 1 ms, measured on a quiet machine on 29 November
 * (bench, one run each): 1 ms gave 0.13 of the floor with p99 2.2 ms; 2 ms 0.14 with p99 5.4 ms,
 * beyond issue #14's 5 ms; 0.5 ms 0.12 with p99 1.6 ms. The work is counted in CPU time so that a group does not shrink to one
 * event on a machine busy with other work; `wallMs` bounds the wait there. The CPU time a group
 * took is reckoned from its wall time and the share of the wall time this process had the CPU,
 * measured over every SHARE_WINDOW events (on a quiet machine the whole of it): reading the CPU
 * time is a system call that sums the process's threads, some 25 µs on a quiet machine and a tenth
 * of an event's work on a busy one (the bench's profile on 1 December: 147 µs an event), when it
 * was read at each group's start and at each event once `ms` had passed.
 */
export const COMMIT_GROUP = { events: 64, ms: 1, wallMs: 20 };

/**
 * Records events in groups of commits on a store that has them (`IncidentStore.beginGroup`), and
 * hands each group's events to `release` (their lines, their messages) only once the group is
 * committed: what is reported as recorded is durable, as with a commit per event; a crash loses
 * at most the events of the group under way, none of them reported. On any other store each
 * event is released as soon as it is recorded.
 */
export class CommitGroups<T> {
  private held: T[] = [];
  /** When the group under way began (null: none is). */
  private begun: number | null = null;
  /**
   * The share of wall time this process had the CPU (all its threads, at most 1), measured over
   * the window since `window` began: unknown (null) until the first group has run `ms` of wall time.
   */
  private share: number | null = null;
  private window: { wall: number; cpu: number; events: number } | null = null;

  constructor(
    private readonly store: Pick<IncidentStore, 'beginGroup' | 'endGroup'> & { checkpointBetweenGroups?(): void },
    private readonly release: (events: T[]) => Promise<void>,
    private readonly limits = COMMIT_GROUP,
  ) {}

  /** Before an event is recorded: a group begins unless one is open. */
  open(): void {
    if (this.begun !== null || !this.store.beginGroup) return;
    this.store.beginGroup();
    this.begun = performance.now();
    this.window ??= { wall: this.begun, cpu: cpuMicros(), events: 0 };
  }

  /** After: the event waits for its group to be committed; a full group is committed now. */
  async recorded(event: T): Promise<void> {
    this.held.push(event);
    if (this.begun === null || this.held.length >= this.limits.events) return this.flush();
    const now = performance.now();
    const elapsed = now - this.begun;
    if (this.window && (++this.window.events >= SHARE_WINDOW || (this.share === null && elapsed >= this.limits.ms))) this.measureShare(now);
    if (elapsed >= this.limits.wallMs || elapsed * (this.share ?? 0) >= this.limits.ms) await this.flush();
  }

  /** The CPU time this process had over the window ending `now`, per unit of wall time; a new window begins. */
  private measureShare(now: number): void {
    const cpu = cpuMicros();
    const { wall, cpu: before } = this.window as { wall: number; cpu: number };
    if (now > wall) this.share = Math.min(1, (cpu - before) / ((now - wall) * 1000));
    this.window = { wall: now, cpu, events: 0 };
  }

  /**
   * The events of a group whose commit failed, in order: none of them is stored, and none is ever
   * released; the caller names the first, where a re-run takes up (review7 K2).
   */
  notCommitted: T[] = [];

  /** Commits the group under way and releases its events. */
  async flush(): Promise<void> {
    if (this.begun !== null) {
      this.begun = null;
      try {
        this.store.endGroup?.();
      } catch (err) {
        this.notCommitted = this.held;
        this.held = [];
        throw err;
      }
    }
    const events = this.held;
    this.held = [];
    if (events.length) await this.release(events);
    // Between two groups, with no event waiting on it: the store's checkpoint, when one is due.
    this.store.checkpointBetweenGroups?.();
  }

  /**
   * Runs `record` (which calls `open` and `recorded` per event), then commits and releases what is
   * held. When `record` fails, the events recorded before the failure are still committed and
   * released, as they were when each had its own commit, and the failure is thrown; when what
   * failed was a group's commit, nothing is committed or released after it (`notCommitted`).
   */
  async run(record: () => Promise<void>): Promise<void> {
    try {
      await record();
    } catch (err) {
      if (this.notCommitted.length === 0) {
        try {
          await this.flush();
        } catch {
          // The group could not be committed: none of it was reported (`notCommitted`); the first failure is told.
        }
      }
      throw err;
    }
    await this.flush();
  }
}

/** How many events the share of the CPU this process has (`CommitGroups`) is measured over. */
const SHARE_WINDOW = 16;

/** The CPU time this process has used, in microseconds. */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * `containNow`, with the store's refusal of a containment record as it is (`StoreRefusedError`: on
 * DynamoDB, an incident item grown to its 400 KB) made this event's `rejected` line, as for its
 * recording: the event is recorded (the line names its incident, whose messages still go out), its
 * containment stopped where the store refused it, and the run goes on. Any other failure stops the run.
 */
async function containOrReject(ctx: Context, backend: Backend, result: RecordResult): Promise<RecordResult> {
  try {
    return await containNow(ctx, backend, result);
  } catch (err) {
    if (!(err instanceof StoreRefusedError)) throw err;
    const id = result.incidentId as string;
    const incident = await backend.store.getIncident(id);
    return {
      ...result,
      outcome: 'rejected',
      actions: incident ? ofThisEvent(incident, result).map((a) => ({ type: a.type, status: a.status })) : result.actions,
      // The store's words by the incident's own pseudonym, as the contain function throws them (fg22).
      reason: toldOutside(
        incident?.pseudonymKey,
        `recorded (incident ${id}), but its containment stopped: the store refused a containment record as it is (${err.message}); a step carried out may be missing from the record: check the resource, then run ${containCommand(id)}; the other events go on`,
      ),
    };
  }
}

/** This event's actions: the last ones planned for its finding, in order (two buckets are two actions). */
function ofThisEvent(incident: Incident, result: RecordResult): ActionRecord[] {
  return incident.actions.filter((a) => a.findingId === result.findingId).slice(-result.actions.length);
}

/** On AWS, carries out the enforced actions of the incident at once, and reports their outcome. */
async function containNow(ctx: Context, backend: Backend, result: RecordResult): Promise<RecordResult> {
  const incident = await backend.store.getIncident(result.incidentId as string);
  if (!incident || actionsToEnforce(incident).length === 0) return result;
  const contained = await runContainment(
    {
      store: backend.store,
      policy: ctx.policy,
      now: ctx.now,
      containment: backend.containment,
      forceEnforce: ctx.flags.enforce === true,
      // The lease is timed by the machine's clock: a past --now must not take one run out for others.
      machineNow: ctx.systemNow,
    },
    incident.id,
  );
  return { ...result, actions: ofThisEvent(contained.incident, result).map((a) => ({ type: a.type, status: a.status })) };
}

function jsonLine(line: RecordResult & { input: string }) {
  const { input, outcome, findingId, incidentId, severity, deadline, actions, reason, messages } = line;
  return { input, outcome, findingId, incidentId, severity, deadline, actions, ...(reason !== undefined ? { reason } : {}), messages };
}

/** One line per input, whatever its name or reason holds. */
function replayLine(r: RecordResult & { input: string }): string {
  const what = r.incidentId ? `${r.incidentId}` : '';
  const extra = r.reason ? `  ${r.reason}` : r.actions.length ? `  containment: ${r.actions.map((a) => `${a.type} ${a.status}`).join(', ')}` : '';
  return oneLine(`${r.outcome.padEnd(9)} ${r.input}  ${what}${extra}`);
}

function replaySummary(counts: Map<string, number>): string {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const parts = [...counts.entries()].map(([k, v]) => `${v} ${k}`);
  return `\n${total} event${total === 1 ? '' : 's'}: ${parts.join(', ')}. See the incidents with: datalek status`;
}

/** A progress line on a terminal: files done of all, and events so far (a large file has many). */
class Progress {
  private files = 0;
  private events = 0;
  constructor(private readonly total: number) {}
  event(): void {
    this.events += 1;
    if (this.events % 100 === 0) this.draw();
  }
  file(): void {
    this.files += 1;
    this.draw();
  }
  done(): void {
    process.stderr.write('\n');
  }
  /** Writes above the progress line: clears it first; the next event or file draws it again. */
  above(write: () => void): void {
    process.stderr.write('\r\x1b[K');
    write();
  }
  private draw(): void {
    const width = 30;
    const filled = Math.round((this.files / Math.max(1, this.total)) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.files}/${this.total} files, ${this.events} events`);
  }
}
