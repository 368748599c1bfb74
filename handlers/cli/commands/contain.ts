import { oneLine } from '../../core/text.js';
import { containAction } from '../../use-cases/actions.js';
import { parseFields } from '../../use-cases/fields.js';
import { actionDeps } from '../action-deps.js';
import { type Context, deliverQueued, loadIncident, withBackend } from '../context.js';

export async function contain(ctx: Context): Promise<number> {
  return withBackend(ctx, 'write', async (backend) => {
    // Spares the pipeline's own functions, as the contain function does.
    ctx.policy = await (await import('../aws-caller.js')).withPipelineAccount(ctx.policy, ctx.io.env, backend.caller);
    const incident = await loadIncident(backend.store, ctx.positionals[0]);
    const input = containAction.input(parseFields(containAction.fields, ctx.flags), { incidentId: incident.id, by: ctx.flags.by as string });
    const result = await containAction.run(actionDeps(ctx, backend), input);
    await deliverQueued(ctx, backend);
    const { containment } = result;
    if (ctx.flags.json) {
      ctx.io.out(
        JSON.stringify(
          {
            incidentId: incident.id,
            ...result,
            containment: {
              busy: containment.busy,
              actions: containment.actions,
              exposed: containment.exposed,
              refused: containment.refused,
              ...(containment.stopped ? { stopped: containment.stopped } : {}),
            },
          },
          null,
          2,
        ),
      );
    } else {
      if (containment.busy) ctx.io.out(`Another containment run holds ${incident.id} until ${containment.busy.until}: it carries out what was asked.`);
      for (const a of containment.actions)
        ctx.io.out(oneLine(`${a.status.padEnd(8)} ${a.type} ${a.target}${a.reason && a.status !== 'done' ? `: ${a.reason}` : ''}`));
      for (const n of result.notRequested) ctx.io.out(oneLine(`not asked ${n.type} ${n.target}: ${n.reason}`));
      for (const e of containment.exposed) ctx.io.out(oneLine(`OPEN     ${e}: left open to all traffic; follow runbooks/isolate-ec2-instance.md now`));
      if (containment.stopped) ctx.io.out(oneLine(`STOPPED  ${containment.stopped.reason}`));
    }
    if (containment.busy || containment.stopped) return 1;
    return containment.actions.every((a) => a.status === 'done') && containment.exposed.length === 0 ? 0 : 1;
  });
}
