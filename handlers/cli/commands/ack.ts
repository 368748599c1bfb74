import { userInfo } from 'node:os';
import { apInternalTarget, apLegalDeadline } from '../../core/ap-verdict.js';
import type { Incident } from '../../core/incident.js';
import type { Policy } from '../../core/policy.js';
import { oneLine } from '../../core/text.js';
import { type AckOutcome, ackAction } from '../../use-cases/actions.js';
import { parseFields } from '../../use-cases/fields.js';
import { actionDeps } from '../action-deps.js';
import { awsSettings } from '../backend.js';
import { type Context, deliverQueued, loadIncident, withBackend } from '../context.js';
import { UsageError } from '../errors.js';
import { signedAcknowledger } from '../signed-ack.js';
import { nextStepLines, onCallNext } from '../views.js';
import { shownAt } from './fg-common.js';

export async function ack(ctx: Context): Promise<number> {
  const values = parseFields(ackAction.fields, ctx.flags);
  const url = ctx.io.env.DATALEK_ACK_URL;
  if (ctx.target === 'aws' && url) {
    // On AWS: through the IAM-authorised URL, as the signed caller (never --by); no store opened here.
    if (ctx.flags.by) throw new UsageError('--by cannot be used with DATALEK_ACK_URL: the acknowledger is the identity that signs the request');
    const acknowledge = signedAcknowledger(url, awsSettings(ctx.io.env).region);
    printAck(ctx, await acknowledge(ackAction.input(values, { incidentId: ctx.positionals[0], by: '' })), null);
    // No store is read on this path (the on-call role may only call the URL): say where the steps are.
    if (!ctx.flags.json) ctx.io.out(oneLine(`Next: the runbook and the containment steps: datalek show ${ctx.positionals[0]} --target aws`));
    return 0;
  }
  return withBackend(ctx, 'write', async (backend) => {
    const incident = await loadIncident(backend.store, ctx.positionals[0]);
    const by = ctx.flags.by ?? userInfo().username;
    const outcome = await ackAction.run(actionDeps(ctx, backend), ackAction.input(values, { incidentId: incident.id, by }));
    // What the acknowledgement queued (acknowledging the alert at the pager) goes out now.
    await deliverQueued(ctx, backend, { incidentId: incident.id });
    printAck(ctx, outcome, deadlineText(incident, ctx.policy), incident);
    return 0;
  });
}

/** The law's AP deadline, a shorter internal target beside it (read14a A2): the target is no AP deadline. */
function deadlineText(incident: Incident, policy: Policy): string | null {
  const target = apInternalTarget(incident);
  const legal = apLegalDeadline(incident);
  // In the policy's zone with the ISO beside, as show gives them (fg27).
  if (!legal) return null;
  return target ? `${shownAt(legal, policy)}; internal target ${shownAt(target.at, policy)}` : shownAt(legal, policy);
}

/** What the acknowledgement did, then on-call's next step: the runbook and the containment still to do (as the link page says it). */
function printAck(ctx: Context, a: AckOutcome, deadline: string | null, incident?: Incident): void {
  if (ctx.flags.json) ctx.io.out(JSON.stringify({ ...a, ...(incident ? onCallNext(incident) : {}) }));
  else if (a.alertAcknowledged)
    ctx.io.out(
      oneLine(
        `${a.incidentId} was already acknowledged by ${a.acknowledgedBy} at ${a.acknowledgedAt}; the alert the pager raised again after that is acknowledged now, as you.`,
      ),
    );
  else if (a.changed)
    ctx.io.out(oneLine(`Acknowledged ${a.incidentId} as ${a.acknowledgedBy}. Pages stop; the AP deadline does not${deadline ? `: ${deadline}` : ''}.`));
  else ctx.io.out(oneLine(`${a.incidentId} was already acknowledged by ${a.acknowledgedBy} at ${a.acknowledgedAt}; nothing changed.`));
  if (!ctx.flags.json && incident) for (const line of nextStepLines(incident, ctx.policy)) ctx.io.out(line);
}
