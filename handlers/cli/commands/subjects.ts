import { subjectsAction } from '../../use-cases/actions.js';
import type { Command } from '../context.js';
import { flagsOf, recordAction } from './fg-common.js';

export const subjectsCommand: Command = {
  name: 'subjects',
  section: 'fg',
  usage: `  datalek subjects ID --decision inform|exception|not-required --reason TEXT [--date ISO] [--channel TEXT] [--text TEXT]
                   [--exception encrypted|measures-taken|disproportionate-effort] [--audience data-subjects|subscribers]
                   [--by NAME]   (Art. 34; subscribers: Telecommunicatiewet)`,
  flags: flagsOf(subjectsAction.fields),
  positionals: 'one',
  run: (ctx) =>
    recordAction(ctx, subjectsAction, (incident, input) =>
      input.audience === 'subscribers'
        ? `Decision on informing the subscribers recorded: ${incident.subscribers?.decision}.`
        : `Art. 34 decision recorded: ${incident.subjects?.decision}.`,
    ),
};
