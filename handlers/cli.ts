/**
 * The `datalek` command line: replay GuardDuty events, see and acknowledge incidents, sweep the
 * deadlines. Machine output (`--json`) follows ../shared/cli-contract.md; everything for people goes
 * to tables with times in the policy's zone.
 *
 * Exit codes: 0 ok; 1 `replay` rejected at least one input; 2 a bad flag, an unreadable path or an
 * unknown incident (one line on stderr, nothing written); 3 the store or another part failed.
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAwsClients } from './adapters/aws/clients.js';
import { setupAwsResources } from './adapters/aws/setup.js';
import { awsSettings, type Backend, openBackend, type Target } from './cli/backend.js';
import { UsageError } from './cli/errors.js';
import { expandPaths } from './cli/inputs.js';
import { signedAcknowledge } from './cli/signed-ack.js';
import { byUrgency, showObject, showText, statusObject, statusTable, table } from './cli/views.js';
import { acknowledge } from './core/acknowledge.js';
import { actionsToEnforce, runContainment } from './core/contain.js';
import { deliverPending } from './core/deliver.js';
import { DatalekError, IncidentNotFoundError, InvalidPolicyError, RefusedError } from './core/errors.js';
import { verifyTimeline } from './core/incident.js';
import { loadPolicy, type Policy } from './core/policy.js';
import { type RecordDeps, type RecordResult, recordEvent, recordEventText } from './core/record-finding.js';
import { releaseContainment } from './core/release.js';
import { sweep } from './core/sweep.js';

const USAGE = `datalek: GuardDuty findings to AVG breach response

Usage:
  datalek replay [PATH...] [--policy FILE] [--enforce]
                                             record events (files or folders; default events/);
                                             --enforce (only with --target aws) carries out containment
  datalek status                             open incidents, most urgent first
  datalek show ID                            one incident and its timeline
  datalek ack ID [--by NAME] [--note TEXT]   on-call takes the incident (stops re-pages, not the AP clock)
  datalek sweep                              send the reminders and re-pages that are due
  datalek release ID --by NAME --reason TEXT [--reactivate-key]
                                             undo containment from what was recorded (--target aws)
  datalek messages ID                        the FG and on-call messages of an incident, in full
  datalek verify [ID]                        check the timelines' hash chains
  datalek setup --target aws                 create the tables, topics and bus (for an emulator)

Common flags:
  --store DIR      the embedded store (default .datalek, or DATALEK_STORE)
  --now ISO        the clock for this run (default: the system clock)
  --policy FILE    the policy file (default: built-in, or DATALEK_POLICY)
  --target T       local (the embedded store, default) or aws (DynamoDB and SNS; AWS_REGION,
                   and AWS_ENDPOINT_URL for an emulator such as moto)
  --json           machine output on stdout (see cli-contract.md)
`;

const OPTIONS = {
  store: { type: 'string' },
  now: { type: 'string' },
  policy: { type: 'string' },
  target: { type: 'string' },
  json: { type: 'boolean' },
  by: { type: 'string' },
  note: { type: 'string' },
  reason: { type: 'string' },
  enforce: { type: 'boolean' },
  'reactivate-key': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = {
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
};

/** Which flags each command takes besides the common ones. */
const COMMANDS: Record<string, { flags: (keyof Flags)[]; positionals: 'none' | 'one' | 'optional-one' | 'many' }> = {
  replay: { flags: ['enforce'], positionals: 'many' },
  status: { flags: [], positionals: 'none' },
  show: { flags: [], positionals: 'one' },
  ack: { flags: ['by', 'note'], positionals: 'one' },
  sweep: { flags: [], positionals: 'none' },
  messages: { flags: [], positionals: 'one' },
  verify: { flags: [], positionals: 'optional-one' },
  setup: { flags: [], positionals: 'none' },
  release: { flags: ['by', 'reason', 'reactivate-key'], positionals: 'one' },
};
const COMMON: (keyof Flags)[] = ['store', 'now', 'policy', 'target', 'json', 'help'];

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stderr is a terminal (then replay draws a progress bar). */
  errIsTty: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

interface Context {
  target: Target;
  flags: Flags;
  positionals: string[];
  storeDir: string;
  policy: Policy;
  now: () => string;
  io: Io;
}

