/**
 * What the CDK app deploys for acknowledging from the page: the link key as a generated secret
 * under the pipeline's key, the link function with its public URL (no IAM: the signed token is the
 * authorisation) and reserved concurrency, the secrets readable by exactly the functions that sign
 * or check with them, and with a pager in the policy the pager's secret.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { actionsOf, DEPLOY_CONTEXT, NO_BUNDLING, roleStatements } from '../support/infra.js';

describe('acknowledgement links and the pager in the CDK app', () => {
  let response: Template;
  let paged: Template;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-infra-'));
    const policyFile = join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ onCall: { provider: 'pagerduty' } }));
    // Synthesizing runs the cdk-nag checks: an unacknowledged finding fails here.
    response = Template.fromStack(buildApp({ ...DEPLOY_CONTEXT, ...NO_BUNDLING }).response);
    paged = Template.fromStack(buildApp({ ...DEPLOY_CONTEXT, ...NO_BUNDLING, policyFile, linkConcurrency: '3' }).response);
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
    expect(fn.Properties.Environment.Variables.DATALEK_LINK_KEY_SECRET).toEqual({ Ref: secretId(response, 'datalek/ack-link-key') });
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

  it('lets exactly the signing and checking functions read the secrets', () => {
    const readers = ['notify', 'sweep', 'link'];
    for (const handler of ['record-finding', 'notify', 'contain', 'sweep', 'acknowledge', 'anchor', 'link']) {
      const reads = roleStatements(paged, `datalek-${handler}-function`).filter((st) => actionsOf(st).includes('secretsmanager:GetSecretValue'));
      const resources = JSON.stringify(reads.map((st) => st.Resource));
      if (readers.includes(handler)) {
        expect(resources, handler).toContain(secretId(paged, 'datalek/ack-link-key'));
        expect(resources, handler).toContain(secretId(paged, 'datalek/pager'));
      } else {
        expect(reads, handler).toEqual([]);
      }
    }
  });

  it('refuses reading either secret to every principal but those functions and the break-glass role, whatever IAM allows them', () => {
    const roleArn = (t: Template, name: string) => {
      const [id] = Object.entries(t.findResources('AWS::IAM::Role')).find(([, r]) => r.Properties.RoleName === name) ?? [];
      return { 'Fn::GetAtt': [id, 'Arn'] };
    };
    for (const [t, names] of [
      [response, ['datalek/ack-link-key']],
      [paged, ['datalek/ack-link-key', 'datalek/pager']],
    ] as const) {
      const policies = Object.values(t.findResources('AWS::SecretsManager::ResourcePolicy'));
      expect(policies).toHaveLength(names.length);
      for (const name of names) {
        const [policy] = policies.filter((p) => p.Properties.SecretId.Ref === secretId(t, name));
        expect(policy, name).toBeDefined();
        expect(policy.Properties.ResourcePolicy.Statement, name).toEqual([
          {
            Sid: 'OnlyItsFunctionsRead',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'secretsmanager:GetSecretValue',
            Resource: '*',
            Condition: {
              ArnNotEquals: {
                'aws:PrincipalArn': [
                  roleArn(t, 'datalek-notify-function'),
                  roleArn(t, 'datalek-sweep-function'),
                  roleArn(t, 'datalek-link-function'),
                  { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:role/datalek-break-glass']] },
                ],
              },
            },
          },
        ]);
      }
    }
  });

  it('with a pager in the policy: its secret to fill in (kept on stack deletion), its ARN as an output, its env on the three functions', () => {
    expect(Object.keys(response.findResources('AWS::SecretsManager::Secret'))).toHaveLength(1);
    const [secret] = Object.values(paged.findResources('AWS::SecretsManager::Secret', { Properties: { Name: 'datalek/pager' } }));
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(JSON.parse(secret.Properties.GenerateSecretString.SecretStringTemplate)).toEqual({ routingKey: '' });
    expect(secret.Properties.GenerateSecretString.GenerateStringKey).toBe('webhookSecret');
    expect(paged.toJSON().Outputs.PagerSecretArn).toBeDefined();
    const withPager = Object.values(paged.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment.Variables.DATALEK_PAGER_SECRET);
    expect(withPager).toHaveLength(3);
  });

  it('routes acknowledgements to the notify function, which acknowledges the alert at the pager', () => {
    response.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['datalek'], 'detail-type': Match.arrayWith(['Incident Acknowledged']) },
    });
  });
});
