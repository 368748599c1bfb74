import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DefaultStackSynthesizer } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type DatalekApp } from '../../infra/build-app.js';
import { DeployConfigError } from '../../infra/config.js';
import { WATCH_RULE_PREFIX, WATCH_RULES } from '../../infra/constructs/pipeline-watch.js';
import { DEPLOY_QUALIFIER } from '../../infra/deploy-role.js';
import { DEPLOY_CONTEXT, NO_BUNDLING, synthesizedApp, synthesizeWithCdkNag } from '../support/infra.js';
import { expectDeadLetterPath } from './dead-letter-path.js';

/** With the register's locked backup vault (opt-in, infra16): cdk-nag and cfn-lint check it too. */
const CONTEXT = { ...DEPLOY_CONTEXT, backupVaultLock: 'true' };

const cfnLintFound = spawnSync('sh', ['-c', 'command -v cfn-lint'], { encoding: 'utf8' }).status === 0;
if (!cfnLintFound && process.env.CI === 'true')
  throw new Error('cfn-lint is not on PATH, and CI=true: the template checks must run in CI (pip install cfn-lint)');

describe('the CDK app', () => {
  let built: DatalekApp;
  let outdir: string;
  let state: Template;
  let response: Template;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'datalek-cdk-'));
    built = buildApp(CONTEXT, { outdir });
    // Synth runs the cdk-nag AwsSolutions checks: an unacknowledged finding makes it throw. Not CDK's own
    // CloudFormation validation (a warning at most, for 14 s of CPU): cfn-lint reads these templates below.
    synthesizeWithCdkNag(built);
    state = Template.fromStack(built.stateful);
    response = Template.fromStack(built.response);
    // Synth with bundling and cdk-nag: over two minutes on a loaded machine (helpers share two cores).
  }, 600_000);

  it('passes the cdk-nag AwsSolutions checks with every acknowledgement carrying a reason', () => {
    const metadata = [built.stateful, built.response, ...built.forwarders, ...built.members].flatMap((stack) =>
      stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules')),
    );
    expect(metadata.length).toBeGreaterThan(0);
    for (const m of metadata) for (const reason of Object.values(m.data as Record<string, string>)) expect(reason.length).toBeGreaterThan(20);
  });

  it("runs the cdk-nag checks in the synth the other infra tests share, which leaves out CDK's own CloudFormation validation (test/support/infra.ts)", () => {
    const other = buildApp({ ...DEPLOY_CONTEXT, ...NO_BUNDLING });
    // A bucket without server access logs (AwsSolutions-S1), which nothing acknowledges.
    new Bucket(other.stateful, 'Unacknowledged', { enforceSSL: true });
    expect(() => synthesizeWithCdkNag(other)).toThrow(/AwsSolutions-S1/);
  });

  it('keeps the register: tables with point-in-time recovery, deletion protection, a rotated customer-managed key', () => {
    state.resourceCountIs('AWS::DynamoDB::Table', 2);
    state.allResourcesProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
    });
    state.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    state.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'datalek-incidents',
      GlobalSecondaryIndexes: Match.arrayWith([Match.objectLike({ IndexName: 'due' }), Match.objectLike({ IndexName: 'byDetection' })]),
    });
    state.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'datalek-idempotency',
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
    state.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    state.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 365 * 7 });
  });

  it('backs the register up daily into a vault under a compliance lock of 35 days, changeable for 3, where opted in (infra16)', () => {
    state.resourceCountIs('AWS::Backup::BackupVault', 1);
    state.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'Retain',
      Properties: {
        BackupVaultName: 'datalek-register',
        // Compliance mode: a ChangeableForDays (governance mode has none).
        LockConfiguration: { MinRetentionDays: 35, MaxRetentionDays: 35, ChangeableForDays: 3 },
        EncryptionKeyArn: Match.anyValue(),
        AccessPolicy: { Statement: [Match.objectLike({ Effect: 'Deny', Action: Match.arrayWith(['backup:DeleteRecoveryPoint']) })] },
      },
    });
    state.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(0 5 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } })] },
    });
    const [selection] = Object.values(state.findResources('AWS::Backup::BackupSelection'));
    const tables = JSON.stringify(selection.Properties.BackupSelection.Resources);
    for (const table of ['Incidents', 'Idempotency']) expect(tables).toContain(table);
    state.hasResourceProperties('AWS::IAM::Role', { RoleName: 'datalek-backup' });
    // Off unless opted in: the lock cannot be undone three days after the deploy.
    const off = Template.fromStack(synthesizedApp().stateful);
    off.resourceCountIs('AWS::Backup::BackupVault', 0);
    off.resourceCountIs('AWS::Backup::BackupPlan', 0);
    // The retention set by context, the lock's minimum and maximum with it.
    const longer = Template.fromStack(synthesizedApp({ ...DEPLOY_CONTEXT, backupVaultLock: 'true', backupRetentionDays: '30' }).stateful);
    longer.hasResourceProperties('AWS::Backup::BackupVault', { LockConfiguration: { MinRetentionDays: 30, MaxRetentionDays: 30, ChangeableForDays: 3 } });
  });

  it('encrypts the FG and on-call topics and refuses publishing without TLS', () => {
    state.allResourcesProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    state.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    state.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'fg@example.nl' });
    state.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.nl' });
  });

  it("deploys each function with its own handler's bundle: an ES module split into chunks, the service clients of containment only in contain's", () => {
    const functions = Object.values(response.findResources('AWS::Lambda::Function'));
    // Each function's code is the asset folder named by its hash.
    const folder = (f: (typeof functions)[number]) => join(outdir, `asset.${String(f.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    expect(new Set(functions.map(folder)).size).toBe(functions.length);
    for (const f of functions) expect(readdirSync(folder(f))).toContain('index.mjs');
    const code = (description: string) => {
      const f = functions.find((fn) => String(fn.Properties.Description).includes(description));
      if (!f) throw new Error(`no function ${description}`);
      return readdirSync(folder(f), { recursive: true })
        .map(String)
        .filter((name) => name.endsWith('.mjs'))
        .map((name) => readFileSync(join(folder(f), name), 'utf8'))
        .join('\n');
    };
    expect(code('carries out enforced containment')).toContain('ModifyNetworkInterfaceAttribute');
    expect(code('sends the FG and on-call messages')).not.toContain('ModifyNetworkInterfaceAttribute');
  });

  it('runs each handler on arm64 Node.js 22 with the Powertools environment and its own log group', () => {
    const functions = response.findResources('AWS::Lambda::Function');
    // deploy20: member-pages, with member accounts.
    expect(Object.keys(functions)).toHaveLength(10);
    response.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'datalek', POWERTOOLS_LOGGER_LOG_EVENT: 'false' }) },
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
    // Every function but the public link function (a forwarder, told only where to forward:
    // test/infra/link-forward.test.ts) knows the table, and has a dead-letter queue.
    const [publicLink, ...others] = Object.values(functions).sort((a, b) =>
      String(a.Properties.Description).includes('public function URL') ? -1 : String(b.Properties.Description).includes('public function URL') ? 1 : 0,
    );
    expect(publicLink.Properties.Description).toContain('public function URL');
    expect(publicLink.Properties.DeadLetterConfig).toBeUndefined();
    for (const f of others) {
      // The detector check is told nothing of the pipeline either (test/infra/detector-check.test.ts), nor the member-pages function (its record and the alarm topic: test/infra/member-pages.test.ts).
      if (!/GuardDuty is enabled in every pipeline region|pages a member account's watched calls/.test(String(f.Properties.Description)))
        expect(f.Properties.Environment.Variables.DATALEK_TABLE, f.Properties.Description).toBe('datalek-incidents');
      expect(f.Properties.DeadLetterConfig, f.Properties.Description).toEqual({ TargetArn: expect.anything() });
    }
    response.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    // Per function an errors and a throttles alarm, and (but the link function, invoked
    // synchronously only) a failed-events alarm, per route one on its dead-letter queue and one on
    // events lost before it, the exposed-interface and refused-containment alarms, the sweep's and
    // anchor's not-running alarms, the two acknowledgement URLs' failures and the watch on calls
    // that stop findings from arriving (its queue's depth and its new calls), with one per watch
    // rule on calls it could not deliver, the detector check's not-running alarm, and the
    // containment (two rules since deploy19: IAM's calls apart), group tags, ECS placement (contain15) and containment
    // roles' writes (fgsec17) watches' on calls they could not deliver, and the stuck conflicts of the acknowledgement
    // paths (infra14), all to on-call. deploy20, with member accounts: the member-pages function's three (errors,
    // throttles, failed events), its twins' undelivered calls, and each of the 14 member twins' lost events. sec25: the
    // protected tag watch's on calls it could not deliver.
    response.resourceCountIs('AWS::CloudWatch::Alarm', 9 * 2 + 8 + 6 * 2 + 2 + 2 + 2 + 2 + WATCH_RULES.length + 1 + 5 + 1 + 3 + 1 + 14 + 1);
    expect(Object.values(response.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName)).toContain(
      'datalek-watch-ecs-placement-undelivered',
    );
    response.allResourcesProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    for (const alarm of Object.values(response.findResources('AWS::CloudWatch::Alarm'))) {
      expect(JSON.stringify(alarm.Properties.AlarmActions)).toContain('datalek-on-call-alarms');
    }
  });

  it('pages when an acknowledgement URL answers with a failure: the web app turns an error into a 500 response, which Lambda does not count as an error', () => {
    const functions = response.findResources('AWS::Lambda::Function');
    const logicalId = (description: string) => {
      const id = Object.keys(functions).find((k) => String(functions[k].Properties.Description).includes(description));
      if (!id) throw new Error(`no function ${description}`);
      return id;
    };
    for (const [name, description] of [
      ['datalek-link-url-failures', 'signed acknowledgement links and pager webhooks'],
      ['datalek-acknowledge-url-failures', 'on-call acknowledgement (IAM-signed function URL)'],
    ]) {
      response.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: name,
        Namespace: 'AWS/Lambda',
        MetricName: 'Url5xxCount',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(description) } }],
      });
    }
  });

  it('routes GuardDuty findings by numeric severity from the policy, never a list of values', () => {
    response.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'], detail: { severity: [{ numeric: ['>=', 4] }] } },
    });
    const [forward] = Object.values(Template.fromStack(built.forwarders[0]).findResources('AWS::Events::Rule'));
    expect(forward.Properties.EventPattern).toEqual({
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding'],
      detail: { severity: [{ numeric: ['>=', 4] }] },
    });
    expect(JSON.stringify(forward.Properties.Targets[0].Arn)).toMatch(/events:eu-west-1:111122223333:event-bus\/default/);
  });

  it('gives every EventBridge target a dead-letter queue, and every function target a retry policy', () => {
    const templates = [response, Template.fromStack(built.forwarders[0])];
    let targets = 0;
    for (const t of templates) {
      for (const rule of Object.values(t.findResources('AWS::Events::Rule'))) {
        // The watch rules' targets are a queue, whose depth pages, and the alarm topic; a call they
        // could not deliver pages as their FailedInvocations (test/infra/alarm-paths.test.ts).
        if (String(rule.Properties.Name).startsWith(WATCH_RULE_PREFIX)) continue;
        for (const target of rule.Properties.Targets) {
          targets += 1;
          expect(target.DeadLetterConfig?.Arn, JSON.stringify(target.Arn)).toBeDefined();
          // Event-bus targets take EventBridge's own retry (24 h, 185 attempts): they accept no RetryPolicy.
          if (!JSON.stringify(target.Arn).includes('event-bus'))
            expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 });
        }
      }
    }
    expect(targets).toBe(7);
    response.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  it('grants no action on every resource, and no ec2:* or iam:* at all', () => {
    for (const stack of [built.response, ...built.members]) {
      for (const policy of Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))) {
        for (const st of policy.Properties.PolicyDocument.Statement) {
          if (st.Effect !== 'Allow') continue;
          const actions = [st.Action].flat();
          expect(
            actions.some((a: string) => a === '*' || /^[a-z0-9-]+:\*$/.test(a)),
            JSON.stringify(st),
          ).toBe(false);
          if (JSON.stringify(st.Resource) === '"*"') {
            expect(
              actions.every((a: string) => /:(Describe|Get|List)/.test(a)),
              JSON.stringify(st),
            ).toBe(true);
          }
        }
      }
    }
  });

  it("deploys every stack through datalek's own CDK bootstrap, and trusts no other bootstrap's roles (the deploy excuse, policyChangers)", () => {
    const stacks = [built.stateful, built.response, ...built.forwarders, ...built.members, ...built.memberIam, ...(built.iamForward ? [built.iamForward] : [])];
    expect(stacks.length).toBe(6);
    for (const stack of stacks) {
      const template = JSON.stringify(Template.fromStack(stack).toJSON());
      // The version check CDK adds reads the qualifier's parameter: a deploy against another bootstrap fails there.
      expect(template, stack.stackName).toContain(`/cdk-bootstrap/${DEPLOY_QUALIFIER}/version`);
      expect(template, stack.stackName).not.toMatch(/hnb659fds/);
    }
    // The policies that only the deployment and break-glass may pass name datalek's execution role, in the stack's region.
    const exec = `role/cdk-${DEPLOY_QUALIFIER}-cfn-exec-role-${CONTEXT.account}-${CONTEXT.region}`;
    expect(JSON.stringify(state.findResources('AWS::KMS::Key'))).toContain(exec);
    expect(JSON.stringify(state.findResources('AWS::DynamoDB::Table'))).toContain(exec);
    expect(JSON.stringify(state.findResources('AWS::SNS::TopicPolicy'))).toContain(exec);
    expect(JSON.stringify(response.findResources('AWS::SecretsManager::ResourcePolicy'))).toContain(exec);
  });

  it("forwards IAM's calls from us-east-1, where they alone reach EventBridge, to the central bus: none of the pipeline's regions is us-east-1 (deploy12)", () => {
    const iam = built.iamForward;
    expect(iam?.region).toBe('us-east-1');
    const t = Template.fromStack(iam as NonNullable<typeof iam>);
    const central = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${CONTEXT.region}:${CONTEXT.account}:event-bus/default`]] };
    const rules = Object.values(t.findResources('AWS::Events::Rule'));
    expect(rules.map((r) => r.Properties.Name).sort()).toEqual(['datalek-iam-forward', 'datalek-iam-guard']);
    // With the stack's one role, which only these two rules may use and which may only put events on the central bus.
    const [role] = Object.keys(t.findResources('AWS::IAM::Role'));
    expect(Object.keys(t.findResources('AWS::IAM::Role'))).toEqual([role]);
    // A forward that fails waits in the stack's dead-letter queue (infra14: it was lost silently).
    const [queue] = Object.keys(t.findResources('AWS::SQS::Queue'));
    for (const r of rules) {
      expect(r.Properties.State).toBe('ENABLED');
      expect(r.Properties.Targets).toEqual([
        { Arn: central, Id: 'Target0', RoleArn: { 'Fn::GetAtt': [role, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } } },
      ]);
      expect(JSON.stringify(r.Properties.EventPattern).length).toBeLessThanOrEqual(2048);
    }
    // The forward rule takes IAM's calls by name: the central rules read the rest.
    const forward = rules.find((r) => r.Properties.Name === 'datalek-iam-forward')?.Properties.EventPattern;
    expect(forward.$or[0]).toEqual({
      source: ['aws.iam'],
      detail: { eventName: expect.arrayContaining(['UpdateAssumeRolePolicy', 'CreatePolicyVersion', 'UpdateAccessKey']) },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Sid: 'ForwardToCentralBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: central }] },
    });
  });

  it("keeps a failed IAM forward in an encrypted dead-letter queue that only the two rules may send to and only break-glass may take from, and pages on-call through us-east-1's own alarm topic on what arrives (infra14)", () => {
    const t = Template.fromStack(built.iamForward as NonNullable<typeof built.iamForward>);
    expectDeadLetterPath(t, { breakGlassRole: CONTEXT.breakGlassRole, onCallEmail: CONTEXT.onCallEmail, alarm: 'datalek-iam-forward-dead-letters' });
  });

  it('needs no forward from us-east-1 where a pipeline region is us-east-1: its own watch rules see IAM there', () => {
    const withUsEast1 = buildApp({ ...CONTEXT, ...NO_BUNDLING, forwardFrom: 'eu-central-1,us-east-1' });
    expect(withUsEast1.iamForward).toBeUndefined();
    expect(withUsEast1.app.node.tryFindChild('DatalekIamForward')).toBeUndefined();
  });

  it.skipIf(!cfnLintFound)(
    'passes cfn-lint',
    () => {
      const templates = readdirSync(outdir)
        .filter((f) => f.endsWith('.template.json'))
        .map((f) => join(outdir, f));
      // Six, and (contain20) the member's forwarding in the other pipeline region.
      expect(templates.length).toBe(7);
      const lint = spawnSync('cfn-lint', ['--config-file', join(import.meta.dirname, '../../.cfnlintrc.yaml'), '--', ...templates], { encoding: 'utf8' });
      expect(lint.stdout + lint.stderr).toBe('');
      expect(lint.status).toBe(0);
      // cfn-lint takes about 20 seconds for the seven templates alone, more on a busy machine.
    },
    180_000,
  );
});

