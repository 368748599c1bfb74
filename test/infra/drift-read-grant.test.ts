/**
 * `datalek show ID --target aws` and `verify --target aws` read every held containment back
 * (handlers/adapters/aws/containment/drift.ts). The calls they make are read here from that module's
 * source (every `new …Command(` and the client it comes from), not listed by hand, and each is
 * evaluated against the synthesized grants of the principal that makes it: in a member account the
 * read role the CLI assumes (its policy and its boundary), in the pipeline's account the
 * `datalek-on-call-read-containment` policy for the on-call role. Nothing wider: the grants hold
 * exactly those reads, and the containment role's trust is not widened for them.
 */
import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRoleName } from '../../handlers/cli/containment-check.js';
import type { DatalekApp } from '../../infra/build-app.js';
import { containmentReadRoleName } from '../../infra/config.js';
import { actionsOf, DEPLOY_CONTEXT, roleStatements, type Statement, synthesizedApp } from '../support/infra.js';
import { type Authorization, allowed } from './dynamodb-iam.js';

const PIPELINE = DEPLOY_CONTEXT.account;
const MEMBER = DEPLOY_CONTEXT.memberAccounts;
const REGIONS = [DEPLOY_CONTEXT.region, DEPLOY_CONTEXT.forwardFrom];
const ORG = 'o-a1b2c3d4e5';

/** Where an SDK operation's IAM action is not `<service>:<operation>` (Service Authorization Reference). */
const ACTION_NAMES: Record<string, string> = { 's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock' };

