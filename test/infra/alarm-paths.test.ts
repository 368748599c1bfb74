/**
 * No finding waits, or stops arriving, without on-call being told (review 2, S1): each assertion
 * reads the synthesized templates.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type DatalekApp } from '../../infra/build-app.js';
import { ALARM_DELIVERY_RULE_NAME, ALARM_PATH_RULE_NAME } from '../../infra/constructs/alarm-path-watch.js';
import { CONTAIN_ROLE_WATCH_RULE_NAME } from '../../infra/constructs/contain-role-watch.js';
import { CONTAINMENT_IAM_WATCH_RULE_NAME, CONTAINMENT_WATCH_RULE_NAME } from '../../infra/constructs/containment-watch.js';
import { ECS_PLACEMENT_WATCH_RULE_NAME } from '../../infra/constructs/ecs-placement-watch.js';
import { GROUP_TAG_WATCH_RULE_NAME } from '../../infra/constructs/group-tag-watch.js';
import { CALLER_PATHS } from '../../infra/constructs/page-caller.js';
import { CHANGES_RULE_NAME, sendsMessages, WATCH_RULE_NAME, WATCH_RULES } from '../../infra/constructs/pipeline-watch.js';
import { PROTECTED_TAG_WATCH_RULE_NAME } from '../../infra/constructs/protected-tag-watch.js';
import { DEPLOY_CONTEXT, NO_BUNDLING, synthesizedApp, warningsOf } from '../support/infra.js';

type Resources = Record<string, { Properties: Record<string, unknown> }>;

/** The alarms of a template on `metric`, by the logical id of the resource their dimension names. */
function alarmsOn(t: Template, namespace: string, metric: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const alarm of Object.values(t.findResources('AWS::CloudWatch::Alarm') as Resources)) {
    const p = alarm.Properties;
    // An alarm on one metric, or on an expression of several (a dead-letter queue's: waiting or arrived, review11 K3).
    type Stat = { Namespace?: unknown; MetricName?: unknown; Dimensions?: unknown };
    const metrics = p.Metrics ? (p.Metrics as { MetricStat?: { Metric: Stat } }[]).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : [])) : [p as Stat];
    for (const m of metrics) {
      if (m.Namespace !== namespace || m.MetricName !== metric) continue;
      for (const d of m.Dimensions as { Value: unknown }[]) out.set(JSON.stringify(d.Value), p);
    }
  }
  return out;
}

