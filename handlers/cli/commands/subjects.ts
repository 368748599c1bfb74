import { subjectsAction } from '../../use-cases/actions.js';
import type { Command } from '../context.js';
import { afterCloseNote, flagsOf, recordAction } from './fg-common.js';

export const subjectsCommand: Command = {
  name: 'subjects',
  section: 'fg',
  usage: `  datalek subjects ID --decision inform|exception|not-required --reason TEXT [--date ISO] [--channel TEXT] [--text TEXT]
                   [--exception encrypted|measures-taken|disproportionate-effort] [--audience data-subjects|subscribers]
                   [--other-nature-reason TEXT]   (with --exception encrypted when the facts name availability or
                    integrity besides confidentiality: why that part is no longer a high risk)
                   [--by NAME]   (Art. 34; subscribers: Telecommunicatiewet)
                   [--confirm-stated-time]   (a --date before GuardDuty's detection, after an awareness recorded before
                    it: the record marks it so)
                   (--decision inform needs --date, --channel and --text, what was sent, e.g. --text "$(datalek notice ID)";
                    one longer than the record keeps is kept there as its beginning, length and SHA-256, and whole
                    on the timeline)
                   [--after-close]   (on a closed incident, e.g. a communication the AP required (Art. 34(4)), with
                    --after-close, which says it is meant for that closed incident; the incident stays closed)`,
  flags: flagsOf(subjectsAction.fields),
  positionals: 'one',
  run: (ctx) =>
    recordAction(ctx, subjectsAction, (incident, input) => {
      const decision = input.audience === 'subscribers' ? incident.subscribers : incident.subjects;
      // A text longer than the record keeps (fg-workflow.ts keptSentText) is said to be kept so, as the page's record shows it.
      const kept =
        input.text?.trim() && decision?.text !== input.text.trim()
          ? ' The text is longer than the record keeps: the record holds its beginning, length and SHA-256; the timeline holds the whole text.'
          : '';
      const said =
        input.audience === 'subscribers'
          ? `Decision on informing the subscribers recorded: ${decision?.decision}.${kept}`
          : `Art. 34 decision recorded: ${decision?.decision}.${kept}`;
      return incident.state === 'closed'
        ? `${said} Recorded after closing; the incident stays closed and the register shows it.${afterCloseNote(incident)}`
        : said;
    }),
};
