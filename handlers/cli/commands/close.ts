import { closeAction, noFollowUpAction } from '../../use-cases/actions.js';
import type { Command, Context } from '../context.js';
import { UsageError } from '../errors.js';
import { flagsOf, recordAction } from './fg-common.js';

export const closeCommand: Command = {
  name: 'close',
  section: 'fg',
  usage: `  datalek close ID --reason TEXT [--overdue-reason TEXT] [--containment-reason TEXT] [--reports-pending-reason TEXT] [--follow-up-reason TEXT] [--by NAME]
                   (--containment-reason: what was done by hand about enforced containment that failed or was
                    never carried out, or why it is left; closing is refused without it while there is such)
                   (--reports-pending-reason: why it is closed before a Telecommunicatiewet or NIS2 report whose
                    clock still runs; closing is refused without it, and the clock keeps running after closing)
                   (--follow-up-reason: why it is closed while the AP holds only the first phase of the notification,
                    made with the facts incomplete (Art. 33(4)); closing is refused without it, or the follow-up)
  datalek close ID --after-close --follow-up-reason TEXT [--by NAME]
                   (a closed incident whose AP notification, made after closing with the facts incomplete, still
                    owes the AP its follow-up (Art. 33(4)): why none follows; kept with who and when, in the register)`,
  flags: { ...flagsOf(closeAction.fields), ...flagsOf(noFollowUpAction.fields) },
  positionals: 'one',
  run: (ctx) =>
    ctx.flags['after-close'] ? noFollowUp(ctx) : recordAction(ctx, closeAction, () => 'Closed; it stays in the register.', { showMissing: false }),
};

/** The flags of closing itself: after closing nothing closes again, and a reason for closing given there would be lost. */
const CLOSING_ONLY = ['reason', 'overdue-reason', 'containment-reason', 'reports-pending-reason'] as const;

function noFollowUp(ctx: Context): Promise<number> {
  const given = CLOSING_ONLY.filter((f) => ctx.flags[f] !== undefined);
  if (given.length) {
    throw new UsageError(
      `close --after-close records only why no follow-up goes to the AP (--follow-up-reason); ${given.map((f) => `--${f}`).join(', ')} belong${given.length === 1 ? 's' : ''} to closing, which was done`,
    );
  }
  return recordAction(ctx, noFollowUpAction, () => `No follow-up to the AP recorded after closing, with its reason (Art. 33(4)); the register shows it.`);
}
