/**
 * What every CLI command gets: the parsed flags, the store or AWS backend, the policy and the clock,
 * and the small helpers that turn flags into typed values (a bad one is a `UsageError`: exit 2,
 * nothing written).
 */

import { type ChangeDeps, clockStated } from '../core/change-incident.js';
import { CLAIM_LEASE_MINUTES, type DeliveryReport, type DeliveryScope, deliverMessages, deliverPending } from '../core/deliver.js';
import { IncidentNotFoundError } from '../core/errors.js';
import type { Incident, OutboxMessage } from '../core/incident.js';
import type { Policy } from '../core/policy.js';
import { oneLine } from '../core/text.js';
import { addMinutes, EARLIEST_PLAUSIBLE } from '../core/time.js';
import type { Notifier } from '../ports/notifier.js';
import { type Backend, type DrillMark, openBackend, readDrillMark, type StoreAccess, type Target } from './backend.js';
import { UsageError } from './errors.js';
import { answeringLostRace, RecordedLog } from './lost-race.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stderr is a terminal (then replay draws a progress bar). */
  errIsTty: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /**
   * The machine's clock, fixed by a program that runs a command in its own process (a test that
   * plays a case through at stated times, entered then). The command line has none: it takes the
   * system's, which nobody typing a command can state (core/change-incident.ts enteredAt).
   */
  machineClock?: () => string;
}

export type Flags = {
  store?: string;
  now?: string;
  policy?: string;
  target?: string;
  json?: boolean;
  by?: string;
  note?: string;
  reason?: string;
  enforce?: boolean;
  'reactivate-key'?: boolean;
  help?: boolean;
} & Record<string, string | boolean | undefined>;

export interface Context {
  target: Target;
  flags: Flags;
  positionals: string[];
  storeDir: string;
  policy: Policy;
  /** The clock of this run: `--now` when given, else the system clock. */
  now: () => string;
  /** The `--now` of this run (ISO UTC), or null: the write commands check it against the system clock. */
  nowFlag: string | null;
  /** The machine's own clock, whatever `--now` says. */
  systemNow: () => string;
  io: Io;
}

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
}

/** What a command does with the parsed command line: its exit code. */
export type CommandRun = (ctx: Context) => Promise<number>;

/**
 * One CLI command: its flags, its arguments, its lines in `--help`, the checks made before anything
 * is opened, and where what it does is (commands/index.ts lists them all).
 */
export interface Command {
  name: string;
  /** Its lines in `datalek --help`. */
  usage: string;
  /** Where `--help` lists it. */
  section: 'main' | 'fg';
  /** The flags it takes besides the common ones. */
  flags: Record<string, FlagSpec>;
  positionals: 'none' | 'one' | 'optional-one' | 'many';
  /** Checks of the flags that need no store (a `UsageError` before anything is opened). */
  check?: (flags: Flags, target: Target) => void;
  /** What it does, loaded only when it runs (a dynamic import: a chunk of its own in the build). */
  load: () => Promise<CommandRun>;
}

/**
 * Opens the backend for reading (the embedded store read-only), writing, or creating (the embedded
 * store is made if missing; only `replay` does that). A store that does not exist is a usage error
 * naming the path: a cron job in the wrong folder must fail, not report that nothing is due.
 * Before anything is written, a `--now` ahead of the system clock is refused unless the store is a
 * drill copy (see `refuseFutureNow`).
 */
export async function withBackend<T>(ctx: Context, access: StoreAccess, fn: (backend: Backend) => Promise<T>): Promise<T> {
  if (access !== 'read') refuseFutureNow(ctx, ctx.target === 'local' ? readDrillMark(ctx.storeDir) : null);
  // What the command's commits store is watched: a lost race it ends on says what was recorded before it (lost-race.ts).
  const recorded = access === 'read' ? undefined : new RecordedLog();
  const backend = await openBackend({
    target: ctx.target,
    storeDir: ctx.storeDir,
    env: ctx.io.env,
    access,
    policy: ctx.policy,
    now: ctx.now,
    warn: ctx.io.err,
    recorded,
  });
  try {
    if (backend.drill) ctx.io.err(drillBanner(backend.drill));
    return recorded ? await answeringLostRace(recorded, () => fn(backend)) : await fn(backend);
  } finally {
    await backend.close();
  }
}

/** How far `--now` may run ahead of the system clock on a real store: clock skew between machines. */
export const NOW_SKEW_MINUTES = 5;

/**
 * A write command on a real store takes a `--now` in the past (replaying history, tests) but not
 * in the future: a sweep "at" a later time records the reminders and pages of that time as sent,
 * and the real ones would then never go out. A drill copy (`datalek drill`) takes any `--now`.
 */
