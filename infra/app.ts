/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` with context values (see README, Deploy).
 * Runs with tsx (cdk.json); the synthesized templates go to cdk.out/, with the pipeline account's
 * service control policy for this deployment (`datalek-pipeline-account.scp.json`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from './build-app.js';
import { DEPLOYMENT_SCP_FILE, deploymentScpText } from './pipeline-scp.js';

const built = buildApp({});
// The pipeline account's service control policy for this deployment's regions (pipeline-scp.ts;
// README): first, so that a policy no SCP can hold fails synth before anything is written.
const scp = deploymentScpText(built);
const assembly = built.app.synth();
writeFileSync(join(assembly.directory, DEPLOYMENT_SCP_FILE), scp);
