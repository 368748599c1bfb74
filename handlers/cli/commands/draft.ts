import { buildDraft, draftMarkdown } from '../../core/draft.js';
import { measuresElsewhere } from '../../use-cases/queries.js';
import { type Context, loadIncident, oneOf, withBackend } from '../context.js';

export async function runDraft(ctx: Context): Promise<number> {
  const lang = oneOf('lang', ctx.flags.lang, ['nl', 'en'] as const, ctx.policy.language);
  const format = oneOf('format', ctx.flags.format, ['md', 'json'] as const, ctx.flags.json ? 'json' : 'md');
  return withBackend(ctx, 'read', async (backend) => {
    const incident = await loadIncident(backend.store, ctx.positionals[0]);
    const draft = buildDraft(incident, ctx.policy, ctx.now(), lang, await measuresElsewhere(backend, incident));
    ctx.io.out(format === 'json' ? JSON.stringify(draft, null, 2) : draftMarkdown(draft, ctx.policy.timeZone));
    return 0;
  });
}
