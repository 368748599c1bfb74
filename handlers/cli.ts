/**
 * The `datalek` command line: replay GuardDuty events, see and acknowledge incidents, sweep the
 * deadlines, and the FG's workflow. Each command lives in `cli/commands/`, one file each, and is
 * described in `cli/commands/index.ts`; this file parses the command line against the descriptions,
 * builds the context, loads the command that runs and maps errors to exit codes. Machine output
 * (`--json`) follows ../shared/cli-contract.md; everything for people goes to tables with times in
 * the policy's zone.
 *
 * Exit codes: 0 ok; 1 `replay` rejected at least one input; 2 a bad flag, an unreadable path or an
 * unknown incident (one line on stderr, nothing written); 3 the store or another part failed, or
 * a lost race at every try (one line saying what was recorded and to run it again: cli/lost-race.ts).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { COMMANDS } from './cli/commands/index.js';
import type { Command, Context, FlagSpec, Flags, Io } from './cli/context.js';
import { UsageError } from './cli/errors.js';
import { LostRaceError, lostRaceText, stuckActedOn } from './cli/lost-race.js';
import { ConflictError, DatalekError, IncidentNotFoundError, InvalidPolicyError, RefusedError } from './core/errors.js';
import type { Policy } from './core/policy.js';
import { blankText, showsNothing, terminalSafe } from './core/text.js';
import { InvalidTimeError, parseInstant } from './core/time.js';
import { fixedClock, systemClock } from './ports/clock.js';

export type { Io } from './cli/context.js';

/** The flags every command takes (exported for the test that checks the commands the runbooks give). */
export const COMMON_FLAGS: Record<string, FlagSpec> = {
  store: { type: 'string' },
  now: { type: 'string' },
  policy: { type: 'string' },
  target: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const COMMON_USAGE = `Common flags:
  --store DIR      the embedded store (default .datalek, or DATALEK_STORE)
  --now ISO        the clock for this run, with a zone (default: the system clock); on a real
                   store a command that writes takes no time later than the system clock
                   (a drill copy takes any: datalek drill)
  --policy FILE    the policy file (default: built-in, or DATALEK_POLICY)
  --target T       local (the embedded store, default) or aws (DynamoDB and SNS; AWS_REGION,
                   and AWS_ENDPOINT_URL for an emulator such as moto)
  --json           machine output on stdout (see cli-contract.md)
`;

const USAGE = [
  'datalek: GuardDuty findings to AVG breach response',
  '',
  'Usage:',
  ...COMMANDS.filter((c) => c.section === 'main').map((c) => c.usage),
  '',
  "The FG's workflow:",
  ...COMMANDS.filter((c) => c.section === 'fg').map((c) => c.usage),
  '',
  COMMON_USAGE,
].join('\n');

/** Every flag any command takes, for node's parser; a name two commands share has one type. */
const OPTIONS: Record<string, FlagSpec> = { ...COMMON_FLAGS };
for (const command of COMMANDS) {
  for (const [name, spec] of Object.entries(command.flags)) {
    const known = OPTIONS[name];
    if (known && known.type !== spec.type) throw new Error(`flag --${name} is a ${known.type} in one command and a ${spec.type} in ${command.name}`);
    OPTIONS[name] = spec;
  }
}
const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));

export async function main(argv: string[], rawIo: Io): Promise<number> {
  // Everything printed passes here: control characters from findings (ANSI and OSC sequences,
  // carriage returns) are shown escaped, never acted on by the terminal.
  const io: Io = { ...rawIo, out: (text) => rawIo.out(terminalSafe(text)), err: (text) => rawIo.err(terminalSafe(text)) };
  let ctx: Context;
  let command: Command;
  try {
    const line = parseCommandLine(argv);
    // `datalek --help` reads no policy and loads no command: start-up is all it costs.
    if (line === 'help') {
      io.out(USAGE);
      return 0;
    }
    ({ command } = line);
    ctx = await contextOf(line, io);
  } catch (err) {
    return fail(io, err);
  }
  try {
    // What the command does is loaded now, for this command alone (commands/index.ts).
    const run = await command.load();
    return await run(ctx);
  } catch (err) {
    // A lost race, or a write the store refused at every try: exit 3, as a part that failed (the input is fine).
    if (err instanceof ConflictError || err instanceof LostRaceError || stuckActedOn(err)) {
      io.err(`datalek: ${lostRaceText(command.name, ctx.positionals[0], err)}`);
      return 3;
    }
    return fail(io, err);
  }
}

/**
 * A value that starts with a minus and a digit (`--records -1`) is taken as that option's value
 * (`--records=-1`), so the option's own check names its rule ("a whole number from 0 to …");
 * node's parseArgs would call it "ambiguous", naming no rule. Any other value starting with a dash
 * is still refused as a missing value (`--by --json`).
 */
function negativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return [...out, ...argv.slice(i)];
    const name = /^--([\w-]+)$/.exec(arg)?.[1];
    const next = argv[i + 1];
    if (name && OPTIONS[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else out.push(arg);
  }
  return out;
}

/** A command line node's parser took, its command known and its flags and arguments that command's. */
interface CommandLine {
  command: Command;
  flags: Flags;
  positionals: string[];
}

