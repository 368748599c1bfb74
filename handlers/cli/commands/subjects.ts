import { elisionsIn, placeholdersIn, senderNotesIn } from '../../core/notice.js';
import { subjectsAction } from '../../use-cases/actions.js';
import type { Context, FlagSpec } from '../context.js';
import { afterCloseNote, flagsOf, recordAction } from './fg-common.js';

/** The flags its use case reads, made from the use case's fields: index.ts lists the same (test/unit/cli-commands.test.ts). */
export const fieldFlags: Record<string, FlagSpec> = flagsOf(subjectsAction.fields);

export const subjects = (ctx: Context): Promise<number> =>
  recordAction(
    ctx,
    subjectsAction,
    (incident, input) => {
      const decision = input.audience === 'subscribers' ? incident.subscribers : incident.subjects;
      // A text longer than the record keeps (sent-text.ts keptSentText) is said to be kept so, as the page's record shows it.
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
    },
    {
      warning: (incident) =>
        [senderNotesWarning(incident.id, ctx.flags.text), elisionWarning(ctx.flags.text), placeholderWarning(ctx.flags.text)]
          .filter((w) => w !== null)
          .join(' ') || null,
      fgDecision: 'subjects',
    },
  );

/**
 * The text recorded is what the people affected were told (Art. 34(2)), in the register as such: the
 * notice's notes for the sender in it (`notice ... 2>&1`, or the whole terminal copied) read as if
 * they were sent (fg26 item 2). Recorded as given, since it may be what was sent, and said.
 */
function senderNotesWarning(incidentId: string, text: unknown): string | null {
  const found = typeof text === 'string' ? senderNotesIn(text, incidentId) : [];
  if (!found.length) return null;
  return `Warning: the text recorded as what was sent holds parts of the notice meant for the sender alone: ${found.join('; ')}. The register shows it as what they were told. If they were sent the letter without these, record the decision again with the text as sent: datalek notice ${incidentId} prints the letter alone on stdout (its notes go to stderr).`;
}

/**
 * An elision ("…") in the text recorded as what was sent: a section the notice could not fill, or a
 * part the FG left to write (fg28 item 6). Recorded as given, since it may be what was sent, and said.
 */
function elisionWarning(text: unknown): string | null {
  const found = typeof text === 'string' ? elisionsIn(text) : [];
  if (!found.length) return null;
  return `Warning: the text recorded as what was sent holds "…" where text was left out: ${found.join('; ')}. The register shows it as what they were told. If they were sent the text written out, record the decision again with the text as sent.`;
}

/**
 * A template's placeholders (`[naam]`, `XXX`, `TODO`, `<...>`) in the text recorded as what was sent
 * (law27 item 5), as an elision is (fg28 item 6). Recorded as given, since it may be what was sent, and said.
 */
function placeholderWarning(text: unknown): string | null {
  const found = typeof text === 'string' ? placeholdersIn(text) : [];
  if (!found.length) return null;
  return `Warning: the text recorded as what was sent holds placeholders still to be filled in: ${found.join('; ')}. The register shows it as what they were told. If they were sent the text filled in, record the decision again with the text as sent.`;
}