describe('EU residency', () => {
  // No bundling here: these only check which regions the app accepts.
  const noBundling = { breakGlassRole: 'datalek-break-glass', ...NO_BUNDLING };
  it.each(['us-east-1', 'eu-west-2', 'eu-central-2'])('refuses %s unless explicitly allowed', (region) => {
    expect(() => buildApp({ region, ...noBundling })).toThrow(DeployConfigError);
    expect(() => buildApp({ region, ...noBundling })).toThrow(/outside the EU/);
    expect(() => buildApp({ region, allowNonEuRegion: 'true', ...noBundling })).not.toThrow();
  });

  it('forwards the findings of a region outside the EU into the central EU region, and answers them there', () => {
    // GuardDuty raises a stolen key's findings where it is used (us-east-1, often): forwarding them
    // moves them into the EU, it does not deploy the pipeline outside it.
    const built = synthesizedApp({ region: 'eu-west-1', forwardFrom: 'us-east-1,ap-southeast-2', ...noBundling });
    expect(built.forwarders.map((f) => f.region)).toEqual(['us-east-1', 'ap-southeast-2']);
    const [forward] = Object.values(
      Template.fromStack(built.forwarders[0]).findResources('AWS::Events::Rule', { Properties: { Name: 'datalek-forward-findings' } }),
    );
    expect(JSON.stringify(forward.Properties.Targets[0].Arn)).toContain(':events:eu-west-1:');
    // Containment acts where the findings' resources are.
    expect(JSON.stringify(Template.fromStack(built.response).toJSON())).toContain(':us-east-1:');
    // The central region itself stays in the EU.
    expect(() => buildApp({ region: 'us-east-1', forwardFrom: 'eu-west-1', ...noBundling })).toThrow(/us-east-1 is outside the EU/);
  });

  it('names a forwarder region that is no AWS region name', () => {
    expect(() => buildApp({ region: 'eu-west-1', forwardFrom: 'us-east-1,Frankfurt', ...noBundling })).toThrow(
      /forwardFrom: Frankfurt is not an AWS region name/,
    );
  });

  it('names a bad context value', () => {
    expect(() => buildApp({ region: 'eu-west-1', fgEmail: 'not-an-address', ...noBundling })).toThrow(/fgEmail: expected the FG e-mail address/);
  });

  it("refuses an FG role's name with a comma, which the incidents table's tag that carries it cannot hold (fgrole, session 27)", () => {
    expect(() => buildApp({ region: 'eu-west-1', fgRole: 'fg,privacy', ...noBundling })).toThrow(/fgRole: expected the FG's role's name without a comma/);
  });
});

