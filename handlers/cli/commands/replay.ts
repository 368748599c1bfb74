import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionsToEnforce, runContainment } from '../../core/contain.js';
import { deliverPending } from '../../core/deliver.js';
import { type RecordDeps, type RecordResult, recordEvent, recordEventText } from '../../core/record-finding.js';
import type { Backend } from '../backend.js';
import { type Command, type Context, withBackend } from '../context.js';
import { UsageError } from '../errors.js';
import { expandPaths } from '../inputs.js';

export const replayCommand: Command = {
  name: 'replay',
  section: 'main',
  usage: `  datalek replay [PATH...] [--policy FILE] [--enforce]
                                             record events (files or folders; default events/);
                                             --enforce (only with --target aws) carries out containment`,
  flags: { enforce: { type: 'boolean' } },
  positionals: 'many',
  check(flags, target) {
    // Local replay never enforces: the embedded store has no resources to touch.
    if (flags.enforce && target !== 'aws') throw new UsageError('--enforce only with --target aws: local replay never touches a resource');
  },
  run: replay,
};

async function replay(ctx: Context): Promise<number> {
  const { io, flags } = ctx;
  const files = expandPaths(ctx.positionals.length ? ctx.positionals : [join(io.cwd, 'events')], io.cwd);
  const inputs = files.flatMap((file) => readInputs(file));
  return withBackend(ctx, 'create', async (backend) => {
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
