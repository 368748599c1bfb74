/**
 * A member account that leaves its GuardDuty administrator, or deletes or suspends its own
 * detector, is recorded only in its own CloudTrail: the member stack forwards those calls (and
 * calls on its own forwarding rules, each watching the other) to the pipeline account's default
 * bus, where the pipeline watch pages. The templates, and the whole path on moto: the member's
 * rule, the cross-account event bus target, the central watch rule, its queue.
 */

import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revocationDocument } from '../../handlers/adapters/aws/containment/iam.js';
import { DENY_ALL_DOCUMENT, denyAllPolicyName } from '../../handlers/adapters/aws/containment/iam-users.js';
import type { DatalekApp } from '../../infra/build-app.js';
import { CONTAINMENT_IAM_WATCH_RULE_NAME, CONTAINMENT_WATCH_RULE_NAME } from '../../infra/constructs/containment-watch.js';
import { ECS_PLACEMENT_WATCH_RULE_NAME } from '../../infra/constructs/ecs-placement-watch.js';
import { GROUP_TAG_WATCH_RULE_NAME } from '../../infra/constructs/group-tag-watch.js';
import { MEMBER_TWIN_SUFFIX } from '../../infra/constructs/member-pages.js';
import { BY_HAND_RULE_NAME, CHANGES_RULE_NAME, PAGING_RULE_NAME, ROLES_RULE_NAME, WATCH_RULE_NAME } from '../../infra/constructs/pipeline-watch.js';
import { PROTECTED_TAG_WATCH_RULE_NAME } from '../../infra/constructs/protected-tag-watch.js';
import { notByDeployment } from '../../infra/deploy-role.js';
import {
  MEMBER_IAM_CONTAIN_RULE_NAME,
  MEMBER_IAM_FORWARD_RULE_NAME,
  MEMBER_IAM_GUARD_RULE_NAME,
  memberContainPattern,
  memberIamForwardPattern,
  memberIamGuardPattern,
  memberRoleNames,
} from '../../infra/member-iam-stack.js';
import { MEMBER_GUARD_RULE_NAME, MEMBER_WATCH_RULE_NAME } from '../../infra/member-stack.js';
import { DEPLOY_CONTEXT, type Statement, synthesizedApp } from '../support/infra.js';
import { MOTO_AVAILABLE, type Moto, startMoto, TEST_REGION } from '../support/moto.js';
import { resolveValue } from './cfn-resolve.js';
import { expectDeadLetterPath } from './dead-letter-path.js';
import { arrayVariants } from './moto-rules.js';

const PIPELINE = DEPLOY_CONTEXT.account;
const MEMBER = DEPLOY_CONTEXT.memberAccounts;
const CENTRAL_BUS = `arn:aws:events:eu-west-1:${PIPELINE}:event-bus/default`;

