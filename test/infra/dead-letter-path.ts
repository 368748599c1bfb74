/**
 * What a stack forwarding calls to the central bus must have, so that a forward that fails is not
 * lost silently (infra14, infra15): an encrypted dead-letter queue on each rule's target, that only
 * those rules may send to and only break-glass may take from, whose alarm counts what arrives and
 * pages on-call through the stack's own alarm topic, and one lost-forward alarm per rule.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';

export interface DeadLetterPath {
  /** The break-glass role's name (in the stack's account). */
  breakGlassRole: string;
  onCallEmail: string;
  /** The dead-letter alarm's name. */
  alarm: string;
}

export function expectDeadLetterPath(t: Template, path: DeadLetterPath): void {
  const queues = Object.entries(t.findResources('AWS::SQS::Queue'));
  expect(queues).toHaveLength(1);
  const [[queue, { Properties: props }]] = queues;
  expect(props.KmsMasterKeyId).toBeDefined();
  expect(props.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  const rules = Object.entries(t.findResources('AWS::Events::Rule'));
  expect(rules.length).toBeGreaterThan(0);
  for (const [, rule] of rules) {
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(rule.Properties.Targets[0].DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queue, 'Arn'] } });
  }
  const [policy] = Object.values(t.findResources('AWS::SQS::QueuePolicy')).filter(
    (p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: queue }]),
  );
  const statements = policy.Properties.PolicyDocument.Statement as { Sid?: string; Effect: string; Action: string | string[]; Condition?: unknown }[];
  const send = statements.find((st) => st.Effect === 'Allow' && [st.Action].flat().includes('sqs:SendMessage'));
  // The rules' ARNs, in whatever order the stack lists them.
  const senders = (send?.Condition as { ArnEquals?: Record<string, { 'Fn::GetAtt': string[] }[]> } | undefined)?.ArnEquals;
  expect(Object.keys(send?.Condition ?? {})).toEqual(['ArnEquals']);
  expect(Object.keys(senders ?? {})).toEqual(['aws:SourceArn']);
  expect(senders?.['aws:SourceArn'].map((arn) => JSON.stringify(arn)).sort()).toEqual(
    rules
      .map(([id]) => id)
      .sort()
      .map((r) => JSON.stringify({ 'Fn::GetAtt': [r, 'Arn'] })),
  );
  const take = statements.find((st) => st.Effect === 'Deny' && [st.Action].flat().includes('sqs:ReceiveMessage'));
  expect(JSON.stringify(take?.Condition)).toMatch(new RegExp(`role/${path.breakGlassRole}"`));
  expect(statements.some((st) => st.Effect === 'Deny' && [st.Action].flat().includes('sqs:PurgeQueue'))).toBe(true);
  // The alarm counts what arrives (a receive cannot hide it) and pages through this region's alarm topic, which on-call gets.
  const [[topic]] = Object.entries(t.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'datalek-on-call-alarms' } }));
  t.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: { Ref: topic }, Protocol: 'email', Endpoint: path.onCallEmail });
  const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
  const onQueue = alarms.filter((a) => JSON.stringify(a.Properties).includes(JSON.stringify({ 'Fn::GetAtt': [queue, 'QueueName'] })));
  expect(onQueue.map((a) => a.Properties.AlarmName)).toEqual([path.alarm]);
  expect(JSON.stringify(onQueue[0].Properties)).toContain('"MetricName":"NumberOfMessagesSent"');
  for (const a of alarms) {
    expect(a.Properties.AlarmActions, a.Properties.AlarmName).toEqual([{ Ref: topic }]);
    expect(a.Properties.AlarmDescription.length, a.Properties.AlarmName).toBeLessThanOrEqual(1024);
  }
  // An event neither forwarded nor put in the queue pages too, per rule.
  const names = alarms.map((a) => a.Properties.AlarmName);
  for (const [, rule] of rules) expect(names).toContain(`${rule.Properties.Name}-lost`);
}
