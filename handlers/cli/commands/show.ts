import { type LeftToClosed, leftToClosed, withHoldersRead } from '../../core/contain.js';
import { driftLines } from '../../core/drift.js';
import { drillField, drillLine } from '../../core/drill.js';
import { damagedEntryLines } from '../../core/entry-detail.js';
import { findingTypesWithNames } from '../../core/finding-types.js';
import { oneLine } from '../../core/text.js';
import { readBackContainment } from '../containment-check.js';
import { type Context, loadIncident, withBackend } from '../context.js';
import { decisionsNotByFg, fgNotCheckedLine, fgRoleUnread } from '../fg-role.js';
import { showObject, showText } from '../views.js';

export async function show(ctx: Context): Promise<number> {
  return withBackend(ctx, 'read', async (backend) => {
    const store = backend.store;
    const stored = await loadIncident(store, ctx.positionals[0]);
    // What it left to open incidents reads as their records say now: a holder's failed containment is
    // NOT CONTAINED here at once, not "contained by" until the sweep's left check records it (C3).
    const { incident, left: failedThere } = await withHoldersRead(store, stored, ctx.now());
    const timeline = await store.getTimeline(incident.id);
    for (const line of damagedEntryLines(timeline)) ctx.io.err(line);
    // Every finding type by name, past the 100 the record lists too, read from its findings (fg15).
    const types = await findingTypesWithNames(store, incident);
    // On AWS the record's containment is read back: a record saying "network cut" about an
    // interface someone put back in its groups is shown for what it is (review5 A15).
    const check = ctx.target === 'aws' ? await readBackContainment(ctx, [stored], store) : null;
    // Left to an incident closed without containing it: nothing contains the resource (review7 Y12).
    const left = await leftToClosed(store, incident);
    // On AWS, an FG decision no session of the FG's role recorded is marked (fgrole item 3). When the
    // role cannot be read (no permission, throttled, the table naming none) nothing is marked, and
    // show says so: silence would read as every decision the FG's (fgr28 item 1).
    let fgUnread: unknown = null;
    const fg = backend.fgRole
      ? await backend.fgRole().catch((err: unknown) => {
          fgUnread = err;
          return null;
        })
      : null;
    const notByFg = decisionsNotByFg(timeline, fg);
    const notChecked = fgUnread === null ? null : fgNotCheckedLine(fgUnread);
    if (ctx.flags.json) {
      const shown = {
        // A drill's incident says so (atk29 A4): never the record.
        ...drillField(backend.drill),
        ...showObject(incident, timeline, ctx.policy, ctx.now(), types),
        ...(notByFg.length ? { fgDecisionsNotByFg: notByFg } : {}),
        // As verify --json names it: the lookup's failure (its kind and message), or the table naming no FG role.
        ...(fgUnread === null ? {} : { fgRoleUnknown: fgRoleUnread(fgUnread) ?? (fgUnread as Error).message }),
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
        ...(notChecked ? [oneLine(notChecked)] : []),
      ];
      if (backend.drill) ctx.io.out(drillLine(backend.drill, 'en'));
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
