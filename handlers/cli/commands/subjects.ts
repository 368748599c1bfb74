import { decideSubjects } from '../../core/fg-workflow.js';
import { type Command, type Context, isoFlag, oneOf } from '../context.js';
import { fgActor, recordFg, textFlag } from './fg-common.js';

export const subjectsCommand: Command = {
  name: 'subjects',
  section: 'fg',
  usage: `  datalek subjects ID --decision inform|exception|not-required --reason TEXT [--date ISO] [--channel TEXT] [--text TEXT]
                   [--exception encrypted|measures-taken|disproportionate-effort] [--audience data-subjects|subscribers]
                   [--by NAME]   (Art. 34; subscribers: Telecommunicatiewet)`,
  flags: {
    decision: { type: 'string' },
    reason: { type: 'string' },
    date: { type: 'string' },
    channel: { type: 'string' },
    text: { type: 'string' },
    exception: { type: 'string' },
    audience: { type: 'string' },
    by: { type: 'string' },
  },
  positionals: 'one',
  run: runSubjects,
};

async function runSubjects(ctx: Context): Promise<number> {
  const f = ctx.flags;
  const input = {
    incidentId: ctx.positionals[0],
    audience: oneOf('audience', f.audience, ['data-subjects', 'subscribers'] as const, 'data-subjects'),
    decision: oneOf('decision', f.decision, ['inform', 'exception', 'not-required'] as const),
    reason: textFlag(f.reason) ?? '',
    by: fgActor(ctx),
    date: isoFlag('date', f.date),
    channel: textFlag(f.channel),
    text: textFlag(f.text),
    exception: f.exception === undefined ? undefined : oneOf('exception', f.exception, ['encrypted', 'measures-taken', 'disproportionate-effort'] as const),
  };
  return recordFg(
    ctx,
    (deps) => decideSubjects(deps, input),
    (incident) =>
      input.audience === 'subscribers'
        ? `Decision on informing the subscribers recorded: ${incident.subscribers?.decision}.`
        : `Art. 34 decision recorded: ${incident.subjects?.decision}.`,
  );
}
