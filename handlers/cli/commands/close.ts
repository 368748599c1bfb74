import { closeIncident } from '../../core/fg-workflow.js';
import type { Command, Context } from '../context.js';
import { fgActor, recordFg, textFlag } from './fg-common.js';

export const closeCommand: Command = {
  name: 'close',
  section: 'fg',
  usage: '  datalek close ID --reason TEXT [--overdue-reason TEXT] [--by NAME]',
  flags: { reason: { type: 'string' }, 'overdue-reason': { type: 'string' }, by: { type: 'string' } },
  positionals: 'one',
  run: runClose,
};

async function runClose(ctx: Context): Promise<number> {
  const f = ctx.flags;
  const input = { incidentId: ctx.positionals[0], by: fgActor(ctx), reason: textFlag(f.reason) ?? '', overdueReason: textFlag(f['overdue-reason']) };
  return recordFg(
    ctx,
    (deps) => closeIncident(deps, input),
    () => 'Closed; it stays in the register.',
    { showMissing: false },
  );
}
