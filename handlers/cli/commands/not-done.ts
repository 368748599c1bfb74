import { notDoneAction } from '../../use-cases/actions.js';
import type { Command } from '../context.js';
import { flagsOf, recordAction } from './fg-common.js';

export const notDoneCommand: Command = {
  name: 'not-done',
  section: 'fg',
  usage: `  datalek not-done ID --action ID --reason TEXT [--by NAME]
                   (a planned containment step that will not be carried out: the resource was replaced, another
                    measure covers the risk; it is then neither planned nor done, and the AP draft and the register
                    give the reason; refused for a step the contain function is still to carry out, or a failed one)`,
  flags: flagsOf(notDoneAction.fields),
  positionals: 'one',
  run: (ctx) =>
    recordAction(ctx, notDoneAction, (_incident, input) => `Recorded that ${input.actionId} will not be carried out, decided by ${input.by}.`, {
      showMissing: false,
    }),
};