describe('no finding waits unseen', () => {
  let built: DatalekApp;
  let response: Template;
  let forwarder: Template;

  beforeAll(() => {
    built = synthesizedApp();
    response = Template.fromStack(built.response);
    forwarder = Template.fromStack(built.forwarders[0]);
  }, 120_000);

  it('pages on-call when any function is throttled, not only those with reserved concurrency', () => {
    const throttles = alarmsOn(response, 'AWS/Lambda', 'Throttles');
    const functions = Object.keys(response.findResources('AWS::Lambda::Function'));
    // deploy20: member-pages, with member accounts.
    expect(functions).toHaveLength(10);
    for (const id of functions) {
      const alarm = throttles.get(JSON.stringify({ Ref: id }));
      expect(alarm, `${id} has no throttles alarm`).toBeDefined();
      expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Statistic: 'Sum', Period: 300 });
      expect(alarm?.AlarmActions).toHaveLength(1);
    }
  });

  it("bounds how long an event may wait in Lambda's queue: an hour, then the alarmed dead-letter queue", () => {
    // Every function but the public link function, which only its function URL invokes, synchronously
    // (no queue of its own: test/infra/link-forward.test.ts).
    const queued = Object.entries(response.findResources('AWS::Lambda::Function') as Resources).filter(
      ([, fn]) => !String(fn.Properties.Description).includes('public function URL'),
    );
    expect(queued).toHaveLength(9);
    const configs = Object.values(response.findResources('AWS::Lambda::EventInvokeConfig') as Resources);
    expect(configs).toHaveLength(9);
    for (const c of configs) expect(c.Properties).toMatchObject({ MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 2 });
    // What expires goes to the function's dead-letter queue, whose depth pages.
    const failed = alarmsOn(response, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible');
    for (const [id, fn] of queued) {
      const queue = JSON.stringify((fn.Properties.DeadLetterConfig as { TargetArn: { 'Fn::GetAtt': [string, string] } }).TargetArn['Fn::GetAtt'][0]);
      expect(
        [...failed.keys()].some((k) => k.includes(JSON.parse(queue))),
        `${id}: its dead-letter queue has no depth alarm`,
      ).toBe(true);
    }
  });

  it('pages when an event could be neither delivered nor put in its dead-letter queue, for every rule (central and forwarder)', () => {
    for (const t of [response, forwarder]) {
      const lost = Object.values(t.findResources('AWS::CloudWatch::Alarm') as Resources)
        .map((a) => a.Properties)
        .filter((p) => p.Namespace === 'AWS/Events' && p.MetricName === 'InvocationsFailedToBeSentToDlq');
      const rules = Object.entries(t.findResources('AWS::Events::Rule') as Resources).filter(([, r]) =>
        (r.Properties.Targets as { DeadLetterConfig?: unknown }[]).some((target) => target.DeadLetterConfig),
      );
      expect(rules.length).toBeGreaterThan(0);
      for (const [id, rule] of rules) {
        // EventBridge's metrics name a rule on a custom bus by the bus and the rule's name; the
        // rule's Ref there is `bus|name`, so the name is its second part.
        const dimensions = rule.Properties.EventBusName
          ? [
              { Name: 'EventBusName', Value: rule.Properties.EventBusName },
              { Name: 'RuleName', Value: { 'Fn::Select': [1, { 'Fn::Split': ['|', { Ref: id }] }] } },
            ]
          : [{ Name: 'RuleName', Value: { Ref: id } }];
        const alarm = lost.find((p) => JSON.stringify(p.Dimensions) === JSON.stringify(dimensions));
        expect(alarm, `${id} has no lost-events alarm on ${JSON.stringify(dimensions)}`).toMatchObject({ Threshold: 1, Statistic: 'Sum' });
      }
    }
  });
});

