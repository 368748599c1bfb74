/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` with context values (see README, Deploy).
 * Runs with tsx (cdk.json); the synthesized templates go to cdk.out/, with the pipeline account's
 * service control policy for this deployment (`datalek-pipeline-account.scp.json`), and the template
 * of datalek's CDK bootstrap (`datalek-bootstrap-template.yaml`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOOTSTRAP_TEMPLATE_FILE, datalekBootstrapTemplate } from './bootstrap-template.js';
import { buildApp } from './build-app.js';
import { DEPLOYMENT_SCP_FILE, deploymentScpText } from './pipeline-scp.js';

const built = buildApp({});
// The pipeline account's service control policy for this deployment's regions (pipeline-scp.ts;
// README): first, so that a policy no SCP can hold fails synth before anything is written.
const scp = deploymentScpText(built);
const assembly = built.app.synth();
writeFileSync(join(assembly.directory, DEPLOYMENT_SCP_FILE), scp);
// The template of datalek's own CDK bootstrap: the CLI's, its staging bucket's writes seen (bootstrap-template.ts; README).
writeFileSync(join(assembly.directory, BOOTSTRAP_TEMPLATE_FILE), datalekBootstrapTemplate());
