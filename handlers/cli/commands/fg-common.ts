import { userInfo } from 'node:os';
import { missingFacts } from '../../core/draft.js';
import type { FgDeps } from '../../core/fg-workflow.js';
import type { Incident } from '../../core/incident.js';
import { elisionsIn, placeholdersIn } from '../../core/notice.js';
import type { Policy } from '../../core/policy.js';
import { oneLine } from '../../core/text.js';
import { localWithInstant } from '../../core/time.js';
import type { Action } from '../../use-cases/actions.js';
import { type FieldSpec, parseFields } from '../../use-cases/fields.js';
import { type Context, deliverQueued, type FlagSpec, loadIncident, personDeps, withBackend } from '../context.js';
import { refuseUnlessFg } from '../fg-role.js';
import { statusObject } from '../views.js';

/** A time the FG reads in a command's message, as show and the draft give it (core/time.ts `localWithInstant`); "none" without one. */
export function shownAt(iso: string | null | undefined, policy: Policy): string {
  return iso ? localWithInstant(iso, policy.timeZone) : 'none';
}

/** Who records an FG decision: `--by`, else the OS user. */
export function fgActor(ctx: Context): string {
  return (ctx.flags.by as string | undefined) ?? userInfo().username;
}

/**
 * `fgDecision`: the command, when what it records is the FG's decision (assess, reported, subjects,
 * close): on AWS then recorded only by a session of the FG's role (fg-role.ts).
 */
export interface FgOptions {
  showMissing?: boolean;
  warning?: (incident: Incident) => string | null;
  fgDecision?: string;
}

/**
 * Runs one of the FG's recording use cases on the incident named on the command line, after every
 * flag was validated (nothing is written on a bad one), and prints what changed: `what` says it in
 * a sentence, followed by the incident's state and how many facts the AP notification still lacks.
 */
export async function recordFg(
  ctx: Context,
  run: (deps: FgDeps) => Promise<Incident>,
  what: (incident: Incident, before: Incident) => string,
  options: FgOptions = {},
): Promise<number> {
  const id = ctx.positionals[0];
  return withBackend(ctx, 'write', async (backend) => {
    // Before anything is read or written: on AWS only the FG's role records the FG's decisions.
    if (options.fgDecision) await refuseUnlessFg(options.fgDecision, backend.caller, backend.fgRole);
    // As it was, for `what` to say what the change set aside (core/fg-workflow.ts recordFacts).
    const before = await loadIncident(backend.store, id);
    const b = backend;
    const incident = await run(personDeps(ctx, b));
    // What the change queued goes out now: only closing an incident paged through a pager queues
    // something (resolving its alert there); the FG's other decisions queue no message.
    if (incident.pager) {
      await deliverQueued(ctx, b, { incidentId: incident.id });
    }
    // On stderr, so a script reading --json still sees it and its stdout stays JSON.
    const warning = options.warning?.(incident);
    if (warning) ctx.io.err(oneLine(warning));
    if (ctx.flags.json) {
      ctx.io.out(JSON.stringify(statusObject(incident, ctx.policy, ctx.now()), null, 2));
      return 0;
    }
    // Nothing to count for an AP notification the FG assessed as not needed (or a sample finding's).
    const toNotify = incident.assessment?.notifiable !== false && !incident.sample;
    const missing = options.showMissing === false || !toNotify ? [] : missingFacts(incident, ctx.policy, ctx.now(), ctx.policy.language);
    ctx.io.out(
      oneLine(
        [
          what(incident, before),
          `${incident.id} is now ${incident.state}.`,
          missing.length ? `Still missing for the AP notification: ${missing.length} (datalek draft ${incident.id}).` : '',
        ]
          .filter(Boolean)
          .join(' '),
      ),
    );
    return 0;
  });
}

/** The flags of a use case's fields (a `flag` field is a boolean flag, the others take text), and --by. */
export function flagsOf(fields: readonly FieldSpec[]): Record<string, FlagSpec> {
  return { ...Object.fromEntries(fields.map((f) => [f.name, { type: f.kind === 'flag' ? 'boolean' : 'string' } as FlagSpec])), by: { type: 'string' } };
}

/**
 * Runs one of the FG's use cases (use-cases/actions.ts) from the command line: its fields read from
 * the flags (the first bad one is a usage error, before the store is opened), as the person named
 * by --by, then recorded and told as `recordFg` does.
 */
export async function recordAction<Fs extends readonly FieldSpec[], I>(
  ctx: Context,
  action: Action<Fs, I, Incident, FgDeps>,
  what: (incident: Incident, input: I, before: Incident) => string,
  options: FgOptions = {},
): Promise<number> {
  const input = action.input(parseFields(action.fields, ctx.flags), { incidentId: ctx.positionals[0], by: fgActor(ctx) });
  return recordFg(
    ctx,
    (deps) => action.run(deps, input),
    (incident, before) => what(incident, input, before),
    options,
  );
}

/** After a decision recorded on a closed incident: where new activity on its finding is decided, when it was active again. */
export function afterCloseNote(incident: Incident): string {
  const latest = incident.followUps?.at(-1);
  return latest ? ` Its finding was active again after closing: new activity is assessed on follow-up incident ${latest}.` : '';
}

/**
 * Placeholders (`[datum]`, `XXX`, `TODO`, `<...>`) or an elision "…" in the reasons for the delay
 * given with a report, or with a move of awareness that makes the report late (assess): they are what
 * the AP was given (Art. 33(1)), kept in the register and the draft as such (law27 item 5, red27 #6),
 * as the Art. 34 text is warned about. Recorded as given, and said.
 */
export function delayReasonWarning(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  const found = [...placeholdersIn(text), ...elisionsIn(text).map((e) => `"…" in ${e}`)];
  if (!found.length) return null;
  return `Warning: the reasons for the delay recorded as given to the AP hold placeholders still to be filled in: ${found.join('; ')}. The register keeps them as given (Art. 33(1)). If the AP was given them written out, give them as given with a follow-up (--kind follow-up --delay-reason TEXT).`;
}
