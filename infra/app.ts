/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` with context values (see README, Deploy).
 * Runs with tsx (cdk.json); the synthesized templates go to cdk.out/, with the pipeline account's
 * service control policy for this deployment (`datalek-pipeline-account.scp.json`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from './build-app.js';
import { DEPLOYMENT_SCP_FILE, deploymentScp } from './pipeline-scp.js';

const built = buildApp({});
const assembly = built.app.synth();
// The pipeline account's service control policy for this deployment's regions (pipeline-scp.ts; README).
writeFileSync(join(assembly.directory, DEPLOYMENT_SCP_FILE), `${JSON.stringify(deploymentScp(built), null, 2)}\n`);
