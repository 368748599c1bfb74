import { assess } from '../../core/fg-workflow.js';
import { type Command, type Context, isoFlag, oneOf } from '../context.js';
import { UsageError } from '../errors.js';
import { fgActor, recordFg } from './fg-common.js';

export const assessCommand: Command = {
  name: 'assess',
  section: 'fg',
  usage: '  datalek assess ID --personal-data yes|no|unknown --risk none|risk|high --reason TEXT [--aware-at ISO] [--by NAME]',
  flags: { 'personal-data': { type: 'string' }, risk: { type: 'string' }, reason: { type: 'string' }, 'aware-at': { type: 'string' }, by: { type: 'string' } },
  positionals: 'one',
  run: runAssess,
};

async function runAssess(ctx: Context): Promise<number> {
  const f = ctx.flags;
  const input = {
    incidentId: ctx.positionals[0],
    personalData: oneOf('personal-data', f['personal-data'], ['yes', 'no', 'unknown'] as const),
    risk: oneOf('risk', f.risk, ['none', 'risk', 'high'] as const),
    reason: typeof f.reason === 'string' ? f.reason : '',
    awareAt: isoFlag('aware-at', f['aware-at']),
    by: fgActor(ctx),
  };
  if (!input.reason.trim()) throw new UsageError('assess needs --reason TEXT: the reasoning is kept for the register (Art. 33(5))');
  return recordFg(
    ctx,
    (deps) => assess(deps, input),
    (incident) =>
      incident.assessment?.notifiable
        ? `Assessed as notifiable (${incident.assessment.risk}); the AP deadline is ${incident.deadline}.`
        : 'Assessed as not notifiable: the AP clock stops; the reasoning stays in the register.',
  );
}
