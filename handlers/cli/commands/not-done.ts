import type { NotDoneWithdrawal } from '../../core/by-hand.js';
import { containCommand } from '../../core/containment.js';
import { oneLine } from '../../core/text.js';
import { notDoneAction, withdrawNotDoneAction } from '../../use-cases/actions.js';
import { parseFields } from '../../use-cases/fields.js';
import { actionDeps } from '../action-deps.js';
import { type Context, deliverQueued, type FlagSpec, loadIncident, withBackend } from '../context.js';
import { fgActor, flagsOf, recordAction } from './fg-common.js';

/** The flags its use case reads, made from the use case's fields: index.ts lists the same (test/unit/cli-commands.test.ts). */
export const fieldFlags: Record<string, FlagSpec> = { ...flagsOf(notDoneAction.fields), withdraw: { type: 'boolean' } };

export const notDone = (ctx: Context): Promise<number> =>
  ctx.flags.withdraw
    ? withdraw(ctx)
    : recordAction(ctx, notDoneAction, (_incident, input) => `Recorded that ${input.actionId} will not be carried out, decided by ${input.by}.`, {
        showMissing: false,
      });

/** `--withdraw`: the use case with the target's containment, which carries the step out on AWS. */
async function withdraw(ctx: Context): Promise<number> {
  const input = withdrawNotDoneAction.input(parseFields(withdrawNotDoneAction.fields, ctx.flags), { incidentId: ctx.positionals[0], by: fgActor(ctx) });
  return withBackend(ctx, 'write', async (backend) => {
    // Spares the pipeline's own functions, as the contain function does (and `datalek contain`).
    if (ctx.target === 'aws') ctx.policy = await (await import('../aws-caller.js')).withPipelineAccount(ctx.policy, ctx.io.env, backend.caller);
    await loadIncident(backend.store, input.incidentId);
    const result = await withdrawNotDoneAction.run(actionDeps(ctx, backend), input);
    await deliverQueued(ctx, backend);
    if (ctx.flags.json) {
      ctx.io.out(JSON.stringify({ incidentId: input.incidentId, actionId: input.actionId, ...outcome(result) }, null, 2));
    } else {
      ctx.io.out(oneLine(`Withdrew the decision not to carry out ${input.actionId}, by ${input.by}: ${said(result, input.incidentId)}`));
    }
    const run = result.containment;
    return run && (run.busy || run.stopped || run.actions.some((a) => a.status !== 'done') || run.exposed.length) ? 1 : 0;
  });
}

function outcome(result: NotDoneWithdrawal): Record<string, unknown> {
  const run = result.containment;
  return {
    enforcedBy: result.enforcedBy,
    containment: run ? { busy: run.busy ?? null, actions: run.actions, exposed: run.exposed, refused: run.refused, stopped: run.stopped ?? null } : null,
  };
}

/** What became of the step: carried out (or how the run ended), or planned again and why nothing ran. */
function said(result: NotDoneWithdrawal, incidentId: string): string {
  const run = result.containment;
  if (run?.busy) return `planned again; another containment run holds ${incidentId} until ${run.busy.until} and carries it out.`;
  if (run) {
    const steps = run.actions.map((a) => `${a.type} ${a.target} ${a.status}${a.reason && a.status !== 'done' ? ` (${a.reason})` : ''}`).join(', ');
    const open = run.exposed.length ? `; OPEN to all traffic: ${run.exposed.join(', ')}: follow runbooks/isolate-ec2-instance.md now` : '';
    return `planned again, and carried out as finding ${result.enforcedBy}'s rule enforces it: ${steps || 'nothing to run'}${open}.`;
  }
  if (result.enforcedBy)
    return `planned again. Finding ${result.enforcedBy}'s rule enforces it, but the embedded store only plans: nothing was touched (on AWS: datalek not-done --withdraw --target aws carries it out, or ${containCommand(incidentId)}).`;
  return 'planned again, as the policy plans it: no finding of the incident has a rule that enforces it (datalek contain --enforce carries it out on AWS; datalek contained records it done by hand).';
}
