/**
 * IAM refuses a managed policy over 6,144 characters (whitespace not counted) at deploy time, long
 * after synth passed: the boundaries and CDK's overflow policies are checked here, with the
 * templates' references resolved the way CloudFormation would (ARNs of this account and region).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { DEPLOY_CONTEXT, NO_BUNDLING } from '../support/infra.js';

const MANAGED_POLICY_LIMIT = 6144;

/** A policy document with CloudFormation's references replaced by values as long as the real ones. */
function resolved(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolved);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('Ref' in o) return { 'AWS::Partition': 'aws', 'AWS::AccountId': '111122223333', 'AWS::Region': 'eu-west-1' }[o.Ref as string] ?? `${o.Ref}`;
    if ('Fn::Join' in o) {
      const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(resolved(p))).join(separator);
    }
    // A table, key, topic or queue ARN of this deployment.
    if ('Fn::GetAtt' in o) return 'arn:aws:dynamodb:eu-west-1:111122223333:table/datalek-idempotency-0123';
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolved(v)]));
  }
  return value;
}

describe('managed policies fit what IAM accepts', () => {
  it.each([
    ['one forwarded region', 'eu-central-1'],
    ['four regions', 'eu-central-1,eu-north-1,eu-west-3'],
  ])(
    'with %s',
    (_, forwardFrom) => {
      const built = buildApp({ ...DEPLOY_CONTEXT, forwardFrom, ...NO_BUNDLING });
      for (const stack of [built.response, ...built.members, ...built.forwarders]) {
        for (const [id, policy] of Object.entries(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))) {
          const size = JSON.stringify(resolved(policy.Properties.PolicyDocument)).length;
          expect(size, `${stack.stackName} ${id}: ${size} characters`).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
        }
      }
    },
    120_000,
  );
});