export function refuseFutureNow(ctx: Context, drill: DrillMark | null): void {
  if (!ctx.nowFlag || drill) return;
  const limit = addMinutes(ctx.systemNow(), NOW_SKEW_MINUTES);
  if (ctx.nowFlag > limit) {
    throw new UsageError(
      `--now ${ctx.nowFlag} is later than this machine's clock (${ctx.systemNow()}) by more than ${NOW_SKEW_MINUTES} minutes: on a real store that would mark later reminders and pages as sent. Use a past time, or practise on a copy: datalek drill --from ${ctx.storeDir} --store DIR`,
    );
  }
  if (ctx.nowFlag < EARLIEST_PLAUSIBLE) throw new UsageError(`--now ${ctx.nowFlag} lies before ${EARLIEST_PLAUSIBLE}, before GuardDuty existed`);
}

function drillBanner(drill: DrillMark): string {
  return `datalek: DRILL store (a copy of ${drill.from} made ${drill.at}): nothing here is real, every message is marked [DRILL]`;
}

/**
 * For lists (status, register, sweep): an incident whose stored bytes cannot be read is named on
 * stderr and left out, and the others are still shown; so is an item indexed among the incidents
 * that is no incident record. The command then exits 3.
 */
export function unreadableReporter(ctx: Context) {
  let count = 0;
  return {
    onUnreadable: (p: { incidentId: string; reason: string; notAnIncident?: true }) => {
      count += 1;
      // An item indexed among the incidents that is none: its reason says what it is and that it is left out.
      if (p.notAnIncident) ctx.io.err(oneLine(`datalek: incident ${p.incidentId}: ${p.reason}`));
      else ctx.io.err(oneLine(`datalek: incident ${p.incidentId} cannot be read from the store (${p.reason}); it is left out: datalek verify ${p.incidentId}`));
    },
    exitCode: (fine: number) => (count > 0 ? 3 : fine),
  };
}

/**
 * Sends what waits in the outbox (or, given `messages`, those just queued, without reading them
 * back), and names on stderr every message that could not go (it stays pending; the next sweep
 * tries again): a page that did not leave must never pass in silence. `notifier` defaults to the
 * backend's, showing each message sent on stderr, with --json too: on the embedded store showing
 * it is what sending it means, and a message recorded as sent must have been shown (review7 K4);
 * --json keeps stdout for the machine, stderr is the person's (cron mails it).
 */
export async function deliverQueued(
  ctx: Context,
  backend: Backend,
  scope: DeliveryScope & { messages?: OutboxMessage[]; claimed?: { ids: readonly string[]; until: string } } = {},
  notifier: Notifier = backend.notifier(ctx.io.err),
): Promise<DeliveryReport> {
  // On a real store, a sending made with a --now behind the machine's clock is recorded when it went out.
  const stated = !backend.drill && clockStated({ now: ctx.now, machineNow: ctx.systemNow });
  const deps = { store: backend.store, notifier, now: ctx.now, policy: ctx.policy, ...(stated ? { sentNow: ctx.systemNow } : {}) };
  const { messages, except, claimed } = scope;
  const report = messages
    ? await deliverMessages(deps, except ? messages.filter((m) => !except.has(m.id)) : messages, claimed)
    : await deliverPending(deps, scope);
  for (const f of report.failed) {
    ctx.io.err(oneLine(`datalek: message ${f.message.id} not delivered (it stays pending; the next sweep tries again): ${f.error}`));
  }
  for (const f of report.undeliverable ?? []) {
    ctx.io.err(oneLine(`datalek: message ${f.message.id} NOT SENT, refused for good (recorded on the incident, on-call told, not tried again): ${f.error}`));
  }
  if (report.unreleased) {
    ctx.io.err(
      oneLine(
        `datalek: the store could not give back the claim of ${report.unreleased.ids.join(', ')} (${report.unreleased.error}): a sweep can send it only once that claim runs out, ${CLAIM_LEASE_MINUTES} minutes after this run`,
      ),
    );
  }
  return report;
}

/**
 * What a person's command records with: the run's clock, and on a real store the machine's too,
 * so that entries made with a --now behind it say when they were entered (core/change-incident.ts).
 */
export function personDeps(ctx: Context, backend: Backend): ChangeDeps {
  return { store: backend.store, policy: ctx.policy, now: ctx.now, ...(backend.drill ? {} : { machineNow: ctx.systemNow }) };
}

export async function loadIncident(store: Backend['store'], id: string): Promise<Incident> {
  const incident = await store.getIncident(id);
  if (!incident) throw new IncidentNotFoundError(id);
  return incident;
}

/** The flag readers every command uses; the web page reads its forms with the same ones. */
export { countFlag, isoFlag, listFlag, oneOf } from '../use-cases/fields.js';
