/**
 * IAM refuses a managed policy over 6,144 characters (whitespace not counted) at deploy time, long
 * after synth passed: the boundaries and CDK's overflow policies are checked here, with the
 * templates' references resolved the way CloudFormation would, each as long as the real value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { afterAll, describe, expect, it } from 'vitest';
import { boundaryStatements, mergedStatements } from '../../infra/boundary.js';
import { EU_REGIONS } from '../../infra/config.js';
import { BOUNDARY_MERGES, containmentStatements } from '../../infra/containment-policy.js';
import { DEPLOY_CONTEXT, type Statement, synthesizedApp } from '../support/infra.js';
import { type Authorization, allowed } from './dynamodb-iam.js';

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
        fgRole: named('fg'),
        containmentRoleName: named('containment'),
      },
    ],
  ])(
    'with %s',
    (_, context) => {
      const built = synthesizedApp({ ...DEPLOY_CONTEXT, ...context });
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

describe('the containment boundary, its statements merged to fit', () => {
  const base = { partition: 'aws', region: 'eu-west-1', account: '111122223333' };
  const allows = containmentStatements({ ...base, regions: [...EU_REGIONS], protectedRoles: [] }).filter((st) => st.effect === iam.Effect.ALLOW);
  const json = (statements: iam.PolicyStatement[]) => boundaryStatements(statements).map((st) => st.toStatementJson() as Statement);
  const separate = json(allows);
  const merged = json(mergedStatements(allows, BOUNDARY_MERGES));

  /** The resource types each action of a merged statement takes (Service Authorization Reference), as `service:type`. */
  const TAKES: Record<string, string[]> = {
    'ec2:CreateSecurityGroup': ['ec2:security-group', 'ec2:vpc'],
    'ec2:CreateSnapshot': ['ec2:snapshot', 'ec2:volume'],
    'ec2:CreateTags': ['ec2:instance', 'ec2:security-group', 'ec2:snapshot', 'ec2:image', 'ec2:volume', 'ec2:network-interface', 'ec2:vpc'],
    'ecs:TagResource': ['ecs:task'],
    // A recovery point of EC2 is named by its snapshot's or AMI's ARN.
    'backup:TagResource': ['backup:recovery-point', 'ec2:snapshot', 'ec2:image'],
    'backup:ListTags': ['backup:recovery-point', 'ec2:snapshot', 'ec2:image'],
    's3:GetBucketPublicAccessBlock': ['s3:bucket'],
    's3:PutBucketPublicAccessBlock': ['s3:bucket'],
    's3:GetObjectTagging': ['s3:object'],
    's3:GetObjectVersionTagging': ['s3:object'],
    's3:PutObjectTagging': ['s3:object'],
    's3:PutObjectVersionTagging': ['s3:object'],
  };
  /** `arn:aws:ec2:x:111122223333:instance/x` → `ec2:instance`; `arn:aws:s3:::x/x` → `s3:object`. */
  const typeOf = (arn: string) => {
    const [, , service, , , ...rest] = arn.split(':');
    if (service === 's3') return rest.join(':').includes('/') ? 's3:object' : 's3:bucket';
    return `${service}:${rest.join(':').split(/[/:]/)[0]}`;
  };
  const contexts: Authorization['context'][] = [
    {},
    { 'aws:TagKeys': ['datalek:incident', 'datalek:state'] },
    { 'aws:TagKeys': ['owner'] },
    { 's3:ResourceAccount': base.account },
    { 's3:ResourceAccount': '999988887777' },
    { 'ec2:CreateAction': 'CreateSnapshot' },
    { 'aws:RequestedRegion': 'eu-west-1' },
    { 'aws:RequestTag/datalek:role': 'datalek-isolation', 'aws:TagKeys': ['datalek:role'] },
    { 'aws:RequestTag/datalek:incident': 'i-1' },
    { 'ec2:ResourceTag/datalek:role': 'datalek-isolation' },
  ];
  // Every action containment is allowed, on an ARN of every resource pattern it names (each `*` an `x`).
  const actions = [...new Set(separate.flatMap((st) => [st.Action].flat()))];
  const arns = [...new Set(separate.flatMap((st) => [st.Resource].flat() as string[]).map((r) => r.replaceAll('*', 'x')))];
  const requests = actions.flatMap((action) =>
    arns.flatMap((resource) => contexts.map((context) => ({ action, resource, context, what: `${action} on ${resource} with ${JSON.stringify(context)}` }))),
  );

  it('allows every request the separate statements allow', () => {
    for (const a of requests) if (allowed(a, [separate], base)) expect(allowed(a, [merged], base), a.what).toBe(true);
  });

  it('allows more only where an action is put beside a resource type it never takes', () => {
    const more = requests.filter((a) => allowed(a, [merged], base) && !allowed(a, [separate], base));
    expect(more.length).toBeGreaterThan(0);
    for (const a of more) expect(TAKES[a.action], `${a.what}: which resource types does ${a.action} take?`).toBeDefined();
    for (const a of more) expect(TAKES[a.action], a.what).not.toContain(typeOf(a.resource));
  });

  it('is shorter than the separate statements', () => {
    expect(JSON.stringify(merged).length).toBeLessThan(JSON.stringify(separate).length - 500);
  });
});
