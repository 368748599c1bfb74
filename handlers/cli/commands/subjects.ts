import { createHash } from 'node:crypto';
import { subjectsAction } from '../../use-cases/actions.js';
import { MAX_TEXT_CHARS } from '../../use-cases/fields.js';
import type { Command, Context } from '../context.js';
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
                    a text too long for the record keeps its beginning, its length and its SHA-256: the whole text
                    as sent goes in the case file)
                   [--after-close]   (on a closed incident, e.g. a communication the AP required (Art. 34(4)), with
                    --after-close, which says it is meant for that closed incident; the incident stays closed)`,
  flags: flagsOf(subjectsAction.fields),
  positionals: 'one',
  run: (ctx) =>
    recordAction(withTextKept(ctx), subjectsAction, (incident, input) => {
      const said =
        input.audience === 'subscribers'
          ? `Decision on informing the subscribers recorded: ${incident.subscribers?.decision}.`
          : `Art. 34 decision recorded: ${incident.subjects?.decision}.`;
      return incident.state === 'closed'
        ? `${said} Recorded after closing; the incident stays closed and the register shows it.${afterCloseNote(incident)}`
        : said;
    }),
};

/**
 * The text of what was sent is what it is: the notice datalek drafts repeats the facts' texts and can
 * be longer than a text field keeps (review 7 Y5), and the FG cannot shorten a message already sent.
 * A text over the bound is kept as its beginning, its length and its SHA-256, which the copy in the
 * case file can be checked against; the record's room stays bounded (use-cases/fields.ts).
 */
function withTextKept(ctx: Context): Context {
  const text = ctx.flags.text;
  const limit = MAX_TEXT_CHARS.longtext;
  if (typeof text !== 'string' || [...text].length <= limit) return ctx;
  const chars = [...text].length;
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  const note = `\n\n[… ${chars} characters in all, SHA-256 ${sha256}; the whole text as sent is in the case file]`;
  const kept = [...text].slice(0, limit - [...note].length).join('');
  return { ...ctx, flags: { ...ctx.flags, text: `${kept}${note}` } };
}
