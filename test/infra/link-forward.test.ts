/**
 * The public link function as deployed: a forwarder that holds no secret, no key and no table
 * right. Everything it may do is call the private link-apply function (synchronously, by
 * lambda:InvokeFunction on that one ARN) and write its own log; its permissions boundary caps it
 * there too, so no policy put on its role later can hand it the table. The link-apply function
 * holds the link key, the webhook secret and the narrowed table grant, and is not public.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, DEPLOY_CONTEXT, policyStatements, roleStatements, type Statement, synthesizedApp } from '../support/infra.js';

const FORBIDDEN = /^(secretsmanager|kms|dynamodb|events|sqs|sns|s3|sts|iam|ec2|lambda:(?!InvokeFunction$))/;

describe('the public link function forwards, and holds nothing', () => {
  let t: Template;
  const functionByRole = (roleName: string) => {
    const roles = t.findResources('AWS::IAM::Role');
    const [roleId] = Object.entries(roles).find(([, r]) => r.Properties.RoleName === roleName) ?? [];
    const [id, fn] = Object.entries(t.findResources('AWS::Lambda::Function')).find(([, f]) => f.Properties.Role?.['Fn::GetAtt']?.[0] === roleId) ?? [];
    if (!id || !fn) throw new Error(`no function with role ${roleName}`);
    return { id, fn, roleId: roleId as string };
  };

  const applyArn = () => ({ 'Fn::GetAtt': [functionByRole('datalek-link-apply-function').id, 'Arn'] });

  beforeAll(() => {
    // With a pager, so that the webhook secret is there too.
    const dir = mkdtempSync(join(tmpdir(), 'datalek-infra-'));
    const policyFile = join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ onCall: { provider: 'pagerduty' } }));
    try {
      t = Template.fromStack(synthesizedApp({ ...DEPLOY_CONTEXT, policyFile }).response);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('lets the link role invoke the link-apply function and write its log, nothing else: no secret, no key, no table, no bus', () => {
    const statements = roleStatements(t, 'datalek-link-function');
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((a) => FORBIDDEN.test(a))).toEqual([]);
    expect(new Set(actions)).toEqual(new Set(['logs:CreateLogStream', 'logs:PutLogEvents', 'lambda:InvokeFunction']));
    const invoke = statements.filter((st) => actionsOf(st).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    // That one function's ARN: no version or alias wildcard, no other function.
    expect(invoke[0].Resource).toEqual(applyArn());
    expect(invoke[0].Effect).toBe('Allow');
  });

  it('caps the link role with a boundary of its own that allows the same and nothing more', () => {
    const { fn } = functionByRole('datalek-link-function');
    const roles = t.findResources('AWS::IAM::Role');
    const role = Object.values(roles).find((r) => r.Properties.RoleName === 'datalek-link-function');
    const boundary = t.findResources('AWS::IAM::ManagedPolicy')[role?.Properties.PermissionsBoundary?.Ref];
    expect(boundary.Properties.ManagedPolicyName).toBe('datalek-link-boundary');
    const statements = boundary.Properties.PolicyDocument.Statement as Statement[];
    const allowed = statements.filter((st) => st.Effect === 'Allow').flatMap(actionsOf);
    expect(new Set(allowed)).toEqual(new Set(['logs:CreateLogStream', 'logs:PutLogEvents', 'lambda:InvokeFunction']));
    const invoke = statements.find((st) => actionsOf(st).includes('lambda:InvokeFunction'));
    expect(invoke?.Resource).toEqual(applyArn());
    // No dead-letter queue (a function URL invokes synchronously), and so no key to encrypt one with.
    expect(fn.Properties.DeadLetterConfig).toBeUndefined();
    // Its environment names no secret, table or bus: only where to forward.
    const env = fn.Properties.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(env).filter((k) => k.startsWith('DATALEK_'))).toEqual(['DATALEK_LINK_APPLY_FUNCTION']);
    expect(env.DATALEK_LINK_APPLY_FUNCTION).toEqual(applyArn());
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(5);
  });

  it('lets only the link role invoke the link-apply function, which has no URL and no public permission', () => {
    const applyId = functionByRole('datalek-link-apply-function').id;
    const linkId = functionByRole('datalek-link-function').id;
    const invokers = policyStatements(t).filter(
      (st) => actionsOf(st).some((a) => a.startsWith('lambda:Invoke')) && JSON.stringify(st.Resource).includes(applyId),
    );
    // The link role's own statement and its boundary's.
    expect(invokers).toHaveLength(2);
    const holders = [...Object.values(t.findResources('AWS::IAM::Policy'))]
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes(applyId))
      .flatMap((p) => p.Properties.Roles as { Ref: string }[]);
    expect(holders).toEqual([{ Ref: functionByRole('datalek-link-function').roleId }]);
    const permissions = Object.values(t.findResources('AWS::Lambda::Permission')).filter((p) => JSON.stringify(p.Properties.FunctionName).includes(applyId));
    expect(permissions).toEqual([]);
    const urls = Object.values(t.findResources('AWS::Lambda::Url')).filter((u) => JSON.stringify(u.Properties.TargetFunctionArn).includes(applyId));
    expect(urls).toEqual([]);
    expect(JSON.stringify(t.findResources('AWS::Lambda::Url'))).toContain(linkId);
  });

  it('gives the link-apply function what the link function held: the link key, the webhook secret, the acknowledgement event and the narrowed table grant', () => {
    const statements = roleStatements(t, 'datalek-link-apply-function');
    const actions = statements.flatMap(actionsOf);
    expect(actions).toEqual(
      expect.arrayContaining(['secretsmanager:GetSecretValue', 'kms:Decrypt', 'dynamodb:GetItem', 'dynamodb:PutItem', 'events:PutEvents']),
    );
    const bus = statements.filter((st) => actionsOf(st).includes('events:PutEvents'));
    expect(bus.map((st) => st.Condition)).toEqual([{ StringEquals: { 'events:source': 'datalek', 'events:detail-type': ['Incident Acknowledged'] } }]);
    for (const never of ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:Scan', 'sns:Publish']) expect(actions).not.toContain(never);
    const { fn } = functionByRole('datalek-link-apply-function');
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(5);
    const env = fn.Properties.Environment.Variables as Record<string, unknown>;
    expect(env.DATALEK_LINK_KEY_SECRET).toBeDefined();
    expect(env.DATALEK_PAGER_WEBHOOK_SECRET_ID).toBeDefined();
  });
});
