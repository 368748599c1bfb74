import { type MinimiseReport, minimiseClosed } from '../../core/minimise.js';
import { holdFindings, releaseHold } from '../../core/retention-hold.js';
import { oneLine } from '../../core/text.js';
import { type Command, type Context, personDeps, withBackend } from '../context.js';
import { UsageError } from '../errors.js';

export const minimiseCommand: Command = {
  name: 'minimise',
  section: 'fg',
  usage: `  datalek minimise [ID] --by NAME [--after-days N]
                   remove the personal data (IP addresses, user names, principal and access key ids,
                   user agents, domain names) from the stored findings of incidents closed more than
                   the policy's retention.findingDetailDays (default 180) ago, or N days; the register,
                   timeline and ledger are kept, and verify accepts what it removed. Never an open incident,
                   nor one with something recorded after closing within the period, nor one held.
  datalek minimise ID --hold --reason TEXT --by NAME | ID --release-hold --by NAME
                   keep an incident's findings past the period (a legal hold, a claim under way), until released`,
  flags: {
    by: { type: 'string' },
    'after-days': { type: 'string' },
    hold: { type: 'boolean' },
    'release-hold': { type: 'boolean' },
    reason: { type: 'string' },
  },
  positionals: 'optional-one',
  // `check` is handed the flags and the target, not the positionals: the incident id is checked in `hold` (review10 K3).
  check(flags) {
    if (typeof flags.by !== 'string' || !flags.by.trim()) throw new UsageError('minimise needs --by NAME: the person who decides the data is no longer needed');
    afterDays(flags['after-days'], 0);
    if (flags.hold && flags['release-hold']) throw new UsageError('give --hold or --release-hold, not both');
    if (flags.hold && (typeof flags.reason !== 'string' || !flags.reason.trim()))
      throw new UsageError('--hold needs --reason TEXT: why the findings are kept past the retention period (the register keeps it)');
    if (flags.reason !== undefined && !flags.hold) throw new UsageError('--reason goes with --hold');
  },
  run: minimise,
};

/** `--after-days`: whole days, 0 or more; the policy's period when not given. */
function afterDays(value: string | boolean | undefined, policyDays: number): number {
  if (value === undefined) return policyDays;
  if (typeof value !== 'string' || !/^\d{1,5}$/.test(value.trim()))
    throw new UsageError(`--after-days must be a whole number of days (0 or more), got ${JSON.stringify(value)}`);
  return Number(value.trim());
}

async function minimise(ctx: Context): Promise<number> {
  const by = (ctx.flags.by as string).trim();
  if (ctx.flags.hold || ctx.flags['release-hold']) return hold(ctx, by);
  const days = afterDays(ctx.flags['after-days'], ctx.policy.retention.findingDetailDays);
  const report = await withBackend(ctx, 'write', (backend) =>
    // A --now behind the machine's clock is recorded as stated, with the machine's beside it (none on a drill copy), as personDeps does.
    minimiseClosed({ ...personDeps(ctx, backend), audit: backend.audit }, { by, afterDays: days, only: ctx.positionals[0] }),
  );
  if (ctx.flags.json) ctx.io.out(JSON.stringify({ afterDays: days, by, ...report }, null, 2));
  else for (const line of reportLines(report, days)) ctx.io.out(oneLine(line));
  // Items the listing passed by, being no incident records (an index entry the pipeline did not write): said, never silently.
  for (const item of report.skipped ?? []) ctx.io.err(oneLine(`datalek: ${item}`));
  return 0;
}

function reportLines(report: MinimiseReport, days: number): string[] {
  const lines = report.minimised.map(
    (m) =>
      (m.kept
        ? `${m.incidentId}: a field since known personal removed from ${m.findings} finding record${m.findings === 1 ? '' : 's'} minimised before (${m.fields} field${m.fields === 1 ? '' : 's'} in all); its other findings are kept: ${m.kept}`
        : m.findings
          ? `${m.incidentId}: personal data removed from ${m.findings} finding record${m.findings === 1 ? '' : 's'} (${m.fields} field${m.fields === 1 ? '' : 's'}; closed ${m.closedAt})${m.already ? `, ${m.already} minimised before` : ''}`
          : `${m.incidentId}: nothing to remove (${m.already} finding record${m.already === 1 ? '' : 's'} minimised before)`) +
      (m.held ? `; held: ${m.held}` : ''),
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
  const incident = await withBackend(ctx, 'write', (backend) =>
    ctx.flags.hold ? holdFindings(personDeps(ctx, backend), id, { by, reason: ctx.flags.reason as string }) : releaseHold(personDeps(ctx, backend), id, { by }),
  );
  const held = incident.retentionHold;
  if (ctx.flags.json) ctx.io.out(JSON.stringify({ incidentId: incident.id, retentionHold: held ?? null }, null, 2));
  else
    ctx.io.out(
      oneLine(
        held
          ? `${incident.id}: findings held by ${held.by} (${held.reason}); minimise leaves them until: datalek minimise ${incident.id} --release-hold --by NAME`
          : `${incident.id}: hold released; minimise counts the retention period as before`,
      ),
    );
  return 0;
}
