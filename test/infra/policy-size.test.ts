/**
 * IAM refuses a managed policy over 6,144 characters (whitespace not counted) at deploy time, long
 * after synth passed: the boundaries and CDK's overflow policies are checked here, with the
 * templates' references resolved the way CloudFormation would, each as long as the real value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { EU_REGIONS } from '../../infra/config.js';
import { DEPLOY_CONTEXT, NO_BUNDLING } from '../support/infra.js';

const MANAGED_POLICY_LIMIT = 6144;

/** What a reference resolves to in this deployment, at its real length. */
const RESOLVED = {
  // A secret's ARN (`Ref` of AWS::SecretsManager::Secret): its name plus a random 6-character suffix.
  secret: (name: string) => `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${name}-AbCdEf`,
  // A key's ARN (through the state stack's export), a table's, a topic's or a queue's.
  key: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
};

/** A policy document with CloudFormation's references replaced by values as long as the real ones. */
function resolved(value: unknown, secretNames: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolved(v, secretNames));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('Ref' in o) {
      const pseudo = { 'AWS::Partition': 'aws', 'AWS::AccountId': '111122223333', 'AWS::Region': 'eu-west-1' }[o.Ref as string];
      if (pseudo) return pseudo;
      const name = secretNames[o.Ref as string];
      if (!name) throw new Error(`a reference to ${o.Ref}: give it a length here`);
      return RESOLVED.secret(name);
    }
    if ('Fn::Join' in o) {
      const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(resolved(p, secretNames))).join(separator);
    }
    if ('Fn::GetAtt' in o || 'Fn::ImportValue' in o) return RESOLVED.key;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolved(v, secretNames)]));
  }
  return value;
}

describe('managed policies fit what IAM accepts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-policy-size-'));
  const paged = join(dir, 'policy.json');
  writeFileSync(paged, JSON.stringify({ onCall: { provider: 'pagerduty' } }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const everyOtherEuRegion = EU_REGIONS.filter((r) => r !== DEPLOY_CONTEXT.region).join(',');
  /** IAM role names of 40 characters: longer than any here, shorter than IAM's 64. */
  const named = (prefix: string) => `${prefix}-${'x'.repeat(40 - prefix.length - 1)}`;

  it.each([
    ['one forwarded region', { forwardFrom: 'eu-central-1' }],
    ['four regions', { forwardFrom: 'eu-central-1,eu-north-1,eu-west-3' }],
    [
      'every EU region, an organisation, a pager and 40-character role names',
      {
        forwardFrom: everyOtherEuRegion,
        organizationId: 'o-a1b2c3d4e5',
        policyFile: paged,
        breakGlassRole: named('break-glass'),
        onCallRole: named('on-call'),
        containmentRoleName: named('containment'),
      },
    ],
  ])(
    'with %s',
    (_, context) => {
      const built = buildApp({ ...DEPLOY_CONTEXT, ...context, ...NO_BUNDLING });
      for (const stack of [built.response, ...built.members, ...built.forwarders]) {
        const template = Template.fromStack(stack);
        const secretNames = Object.fromEntries(
          Object.entries(template.findResources('AWS::SecretsManager::Secret')).map(([id, s]) => [id, s.Properties.Name as string]),
        );
        for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))) {
          const size = JSON.stringify(resolved(policy.Properties.PolicyDocument, secretNames)).length;
          expect(size, `${stack.stackName} ${id}: ${size} characters`).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
        }
      }
    },
    120_000,
  );
});