describe('nothing stops the findings unseen', () => {
  it('watches, in the central and every forwarder region, the calls that stop findings, and pages on-call until someone has read them', () => {
    const built = synthesizedApp();
    const central = Template.fromStack(built.response);
    for (const t of [central, Template.fromStack(built.forwarders[0])]) {
      const [[ruleId, rule]] = Object.entries(t.findResources('AWS::Events::Rule', { Properties: { Name: WATCH_RULE_NAME } }) as Resources);
      expect(rule.Properties.State).toBe('ENABLED');
      // CloudTrail's calls; in the central region, where members forward theirs, the pipeline account's own (deploy20: a
      // member's go to the member twin; the split leaves the detail-type out for room: test/infra/member-pages.test.ts).
      expect(rule.Properties.EventPattern).toMatchObject(
        t === central ? { account: [DEPLOY_CONTEXT.account] } : { 'detail-type': ['AWS API Call via CloudTrail'] },
      );
      // On the default bus: CloudTrail's events arrive there.
      expect(rule.Properties.EventBusName).toBeUndefined();
      const [target] = rule.Properties.Targets as { Arn: { 'Fn::GetAtt': [string, string] } }[];
      const queueId = target.Arn['Fn::GetAtt'][0];
      const alarmTopicArn = (rule.Properties.Targets as { Arn: unknown }[])[1].Arn;
      const queue = t.findResources('AWS::SQS::Queue')[queueId];
      expect(queue.Properties).toMatchObject({ KmsMasterKeyId: expect.anything(), MessageRetentionPeriod: 14 * 24 * 3600 });
      const [alarm] = Object.values(t.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'datalek-pipeline-changed' } }) as Resources);
      expect(alarm.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      // EventBridge may send to the queue for the watch rules only, each of which pages
      // when it could not (the queue's policy or key broken): the depth alarm would stay quiet.
      // Each rule also sends the call to the alarm topic (below).
      // But the uploads rule's: a deploy's objects wait in the queue alone (infra15).
      const watchRules = WATCH_RULES.map((rule) => {
        const [[id, r]] = Object.entries(t.findResources('AWS::Events::Rule', { Properties: { Name: rule.name } }) as Resources);
        expect((r.Properties.Targets as { Arn: unknown }[]).map((x) => x.Arn)).toEqual([
          { 'Fn::GetAtt': [queueId, 'Arn'] },
          ...(sendsMessages(rule) ? [alarmTopicArn] : []),
        ]);
        return id;
      });
      expect(watchRules[0]).toBe(ruleId);
      const policies = Object.values(t.findResources('AWS::SQS::QueuePolicy') as Resources).filter((p) =>
        JSON.stringify(p.Properties.Queues).includes(queueId),
      );
      expect(JSON.stringify(policies)).toContain(JSON.stringify({ ArnEquals: { 'aws:SourceArn': watchRules.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })) } }));
      const failed = alarmsOn(t, 'AWS/Events', 'FailedInvocations');
      for (const [i, id] of watchRules.entries()) {
        expect(failed.get(JSON.stringify({ Ref: id })), id).toMatchObject({ AlarmName: `datalek-${WATCH_RULES[i].undelivered}`, Threshold: 1 });
      }
    }
  });

  it("pages through the pages' topic, under the pipeline key, on calls that break the alarms' own path: never through what was changed", () => {
    const built = synthesizedApp();
    const state = Template.fromStack(built.stateful);
    const [[ruleId, rule]] = Object.entries(state.findResources('AWS::Events::Rule', { Properties: { Name: ALARM_PATH_RULE_NAME } }) as Resources);
    const [[pagesId, pages]] = Object.entries(state.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'datalek-on-call' } }) as Resources);
    const [[, alarmTopic]] = Object.entries(state.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'datalek-on-call-alarms' } }) as Resources);
    // Its pattern names the alarms' key, topic and the watch's alarm: the things its target must not depend on.
    const pattern = JSON.stringify(rule.Properties.EventPattern);
    expect(pattern).toContain(JSON.stringify({ Ref: built.stateful.getLogicalId(built.stateful.alarmKey.node.defaultChild as CfnElement) }));
    expect(pattern).toContain('datalek-on-call-alarms');
    expect(pattern).toContain('datalek-pipeline-changed');
    const [target] = rule.Properties.Targets as { Arn: unknown; Input?: string; InputTransformer?: { InputTemplate: string } }[];
    expect(target.Arn).toEqual({ Ref: pagesId });
    expect(target.InputTransformer?.InputTemplate).toContain('datalek ALARM PATH');
    expect(pages.Properties.KmsMasterKeyId).not.toEqual(alarmTopic.Properties.KmsMasterKeyId);
    // The pages' topic lets EventBridge publish for this rule only.
    const [policy] = Object.values(state.findResources('AWS::SNS::TopicPolicy') as Resources).filter((p) =>
      JSON.stringify(p.Properties.Topics).includes(pagesId),
    );
    const allow = (policy.Properties.PolicyDocument as { Statement: { Principal?: unknown; Condition?: unknown }[] }).Statement.filter(
      (st) => JSON.stringify(st.Principal) === JSON.stringify({ Service: 'events.amazonaws.com' }),
    );
    expect(allow).toHaveLength(1);
    const [deliveryRuleId] = Object.keys(state.findResources('AWS::Events::Rule', { Properties: { Name: ALARM_DELIVERY_RULE_NAME } }));
    expect(allow[0].Condition).toEqual({
      ArnEquals: { 'aws:SourceArn': [{ 'Fn::GetAtt': [ruleId, 'Arn'] }, { 'Fn::GetAtt': [deliveryRuleId, 'Arn'] }] },
    });
    // And a call it could not deliver pages through the alarm path.
    expect(alarmsOn(state, 'AWS/Events', 'FailedInvocations').get(JSON.stringify({ Ref: ruleId }))).toMatchObject({
      AlarmName: 'datalek-watch-alarm-path-undelivered',
    });
  });
});

