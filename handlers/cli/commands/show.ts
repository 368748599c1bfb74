import { type Command, type Context, loadIncident, withBackend } from '../context.js';
import { showObject, showText } from '../views.js';

export const showCommand: Command = {
  name: 'show',
  section: 'main',
  usage: '  datalek show ID                            one incident and its timeline',
  flags: {},
  positionals: 'one',
  run: show,
};

async function show(ctx: Context): Promise<number> {
  return withBackend(ctx, 'read', async (backend) => {
    const store = backend.store;
    const incident = await loadIncident(store, ctx.positionals[0]);
    const timeline = await store.getTimeline(incident.id);
    ctx.io.out(
      ctx.flags.json ? JSON.stringify(showObject(incident, timeline, ctx.policy, ctx.now()), null, 2) : showText(incident, timeline, ctx.policy, ctx.now()),
    );
    return 0;
  });
}
