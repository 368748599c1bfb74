/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` with context values (see README, Deploy).
 * Runs with tsx (cdk.json); the synthesized templates go to cdk.out/.
 */
import { buildApp } from './build-app.js';

const { app } = buildApp({});
app.synth();
