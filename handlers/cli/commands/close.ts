import { closeAction } from '../../use-cases/actions.js';
import type { Command } from '../context.js';
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
                    made with the facts incomplete (Art. 33(4)); closing is refused without it, or the follow-up)`,
  flags: flagsOf(closeAction.fields),
  positionals: 'one',
  run: (ctx) => recordAction(ctx, closeAction, () => 'Closed; it stays in the register.', { showMissing: false }),
};
