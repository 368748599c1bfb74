import { stillPlannedAtClose } from '../../core/breach-facts.js';
import type { Incident } from '../../core/incident.js';
import { closeAction, noFollowUpAction } from '../../use-cases/actions.js';
import type { Context, FlagSpec } from '../context.js';
import { UsageError } from '../errors.js';
import { flagsOf, recordAction } from './fg-common.js';

/** The flags its use case reads, made from the use case's fields: index.ts lists the same (test/unit/cli-commands.test.ts). */
export const fieldFlags: Record<string, FlagSpec> = { ...flagsOf(closeAction.fields), ...flagsOf(noFollowUpAction.fields) };

export const close = (ctx: Context): Promise<number> =>
  ctx.flags['after-close']
    ? noFollowUp(ctx)
    : recordAction(ctx, closeAction, () => 'Closed; it stays in the register.', {
        showMissing: false,
        warning: stillPlannedWarning,
        fgDecision: 'close',
      });

/**
 * Closing does not refuse a step only planned (fg-review3 F6), but the FG is told which, each by name:
 * the measures taken may say it was done while the record holds it planned (fg26 item 1).
 */
function stillPlannedWarning(incident: Incident): string | null {
  const planned = stillPlannedAtClose(incident);
  if (!planned.length) return null;
  const names = planned.map((a) => `${a.type} ${a.target}${a.person ? " (a person's step)" : ''}`).join(', ');
  const measures = incident.facts?.measuresTaken?.trim() ? ' beside the measures taken you recorded' : '';
  return `Warning: ${incident.id} closed with containment still planned, not recorded as carried out: ${names}. The timeline, the register and the HTML report name it as still planned${measures}, so the record does not read as if it was done; after closing it can no longer be recorded as carried out (datalek contained) or not to be done (datalek not-done).`;
}

/** The flags of closing itself: after closing nothing closes again, and a reason for closing given there would be lost. */
const CLOSING_ONLY = ['reason', 'overdue-reason', 'containment-reason', 'reports-pending-reason'] as const;

function noFollowUp(ctx: Context): Promise<number> {
  const given = CLOSING_ONLY.filter((f) => ctx.flags[f] !== undefined);
  if (given.length) {
    throw new UsageError(
      `close --after-close records only why no follow-up goes to the AP (--follow-up-reason); ${given.map((f) => `--${f}`).join(', ')} belong${given.length === 1 ? 's' : ''} to closing, which was done`,
    );
  }
  return recordAction(ctx, noFollowUpAction, () => `No follow-up to the AP recorded after closing, with its reason (Art. 33(4)); the register shows it.`, {
    fgDecision: 'close --after-close',
  });
}