describe('every watched call pages on its own (review 3, S3)', () => {
  it('sends each matched call to the alarm topic as a message of its own, from every watch rule, in the central and every forwarder region', () => {
    const built = synthesizedApp();
    const state = Template.fromStack(built.stateful);
    for (const [t, topicOwner, region] of [
      [Template.fromStack(built.response), state, 'eu-west-1'],
      [Template.fromStack(built.forwarders[0]), Template.fromStack(built.forwarders[0]), 'eu-central-1'],
    ] as const) {
      const [[topicId]] = Object.entries(topicOwner.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'datalek-on-call-alarms' } }));
      for (const watch of WATCH_RULES) {
        const { name } = watch;
        const [rule] = Object.values(t.findResources('AWS::Events::Rule', { Properties: { Name: name } }) as Resources);
        const targets = rule.Properties.Targets as { Arn: unknown; InputTransformer?: { InputTemplate: string; InputPathsMap: Record<string, string> } }[];
        const toTopic = targets.filter(
          (x) => JSON.stringify(x.Arn).includes('datalek-on-call-alarms') || JSON.stringify(x.Arn) === JSON.stringify({ Ref: topicId }),
        );
        // A deploy's uploads: none (infra15: a routine deploy paged once per asset); the queue's new-calls alarm pages on them.
        expect(toTopic, `${region} ${name}`).toHaveLength(sendsMessages(watch) ? 1 : 0);
        if (!sendsMessages(watch)) continue;
        // The message names the call, who made it, when and where, and the rule that saw it; a deployment's, its stack (infra15).
        expect(toTopic[0].InputTransformer?.InputTemplate).toContain(`datalek WATCH`);
        expect(toTopic[0].InputTransformer?.InputTemplate).toContain(name);
        expect(Object.values(toTopic[0].InputTransformer?.InputPathsMap ?? {}).sort()).toEqual(
          [
            '$.account',
            '$.detail.eventName',
            // The caller's type and role and the event id, not its ARN (fgsec17 Sd: a session name may be a person's e-mail address).
            ...CALLER_PATHS,
            '$.detail.eventID',
            '$.region',
            '$.time',
            ...(name === CHANGES_RULE_NAME ? ['$.detail.requestParameters.stackName'] : []),
          ].sort(),
        );
      }
      // The alarm topic lets EventBridge publish for exactly these rules of its region.
      const [policy] = Object.values(topicOwner.findResources('AWS::SNS::TopicPolicy') as Resources).filter((p) =>
        JSON.stringify(p.Properties.Topics).includes(topicId),
      );
      const allow = (policy.Properties.PolicyDocument as { Statement: { Principal?: unknown; Condition?: unknown; Action: unknown }[] }).Statement.filter(
        (st) => JSON.stringify(st.Principal) === JSON.stringify({ Service: 'events.amazonaws.com' }),
      );
      expect(allow).toHaveLength(1);
      expect(allow[0].Action).toBe('sns:Publish');
      const sourceArns = JSON.stringify((allow[0].Condition as { ArnEquals: Record<string, unknown> }).ArnEquals['aws:SourceArn']);
      // And the containment watch's, the group tags watch's (containment-watch.test.ts), the ECS placement watch's (infra17)
      // and the containment roles' writes watch's (fgsec17), and IAM's calls that undo containment (deploy19: a rule of their own).
      const publishing = WATCH_RULES.filter(sendsMessages);
      const others = [
        CONTAINMENT_WATCH_RULE_NAME,
        CONTAINMENT_IAM_WATCH_RULE_NAME,
        GROUP_TAG_WATCH_RULE_NAME,
        ECS_PLACEMENT_WATCH_RULE_NAME,
        CONTAIN_ROLE_WATCH_RULE_NAME,
        // sec25: a user or role tagged datalek:protected.
        PROTECTED_TAG_WATCH_RULE_NAME,
      ];
      for (const name of [...publishing.map((r) => r.name), ...others]) expect(sourceArns).toContain(`:rule/${name}`);
      expect(sourceArns.match(/:rule\//g)).toHaveLength(publishing.length + others.length);
    }
  });

  it("lets every rule that sends a message to a region's alarm topic publish there, in every stack, the locked vault's too (infra17: the ECS placement watch's every message was refused)", () => {
    const built = synthesizedApp({ ...DEPLOY_CONTEXT, backupVaultLock: 'true' });
    const state = Template.fromStack(built.stateful);
    const allowedIn = (owner: Template) => {
      const [[topicId]] = Object.entries(owner.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'datalek-on-call-alarms' } }));
      const [policy] = Object.values(owner.findResources('AWS::SNS::TopicPolicy') as Resources).filter((p) =>
        JSON.stringify(p.Properties.Topics).includes(topicId),
      );
      const statements = (policy.Properties.PolicyDocument as { Statement: { Principal?: unknown; Condition?: { ArnEquals: Record<string, unknown> } }[] })
        .Statement;
      const allow = statements.find((st) => JSON.stringify(st.Principal) === JSON.stringify({ Service: 'events.amazonaws.com' }));
      return { topicId, arns: JSON.stringify(allow?.Condition?.ArnEquals['aws:SourceArn'] ?? []) };
    };
    let checked = 0;
    for (const [stack, owner] of [
      [built.stateful, state],
      [built.response, state],
      [built.forwarders[0], Template.fromStack(built.forwarders[0])],
    ] as const) {
      const { topicId, arns } = allowedIn(owner);
      for (const rule of Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule') as Resources)) {
        const targets = (rule.Properties.Targets ?? []) as { Arn: unknown }[];
        const toTopic = targets.some((x) => JSON.stringify(x.Arn).includes('datalek-on-call-alarms') || JSON.stringify(x.Arn).includes(`"${topicId}"`));
        if (!toTopic) continue;
        checked += 1;
        expect(arns, `${stack.stackName} ${rule.Properties.Name}`).toContain(`:rule/${rule.Properties.Name}"`);
      }
    }
    // The watch rules of both regions, the containment, group tags, ECS placement and backup job watches.
    expect(checked).toBeGreaterThanOrEqual(2 * (WATCH_RULES.filter(sendsMessages).length + 3) + 1);
  });

  it('raises a CloudWatch alarm again for a new call after a quiet minute, whatever the depth alarm is doing', () => {
    const built = synthesizedApp();
    for (const t of [Template.fromStack(built.response), Template.fromStack(built.forwarders[0])]) {
      const [watchRule] = Object.values(t.findResources('AWS::Events::Rule', { Properties: { Name: WATCH_RULE_NAME } }) as Resources);
      const queueId = (watchRule.Properties.Targets as { Arn: { 'Fn::GetAtt': [string, string] } }[])[0].Arn['Fn::GetAtt'][0];
      const [alarm] = Object.values(t.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'datalek-watch-new-calls' } }) as Resources);
      expect(alarm.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'NumberOfMessagesSent',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
    }
  });
});

