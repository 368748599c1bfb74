/**
 * Alarms to on-call, and the topic side of delivering them. In every region the alarms have their
 * own topic, `datalek-on-call-alarms`, under a key of its own: never the topic and key the pages
 * use, so that a broken page path (its topic, its key policy, its subscription) does not silence
 * the alarms that would say so (CloudWatch raises nothing when an alarm action fails). A CloudWatch alarm publishes to SNS as
 * the service principal `cloudwatch.amazonaws.com`: without a topic policy that allows it, every
 * alarm action fails silently (the KMS side alone is not enough). The allowance is limited to this
 * account's alarms whose names start with `datalek-`, in the topic's region (alarms can only
 * notify a topic in their own region).
 */
import { Annotations, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** The alarm topic's name, the same in every region. */
export const ALARM_TOPIC_NAME = 'datalek-on-call-alarms';

/** Every alarm of the app is named `datalek-…`; the topics allow exactly those. */
export const ALARM_NAME_PREFIX = 'datalek-';

/** Only this account's `datalek-*` alarms in the scope's region (confused-deputy conditions). */
function ownAlarms(scope: Construct) {
  const stack = Stack.of(scope);
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:${ALARM_NAME_PREFIX}*` },
  };
}

/** Lets this account's `datalek-*` alarms in the topic's region publish to it. */
export function allowAlarmsToPublish(topic: sns.Topic): void {
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsOfThisPipeline',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: ownAlarms(topic),
    }),
  );
}

/**
 * The KMS side of an alarm publishing to a topic encrypted with `key`: the same alarms only. The
 * key also encrypts the register; without the conditions any CloudWatch alarm, of any account,
 * could have the key used on its behalf.
 */
export function allowAlarmsToUseKey(key: kms.Key): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsOfThisPipelineToEncryptedTopic',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: ownAlarms(key),
    }),
  );
}

export interface OnCallAlarmProps {
  /** The alarm's name after `datalek-`, unique in the account and region. */
  name: string;
  description: string;
  metric: cloudwatch.IMetric;
  topic: sns.ITopic;
  /** @default 1 */
  threshold?: number;
}

/** An alarm that pages on-call at the first occurrence (missing data is not a breach). */
export function onCallAlarm(scope: Construct, id: string, props: OnCallAlarmProps): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmName: `${ALARM_NAME_PREFIX}${props.name}`,
    alarmDescription: props.description,
    metric: props.metric,
    threshold: props.threshold ?? 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new actions.SnsAction(props.topic));
  return alarm;
}

/** Five minutes, the period of every alarm here. */
export const ALARM_PERIOD = Duration.minutes(5);

/**
 * What a dead-letter queue's alarm counts (review11 K3): the messages waiting in it, and those sent
 * to it in the period. A message received is in flight, not visible, for its visibility timeout
 * (up to 12 hours, and again), and one deleted is gone: a poller with `sqs:ReceiveMessage` kept the
 * depth at 0 and the alarm quiet. A message sent is counted as it arrives, whatever becomes of it
 * (Lambda and EventBridge send to a dead-letter queue with SendMessage; SQS leaves out of this
 * metric only messages its own redrive policy moves, none here). Missing data counts as none.
 */
export function deadLettersMetric(queue: sqs.IQueue): cloudwatch.IMetric {
  return new cloudwatch.MathExpression({
    expression: 'FILL(waiting, 0) + FILL(arrived, 0)',
    usingMetrics: {
      waiting: queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD }),
      arrived: queue.metricNumberOfMessagesSent({ period: ALARM_PERIOD, statistic: 'Sum' }),
    },
    period: ALARM_PERIOD,
    label: 'dead letters waiting or arrived',
  });
}

/**
 * A metric EventBridge keeps per rule (`ThrottledRules`, `InvocationsFailedToBeSentToDlq`, …),
 * summed over ALARM_PERIOD. A rule on a custom bus is named in its metrics by the bus and the
 * rule's name, and its `Ref` (`ruleName` here) is `bus|name`: the name is its second part.
 */
export function ruleMetric(rule: events.IRule, metricName: string, bus?: events.IEventBus): cloudwatch.Metric {
  const dimensionsMap: cloudwatch.DimensionsMap = bus
    ? { EventBusName: bus.eventBusName, RuleName: Fn.select(1, Fn.split('|', rule.ruleName)) }
    : { RuleName: rule.ruleName };
  return new cloudwatch.Metric({ namespace: 'AWS/Events', metricName, dimensionsMap, statistic: 'Sum', period: ALARM_PERIOD });
}

/**
 * Pages when a rule's event could be neither delivered to its target nor put in the target's
 * dead-letter queue (the queue's key or policy broken): the event is gone, and this is the only
 * trace of it.
 */
export function lostEventsAlarm(
  scope: Construct,
  id: string,
  props: { name: string; rule: events.IRule; bus?: events.IEventBus; what: string; topic: sns.ITopic },
): cloudwatch.Alarm {
  return onCallAlarm(scope, id, {
    name: `${props.name}-lost`,
    description: `datalek: ${props.what} could be neither delivered nor put in the dead-letter queue: they are LOST; look them up in the GuardDuty console (or the pipeline's event archive) and answer them by hand`,
    metric: ruleMetric(props.rule, 'InvocationsFailedToBeSentToDlq', props.bus),
    topic: props.topic,
  });
}

