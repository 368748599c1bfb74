import { type MinimiseReport, minimiseClosed } from '../../core/minimise.js';
import { oneLine } from '../../core/text.js';
import { type Command, type Context, withBackend } from '../context.js';
import { UsageError } from '../errors.js';

export const minimiseCommand: Command = {
  name: 'minimise',
  section: 'fg',
  usage: `  datalek minimise [ID] --by NAME [--after-days N]
                   remove the personal data (IP addresses, user names, principal and access key ids,
                   user agents, domain names) from the stored findings of incidents closed more than
                   the policy's retention.findingDetailDays (default 180) ago, or N days; the register,
                   timeline and ledger are kept, and verify accepts what it removed. Never an open incident.`,
  flags: { by: { type: 'string' }, 'after-days': { type: 'string' } },
  positionals: 'optional-one',
  check(flags) {
    if (typeof flags.by !== 'string' || !flags.by.trim()) throw new UsageError('minimise needs --by NAME: the person who decides the data is no longer needed');
    afterDays(flags['after-days'], 0);
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
  const days = afterDays(ctx.flags['after-days'], ctx.policy.retention.findingDetailDays);
  const report = await withBackend(ctx, 'write', (backend) =>
    minimiseClosed({ store: backend.store, audit: backend.audit, now: ctx.now, machineNow: ctx.systemNow }, { by, afterDays: days, only: ctx.positionals[0] }),
  );
  if (ctx.flags.json) ctx.io.out(JSON.stringify({ afterDays: days, by, ...report }, null, 2));
  else for (const line of reportLines(report, days)) ctx.io.out(oneLine(line));
  return 0;
}

function reportLines(report: MinimiseReport, days: number): string[] {
  const lines = report.minimised.map((m) =>
    m.findings
      ? `${m.incidentId}: personal data removed from ${m.findings} finding record${m.findings === 1 ? '' : 's'} (${m.fields} field${m.fields === 1 ? '' : 's'}; closed ${m.closedAt})${m.already ? `, ${m.already} minimised before` : ''}`
      : `${m.incidentId}: nothing to remove (${m.already} finding record${m.already === 1 ? '' : 's'} minimised before)`,
  );
  const changed = report.minimised.filter((m) => m.findings > 0).length;
  lines.push(
    `Minimised ${changed} of ${report.checked} incident${report.checked === 1 ? '' : 's'} closed more than ${days} days ago${report.notYet ? `; ${report.notYet} closed more recently, or with something still due or a follow-up or linked incident open, kept as they are` : ''}. datalek verify checks the record still.`,
  );
  return lines;
}