describe("a member account's calls that silence its findings reach the pipeline's watch", () => {
  let built: DatalekApp;
  let member: Template;
  let response: Template;

  beforeAll(() => {
    built = synthesizedApp();
    member = Template.fromStack(built.members[0]);
    response = Template.fromStack(built.response);
  }, 120_000);

  const rulesOf = (t: Template) => Object.values(t.findResources('AWS::Events::Rule'));
  /** A template value as deployed (the partition, account and region in place of their tokens). */
  const text = (t: Template, v: unknown) => JSON.stringify(resolveValue(v, t, { account: MEMBER, region: 'eu-west-1' }));

  it('forwards them with two rules on the member’s default bus, each watching the other, to the central default bus', () => {
    const rules = rulesOf(member);
    expect(rules.map((r) => r.Properties.Name).sort()).toEqual([MEMBER_GUARD_RULE_NAME, MEMBER_WATCH_RULE_NAME]);
    for (const rule of rules) {
      expect(rule.Properties.EventBusName).toBeUndefined();
      expect(rule.Properties.State).toBe('ENABLED');
      const [target] = rule.Properties.Targets;
      expect(text(member, target.Arn)).toContain(`events:eu-west-1:${PIPELINE}:event-bus/default`);
      expect(target.RoleArn).toBeDefined();
    }
  });

  it('fits each forwarding rule’s pattern in the 2,048 characters EventBridge takes by default', () => {
    for (const rule of rulesOf(member)) expect(JSON.stringify(rule.Properties.EventPattern).length, rule.Properties.Name).toBeLessThanOrEqual(2048);
  });

  it('lets EventBridge use the forwarding role for those two rules only, and the role put events on that one bus only', () => {
    const roles = member.findResources('AWS::IAM::Role', { Properties: { RoleName: 'datalek-member-forward' } });
    const [[roleId, role]] = Object.entries(roles);
    const [trust] = role.Properties.AssumeRolePolicyDocument.Statement as Statement[];
    expect(trust.Principal).toEqual({ Service: 'events.amazonaws.com' });
    expect(text(member, trust.Condition)).toBe(
      JSON.stringify({
        StringEquals: { 'aws:SourceAccount': MEMBER },
        ArnEquals: {
          // Its twins in the other pipeline region too (contain20: MemberRegionStack uses this role).
          'aws:SourceArn': [
            `arn:aws:events:eu-west-1:${MEMBER}:rule/${MEMBER_WATCH_RULE_NAME}`,
            `arn:aws:events:eu-west-1:${MEMBER}:rule/${MEMBER_GUARD_RULE_NAME}`,
            `arn:aws:events:eu-central-1:${MEMBER}:rule/${MEMBER_WATCH_RULE_NAME}`,
            `arn:aws:events:eu-central-1:${MEMBER}:rule/${MEMBER_GUARD_RULE_NAME}`,
          ],
        },
      }),
    );
    const statements = Object.values(member.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(statements.map((st) => [st.Effect, st.Action, text(member, st.Resource)])).toEqual([['Allow', 'events:PutEvents', JSON.stringify(CENTRAL_BUS)]]);
    // Its boundary allows that alone; the containment role keeps the containment boundary.
    const [[boundaryId, boundary]] = Object.entries(
      member.findResources('AWS::IAM::ManagedPolicy', { Properties: { ManagedPolicyName: 'datalek-member-forward-boundary' } }),
    );
    expect((boundary.Properties.PolicyDocument.Statement as Statement[]).map((st) => st.Action)).toEqual(['events:PutEvents']);
    expect(role.Properties.PermissionsBoundary).toEqual({ Ref: boundaryId });
  });

  it("forwards each member's IAM calls from its us-east-1, where alone they reach EventBridge, with two rules each watching the other, to the central bus (infra14)", () => {
    expect(built.memberIam.map((s) => [s.account, s.region])).toEqual([[MEMBER, 'us-east-1']]);
    const t = Template.fromStack(built.memberIam[0]);
    const rules = rulesOf(t);
    expect(rules.map((r) => r.Properties.Name).sort()).toEqual([MEMBER_IAM_CONTAIN_RULE_NAME, MEMBER_IAM_FORWARD_RULE_NAME, MEMBER_IAM_GUARD_RULE_NAME]);
    const [[roleId, role]] = Object.entries(t.findResources('AWS::IAM::Role'));
    expect(role.Properties.RoleName).toBe('datalek-member-iam-forward');
    for (const rule of rules) {
      expect(rule.Properties.State).toBe('ENABLED');
      expect(rule.Properties.Targets).toHaveLength(1);
      expect(JSON.stringify(resolveValue(rule.Properties.Targets[0].Arn, t, { account: MEMBER, region: 'us-east-1' }))).toBe(JSON.stringify(CENTRAL_BUS));
      expect(rule.Properties.Targets[0].RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
      expect(JSON.stringify(rule.Properties.EventPattern).length).toBeLessThanOrEqual(2048);
    }
    const [trust] = role.Properties.AssumeRolePolicyDocument.Statement as Statement[];
    expect(JSON.parse(JSON.stringify(resolveValue(trust.Condition, t, { account: MEMBER, region: 'us-east-1' })))).toEqual({
      StringEquals: { 'aws:SourceAccount': MEMBER },
      ArnEquals: {
        'aws:SourceArn': [
          `arn:aws:events:us-east-1:${MEMBER}:rule/${MEMBER_IAM_FORWARD_RULE_NAME}`,
          `arn:aws:events:us-east-1:${MEMBER}:rule/${MEMBER_IAM_GUARD_RULE_NAME}`,
          `arn:aws:events:us-east-1:${MEMBER}:rule/${MEMBER_IAM_CONTAIN_RULE_NAME}`,
        ],
      },
    });
  });

  it("keeps a member's failed IAM forward in an encrypted dead-letter queue of its us-east-1 that only the two rules may send to and only its break-glass role may take from, and pages on-call through that region's own alarm topic (infra15: a failed forward was lost silently)", () => {
    const t = Template.fromStack(built.memberIam[0]);
    expectDeadLetterPath(t, {
      breakGlassRole: DEPLOY_CONTEXT.breakGlassRole,
      onCallEmail: DEPLOY_CONTEXT.onCallEmail,
      alarm: 'datalek-member-iam-forward-dead-letters',
    });
    // The member's break-glass role alone may disable or delete the queue's key, in the member account.
    const [key] = Object.values(t.findResources('AWS::KMS::Key'));
    expect(text(t, key.Properties.KeyPolicy)).toContain(`arn:aws:iam::${MEMBER}:role/${DEPLOY_CONTEXT.breakGlassRole}`);
  });

  it("keeps a failed forward of the member's central-region calls (leaving its administrator, its detector deleted) in an encrypted dead-letter queue that only the two rules may send to and only the member's break-glass role may take from, and pages on-call through that region's alarm topic in the member account (fgsec16 S3: it was lost unpaged)", () => {
    expectDeadLetterPath(member, {
      breakGlassRole: DEPLOY_CONTEXT.breakGlassRole,
      onCallEmail: DEPLOY_CONTEXT.onCallEmail,
      alarm: 'datalek-member-forward-dead-letters',
    });
    const [key] = Object.values(member.findResources('AWS::KMS::Key'));
    expect(text(member, key.Properties.KeyPolicy)).toContain(`arn:aws:iam::${MEMBER}:role/${DEPLOY_CONTEXT.breakGlassRole}`);
    // The lost-forward alarms say what was lost and where to look, in CloudWatch's 1,024 characters.
    const names = Object.values(member.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName);
    expect(names).toEqual(expect.arrayContaining(['datalek-member-watch-lost', 'datalek-member-guard-lost']));
  });

  it("where the central region is us-east-1, pages the member stack's forwards through DatalekMemberIam's alarm topic there: one datalek-on-call-alarms topic and no alarm name twice in the member's region (fgsec16 S3)", () => {
    const east = synthesizedApp({ ...DEPLOY_CONTEXT, region: 'us-east-1', allowNonEuRegion: 'true' });
    const [m, iamStack] = [east.members[0], east.memberIam[0]];
    expect([m.region, iamStack.region, m.account]).toEqual(['us-east-1', 'us-east-1', iamStack.account]);
    const t = Template.fromStack(m);
    const iamT = Template.fromStack(iamStack);
    t.resourceCountIs('AWS::SNS::Topic', 0);
    iamT.resourceCountIs('AWS::SNS::Topic', 1);
    const alarmsOf = (tt: Template) => Object.values(tt.findResources('AWS::CloudWatch::Alarm'));
    const topicArn = `arn:aws:sns:us-east-1:${MEMBER}:datalek-on-call-alarms`;
    expect(alarmsOf(t).length).toBeGreaterThanOrEqual(3);
    for (const a of alarmsOf(t)) expect(text(t, a.Properties.AlarmActions), a.Properties.AlarmName).toBe(JSON.stringify([topicArn]));
    const names = [...alarmsOf(t), ...alarmsOf(iamT)].map((a) => a.Properties.AlarmName);
    expect(names.length).toBe(new Set(names).size);
    // Deployed after the topic's stack (the alarms name a topic that must exist).
    expect(m.dependencies).toContain(iamStack);
    for (const rule of Object.values(t.findResources('AWS::Events::Rule'))) expect(rule.Properties.Targets[0].DeadLetterConfig).toBeDefined();
  });

  /**
   * contain20: a member's calls reach EventBridge in their own region, and the member stack is in the
   * central region: in another pipeline region, a drained container instance of a finding there set
   * ACTIVE again, a StartTask, the drain mark forged, an isolation group's tags changed, the detector
   * there deleted: none was forwarded, nothing paged. Each other pipeline region has the same two rules.
   */
  it("forwards the member's calls from each other pipeline region too, with the same two rules and patterns, through the member stack's forwarding role, and keeps and pages a failed forward there (contain20)", () => {
    expect(built.memberRegions.map((s) => [s.account, s.region, s.stackName])).toEqual([[MEMBER, 'eu-central-1', `DatalekMember-${MEMBER}-eu-central-1`]]);
    const [regional] = built.memberRegions;
    const t = Template.fromStack(regional);
    const at = (tt: Template, region: string, v: unknown) => JSON.stringify(resolveValue(v, tt, { account: MEMBER, region }));
    const byName = (tt: Template, region: string) =>
      Object.fromEntries(rulesOf(tt).map((r) => [r.Properties.Name, at(tt, region, r.Properties.EventPattern).replaceAll(region, 'REGION')]));
    // The same patterns as the central region's (the deployment excused is each region's own execution role).
    expect(byName(t, 'eu-central-1')).toEqual(byName(member, 'eu-west-1'));
    expect(JSON.stringify(byName(t, 'eu-central-1')[MEMBER_GUARD_RULE_NAME])).toContain('UpdateContainerInstancesState');
    for (const rule of rulesOf(t)) {
      expect(rule.Properties.State).toBe('ENABLED');
      const [target] = rule.Properties.Targets;
      expect(at(t, 'eu-central-1', target.Arn)).toBe(JSON.stringify(CENTRAL_BUS));
      expect(at(t, 'eu-central-1', target.RoleArn)).toBe(JSON.stringify(`arn:aws:iam::${MEMBER}:role/datalek-member-forward`));
      expect(target.DeadLetterConfig).toBeDefined();
    }
    // No role of its own: the member stack's (IAM is global), deployed first.
    t.resourceCountIs('AWS::IAM::Role', 0);
    expect(regional.dependencies).toContain(built.members[0]);
    expectDeadLetterPath(t, {
      breakGlassRole: DEPLOY_CONTEXT.breakGlassRole,
      onCallEmail: DEPLOY_CONTEXT.onCallEmail,
      alarm: 'datalek-member-forward-dead-letters',
    });

    // In us-east-1, through DatalekMemberIam's topic there, deployed after it.
    const east = synthesizedApp({ ...DEPLOY_CONTEXT, forwardFrom: 'us-east-1' });
    const [eastRegional] = east.memberRegions;
    Template.fromStack(eastRegional).resourceCountIs('AWS::SNS::Topic', 0);
    expect(eastRegional.dependencies).toContain(east.memberIam[0]);
  });

  it("fits the member IAM stack's patterns, as deployed, in 2,048 characters with the longest names a deployer may give (attack15 K2: the guard forwards this region's datalek stacks too)", () => {
    // The containment role's name at config's most (59: its read role adds -read), the break-glass role's at IAM's (64), the longest partition.
    const role = (name: string) => `arn:aws-us-gov:iam::${MEMBER}:role/${name}`;
    const byHandOf = notByDeployment(role(`cdk-datalek-cfn-exec-role-${MEMBER}-us-east-1`));
    const containmentRoleName = 'c'.repeat(59);
    const patterns = {
      forward: memberIamForwardPattern(memberRoleNames({ containmentRoleName, breakGlassRole: 'b'.repeat(64) }), byHandOf),
      guard: memberIamGuardPattern(byHandOf, 'eu-west-1'),
      contain: memberContainPattern(containmentRoleName),
    };
    expect(JSON.stringify(patterns.guard)).toContain('"aws.cloudformation"');
    for (const [name, pattern] of Object.entries(patterns)) expect(JSON.stringify(pattern).length, name).toBeLessThanOrEqual(2048);
  });

  it("lets the member accounts put on the pipeline's default bus only CloudTrail's GuardDuty, EventBridge, CloudFormation, EC2, IAM, CloudWatch, SNS and ECS calls", () => {
    const [policy] = Object.values(response.findResources('AWS::Events::EventBusPolicy'));
    expect(policy.Properties.EventBusName).toBe('default');
    const st = policy.Properties.Statement;
    expect(st.Effect).toBe('Allow');
    expect(text(response, st.Principal)).toBe(JSON.stringify({ AWS: [`arn:aws:iam::${MEMBER}:root`] }));
    expect(st.Action).toBe('events:PutEvents');
    expect(JSON.parse(text(response, st.Condition))).toEqual({
      // CloudFormation's: a member stack's deployment pages as the pipeline's own stacks' do. EC2's: a
      // security group's datalek: tags changed (containment's isolation groups are found by them).
      // IAM's: from the member's us-east-1 (infra14), its datalek roles' and policies' changes, containment undone.
      // CloudWatch's and SNS's (infra16): the member's us-east-1 alarm path silenced (its alarms, its alarm topic's subscriptions);
      // its central region's too (infra17). ECS's (infra17): a task put on a drained container instance, the drain mark forged.
      'ForAllValues:StringEquals': {
        'events:source': ['aws.guardduty', 'aws.events', 'aws.cloudformation', 'aws.ec2', 'aws.iam', 'aws.monitoring', 'aws.sns', 'aws.ecs'],
      },
      StringEquals: { 'events:detail-type': 'AWS API Call via CloudTrail' },
      // From the member stacks' forwarding rules only (the central region's two, each other pipeline region's two: contain20,
      // us-east-1's), not any rule a member account makes.
      ArnEquals: {
        'aws:SourceArn': [
          `arn:aws:events:eu-west-1:${MEMBER}:rule/${MEMBER_WATCH_RULE_NAME}`,
          `arn:aws:events:eu-west-1:${MEMBER}:rule/${MEMBER_GUARD_RULE_NAME}`,
          `arn:aws:events:eu-central-1:${MEMBER}:rule/${MEMBER_WATCH_RULE_NAME}`,
          `arn:aws:events:eu-central-1:${MEMBER}:rule/${MEMBER_GUARD_RULE_NAME}`,
          `arn:aws:events:us-east-1:${MEMBER}:rule/${MEMBER_IAM_FORWARD_RULE_NAME}`,
          `arn:aws:events:us-east-1:${MEMBER}:rule/${MEMBER_IAM_GUARD_RULE_NAME}`,
          `arn:aws:events:us-east-1:${MEMBER}:rule/${MEMBER_IAM_CONTAIN_RULE_NAME}`,
        ],
      },
    });
    // Without member accounts, the bus takes nothing from other accounts.
    const alone = synthesizedApp({ ...DEPLOY_CONTEXT, memberAccounts: '' });
    Template.fromStack(alone.response).resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });
});

describe.skipIf(!MOTO_AVAILABLE)("a member account's silencing calls on moto: member rule, cross-account bus target, central watch, queue", () => {
  let built: DatalekApp;
  const rulesOf = (t: Template) => Object.values(t.findResources('AWS::Events::Rule'));
  let moto: Moto;
  /** moto's accounts: the default one plays the pipeline's, a header picks the member's. */
  const CENTRAL_ACCOUNT = '123456789012';
  let memberEvents: EventBridgeClient;

  beforeAll(async () => {
    built = synthesizedApp();
    moto = await startMoto();
    memberEvents = new EventBridgeClient({
      endpoint: moto.endpoint,
      region: TEST_REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    memberEvents.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = MEMBER;
        return next(args);
      },
      { step: 'build', name: 'motoMemberAccount' },
    );
  });
  afterAll(async () => moto?.stop());

  /** A CloudTrail management event in the member account. */
  const call = (id: string, source: string, eventName: string, requestParameters: Record<string, unknown>) => ({
    Source: source,
    DetailType: 'AWS API Call via CloudTrail',
    Detail: JSON.stringify({
      eventVersion: '1.09',
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${MEMBER}:assumed-role/Admin/someone`, accountId: MEMBER },
      eventSource: `${source.slice(4)}.amazonaws.com`,
      eventName,
      awsRegion: 'eu-west-1',
      sourceIPAddress: '198.51.100.7',
      requestParameters,
      eventID: id,
      managementEvent: true,
      recipientAccountId: MEMBER,
    }),
  });

  /**
   * The whole path on moto: the member stack's rules as synthesized, on a bus standing in for the member's default bus,
   * forwarding across accounts to a bus standing in for the pipeline's, where the central rules named `centralRules`
   * put what they match in one queue. `calls` put on the member's bus; returns the event ids the queue got.
   */
  const pagedCentrally = async (name: string, centralRules: string[], calls: ReturnType<typeof call>[]): Promise<string[]> => {
    const { QueueUrl } = await moto.clients.sqs.send(new CreateQueueCommand({ QueueName: `central-${name}` }));
    const queueArn = (await moto.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    const [centralBus, memberBus] = [`central-${name}`, `member-${name}`];
    await moto.clients.eventbridge.send(new CreateEventBusCommand({ Name: centralBus }));
    const [response, state, member] = [built.response, built.stateful, built.members[0]].map((stack) => Template.fromStack(stack));
    // deploy20: a member's calls page through each rule's member twin. moto gives every event its own
    // account, so the twin's `account` (anything but the pipeline's) is left out here; which account
    // each rule takes is read on the templates (test/infra/member-pages.test.ts).
    const twins = centralRules.map((name) => `${name}${MEMBER_TWIN_SUFFIX}`);
    for (const watch of rulesOf(response).filter((r) => twins.includes(r.Properties.Name))) {
      const ruleName = watch.Properties.Name as string;
      const { account: _account, ...watchPattern } = resolveValue(watch.Properties.EventPattern, response, {
        account: PIPELINE,
        region: 'eu-west-1',
        exporters: [state],
      }) as Record<string, unknown>;
      await moto.clients.eventbridge.send(new PutRuleCommand({ Name: ruleName, EventBusName: centralBus, EventPattern: JSON.stringify(watchPattern) }));
      await moto.clients.eventbridge.send(new PutTargetsCommand({ Rule: ruleName, EventBusName: centralBus, Targets: [{ Id: 'q', Arn: queueArn }] }));
    }
    await memberEvents.send(new CreateEventBusCommand({ Name: memberBus }));
    for (const rule of rulesOf(member)) {
      const ruleName = rule.Properties.Name as string;
      const pattern = resolveValue(rule.Properties.EventPattern, member, { account: MEMBER, region: 'eu-west-1' });
      await memberEvents.send(new PutRuleCommand({ Name: ruleName, EventBusName: memberBus, EventPattern: JSON.stringify(pattern) }));
      await memberEvents.send(
        new PutTargetsCommand({
          Rule: ruleName,
          EventBusName: memberBus,
          Targets: [{ Id: 'pipeline', Arn: `arn:aws:events:${TEST_REGION}:${CENTRAL_ACCOUNT}:event-bus/${centralBus}` }],
        }),
      );
    }
    for (const c of calls) await memberEvents.send(new PutEventsCommand({ Entries: [{ ...c, EventBusName: memberBus }] }));
    const paged: string[] = [];
    for (;;) {
      const out = await moto.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      if (!out.Messages?.length) break;
      for (const m of out.Messages) paged.push(JSON.parse(m.Body as string).detail.eventID);
    }
    return paged;
  };

  it('pages on the member leaving its administrator, deleting or suspending its detector, silencing either forwarding rule, deploying or deleting its stack, or changing a security group’s datalek: tags; not on reads, others’ rules or stacks, or datalek’s tags on an instance', async () => {
    const detectorId = '12abc34d567e8fa901bc2d34e56789f0';
    const calls = [
      call('leaves-administrator', 'aws.guardduty', 'DisassociateFromAdministratorAccount', { detectorId }),
      call('leaves-master', 'aws.guardduty', 'DisassociateFromMasterAccount', { detectorId }),
      call('deletes-detector', 'aws.guardduty', 'DeleteDetector', { detectorId }),
      call('suspends-detector', 'aws.guardduty', 'UpdateDetector', { detectorId, enable: false }),
      call('enables-detector', 'aws.guardduty', 'UpdateDetector', { detectorId, enable: true }),
      call('reads-detector', 'aws.guardduty', 'GetDetector', { detectorId }),
      call('disables-member-watch', 'aws.events', 'DisableRule', { name: MEMBER_WATCH_RULE_NAME }),
      call('deletes-member-guard', 'aws.events', 'DeleteRule', { name: MEMBER_GUARD_RULE_NAME }),
      call('disables-another-rule', 'aws.events', 'DisableRule', { name: 'billing-nightly-export' }),
      // The member stack changed or deleted: its containment role, read role and these rules (B2).
      call('deploys-member-stack', 'aws.cloudformation', 'ExecuteChangeSet', { stackName: `DatalekMember-${MEMBER}`, changeSetName: 'cdk-deploy-change-set' }),
      call('deletes-member-stack', 'aws.cloudformation', 'DeleteStack', {
        stackName: `arn:aws:cloudformation:eu-west-1:${MEMBER}:stack/DatalekMember-${MEMBER}/0a1b2c3d-4e5f-6789-abcd-ef0123456789`,
      }),
      call('deploys-another-stack', 'aws.cloudformation', 'ExecuteChangeSet', { stackName: 'billing-exports', changeSetName: 'nightly' }),
      // kfix11's follow-up: containment (in the member account) finds its isolation groups by their datalek:
      // tags. One element in each array's place: moto does not look into arrays (moto-rules.ts arrayVariants).
      call('untags-isolation-group', 'aws.ec2', 'DeleteTags', {
        resourcesSet: { items: { resourceId: 'sg-0123456789abcdef0' } },
        tagSet: { items: { key: 'datalek:created-for' } },
      }),
      call('tags-instance', 'aws.ec2', 'CreateTags', {
        resourcesSet: { items: { resourceId: 'i-0123456789abcdef0' } },
        tagSet: { items: { key: 'datalek:state', value: 'isolated' } },
      }),
    ];
    const paged = await pagedCentrally('silencing', [WATCH_RULE_NAME, CHANGES_RULE_NAME, GROUP_TAG_WATCH_RULE_NAME], calls);
    expect(paged.sort()).toEqual([
      'deletes-detector',
      'deletes-member-guard',
      'deletes-member-stack',
      'deploys-member-stack',
      'disables-member-watch',
      'leaves-administrator',
      'leaves-master',
      'suspends-detector',
      'untags-isolation-group',
    ]);
  }, 120_000);

  it("pages on a member's central-region alarm path silenced, and on its ECS calls that put a task on a drained container instance or forge datalek's drain mark; not on its containment role's own, others' alarms or other attributes (infra17)", async () => {
    const containmentRole = `arn:aws:iam::${MEMBER}:role/datalek-containment`;
    const asContainment = (c: ReturnType<typeof call>) => {
      const detail = JSON.parse(c.Detail);
      detail.userIdentity = {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${MEMBER}:assumed-role/${containmentRole.split('/')[1]}/datalek-contain`,
        accountId: MEMBER,
        sessionContext: { sessionIssuer: { type: 'Role', arn: containmentRole, accountId: MEMBER } },
      };
      return { ...c, Detail: JSON.stringify(detail) };
    };
    // contain21: the ECS agent registers with its instance's own role, delivered by the metadata service (ec2RoleDelivery).
    const asAgent = (c: ReturnType<typeof call>) => {
      const detail = JSON.parse(c.Detail);
      detail.userIdentity = {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${MEMBER}:assumed-role/ecsInstanceRole/i-0abc1234def567890`,
        accountId: MEMBER,
        sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${MEMBER}:role/ecsInstanceRole`, accountId: MEMBER }, ec2RoleDelivery: '2.0' },
      };
      return { ...c, Detail: JSON.stringify(detail) };
    };
    const registration = { cluster: 'workers', instanceIdentityDocument: '{"instanceId":"i-0abc1234def567890"}' };
    const topic = `arn:aws:sns:eu-west-1:${MEMBER}:datalek-on-call-alarms`;
    const instance = `arn:aws:ecs:eu-west-1:${MEMBER}:container-instance/workers/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;
    // One element in the attributes array's place: moto does not look into arrays (moto-rules.ts arrayVariants).
    const mark = (name: string) => ({ cluster: 'workers', attributes: { name, value: 'dl-0123456789', targetType: 'container-instance', targetId: instance } });
    const calls = [
      // DatalekMember's own dead-letter path (fgsec16 S3): its alarms and its alarm topic in the central region.
      call('deletes-dead-letter-alarm', 'aws.monitoring', 'DeleteAlarms', { alarmNames: ['datalek-member-forward-dead-letters'] }),
      call('silences-lost-alarm', 'aws.monitoring', 'DisableAlarmActions', { alarmNames: ['datalek-member-watch-lost'] }),
      call('unsubscribes-on-call', 'aws.sns', 'Unsubscribe', { subscriptionArn: `${topic}:0a1b2c3d-4e5f-6789-abcd-ef0123456789` }),
      call('deletes-another-alarm', 'aws.monitoring', 'DeleteAlarms', { alarmNames: ['billing-spend'] }),
      // ECS: a drained instance in placement again, a task started on it, the drain mark forged or removed.
      call('instance-active-by-hand', 'aws.ecs', 'UpdateContainerInstancesState', { cluster: 'workers', containerInstances: [instance], status: 'ACTIVE' }),
      call('task-started-on-instance', 'aws.ecs', 'StartTask', { cluster: 'workers', containerInstances: [instance], taskDefinition: 'web:3' }),
      call('mark-forged', 'aws.ecs', 'PutAttributes', mark('datalek.drained-by')),
      call('mark-deleted', 'aws.ecs', 'DeleteAttributes', mark('datalek.drained-by')),
      asContainment(
        call('instance-active-by-a-release', 'aws.ecs', 'UpdateContainerInstancesState', {
          cluster: 'workers',
          containerInstances: [instance],
          status: 'ACTIVE',
        }),
      ),
      asContainment(call('mark-put-by-an-isolation', 'aws.ecs', 'PutAttributes', mark('datalek.drained-by'))),
      call('another-attribute', 'aws.ecs', 'PutAttributes', mark('team')),
      call('instance-drained', 'aws.ecs', 'UpdateContainerInstancesState', { cluster: 'workers', containerInstances: [instance], status: 'DRAINING' }),
      call('task-run-in-cluster', 'aws.ecs', 'RunTask', { cluster: 'workers', taskDefinition: 'web:3' }),
      call('instance-registered-by-a-person', 'aws.ecs', 'RegisterContainerInstance', registration),
      asAgent(call('instance-registered-by-its-agent', 'aws.ecs', 'RegisterContainerInstance', registration)),
    ];
    const paged = await pagedCentrally('infra17', [PAGING_RULE_NAME, ECS_PLACEMENT_WATCH_RULE_NAME], calls);
    expect(paged.sort()).toEqual([
      'deletes-dead-letter-alarm',
      'instance-active-by-hand',
      'instance-registered-by-a-person',
      'mark-deleted',
      'mark-forged',
      'silences-lost-alarm',
      'task-started-on-instance',
      'unsubscribes-on-call',
    ]);
  }, 300_000);

  it("pages on a member's IAM calls on its datalek roles and policies, in any case, and on containment undone there, forwarded from its us-east-1; not on the containment role's own revocations or another team's roles (infra14)", async () => {
    const person = {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${MEMBER}:assumed-role/Admin/someone`,
      accountId: MEMBER,
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${MEMBER}:role/Admin`, accountId: MEMBER, userName: 'Admin' } },
    };
    // As CloudTrail names a role's session's issuer: its ARN, account and name (deploy19: the rules read the name, in any case).
    const containment = {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${MEMBER}:assumed-role/datalek-containment/dl-0123456789`,
      accountId: MEMBER,
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${MEMBER}:role/datalek-containment`, accountId: MEMBER, userName: 'datalek-containment' },
      },
    };
    const iamCall = (id: string, eventName: string, requestParameters: Record<string, unknown>, userIdentity: unknown = person, source = 'aws.iam') => ({
      Source: source,
      DetailType: 'AWS API Call via CloudTrail',
      Detail: JSON.stringify({
        eventVersion: '1.09',
        userIdentity,
        eventSource: `${source.slice(4)}.amazonaws.com`,
        eventName,
        awsRegion: 'us-east-1',
        requestParameters,
        eventID: id,
        recipientAccountId: MEMBER,
      }),
    });
    const revocation = { roleName: 'web-app', policyName: 'datalek-revoke-dl-0123456789' };
    const denyAll = { userName: 'deploy-bot', policyName: denyAllPolicyName('dl-0123456789') };
    const calls = [
      iamCall('containment-role-trust', 'UpdateAssumeRolePolicy', { roleName: 'datalek-containment', policyDocument: '{}' }),
      iamCall('read-role-policy-put', 'PutRolePolicy', { roleName: 'datalek-containment-read', policyName: 'x', policyDocument: '{}' }),
      iamCall('forward-role-boundary-deleted', 'DeleteRolePermissionsBoundary', { roleName: 'datalek-member-forward' }),
      iamCall('iam-forward-role-in-another-case', 'DetachRolePolicy', { roleName: 'Datalek-Member-IAM-Forward', policyArn: 'arn:aws:iam::aws:policy/x' }),
      iamCall('member-bootstrap-role-trust', 'UpdateAssumeRolePolicy', { roleName: `cdk-datalek-cfn-exec-role-${MEMBER}-eu-west-1`, policyDocument: '{}' }),
      iamCall('containment-boundary-new-version', 'CreatePolicyVersion', {
        policyArn: `arn:aws:iam::${MEMBER}:policy/datalek-containment-boundary`,
        policyDocument: '{}',
        setAsDefault: true,
      }),
      iamCall('key-active-again', 'UpdateAccessKey', { userName: 'deploy-bot', accessKeyId: 'AKIAEXAMPLE', status: 'Active' }),
      iamCall('revocation-deleted', 'DeleteRolePolicy', revocation),
      iamCall('revocation-put-by-containment', 'PutRolePolicy', { ...revocation, policyDocument: revocationDocument('2026-11-30T03:00:00.000Z') }, containment),
      iamCall('revocation-deleted-by-containment', 'DeleteRolePolicy', revocation, containment),
      // cont26: a console sign-in's deny-all on the user (66284170), deleted by a person; put and released by the containment role.
      iamCall('deny-all-deleted', 'DeleteUserPolicy', denyAll),
      iamCall('deny-all-put-by-containment', 'PutUserPolicy', { ...denyAll, policyDocument: DENY_ALL_DOCUMENT }, containment),
      iamCall('deny-all-deleted-by-containment', 'DeleteUserPolicy', denyAll, containment),
      iamCall('another-teams-role', 'PutRolePolicy', { roleName: 'web-app', policyName: 'x', policyDocument: '{}' }),
      iamCall('key-deactivated', 'UpdateAccessKey', { userName: 'deploy-bot', accessKeyId: 'AKIAEXAMPLE', status: 'Inactive' }),
      iamCall('disables-iam-guard', 'DisableRule', { name: MEMBER_IAM_GUARD_RULE_NAME }, person, 'aws.events'),
      iamCall('disables-iam-forward', 'DisableRule', { name: MEMBER_IAM_FORWARD_RULE_NAME }, person, 'aws.events'),
      // attack15 K2: the stack of these two rules updated (a pattern that matches nothing) or deleted; recorded in us-east-1 alone.
      iamCall('deletes-member-iam-stack', 'DeleteStack', { stackName: `DatalekMemberIam-${MEMBER}` }, person, 'aws.cloudformation'),
      iamCall(
        'updates-member-iam-stack',
        'UpdateStack',
        { stackName: `arn:aws:cloudformation:us-east-1:${MEMBER}:stack/DatalekMemberIam-${MEMBER}/0a1b2c3d-4e5f-6789-abcd-ef0123456789` },
        person,
        'aws.cloudformation',
      ),
      iamCall('another-teams-stack', 'UpdateStack', { stackName: 'web-app' }, person, 'aws.cloudformation'),
      // infra16: this region's datalek execution role given to a stack of another name (its later updates are the deployment's,
      // which the rules here excuse); not another team's stack with its own role.
      iamCall(
        'execution-role-given-to-another-stack',
        'CreateStack',
        { stackName: 'web-app-2', roleARN: `arn:aws:iam::${MEMBER}:role/cdk-datalek-cfn-exec-role-${MEMBER}-us-east-1` },
        person,
        'aws.cloudformation',
      ),
      iamCall(
        'another-stack-with-its-own-role',
        'CreateStack',
        { stackName: 'web-app-3', roleARN: `arn:aws:iam::${MEMBER}:role/web-app-deploy` },
        person,
        'aws.cloudformation',
      ),
      // infra16: the dead-letter path of this stack silenced (its alarms deleted or their actions off, its alarm topic's
      // subscription cut or filtered, a subscriber added), which no rule forwarded; not another team's alarm or topic.
      iamCall('dead-letter-alarm-deleted', 'DeleteAlarms', { alarmNames: ['datalek-member-iam-forward-dead-letters'] }, person, 'aws.monitoring'),
      iamCall('lost-forward-alarm-actions-off', 'DisableAlarmActions', { alarmNames: ['datalek-member-iam-forward-lost'] }, person, 'aws.monitoring'),
      iamCall(
        'alarm-topic-unsubscribed',
        'Unsubscribe',
        { subscriptionArn: `arn:aws:sns:us-east-1:${MEMBER}:datalek-on-call-alarms:0b6c7a2e-1111-2222-3333-444455556666` },
        person,
        'aws.sns',
      ),
      iamCall(
        'alarm-topic-subscriber-added',
        'Subscribe',
        { topicArn: `arn:aws:sns:us-east-1:${MEMBER}:datalek-on-call-alarms`, protocol: 'email' },
        person,
        'aws.sns',
      ),
      iamCall('another-teams-alarm-deleted', 'DeleteAlarms', { alarmNames: ['web-app-latency'] }, person, 'aws.monitoring'),
      iamCall('another-teams-topic-unsubscribed', 'Unsubscribe', { subscriptionArn: `arn:aws:sns:us-east-1:${MEMBER}:web-app:0b6c7a2e` }, person, 'aws.sns'),
      // sec25: a member's user or role tagged datalek:protected (containment never writes on it), or the tag taken off; not another key.
      iamCall('role-tagged-protected', 'TagRole', { roleName: 'web-app', tags: [{ key: 'datalek:protected', value: 'true' }] }),
      iamCall('user-untagged-protected', 'UntagUser', { userName: 'admin-anna', tagKeys: ['datalek:protected'] }),
      iamCall('role-tagged-another-key', 'TagRole', { roleName: 'web-app', tags: [{ key: 'team', value: 'web' }] }),
    ];
    const { QueueUrl } = await moto.clients.sqs.send(new CreateQueueCommand({ QueueName: 'central-iam-watch' }));
    const queueArn = (await moto.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    await moto.clients.eventbridge.send(new CreateEventBusCommand({ Name: 'central-iam' }));
    const response = Template.fromStack(built.response);
    const central = [
      WATCH_RULE_NAME,
      CHANGES_RULE_NAME,
      BY_HAND_RULE_NAME,
      ROLES_RULE_NAME,
      CONTAINMENT_WATCH_RULE_NAME,
      CONTAINMENT_IAM_WATCH_RULE_NAME,
      PAGING_RULE_NAME,
      PROTECTED_TAG_WATCH_RULE_NAME,
    ];
    // deploy20: through each rule's member twin, its `account` left out (moto gives every event its own).
    const twins = central.map((name) => `${name}${MEMBER_TWIN_SUFFIX}`);
    for (const watch of rulesOf(response).filter((r) => twins.includes(r.Properties.Name))) {
      const name = watch.Properties.Name as string;
      // The paging rule names the stateful stack's keys (infra16: it reads the member's alarm path too).
      const { account: _account, ...watchPattern } = resolveValue(watch.Properties.EventPattern, response, {
        account: PIPELINE,
        region: 'eu-west-1',
        exporters: [Template.fromStack(built.stateful)],
      }) as Record<string, unknown>;
      await moto.clients.eventbridge.send(new PutRuleCommand({ Name: name, EventBusName: 'central-iam', EventPattern: JSON.stringify(watchPattern) }));
      await moto.clients.eventbridge.send(new PutTargetsCommand({ Rule: name, EventBusName: 'central-iam', Targets: [{ Id: 'q', Arn: queueArn }] }));
    }
    const t = Template.fromStack(built.memberIam[0]);
    await memberEvents.send(new CreateEventBusCommand({ Name: 'member-us-east-1' }));
    for (const rule of rulesOf(t)) {
      const name = rule.Properties.Name as string;
      const pattern = resolveValue(rule.Properties.EventPattern, t, { account: MEMBER, region: 'us-east-1' });
      await memberEvents.send(new PutRuleCommand({ Name: name, EventBusName: 'member-us-east-1', EventPattern: JSON.stringify(pattern) }));
      await memberEvents.send(
        new PutTargetsCommand({
          Rule: name,
          EventBusName: 'member-us-east-1',
          Targets: [{ Id: 'pipeline', Arn: `arn:aws:events:${TEST_REGION}:${CENTRAL_ACCOUNT}:event-bus/central-iam` }],
        }),
      );
    }
    // Each as its variants with one element per array of objects (a tag list), which moto does not look into as EventBridge does.
    for (const c of calls)
      for (const detail of arrayVariants(JSON.parse(c.Detail)))
        await memberEvents.send(new PutEventsCommand({ Entries: [{ ...c, Detail: JSON.stringify(detail), EventBusName: 'member-us-east-1' }] }));
    const paged = new Set<string>();
    for (;;) {
      const out = await moto.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      if (!out.Messages?.length) break;
      for (const m of out.Messages) paged.add(JSON.parse(m.Body as string).detail.eventID);
    }
    expect([...paged].sort()).toEqual(
      [
        'containment-role-trust',
        'read-role-policy-put',
        'forward-role-boundary-deleted',
        'iam-forward-role-in-another-case',
        'member-bootstrap-role-trust',
        'containment-boundary-new-version',
        'key-active-again',
        'revocation-deleted',
        'deny-all-deleted',
        'disables-iam-guard',
        'disables-iam-forward',
        'deletes-member-iam-stack',
        'updates-member-iam-stack',
        'execution-role-given-to-another-stack',
        'dead-letter-alarm-deleted',
        'lost-forward-alarm-actions-off',
        'alarm-topic-unsubscribed',
        'alarm-topic-subscriber-added',
        'role-tagged-protected',
        'user-untagged-protected',
      ].sort(),
    );
  }, 120_000);
});
