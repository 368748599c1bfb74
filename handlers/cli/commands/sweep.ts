import { userInfo } from 'node:os';
import { reindexDue } from '../../core/due-index.js';
import { shortDigest } from '../../core/due-policy.js';
import { toldOutside } from '../../core/incident-pseudonyms.js';
import { sweep } from '../../core/sweep.js';
import { oneLine } from '../../core/text.js';
import { type Context, deliverQueued, unreadableReporter, withBackend } from '../context.js';
import { reindexRefusedText, sweptLostRaceText } from '../lost-race.js';
import { table } from '../views.js';

export async function runSweep(ctx: Context): Promise<number> {
  return withBackend(ctx, 'write', async (backend) => {
    const store = backend.store;
    // An incident the reindex cannot read, or whose write the store refuses at every try, is named
    // (stderr) and left out; the others are put back and swept, and the exit is 3: the upgrade step
    // is not done until it is mended and run again.
    const unreadable = unreadableReporter(ctx);
    const refused: string[] = [];
    if (ctx.flags.reindex) {
      const skipped: string[] = [];
      const put = await reindexDue(
        { store, policy: ctx.policy, now: ctx.now },
        (p) => {
          skipped.push(p.incidentId);
          unreadable.onUnreadable(p);
        },
        (incidentId, err, pseudonymKey) => {
          refused.push(incidentId);
          // Kept past minimise where cron mails it: a principal by the incident's own pseudonym, as the sweep's errors name it.
          ctx.io.err(oneLine(`datalek: ${toldOutside(pseudonymKey, reindexRefusedText(incidentId, err))}`));
        },
      );
      if (!ctx.flags.json)
        ctx.io.out(
          [
            ...put.map((p) => oneLine(`Due index: ${p.incidentId} put back (due ${p.dueAt ?? 'none'}, stored ${p.was ?? 'none'}).`)),
            ...notPutBack(skipped, 'could not be read'),
            ...notPutBack(refused, 'could not be written'),
            ...(skipped.length || refused.length || put.length ? [] : ['Due index: every incident holds what is due.']),
          ].join('\n'),
        );
    }
    const result = await sweep({
      store,
      policy: ctx.policy,
      now: ctx.now,
      // On AWS the scheduled sweep sets due times again after a policy change, under the deployment's policy.
      duePolicyPass: backend.target !== 'aws',
      // On a real store, a --now behind the machine's clock is marked in what the sweep records, as a replay's is.
      ...(backend.drill ? {} : { statedRun: { machineNow: ctx.systemNow, by: `${userInfo().username} (datalek sweep)` } }),
    });
    for (const f of result.failed)
      ctx.io.err(
        oneLine(
          `datalek: ${f.lostRace ? sweptLostRaceText(f.incidentId) : `incident ${f.incidentId} could not be swept: ${f.error} (datalek verify ${f.incidentId})`}`,
        ),
      );
    // The pass after a policy change (core/due-index.ts resetForPolicy): said when it set any due time again, or stopped before the end.
    const pass = result.duePolicy;
    if (pass && (pass.reset.length || !pass.complete) && !ctx.flags.json)
      ctx.io.out(
        oneLine(
          `Due times: the policy in force (${shortDigest(pass.now)}) is not the one the sweep last set every due time under (${pass.was ? shortDigest(pass.was) : 'none kept'}): ${pass.reset.length} incident${pass.reset.length === 1 ? '' : 's'} set again under it${pass.reset.length ? ` (${pass.reset.map((r) => r.incidentId).join(', ')})` : ''}${pass.complete ? '.' : '; not all read yet (named on stderr, or out of time): the next sweep goes on.'}`,
        ),
      );
    const delivery = await deliverQueued(ctx, backend);
    if (ctx.flags.json) ctx.io.out(JSON.stringify(result.sent, null, 2));
    else if (result.sent.length === 0) ctx.io.out('Nothing due.');
    else
      ctx.io.out(
        table(
          ['INCIDENT', 'KIND', 'DUE AT'],
          result.sent.map((s) => [s.incidentId, s.kind, s.dueAt]),
        ),
      );
    // The others were swept; an incident that could not be, or a message that could not be sent,
    // is a failure someone must look at (cron tells on a non-zero exit).
    return unreadable.exitCode(result.failed.length || delivery.failed.length || refused.length ? 3 : 0);
  });
}

/** The summary line for incidents the reindex left out (each named on stderr with why), if any. */
function notPutBack(ids: string[], why: string): string[] {
  if (ids.length === 0) return [];
  const one = ids.length === 1;
  return [oneLine(`Due index: ${ids.length} incident${one ? '' : 's'} ${why} and ${one ? 'was' : 'were'} not put back (named on stderr): ${ids.join(', ')}.`)];
}
