import { decideSubjects } from '../../core/fg-workflow.js';
import { type Command, type Context, isoFlag, oneOf } from '../context.js';
import { UsageError } from '../errors.js';
import { fgActor, recordFg } from './fg-common.js';

export const subjectsCommand: Command = {
  name: 'subjects',
  section: 'fg',
  usage: `  datalek subjects ID --decision inform|exception|not-required --reason TEXT [--date ISO] [--channel TEXT]
                   [--exception encrypted|measures-taken|disproportionate-effort] [--by NAME]   (Art. 34)`,
  flags: {
    decision: { type: 'string' },
    reason: { type: 'string' },
    date: { type: 'string' },
    channel: { type: 'string' },
    exception: { type: 'string' },
    by: { type: 'string' },
  },
  positionals: 'one',
  run: runSubjects,
};

async function runSubjects(ctx: Context): Promise<number> {
  const f = ctx.flags;
  const input = {
    incidentId: ctx.positionals[0],
    decision: oneOf('decision', f.decision, ['inform', 'exception', 'not-required'] as const),
    reason: typeof f.reason === 'string' ? f.reason : '',
    by: fgActor(ctx),
    date: isoFlag('date', f.date),
    channel: f.channel as string | undefined,
    exception: f.exception === undefined ? undefined : oneOf('exception', f.exception, ['encrypted', 'measures-taken', 'disproportionate-effort'] as const),
  };
  if (!input.reason.trim()) throw new UsageError('subjects needs --reason TEXT');
  return recordFg(
    ctx,
    (deps) => decideSubjects(deps, input),
    (incident) => `Art. 34 decision recorded: ${incident.subjects?.decision}.`,
  );
}
