import { recordReport } from '../../core/fg-workflow.js';
import { type Command, type Context, isoFlag, oneOf } from '../context.js';
import { UsageError } from '../errors.js';
import { fgActor, recordFg } from './fg-common.js';

export const reportedCommand: Command = {
  name: 'reported',
  section: 'fg',
  usage: `  datalek reported ID --reference NUMBER [--at ISO] [--delay-reason TEXT]
                   [--kind initial|follow-up|correction|withdrawal] [--recipient ap|csirt|authority|controller] [--by NAME]
                   (csirt, authority: --kind early-warning|notification|intermediate|progress|final)`,
  flags: {
    reference: { type: 'string' },
    at: { type: 'string' },
    'delay-reason': { type: 'string' },
    kind: { type: 'string' },
    recipient: { type: 'string' },
    by: { type: 'string' },
  },
  positionals: 'one',
  run: runReported,
};

async function runReported(ctx: Context): Promise<number> {
  const f = ctx.flags;
  if (typeof f.reference !== 'string' || !f.reference.trim()) throw new UsageError('reported needs --reference NUMBER (the meldingsnummer the AP gave)');
  const input = {
    incidentId: ctx.positionals[0],
    reference: f.reference,
    by: fgActor(ctx),
    to: oneOf('recipient', f.recipient, ['ap', 'csirt', 'authority', 'controller'] as const, 'ap'),
    kind: f.kind as string | undefined,
    at: isoFlag('at', f.at),
    delayReason: f['delay-reason'] as string | undefined,
  };
  return recordFg(
    ctx,
    async (deps) => (await recordReport(deps, input)).incident,
    (incident) => {
      const last = (incident.reports ?? []).at(-1);
      return `Report recorded (${last?.to} ${last?.kind} ${last?.reference}).`;
    },
  );
}
