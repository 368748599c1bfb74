/**
 * Pages on-call when someone makes a call that stops findings from reaching the pipeline, in a
 * region: nothing fails then, no function errs, and "no incident" reads as "no breach" while the
 * register (Art. 33(5)) silently stops being complete. An EventBridge rule on the region's
 * CloudTrail management events ("AWS API Call via CloudTrail", which EventBridge receives where a
 * trail records management events) matches exactly those calls:
 * - a datalek rule disabled (DisableRule, or PutRule with state DISABLED), deleted, or its targets removed;
 * - GuardDuty's detector deleted or suspended (UpdateDetector enable=false), how often it
 *   publishes changed, members disassociated, deleted or no longer monitored, this account leaving
 *   its administrator, a suppression rule (filter with action ARCHIVE: suppressed findings never
 *   reach EventBridge) made or changed;
 * - a datalek function set to reserved concurrency 0, deleted (or its URL, concurrency or invoke
 *   configuration), or a permission removed from it (EventBridge could no longer invoke it).
 * Each matched call waits in an encrypted queue (the whole CloudTrail event: who, from where;
 * kept 14 days) whose depth alarm pages through the alarm path and stays raised until on-call has
 * read and deleted the messages. A deployment's own changes are not these calls, except deleting a
 * stack, which should page.
 */
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALARM_PERIOD, onCallAlarm } from './alarms.js';
import { eventQueue } from './queue.js';

/** The watch rule's fixed name: `datalek-*`, so that disabling it is itself a watched call while it runs. */
export const WATCH_RULE_NAME = 'datalek-watch-pipeline';

export interface PipelineWatchProps {
  /** Name prefixes of this region's datalek rules (the watch rule's own included by `datalek-`). */
  rulePrefixes: string[];
  /** Name patterns of this region's datalek functions (EventBridge `wildcard`: a call may name a function by name or ARN); none in a forwarder region. */
  functionWildcards: string[];
  /** Encrypts the queue (CloudTrail events name the caller); EventBridge must be allowed to use it. */
  key: kms.IKey;
  alarmTopic: sns.ITopic;
}

/** The CloudTrail calls that can silence the pipeline, as one EventBridge pattern. */
export function pipelineWatchPattern(props: Pick<PipelineWatchProps, 'rulePrefixes' | 'functionWildcards'>): Record<string, unknown> {
  const rules = props.rulePrefixes.map((prefix) => ({ prefix }));
  const functions = props.functionWildcards.map((wildcard) => ({ wildcard }));
  const calls: Record<string, unknown>[] = [
    {
      source: ['aws.events'],
      detail: {
        eventSource: ['events.amazonaws.com'],
        $or: [
          { eventName: ['DisableRule', 'DeleteRule'], requestParameters: { name: rules } },
          { eventName: ['PutRule'], requestParameters: { name: rules, state: ['DISABLED'] } },
          { eventName: ['RemoveTargets'], requestParameters: { rule: rules } },
        ],
      },
    },
    {
      source: ['aws.guardduty'],
      detail: {
        eventSource: ['guardduty.amazonaws.com'],
        $or: [
          {
            eventName: [
              'DeleteDetector',
              'DisassociateMembers',
              'DeleteMembers',
              'StopMonitoringMembers',
              'DisassociateFromAdministratorAccount',
              'DisassociateFromMasterAccount',
            ],
          },
          { eventName: ['UpdateDetector'], requestParameters: { enable: [false] } },
          { eventName: ['UpdateDetector'], requestParameters: { findingPublishingFrequency: [{ exists: true }] } },
          { eventName: ['CreateFilter', 'UpdateFilter'], requestParameters: { action: ['ARCHIVE'] } },
        ],
      },
    },
  ];
  if (functions.length) {
    // Lambda's CloudTrail event names carry the API version: PutFunctionConcurrency20171031.
    calls.push({
      source: ['aws.lambda'],
      detail: {
        eventSource: ['lambda.amazonaws.com'],
        $or: [
          { eventName: [{ prefix: 'PutFunctionConcurrency' }], requestParameters: { functionName: functions, reservedConcurrentExecutions: [0] } },
          { eventName: [{ prefix: 'DeleteFunction' }, { prefix: 'RemovePermission' }], requestParameters: { functionName: functions } },
        ],
      },
    });
  }
  return { 'detail-type': ['AWS API Call via CloudTrail'], $or: calls };
}

export class PipelineWatch extends Construct {
  public readonly rule: events.Rule;
  /** The matched calls, for on-call to read; its depth is the page. */
  public readonly queue: sqs.Queue;
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PipelineWatchProps) {
    super(scope, id);
    this.queue = eventQueue(this, 'Calls', props.key);
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: WATCH_RULE_NAME,
      description: 'datalek: calls that stop GuardDuty findings from reaching the pipeline (README, Deploy)',
      // Set below: CDK's pattern type has no top-level $or.
      eventPattern: { source: ['aws.events'] },
    });
    (this.rule.node.defaultChild as events.CfnRule).eventPattern = pipelineWatchPattern(props);
    // Not targets.SqsQueue: for an encrypted queue it lets EventBridge send for any rule. This
    // rule's only (EventBridge's "Cross-service confused deputy prevention": the rule's ARN).
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'WatchRuleOnly',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.rule.ruleArn } },
      }),
    );
    const queue = this.queue;
    this.rule.addTarget({ bind: () => ({ arn: queue.queueArn }) });
    this.alarm = onCallAlarm(this, 'ChangedAlarm', {
      name: 'pipeline-changed',
      description:
        'datalek: a call was made that can stop GuardDuty findings from reaching the pipeline (a datalek rule disabled, deleted or emptied; the GuardDuty detector deleted, suspended or its publishing changed; members disassociated; a suppression rule; a datalek function stopped or deleted). Read the messages of the queue this alarm names (each a CloudTrail event: the call, who, from where), put it right, check GuardDuty for findings since, then delete the messages: the alarm stays raised until then',
      metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      topic: props.alarmTopic,
    });
  }
}
