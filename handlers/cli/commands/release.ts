import type { StepRecord } from '../../core/incident.js';
import type { ReleaseOutcome, UndoneFor } from '../../core/release.js';
import { oneLine } from '../../core/text.js';
import { releaseAction } from '../../use-cases/actions.js';
import { parseFields } from '../../use-cases/fields.js';
import { actionDeps } from '../action-deps.js';
import { type Context, deliverQueued, withBackend } from '../context.js';

export async function release(ctx: Context): Promise<number> {
  return withBackend(ctx, 'write', async (backend) => {
    const b = backend;
    // The use case reads the incident (unknown: exit 2; unreadable: refused naming what is wrong, exit 2).
    const input = releaseAction.input(parseFields(releaseAction.fields, ctx.flags), { incidentId: ctx.positionals[0], by: ctx.flags.by as string });
    const result = await releaseAction.run(actionDeps(ctx, b), input);
    await deliverQueued(ctx, b);
    if (ctx.flags.json) ctx.io.out(JSON.stringify(result, null, 2));
    else for (const line of releaseLines(result)) ctx.io.out(line);
    return result.failed.length ? 1 : 0;
  });
}

/** What a release did, as the command prints it: each action released or not, with its steps, then the other incidents it changed. */
export function releaseLines(result: ReleaseOutcome): string[] {
  const out: string[] = [];
  const outSteps = (steps: StepRecord[]) => {
    for (const s of steps) out.push(oneLine(`  ${s.status.padEnd(8)} ${s.name}${s.detail ? `: ${s.detail}` : ''}${s.code ? ` (${s.code})` : ''}`));
  };
  for (const r of result.released) {
    out.push(`Released ${r.id}:`);
    outSteps(r.steps);
    if (r.unfinished?.length)
      out.push(`  The containment is undone; ${r.unfinished.join(', ')} failed after that: finish by hand (runbook release.md), on-call is told.`);
  }
  for (const r of result.failed) {
    if (r.partly)
      out.push(
        `PARTLY released ${r.id}: ${r.partly.undone.join(', ')} undone; ${r.partly.stillInEffect.join(', ')} still in effect (its undoing failed), and nothing after the undoing was done; recorded so (release again, or undo the rest by hand):`,
      );
    else out.push(`NOT released ${r.id}: a step failed; it is still in effect and recorded so (release again, or undo it by hand):`);
    outSteps(r.steps);
  }
  // The other incidents: what is not contained for them now, what carries it out, and that they are told (rel28 item 4).
  for (const u of result.undoneFor) out.push(handBackLine(u));
  return out;
}

function handBackLine(u: UndoneFor): string {
  const told = 'its FG and on-call are told';
  switch (u.now) {
    case 'released':
      return `Undone for incident ${u.incidentId}: ${u.actionId} recorded as released there; ${told}`;
    case 'reopened':
      return `Reopened for incident ${u.incidentId}: its ${u.actionId} stays in effect there, but the task network interface(s) it found isolated by this incident are back in their own groups, open again (said there); ${told}`;
    default:
      return `Handed back to incident ${u.incidentId}: ${u.actionId}, which it left to this incident or found contained by it, is not contained for it now: planned there again, not carried out (datalek contain ${u.incidentId} --enforce --by NAME --reason TEXT --target aws carries it out); ${told}`;
  }
}
