import { buildDraft, draftMarkdown } from '../../core/draft.js';
import { drillField, drillMarkdown } from '../../core/drill.js';
import { measuresElsewhere } from '../../use-cases/queries.js';
import { type Context, loadIncident, oneOf, withBackend } from '../context.js';

export async function runDraft(ctx: Context): Promise<number> {
  const lang = oneOf('lang', ctx.flags.lang, ['nl', 'en'] as const, ctx.policy.language);
  const format = oneOf('format', ctx.flags.format, ['md', 'json'] as const, ctx.flags.json ? 'json' : 'md');
  return withBackend(ctx, 'read', async (backend) => {
    const incident = await loadIncident(backend.store, ctx.positionals[0]);
    const draft = buildDraft(incident, ctx.policy, ctx.now(), lang, await measuresElsewhere(backend, incident));
    // A drill's draft says so in its heading (JSON: its `drill` field), never to reach the AP as the record's (atk29 A4).
    const drill = backend.drill;
    const text = draftMarkdown(draft, ctx.policy.timeZone);
    ctx.io.out(format === 'json' ? JSON.stringify({ ...drillField(drill), ...draft }, null, 2) : drill ? drillMarkdown(text, drill, lang) : text);
    return 0;
  });
}
