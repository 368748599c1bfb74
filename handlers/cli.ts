/**
 * The `datalek` command line: replay GuardDuty events, see and acknowledge incidents, sweep the
 * deadlines. Machine output (`--json`) follows ../shared/cli-contract.md; everything for people goes
 * to tables with times in the policy's zone.
 *
 * Exit codes: 0 ok; 1 `replay` rejected at least one input; 2 a bad flag, an unreadable path or an
 * unknown incident (one line on stderr, nothing written); 3 the store or another part failed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
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
import { buildDraft, draftMarkdown, missingFacts } from './core/draft.js';
import { DatalekError, IncidentNotFoundError, InvalidPolicyError, RefusedError } from './core/errors.js';
import { assess, closeIncident, decideSubjects, type FgDeps, recordFacts, recordReport } from './core/fg-workflow.js';
import type { Incident } from './core/incident.js';
import { verifyTimeline } from './core/incident.js';
import { loadPolicy, type Policy } from './core/policy.js';
import { type RecordDeps, type RecordResult, recordEvent, recordEventText } from './core/record-finding.js';
import { registerCsv, registerMarkdown, registerRow } from './core/register.js';
import { releaseContainment } from './core/release.js';
import { reportHtml } from './core/report-html.js';
import { sweep } from './core/sweep.js';
import { fixedClock, systemClock } from './ports/clock.js';

const USAGE = `datalek: GuardDuty findings to AVG breach response

Usage:
  datalek replay [PATH...] [--policy FILE] [--enforce]
                                             record events (files or folders; default events/);
                                             --enforce (only with --target aws) carries out containment
  datalek status                             open incidents, most urgent first
  datalek show ID                            one incident and its timeline
  datalek ack ID [--by NAME] [--note TEXT]   on-call takes the incident (stops the escalation, not the AP clock)
  datalek sweep                              send the reminders and escalation pages that are due
  datalek release ID --by NAME --reason TEXT [--reactivate-key]
                                             undo containment from what was recorded (--target aws)
  datalek messages ID                        the FG and on-call messages of an incident, in full
  datalek verify [ID]                        check the timelines' hash chains
  datalek setup --target aws                 create the tables, topics and bus (for an emulator)

The FG's workflow:
  datalek assess ID --personal-data yes|no|unknown --risk none|risk|high --reason TEXT [--aware-at ISO] [--by NAME]
  datalek facts ID [--nature confidentiality,integrity,availability] [--categories A,B] [--special A,B]
                   [--subject-groups A,B] [--subjects MIN-MAX] [--records N] [--consequences TEXT]
                   [--measures TEXT] [--unintelligible yes|no|partly] [--cross-border yes|no] [--complete] [--by NAME]
  datalek draft ID [--lang nl|en] [--format md|json]       the AP notification draft, missing facts first
  datalek reported ID --reference NUMBER [--at ISO] [--delay-reason TEXT]
                   [--kind initial|follow-up|correction|withdrawal] [--recipient ap|csirt|controller] [--by NAME]
  datalek subjects ID --decision inform|exception|not-required --reason TEXT [--date ISO] [--channel TEXT]
                   [--exception encrypted|measures-taken|disproportionate-effort] [--by NAME]   (Art. 34)
  datalek close ID --reason TEXT [--by NAME]
  datalek register [--format csv|json|md] [--from ISO] [--to ISO]
  datalek report ID --html FILE [--lang nl|en]

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
  'personal-data': { type: 'string' },
  risk: { type: 'string' },
  'aware-at': { type: 'string' },
  nature: { type: 'string' },
  categories: { type: 'string' },
  special: { type: 'string' },
  'subject-groups': { type: 'string' },
  subjects: { type: 'string' },
  records: { type: 'string' },
  consequences: { type: 'string' },
  measures: { type: 'string' },
  unintelligible: { type: 'string' },
  'cross-border': { type: 'string' },
  complete: { type: 'boolean' },
  lang: { type: 'string' },
  format: { type: 'string' },
  reference: { type: 'string' },
  at: { type: 'string' },
  'delay-reason': { type: 'string' },
  kind: { type: 'string' },
  recipient: { type: 'string' },
  decision: { type: 'string' },
  date: { type: 'string' },
  channel: { type: 'string' },
  exception: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  html: { type: 'string' },
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
} & Record<string, string | boolean | undefined>;

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
  assess: { flags: ['personal-data', 'risk', 'reason', 'aware-at', 'by'], positionals: 'one' },
  facts: {
    flags: [
      'nature',
      'categories',
      'special',
      'subject-groups',
      'subjects',
      'records',
      'consequences',
      'measures',
      'unintelligible',
      'cross-border',
      'complete',
      'by',
    ],
    positionals: 'one',
  },
  draft: { flags: ['lang', 'format'], positionals: 'one' },
  reported: { flags: ['reference', 'at', 'delay-reason', 'kind', 'recipient', 'by'], positionals: 'one' },
  subjects: { flags: ['decision', 'reason', 'date', 'channel', 'exception', 'by'], positionals: 'one' },
  close: { flags: ['reason', 'by'], positionals: 'one' },
  register: { flags: ['format', 'from', 'to'], positionals: 'none' },
  report: { flags: ['html', 'lang'], positionals: 'one' },
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
      case 'assess':
      case 'facts':
      case 'reported':
      case 'subjects':
      case 'close':
        return await fgCommand(ctx, command);
      case 'draft':
        return await draftCommand(ctx);
      case 'register':
        return await registerCommand(ctx);
      case 'report':
        return await reportCommand(ctx);
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
    ctx: { target, flags, positionals, storeDir, policy, now: (nowIso ? fixedClock(nowIso) : systemClock).now, io },
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
  // This event's actions are the last ones planned for its finding, in order (two buckets are two actions).
  const mine = contained.incident.actions.filter((a) => a.findingId === result.findingId).slice(-result.actions.length);
  return { ...result, actions: mine.map((a) => ({ type: a.type, status: a.status })) };
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
      ctx.io.out(
        JSON.stringify(
          incidents.map((i) => statusObject(i, ctx.policy, ctx.now())),
          null,
          2,
        ),
      );
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
    ctx.io.out(
      ctx.flags.json ? JSON.stringify(showObject(incident, timeline, ctx.policy, ctx.now()), null, 2) : showText(incident, timeline, ctx.policy, ctx.now()),
    );
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

function oneOf<T extends string>(flag: string, value: unknown, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}${value === undefined ? '' : `, got ${JSON.stringify(value)}`}`);
  }
  return value as T;
}

function isoFlag(flag: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value) ||
    !Number.isFinite(Date.parse(value))
  ) {
    throw new UsageError(`--${flag} must be an ISO 8601 time such as 2026-11-28T09:30:00+01:00, got ${JSON.stringify(value)}`);
  }
  return new Date(Date.parse(value)).toISOString();
}

function listFlag(value: unknown): string[] | undefined {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;
}

function countFlag(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** The FG's recording commands: validate every flag first (nothing is written on a bad one). */
async function fgCommand(ctx: Context, command: 'assess' | 'facts' | 'reported' | 'subjects' | 'close'): Promise<number> {
  const f = ctx.flags;
  const by = (f.by as string | undefined) ?? userInfo().username;
  const id = ctx.positionals[0];
  let run: (deps: FgDeps) => Promise<Incident>;
  if (command === 'assess') {
    const input = {
      incidentId: id,
      personalData: oneOf('personal-data', f['personal-data'], ['yes', 'no', 'unknown'] as const),
      risk: oneOf('risk', f.risk, ['none', 'risk', 'high'] as const),
      reason: typeof f.reason === 'string' ? f.reason : '',
      awareAt: isoFlag('aware-at', f['aware-at']),
      by,
    };
    if (!input.reason.trim()) throw new UsageError('assess needs --reason TEXT: the reasoning is kept for the register (Art. 33(5))');
    run = (deps) => assess(deps, input);
  } else if (command === 'facts') {
    const nature = listFlag(f.nature);
    for (const n of nature ?? []) oneOf('nature', n, ['confidentiality', 'integrity', 'availability'] as const);
    let subjectsMin: number | undefined;
    let subjectsMax: number | undefined;
    if (f.subjects !== undefined) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(String(f.subjects));
      if (!m) throw new UsageError(`--subjects must be MIN-MAX or a number, got ${JSON.stringify(f.subjects)}`);
      subjectsMin = Number(m[1]);
      subjectsMax = Number(m[2] ?? m[1]);
    }
    const input = {
      incidentId: id,
      by,
      nature: nature as ('confidentiality' | 'integrity' | 'availability')[] | undefined,
      categories: listFlag(f.categories),
      specialCategories: listFlag(f.special),
      subjectGroups: listFlag(f['subject-groups']),
      subjectsMin,
      subjectsMax,
      records: countFlag('records', f.records),
      consequences: f.consequences as string | undefined,
      measuresProposed: f.measures as string | undefined,
      unintelligible: f.unintelligible === undefined ? undefined : oneOf('unintelligible', f.unintelligible, ['yes', 'no', 'partly'] as const),
      crossBorder: f['cross-border'] === undefined ? undefined : oneOf('cross-border', f['cross-border'], ['yes', 'no'] as const) === 'yes',
      complete: f.complete === true ? true : undefined,
    };
    run = (deps) => recordFacts(deps, input);
  } else if (command === 'reported') {
    if (typeof f.reference !== 'string' || !f.reference.trim()) throw new UsageError('reported needs --reference NUMBER (the meldingsnummer the AP gave)');
    const recipient = oneOf('recipient', f.recipient, ['ap', 'csirt', 'controller'] as const, 'ap');
    const input = {
      incidentId: id,
      reference: f.reference,
      by,
      to: recipient,
      kind: f.kind as string | undefined,
      at: isoFlag('at', f.at),
      delayReason: f['delay-reason'] as string | undefined,
    };
    run = async (deps) => (await recordReport(deps, input)).incident;
  } else if (command === 'subjects') {
    const input = {
      incidentId: id,
      decision: oneOf('decision', f.decision, ['inform', 'exception', 'not-required'] as const),
      reason: typeof f.reason === 'string' ? f.reason : '',
      by,
      date: isoFlag('date', f.date),
      channel: f.channel as string | undefined,
      exception: f.exception === undefined ? undefined : oneOf('exception', f.exception, ['encrypted', 'measures-taken', 'disproportionate-effort'] as const),
    };
    if (!input.reason.trim()) throw new UsageError('subjects needs --reason TEXT');
    run = (deps) => decideSubjects(deps, input);
  } else {
    if (typeof f.reason !== 'string' || !f.reason.trim()) throw new UsageError('close needs --reason TEXT');
    const input = { incidentId: id, by, reason: f.reason };
    run = (deps) => closeIncident(deps, input);
  }
  return withBackend(ctx, false, async (backend) => {
    await loadIncident(backend?.store ?? null, id);
    const b = backend as Backend;
    const incident = await run({ store: b.store, policy: ctx.policy, now: ctx.now });
    if (ctx.flags.json) ctx.io.out(JSON.stringify(statusObject(incident, ctx.policy, ctx.now()), null, 2));
    else ctx.io.out(fgSummary(command, incident, ctx));
    return 0;
  });
}

