import { drillMessage } from '../../core/drill.js';
import type { Incident } from '../../core/incident.js';
import { oneLine } from '../../core/text.js';
import { type Context, loadIncident, withBackend } from '../context.js';

export async function messages(ctx: Context): Promise<number> {
  return withBackend(ctx, 'read', async (backend) => {
    const store = backend.store;
    const incident = await loadIncident(store, ctx.positionals[0]);
    // A row that cannot be read is listed as DAMAGED by its id and named on stderr (exit 3), as status
    // does for a record: what the FG was told never loses an item in silence (atk29 A13).
    const damaged: { id: string; reason: string }[] = [];
    const stored = await store.listMessages(incident.id, (d) => damaged.push(d));
    for (const d of damaged)
      ctx.io.err(oneLine(`datalek: message ${d.id} of incident ${incident.id} cannot be read from the store (${d.reason}): datalek verify ${incident.id}`));
    // On a drill copy, what is (or will be) sent from it is shown as it is sent: marked.
    const list = backend.drill ? stored.map((m) => (m.sentAt && m.sentAt < (backend.drill?.at ?? '') ? m : drillMessage(m))) : stored;
    if (ctx.flags.json) {
      ctx.io.out(JSON.stringify([...list, ...damaged.map((d) => ({ id: d.id, damaged: d.reason }))], null, 2));
    } else if (list.length === 0 && damaged.length === 0) {
      ctx.io.out(`No messages for ${incident.id} (${noneBecause(incident)}).`);
    } else {
      ctx.io.out(
        list
          .map(
            (m) => `To: ${m.channel === 'fg' ? 'FG' : 'on-call'}   ${m.sentAt ? `sent ${m.sentAt}` : 'PENDING'}\nSubject: ${oneLine(m.subject)}\n\n${m.body}`,
          )
          .concat(damaged.map((d) => oneLine(`DAMAGED: message ${d.id} cannot be read from the store (${d.reason}): datalek verify ${incident.id}`)))
          .join(`\n\n${'-'.repeat(72)}\n\n`),
      );
    }
    return damaged.length ? 3 : 0;
  });
}

/** Why an incident has no messages: opened by hand (by the FG, who knows; nobody is paged), or below the thresholds. */
function noneBecause(incident: Incident): string {
  return incident.openedByHand
    ? `opened by hand by ${incident.openedByHand.by}: nobody is paged, and the FG is told only when someone else opens one`
    : "below the policy's thresholds for the FG and on-call";
}
