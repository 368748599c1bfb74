/**
 * The watch of the alarm path itself, in the central region: the pipeline watch pages through the
 * alarm topic (under the alarms' key), so a call that breaks that topic, its key, the watch's own
 * alarms or the watch rules would silence the very page that should tell of it. This rule matches
 * those calls and sends them to the pages' topic (`datalek-on-call`, under the pipeline key)
 * instead: a path that shares nothing with what was changed. The pipeline watch in turn pages
 * through the alarm path on calls that break the pages' topic and key, and on this rule: silencing
 * both paths takes a call on each, and the first pages through the other.
 */
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { deployRoleArn, notByDeployment } from '../deploy-role.js';
import { ALARM_NAME_PREFIX, ALARM_TOPIC_NAME, ALARMS_UNDELIVERED_ALARM, onCallAlarm, ruleMetric } from './alarms.js';
import { pageCaller } from './page-caller.js';
import {
  alarmCalls,
  alarmChanges,
  keyCalls,
  pipelineCallsOnly,
  ruleCalls,
  ruleChanges,
  topicCalls,
  topicChanges,
  WATCH_ALARM_NAME,
  WATCH_RULE_PREFIX,
} from './pipeline-watch.js';

/** The rule's fixed name: `datalek-*`, so the pipeline watch sees calls on it. */
export const ALARM_PATH_RULE_NAME = 'datalek-watch-alarm-path';

/** The rule that sends the alarm topic's own delivery failures to the pages' topic. */
export const ALARM_DELIVERY_RULE_NAME = 'datalek-watch-alarm-delivery';

/** The calls that break the alarm path, as one EventBridge pattern. */
export function alarmPathPattern(props: { alarmKeyId: string; byHandOf: Record<string, unknown>; account?: string }): Record<string, unknown> {
  // The watch rules (and this one): `datalek-watch-*`.
  const rules = [{ prefix: WATCH_RULE_PREFIX }];
  // The watch's alarm, and the watch rules' undelivered alarms (`datalek-watch-…`).
  const alarms = [`${ALARM_NAME_PREFIX}${WATCH_ALARM_NAME}`, { prefix: `${ALARM_NAME_PREFIX}watch-` }];
  // The pipeline account's calls alone where members forward theirs (their alarms and alarm topic, named as this
  // one: readE16 E1, `pipelineCallsOnly`), on every branch (deploy20): a member's admin may widen its forwarding
  // rule (which pages once) and stop a rule of its own named `datalek-watch-…` in a loop, each call a page through
  // here, past the member-pages bound. Once, beside the branches (within EventBridge's 2,048 characters).
  const only = pipelineCallsOnly(props.account);
  return {
    'detail-type': ['AWS API Call via CloudTrail'],
    ...(Object.keys(only).length ? { detail: only } : {}),
    $or: [
      ruleCalls(rules),
      alarmCalls(alarms),
      // A new subscriber silences nothing: datalek-watch-paging pages on it (within EventBridge's 2,048 characters here).
      topicCalls(ALARM_TOPIC_NAME, { subscribe: false }),
      keyCalls([props.alarmKeyId]),
      // The changes a deployment makes too, by anyone but datalek's (the excuse written once: deploy-role.ts).
      { detail: { userIdentity: props.byHandOf, $or: [ruleChanges(rules), alarmChanges(alarms), topicChanges(ALARM_TOPIC_NAME)] } },
    ],
  };
}

export interface AlarmPathWatchProps {
  alarmTopic: sns.ITopic;
  alarmKey: kms.IKey;
  /** Where these calls page: the pages' topic, under another key than the alarms'. */
  pagesTopic: sns.Topic;
}

export class AlarmPathWatch extends Construct {
  public readonly rule: events.Rule;
  /** The alarm topic's delivery failures, to the pages' topic. */
  public readonly deliveryRule: events.Rule;

