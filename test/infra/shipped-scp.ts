/** The shipped service control policy (infra/scp/datalek-pipeline-account.json and its -2) as a deployer attaches it, for the IAM model of dynamodb-iam.ts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PIPELINE_SCP_FILES, SCP_PLACEHOLDERS } from '../../infra/pipeline-scp.js';
import { DEPLOY_CONTEXT, type Statement } from '../support/infra.js';
import { type Authorization, allowed } from './dynamodb-iam.js';

/** Whether the shipped policy, its placeholders replaced by the test context's account, break-glass and on-call roles, lets `a` through beside FullAWSAccess. */
export function underShippedScp(): (a: Authorization) => boolean {
  const scp = shippedScp((text) =>
    text
      .replaceAll(SCP_PLACEHOLDERS.account, DEPLOY_CONTEXT.account)
      .replaceAll(SCP_PLACEHOLDERS.breakGlassRole, DEPLOY_CONTEXT.breakGlassRole)
      // The test context names none: the default.
      .replaceAll(SCP_PLACEHOLDERS.onCallRole, 'datalek-on-call')
      .replaceAll(SCP_PLACEHOLDERS.fgRole, 'datalek-fg'),
  );
  const base = { partition: 'aws', region: DEPLOY_CONTEXT.region, account: DEPLOY_CONTEXT.account };
  return (a) => allowed(a, [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...scp.Statement]], base);
}

/** The shipped documents' texts, each through `edit` (placeholders replaced). */
export function shippedScpTexts(edit: (text: string) => string = (t) => t): string[] {
  return PIPELINE_SCP_FILES.map((file) => edit(readFileSync(join(import.meta.dirname, '../..', file), 'utf8')));
}

/** The shipped policy: its documents' statements together, each through `edit`. */
export function shippedScp(edit: (text: string) => string = (t) => t): { Version: string; Statement: Statement[] } {
  const documents = shippedScpTexts(edit).map((text) => JSON.parse(text) as { Version: string; Statement: Statement[] });
  return { Version: documents[0].Version, Statement: documents.flatMap((d) => d.Statement) };
}
