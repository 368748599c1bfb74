/** The shipped service control policy (infra/scp/datalek-pipeline-account.json) as a deployer attaches it, for the IAM model of dynamodb-iam.ts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PIPELINE_SCP_FILE, SCP_PLACEHOLDERS } from '../../infra/pipeline-scp.js';
import { DEPLOY_CONTEXT, type Statement } from '../support/infra.js';
import { type Authorization, allowed } from './dynamodb-iam.js';

/** Whether the shipped policy, its placeholders replaced by the test context's account, break-glass and on-call roles, lets `a` through beside FullAWSAccess. */
export function underShippedScp(): (a: Authorization) => boolean {
  const scp = JSON.parse(
    readFileSync(join(import.meta.dirname, '../..', PIPELINE_SCP_FILE), 'utf8')
      .replaceAll(SCP_PLACEHOLDERS.account, DEPLOY_CONTEXT.account)
      .replaceAll(SCP_PLACEHOLDERS.breakGlassRole, DEPLOY_CONTEXT.breakGlassRole)
      // The test context names none: the default.
      .replaceAll(SCP_PLACEHOLDERS.onCallRole, 'datalek-on-call'),
  ) as { Statement: Statement[] };
  const base = { partition: 'aws', region: DEPLOY_CONTEXT.region, account: DEPLOY_CONTEXT.account };
  return (a) => allowed(a, [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...scp.Statement]], base);
}
