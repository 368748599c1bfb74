import { registerExport } from '../../use-cases/queries.js';
import { type Context, isoFlag, oneOf, unreadableReporter, withBackend } from '../context.js';
import { UsageError } from '../errors.js';

export async function runRegister(ctx: Context): Promise<number> {
  const format = oneOf('format', ctx.flags.format, ['csv', 'json', 'md'] as const, ctx.flags.json ? 'json' : 'csv');
  const from = isoFlag('from', ctx.flags.from);
  const to = isoFlag('to', ctx.flags.to);
  // A period that ends before it starts (or as it starts: --to is not included) is a typing error, not an empty register (atk29 A8).
  if (from !== undefined && to !== undefined && to <= from)
    throw new UsageError(
      `--to ${to} is not after --from ${from}: the register would be empty for a period that cannot be; give the period's start with --from and its end with --to`,
    );
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
