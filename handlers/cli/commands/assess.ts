import { apLegalDeadline } from '../../core/ap-verdict.js';
import { apClockRunning, nis2AwareAt, runningOtherClocks } from '../../core/clocks.js';
import { type Incident, initialReport } from '../../core/incident.js';
import type { Policy } from '../../core/policy.js';
import { beforeDetection } from '../../core/stated-time.js';
import { assessAction, assessCheckingTypes } from '../../use-cases/actions.js';
import type { Command } from '../context.js';
import { afterCloseNote, flagsOf, recordAction } from './fg-common.js';

export const assessCommand: Command = {
  name: 'assess',
  section: 'fg',
  usage: `  datalek assess ID [--personal-data yes|no|unknown --risk none|risk|high] --reason TEXT [--by NAME]
                   [--aware-at ISO --aware-reason TEXT [--delay-reason TEXT] [--confirm-stated-time]]
                   [--confirm-special-categories --special-reason TEXT]
                   (--personal-data yes --risk none beside special categories or the BSN that the facts do not
                    record as unintelligible: the FG confirms it with its own reason; the register marks it)
                   [--acting-as controller|processor] [--confirm-stated-time]
                   (--confirm-stated-time: for an --aware-at before GuardDuty's detection (a customer's call: the record
                    marks it, and the clocks run from it); after the AP deadline had passed, for a move of awareness
                    that moves it later, or for "processor" or "not notifiable", which make the notification not needed)
                   [--nis2-significant yes|no] [--nis2-aware-at ISO] [--nis2-intermediate-due ISO]
                   (--nis2-aware-at: when the entity became aware of the significant incident, with --reason; the NIS2
                    deadlines run from it (default the detection); never after the significance decision nor after an
                    NIS2 report; before GuardDuty's detection with --confirm-stated-time; --aware-at never moves it)
                   [--seen TOKEN | --finding-types TYPE,…]
                   (with --personal-data/--risk: the finding types you were shown, as the token datalek show ID
                    prints, or named; refused when a finding of another type came since; an incident with one
                    finding type needs neither, one with more needs one of them)
                   [--after-close]
                   (on a closed incident only --personal-data and --risk, with --reason and --after-close, which says
                    the change is meant for that closed incident: the incident stays closed; with an assessment
                    that makes it notifiable also --aware-at, when the organisation became aware of that;
                    --nis2-significant yes (with --nis2-aware-at) when you learn after closing that it was significant:
                    its NIS2 early warning and notification then run, overdue when their deadlines passed;
                    --nis2-significant no to take back such a "yes" given after closing; --nis2-intermediate-due
                    when the CSIRT or authority asks a significant incident's intermediate report)`,
  flags: flagsOf(assessAction.fields),
  positionals: 'one',
  run: (ctx) =>
    // From the command line the finding types the person was shown are always checked (core/fg-workflow.ts checkTypesSeen).
    recordAction(ctx, assessCheckingTypes(), (incident, input) => {
      const said: string[] = [];
      if (input.personalData !== undefined) {
        const closed = incident.state === 'closed';
        said.push(
          closed
            ? `Assessed after closing as ${incident.assessment?.notifiable ? `notifiable (${incident.assessment.risk})` : 'not notifiable'}; the incident stays closed and the register shows the change.${afterCloseNote(incident)}`
            : incident.assessment?.notifiable
              ? `Assessed as notifiable (${incident.assessment.risk}); the AP deadline is ${apLegalDeadline(incident)}.`
              : 'Assessed as not notifiable: the AP clock stops; the reasoning stays in the register.',
        );
        // Notifiable after closing: the AP deadline runs again, and its reminders (core/clocks.ts).
        if (closed && apClockRunning(incident, ctx.policy))
          said.push(
            `The AP notification is due by ${apLegalDeadline(incident)}: record it with datalek reported ${incident.id} --reference NUMBER --reason TEXT; its reminders run until then.`,
          );
        // A processor's report to its controller (Art. 33(2)) reopens the same way.
        const toController = closed ? runningOtherClocks(incident, ctx.policy, ctx.now()).find((c) => c.name === 'processor') : undefined;
        if (toController)
          said.push(
            `The report to the controller is due by ${toController.dueAt}: record it with datalek reported ${incident.id} --recipient controller --reference NUMBER --reason TEXT; its reminders run until then.`,
          );
        // A significant incident's NIS2 reports closing cut short reopen too (art. 23(4)(a), (b)).
        if (closed && !input.nis2Significant) said.push(...nis2ReportsDue(incident, ctx.policy, ctx.now()));
        // A high risk set aside an Art. 34 "not required": after closing nothing else asks for the new decision.
        if (closed && incident.assessment?.risk === 'high' && !incident.subjects)
          said.push(`High risk: record the Art. 34 decision (datalek subjects ${incident.id} --decision inform|exception --reason TEXT …).`);
        const standing = initialReport(incident);
        if (incident.assessment?.notifiable === false && standing)
          said.push(
            `The AP holds notification ${standing.reference}: tell it, with a withdrawal (datalek reported ${incident.id} --kind withdrawal --reference ${standing.reference} --reason TEXT) or a correction${closed ? '' : ', before closing'}.`,
          );
      }
      if (input.awareAt !== undefined) {
        said.push(`Awareness recorded at ${incident.awareAt}; the AP deadline is ${apLegalDeadline(incident)}.`);
        // The move this run recorded: the latest awareness decision, recorded with the latest decision.
        const decisions = incident.decisions ?? [];
        const move = decisions.findLast((d) => d.kind === 'awareness');
        if (move?.kind === 'awareness' && move.to === incident.awareAt && move.recordedAt === decisions.at(-1)?.recordedAt) {
          if (move.beforeDetection) said.push("Marked as before GuardDuty's detection.");
          if (move.enteredAfterDeadline) said.push(`Marked as entered after the AP deadline had passed (overdue from ${move.enteredAfterDeadline}).`);
          if (move.delayReason)
            said.push('The initial AP report is now late: the reasons for the delay are kept with this decision; send them to the AP with a follow-up.');
          // Awareness moved earlier past the deadline with no report made: the notification is late already (Art. 33(1)).
          if (apClockRunning(incident, ctx.policy) && (apLegalDeadline(incident) as string) < ctx.now())
            said.push(
              `The AP notification is late already: the AP deadline passed at ${apLegalDeadline(incident)}; notify now, with the reasons for the delay (Art. 33(1)): datalek reported ${incident.id} --reference NUMBER --delay-reason TEXT.`,
            );
        }
      }
      if (input.actingAs !== undefined) said.push(`Role for this incident: ${incident.role}.`);
      // A decision this run recorded that ended the AP duty after the deadline had passed (core/ap-verdict.ts).
      const ended = (incident.decisions ?? []).filter((d) => d.recordedAt === incident.decisions?.at(-1)?.recordedAt);
      const marked = ended.find((d) => (d.kind === 'role' || d.kind === 'assessment') && d.enteredAfterDeadline);
      if (marked && (marked.kind === 'role' || marked.kind === 'assessment'))
        said.push(`The AP notification is not needed now; marked as entered after the AP deadline of ${marked.enteredAfterDeadline} had passed.`);
      if (input.nis2Significant !== undefined) said.push(input.nis2Significant ? 'Significant under NIS2: its clocks run.' : 'Not significant under NIS2.');
      // Decided after closing: its early warning and notification run on the closed incident (core/clocks.ts nis2SignificantAfterClosing).
      if (input.nis2Significant && incident.state === 'closed') {
        said.push(`Recorded after closing; the incident stays closed and the register shows the decision.${afterCloseNote(incident)}`);
        said.push(...nis2ReportsDue(incident, ctx.policy, ctx.now()));
      }
      if (input.nis2IntermediateDueAt !== undefined) said.push(`NIS2 intermediate report due ${input.nis2IntermediateDueAt}.`);
      if (input.nis2AwareAt !== undefined)
        said.push(
          `Aware of the significant incident (NIS2) at ${nis2AwareAt(incident)}${beforeDetection(incident, incident.nis2AwareAt) ? ", before GuardDuty's detection" : ''}: the NIS2 deadlines run from it.`,
        );
      return said.join(' ');
    }),
};

/** The NIS2 early warning and notification a closed incident owes again, each with its deadline (overdue or not) and the command that records it. */
function nis2ReportsDue(incident: Incident, policy: Policy, now: string): string[] {
  return runningOtherClocks(incident, policy, now)
    .filter((c) => c.name === 'nis2-early-warning' || c.name === 'nis2-notification')
    .map(
      (c) =>
        `The ${c.label.en} ${c.status === 'overdue' ? 'is overdue: it was due by' : 'is due by'} ${c.dueAt}: record it with datalek reported ${incident.id} --recipient csirt|authority --kind ${c.name === 'nis2-early-warning' ? 'early-warning' : 'notification'} --reference NUMBER --reason TEXT; its reminders run until then.`,
    );
}
