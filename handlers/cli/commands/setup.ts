import { awsSettings } from '../backend.js';
import type { Context } from '../context.js';

export async function setup(ctx: Context): Promise<number> {
  const { region } = awsSettings(ctx.io.env);
  const [{ createAwsClients }, { setupAwsResources }] = await Promise.all([import('../../adapters/aws/clients.js'), import('../../adapters/aws/setup.js')]);
  const clients = createAwsClients(region);
  try {
    const result = await setupAwsResources(clients);
    if (ctx.flags.json) ctx.io.out(JSON.stringify(result, null, 2));
    else {
      ctx.io.out(result.created.length ? `Created: ${result.created.join(', ')}.` : 'Everything already existed.');
      ctx.io.out(`Tables ${result.table}, ${result.idempotencyTable}; topics ${result.fgTopicArn}, ${result.onCallTopicArn}; bus ${result.busName}.`);
    }
    return 0;
  } finally {
    for (const c of Object.values(clients)) c.destroy();
  }
}
