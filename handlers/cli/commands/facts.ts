import { apLegalDeadline } from '../../core/ap-verdict.js';
import type { Incident } from '../../core/incident.js';
import { factsAction } from '../../use-cases/actions.js';
import type { Context, FlagSpec } from '../context.js';
import { flagsOf, recordAction, shownAt } from './fg-common.js';

/** The flags its use case reads, made from the use case's fields: index.ts lists the same (test/unit/cli-commands.test.ts). */
export const fieldFlags: Record<string, FlagSpec> = flagsOf(factsAction.fields);

export const facts = (ctx: Context): Promise<number> =>
  recordAction(ctx, factsAction, (incident, _input, before) =>
    [
      incident.state === 'closed'
        ? 'Facts corrected after closing; the incident stays closed and the register shows the correction.'
        : `Facts recorded${incident.facts?.complete ? ' and marked complete' : ''}.`,
      ...setAsideText(before, incident),
      ...(before.awareAt !== incident.awareAt
        ? [
            `The awareness kept for the begin recorded before now follows the detection, ${shownAt(incident.awareAt, ctx.policy)}: the AP deadline is ${shownAt(apLegalDeadline(incident), ctx.policy)} (Art. 33(1)); if the organisation became aware later, record that with a reason (datalek assess ${incident.id} --aware-at ISO --aware-reason TEXT).`,
          ]
        : []),
    ].join(' '),
  );

/**
 * What facts set aside (review12, low): a decision on informing the data subjects (Art. 34) or the
 * subscribers (Regulation 611/2013) whose ground they take away (the exception "encrypted" under
 * data not unintelligible, or a nature besides confidentiality it never answered) is set aside in
 * the same commit and is open again: said at once, not left to `show` or the next reminder.
 */
export function setAsideText(before: Incident, after: Incident): string[] {
  const gone = (d: Incident['subjects'], now: Incident['subjects']) => (d && !now ? `${d.decision}${d.exception ? ` (${d.exception})` : ''}` : null);
  const out: string[] = [];
  const subjects = gone(before.subjects, after.subjects);
  if (subjects)
    out.push(
      `The Art. 34 decision on the data subjects (${subjects}) is set aside: these facts take away its ground; record a new one (datalek subjects ${after.id} --decision inform|exception|not-required --reason TEXT).`,
    );
  const subscribers = gone(before.subscribers, after.subscribers);
  if (subscribers)
    out.push(
      `The decision on informing the subscribers (${subscribers}) is set aside: these facts take away its ground; record a new one (datalek subjects ${after.id} --audience subscribers --decision inform|exception|not-required --reason TEXT).`,
    );
  return out;
}
