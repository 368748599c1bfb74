/** The CDK context the infra tests deploy with, the app synthesized from it, and helpers to read IAM out of the templates. */
import { readFileSync } from 'node:fs';
import type { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildApp, type DatalekApp } from '../../infra/build-app.js';

export const DEPLOY_CONTEXT = {
  region: 'eu-west-1',
  account: '111122223333',
  fgEmail: 'fg@example.nl',
  onCallEmail: 'oncall@example.nl',
  forwardFrom: 'eu-central-1',
  memberAccounts: '444455556666',
  breakGlassRole: 'datalek-break-glass',
};

/** No bundling: for tests that only read the templates' IAM, keys and alarms (synth takes a second). */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/**
 * The apps synthesized so far in this worker, by their context. vitest runs most test files in a
 * worker shared with other files (vitest.config.ts), where this module, and so this map, is shared
 * too: some twenty infra files read the same app's templates, and each synthesized it for itself.
 */
const synthesized = new Map<string, DatalekApp>();

/**
 * The app of `context` (DEPLOY_CONTEXT unless given; never bundled), synthesized, with its cdk-nag
 * checks (an unacknowledged finding throws here as in any synth): built once per worker and
 * context, and shared by every test that asks for it. Its templates are frozen, so that a test
 * that changed one (for every file after it) fails instead.
 *
 * CDK's own CloudFormation validation is left out of this synth: it took some fourteen of a
 * synth's sixteen seconds of CPU, and fails nothing (it reports its findings as warnings, which no
 * test reads; test/infra/app.test.ts runs cfn-lint on the deployed app's templates).
 */
export function synthesizedApp(context: Record<string, unknown> = DEPLOY_CONTEXT): DatalekApp {
  const full: Record<string, unknown> = { ...context, ...NO_BUNDLING };
  // A policy file is read at build: the same path may hold another policy in a later test.
  const policy = typeof full.policyFile === 'string' ? readFileSync(full.policyFile, 'utf8') : undefined;
  const key = JSON.stringify([Object.entries(full).sort(([a], [b]) => a.localeCompare(b)), policy]);
  const found = synthesized.get(key);
  if (found) return found;
  const built = buildApp(full);
  for (const stack of synthesizeWithCdkNag(built).stacks) deepFreeze(stack.template);
  synthesized.set(key, built);
  return built;
}

/** Synthesizes `built` as synthesizedApp does: cdk-nag's checks, not CDK's own CloudFormation validation. */
export function synthesizeWithCdkNag(built: DatalekApp): CloudAssembly {
  const validation = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    return built.app.synth();
  } finally {
    if (validation === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validation;
  }
}

/**
 * The warnings the app's synth left on `stack` (Annotations' messages of level warning), read from the
 * app's assembly: Annotations.fromStack synthesizes the whole app again for each stack it reads.
 */
export function warningsOf(stack: Stack): string[] {
  const assembly = (stack.node.root as App).synth();
  return assembly
    .getStackArtifact(stack.artifactId)
    .messages.filter((m) => m.level === 'warning')
    .map((m) => String(m.entry.data));
}

function deepFreeze(value: unknown): void {
  if (!value || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

export type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
};

/** Every statement of every IAM policy (inline and managed) in a template. */
export function policyStatements(t: Template): Statement[] {
  return [...Object.values(t.findResources('AWS::IAM::Policy')), ...Object.values(t.findResources('AWS::IAM::ManagedPolicy'))].flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );
}

export const actionsOf = (st: Statement): string[] => [st.Action].flat();

/**
 * The policy statements of the role named `name`: its inline policy, and the managed policies CDK
 * moves what does not fit into (`…OverflowPolicy…`, attached to the role). The boundary is not one.
 */
export function roleStatements(t: Template, name: string): Statement[] {
  const [logicalId] = Object.entries(t.findResources('AWS::IAM::Role')).find(([, r]) => r.Properties.RoleName === name) ?? [];
  if (!logicalId) throw new Error(`no role named ${name} in the template`);
  return roleStatementsOf(t, logicalId);
}

/** The statements of the policies attached in `t` to the role of logical id `logicalId` (named or not). */
export function roleStatementsOf(t: Template, logicalId: string): Statement[] {
  return [...Object.values(t.findResources('AWS::IAM::Policy')), ...Object.values(t.findResources('AWS::IAM::ManagedPolicy'))]
    .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes(`"${logicalId}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
