import { registerCsv, registerMarkdown, registerRow } from '../../core/register.js';
import { type Command, type Context, isoFlag, oneOf, unreadableReporter, withBackend } from '../context.js';

export const registerCommand: Command = {
  name: 'register',
  section: 'fg',
  usage: '  datalek register [--format csv|json|md] [--from ISO] [--to ISO]',
  flags: { format: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  positionals: 'none',
  run: runRegister,
};

async function runRegister(ctx: Context): Promise<number> {
  const format = oneOf('format', ctx.flags.format, ['csv', 'json', 'md'] as const, ctx.flags.json ? 'json' : 'csv');
  const from = isoFlag('from', ctx.flags.from);
  const to = isoFlag('to', ctx.flags.to);
  return withBackend(ctx, 'read', async (backend) => {
    const unreadable = unreadableReporter(ctx);
    const incidents = await backend.store.listIncidents({ from, to, onUnreadable: unreadable.onUnreadable });
    if (format === 'md') {
      ctx.io.out(registerMarkdown(incidents, ctx.policy, ctx.now()));
      return unreadable.exitCode(0);
    }
    const rows = incidents.map((i) => registerRow(i, ctx.policy, ctx.now()));
    ctx.io.out(format === 'json' ? JSON.stringify(rows, null, 2) : registerCsv(rows));
    return unreadable.exitCode(0);
  });
}
