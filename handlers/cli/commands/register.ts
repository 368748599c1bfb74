import { registerExport } from '../../use-cases/queries.js';
import { type Context, isoFlag, oneOf, unreadableReporter, withBackend } from '../context.js';

export async function runRegister(ctx: Context): Promise<number> {
  const format = oneOf('format', ctx.flags.format, ['csv', 'json', 'md'] as const, ctx.flags.json ? 'json' : 'csv');
  const from = isoFlag('from', ctx.flags.from);
  const to = isoFlag('to', ctx.flags.to);
  return withBackend(ctx, 'read', async (backend) => {
    const unreadable = unreadableReporter(ctx);
    ctx.io.out(
      await registerExport(
        { store: backend.store, policy: ctx.policy, now: ctx.now, drill: backend.drill },
        { from, to, onUnreadable: unreadable.onUnreadable },
        format,
      ),
    );
    return unreadable.exitCode(0);
  });
}
