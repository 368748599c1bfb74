/**
 * sec27: the register's key let this account's EventBridge generate data keys and decrypt for any rule of the
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
const [registerKey] = Object.values(
  state.findResources('AWS::KMS::Key', {
    Properties: { Description: 'datalek: incidents, breach register, FG and on-call messages, event archive, dead-letter queues' },
  }),
);
const statement = (registerKey.Properties.KeyPolicy.Statement as Statement[]).find((st) => st.Sid === 'EventBridgeOfThisAccountToEncryptedQueues');
const like = (pattern: string, arn: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.?+^$()[\]{}|\\/]/g, '\\$&'))
      .join('.*')}$`,
  ).test(arn);
const sources = (): string[] => [statement?.Condition?.ArnLike?.['aws:SourceArn'] ?? []].flat().map((p) => resolve(p, base));
const ruleArn = (bus: string, name: string) => `arn:aws:events:${base.region}:${base.account}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;

describe("the register key's EventBridge use (sec27)", () => {
  it('is for rules of this account only, and only the pipeline’s own', () => {
    expect(statement?.Condition?.StringEquals).toEqual({ 'aws:SourceAccount': base.account });
    for (const other of [ruleArn('default', 'billing-to-queue'), ruleArn('datalek', 'someone-else'), ruleArn('default', 'DatalekStateX-rule')])
      expect(
        sources().some((p) => like(p, other)),
        other,
      ).toBe(false);
  });

  it("names every rule of the pipeline's stacks, by the name it has or CloudFormation gives it", () => {
    for (const stack of [app.stateful, app.response]) {
      for (const [id, rule] of Object.entries(Template.fromStack(stack).findResources('AWS::Events::Rule'))) {
        const bus = rule.Properties.EventBusName === undefined ? 'default' : resolve(rule.Properties.EventBusName, base).split('/').pop();
        // CloudFormation names an unnamed rule `<stack>-<logical id, cut>-<random>`.
        const name = rule.Properties.Name === undefined ? `${stack.stackName}-${id.slice(0, 20)}-ABCDEFGH` : String(rule.Properties.Name);
        const arn = ruleArn(String(bus), name);
        expect(
          sources().some((p) => like(p, arn)),
          arn,
        ).toBe(true);
      }
    }
  });
});
