/**
 * `show` and `verify` with `--target aws`: the containment each record says is in effect, read back
 * from AWS (core/drift.ts). Reads only; the AWS SDK loads only here, for `--target aws`.
 */
import { checkContainment, type DriftReport } from '../core/drift.js';
import type { Incident } from '../core/incident.js';
import { awsSettings } from './backend.js';
import type { Context } from './context.js';

export async function readBackContainment(ctx: Context, incidents: readonly Incident[]): Promise<DriftReport> {
  const [{ AwsContainmentStateReader }, { ContainmentClientFactory }] = await Promise.all([
    import('../adapters/aws/containment/drift.js'),
    import('../adapters/aws/containment/clients.js'),
  ]);
  const env = ctx.io.env;
  // The clients containment acts with: in a member account, through its containment role.
  const factory = new ContainmentClientFactory(awsSettings(env).region, env.DATALEK_CONTAINMENT_ROLE_NAME ?? 'datalek-containment');
  // What AWS shows now, whatever --now says.
  return checkContainment(incidents, new AwsContainmentStateReader(factory), ctx.systemNow());
}
