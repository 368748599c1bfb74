/**
 * sec27: the register's key (and the alarm key) let this account's EventBridge generate data keys and decrypt for any rule of the
 * account (aws:SourceAccount only): any team's rule could have EventBridge write into a queue or topic under the
 * breach register's key. It is for the pipeline's own rules: the response stack's routes (their names generated
 * from the stack's, on the default bus and the `datalek` bus) and the rules named `datalek-…` (the member pages'
 * twins, the alarm path's watch), the names the pipeline's watch pages on when anyone else makes or changes
 * such a rule (pipeline-watch.ts rulePrefixes). For a rule's target or dead-letter queue, EventBridge's
 * aws:SourceArn is the rule's ARN (as the topics' policies already read it, pipeline-watch.ts). The archive
 * has its own statement (the bus's encryption context), untouched.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEPLOY_CONTEXT, type Statement, synthesizedApp } from '../support/infra.js';
import { resolve } from './dynamodb-iam.js';

const base = { partition: 'aws', region: DEPLOY_CONTEXT.region, account: DEPLOY_CONTEXT.account };
const app = synthesizedApp({ ...DEPLOY_CONTEXT, backupVaultLock: 'true' });
const state = Template.fromStack(app.stateful);
const keys = state.findResources('AWS::KMS::Key');
const keyId = (description: string) => {
  const found = Object.entries(keys).find(([, k]) => String(k.Properties.Description).startsWith(description));
  if (!found) throw new Error(`no key described ${description}`);
  return found[0];
};
const REGISTER_KEY = keyId('datalek: incidents, breach register');
const ALARM_KEY = keyId('datalek: the on-call alarm topic');
const statementOf = (key: string) =>
  (keys[key].Properties.KeyPolicy.Statement as Statement[]).find((st) => st.Sid === 'EventBridgeOfThisAccountToEncryptedQueues');
const like = (pattern: string, arn: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.?+^$()[\]{}|\\/]/g, '\\$&'))
      .join('.*')}$`,
  ).test(arn);
const sources = (key: string): string[] => [statementOf(key)?.Condition?.ArnLike?.['aws:SourceArn'] ?? []].flat().map((p) => resolve(p, base));
const ruleArn = (bus: string, name: string) => `arn:aws:events:${base.region}:${base.account}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
/** The topics' names under `key` (targets in the response stack name them by ARN). */
const topicsUnder = (key: string) =>
  Object.entries(state.findResources('AWS::SNS::Topic')).filter(([, t]) => JSON.stringify(t.Properties.KmsMasterKeyId).includes(key));

/** Every rule of the pipeline's stacks (its ARN, as CloudFormation names it) whose target or dead-letter queue is under `key`. */
function rulesUsing(key: string): string[] {
  const arns: string[] = [];
  for (const stack of [app.stateful, app.response]) {
    const template = Template.fromStack(stack);
    const queues = Object.entries(template.findResources('AWS::SQS::Queue')).filter(([, q]) => JSON.stringify(q.Properties.KmsMasterKeyId).includes(key));
    const under = (ref: unknown) => {
      const text = JSON.stringify(ref ?? null);
      return (
        queues.some(([id]) => text.includes(`"${id}"`)) ||
        topicsUnder(key).some(([id, t]) => text.includes(`"${id}"`) || text.includes(`:${t.Properties.TopicName}"`))
      );
    };
    for (const [id, rule] of Object.entries(template.findResources('AWS::Events::Rule'))) {
      if (!(rule.Properties.Targets as { Arn: unknown; DeadLetterConfig?: { Arn: unknown } }[]).some((t) => under(t.Arn) || under(t.DeadLetterConfig?.Arn)))
        continue;
      const bus = rule.Properties.EventBusName === undefined ? 'default' : resolve(rule.Properties.EventBusName, base).split('/').pop();
      // CloudFormation names an unnamed rule `<stack>-<logical id, cut>-<random>`.
      const name = rule.Properties.Name === undefined ? `${stack.stackName}-${id.slice(0, 20)}-ABCDEFGH` : String(rule.Properties.Name);
      arns.push(ruleArn(String(bus), name));
    }
  }
  return arns;
}

describe.each([
  ['register', REGISTER_KEY],
  ['alarm', ALARM_KEY],
])("the %s key's EventBridge use (sec27)", (_, key) => {
  it('is for rules of this account only, and only the pipeline’s own', () => {
    expect(statementOf(key)?.Condition?.StringEquals).toEqual({ 'aws:SourceAccount': base.account });
    for (const other of [ruleArn('default', 'billing-to-queue'), ruleArn('datalek', 'someone-else'), ruleArn('default', 'DatalekStateX-rule')])
      expect(
        sources(key).some((p) => like(p, other)),
        other,
      ).toBe(false);
  });

  it("names every rule of the pipeline's stacks whose target or dead-letter queue is under it, by the name it has or CloudFormation gives it", () => {
    const using = rulesUsing(key);
    expect(using.length).toBeGreaterThan(0);
    for (const arn of using)
      expect(
        sources(key).some((p) => like(p, arn)),
        arn,
      ).toBe(true);
  });
});
