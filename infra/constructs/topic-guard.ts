/**
 * Who of the account may subscribe to and publish on a datalek topic (review7 G14; closing note,
 * Still left). A topic's Allows only let services in; an account principal with `sns:*` in its own
 * policy could still add a listener (every page with its acknowledgement link, every FG message) or
 * publish a forged page. Two Denies in the topic's policy:
 * - `sns:Subscribe`: for all but the roles that may change what protects the evidence
 *   (`policyChangers`: the stack's CloudFormation execution role, which makes the stack's own
 *   subscriptions, and the break-glass role, which subscribes by hand where no address was given).
 *   Each Subscribe pages besides (pipeline-watch.ts `topicCalls`).
 * - `sns:Publish`: for all account principals but the roles named (the functions granted it; the
 *   on-call role, as whose `datalek … --target aws` tells the FG and on-call) and the break-glass
 *   role. Services (CloudWatch's alarms, EventBridge's rules: `aws:PrincipalIsAWSService`) are not
 *   denied: their own Allows here name the alarms and rules that may publish.
 * - the calls that break the topic for everyone (review11 K2): deleting it, replacing its attributes
 *   (its policy: a Deny of every Publish, which replaces these Denies too; its key: one the alarms
 *   may not use), a data protection policy that denies what is published, a statement of its
 *   policy removed or added by label: for all but `policyChangers`, as the keys' Denies
 *   (protected-key.ts). Each pages besides (pipeline-watch.ts `topicCalls`, `topicChanges`), but
 *   only through these topics, after CloudTrail's delay: two such calls a second apart, one per
 *   alarm topic, silenced every page before either was told.
 * Not confirmed on real AWS (that SNS fills `aws:PrincipalIsAWSService` for an alarm's publish).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { breakGlassRoleArn, policyChangers } from './protected-key.js';

/** The handlers whose functions publish on the FG's and on-call's topics (response-stack.ts grants them). */
export const MESSAGE_PUBLISHERS = ['notify', 'sweep'] as const;

/** The topic actions a topic policy takes that break the topic for every subscriber and publisher (review11 K2). */
const TOPIC_BREAKING_ACTIONS = ['sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:PutDataProtectionPolicy', 'sns:RemovePermission', 'sns:AddPermission'];

export interface TopicGuardProps {
  breakGlassRole: string;
  /** The roles of this account (by name) that publish on the topic. */
  publishers: string[];
}

export function guardTopic(topic: sns.Topic, props: TopicGuardProps): void {
  const stack = Stack.of(topic);
  const role = (name: string) => `arn:${stack.partition}:iam::${stack.account}:role/${name}`;
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyTheStackSubscribes',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['sns:Subscribe'],
      resources: [topic.topicArn],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': policyChangers(topic, props.breakGlassRole) } },
    }),
  );
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyTheStackChangesTheTopic',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: TOPIC_BREAKING_ACTIONS,
      resources: [topic.topicArn],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': policyChangers(topic, props.breakGlassRole) } },
    }),
  );
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyDatalekPublishes',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ArnNotEquals: { 'aws:PrincipalArn': [...props.publishers.map(role), breakGlassRoleArn(topic, props.breakGlassRole)] },
        Bool: { 'aws:PrincipalIsAWSService': 'false' },
      },
    }),
  );
}
