import { writeFileSync } from 'node:fs';
import { reportHtml } from '../../core/report-html.js';
import { type Command, type Context, loadIncident, oneOf, withBackend } from '../context.js';
import { UsageError } from '../errors.js';

export const reportCommand: Command = {
  name: 'report',
  section: 'fg',
  usage: '  datalek report ID --html FILE [--lang nl|en]',
  flags: { html: { type: 'string' }, lang: { type: 'string' } },
  positionals: 'one',
  run: runReport,
};

async function runReport(ctx: Context): Promise<number> {
  const file = ctx.flags.html;
  if (typeof file !== 'string' || !file) throw new UsageError('report needs --html FILE');
  const lang = oneOf('lang', ctx.flags.lang, ['nl', 'en'] as const, ctx.policy.language);
  return withBackend(ctx, 'read', async (backend) => {
    const incident = await loadIncident(backend.store, ctx.positionals[0]);
    const timeline = await backend.store.getTimeline(incident.id);
    try {
      writeFileSync(file, reportHtml(incident, timeline, ctx.policy, ctx.now(), lang));
    } catch (err) {
      throw new UsageError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    ctx.io.out(ctx.flags.json ? JSON.stringify({ incidentId: incident.id, file }) : `Wrote the report of ${incident.id} to ${file}.`);
    return 0;
  });
}
