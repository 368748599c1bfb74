import { subjectsAction } from '../../use-cases/actions.js';
import type { Context, FlagSpec } from '../context.js';
import { afterCloseNote, flagsOf, recordAction } from './fg-common.js';

/** The flags its use case reads, made from the use case's fields: index.ts lists the same (test/unit/cli-commands.test.ts). */
export const fieldFlags: Record<string, FlagSpec> = flagsOf(subjectsAction.fields);

export const subjects = (ctx: Context): Promise<number> =>
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
  });
