/**
 * What the use cases of actions.ts need, for the CLI and `serve` alike. An acknowledgement on AWS
 * with `DATALEK_ACK_URL` set goes through that URL, signed: the acknowledger is the signer. Apart
 * from context.ts so that the commands that only read (`status`, `show`) do not load the use cases.
 */
import { type ActionDeps, acknowledgeInStore } from '../use-cases/actions.js';
import { awsSettings, type Backend } from './backend.js';
import { awsContainmentReader } from './containment-check.js';
import { type Context, personDeps } from './context.js';
import { signedAcknowledger } from './signed-ack.js';

export function actionDeps(ctx: Context, backend: Backend): ActionDeps {
  const base = personDeps(ctx, backend);
  const url = ctx.io.env.DATALEK_ACK_URL;
  return {
    ...base,
    containment: backend.containment,
    acknowledge: ctx.target === 'aws' && url ? signedAcknowledger(url, awsSettings(ctx.io.env).region) : acknowledgeInStore(base),
    ...(ctx.target === 'aws' ? { containmentReader: awsContainmentReader(ctx.io.env) } : {}),
  };
}
