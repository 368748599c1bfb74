import { describeProblem } from '../../core/audit.js';
import { type LeftToClosed, leftToClosed, readingOnce, withHoldersRead } from '../../core/contain.js';
import { drillField, drillLine } from '../../core/drill.js';
import { pseudonymSecretProblems } from '../../core/pseudonym-audit.js';
import { countLine, listedCounts } from '../../core/schedule.js';
import { oneLine } from '../../core/text.js';
import { openIncidents } from '../../use-cases/open-incidents.js';
import { type Context, unreadableReporter, withBackend } from '../context.js';
import { statusObject, statusTable } from '../views.js';
import { leftToClosedLine } from './show.js';

export async function status(ctx: Context): Promise<number> {
  return withBackend(ctx, 'read', async (backend) => {
    const unreadable = unreadableReporter(ctx);
    // With the closed incidents an assessment after closing gave a duty still running (core/clocks.ts closedWithDuty).
    const listed = await openIncidents({ store: backend.store, policy: ctx.policy, now: ctx.now }, unreadable.onUnreadable);
    // What each left to another incident reads as that incident's record says now, as in `show`
    // (contain15): a holder's failed containment is NOT CONTAINED, not the stored "contained by".
    // The holders read once each, none of those listed again: no read more than leftToClosed made.
    const holders = readingOnce(backend.store, listed);
    const incidents = [];
    const failedThere = new Map<string, Awaited<ReturnType<typeof withHoldersRead>>['left']>();
    // Actions left to an incident closed without containing them: nothing contains their resources (review7 Y12).
    const left = new Map<string, LeftToClosed[]>();
    for (const stored of listed) {
      const { incident: i, left: failed } = await withHoldersRead(holders, stored, ctx.now());
      incidents.push(i);
      if (failed.length) failedThere.set(i.id, failed);
      const found = await leftToClosed(holders, i);
      if (found.length) left.set(i.id, found);
    }
    // A pseudonym secret lost or replaced splits these incidents' principals from their next findings (fgpseud17 item 2): said first, on stderr.
    for (const p of await pseudonymSecretProblems(backend.audit, incidents)) ctx.io.err(`PSEUDONYM SECRET: ${describeProblem(p)}; datalek verify names it too`);
    // A drill's list says so at its top (JSON: each item's `drill`), not on stderr alone: it is never the record (atk29 A4).
    if (backend.drill && !ctx.flags.json) ctx.io.out(drillLine(backend.drill, 'en'));
    if (ctx.flags.json) {
      ctx.io.out(
        JSON.stringify(
          incidents.map((i) => ({
            ...drillField(backend.drill),
            ...statusObject(i, ctx.policy, ctx.now()),
            ...(left.has(i.id) ? { leftToClosed: left.get(i.id) } : {}),
            ...(failedThere.has(i.id) ? { leftToFailed: failedThere.get(i.id) } : {}),
          })),
          null,
          2,
        ),
      );
    } else if (incidents.length === 0) {
      ctx.io.out('No open incidents.');
    } else {
      ctx.io.out(statusTable(incidents, ctx.policy, ctx.now()));
      for (const [id, found] of left) for (const l of found) ctx.io.out(`${id}: ${leftToClosedLine(id, l)}`);
      for (const [id, found] of failedThere) for (const f of found) ctx.io.out(oneLine(`${id}: ${f.actionId}: ${f.reason}`));
      // A duty a closed incident still owes: reopened by an assessment after closing, a report whose
      // clock closing left running (G9, the NIS2 final report), or facts after closing that the
      // assessment or the Art. 34 decision no longer fits (show ID says which).
      const counts = countLine(listedCounts(incidents), ' (datalek show ID says which)');
      ctx.io.out(`\n${counts}. Details: datalek show ID; take one: datalek ack ID`);
    }
    return unreadable.exitCode(0);
  });
}
