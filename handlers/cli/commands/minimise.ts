import { type MinimiseReport, minimiseClosed } from '../../core/minimise.js';
import { holdFindings, releaseHold } from '../../core/retention-hold.js';
import { oneLine } from '../../core/text.js';
import { localWithInstant } from '../../core/time.js';
import { type Context, personDeps, withBackend } from '../context.js';
import { UsageError } from '../errors.js';
import { afterDays } from './flag-values.js';

export async function minimise(ctx: Context): Promise<number> {
  const by = (ctx.flags.by as string).trim();
  if (ctx.flags.hold || ctx.flags['release-hold']) return hold(ctx, by);
  const days = afterDays(ctx.flags['after-days'], ctx.policy.retention.findingDetailDays);
  const { report, logKept } = await withBackend(ctx, 'write', async (backend) => {
    // On every run, whatever it minimised: a run after one that left the log full empties it.
    const emptyLog = async () => (await backend.store.emptyLog?.()) ?? null;
    try {
      // A --now behind the machine's clock is recorded as stated, with the machine's beside it (none on a drill copy), as personDeps does.
      const report = await minimiseClosed({ ...personDeps(ctx, backend), audit: backend.audit }, { by, afterDays: days, only: ctx.positionals[0] });
      return { report, logKept: await emptyLog() };
    } catch (err) {
      // A run that fails on a later incident has committed the minimisations before it: where their removed values stay is said too.
      const kept = await emptyLog().catch(() => null);
      if (kept) ctx.io.err(oneLine(logKeptLine(kept)));
      throw err;
    }
  });
  if (ctx.flags.json) ctx.io.out(JSON.stringify({ afterDays: days, by, ...report, ...(logKept ? { logKept } : {}) }, null, 2));
  else for (const line of reportLines(report, days, ctx.policy.timeZone)) ctx.io.out(oneLine(line));
  // Items the listing passed by, being no incident records (an index entry the pipeline did not write): said, never silently.
  for (const item of report.skipped ?? []) ctx.io.err(oneLine(`datalek: ${item}`));
  if (logKept) ctx.io.err(oneLine(logKeptLine(logKept)));
  return 0;
}

/** The store's log could not be emptied (SqliteIncidentStore.emptyLog): what stays there, and what to do. */
function logKeptLine(log: string): string {
  return (
    `datalek: the store's log ${log} could not be emptied: another process has the store open (a replay writing, or a reader). ` +
    'Until it is emptied, that file may still hold values this or an earlier minimise removed from the record. ' +
    // A read-only connection (show, verify) never checkpoints: the last to close empties the log only if it may write the store.
    'Run datalek minimise again once that process has ended.'
  );
}

function reportLines(report: MinimiseReport, days: number, timeZone: string): string[] {
  const lines = report.minimised.map(
    (m) =>
      (m.kept
        ? `${m.incidentId}: a field since known personal removed from ${m.findings} finding record${m.findings === 1 ? '' : 's'} minimised before (${m.fields} field${m.fields === 1 ? '' : 's'} in all); its other findings are kept: ${m.kept}`
        : m.findings
          ? `${m.incidentId}: personal data removed from ${m.findings} finding record${m.findings === 1 ? '' : 's'} (${m.fields} field${m.fields === 1 ? '' : 's'}; closed ${localWithInstant(m.closedAt, timeZone)})${m.already ? `, ${m.already} minimised before` : ''}`
          : `${m.incidentId}: nothing to remove (${m.already} finding record${m.already === 1 ? '' : 's'} minimised before)`) +
      (m.held ? `; held: ${m.held}` : '') +
      (m.sessionNamesNotKnown?.length
        ? `; finding${m.sessionNamesNotKnown.length === 1 ? '' : 's'} ${m.sessionNamesNotKnown.join(', ')} minimised by a release before fg19, which did not note whether it looked for the role session's name: minimise before scrub17 (8055538c) removed the principal id whole and left the name where the finding repeated it alone, scrub17's removed it there too; if minimised (its first finding-minimised entry, datalek show ID) before scrub17 (8055538c) was deployed, its session name, where it is no e-mail address, may still be in the finding's free text (its title, its description), and nothing left in the record says what it was, so minimise cannot look for it; the record now says so (minimised.sessionNames: not-known)`
        : ''),
  );
  const changed = report.minimised.filter((m) => m.findings > 0 && !m.kept).length;
  lines.push(
    `Minimised ${changed} of ${report.checked} incident${report.checked === 1 ? '' : 's'} closed more than ${days} days ago${report.notYet ? `; ${report.notYet} closed more recently, or with something still due or a follow-up or linked incident open, kept as they are` : ''}. datalek verify checks the record still.`,
  );
  return lines;
}

/** `--hold` / `--release-hold`: the FG keeps one incident's findings past the period, or stops keeping them. */
async function hold(ctx: Context, by: string): Promise<number> {
  const id = ctx.positionals[0];
  if (!id) throw new UsageError('--hold and --release-hold name the incident: datalek minimise ID --hold --reason TEXT --by NAME');
  const reason = ctx.flags.reason as string;
  const incident = await withBackend(ctx, 'write', (backend) =>
    ctx.flags.hold ? holdFindings(personDeps(ctx, backend), id, { by, reason }) : releaseHold(personDeps(ctx, backend), id, { by, reason }),
  );
  const held = incident.retentionHold;
  if (ctx.flags.json) ctx.io.out(JSON.stringify({ incidentId: incident.id, retentionHold: held ?? null }, null, 2));
  else
    ctx.io.out(
      oneLine(
        held
          ? `${incident.id}: findings held by ${held.by} (${held.reason}); minimise leaves them until: datalek minimise ${incident.id} --release-hold --reason TEXT --by NAME`
          : `${incident.id}: hold released; minimise counts the retention period as before`,
      ),
    );
  return 0;
}
