import { subjectsAction } from '../../use-cases/actions.js';
import type { Command } from '../context.js';
import { afterCloseNote, flagsOf, recordAction } from './fg-common.js';

export const subjectsCommand: Command = {
  name: 'subjects',
  section: 'fg',
  usage: `  datalek subjects ID --decision inform|exception|not-required --reason TEXT [--date ISO] [--channel TEXT] [--text TEXT]
                   [--exception encrypted|measures-taken|disproportionate-effort] [--audience data-subjects|subscribers]
                   [--by NAME]   (Art. 34; subscribers: Telecommunicatiewet)
                   (--decision inform needs --date, --channel and --text, what was sent, e.g. --text "$(datalek notice ID)")
                   [--after-close]   (on a closed incident, e.g. a communication the AP required (Art. 34(4)), with
                    --after-close, which says it is meant for that closed incident; the incident stays closed)`,
  flags: flagsOf(subjectsAction.fields),
  positionals: 'one',
  run: (ctx) =>
    recordAction(ctx, subjectsAction, (incident, input) => {
      const said =
        input.audience === 'subscribers'
          ? `Decision on informing the subscribers recorded: ${incident.subscribers?.decision}.`
          : `Art. 34 decision recorded: ${incident.subjects?.decision}.`;
      return incident.state === 'closed'
        ? `${said} Recorded after closing; the incident stays closed and the register shows it.${afterCloseNote(incident)}`
        : said;
    }),
};
