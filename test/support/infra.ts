/** The CDK context the infra tests deploy with, and helpers to read IAM out of the templates. */
import type { Template } from 'aws-cdk-lib/assertions';

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
  return [...Object.values(t.findResources('AWS::IAM::Policy')), ...Object.values(t.findResources('AWS::IAM::ManagedPolicy'))]
    .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes(`"${logicalId}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
