import { type ClockName, enteredAfterDeadlineText } from '../../core/clocks.js';
import { elisionsIn, placeholdersIn } from '../../core/notice.js';
import { reportedAction } from '../../use-cases/actions.js';
import type { Context, FlagSpec } from '../context.js';
import { flagsOf, recordAction, shownAt } from './fg-common.js';

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

/**
 * Placeholders (`[datum]`, `XXX`, `TODO`, `<...>`) or an elision "…" in the reasons for the delay
 * given with a report: they are what the AP was given (Art. 33(1)), kept in the register as such
 * (law27 item 5), as the Art. 34 text is warned about. Recorded as given, and said.
 */
function delayReasonWarning(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  const found = [...placeholdersIn(text), ...elisionsIn(text).map((e) => `"…" in ${e}`)];
  if (!found.length) return null;
  return `Warning: the reasons for the delay recorded as given to the AP hold placeholders still to be filled in: ${found.join('; ')}. The register keeps them as given (Art. 33(1)). If the AP was given them written out, give them as given with a follow-up (--kind follow-up --delay-reason TEXT).`;
}