describe('SNS failing to deliver pages, FG messages or alarms pages elsewhere (review 3, S5)', () => {
  let built: DatalekApp;
  let state: Template;
  beforeAll(() => {
    built = synthesizedApp();
    state = Template.fromStack(built.stateful);
  }, 120_000);

  const topicId = (t: Template, name: string) => Object.keys(t.findResources('AWS::SNS::Topic', { Properties: { TopicName: name } }))[0];
  const failedAlarm = (t: Template, id: string) =>
    alarmsOn(t, 'AWS/SNS', 'NumberOfNotificationsFailed').get(JSON.stringify({ 'Fn::GetAtt': [id, 'TopicName'] }));

  it("alarms on the pages' and the FG's topic through the alarm topic, saying what to check", () => {
    const alarms = topicId(state, 'datalek-on-call-alarms');
    for (const [name, alarmName] of [
      ['datalek-on-call', 'datalek-pages-undelivered'],
      ['datalek-fg', 'datalek-fg-messages-undelivered'],
    ]) {
      const alarm = failedAlarm(state, topicId(state, name));
      expect(alarm, name).toMatchObject({ AlarmName: alarmName, Statistic: 'Sum', Threshold: 1, AlarmActions: [{ Ref: alarms }] });
      expect(alarm?.AlarmDescription).toMatch(/SMS spend limit/);
      expect(alarm?.AlarmDescription).toMatch(/subscriptions/);
    }
  });

  it("alarms on the alarm topic's own failures in every region, and in the central region also pages through the pages' topic", () => {
    const forwarder = Template.fromStack(built.forwarders[0]);
    expect(failedAlarm(forwarder, topicId(forwarder, 'datalek-on-call-alarms'))).toMatchObject({ AlarmName: 'datalek-alarms-undelivered' });
    const own = failedAlarm(state, topicId(state, 'datalek-on-call-alarms'));
    expect(own).toMatchObject({ AlarmName: 'datalek-alarms-undelivered' });
    // Raised, it goes to the pages' topic (another topic, another key) through an EventBridge rule.
    const pages = topicId(state, 'datalek-on-call');
    const [[ruleId, rule]] = Object.entries(state.findResources('AWS::Events::Rule', { Properties: { Name: ALARM_DELIVERY_RULE_NAME } }) as Resources);
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: [own?.AlarmName], state: { value: ['ALARM'] } },
    });
    const [target] = rule.Properties.Targets as { Arn: unknown; InputTransformer?: { InputTemplate: string } }[];
    expect(target.Arn).toEqual({ Ref: pages });
    expect(target.InputTransformer?.InputTemplate).toContain('datalek ALARMS UNDELIVERED');
    // The pages' topic lets EventBridge publish for the two alarm-path rules only.
    const [policy] = Object.values(state.findResources('AWS::SNS::TopicPolicy') as Resources).filter((p) =>
      JSON.stringify(p.Properties.Topics).includes(pages),
    );
    const allow = (policy.Properties.PolicyDocument as { Statement: { Principal?: unknown; Condition?: unknown }[] }).Statement.filter(
      (st) => JSON.stringify(st.Principal) === JSON.stringify({ Service: 'events.amazonaws.com' }),
    );
    expect(JSON.stringify(allow[0].Condition)).toContain(JSON.stringify({ 'Fn::GetAtt': [ruleId, 'Arn'] }));
    expect(alarmsOn(state, 'AWS/Events', 'FailedInvocations').get(JSON.stringify({ Ref: ruleId }))).toMatchObject({
      AlarmName: 'datalek-watch-alarm-delivery-undelivered',
    });
  });
});

