/**
 * read14c C4: 638623d gives DatalekIamForward (us-east-1) an alarm topic of its own,
 * `datalek-on-call-alarms`, with on-call's e-mail subscribed. The pipeline account's SCP denies
 * `sns:Unsubscribe`/`sns:SetSubscriptionAttributes` on `arn:*:sns:*:<account>:datalek-*` (any
 * region) to all but "the deployment" and break-glass, where the deployment is the execution role
 * of each stack in `deploymentScp`'s list: stateful, response, forwarders, members; not
 * DatalekIamForward. So CloudFormation in us-east-1 (cdk-datalek-cfn-exec-role-<account>-us-east-1)
 * may not unsubscribe its own stack's subscription: changing onCallEmail (the subscription is
 * replaced) or removing the stack fails on the SCP. Now that role is excused for the topics'
 * subscriptions only: it deploys nothing else the policy guards.
 *
 * fgsec15 S1: DatalekIamForward's boundary is named `datalek-iam-forward-boundary` now (a generated name
 * was neither denied nor paged), and CloudFormation updates it with a new version: that role is excused
 * for the versions of `datalek-*` policies too, in the same statement, and (fgsec16 S2) for its stack's
 * rules (deploy19: in the same statement, by its region); still for nothing else.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { expect, it } from 'vitest';
import { deploymentRoleName, deploymentScp } from '../../infra/pipeline-scp.js';
import { DEPLOY_CONTEXT, type Statement, synthesizedApp } from '../support/infra.js';
import { allowed } from './dynamodb-iam.js';

const built = synthesizedApp();

it("the SCP lets DatalekIamForward's own deployment manage its datalek-* topic's subscriptions", () => {
  expect(built.iamForward, 'premise: us-east-1 is no pipeline region, so DatalekIamForward is built').toBeDefined();
  const forward = Template.fromStack(built.iamForward as NonNullable<typeof built.iamForward>);
  const topics = Object.values(forward.findResources('AWS::SNS::Topic')).map((r) => (r as { Properties: { TopicName?: string } }).Properties.TopicName);
  expect(topics, 'premise: a datalek-* topic in us-east-1').toContain('datalek-on-call-alarms');
  expect(Object.keys(forward.findResources('AWS::SNS::Subscription')).length, "premise: on-call's e-mail is subscribed there").toBeGreaterThan(0);

  const scp = deploymentScp(built) as { Statement: { Sid: string; Action: string[]; Condition?: { ArnNotLike?: Record<string, string[]> } }[] };
  const usEast1 = `arn:*:iam::${DEPLOY_CONTEXT.account}:role/cdk-datalek-cfn-exec-role-${DEPLOY_CONTEXT.account}-us-east-1`;
  // infra16: the other regions' statement (their topics' subscriptions, alarms, boundaries and forward roles), not the central one.
  const subs = scp.Statement.find((s) => s.Action.includes('sns:Unsubscribe') && s.Condition?.ArnNotLike?.['aws:PrincipalArn']?.includes(usEast1));
  expect(subs?.Sid, 'the us-east-1 execution role, which deploys DatalekIamForward, may not unsubscribe its own subscription').toBe(
    'DatalekOtherRegionsPathOnlyByTheirDeploymentOrBreakGlass',
  );
  expect(JSON.stringify(subs)).toContain('arn:*:sns:us-east-1:');
  // fgsec16 S2: and its stack's rules (datalek-iam-forward, datalek-iam-guard), which it deploys: in the same statement,
  // by its region (deploy19: a statement of their own excused every region's deployment for every region's rules).
  expect(subs?.Action).toContain('events:DisableRule');
  expect(JSON.stringify(subs)).toContain('arn:*:events:us-east-1:*:rule/datalek*');
  const others = scp.Statement.filter((s) => s !== subs).flatMap((s) => s.Condition?.ArnNotLike?.['aws:PrincipalArn'] ?? []);
  expect(
    others.filter((r) => r.endsWith('-us-east-1')),
    'nothing else the SCP guards is excused to it',
  ).toEqual([]);
});

it("lets each region's deployment, us-east-1's among them, make, choose and delete versions of its own stack's managed policies, and no one else but break-glass (fgsec15 S1)", () => {
  const account = DEPLOY_CONTEXT.account;
  const base = { partition: 'aws', region: DEPLOY_CONTEXT.region, account };
  const scp = deploymentScp(built) as { Statement: Statement[] };
  const underScp = (action: string, resource: string, principal: string) =>
    allowed(
      { action, resource, context: { 'aws:PrincipalArn': principal }, what: `${principal} ${action} ${resource}` },
      [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...scp.Statement]],
      base,
    );
  const role = (name: string) => `arn:aws:iam::${account}:role/${name}`;
  const refused: string[] = [];
  const versioned = [built.stateful, built.response, ...built.forwarders, ...(built.iamForward ? [built.iamForward] : [])].flatMap((stack) =>
    Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy')).map((p) => {
      const arn = `arn:aws:iam::${account}:policy/${p.Properties.ManagedPolicyName}`;
      for (const action of ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion']) {
        for (const who of [deploymentRoleName(stack, account) as string, DEPLOY_CONTEXT.breakGlassRole])
          if (!underScp(action, arn, role(who))) refused.push(`${who} ${action} ${arn}`);
        expect(underScp(action, arn, role('Admin')), `Admin ${action} ${arn}`).toBe(false);
      }
      return arn;
    }),
  );
  expect(versioned).toContain(`arn:aws:iam::${account}:policy/datalek-iam-forward-boundary`);
  expect(versioned).toContain(`arn:aws:iam::${account}:policy/datalek-forward-boundary-${DEPLOY_CONTEXT.forwardFrom}`);
  expect(refused).toEqual([]);
});
