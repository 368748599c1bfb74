import { apLegalDeadline } from '../../core/ap-verdict.js';
import { apClockRunning, apOwedUnderTelecom, nis2AwareAt, riskFollowUpOwed, runningOtherClocks } from '../../core/clocks.js';
import { type Incident, initialReport } from '../../core/incident.js';
import type { Policy } from '../../core/policy.js';
import { beforeDetection } from '../../core/stated-time.js';
import { assessAction, assessCheckingTypes } from '../../use-cases/actions.js';
import type { Context, FlagSpec } from '../context.js';
import { afterCloseNote, delayReasonWarning, flagsOf, recordAction, shownAt } from './fg-common.js';

/** The flags its use case reads, made from the use case's fields: index.ts lists the same (test/unit/cli-commands.test.ts). */
export const fieldFlags: Record<string, FlagSpec> = flagsOf(assessAction.fields);

export const assess = (ctx: Context): Promise<number> =>
  // From the command line the finding types the person was shown are always checked (core/fg-workflow.ts checkTypesSeen).
  recordAction(
    ctx,
    assessCheckingTypes(),
    (incident, input) => {
      const said: string[] = [];
      if (input.personalData !== undefined) {
        const closed = incident.state === 'closed';
        said.push(
          closed
            ? `Assessed after closing as ${incident.assessment?.notifiable ? `notifiable (${incident.assessment.risk})` : 'not notifiable'}; the incident stays closed and the register shows the change.${afterCloseNote(incident)}`
            : incident.assessment?.notifiable
              ? `Assessed as notifiable (${incident.assessment.risk}); the AP deadline is ${shownAt(apLegalDeadline(incident), ctx.policy)}.`
              : notNotifiableText(incident, ctx.policy, ctx.now()),
        );
        // Notifiable only after the deadline passed, no report made: late already (a move of awareness in this run says it below).
        const late = !closed && input.awareAt === undefined ? lateAlready(incident, ctx.policy, ctx.now()) : null;
        if (late) said.push(late);
        // Notifiable after closing: the AP deadline runs again, and its reminders (core/clocks.ts).
        if (closed && apClockRunning(incident, ctx.policy))
          said.push(
            `The AP notification is due by ${shownAt(apLegalDeadline(incident), ctx.policy)}: record it with datalek reported ${incident.id} --reference NUMBER --reason TEXT; its reminders run until then.`,
          );
        // A processor's report to its controller (Art. 33(2)) reopens the same way.
        const toController = closed ? runningOtherClocks(incident, ctx.policy, ctx.now()).find((c) => c.name === 'processor') : undefined;
        if (toController)
          said.push(
            `The report to the controller is due by ${shownAt(toController.dueAt, ctx.policy)}: record it with datalek reported ${incident.id} --recipient controller --reference NUMBER --reason TEXT; its reminders run until then.`,
          );
        // A significant incident's NIS2 reports closing cut short reopen too (art. 23(4)(a), (b)).
        if (closed && !input.nis2Significant) said.push(...nis2ReportsDue(incident, ctx.policy, ctx.now()));
        // A high risk set aside an Art. 34 "not required": after closing nothing else asks for the new decision.
        if (closed && incident.assessment?.risk === 'high' && !incident.subjects)
          said.push(`High risk: record the Art. 34 decision (datalek subjects ${incident.id} --decision inform|exception --reason TEXT …).`);
        // A high risk the AP's last report did not carry: a follow-up is owed, open or closed alike (Art. 33(3)(c), (4); law28).
        const raised = riskFollowUpOwed(incident, ctx.policy);
        if (raised)
          said.push(
            `High risk after the last report to the AP (${raised.report.reference}): a follow-up to the AP is owed (Art. 33(3)(c), (4)): record it with datalek reported ${incident.id} --kind follow-up --reference ${raised.report.reference}${closed ? ' --reason TEXT' : ''}, or why none follows (${closed ? `datalek close ${incident.id} --after-close --follow-up-reason TEXT` : 'at closing, --follow-up-reason'}); its reminders run until then.`,
          );
        const standing = initialReport(incident);
        // A telecom provider's notification stands under the Telecommunicatiewet, whatever the risk (Regulation 611/2013 art. 2).
        if (incident.assessment?.notifiable === false && standing && !apOwedUnderTelecom(incident, ctx.policy))
          said.push(
            `The AP holds notification ${standing.reference}: tell it, with a withdrawal (datalek reported ${incident.id} --kind withdrawal --reference ${standing.reference} --reason TEXT) or a correction${closed ? '' : ', before closing'}.`,
          );
      }
      if (input.awareAt !== undefined) {
        said.push(`Awareness recorded at ${shownAt(incident.awareAt, ctx.policy)}; the AP deadline is ${shownAt(apLegalDeadline(incident), ctx.policy)}.`);
        // The move this run recorded: the latest awareness decision, recorded with the latest decision.
        const decisions = incident.decisions ?? [];
        const move = decisions.findLast((d) => d.kind === 'awareness');
        if (move?.kind === 'awareness' && move.to === incident.awareAt && move.recordedAt === decisions.at(-1)?.recordedAt) {
          if (move.beforeDetection) said.push("Marked as before GuardDuty's detection.");
          if (move.enteredAfterDeadline)
            said.push(`Marked as entered after the AP deadline had passed: overdue from ${shownAt(move.enteredAfterDeadline, ctx.policy)}.`);
          if (move.delayReason)
            said.push('The initial AP report is now late: the reasons for the delay are kept with this decision; send them to the AP with a follow-up.');
          // Awareness moved earlier past the deadline with no report made: the notification is late already (Art. 33(1)).
          const late = lateAlready(incident, ctx.policy, ctx.now());
          if (late) said.push(late);
        }
      }
      if (input.actingAs !== undefined) said.push(`Role for this incident: ${incident.role}.`);
      // A decision this run recorded that ended the AP duty after the deadline had passed (core/ap-verdict.ts).
      const ended = (incident.decisions ?? []).filter((d) => d.recordedAt === incident.decisions?.at(-1)?.recordedAt);
      const marked = ended.find((d) => (d.kind === 'role' || d.kind === 'assessment') && d.enteredAfterDeadline);
      if (marked && (marked.kind === 'role' || marked.kind === 'assessment'))
        said.push(
          `The AP notification is not needed now; marked as entered after the AP deadline of ${shownAt(marked.enteredAfterDeadline, ctx.policy)} had passed.`,
        );
      if (input.nis2Significant !== undefined) said.push(input.nis2Significant ? 'Significant under NIS2: its clocks run.' : 'Not significant under NIS2.');
      // Decided after closing: its early warning and notification run on the closed incident (core/clocks.ts nis2SignificantAfterClosing).
      if (input.nis2Significant && incident.state === 'closed') {
        said.push(`Recorded after closing; the incident stays closed and the register shows the decision.${afterCloseNote(incident)}`);
        said.push(...nis2ReportsDue(incident, ctx.policy, ctx.now()));
      }
      if (input.nis2IntermediateDueAt !== undefined) said.push(`NIS2 intermediate report due ${shownAt(incident.nis2?.intermediateDueAt, ctx.policy)}.`);
      if (input.nis2AwareAt !== undefined)
        said.push(
          `Aware of the significant incident (NIS2) at ${shownAt(nis2AwareAt(incident), ctx.policy)}${beforeDetection(incident, incident.nis2AwareAt) ? ", before GuardDuty's detection" : ''}: the NIS2 deadlines run from it.`,
        );
      return said.join(' ');
    },
    { warning: () => delayReasonWarning(ctx.flags['delay-reason']), fgDecision: 'assess' },
  );

