/**
 * What the CDK app deploys for acknowledging from the page: the link key as a generated secret
 * under the pipeline's key, the link function with its public URL (no IAM: the signed token is the
 * authorisation) and reserved concurrency, forwarding to the private link-apply function, each
 * secret readable by exactly the functions that use it, and with a pager in the policy the pager's
 * keys and its webhook secret as two secrets: the link-apply function checks webhooks but must
 * never hold the keys that page on-call, and the public link function holds neither.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, DEPLOY_CONTEXT, roleStatements, type Statement, synthesizedApp } from '../support/infra.js';

const PARTITION = ['$', '{AWS::Partition}'].join('');

describe('acknowledgement links and the pager in the CDK app', () => {
  let response: Template;
  let paged: Template;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-infra-'));
    const policyFile = join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ onCall: { provider: 'pagerduty' } }));
    // Synthesizing runs the cdk-nag checks: an unacknowledged finding fails here.
    response = Template.fromStack(synthesizedApp().response);
    paged = Template.fromStack(synthesizedApp({ ...DEPLOY_CONTEXT, policyFile, linkConcurrency: '3' }).response);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const linkFunction = (t: Template) => {
    const [[id, fn]] = Object.entries(t.findResources('AWS::Lambda::Function')).filter(([, f]) => f.Properties.Description?.includes('acknowledgement links'));
    return { id, fn };
  };
  const secretId = (t: Template, name: string) => {
    const [[id]] = Object.entries(t.findResources('AWS::SecretsManager::Secret')).filter(([, s]) => s.Properties.Name === name);
    return id;
  };

  it('generates the link key as a secret, encrypted with the pipeline’s key', () => {
    response.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'datalek/ack-link-key',
      KmsKeyId: Match.anyValue(),
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
    response.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  it('serves the links from a function with reserved concurrency behind a URL without IAM, public only through the URL', () => {
    const { id, fn } = linkFunction(response);
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(5);
    expect(linkFunction(paged).fn.Properties.ReservedConcurrentExecutions).toBe(3);
    // The key is the link-apply function's: the public one only forwards (test/infra/link-forward.test.ts).
    expect(fn.Properties.Environment.Variables.DATALEK_LINK_KEY_SECRET).toBeUndefined();
    const [apply] = Object.values(response.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Description?.includes('link function forwards'));
    expect(apply.Properties.Environment.Variables.DATALEK_LINK_KEY_SECRET).toEqual({ Ref: secretId(response, 'datalek/ack-link-key') });
    response.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [id, 'Arn'] } });
    // Function URLs made since October 2025 need both permissions; InvokeFunction only through the URL.
    response.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      FunctionName: { 'Fn::GetAtt': [id, 'Arn'] },
      Principal: '*',
      FunctionUrlAuthType: 'NONE',
    });
    response.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [id, 'Arn'] },
      Principal: '*',
      InvokedViaFunctionUrl: true,
    });
    // Nothing else is public.
    const publicPermissions = Object.values(response.findResources('AWS::Lambda::Permission')).filter((p) => p.Properties.Principal === '*');
    expect(publicPermissions).toHaveLength(2);
    expect(response.toJSON().Outputs.LinkUrl.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^LinkFunctionFunctionUrl/), 'FunctionUrl'] });
  });

  it('points the pages’ links at that URL: notify and the sweep sign them', () => {
    const fns = Object.values(response.findResources('AWS::Lambda::Function'));
    const signing = fns.filter((f) => f.Properties.Environment.Variables.DATALEK_LINK_URL);
    expect(signing.map((f) => f.Properties.Description).sort()).toEqual([
      'datalek: AP deadline reminders and on-call re-pages',
      'datalek: sends the FG and on-call messages of an incident',
    ]);
    for (const f of signing) {
      expect(f.Properties.Environment.Variables.DATALEK_LINK_URL).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^LinkFunctionFunctionUrl/), 'FunctionUrl'] });
    }
  });

  /** Who reads each secret: the link key signs (notify, sweep) and checks (link-apply); the pager's keys page; its webhook secret checks webhooks. */
  const READERS: Record<string, string[]> = {
    'datalek/ack-link-key': ['notify', 'sweep', 'link-apply'],
    'datalek/pager': ['notify', 'sweep'],
    'datalek/pager-webhook': ['link-apply'],
  };

  it('lets exactly the functions that use each secret read it: the public link function none, the link-apply function never the pager’s keys', () => {
    for (const handler of ['record-finding', 'notify', 'contain', 'sweep', 'acknowledge', 'anchor', 'link', 'link-apply']) {
      const reads = roleStatements(paged, `datalek-${handler}-function`).filter((st) => actionsOf(st).includes('secretsmanager:GetSecretValue'));
      const resources = JSON.stringify(reads.map((st) => st.Resource));
      for (const [name, readers] of Object.entries(READERS)) {
        if (readers.includes(handler)) expect(resources, `${handler} reads ${name}`).toContain(`"${secretId(paged, name)}"`);
        else expect(resources, `${handler} must not read ${name}`).not.toContain(`"${secretId(paged, name)}"`);
      }
      if (!Object.values(READERS).flat().includes(handler)) expect(reads, handler).toEqual([]);
    }
  });

  it('refuses reading each secret to every principal but its functions and the break-glass role, whatever IAM allows them', () => {
    const roleArn = (t: Template, name: string) => {
      const [id] = Object.entries(t.findResources('AWS::IAM::Role')).find(([, r]) => r.Properties.RoleName === name) ?? [];
      return { 'Fn::GetAtt': [id, 'Arn'] };
    };
    for (const [t, names] of [
      [response, ['datalek/ack-link-key']],
      [paged, ['datalek/ack-link-key', 'datalek/pager', 'datalek/pager-webhook']],
    ] as const) {
      const policies = Object.values(t.findResources('AWS::SecretsManager::ResourcePolicy'));
      expect(policies).toHaveLength(names.length);
      for (const name of names) {
        const [policy] = policies.filter((p) => p.Properties.SecretId.Ref === secretId(t, name));
        expect(policy, name).toBeDefined();
        expect(
          policy.Properties.ResourcePolicy.Statement.filter((st: Statement) => st.Sid === 'OnlyItsFunctionsRead'),
          name,
        ).toEqual([
          {
            Sid: 'OnlyItsFunctionsRead',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'secretsmanager:GetSecretValue',
            Resource: '*',
            Condition: {
              ArnNotEquals: {
                'aws:PrincipalArn': [
                  ...READERS[name].map((handler) => roleArn(t, `datalek-${handler}-function`)),
                  { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:role/datalek-break-glass']] },
                ],
              },
            },
          },
        ]);
      }
    }
  });

  /** Every Secrets Manager call that changes a secret, its value, its versions, its policy or where it is kept. */
  const SECRET_WRITES = [
    'secretsmanager:CancelRotateSecret',
    'secretsmanager:DeleteResourcePolicy',
    'secretsmanager:DeleteSecret',
    'secretsmanager:PutResourcePolicy',
    'secretsmanager:PutSecretValue',
    'secretsmanager:RemoveRegionsFromReplication',
    'secretsmanager:ReplicateSecretToRegions',
    'secretsmanager:RestoreSecret',
    'secretsmanager:RotateSecret',
    'secretsmanager:StopReplicationToReplica',
    'secretsmanager:UpdateSecret',
    'secretsmanager:UpdateSecretVersionStage',
  ];

  it('refuses replacing, deleting or unlocking each secret to every principal but the break-glass role and the deployment (review 5, S3)', () => {
    // Without this, whoever IAM lets write the secret lifts the read Deny (DeleteResourcePolicy),
    // reads, and puts it back; or puts a link key of their own, and every link they sign then
    // acknowledges any incident. CloudFormation's execution role keeps deploys working (it writes
    // the policy, and deletes the link key with the stack); the break-glass role puts the pager's keys.
    for (const [t, names] of [
      [response, ['datalek/ack-link-key']],
      [paged, ['datalek/ack-link-key', 'datalek/pager', 'datalek/pager-webhook']],
    ] as const) {
      const policies = Object.values(t.findResources('AWS::SecretsManager::ResourcePolicy'));
      for (const name of names) {
        const [policy] = policies.filter((p) => p.Properties.SecretId.Ref === secretId(t, name));
        const writes = (policy.Properties.ResourcePolicy.Statement as Statement[]).filter((st) => st.Sid === 'OnlyBreakGlassOrDeploymentWrites');
        expect(writes, name).toEqual([
          {
            Sid: 'OnlyBreakGlassOrDeploymentWrites',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: SECRET_WRITES,
            Resource: '*',
            Condition: {
              ArnNotEquals: {
                'aws:PrincipalArn': [
                  { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:role/datalek-break-glass']] },
                  // The CDK bootstrap's CloudFormation execution role, as the synthesizer writes it (Fn::Sub resolves the partition).
                  { 'Fn::Sub': `arn:${PARTITION}:iam::111122223333:role/cdk-datalek-cfn-exec-role-111122223333-eu-west-1` },
                ],
              },
            },
          },
        ]);
      }
    }
  });

  it('with a pager in the policy: its keys and its webhook secret as two secrets (kept on stack deletion), their ARNs as outputs, each where it is read', () => {
    expect(Object.keys(response.findResources('AWS::SecretsManager::Secret'))).toHaveLength(1);
    expect(Object.keys(paged.findResources('AWS::SecretsManager::Secret'))).toHaveLength(3);
    const [keys] = Object.values(paged.findResources('AWS::SecretsManager::Secret', { Properties: { Name: 'datalek/pager' } }));
    expect(keys.DeletionPolicy).toBe('Retain');
    // Exactly as before the split: CloudFormation would otherwise generate the secret anew over
    // the routing key an existing deployment filled in.
    expect(keys.Properties.GenerateSecretString).toEqual({
      SecretStringTemplate: JSON.stringify({ routingKey: '' }),
      GenerateStringKey: 'webhookSecret',
      PasswordLength: 48,
      ExcludePunctuation: true,
    });
    const [webhook] = Object.values(paged.findResources('AWS::SecretsManager::Secret', { Properties: { Name: 'datalek/pager-webhook' } }));
    expect(webhook.DeletionPolicy).toBe('Retain');
    expect(webhook.Properties.KmsKeyId).toBeDefined();
    // The secret alone, as text: nothing else of the pager's ever goes in it.
    expect(webhook.Properties.GenerateSecretString).toEqual({ PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false });
    const outputs = paged.toJSON().Outputs;
    expect(outputs.PagerSecretArn.Value).toEqual({ Ref: secretId(paged, 'datalek/pager') });
    expect(outputs.PagerWebhookSecretArn.Value).toEqual({ Ref: secretId(paged, 'datalek/pager-webhook') });
    const withEnv = (t: Template, name: string) =>
      Object.values(t.findResources('AWS::Lambda::Function'))
        .filter((f) => f.Properties.Environment.Variables[name])
        .map((f) => [f.Properties.Description, f.Properties.Environment.Variables[name]]);
    expect(withEnv(paged, 'DATALEK_PAGER_SECRET').sort()).toEqual([
      ['datalek: AP deadline reminders and on-call re-pages', { Ref: secretId(paged, 'datalek/pager') }],
      ['datalek: sends the FG and on-call messages of an incident', { Ref: secretId(paged, 'datalek/pager') }],
    ]);
    expect(withEnv(paged, 'DATALEK_PAGER_WEBHOOK_SECRET_ID')).toEqual([
      ['datalek: checks and applies what the public link function forwards (invoked by it only)', { Ref: secretId(paged, 'datalek/pager-webhook') }],
    ]);
    expect(withEnv(response, 'DATALEK_PAGER_WEBHOOK_SECRET_ID')).toEqual([]);
  });

  it('routes acknowledgements to the notify function, which acknowledges the alert at the pager', () => {
    response.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['datalek'], 'detail-type': Match.arrayWith(['Incident Acknowledged']) },
    });
  });
});
