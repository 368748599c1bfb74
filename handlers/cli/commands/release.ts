import type { StepRecord } from '../../core/incident.js';
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
    else {
      const outSteps = (steps: StepRecord[]) => {
        for (const s of steps) ctx.io.out(oneLine(`  ${s.status.padEnd(8)} ${s.name}${s.detail ? `: ${s.detail}` : ''}${s.code ? ` (${s.code})` : ''}`));
      };
      for (const r of result.released) {
        ctx.io.out(`Released ${r.id}:`);
        outSteps(r.steps);
        if (r.unfinished?.length)
          ctx.io.out(`  The containment is undone; ${r.unfinished.join(', ')} failed after that: finish by hand (runbook release.md), on-call is told.`);
      }
      for (const r of result.failed) {
        if (r.partly)
          ctx.io.out(
            `PARTLY released ${r.id}: ${r.partly.undone.join(', ')} undone; ${r.partly.stillInEffect.join(', ')} still in effect (its undoing failed), and nothing after the undoing was done; recorded so (release again, or undo the rest by hand):`,
          );
        else ctx.io.out(`NOT released ${r.id}: a step failed; it is still in effect and recorded so (release again, or undo it by hand):`);
        outSteps(r.steps);
      }
      for (const u of result.undoneFor)
        ctx.io.out(
          `Undone for incident ${u.incidentId}: ${u.actionId} ${u.now === 'released' ? 'recorded as released there' : u.now === 'reopened' ? "still in effect there; its task's network interface, found isolated by this incident, is back in its own groups (said there)" : 'planned again there, not carried out'}`,
        );
    }
    return result.failed.length ? 1 : 0;
  });
}
