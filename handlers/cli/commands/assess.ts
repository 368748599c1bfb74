import { assessAction } from '../../use-cases/actions.js';
import type { Command } from '../context.js';
import { flagsOf, recordAction } from './fg-common.js';

export const assessCommand: Command = {
  name: 'assess',
  section: 'fg',
  usage: `  datalek assess ID [--personal-data yes|no|unknown --risk none|risk|high] --reason TEXT [--by NAME]
                   [--aware-at ISO --aware-reason TEXT] [--acting-as controller|processor]
                   [--nis2-significant yes|no] [--nis2-intermediate-due ISO]`,
  flags: flagsOf(assessAction.fields),
  positionals: 'one',
  run: (ctx) =>
    recordAction(ctx, assessAction, (incident, input) => {
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
    }),
};
