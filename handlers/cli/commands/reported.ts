import { type ClockName, enteredAfterDeadlineText } from '../../core/clocks.js';
import { reportedAction } from '../../use-cases/actions.js';
import type { Command } from '../context.js';
import { flagsOf, recordAction } from './fg-common.js';

export const reportedCommand: Command = {
  name: 'reported',
  section: 'fg',
  usage: `  datalek reported ID --reference NUMBER [--at ISO [--confirm-stated-time]] [--delay-reason TEXT]
                   [--kind initial|follow-up|correction|withdrawal [--reason TEXT]] [--recipient ap|csirt|authority|controller] [--by NAME]
                   (a withdrawal needs --reason and an assessment of not notifiable; on a closed incident
                    a follow-up, correction or withdrawal to the AP is recorded with --reason, and the initial
                    report too (to the AP, or a processor's to its controller) when an assessment after closing
                    said notifiable)
                   (csirt, authority: --kind early-warning|notification|intermediate|progress|final)
                   (--at before GuardDuty's detection only after an awareness recorded before it, the NIS2 awareness for
                    csirt and authority, and with --confirm-stated-time: the record marks it so)`,
  flags: flagsOf(reportedAction.fields),
  positionals: 'one',
  run: (ctx) =>
    recordAction(ctx, reportedAction, (incident) => {
      const last = (incident.reports ?? []).at(-1);
      const marked = last?.enteredAfterDeadline ? ` Marked as entered after the AP deadline had passed (overdue from ${last.enteredAfterDeadline}).` : '';
      const clocks = (last?.clocksEnteredAfterDeadline ?? [])
        .map((m) => ` Marked as ${enteredAfterDeadlineText(m.clock as ClockName).en} (overdue from ${m.overdueFrom}).`)
        .join('');
      const before = last?.beforeDetection ? " Marked as before GuardDuty's detection." : '';
      return `Report recorded (${last?.to} ${last?.kind} ${last?.reference}).${before}${marked}${clocks}`;
    }),
};