/** The AP notification owed with its deadline passed: late already, and the reasons for the delay go with it (Art. 33(1)); else null. */
function lateAlready(incident: Incident, policy: Policy, now: string): string | null {
  const deadline = apLegalDeadline(incident);
  if (!apClockRunning(incident, policy) || !deadline || deadline >= now) return null;
  // Notified before, and withdrawn: the notification anew is judged with the first (ap-verdict.ts apVerdictReport, law28).
  const first = (incident.reports ?? []).find((r) => r.to === 'ap' && r.kind === 'initial');
  if (first)
    return `The AP was notified of this breach as ${first.reference} on ${shownAt(first.at, policy)}, since withdrawn: notify it anew without undue delay (Art. 33(1), (4)): datalek reported ${incident.id} --reference NUMBER. The AP deadline is judged by ${first.reference}; the record shows the withdrawal and the notification anew beside it.`;
  return `The AP notification is late already: the AP deadline passed at ${shownAt(deadline, policy)}; notify now, with the reasons for the delay (Art. 33(1)): datalek reported ${incident.id} --reference NUMBER --delay-reason TEXT.`;
}

/** The NIS2 early warning and notification a closed incident owes again, each with its deadline (overdue or not) and the command that records it. */
function nis2ReportsDue(incident: Incident, policy: Policy, now: string): string[] {
  return runningOtherClocks(incident, policy, now)
    .filter((c) => c.name === 'nis2-early-warning' || c.name === 'nis2-notification')
    .map(
      (c) =>
        `The ${c.label.en} ${c.status === 'overdue' ? 'is overdue: it was due by' : 'is due by'} ${shownAt(c.dueAt, policy)}: record it with datalek reported ${incident.id} --recipient csirt|authority --kind ${c.name === 'nis2-early-warning' ? 'early-warning' : 'notification'} --reference NUMBER --reason TEXT; its reminders run until then.`,
    );
}

/**
 * "Not notifiable" ends the AVG's AP clock (Art. 33(1)); a provider of public electronic
 * communications still notifies the AP of every breach with personal data, whatever the risk
 * (Regulation 611/2013 art. 2, Telecommunicatiewet art. 11.3a), while that clock runs.
 */
function notNotifiableText(incident: Incident, policy: Policy, now: string): string {
  const telecom = runningOtherClocks(incident, policy, now).find((c) => c.name === 'telecom-initial');
  if (!telecom) return 'Assessed as not notifiable: the AP clock stops; the reasoning stays in the register.';
  return `Assessed as not notifiable under the GDPR (Art. 33(1)); the reasoning stays in the register. As a provider of public electronic communications you still notify the AP of every breach, whatever the risk (Regulation 611/2013 Art. 2): the initial notification is due by ${shownAt(telecom.dueAt, policy)}: datalek reported ${incident.id} --reference NUMBER.`;
}
