import { type LeftToClosed, leftToClosed, withHoldersRead } from '../../core/contain.js';
import { driftLines } from '../../core/drift.js';
import { findingTypesWithNames } from '../../core/finding-types.js';
import { oneLine } from '../../core/text.js';
import { readBackContainment } from '../containment-check.js';
import { type Context, loadIncident, withBackend } from '../context.js';
import { decisionsNotByFg } from '../fg-role.js';
import { showObject, showText } from '../views.js';

export async function show(ctx: Context): Promise<number> {
  return withBackend(ctx, 'read', async (backend) => {
    const store = backend.store;
    const stored = await loadIncident(store, ctx.positionals[0]);
    // What it left to open incidents reads as their records say now: a holder's failed containment is
    // NOT CONTAINED here at once, not "contained by" until the sweep's left check records it (C3).
    const { incident, left: failedThere } = await withHoldersRead(store, stored, ctx.now());
    const timeline = await store.getTimeline(incident.id);
    // Every finding type by name, past the 100 the record lists too, read from its findings (fg15).
    const types = await findingTypesWithNames(store, incident);
    // On AWS the record's containment is read back: a record saying "network cut" about an
    // interface someone put back in its groups is shown for what it is (review5 A15).
    const check = ctx.target === 'aws' ? await readBackContainment(ctx, [stored], store) : null;
    // Left to an incident closed without containing it: nothing contains the resource (review7 Y12).
    const left = await leftToClosed(store, incident);
    // On AWS, an FG decision no session of the FG's role recorded is marked (fgrole item 3); a
    // deployment naming no FG role leaves them unmarked here (verify says why).
    const notByFg = backend.fgRole ? decisionsNotByFg(timeline, await backend.fgRole().catch(() => null)) : [];
    if (ctx.flags.json) {
      const shown = {
        ...showObject(incident, timeline, ctx.policy, ctx.now(), types),
        ...(notByFg.length ? { fgDecisionsNotByFg: notByFg } : {}),
        ...(left.length ? { leftToClosed: left } : {}),
        ...(failedThere.length ? { leftToFailed: failedThere } : {}),
      };
      ctx.io.out(JSON.stringify(check ? { ...shown, containmentCheck: check } : shown, null, 2));
    } else {
      const text = showText(incident, timeline, ctx.policy, ctx.now(), types, new Set(notByFg.map((d) => d.seq)));
      const lines = [
        ...left.map((l) => leftToClosedLine(incident.id, l)),
        ...failedThere.map((f) => oneLine(`${f.actionId}: ${f.reason}`)),
        ...(check ? driftLines(check, false) : []),
      ];
      ctx.io.out(lines.length ? `${text.replace(/\n$/, '')}\n\n${lines.join('\n')}` : text);
    }
    return 0;
  });
}

/** What `show` and `status` say of an action left to an incident closed without containing it. */
export function leftToClosedLine(incidentId: string, l: LeftToClosed): string {
  const closed = l.closed === l.heldBy ? '' : ` (merged into ${l.closed})`;
  return oneLine(
    `${l.type} ${l.target} left to incident ${l.heldBy}${closed}, which is closed and does not hold it contained: NOT CONTAINED; the next containment run takes it up, or now: datalek contain ${incidentId} --by NAME --reason TEXT`,
  );
}
