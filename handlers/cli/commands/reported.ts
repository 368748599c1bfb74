import { type ClockName, enteredAfterDeadlineText } from '../../core/clocks.js';
import { reportedAction } from '../../use-cases/actions.js';
import type { Context, FlagSpec } from '../context.js';
import { delayReasonWarning, flagsOf, recordAction, shownAt } from './fg-common.js';

/** The flags its use case reads, made from the use case's fields: index.ts lists the same (test/unit/cli-commands.test.ts). */
export const fieldFlags: Record<string, FlagSpec> = flagsOf(reportedAction.fields);

export const reported = (ctx: Context): Promise<number> =>
  recordAction(
    ctx,
    reportedAction,
    (incident) => {
      const last = (incident.reports ?? []).at(-1);
      const marked = last?.enteredAfterDeadline
        ? ` Marked as entered after the AP deadline had passed: overdue from ${shownAt(last.enteredAfterDeadline, ctx.policy)}.`
        : '';
      const clocks = (last?.clocksEnteredAfterDeadline ?? [])
        .map((m) => ` Marked as ${enteredAfterDeadlineText(m.clock as ClockName).en}: overdue from ${shownAt(m.overdueFrom, ctx.policy)}.`)
        .join('');
      const before = last?.beforeDetection ? " Marked as before GuardDuty's detection." : '';
      return `Report recorded (${last?.to} ${last?.kind} ${last?.reference}).${before}${marked}${clocks}`;
    },
    { warning: () => delayReasonWarning(ctx.flags['delay-reason']), fgDecision: 'reported' },
  );