export interface HeartbeatAlarmProps {
  /** The alarm's name after `datalek-`. */
  name: string;
  description: string;
  /** Invocations of a scheduled function: missing data is the breach. */
  metric: cloudwatch.IMetric;
  topic: sns.ITopic;
  /** Periods of ALARM_PERIOD without a single invocation before it pages. */
  periods: number;
}

/**
 * An alarm that pages when a scheduled job stops running at all: its rule disabled or deleted, its
 * function throttled to nothing. Failures page through the errors alarm; silence pages here, since
 * no data is exactly what a stopped job produces.
 */
export function heartbeatAlarm(scope: Construct, id: string, props: HeartbeatAlarmProps): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmName: `${ALARM_NAME_PREFIX}${props.name}`,
    alarmDescription: props.description,
    metric: props.metric,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: props.periods,
    datapointsToAlarm: props.periods,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
  alarm.addAlarmAction(new actions.SnsAction(props.topic));
  return alarm;
}

/**
 * Says at synth when a topic gets no subscription from the deployment: every alarm (or page)
 * would go to a topic nobody reads until someone subscribes by hand (or routes it to a pager or chat).
 */
export function warnIfUnsubscribed(topic: sns.Topic, subscribed: boolean, what: 'alarms' | 'pages'): void {
  if (subscribed) return;
  Annotations.of(topic).addWarningV2(
    `datalek:${what}-topic-unsubscribed`,
    `${topic.node.path}: no -c onCallEmail${what === 'alarms' ? ' or alarmPagerUrl' : ''}, so no one receives the ${what} published here until you subscribe on-call to the topic (e-mail, ${what === 'alarms' ? "the pager's CloudWatch integration" : 'the pager'}, or AWS Chatbot)`,
  );
}

export interface AlarmTopicProps {
  /** The topic's own key: not the one that encrypts the pages' topic. */
  key: kms.Key;
  onCallEmail?: string;
  /** The pager's CloudWatch integration (HTTPS), when the deployment gives it. */
  alarmPagerUrl?: string;
  /** Whether the policy pages through PagerDuty or Opsgenie: the alarms should reach it too. */
  pager: boolean;
}

/**
 * The region's `datalek-on-call-alarms` topic: encrypted with its own key, TLS only, open to this
 * account's `datalek-*` alarms, with on-call's e-mail and the pager's CloudWatch integration
 * subscribed when given.
 */
export function alarmTopic(scope: Construct, id: string, props: AlarmTopicProps): sns.Topic {
  allowAlarmsToUseKey(props.key);
  const topic = new sns.Topic(scope, id, {
    topicName: ALARM_TOPIC_NAME,
    displayName: `datalek on-call alarms (${Stack.of(scope).region})`,
    masterKey: props.key,
    enforceSSL: true,
  });
  if (props.onCallEmail) topic.addSubscription(new subscriptions.EmailSubscription(props.onCallEmail));
  // PagerDuty and Opsgenie confirm the subscription themselves and read CloudWatch's alarm messages.
  if (props.alarmPagerUrl) topic.addSubscription(new subscriptions.UrlSubscription(props.alarmPagerUrl, { protocol: sns.SubscriptionProtocol.HTTPS }));
  allowAlarmsToPublish(topic);
  warnIfUnsubscribed(topic, Boolean(props.onCallEmail || props.alarmPagerUrl), 'alarms');
  if (props.pager && !props.alarmPagerUrl) {
    Annotations.of(topic).addWarningV2(
      'datalek:alarms-not-on-pager',
      `${topic.node.path}: the policy pages on-call through a pager, but the alarms do not reach the pager: add its CloudWatch integration and pass -c alarmPagerUrl=<its https address> (README, Deploy), or subscribe it to this topic by hand`,
    );
  }
  return topic;
}

/** The alarm on the alarm topic's own failed deliveries, in every region (after `datalek-`). */
export const ALARMS_UNDELIVERED_ALARM = 'alarms-undelivered';

/** What SNS's delivery failures of a topic mean, and what to check, by the alarm's name after `datalek-`. */
export interface DeliveryAlarmProps {
  /** The alarm's name after `datalek-`. */
  name: string;
  /** The topic whose deliveries are watched. */
  watched: sns.ITopic;
  /** Who stops hearing when they fail. */
  what: string;
  /** Where the alarm goes: never `watched` itself unless no other path exists (then its other subscribers still hear). */
  topic: sns.ITopic;
}

/**
 * Pages when SNS could not deliver a message of a topic to one of its subscriptions: datalek
 * counts a page or an FG message sent once SNS took it, and what SNS then fails to deliver (after
 * its retries) is dropped, with every clock and alarm quiet.
 */
export function deliveryFailedAlarm(scope: Construct, id: string, props: DeliveryAlarmProps): cloudwatch.Alarm {
  return onCallAlarm(scope, id, {
    name: props.name,
    description: `datalek: SNS could NOT deliver ${props.what} to a subscriber (NumberOfNotificationsFailed of the topic this alarm names): someone did not get them. Check the topic's subscriptions: an e-mail never confirmed or bouncing, a pager or chat (HTTPS, AWS Chatbot) endpoint failing or its URL changed, SMS over the account's monthly SMS spend limit or still in the SMS sandbox (verified numbers only); the topic's delivery logs (SNS delivery status logging) say which. Read what was sent in the datalek CLI (datalek show) and tell those who missed it`,
    metric: props.watched.metricNumberOfNotificationsFailed({ period: ALARM_PERIOD, statistic: 'Sum' }),
    topic: props.topic,
  });
}