export async function main(argv: string[], io: Io): Promise<number> {
  let ctx: Context;
  let command: string;
  try {
    ({ ctx, command } = parseCommandLine(argv, io));
  } catch (err) {
    return fail(io, err);
  }
  if (ctx.flags.help) {
    io.out(USAGE);
    return 0;
  }
  try {
    switch (command) {
      case 'replay':
        return await replay(ctx);
      case 'status':
        return await status(ctx);
      case 'show':
        return await show(ctx);
      case 'ack':
        return await ack(ctx);
      case 'sweep':
        return await runSweep(ctx);
      case 'messages':
        return await messages(ctx);
      case 'verify':
        return await verify(ctx);
      case 'setup':
        return await setup(ctx);
      case 'release':
        return await release(ctx);
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    return fail(io, err);
  }
}

function parseCommandLine(argv: string[], io: Io): { ctx: Context; command: string } {
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (err) {
    // node's messages run on with advice about '--'; the first sentence names the problem.
    throw new UsageError((err as Error).message.split(/\.\s/)[0].replace(/^Unknown option '(.*)'$/, 'unknown option $1'));
  }
  const [command = parsed.values.help ? 'help' : '', ...positionals] = parsed.positionals;
  const flags = parsed.values;
  if (command === 'help' || (flags.help && !command)) {
    return { command: 'help', ctx: { target: 'local', flags: { help: true }, positionals: [], storeDir: '', policy: loadPolicy(), now: () => '', io } };
  }
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(command ? `unknown command ${JSON.stringify(command)} (try datalek --help)` : 'no command given (try datalek --help)');
  for (const [name, value] of Object.entries(flags)) {
    if (value !== undefined && !COMMON.includes(name as keyof Flags) && !spec.flags.includes(name as keyof Flags)) {
      throw new UsageError(`${command} does not take --${name}`);
    }
  }
  if (spec.positionals === 'none' && positionals.length) throw new UsageError(`${command} takes no arguments, got ${JSON.stringify(positionals[0])}`);
  if (spec.positionals === 'one' && positionals.length !== 1) throw new UsageError(`${command} needs exactly one incident id`);
  if (spec.positionals === 'optional-one' && positionals.length > 1) throw new UsageError(`${command} takes at most one incident id`);

  const target = flags.target ?? 'local';
  if (target !== 'local' && target !== 'aws') throw new UsageError(`--target must be local or aws, got ${JSON.stringify(target)}`);
  if (command === 'setup' && target !== 'aws') throw new UsageError('setup is for --target aws (the embedded store sets itself up)');
  // Local replay never enforces: the embedded store has no resources to touch.
  if (flags.enforce && target !== 'aws') throw new UsageError('--enforce only with --target aws: local replay never touches a resource');
  if (command === 'release' && (!flags.by || !flags.reason)) throw new UsageError('release needs --by NAME and --reason TEXT');
  if (target === 'aws') awsSettings(io.env);

  let nowIso: string | undefined;
  if (flags.now !== undefined) {
    const ms = Date.parse(flags.now);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(flags.now) || !Number.isFinite(ms)) {
      throw new UsageError(`--now must be an ISO 8601 time such as 2026-11-28T03:00:00Z, got ${JSON.stringify(flags.now)}`);
    }
    nowIso = new Date(ms).toISOString();
  }
  let policy: Policy;
  try {
    policy = loadPolicy(flags.policy ?? io.env.DATALEK_POLICY);
  } catch (err) {
    if (err instanceof InvalidPolicyError) throw new UsageError(err.message);
    throw err;
  }
  const storeDir = flags.store ?? io.env.DATALEK_STORE ?? join(io.cwd, '.datalek');
  return {
    command,
    ctx: { target, flags, positionals, storeDir, policy, now: nowIso ? () => nowIso : () => new Date().toISOString(), io },
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
  io.err(`datalek: unexpected failure: ${(err as Error).stack ?? String(err)}`);
  return 3;
}

/** Opens the backend (creating the embedded store only for commands that record something). */
async function withBackend<T>(ctx: Context, create: boolean, fn: (backend: Backend | null) => Promise<T>): Promise<T> {
  const backend = await openBackend({ target: ctx.target, storeDir: ctx.storeDir, env: ctx.io.env, create });
  try {
    return await fn(backend);
  } finally {
    await backend?.close();
  }
}

async function replay(ctx: Context): Promise<number> {
  const { io, flags } = ctx;
  const files = expandPaths(ctx.positionals.length ? ctx.positionals : [join(io.cwd, 'events')], io.cwd);
  const inputs = files.flatMap((file) => readInputs(file));
  return withBackend(ctx, true, async (backend) => {
    if (!backend) throw new Error('unreachable: replay creates its store');
    const { store } = backend;
    const deps: RecordDeps = { store, policy: ctx.policy, now: ctx.now, canEnforce: backend.containment.canEnforce, forceEnforce: flags.enforce === true };
    const notifier = backend.notifier(flags.json ? () => {} : io.err);
    const progress = !flags.json && io.errIsTty && inputs.length > 20 ? new Progress(io.err, inputs.length) : null;
    const results: (RecordResult & { input: string })[] = [];
    for (const input of inputs) {
      let result = input.value !== undefined ? await recordEvent(deps, input.value) : await recordEventText(deps, input.text ?? '');
      if (result.incidentId && backend.containment.canEnforce) result = await containNow(ctx, backend, result);
      const line = { input: input.name, ...result };
      results.push(line);
      if (flags.json) io.out(JSON.stringify(jsonLine(line)));
      else if (!progress) io.out(replayLine(line));
      await deliverPending({ store, notifier: progress ? backend.notifier(() => {}) : notifier, now: ctx.now });
      progress?.tick();
    }
    progress?.done();
    if (!flags.json) io.out(replaySummary(results));
    return results.some((r) => r.outcome === 'rejected') ? 1 : 0;
  });
}

/** On AWS, carries out the enforced actions of the incident at once, and reports their outcome. */
async function containNow(ctx: Context, backend: Backend, result: RecordResult): Promise<RecordResult> {
  const incident = await backend.store.getIncident(result.incidentId as string);
  if (!incident || actionsToEnforce(incident).length === 0) return result;
  const contained = await runContainment({ store: backend.store, policy: ctx.policy, now: ctx.now, containment: backend.containment }, incident.id);
  const byType = new Map(contained.actions.map((a) => [a.type, a.status]));
  return { ...result, actions: result.actions.map((a) => ({ type: a.type, status: byType.get(a.type) ?? a.status })) };
}

interface Input {
  name: string;
  text?: string;
  value?: unknown;
}

/** A file holds one event or an array of events; a file that is not JSON is one rejected input. */
function readInputs(file: string): Input[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [{ name: `${file}#0`, text }];
  }
  if (Array.isArray(value)) return value.map((v, i) => ({ name: `${file}#${i}`, value: v }));
  return [{ name: `${file}#0`, text }];
}

