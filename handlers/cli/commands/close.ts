import { closeIncident } from '../../core/fg-workflow.js';
import type { Command, Context } from '../context.js';
import { UsageError } from '../errors.js';
import { fgActor, recordFg } from './fg-common.js';

export const closeCommand: Command = {
  name: 'close',
  section: 'fg',
  usage: '  datalek close ID --reason TEXT [--by NAME]',
  flags: { reason: { type: 'string' }, by: { type: 'string' } },
  positionals: 'one',
  run: runClose,
};

async function runClose(ctx: Context): Promise<number> {
  const f = ctx.flags;
  if (typeof f.reason !== 'string' || !f.reason.trim()) throw new UsageError('close needs --reason TEXT');
  const input = { incidentId: ctx.positionals[0], by: fgActor(ctx), reason: f.reason };
  return recordFg(
    ctx,
    (deps) => closeIncident(deps, input),
    () => 'Closed; it stays in the register.',
    { showMissing: false },
  );
}
