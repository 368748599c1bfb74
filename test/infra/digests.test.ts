/**
 * The anchored audit trail on AWS (issue #13): a digest bucket with Object Lock in compliance mode,
 * an asymmetric KMS key that signs, and the anchor function on the sweep's schedule with only what
 * it needs. Each assertion reads the synthesized templates.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatalekApp } from '../../infra/build-app.js';
import { actionsOf, DEPLOY_CONTEXT, roleStatements, type Statement, synthesizedApp } from '../support/infra.js';

/** The partition placeholder as it stands in an Fn::Sub. */
const PARTITION = ['$', '{AWS::Partition}'].join('');

describe('digests on AWS', () => {
  let built: DatalekApp;
  let state: Template;
  let response: Template;
  beforeAll(() => {
    built = synthesizedApp({ ...DEPLOY_CONTEXT, retentionYears: '10' });
    state = Template.fromStack(built.stateful);
    response = Template.fromStack(built.response);
  }, 120_000);

  it('keeps digests in a bucket with Object Lock in compliance mode for as long as the register, retained, private, TLS only', () => {
    state.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'datalek-digests-111122223333-eu-west-1',
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 3650 } } },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    const [bucket] = Object.values(state.findResources('AWS::S3::Bucket', { Properties: { ObjectLockEnabled: true } }));
    expect(bucket.DeletionPolicy).toBe('Retain');
    state.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('lets only the anchor write digests and only the break-glass role delete them (a delete marker hides a locked digest from listing)', () => {
    const [policy] = Object.values(state.findResources('AWS::S3::BucketPolicy'));
    const statements = policy.Properties.PolicyDocument.Statement as Statement[];
    const role = (name: string) => `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::111122223333:role/${name}"]]}`;
    // The CDK bootstrap's CloudFormation execution role, as the synthesizer writes it (Fn::Sub resolves the partition).
    const deployer = `{"Fn::Sub":"arn:${PARTITION}:iam::111122223333:role/cdk-datalek-cfn-exec-role-111122223333-eu-west-1"}`;
    const denied = (action: string) => statements.find((s) => s.Effect === 'Deny' && actionsOf(s).includes(action) && s.Condition?.ArnNotEquals);
    for (const [action, except] of [
      ['s3:PutObject', [role('datalek-anchor-function')]],
      ['s3:DeleteObject', [role('datalek-break-glass')]],
      ['s3:DeleteObjectVersion', [role('datalek-break-glass')]],
      ['s3:PutBucketPolicy', [role('datalek-break-glass'), deployer]],
      ['s3:DeleteBucketPolicy', [role('datalek-break-glass'), deployer]],
      ['s3:PutLifecycleConfiguration', [role('datalek-break-glass'), deployer]],
      ['s3:PutBucketObjectLockConfiguration', [role('datalek-break-glass'), deployer]],
    ] as const) {
      const d = denied(action);
      expect(d?.Principal, action).toEqual({ AWS: '*' });
      expect(JSON.stringify(d?.Condition), action).toBe(`{"ArnNotEquals":{"aws:PrincipalArn":[${except.join(',')}]}}`);
    }
  });

  it('refuses a digest written without If-None-Match, whoever writes it: replaced code could not overwrite one (review7 G6)', () => {
    const [policy] = Object.values(state.findResources('AWS::S3::BucketPolicy'));
    const statements = policy.Properties.PolicyDocument.Statement as Statement[];
    const unconditional = statements.find((s) => s.Effect === 'Deny' && actionsOf(s).includes('s3:PutObject') && s.Condition?.Null);
    expect(unconditional?.Principal).toEqual({ AWS: '*' });
    expect(unconditional?.Condition).toEqual({ Null: { 's3:if-none-match': 'true' } });
    expect(JSON.stringify(unconditional?.Resource)).toContain('/*');
  });

  it('signs with an asymmetric P-256 KMS key that only the break-glass role can delete or disable', () => {
    const [key] = Object.values(state.findResources('AWS::KMS::Key', { Properties: { KeySpec: 'ECC_NIST_P256' } }));
    expect(key.Properties.KeyUsage).toBe('SIGN_VERIFY');
    expect(key.DeletionPolicy).toBe('Retain');
    const deny = (key.Properties.KeyPolicy.Statement as Statement[]).find((s) => s.Sid === 'OnlyBreakGlassDeletesOrDisables');
    expect(deny?.Effect).toBe('Deny');
    // Signing for anyone but the anchor would let an administrator sign a digest of a rewritten table.
    const signing = (key.Properties.KeyPolicy.Statement as Statement[]).filter((s) => actionsOf(s).includes('kms:Sign'));
    expect(signing).toHaveLength(1);
    expect(signing[0]).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' } });
    expect(JSON.stringify(signing[0].Condition)).toBe(
      '{"ArnNotEquals":{"aws:PrincipalArn":[{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::111122223333:role/datalek-anchor-function"]]}]}}',
    );
  });

  it("runs the anchor on the sweep's schedule, with the bucket, prefix and key in its environment", () => {
    const [anchor] = Object.values(response.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment.Variables.DATALEK_DIGEST_BUCKET !== undefined,
    );
    expect(anchor.Properties.Environment.Variables).toMatchObject({
      DATALEK_DIGEST_BUCKET: 'datalek-digests-111122223333-eu-west-1',
      DATALEK_DIGEST_PREFIX: 'digests/',
    });
    expect(anchor.Properties.Environment.Variables.DATALEK_ANCHOR_KMS_KEY).toBeDefined();
    const schedules = Object.values(response.findResources('AWS::Events::Rule')).filter((r) => r.Properties.ScheduleExpression);
    // The sweep's and the anchor's, and the daily detector check's (test/infra/detector-check.test.ts).
    expect(schedules.map((r) => r.Properties.ScheduleExpression)).toEqual(['rate(5 minutes)', 'rate(5 minutes)', 'cron(0 7 * * ? *)']);
  });

  it('lets the anchor sign and write digests, read the register, and touch no item of the register but its own bookkeeping', () => {
    const statements = roleStatements(response, 'datalek-anchor-function');
    const actions = statements.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['kms:Sign', 'kms:GetPublicKey', 's3:PutObject', 's3:GetObject', 'dynamodb:Query']));
    for (const forbidden of [
      's3:DeleteObject',
      's3:PutObjectRetention',
      's3:BypassGovernanceRetention',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      'dynamodb:*',
    ]) {
      expect(actions).not.toContain(forbidden);
    }
    const writes = statements.filter((s) => actionsOf(s).some((a) => a === 'dynamodb:PutItem' || a === 'dynamodb:DeleteItem'));
    expect(writes).toHaveLength(1);
    expect(writes[0].Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ANCHOR', 'ANCHOR#*'] } });
    const digests = statements.find((s) => actionsOf(s).includes('s3:PutObject'));
    expect(JSON.stringify(digests?.Resource)).toContain('datalek-digests-111122223333-eu-west-1/digests/*');
    // It lists the digests after the last one the table records (one a run died before recording,
    // or the sign of a table rolled back behind them): the bucket, under the prefix only.
    // And one incident's heads in the index of those anchored (anchored/<incident>/), no other prefix.
    const listing = statements.filter((s) => actionsOf(s).includes('s3:ListBucket'));
    expect(listing).toHaveLength(2);
    for (const l of listing) {
      expect(actionsOf(l)).toEqual(['s3:ListBucket']);
      expect(JSON.stringify(l.Resource)).toMatch(/datalek-digests-111122223333-eu-west-1"/);
    }
    expect(listing.map((l) => l.Condition)).toEqual([{ StringEquals: { 's3:prefix': ['digests/'] } }, { StringLike: { 's3:prefix': ['digests/anchored/*'] } }]);
  });

  it('caps the anchor with a boundary of its own, and no other role may sign or write digests', () => {
    const roles = response.findResources('AWS::IAM::Role');
    const boundaryOf = (name: string) => Object.values(roles).find((r) => r.Properties.RoleName === name)?.Properties.PermissionsBoundary.Ref;
    const policies = response.findResources('AWS::IAM::ManagedPolicy');
    const anchorBoundary = policies[boundaryOf('datalek-anchor-function')];
    expect(anchorBoundary.Properties.ManagedPolicyName).toBe('datalek-anchor-boundary');
    // biome-ignore lint/suspicious/noExplicitAny: a template resource as the assertions library returns it
    const allowed = (p: any) => (p.Properties.PolicyDocument.Statement as Statement[]).filter((s) => s.Effect === 'Allow').flatMap(actionsOf);
    expect(allowed(anchorBoundary)).toEqual(expect.arrayContaining(['kms:Sign', 's3:PutObject', 's3:ListBucket']));
    expect(allowed(anchorBoundary).filter((a) => a.startsWith('ec2:') || a.startsWith('iam:'))).toEqual([]);
    for (const name of ['record-finding', 'notify', 'contain', 'sweep', 'acknowledge']) {
      const boundary = policies[boundaryOf(`datalek-${name}-function`)];
      expect(allowed(boundary), name).not.toContain('kms:Sign');
      expect(roleStatements(response, `datalek-${name}-function`).flatMap(actionsOf), name).not.toContain('kms:Sign');
    }
  });
});