function jsonLine(line: RecordResult & { input: string }) {
  const { input, outcome, findingId, incidentId, severity, deadline, actions, reason, messages } = line;
  return { input, outcome, findingId, incidentId, severity, deadline, actions, ...(reason !== undefined ? { reason } : {}), messages };
}

function replayLine(r: RecordResult & { input: string }): string {
  const what = r.incidentId ? `${r.incidentId}` : '';
  const extra = r.reason ? `  ${r.reason}` : r.actions.length ? `  containment: ${r.actions.map((a) => `${a.type} ${a.status}`).join(', ')}` : '';
  return `${r.outcome.padEnd(9)} ${r.input}  ${what}${extra}`;
}

function replaySummary(results: RecordResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  const parts = [...counts.entries()].map(([k, v]) => `${v} ${k}`);
  return `\n${results.length} event${results.length === 1 ? '' : 's'}: ${parts.join(', ')}. See the incidents with: datalek status`;
}

class Progress {
  private n = 0;
  constructor(
    private readonly write: (s: string) => void,
    private readonly total: number,
  ) {}
  tick(): void {
    this.n += 1;
    if (this.n % Math.max(1, Math.floor(this.total / 100)) !== 0 && this.n !== this.total) return;
    const width = 30;
    const filled = Math.round((this.n / this.total) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.n}/${this.total}`);
  }
  done(): void {
    this.write('');
  }
}

async function status(ctx: Context): Promise<number> {
  return withBackend(ctx, false, async (backend) => {
    const store = backend?.store ?? null;
    const incidents = store ? (await store.listIncidents({ openOnly: true })).sort(byUrgency) : [];
    if (ctx.flags.json) {
      ctx.io.out(JSON.stringify(incidents.map(statusObject), null, 2));
    } else if (incidents.length === 0) {
      ctx.io.out('No open incidents.');
    } else {
      ctx.io.out(statusTable(incidents, ctx.policy, ctx.now()));
      const unacked = incidents.filter((i) => i.state === 'open' && !i.sample).length;
      ctx.io.out(
        `\n${incidents.length} open incident${incidents.length === 1 ? '' : 's'}, ${unacked} not acknowledged. Details: datalek show ID; take one: datalek ack ID`,
      );
    }
    return 0;
  });
}

async function loadIncident(store: Backend['store'] | null, id: string) {
  const incident = store ? await store.getIncident(id) : undefined;
  if (!incident) throw new IncidentNotFoundError(id);
  return incident;
}

async function show(ctx: Context): Promise<number> {
  return withBackend(ctx, false, async (backend) => {
    const store = backend?.store ?? null;
    const incident = await loadIncident(store, ctx.positionals[0]);
    const timeline = await (store as Backend['store']).getTimeline(incident.id);
    ctx.io.out(ctx.flags.json ? JSON.stringify(showObject(incident, timeline), null, 2) : showText(incident, timeline, ctx.policy, ctx.now()));
    return 0;
  });
}

async function ack(ctx: Context): Promise<number> {
  const url = ctx.io.env.DATALEK_ACK_URL;
  if (ctx.target === 'aws' && url) return signedAck(ctx, url);
  return withBackend(ctx, false, async (backend) => {
    const store = backend?.store ?? null;
    const incident = await loadIncident(store, ctx.positionals[0]);
    const by = ctx.flags.by ?? userInfo().username;
    const result = await acknowledge(
      { store: store as Backend['store'], policy: ctx.policy, now: ctx.now },
      { incidentId: incident.id, by, note: ctx.flags.note },
    );
    printAck(
      ctx,
      {
        incidentId: result.incident.id,
        changed: result.changed,
        acknowledgedBy: result.incident.acknowledgedBy,
        acknowledgedAt: result.incident.acknowledgedAt,
      },
      result.incident.deadline,
    );
    return 0;
  });
}

/** On AWS: the acknowledgement goes through the IAM-authorised URL, as the signed caller (never --by). */
async function signedAck(ctx: Context, url: string): Promise<number> {
  if (ctx.flags.by) throw new UsageError('--by cannot be used with DATALEK_ACK_URL: the acknowledger is the identity that signs the request');
  const { region } = awsSettings(ctx.io.env);
  const response = await signedAcknowledge(url, region, { incidentId: ctx.positionals[0], note: ctx.flags.note });
  if (response.status === 404) throw new IncidentNotFoundError(ctx.positionals[0]);
  if (response.status !== 200) {
    ctx.io.err(`datalek: the acknowledgement was refused (HTTP ${response.status}): ${response.body.error ?? 'no reason given'}`);
    return response.status === 403 ? 2 : 3;
  }
  printAck(ctx, response.body as Parameters<typeof printAck>[1], null);
  return 0;
}

function printAck(
  ctx: Context,
  a: { incidentId: string; changed: boolean; acknowledgedBy: string | null; acknowledgedAt: string | null },
  deadline: string | null,
): void {
  if (ctx.flags.json) ctx.io.out(JSON.stringify(a));
  else if (a.changed)
    ctx.io.out(`Acknowledged ${a.incidentId} as ${a.acknowledgedBy}. Pages stop; the AP deadline does not${deadline ? ` (${deadline})` : ''}.`);
  else ctx.io.out(`${a.incidentId} was already acknowledged by ${a.acknowledgedBy} at ${a.acknowledgedAt}; nothing changed.`);
}

async function runSweep(ctx: Context): Promise<number> {
  return withBackend(ctx, false, async (backend) => {
    const store = backend?.store ?? null;
    if (!backend || !store) {
      ctx.io.out(ctx.flags.json ? '[]' : 'No store yet: nothing is due.');
      return 0;
    }
    const result = await sweep({ store, policy: ctx.policy, now: ctx.now });
    for (const f of result.failed) ctx.io.err(`datalek: incident ${f.incidentId} could not be swept: ${f.error} (datalek verify ${f.incidentId})`);
    await deliverPending({ store, notifier: backend.notifier(ctx.flags.json ? () => {} : ctx.io.err), now: ctx.now });
    if (ctx.flags.json) ctx.io.out(JSON.stringify(result.sent, null, 2));
    else if (result.sent.length === 0) ctx.io.out('Nothing due.');
    else
      ctx.io.out(
        table(
          ['INCIDENT', 'KIND', 'DUE AT'],
          result.sent.map((s) => [s.incidentId, s.kind, s.dueAt]),
        ),
      );
    return 0;
  });
}

async function messages(ctx: Context): Promise<number> {
  return withBackend(ctx, false, async (backend) => {
    const store = backend?.store ?? null;
    const incident = await loadIncident(store, ctx.positionals[0]);
    const list = await (store as Backend['store']).listMessages(incident.id);
    if (ctx.flags.json) {
      ctx.io.out(JSON.stringify(list, null, 2));
    } else if (list.length === 0) {
      ctx.io.out(`No messages for ${incident.id} (below the policy's thresholds for the FG and on-call).`);
    } else {
      ctx.io.out(
        list
          .map((m) => `To: ${m.channel === 'fg' ? 'FG' : 'on-call'}   ${m.sentAt ? `sent ${m.sentAt}` : 'PENDING'}\nSubject: ${m.subject}\n\n${m.body}`)
          .join(`\n\n${'-'.repeat(72)}\n\n`),
      );
    }
    return 0;
  });
}

