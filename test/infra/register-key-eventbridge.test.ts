/**
 * sec27: the pipeline's keys let this account's EventBridge generate data keys and decrypt for any rule
 * of the account (aws:SourceAccount only): any team's rule could have EventBridge write into a queue or
 * topic under the breach register's key (or the alarm key, or a forwarder's). Each is now for the rules
 * that use it: the response stack's routes (their names generated from the stack's, on the default bus
 * and the `datalek` bus) and the rules named `datalek-…`, the names the pipeline's watch pages on when
 * anyone else makes or changes such a rule (pipeline-watch.ts rulePrefixes). For a rule's target or
 * dead-letter queue, EventBridge's aws:SourceArn is the rule's ARN (as the topics' policies already read
 * it, pipeline-watch.ts). The register key's archive statement (the bus's encryption context) is not this one.
 */
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEPLOY_CONTEXT, type Statement, synthesizedApp } from '../support/infra.js';
import { resolve } from './dynamodb-iam.js';

const app = synthesizedApp({ ...DEPLOY_CONTEXT, backupVaultLock: 'true' });
const SID = 'EventBridgeOfThisAccountToEncryptedQueues';
const like = (pattern: string, arn: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.?+^$()[\]{}|\\/]/g, '\\$&'))
      .join('.*')}$`,
  ).test(arn);

/** Each key of `home` that lets EventBridge in, with the stacks whose rules may use it (its own, and the response stack's for DatalekState's). */
const homes: [Stack, Stack[]][] = [
  [app.stateful, [app.stateful, app.response]],
  ...[...app.forwarders, ...app.members, ...app.memberIam, ...app.memberRegions, ...(app.iamForward ? [app.iamForward] : [])].map((s): [Stack, Stack[]] => [
    s,
    [s],
  ]),
];
const cases = homes.flatMap(([home, users]) =>
  Object.entries(Template.fromStack(home).findResources('AWS::KMS::Key'))
    .filter(([, k]) => (k.Properties.KeyPolicy.Statement as Statement[]).some((st) => st.Sid === SID))
    .map(([id, k]) => ({ what: `${home.stackName} ${id}`, home, users, id, key: k })),
);

function context(stack: Stack) {
  return { partition: 'aws', region: stack.region, account: stack.account };
}
const ruleArn = (stack: Stack, bus: string, name: string) =>
  `arn:aws:events:${stack.region}:${stack.account}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;

/** Every rule of `users` (its ARN, as CloudFormation names it) whose target or dead-letter queue is under the key `id` of `home`. */
function rulesUsing(home: Stack, users: Stack[], id: string): string[] {
  const topics = Object.entries(Template.fromStack(home).findResources('AWS::SNS::Topic')).filter(([, t]) =>
    JSON.stringify(t.Properties.KmsMasterKeyId).includes(`"${id}"`),
  );
  const arns: string[] = [];
  for (const stack of users) {
    const template = Template.fromStack(stack);
    const queues = Object.entries(template.findResources('AWS::SQS::Queue')).filter(([, q]) => JSON.stringify(q.Properties.KmsMasterKeyId).includes(id));
    const under = (ref: unknown) => {
      const text = JSON.stringify(ref ?? null);
      return (
        queues.some(([q]) => text.includes(`"${q}"`)) ||
        topics.some(([t, topic]) => (stack === home && text.includes(`"${t}"`)) || text.includes(`:${topic.Properties.TopicName}"`))
      );
    };
    for (const [ruleId, rule] of Object.entries(template.findResources('AWS::Events::Rule'))) {
      if (!(rule.Properties.Targets as { Arn: unknown; DeadLetterConfig?: { Arn: unknown } }[]).some((t) => under(t.Arn) || under(t.DeadLetterConfig?.Arn)))
        continue;
      const bus = rule.Properties.EventBusName === undefined ? 'default' : resolve(rule.Properties.EventBusName, context(stack)).split('/').pop();
      // CloudFormation names an unnamed rule `<stack>-<logical id, cut>-<random>`.
      const name = rule.Properties.Name === undefined ? `${stack.stackName}-${ruleId.slice(0, 20)}-ABCDEFGH` : String(rule.Properties.Name);
      arns.push(ruleArn(stack, String(bus), name));
    }
  }
  return arns;
}

describe.each(cases)("the key's EventBridge use: $what (sec27)", ({ home, users, id, key }) => {
  const statement = (key.Properties.KeyPolicy.Statement as Statement[]).find((st) => st.Sid === SID);
  const sources = [statement?.Condition?.ArnLike?.['aws:SourceArn'] ?? []].flat().map((p) => resolve(p, context(home)));

  it('is for rules of its account only, and only the pipeline’s own', () => {
    expect(statement?.Condition?.StringEquals).toEqual({ 'aws:SourceAccount': home.account });
    for (const other of [
      ruleArn(home, 'default', 'billing-to-queue'),
      ruleArn(home, 'datalek', 'someone-else'),
      ruleArn(home, 'default', 'DatalekStateX-rule'),
    ])
      expect(
        sources.some((p) => like(p, other)),
        other,
      ).toBe(false);
  });

  it('names every rule whose target or dead-letter queue is under it, by the name it has or CloudFormation gives it', () => {
    const using = rulesUsing(home, users, id);
    expect(using.length).toBeGreaterThan(0);
    for (const arn of using)
      expect(
        sources.some((p) => like(p, arn)),
        arn,
      ).toBe(true);
  });
});
