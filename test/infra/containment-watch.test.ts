/**
 * review5 A15: containment undone outside datalek pages. The `datalek-watch-containment` rule as
 * synthesized (central and forwarder region), and its pattern run on moto's EventBridge with
 * CloudTrail-shaped calls (test/infra/cloudtrail-containment/): the calls that undo a containment
 * step page, the datalek roles' own calls (contain, release) and calls that undo nothing do not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateEventBusCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatalekApp } from '../../infra/build-app.js';
import { CONTAINMENT_IAM_WATCH_RULE_NAME, CONTAINMENT_WATCH_RULE_NAME, ContainmentWatch } from '../../infra/constructs/containment-watch.js';
import { GROUP_TAG_WATCH_RULE_NAME, groupTagPattern } from '../../infra/constructs/group-tag-watch.js';
import { splitByAccount } from '../../infra/constructs/member-pages.js';
import { CALLER_PATHS } from '../../infra/constructs/page-caller.js';
import { DEPLOY_CONTEXT, synthesizedApp } from '../support/infra.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { resolveValue } from './cfn-resolve.js';
import { arrayVariants, type BusEntry, routedByPattern } from './moto-rules.js';

const ACCOUNT = DEPLOY_CONTEXT.account;
const CALLS = join(import.meta.dirname, 'cloudtrail-containment');

/**
 * The calls that page: every other file in cloudtrail-containment/ must not. Among those, by
 * decision (README, Deploy): 32, ECS's attach for a task, and so 35, a person's RunTask that has ECS
 * place a task on an isolated container instance (a branch for RunTask would page on every task
 * started on EC2 capacity, and does not fit in the pattern's 2,048 characters).
 */
const PAGES = [
  '01-interface-back-in-its-groups-by-hand.json',
  // review7 G7: no datalek role of that name exists in the pipeline account, so it is someone else's.
  '04-interface-groups-by-a-role-named-datalek-containment.json',
  '05-interface-groups-by-a-role-named-like-datalek.json',
  '08-instance-groups-by-an-automation.json',
  '09-instance-termination-protection-off.json',
  '10-instance-shutdown-terminates.json',
  '12-instance-profile-associated-again.json',
  '13-isolation-group-opened-by-name.json',
  '15-access-key-active-again.json',
  '17-revocation-policy-deleted.json',
  '19-public-access-block-deleted.json',
  '20-public-access-block-relaxed.json',
  '22-function-concurrency-removed.json',
  '23-function-concurrency-five.json',
  '26-function-url-open-again.json',
  '27-database-public-again.json',
  // review9 K5: a new interface beside the isolated one puts the instance back on the network.
  '29-new-interface-attached-to-an-instance.json',
  // read10b B1: an IAM user's path may hold `:`; this one spells the contain function's session.
  '31-interface-groups-by-a-user-whose-path-spells-a-datalek-session.json',
  // read10b B2: only a service-linked role's attach is left out (32, ECS for a task); a user's, or a
  // role's whose name and path only look like one (its issuer ARN is not under /aws-service-role/), page.
  '33-new-interface-attached-by-an-iam-user.json',
  '34-new-interface-attached-by-a-role-named-like-a-service-linked-one.json',
  // review11 K5: a function of someone's own made with the contain function's role: only the response stack's functions' sessions are datalek's.
  '36-interface-groups-by-a-function-of-ones-own-with-the-contain-role.json',
  // infra14: IAM's names are not distinguished by case: a revocation policy named in another case is the same policy.
  '37-revocation-policy-deleted-naming-it-in-another-case.json',
];

type Rule = {
  Properties: {
    Name: string;
    EventPattern: unknown;
    Targets: { Arn: unknown; InputTransformer?: { InputTemplate: string; InputPathsMap: Record<string, string> } }[];
  };
};

const calls = (): (BusEntry & { raw: Record<string, unknown> })[] =>
  readdirSync(CALLS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const e = JSON.parse(readFileSync(join(CALLS, file), 'utf8'));
      return { id: file, source: e.source, detailType: e['detail-type'], detail: e.detail, raw: e };
    });

