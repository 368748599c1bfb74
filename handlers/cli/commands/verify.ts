import { verifyTimeline } from '../../core/incident.js';
import { type Command, type Context, loadIncident, withBackend } from '../context.js';

export const verifyCommand: Command = {
  name: 'verify',
  section: 'main',
  usage: "  datalek verify [ID]                        check the timelines' hash chains",
  flags: {},
  positionals: 'optional-one',
  run: verify,
};

async function verify(ctx: Context): Promise<number> {
  return withBackend(ctx, 'read', async (backend) => {
    const store = backend.store;
    const id = ctx.positionals[0];
    const incidents = id ? [await loadIncident(store, id)] : await store.listIncidents();
    const breaks = [];
    for (const incident of incidents) {
      const found = verifyTimeline(incident, await store.getTimeline(incident.id));
      if (found) breaks.push(found);
    }
    if (ctx.flags.json) {
      ctx.io.out(JSON.stringify({ checked: incidents.length, ok: breaks.length === 0, breaks }, null, 2));
    } else if (breaks.length === 0) {
      ctx.io.out(`${incidents.length} timeline${incidents.length === 1 ? '' : 's'} verified: every entry chains to the one before it.`);
    } else {
      for (const b of breaks) ctx.io.err(`datalek: incident ${b.incidentId}, entry ${b.seq}: ${b.problem}`);
    }
    return breaks.length === 0 ? 0 : 1;
  });
}