/** The command line checked against the commands' descriptions alone: nothing is loaded or read. */
function parseCommandLine(argv: string[]): CommandLine | 'help' {
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args: negativeValues(argv), options: OPTIONS, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (err) {
    // node's messages run on with advice about '--'; the first sentence names the problem.
    throw new UsageError((err as Error).message.split(/\.\s/)[0].replace(/^Unknown option '(.*)'$/, 'unknown option $1'));
  }
  const [name = parsed.values.help ? 'help' : '', ...positionals] = parsed.positionals;
  const flags = parsed.values;
  if (name === 'help' || (flags.help && !name)) return 'help';
  const command = BY_NAME.get(name);
  if (!command) throw new UsageError(name ? `unknown command ${JSON.stringify(name)} (try datalek --help)` : 'no command given (try datalek --help)');
  for (const [flag, value] of Object.entries(flags)) {
    if (value !== undefined && !(flag in COMMON_FLAGS) && !(flag in command.flags)) {
      throw new UsageError(`${name} does not take --${flag}`);
    }
  }
  // `datalek show --help` asks how to use the command: the usage, not a complaint about its arguments.
  if (flags.help) return 'help';
  // A value of characters that show nothing (U+200B, U+3164) is no name, reason or reference: refused as
  // an empty one would be, whichever command reads it (--by is read by no field list) (atk28 F10).
  for (const [flag, value] of Object.entries(flags)) {
    if (typeof value === 'string' && value.trim() && blankText(value)) throw new UsageError(`--${flag} is empty: ${showsNothing(value)}`);
  }
  if (command.positionals === 'none' && positionals.length) throw new UsageError(`${name} takes no arguments, got ${JSON.stringify(positionals[0])}`);
  if (command.positionals === 'one' && positionals.length !== 1) throw new UsageError(`${name} needs exactly one incident id`);
  if (command.positionals === 'optional-one' && positionals.length > 1) throw new UsageError(`${name} takes at most one incident id`);
  return { command, flags, positionals };
}

/** The context a command runs in: the target, the clock and the policy, each checked. */
async function contextOf({ command, flags, positionals }: CommandLine, io: Io): Promise<Context> {
  const target = flags.target ?? 'local';
  if (target !== 'local' && target !== 'aws') throw new UsageError(`--target must be local or aws, got ${JSON.stringify(target)}`);
  command.check?.(flags, target);
  // The AWS settings' module holds the embedded store's too: loaded for --target aws only.
  if (target === 'aws') (await import('./cli/backend.js')).awsSettings(io.env);

  let nowIso: string | null = null;
  if (flags.now !== undefined) {
    try {
      nowIso = parseInstant(flags.now);
    } catch (err) {
      if (!(err instanceof InvalidTimeError)) throw err;
      throw new UsageError(`--now must be an ISO 8601 time with a zone such as 2026-11-28T03:00:00Z, got ${JSON.stringify(flags.now)}: ${err.reason}`);
    }
  }
  // The policy's schema (zod) loads once the command line is known to be good.
  const { loadPolicy } = await import('./core/policy.js');
  let policy: Policy;
  try {
    policy = loadPolicy(flags.policy ?? io.env.DATALEK_POLICY);
  } catch (err) {
    if (err instanceof InvalidPolicyError) throw new UsageError(err.message);
    throw err;
  }
  const storeDir = flags.store ?? io.env.DATALEK_STORE ?? join(io.cwd, '.datalek');
  return {
    target,
    flags,
    positionals,
    storeDir,
    policy,
    now: (nowIso ? fixedClock(nowIso) : systemClock).now,
    nowFlag: nowIso,
    systemNow: io.machineClock ?? systemClock.now,
    io,
  };
}

function fail(io: Io, err: unknown): number {
  if (err instanceof UsageError || err instanceof IncidentNotFoundError || err instanceof RefusedError) {
    io.err(`datalek: ${err.message}`);
    return 2;
  }
  if (err instanceof DatalekError) {
    io.err(`datalek: ${err.message}`);
    return 3;
  }
  const part = missingPartOfBuild(err);
  if (part) {
    io.err(
      `datalek: part of the built command is missing (${part}): dist/cli/ was changed or cleaned, or this run began several builds, or more than a week, before the build now there. Run the command again; if it fails the same way, build it again with \`npm run build\` in the datalek folder`,
    );
    return 3;
  }
  io.err(`datalek: unexpected failure: ${(err as Error).stack ?? String(err)}`);
  return 3;
}

/**
 * The file of the build (dist/cli/…) that a command's dynamic import did not find, or null: each
 * command's implementation is a chunk loaded when it runs (commands/index.ts). A build made
 * meanwhile (another datalek run after a source changed) keeps the chunks it no longer has for a
 * week and five builds (scripts/build.mjs removeOthers); dist/cli/ changed by hand can still lose one.
 */
function missingPartOfBuild(err: unknown): string | null {
  if ((err as NodeJS.ErrnoException | null)?.code !== 'ERR_MODULE_NOT_FOUND') return null;
  return /'[^']*\/(dist\/cli\/[^']+)'/.exec((err as Error).message)?.[1] ?? null;
}

/**
 * A reader that goes away (`datalek status | head`) closes the pipe: stop quietly with exit 0, as
 * Unix tools do on SIGPIPE, instead of dying with a stack trace and exit 1. (A commit in progress
 * is one SQLite transaction: it is stored whole or not at all.)
 */
export function stopQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
}

const isEntryPoint = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntryPoint) {
  stopQuietlyOnClosedPipe();
  main(process.argv.slice(2), {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    errIsTty: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
  }).then((code) => {
    process.exitCode = code;
  });
}
