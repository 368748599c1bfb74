import { userInfo } from 'node:os';
import { acknowledge } from '../../core/acknowledge.js';
import { IncidentNotFoundError } from '../../core/errors.js';
import { oneLine } from '../../core/text.js';
import { awsSettings } from '../backend.js';
import { type Command, type Context, loadIncident, withBackend } from '../context.js';
import { UsageError } from '../errors.js';
import { signedAcknowledge } from '../signed-ack.js';

export const ackCommand: Command = {
  name: 'ack',
  section: 'main',
  usage: '  datalek ack ID [--by NAME] [--note TEXT]   on-call takes the incident (stops the escalation, not the AP clock)',
  flags: { by: { type: 'string' }, note: { type: 'string' } },
  positionals: 'one',
  run: ack,
};

async function ack(ctx: Context): Promise<number> {
  const url = ctx.io.env.DATALEK_ACK_URL;
  if (ctx.target === 'aws' && url) return signedAck(ctx, url);
  return withBackend(ctx, 'write', async (backend) => {
    const store = backend.store;
    const incident = await loadIncident(store, ctx.positionals[0]);
    const by = ctx.flags.by ?? userInfo().username;
    const result = await acknowledge({ store, policy: ctx.policy, now: ctx.now }, { incidentId: incident.id, by, note: ctx.flags.note });
    printAck(
      ctx,
      {
        incidentId: result.incident.id,
        changed: result.changed,
        acknowledgedBy: result.incident.acknowledgedBy,
        acknowledgedAt: result.incident.acknowledgedAt,
      },
      result.incident.deadline,
    );
    return 0;
  });
}

/** On AWS: the acknowledgement goes through the IAM-authorised URL, as the signed caller (never --by). */
async function signedAck(ctx: Context, url: string): Promise<number> {
  if (ctx.flags.by) throw new UsageError('--by cannot be used with DATALEK_ACK_URL: the acknowledger is the identity that signs the request');
  const { region } = awsSettings(ctx.io.env);
  const response = await signedAcknowledge(url, region, { incidentId: ctx.positionals[0], note: ctx.flags.note });
  if (response.status === 404) throw new IncidentNotFoundError(ctx.positionals[0]);
  if (response.status !== 200) {
    ctx.io.err(oneLine(`datalek: the acknowledgement was refused (HTTP ${response.status}): ${response.body.error ?? 'no reason given'}`));
    return response.status === 403 ? 2 : 3;
  }
  printAck(ctx, response.body as Parameters<typeof printAck>[1], null);
  return 0;
}

function printAck(
  ctx: Context,
  a: { incidentId: string; changed: boolean; acknowledgedBy: string | null; acknowledgedAt: string | null },
  deadline: string | null,
): void {
  if (ctx.flags.json) ctx.io.out(JSON.stringify(a));
  else if (a.changed)
    ctx.io.out(oneLine(`Acknowledged ${a.incidentId} as ${a.acknowledgedBy}. Pages stop; the AP deadline does not${deadline ? ` (${deadline})` : ''}.`));
  else ctx.io.out(oneLine(`${a.incidentId} was already acknowledged by ${a.acknowledgedBy} at ${a.acknowledgedAt}; nothing changed.`));
}