function fgSummary(command: string, incident: Incident, ctx: Context): string {
  const missing = missingFacts(incident, ctx.policy, ctx.now(), ctx.policy.language);
  const tail = `${incident.id} is now ${incident.state}.`;
  const what: Record<string, string> = {
    assess: incident.assessment?.notifiable
      ? `Assessed as notifiable (${incident.assessment.risk}); the AP deadline is ${incident.deadline}.`
      : 'Assessed as not notifiable: the AP clock stops; the reasoning stays in the register.',
    facts: `Facts recorded${incident.facts?.complete ? ' and marked complete' : ''}.`,
    reported: `Report recorded (${(incident.reports ?? []).at(-1)?.to} ${(incident.reports ?? []).at(-1)?.kind} ${(incident.reports ?? []).at(-1)?.reference}).`,
    subjects: `Art. 34 decision recorded: ${incident.subjects?.decision}.`,
    close: 'Closed; it stays in the register.',
  };
  return [
    what[command],
    tail,
    missing.length && command !== 'close' ? `Still missing for the AP notification: ${missing.length} (datalek draft ${incident.id}).` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

async function draftCommand(ctx: Context): Promise<number> {
  const lang = oneOf('lang', ctx.flags.lang, ['nl', 'en'] as const, ctx.policy.language);
  const format = oneOf('format', ctx.flags.format, ['md', 'json'] as const, ctx.flags.json ? 'json' : 'md');
  return withBackend(ctx, false, async (backend) => {
    const incident = await loadIncident(backend?.store ?? null, ctx.positionals[0]);
    const draft = buildDraft(incident, ctx.policy, ctx.now(), lang);
    ctx.io.out(format === 'json' ? JSON.stringify(draft, null, 2) : draftMarkdown(draft));
    return 0;
  });
}

async function registerCommand(ctx: Context): Promise<number> {
  const format = oneOf('format', ctx.flags.format, ['csv', 'json', 'md'] as const, ctx.flags.json ? 'json' : 'csv');
  const from = isoFlag('from', ctx.flags.from);
  const to = isoFlag('to', ctx.flags.to);
  return withBackend(ctx, false, async (backend) => {
    const incidents = backend ? await backend.store.listIncidents({ from, to }) : [];
    const rows = incidents.map((i) => registerRow(i, ctx.policy, ctx.now()));
    ctx.io.out(format === 'json' ? JSON.stringify(rows, null, 2) : format === 'md' ? registerMarkdown(rows) : registerCsv(rows));
    return 0;
  });
}

async function reportCommand(ctx: Context): Promise<number> {
  const file = ctx.flags.html;
  if (typeof file !== 'string' || !file) throw new UsageError('report needs --html FILE');
  const lang = oneOf('lang', ctx.flags.lang, ['nl', 'en'] as const, ctx.policy.language);
  return withBackend(ctx, false, async (backend) => {
    const incident = await loadIncident(backend?.store ?? null, ctx.positionals[0]);
    const timeline = await (backend as Backend).store.getTimeline(incident.id);
    try {
      writeFileSync(file, reportHtml(incident, timeline, ctx.policy, ctx.now(), lang));
    } catch (err) {
      throw new UsageError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    ctx.io.out(ctx.flags.json ? JSON.stringify({ incidentId: incident.id, file }) : `Wrote the report of ${incident.id} to ${file}.`);
    return 0;
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