async function verify(ctx: Context): Promise<number> {
  return withBackend(ctx, false, async (backend) => {
    const store = backend?.store ?? null;
    const id = ctx.positionals[0];
    const incidents = id ? [await loadIncident(store, id)] : store ? await store.listIncidents() : [];
    const breaks = [];
    for (const incident of incidents) {
      const found = verifyTimeline(incident, await (store as Backend['store']).getTimeline(incident.id));
      if (found) breaks.push(found);
    }
    if (ctx.flags.json) {
      ctx.io.out(JSON.stringify({ checked: incidents.length, ok: breaks.length === 0, breaks }, null, 2));
    } else if (breaks.length === 0) {
      ctx.io.out(`${incidents.length} timeline${incidents.length === 1 ? '' : 's'} verified: every entry chains to the one before it.`);
    } else {
      for (const b of breaks) ctx.io.err(`datalek: incident ${b.incidentId}, entry ${b.seq}: ${b.problem}`);
    }
    return breaks.length === 0 ? 0 : 1;
  });
}

async function release(ctx: Context): Promise<number> {
  return withBackend(ctx, false, async (backend) => {
    const incident = await loadIncident(backend?.store ?? null, ctx.positionals[0]);
    const b = backend as Backend;
    const result = await releaseContainment(
      { store: b.store, policy: ctx.policy, now: ctx.now, containment: b.containment },
      { incidentId: incident.id, by: ctx.flags.by as string, reason: ctx.flags.reason as string, reactivateKey: ctx.flags['reactivate-key'] === true },
    );
    await deliverPending({ store: b.store, notifier: b.notifier(ctx.flags.json ? () => {} : ctx.io.err), now: ctx.now });
    if (ctx.flags.json) ctx.io.out(JSON.stringify(result, null, 2));
    else {
      for (const r of result.released) {
        ctx.io.out(`Released ${r.id}:`);
        for (const s of r.steps) ctx.io.out(`  ${s.status.padEnd(8)} ${s.name}${s.detail ? `: ${s.detail}` : ''}${s.code ? ` (${s.code})` : ''}`);
      }
    }
    return result.released.every((r) => r.steps.every((s) => s.status !== 'failed')) ? 0 : 1;
  });
}

async function setup(ctx: Context): Promise<number> {
  const { region } = awsSettings(ctx.io.env);
  const clients = createAwsClients(region);
  try {
    const result = await setupAwsResources(clients);
    if (ctx.flags.json) ctx.io.out(JSON.stringify(result, null, 2));
    else {
      ctx.io.out(result.created.length ? `Created: ${result.created.join(', ')}.` : 'Everything already existed.');
      ctx.io.out(`Tables ${result.table}, ${result.idempotencyTable}; topics ${result.fgTopicArn}, ${result.onCallTopicArn}; bus ${result.busName}.`);
    }
    return 0;
  } finally {
    for (const c of Object.values(clients)) c.destroy();
  }
}

const isEntryPoint = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntryPoint) {
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