describe('the upgrade from the shared CDK bootstrap', () => {
  it("deploys once with the shared bootstrap, naming both execution roles where only the deployment may change a policy, so that the next deploy, with datalek's, may", () => {
    const built = synthesizedApp({ ...CONTEXT, sharedBootstrapUpgrade: 'true' });
    const shared = `role/cdk-hnb659fds-cfn-exec-role-${CONTEXT.account}-${CONTEXT.region}`;
    const own = `role/cdk-${DEPLOY_QUALIFIER}-cfn-exec-role-${CONTEXT.account}-${CONTEXT.region}`;
    const state = Template.fromStack(built.stateful);
    expect(JSON.stringify(state.toJSON())).toContain('/cdk-bootstrap/hnb659fds/version');
    for (const type of ['AWS::KMS::Key', 'AWS::DynamoDB::Table', 'AWS::SNS::TopicPolicy']) {
      const text = JSON.stringify(state.findResources(type));
      expect(text, type).toContain(shared);
      expect(text, type).toContain(own);
    }
    // DatalekIamForward is new: no deployment made it through the shared bootstrap, which need not exist in us-east-1 (read12b B4).
    const forward = built.iamForward as NonNullable<typeof built.iamForward>;
    expect(forward.region).toBe('us-east-1');
    expect((forward.synthesizer as DefaultStackSynthesizer).cloudFormationExecutionRoleArn).toContain(`cdk-${DEPLOY_QUALIFIER}-cfn-exec-role-`);
    expect(JSON.stringify(Template.fromStack(forward).toJSON())).not.toContain('hnb659fds');
  });
});