/** The IAM actions of every AWS call drift.ts makes: each Command it constructs, by the client module it imports it from. */
function driftCalls(): string[] {
  const source = readFileSync(new URL('../../handlers/adapters/aws/containment/drift.ts', import.meta.url), 'utf8');
  const serviceOf = new Map<string, string>();
  for (const [, names, service] of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([\w-]+)'/g)) {
    for (const name of names.split(',').map((n) => n.replace(/^\s*type\s+/, '').trim())) if (name.endsWith('Command')) serviceOf.set(name, service);
  }
  const calls = new Set<string>();
  for (const [, command] of source.matchAll(/new\s+(\w+Command)\s*\(/g)) {
    const service = serviceOf.get(command);
    if (!service) throw new Error(`${command} is not imported from an @aws-sdk client in drift.ts: name its service here`);
    const action = `${service}:${command.slice(0, -'Command'.length)}`;
    calls.add(ACTION_NAMES[action] ?? action);
  }
  return [...calls].sort();
}

/** What IAM authorises each call on: its resource type (or `*` where it has none) in `account` and `region`, with the request's keys. */
function requests(action: string, account: string, region: string): Authorization[] {
  const base = { 'aws:RequestedRegion': region };
  const one = (resource: string, context: Authorization['context'] = {}): Authorization[] => [
    { action, resource, context: { ...base, ...context }, what: `${action} in ${account} ${region}` },
  ];
  const [service, name] = action.split(':');
  if (action === 'ec2:DescribeInstanceAttribute')
    // The two attributes drift reads, one call each.
    return ['disableApiTermination', 'instanceInitiatedShutdownBehavior'].flatMap((attribute) =>
      one(`arn:aws:ec2:${region}:${account}:instance/i-0abc`, { 'ec2:Attribute': attribute }),
    );
  if (service === 'ec2' && name.startsWith('Describe')) return one('*');
  if (['iam:ListAccessKeys', 'iam:GetUser', 'iam:GetUserPolicy', 'iam:GetLoginProfile', 'iam:ListMFADevices'].includes(action))
    return one(`arn:aws:iam::${account}:user/someone`);
  if (['iam:GetRole', 'iam:GetRolePolicy'].includes(action)) return one(`arn:aws:iam::${account}:role/some-workload`);
  if (action === 's3:GetBucketPublicAccessBlock') return one('arn:aws:s3:::some-bucket', { 's3:ResourceAccount': account });
  if (service === 'lambda') return one(`arn:aws:lambda:${region}:${account}:function:some-function`);
  if (action === 'rds:DescribeDBInstances') return one(`arn:aws:rds:${region}:${account}:db:some-database`);
  if (action === 'ecs:DescribeContainerInstances' || action === 'ecs:ListContainerInstances')
    return one(`arn:aws:ecs:${region}:${account}:cluster/some-cluster`);
  // No resource type: on `*`, by region.
  if (action === 'ecs:ListClusters') return one('*');
  if (action === 'ecs:ListTasks') return one(`arn:aws:ecs:${region}:${account}:container-instance/some-cluster/0123456789abcdef`);
  if (action === 'ecs:DescribeTasks') return one(`arn:aws:ecs:${region}:${account}:task/some-cluster/0123456789abcdef`);
  throw new Error(`drift.ts calls ${action}: say here what IAM authorises it on`);
}

const READ_VERBS = /^[a-z0-9-]+:(Describe|Get|List)\w+$/;

describe('the drift check’s reads are granted to the principal that makes them, and nothing more', () => {
  let built: DatalekApp;
  let withOrg: DatalekApp;
  let member: Template;
  let response: Template;
  const calls = driftCalls();
  const readRole = containmentReadRoleName('datalek-containment');

  beforeAll(() => {
    built = synthesizedApp();
    withOrg = synthesizedApp({ ...DEPLOY_CONTEXT, organizationId: ORG });
    member = Template.fromStack(built.members[0]);
    response = Template.fromStack(built.response);
  }, 120_000);

  const roleOf = (t: Template, name: string) => {
    const found = Object.entries(t.findResources('AWS::IAM::Role')).find(([, r]) => r.Properties.RoleName === name);
    if (!found) throw new Error(`no role ${name}`);
    return found;
  };
  const boundaryOf = (t: Template, name: string): Statement[] => {
    const [, role] = roleOf(t, name);
    const policies = t.findResources('AWS::IAM::ManagedPolicy');
    return policies[role.Properties.PermissionsBoundary.Ref].Properties.PolicyDocument.Statement as Statement[];
  };
  const onCallPolicy = (t: Template): Statement[] => {
    const [policy] = Object.values(t.findResources('AWS::IAM::ManagedPolicy', { Properties: { ManagedPolicyName: 'datalek-on-call-read-containment' } }));
    if (!policy) throw new Error('no datalek-on-call-read-containment policy');
    return policy.Properties.PolicyDocument.Statement as Statement[];
  };

  it('reads the calls from drift.ts itself (the parse finds each kind of read)', () => {
    for (const c of [
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeInstanceAttribute',
      'iam:ListAccessKeys',
      'iam:GetLoginProfile',
      'iam:ListMFADevices',
      'iam:GetRolePolicy',
      'iam:GetUser',
      's3:GetBucketPublicAccessBlock',
      'rds:DescribeDBInstances',
      'ecs:ListClusters',
      'ecs:ListContainerInstances',
    ])
      expect(calls).toContain(c);
    for (const c of calls) expect(c).toMatch(READ_VERBS);
  });

  it('in a member account: the read role (policy and boundary) allows each call in every pipeline region', () => {
    const policies = [roleStatements(member, readRole), boundaryOf(member, readRole)];
    const refused = calls
      .flatMap((c) => REGIONS.flatMap((r) => requests(c, MEMBER, r)))
      .filter((a) => !allowed(a, policies, { partition: 'aws', region: REGIONS[0], account: MEMBER }));
    expect(refused.map((a) => a.what)).toEqual([]);
  });

  it('in a member account: the read role holds exactly those reads, in its own account only, and not an instance’s user data', () => {
    const statements = roleStatements(member, readRole);
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect([...new Set(allows.flatMap(actionsOf))].sort()).toEqual(calls);
    expect(
      [
        ...new Set(
          boundaryOf(member, readRole)
            .filter((st) => st.Effect === 'Allow')
            .flatMap(actionsOf),
        ),
      ].sort(),
    ).toEqual(calls);
    const base = { partition: 'aws', region: REGIONS[0], account: MEMBER };
    // EC2's Describe calls and ECS's ListClusters are on `*` by region (a session reaches its own account's only); every other resource names this account.
    const elsewhere = calls.filter((c) => !c.startsWith('ec2:') && c !== 'ecs:ListClusters').flatMap((c) => requests(c, PIPELINE, REGIONS[0]));
    expect(elsewhere.length).toBeGreaterThan(5);
    expect(elsewhere.filter((a) => allowed(a, [statements], base)).map((a) => a.what)).toEqual([]);
    // IAM is global and a bucket's ARN has no region: the regional services stay in the pipeline's regions.
    const outside = calls.filter((c) => /^(ec2|ecs|lambda|rds):/.test(c)).flatMap((c) => requests(c, MEMBER, 'us-east-1'));
    expect(outside.filter((a) => allowed(a, [statements], base)).map((a) => a.what)).toEqual([]);
    const userData: Authorization = {
      action: 'ec2:DescribeInstanceAttribute',
      resource: `arn:aws:ec2:${REGIONS[0]}:${MEMBER}:instance/i-0abc`,
      context: { 'aws:RequestedRegion': REGIONS[0], 'ec2:Attribute': 'userData' },
      what: 'user data',
    };
    expect(allowed(userData, [statements], base)).toBe(false);
  });

  it('in a member account: the read role trusts the pipeline account’s on-call and FG roles alone (sec26: the FG reads back too); the containment role still only the contain function', () => {
    const trustOf = (t: Template, name: string) => roleOf(t, name)[1].Properties.AssumeRolePolicyDocument.Statement as Statement[];
    const text = (v: unknown) => JSON.stringify(v).replace(/\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},"(.*?)"\]\]\}/g, '"arn:aws$1"');
    const [read] = trustOf(member, readRole);
    expect(trustOf(member, readRole)).toHaveLength(1);
    expect(text(read.Principal)).toBe(`{"AWS":"arn:aws:iam::${PIPELINE}:root"}`);
    expect(text(read.Condition)).toBe(
      `{"ArnEquals":{"aws:PrincipalArn":["arn:aws:iam::${PIPELINE}:role/datalek-on-call","arn:aws:iam::${PIPELINE}:role/datalek-fg"]}}`,
    );
    expect(actionsOf(read)).toEqual(['sts:AssumeRole']);
    const contain = trustOf(member, 'datalek-containment');
    expect(contain).toHaveLength(1);
    expect(text(contain[0].Condition)).toBe(`{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::${PIPELINE}:role/datalek-contain-function"}}`);
    const [orgRead] = trustOf(Template.fromStack(withOrg.members[0]), readRole);
    expect(orgRead.Condition?.StringEquals).toEqual({ 'aws:PrincipalOrgID': ORG });
  });

  it('in the pipeline account: the on-call read policy allows each call here, and assumes the members’ read roles, nothing else', () => {
    const statements = onCallPolicy(response);
    const base = { partition: 'aws', region: REGIONS[0], account: PIPELINE };
    const refused = calls.flatMap((c) => REGIONS.flatMap((r) => requests(c, PIPELINE, r))).filter((a) => !allowed(a, [statements], base));
    expect(refused.map((a) => a.what)).toEqual([]);
    const actions = [...new Set(statements.flatMap(actionsOf))].sort();
    // Besides: the incidents table's ARN and FG tag, on that table alone (fg-role-read-grant.test.ts).
    expect(actions).toEqual([...calls, 'sts:AssumeRole', 'dynamodb:DescribeTable', 'dynamodb:ListTagsOfResource'].sort());
    // No Deny: attached to the organisation's on-call role, it would limit what on-call does otherwise.
    expect(statements.every((st) => st.Effect === 'Allow')).toBe(true);
    const assume = (role: string): Authorization => ({ action: 'sts:AssumeRole', resource: `arn:aws:iam::${MEMBER}:role/${role}`, context: {}, what: role });
    expect(allowed(assume(readRole), [statements], base)).toBe(true);
    expect(allowed(assume('datalek-containment'), [statements], base)).toBe(false);
    const org = onCallPolicy(Template.fromStack(withOrg.response)).find((st) => actionsOf(st).includes('sts:AssumeRole'));
    expect(org?.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': ORG } });
    expect(JSON.stringify(org?.Resource)).toContain(`:iam::*:role/${readRole}`);
  });

  it('in a member account: containment never writes a policy on the read role (it could lift the read role to anything its boundary allows)', () => {
    const put: Authorization = { action: 'iam:PutRolePolicy', resource: `arn:aws:iam::${MEMBER}:role/${readRole}`, context: {}, what: 'put on the read role' };
    const someone: Authorization = { ...put, resource: `arn:aws:iam::${MEMBER}:role/some-workload` };
    const statements = roleStatements(member, 'datalek-containment');
    const base = { partition: 'aws', region: REGIONS[0], account: MEMBER };
    expect(allowed(someone, [statements], base)).toBe(true);
    expect(allowed(put, [statements], base)).toBe(false);
  });

  it('the CLI assumes the role the member stack creates', () => {
    expect(readRoleName({})).toBe(readRole);
    expect(readRoleName({ DATALEK_CONTAINMENT_ROLE_NAME: 'acme-containment' })).toBe(containmentReadRoleName('acme-containment'));
    const named = synthesizedApp({ ...DEPLOY_CONTEXT, containmentRoleName: 'acme-containment' });
    expect(() => roleOf(Template.fromStack(named.members[0]), readRoleName({ DATALEK_CONTAINMENT_ROLE_NAME: 'acme-containment' }))).not.toThrow();
  });
});
