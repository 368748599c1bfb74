import { assess } from '../../core/fg-workflow.js';
import { type Command, type Context, isoFlag, oneOf } from '../context.js';
import { fgActor, recordFg, textFlag } from './fg-common.js';

export const assessCommand: Command = {
  name: 'assess',
  section: 'fg',
  usage: `  datalek assess ID [--personal-data yes|no|unknown --risk none|risk|high] --reason TEXT [--by NAME]
                   [--aware-at ISO --aware-reason TEXT] [--acting-as controller|processor]
                   [--nis2-significant yes|no] [--nis2-intermediate-due ISO]`,
  flags: {
    'personal-data': { type: 'string' },
    risk: { type: 'string' },
    reason: { type: 'string' },
    'aware-at': { type: 'string' },
    'aware-reason': { type: 'string' },
    'acting-as': { type: 'string' },
    'nis2-significant': { type: 'string' },
    'nis2-intermediate-due': { type: 'string' },
    by: { type: 'string' },
  },
  positionals: 'one',
  run: runAssess,
};

async function runAssess(ctx: Context): Promise<number> {
  const f = ctx.flags;
  const nis2 = f['nis2-significant'] === undefined ? undefined : oneOf('nis2-significant', f['nis2-significant'], ['yes', 'no'] as const) === 'yes';
  const input = {
    incidentId: ctx.positionals[0],
    personalData: f['personal-data'] === undefined ? undefined : oneOf('personal-data', f['personal-data'], ['yes', 'no', 'unknown'] as const),
    risk: f.risk === undefined ? undefined : oneOf('risk', f.risk, ['none', 'risk', 'high'] as const),
    reason: textFlag(f.reason),
    awareAt: isoFlag('aware-at', f['aware-at']),
    awareReason: textFlag(f['aware-reason']),
    actingAs: f['acting-as'] === undefined ? undefined : oneOf('acting-as', f['acting-as'], ['controller', 'processor'] as const),
    nis2Significant: nis2,
    nis2IntermediateDueAt: isoFlag('nis2-intermediate-due', f['nis2-intermediate-due']),
    by: fgActor(ctx),
  };
  return recordFg(
    ctx,
    (deps) => assess(deps, input),
    (incident) => {
      const said: string[] = [];
      if (input.personalData !== undefined) {
        said.push(
          incident.assessment?.notifiable
            ? `Assessed as notifiable (${incident.assessment.risk}); the AP deadline is ${incident.deadline}.`
            : 'Assessed as not notifiable: the AP clock stops; the reasoning stays in the register.',
        );
      }
      if (input.awareAt !== undefined) said.push(`Awareness recorded at ${incident.awareAt}; the AP deadline is ${incident.deadline}.`);
      if (input.actingAs !== undefined) said.push(`Role for this incident: ${incident.role}.`);
      if (input.nis2Significant !== undefined) said.push(input.nis2Significant ? 'Significant under NIS2: its clocks run.' : 'Not significant under NIS2.');
      if (input.nis2IntermediateDueAt !== undefined) said.push(`NIS2 intermediate report due ${input.nis2IntermediateDueAt}.`);
      return said.join(' ');
    },
  );
}
