import { closeAction, noFollowUpAction } from '../../use-cases/actions.js';
import type { Context, FlagSpec } from '../context.js';
import { UsageError } from '../errors.js';
import { flagsOf, recordAction } from './fg-common.js';

/** The flags its use case reads, made from the use case's fields: index.ts lists the same (test/unit/cli-commands.test.ts). */
export const fieldFlags: Record<string, FlagSpec> = { ...flagsOf(closeAction.fields), ...flagsOf(noFollowUpAction.fields) };

export const close = (ctx: Context): Promise<number> =>
  ctx.flags['after-close'] ? noFollowUp(ctx) : recordAction(ctx, closeAction, () => 'Closed; it stays in the register.', { showMissing: false });

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
