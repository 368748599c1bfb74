import { type Command, type Context, unreadableReporter, withBackend } from '../context.js';
import { byUrgency, statusObject, statusTable } from '../views.js';

export const statusCommand: Command = {
  name: 'status',
  section: 'main',
  usage: '  datalek status                             open incidents, most urgent first',
  flags: {},
  positionals: 'none',
  run: status,
};

async function status(ctx: Context): Promise<number> {
  return withBackend(ctx, 'read', async (backend) => {
    const unreadable = unreadableReporter(ctx);
    const incidents = (await backend.store.listIncidents({ openOnly: true, onUnreadable: unreadable.onUnreadable })).sort(byUrgency);
    if (ctx.flags.json) {
      ctx.io.out(
        JSON.stringify(
          incidents.map((i) => statusObject(i, ctx.policy, ctx.now())),
          null,
          2,
        ),
      );
    } else if (incidents.length === 0) {
      ctx.io.out('No open incidents.');
    } else {
      ctx.io.out(statusTable(incidents, ctx.policy, ctx.now()));
      const unacked = incidents.filter((i) => i.state === 'open' && !i.sample).length;
      ctx.io.out(
        `\n${incidents.length} open incident${incidents.length === 1 ? '' : 's'}, ${unacked} not acknowledged. Details: datalek show ID; take one: datalek ack ID`,
      );
    }
    return unreadable.exitCode(0);
  });
}
