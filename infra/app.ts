/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` with context values (see README, Deploy).
 * Runs with tsx (cdk.json); the synthesized templates go to cdk.out/, with the pipeline account's
 * service control policy for this deployment (`datalek-pipeline-account.scp.json`, and
 * `datalek-pipeline-account-2.scp.json` where one SCP does not hold it), and the template
 * of datalek's CDK bootstrap (`datalek-bootstrap-template.yaml`).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOOTSTRAP_TEMPLATE_FILE, datalekBootstrapTemplate } from './bootstrap-template.js';
import { buildApp } from './build-app.js';
import { deploymentScpFileName, deploymentScpTexts, SCP_MAX_DOCUMENTS, scpAttachmentNotice } from './pipeline-scp.js';

const built = buildApp({});
// The pipeline account's service control policy for this deployment's regions (pipeline-scp.ts;
// README): first, so that a statement no SCP can hold fails synth before anything is written. Where
// one SCP does not hold the policy, its statements in two (or more) documents, each attached.
const scp = deploymentScpTexts(built);
const assembly = built.app.synth();
// Each document, and none of an earlier synth left beside them to be attached as this deployment's.
for (let index = 0; index < SCP_MAX_DOCUMENTS; index++) {
  const file = join(assembly.directory, deploymentScpFileName(index));
  if (index < scp.length) writeFileSync(file, scp[index]);
  else rmSync(file, { force: true });
}
// Always, with the count (fgsec17 Se): each document is an SCP attachment, and an account takes five attached directly.
process.stderr.write(`datalek: ${scpAttachmentNotice(scp.length, assembly.directory)}\n`);
// The template of datalek's own CDK bootstrap: the CLI's, its staging bucket's writes seen (bootstrap-template.ts; README).
writeFileSync(join(assembly.directory, BOOTSTRAP_TEMPLATE_FILE), datalekBootstrapTemplate());
