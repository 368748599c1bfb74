import { drillField, drillMarkdown } from '../../core/drill.js';
import { buildNotice, noticeLetter, noticeSenderNotes } from '../../core/notice.js';
import { measuresElsewhere } from '../../use-cases/queries.js';
import { type Context, loadIncident, oneOf, withBackend } from '../context.js';

export async function runNotice(ctx: Context): Promise<number> {
  const lang = oneOf('lang', ctx.flags.lang, ['nl', 'en'] as const, ctx.policy.language);
  const format = oneOf('format', ctx.flags.format, ['md', 'json'] as const, ctx.flags.json ? 'json' : 'md');
  return withBackend(ctx, 'read', async (backend) => {
    const incident = await loadIncident(backend.store, ctx.positionals[0]);
    const notice = buildNotice(incident, ctx.policy, ctx.now(), lang, await measuresElsewhere(backend, incident));
    if (format === 'json') {
      ctx.io.out(JSON.stringify({ ...drillField(backend.drill), ...notice }, null, 2));
      return 0;
    }
    // Art. 34(2): what reaches the people affected holds nothing meant for the sender. Their notes go
    // to stderr, so that `--text "$(datalek notice ID)"` (the help's example) records the letter alone.
    ctx.io.err(noticeSenderNotes(notice, ctx.policy));
    // A drill's letter says so in its heading: it must never reach the people affected as real (atk29 A4).
    const letter = noticeLetter(notice, ctx.policy);
    ctx.io.out(backend.drill ? drillMarkdown(letter, backend.drill, lang) : letter);
    return 0;
  });
}