describe('the containment watch (review5 A15)', () => {
  let built: DatalekApp;
  let moto: Moto;
  const where: Record<string, { t: Template; region: string; rule: Rule; iamRule: Rule }> = {};
  beforeAll(async () => {
    if (MOTO_AVAILABLE) moto = await startMoto();
    built = synthesizedApp();
    for (const [name, stack, region] of [
      ['central', built.response, DEPLOY_CONTEXT.region],
      ['forwarder', built.forwarders[0], DEPLOY_CONTEXT.forwardFrom],
    ] as const) {
      const t = Template.fromStack(stack);
      const rules = Object.values(t.findResources('AWS::Events::Rule', { Properties: { Name: CONTAINMENT_WATCH_RULE_NAME } })) as Rule[];
      expect(rules, name).toHaveLength(1);
      // deploy19: IAM's calls in a rule of their own (room for the containment roles' exclusion).
      const iamRules = Object.values(t.findResources('AWS::Events::Rule', { Properties: { Name: CONTAINMENT_IAM_WATCH_RULE_NAME } })) as Rule[];
      expect(iamRules, name).toHaveLength(1);
      where[name] = { t, region, rule: rules[0], iamRule: iamRules[0] };
    }
  }, 600_000);
  afterAll(async () => moto?.stop());

  it("exempts exactly the sessions of the contain function and on-call in the pipeline account, in both regions (review7 G7: a role's name is free in any other account, and no containment role exists in the pipeline account; review11 K5: of the contain function's role, only the response stack's functions' sessions)", () => {
    for (const { t, rule, region } of Object.values(where).flatMap((w) => [w, { ...w, rule: w.iamRule }])) {
      // The partition (and the account where the deployment names none) are the stack's: tokens here.
      const pattern = resolveValue(rule.Properties.EventPattern, t, { account: ACCOUNT, region }) as { detail: { userIdentity: unknown } };
      // The contain function's by its functions' sessions; on-call's (made by hand) by its role's name in any case, in this account (deploy19).
      const issuer = (match: unknown) => ({ sessionContext: { sessionIssuer: match } });
      expect(pattern.detail.userIdentity).toEqual({
        arn: [{ 'anything-but': { wildcard: [`arn:aws:sts::${ACCOUNT}:assumed-role/datalek-contain-function/${built.response.stackName}-*`] } }],
        $or: [
          { type: [{ 'anything-but': 'AssumedRole' }] },
          issuer({ accountId: [{ 'anything-but': ACCOUNT }] }),
          issuer({ userName: [{ 'anything-but': { 'equals-ignore-case': ['datalek-on-call'] } }] }),
          issuer({ userName: [{ exists: false }] }),
        ],
      });
    }
  });

  it('pages through the alarm topic, which lets this rule publish, and alarms when it could not', () => {
    const state = Template.fromStack(built.stateful);
    for (const [name, { t, rule: main, iamRule }] of Object.entries(where)) {
      for (const [rule, ruleName] of [
        [main, CONTAINMENT_WATCH_RULE_NAME],
        [iamRule, CONTAINMENT_IAM_WATCH_RULE_NAME],
      ] as const) {
        const owner = name === 'central' ? state : t;
        const [[topicId]] = Object.entries(owner.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'datalek-on-call-alarms' } }));
        const targets = rule.Properties.Targets;
        expect(targets, name).toHaveLength(1);
        expect(JSON.stringify(targets[0].Arn)).toMatch(name === 'central' ? /datalek-on-call-alarms/ : new RegExp(`"Ref":"${topicId}"`));
        const [policy] = Object.values(owner.findResources('AWS::SNS::TopicPolicy')).filter((p) => JSON.stringify(p.Properties.Topics).includes(topicId));
        expect(JSON.stringify(policy.Properties.PolicyDocument), name).toContain(`:rule/${ruleName}"`);
        t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `${ruleName}-undelivered`, MetricName: 'FailedInvocations' });
      }
    }
  });

  it('says in its message the call, the caller, when, where, the event id and what to check: not the resource, request or source address', () => {
    for (const rule of Object.values(where).flatMap((w) => [w.rule, w.iamRule])) {
      const input = rule.Properties.Targets[0].InputTransformer;
      expect(Object.values(input?.InputPathsMap ?? {}).sort()).toEqual(
        ['$.account', '$.detail.eventID', '$.detail.eventName', ...CALLER_PATHS, '$.region', '$.time'].sort(),
      );
      expect(input?.InputTemplate).toContain('put it back by hand');
      expect(input?.InputTemplate).toContain('left out of this message');
    }
  });

  it("pages through the alarm topic, in both regions, on a security group's datalek: tags changed (kfix11: datalek finds its isolation groups by them), saying the call, caller and event id, not the group or tags", () => {
    const state = Template.fromStack(built.stateful);
    for (const [name, { t }] of Object.entries(where)) {
      const owner = name === 'central' ? state : t;
      const rules = Object.values(t.findResources('AWS::Events::Rule', { Properties: { Name: GROUP_TAG_WATCH_RULE_NAME } })) as Rule[];
      expect(rules, name).toHaveLength(1);
      const [{ Properties: rule }] = rules;
      // deploy20: in the central region, where members forward their calls, the pipeline account's own (a member's: test/infra/member-pages.test.ts).
      expect(rule.EventPattern, name).toEqual(name === 'central' ? splitByAccount(groupTagPattern(), ACCOUNT).own : groupTagPattern());
      const [[topicId]] = Object.entries(owner.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'datalek-on-call-alarms' } }));
      expect(rule.Targets, name).toHaveLength(1);
      expect(JSON.stringify(rule.Targets[0].Arn)).toMatch(name === 'central' ? /datalek-on-call-alarms/ : new RegExp(`"Ref":"${topicId}"`));
      const [policy] = Object.values(owner.findResources('AWS::SNS::TopicPolicy')).filter((p) => JSON.stringify(p.Properties.Topics).includes(topicId));
      expect(JSON.stringify(policy.Properties.PolicyDocument), name).toContain(`:rule/${GROUP_TAG_WATCH_RULE_NAME}`);
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'datalek-watch-group-tags-undelivered', MetricName: 'FailedInvocations' });
      const input = rule.Targets[0].InputTransformer;
      expect(Object.values(input?.InputPathsMap ?? {}).sort()).toEqual(
        ['$.account', '$.detail.eventID', '$.detail.eventName', ...CALLER_PATHS, '$.region', '$.time'].sort(),
      );
      expect(input?.InputTemplate).toContain('the group and tags are left out of this message');
    }
  });

  describe.skipIf(!MOTO_AVAILABLE)('on moto', () => {
    const deployed = (name: string, rule: 'rule' | 'iamRule' = 'rule') =>
      resolveValue(where[name][rule].Properties.EventPattern, where[name].t, { account: ACCOUNT, region: where[name].region });

    it('pages on the calls that undo a containment step by anyone but the datalek roles, and on no other', async () => {
      const entries = calls();
      expect(entries.map((e) => e.id)).toEqual(expect.arrayContaining(PAGES));
      for (const name of Object.keys(where)) {
        const byRule = await routedByPattern(moto, `containment-${name}`, { main: deployed(name), iam: deployed(name, 'iamRule') }, entries, true);
        const paged = [...byRule.main, ...byRule.iam].sort();
        // The pipeline's own functions are named only in the central region.
        const expected = name === 'central' ? PAGES : [...PAGES, '25-datalek-function-concurrency-by-a-deploy.json'].sort();
        expect(paged, name).toEqual(expected);
      }
    }, 300_000);

    it('fits in the 2,048 characters EventBridge takes by default', () => {
      for (const name of Object.keys(where))
        for (const rule of ['rule', 'iamRule'] as const) expect(JSON.stringify(deployed(name, rule)).length, name).toBeLessThanOrEqual(2048);
    });

    it('sends a message naming the interface call and its caller, without the interface, its groups or the address', async () => {
      // moto's EventBridge delivers to no SNS topic: the message goes to a queue, as the topic would get it.
      const bus = 'containment-messages';
      await moto.clients.eventbridge.send(new CreateEventBusCommand({ Name: bus }));
      const { QueueUrl } = await moto.clients.sqs.send(new CreateQueueCommand({ QueueName: bus }));
      const arn = (await moto.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
      // moto gives every event its own account: the rule's `account` (deploy20) is left out here (test/infra/member-pages.test.ts reads it).
      const { account: _account, ...pattern } = deployed('central') as Record<string, unknown>;
      await moto.clients.eventbridge.send(new PutRuleCommand({ Name: bus, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
      const input = where.central.rule.Properties.Targets[0].InputTransformer;
      await moto.clients.eventbridge.send(
        new PutTargetsCommand({ Rule: bus, EventBusName: bus, Targets: [{ Id: 'topic', Arn: arn, InputTransformer: input }] }),
      );
      const sent = calls().filter((e) => ['01-interface-back-in-its-groups-by-hand.json', '02-interface-isolated-by-the-contain-function.json'].includes(e.id));
      for (const e of sent) {
        await moto.clients.eventbridge.send(
          // One interface group of the two: moto does not look into arrays (moto-rules.ts).
          new PutEventsCommand({
            Entries: [{ EventBusName: bus, Source: e.source, DetailType: e.detailType, Detail: JSON.stringify(arrayVariants(e.detail)[0]) }],
          }),
        );
      }
      const out = await moto.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      const bodies = (out.Messages ?? []).map((m) => m.Body as string);
      // The contain function's own isolation does not page.
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toMatch(
        /^"?datalek CONTAINMENT UNDONE\?: ModifyNetworkInterfaceAttribute by a caller of type AssumedRole \(role: arn:aws:iam::111122223333:role\/Admin; none for an IAMUser or Root caller, whose name this message leaves out\), CloudTrail event 0f1e2d3c-0000-4000-8000-000000000001 at \S+ in eu-west-1 \(account \d{12}\), seen by datalek-watch-containment/,
      );
      // Nor the session name (fgsec17 Sd: a person's e-mail address where they sign in through IAM Identity Center).
      for (const leftOut of ['eni-0a1b2c3d4e5f60718', 'sg-0123456789abcdef0', '198.51.100.7', 'someone']) expect(bodies[0]).not.toContain(leftOut);
    });
  });

  it('refuses at synth, naming the role names, an exempt list that makes the pattern too long for EventBridge', () => {
    // With the two roles the deployment exempts, a name of IAM's 64 characters still fits (below):
    // the guard is for an exempt list that grows.
    const stack = new Stack(new App(), 'Long', { env: { account: ACCOUNT, region: DEPLOY_CONTEXT.region } });
    const long = 'r'.repeat(64);
    expect(
      () =>
        new ContainmentWatch(stack, 'W', {
          exemptRoles: [long, long, long, long, long].map((name) => ({ name, sessions: '*' })),
          functionWildcards: [],
          containmentRoles: { inPipeline: ['datalek-contain-function'], inMembers: ['datalek-containment'] },
          alarmTopic: new sns.Topic(stack, 'T'),
        }),
    ).toThrow(/datalek-watch-containment pattern is \d+ characters, more than the 2048 EventBridge takes: shorten the role names .*rrrr/);
  });

  it('takes an on-call role name of 64 characters, also where the deployment names no account (the account is then a token); 62 with member accounts, and refuses 63 at synth', () => {
    const { account: _, memberAccounts: __, ...noAccount } = DEPLOY_CONTEXT;
    // deploy20: with member accounts the rule's pattern names the pipeline account too (its member twin takes the others').
    for (const [context, length] of [
      [DEPLOY_CONTEXT, 62],
      [noAccount, 64],
    ] as const) {
      const app = synthesizedApp({ ...context, onCallRole: 'r'.repeat(length) });
      const [rule] = Object.values(Template.fromStack(app.response).findResources('AWS::Events::Rule', { Properties: { Name: CONTAINMENT_WATCH_RULE_NAME } }));
      // By the name of the role its sessions came from, in any case (deploy19: on-call's role is made by hand).
      expect(JSON.stringify(rule)).toContain(`{"anything-but":{"equals-ignore-case":["${'r'.repeat(length)}"]}}`);
    }
    expect(() => synthesizedApp({ ...DEPLOY_CONTEXT, onCallRole: 'r'.repeat(63) })).toThrow(
      /datalek-watch-containment pattern is 2049 characters, more than the 2048/,
    );
  });
});
