/**
 * deploy20: a member account's watched calls page through the member-pages function, within its
 * bound; the pipeline account's own still page straight to the alarm topic, unbounded. Before,
 * every central watch rule sent every call it matched, whichever account made it, to the alarm
 * topic: fifty calls of a member account, fifty pages. The split is by the event's `account`, in
 * each rule's pattern as deployed (moto's delivery leaves `account` out, and its TestEventPattern
 * matches anything, so the patterns are read here, not run).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CALLER_MARK } from '../../handlers/core/member-pages.js';
import type { DatalekApp } from '../../infra/build-app.js';
import { CONTAINMENT_WATCH_RULE_NAME, memberCallsOf } from '../../infra/constructs/containment-watch.js';
import { DEPLOY_CONTEXT, synthesizedApp } from '../support/infra.js';
import { resolveValue } from './cfn-resolve.js';

const PIPELINE = DEPLOY_CONTEXT.account;
const REGION = DEPLOY_CONTEXT.region;
const ALARM_TOPIC = `arn:aws:sns:${REGION}:${PIPELINE}:datalek-on-call-alarms`;

type Rule = { Properties: { Name?: string; EventPattern?: Record<string, unknown>; Targets?: Record<string, unknown>[] } };

describe("a member account's watch pages go through the member-pages function; the pipeline account's straight to the alarm topic", () => {
  let built: DatalekApp;
  let response: Template;
  let rules: Rule[];
  const deployed = (v: unknown): unknown => resolveValue(v, response, { account: PIPELINE, region: REGION, exporters: [Template.fromStack(built.stateful)] });
  const pattern = (v: unknown) => deployed(v) as Record<string, unknown>;

  beforeAll(() => {
    built = synthesizedApp();
    response = Template.fromStack(built.response);
    rules = Object.values(response.findResources('AWS::Events::Rule')) as Rule[];
  }, 120_000);

  /** The central rules that page each call they match on the alarm topic, as a message of its own. */
  const direct = () => rules.filter((r) => (r.Properties.Targets ?? []).some((t) => deployed(t.Arn) === ALARM_TOPIC));
  const named = (name: string) => rules.find((r) => r.Properties.Name === name);

  it("pages only the pipeline account's own calls straight to the alarm topic, every rule that pages so", () => {
    const names = direct().map((r) => r.Properties.Name);
    // The pipeline watch's eight (not the uploads rule, which only queues), the containment watch's two, ECS's, the contain role's, the group tags',
    // the protected tag's (sec25).
    expect(names).toHaveLength(14);
    for (const rule of direct()) expect(pattern(rule.Properties.EventPattern).account, rule.Properties.Name).toEqual([PIPELINE]);
  });

  /** The member-pages function's logical id, by its role's fixed name. */
  const memberPagesFunction = () => {
    const [role] = Object.keys(response.findResources('AWS::IAM::Role', { Properties: { RoleName: 'datalek-member-pages-function' } }));
    const [fn] = Object.keys(response.findResources('AWS::Lambda::Function', { Properties: { Role: { 'Fn::GetAtt': [role, 'Arn'] } } }));
    return fn;
  };

  it('has a twin of each for every other account, the same pattern otherwise, sending to the member-pages function with a dead-letter queue, never to the alarm topic', () => {
    const fn = memberPagesFunction();
    expect(fn).toBeDefined();
    for (const rule of direct()) {
      const name = rule.Properties.Name as string;
      const twin = named(`${name}-members`);
      expect(twin, name).toBeDefined();
      const { account: _own, ...pattern } = deployed(rule.Properties.EventPattern) as Record<string, unknown>;
      const { account, ...twinPattern } = deployed(twin?.Properties.EventPattern) as Record<string, unknown>;
      // Together the two match exactly what the rule matched before: every account, split.
      expect(account, name).toEqual([{ 'anything-but': PIPELINE }]);
      // The containment watch's exempt sessions are the pipeline account's: its twin takes any member caller with an ARN.
      expect(twinPattern, name).toEqual(name === CONTAINMENT_WATCH_RULE_NAME ? memberCallsOf(pattern) : pattern);
      expect(JSON.stringify(deployed(twin?.Properties.EventPattern)).length, name).toBeLessThanOrEqual(2048);
      expect(JSON.stringify(deployed(rule.Properties.EventPattern)).length, name).toBeLessThanOrEqual(2048);
      const targets = (twin?.Properties.Targets ?? []) as { Arn: unknown; DeadLetterConfig?: { Arn: unknown }; InputTransformer: { InputTemplate: unknown } }[];
      expect(targets, name).toHaveLength(1);
      const [target] = targets;
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [fn, 'Arn'] });
      expect(target.DeadLetterConfig?.Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^MemberPagesUndelivered/), 'Arn'] });
      // The rule's own page, rendered by EventBridge with the caller left to the function, and the whole event.
      const template = String(deployed(target.InputTransformer.InputTemplate));
      const head = `{"rule":"${name}","page":`;
      const tail = ',"event":<aws.events.event.json>}';
      expect(template.startsWith(head), name).toBe(true);
      expect(template.endsWith(tail), name).toBe(true);
      const [before, after, ...more] = (JSON.parse(template.slice(head.length, -tail.length)) as string).split(CALLER_MARK);
      expect(more, name).toEqual([]);
      // Word for word today's page, but for who made the call (the rule's own page names the session's role, or a federated user's IAM user).
      const own = (rule.Properties.Targets ?? []).find((t) => deployed(t.Arn) === ALARM_TOPIC) as { InputTransformer: { InputTemplate: unknown } };
      const page = JSON.parse(String(deployed(own.InputTransformer.InputTemplate))) as string;
      expect(page.startsWith(before) && page.endsWith(after), name).toBe(true);
      expect(page.slice(before.length, page.length - after.length)).toMatch(
        /^a caller of type <detail-userIdentity-type> \(role: <detail-userIdentity-sessionContext-sessionIssuer-arn>; none for an IAMUser or Root caller, whose name this message leaves out\), CloudTrail event <detail-eventID>$/,
      );
    }
  });

  it("leaves CloudTrail's detail-type out of both only because the bus takes nothing else from other accounts", () => {
    const [policy] = Object.values(response.findResources('AWS::Events::EventBusPolicy', { Properties: { StatementId: 'datalek-member-calls' } }));
    expect(policy.Properties.Statement.Condition.StringEquals).toEqual({ 'events:detail-type': 'AWS API Call via CloudTrail' });
  });

  it("lets the function write its own record, publish on the alarm topic and nothing else, within a boundary of its own; the alarm topic's guard lets it publish", () => {
    const [role] = Object.keys(response.findResources('AWS::IAM::Role', { Properties: { RoleName: 'datalek-member-pages-function' } }));
    const policies = Object.values(response.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } }));
    const actions = policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((st: { Action: string | string[] }) => [st.Action].flat())).sort();
    expect(actions).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'kms:Decrypt',
        'kms:Decrypt',
        'kms:GenerateDataKey*',
        'kms:GenerateDataKey*',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sns:Publish',
        'sqs:SendMessage',
      ].sort(),
    );
    const [boundary] = Object.values(response.findResources('AWS::IAM::ManagedPolicy', { Properties: { ManagedPolicyName: 'datalek-member-pages-boundary' } }));
    expect(boundary).toBeDefined();
    const roleProps = response.findResources('AWS::IAM::Role', { Properties: { RoleName: 'datalek-member-pages-function' } })[role].Properties;
    expect(JSON.stringify(roleProps.PermissionsBoundary)).toContain('MemberPagesBoundary');
    const stateful = Template.fromStack(built.stateful);
    const [topic] = Object.values(stateful.findResources('AWS::SNS::TopicPolicy')).filter(
      (p) => JSON.stringify(p).includes('OnlyDatalekPublishes') && JSON.stringify(p).includes('OnCallAlarms'),
    );
    expect(JSON.stringify(topic)).toContain('datalek-member-pages-function');
  });

  it('pages on-call when a twin cannot hand calls to the function, or the function fails, is throttled or gives up on a call', () => {
    const names = Object.values(response.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as string);
    expect(names).toEqual(
      expect.arrayContaining([
        'datalek-member-pages-undelivered',
        'datalek-member-pages-errors',
        'datalek-member-pages-throttles',
        'datalek-member-pages-failed-events',
      ]),
    );
    for (const rule of direct()) expect(names, rule.Properties.Name).toContain(`${rule.Properties.Name}-members-lost`);
  });

  it('leaves a deployment without member accounts as it was: no twin, no function, no account in any pattern', () => {
    const alone = synthesizedApp({ ...DEPLOY_CONTEXT, memberAccounts: '' });
    const t = Template.fromStack(alone.response);
    const all = Object.values(t.findResources('AWS::Events::Rule')) as Rule[];
    expect(all.filter((r) => r.Properties.Name?.endsWith('-members'))).toEqual([]);
    for (const r of all) expect(r.Properties.EventPattern?.account, r.Properties.Name).toBeUndefined();
    expect(t.findResources('AWS::IAM::Role', { Properties: { RoleName: 'datalek-member-pages-function' } })).toEqual({});
  }, 120_000);
});