describe('alarms that do not share the pages’ single point of failure', () => {
  const PAGER_URL = 'https://events.eu.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue';
  let built: DatalekApp;
  let state: Template;

  beforeAll(() => {
    built = synthesizedApp({ ...DEPLOY_CONTEXT, alarmPagerUrl: PAGER_URL });
    state = Template.fromStack(built.stateful);
  }, 120_000);

  /** The logical id of the topic named `name` and the key that encrypts it. */
  function topic(t: Template, name: string): { id: string; key: string } {
    const [[id, resource]] = Object.entries(t.findResources('AWS::SNS::Topic', { Properties: { TopicName: name } }) as Resources);
    return { id, key: (resource.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0] };
  }

  it('sends every central alarm to its own topic, under its own key, never to the topic and key the pages use', () => {
    const alarms = topic(state, 'datalek-on-call-alarms');
    const pages = topic(state, 'datalek-on-call');
    expect(alarms.key).not.toBe(pages.key);
    const response = Template.fromStack(built.response);
    const actions = Object.values(response.findResources('AWS::CloudWatch::Alarm') as Resources).map((a) => JSON.stringify(a.Properties.AlarmActions));
    expect(actions.length).toBeGreaterThan(30);
    for (const a of actions) expect(a).toMatch(/:sns:eu-west-1:111122223333:datalek-on-call-alarms"/);
    // Alarms publish to the alarm topic with its key only: the pages' topic and key (the register's) no longer let CloudWatch in.
    const policyOf = (topicId: string) =>
      JSON.stringify(
        Object.values(state.findResources('AWS::SNS::TopicPolicy') as Resources).filter((p) => JSON.stringify(p.Properties.Topics).includes(topicId)),
      );
    expect(policyOf(alarms.id)).toContain('cloudwatch.amazonaws.com');
    expect(policyOf(pages.id)).not.toContain('cloudwatch.amazonaws.com');
    const keyPolicy = (keyId: string) => JSON.stringify((state.findResources('AWS::KMS::Key') as Resources)[keyId].Properties.KeyPolicy);
    // The watch's queue, whose depth pages, is under the alarms' key too: a broken register key
    // must not stop the page about calls that stop the findings.
    const [watchRule] = Object.values(response.findResources('AWS::Events::Rule', { Properties: { Name: WATCH_RULE_NAME } }) as Resources);
    const watchQueueId = (watchRule.Properties.Targets as { Arn: { 'Fn::GetAtt': [string, string] } }[])[0].Arn['Fn::GetAtt'][0];
    const watchQueue = (response.findResources('AWS::SQS::Queue') as Resources)[watchQueueId];
    expect(JSON.stringify(watchQueue.Properties.KmsMasterKeyId)).toContain(alarms.key);
    expect(keyPolicy(alarms.key)).toContain('cloudwatch.amazonaws.com');
    expect(keyPolicy(pages.key)).not.toContain('cloudwatch.amazonaws.com');
    expect(keyPolicy(alarms.key)).toContain('OnlyBreakGlassDeletesOrDisables');
  });

  it("subscribes on-call's address and, when given, the pager's CloudWatch integration to the alarm topic of every region", () => {
    for (const t of [state, Template.fromStack(built.forwarders[0])]) {
      const { id } = topic(t, 'datalek-on-call-alarms');
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.nl', TopicArn: { Ref: id } });
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: PAGER_URL, TopicArn: { Ref: id } });
    }
  });

  it('warns at synth when the policy pages through a pager but the alarms do not reach it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-alarms-'));
    const policyFile = join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ onCall: { provider: 'opsgenie' } }));
    const paged = synthesizedApp({ ...DEPLOY_CONTEXT, policyFile });
    for (const stack of [paged.stateful, ...paged.forwarders]) {
      expect(warningsOf(stack), stack.stackName).toContainEqual(expect.stringMatching(/alarms do not reach the pager/));
    }
    const both = synthesizedApp({ ...DEPLOY_CONTEXT, policyFile, alarmPagerUrl: PAGER_URL });
    expect(warningsOf(both.stateful).filter((w) => /alarms do not reach the pager/.test(w))).toEqual([]);
  });

  it('refuses a pager address that is not https', () => {
    expect(() => buildApp({ ...DEPLOY_CONTEXT, ...NO_BUNDLING, alarmPagerUrl: 'http://events.pagerduty.com/x' })).toThrow(
      /alarmPagerUrl: expected the https address/,
    );
  });
});
