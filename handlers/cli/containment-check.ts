/**
 * `show` and `verify` with `--target aws`: the containment each record says is in effect, read back
 * from AWS (core/drift.ts). Reads only; the AWS SDK loads only here, for `--target aws`.
 */
import { checkContainment, type DriftReport } from '../core/drift.js';
import type { Incident } from '../core/incident.js';
import { awsSettings } from './backend.js';
import type { Context } from './context.js';

/**
 * The member accounts' role for reading containment back: `DATALEK_CONTAINMENT_READ_ROLE_NAME`, by
 * default the containment role's name with `-read` (as the member stack names it: infra/config.ts).
 */
export function readRoleName(env: Record<string, string | undefined>): string {
  return env.DATALEK_CONTAINMENT_READ_ROLE_NAME ?? `${env.DATALEK_CONTAINMENT_ROLE_NAME ?? 'datalek-containment'}-read`;
}

export async function readBackContainment(ctx: Context, incidents: readonly Incident[]): Promise<DriftReport> {
  const [{ AwsContainmentStateReader }, { ContainmentClientFactory }] = await Promise.all([
    import('../adapters/aws/containment/drift.js'),
    import('../adapters/aws/containment/clients.js'),
  ]);
  const env = ctx.io.env;
  // In a member account, through its read role (reads only: the containment role trusts the contain function alone).
  const factory = new ContainmentClientFactory(awsSettings(env).region, readRoleName(env));
  // What AWS shows now, whatever --now says.
  return checkContainment(incidents, new AwsContainmentStateReader(factory), ctx.systemNow());
}