  constructor(scope: Construct, id: string, props: AlarmPathWatchProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: ALARM_PATH_RULE_NAME,
      description: "datalek: calls that break the on-call alarms' own path, paged through the pages' topic (README, Deploy)",
      eventPattern: { source: ['aws.events'] },
    });
    (this.rule.node.defaultChild as events.CfnRule).eventPattern = alarmPathPattern({
      alarmKeyId: props.alarmKey.keyId,
      byHandOf: notByDeployment(deployRoleArn(this)),
      account: Stack.of(this).account,
    });
    // A subscriber of the alarm topic not reached (its e-mail, the pager's URL) may be the one
    // that pages at night: the alarm about it goes to the pages' topic as well, when it is raised.
    this.deliveryRule = new events.Rule(this, 'DeliveryRule', {
      ruleName: ALARM_DELIVERY_RULE_NAME,
      description: "datalek: the on-call alarm topic failed to deliver, paged through the pages' topic (README, Deploy)",
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        // The alarm on the alarm topic's failed deliveries (stateful-stack.ts), raised.
        detail: { alarmName: [`${ALARM_NAME_PREFIX}${ALARMS_UNDELIVERED_ALARM}`], state: { value: ['ALARM'] } },
      },
    });
    // These rules alone may publish (EventBridge's "Cross-service confused deputy prevention"); the
    // topic's key already lets this account's EventBridge use it (protected-key.ts).
    props.pagesTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmPathWatchOnly',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [props.pagesTopic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': [this.rule.ruleArn, this.deliveryRule.ruleArn] } },
      }),
    );
    const field = (path: string) => events.EventField.fromPath(path);
    const message = events.RuleTargetInput.fromText(
      `datalek ALARM PATH: ${field('$.detail.eventName')} by ${pageCaller()} at ${field('$.time')} in ${field('$.region')}. This call can keep every datalek alarm from reaching you (the datalek-on-call-alarms topic, its key, the watch rules or their alarm). Look the event up in CloudTrail (Event history, by its id: who, from where, what exactly), put it right, and check GuardDuty for findings since (README, Deploy: When findings stop arriving).`,
    );
    const topicArn = props.pagesTopic.topicArn;
    this.rule.addTarget({ bind: () => ({ arn: topicArn, input: message }) });
    this.deliveryRule.addTarget({
      bind: () => ({
        arn: topicArn,
        input: events.RuleTargetInput.fromText(
          `datalek ALARMS UNDELIVERED: ${field('$.detail.alarmName')} at ${field('$.time')} in ${field('$.region')}: SNS could not deliver alarms of the datalek-on-call-alarms topic to one of its subscribers, so an alarm may have reached no one. Check that topic's subscriptions (an e-mail never confirmed or bouncing, the pager's CloudWatch integration URL failing, SMS over the monthly spend limit or in the SMS sandbox), then look at the datalek-* alarms in ALARM in CloudWatch (README, Deploy: Where the alarms go).`,
        ),
      }),
    });
    onCallAlarm(this, 'DeliveryUndeliveredAlarm', {
      name: 'watch-alarm-delivery-undelivered',
      description: `datalek: the ${ALARM_DELIVERY_RULE_NAME} rule could NOT publish to the pages' topic that the alarm topic failed to deliver (its policy or key changed?): check both topics' subscriptions and policies`,
      metric: ruleMetric(this.deliveryRule, 'FailedInvocations'),
      topic: props.alarmTopic,
    });
    onCallAlarm(this, 'UndeliveredAlarm', {
      name: 'watch-alarm-path-undelivered',
      description: `datalek: the ${ALARM_PATH_RULE_NAME} rule matched a call that can silence the alarms, and could NOT publish it to the pages' topic (its policy or key changed?): look the call up in CloudTrail (Event history) and put both right`,
      metric: ruleMetric(this.rule, 'FailedInvocations'),
      topic: props.alarmTopic,
    });
  }
}
