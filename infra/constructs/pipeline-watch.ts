/**
 * Pages on-call when someone makes a call that stops findings from reaching the pipeline, in a
 * region: nothing fails then, no function errs, and "no incident" reads as "no breach" while the
 * register (Art. 33(5)) silently stops being complete. An EventBridge rule on the region's
 * CloudTrail management events ("AWS API Call via CloudTrail", which EventBridge receives where a
 * trail records management events) matches exactly those calls:
 * - a datalek rule disabled (DisableRule, or PutRule with state DISABLED), deleted, or its targets
 *   removed; its pattern or targets changed other than by a CloudFormation deployment;
 * - GuardDuty's detector deleted or suspended (UpdateDetector enable=false), how often it
 *   publishes changed, members disassociated, deleted or no longer monitored, this account leaving
 *   its administrator, a suppression rule (filter with action ARCHIVE: suppressed findings never
 *   reach EventBridge) made or changed;
 * - a datalek function set to reserved concurrency 0, deleted (or its URL, concurrency or invoke
 *   configuration), or a permission removed from it (EventBridge could no longer invoke it);
 * - what would stop the pages and alarms without stopping findings, before a call that does: a
 *   datalek alarm's actions disabled, the alarm deleted, or changed other than by a deployment; a
 *   datalek topic deleted, a subscription to it removed, its policy or key changed by hand; a
 *   datalek key disabled, scheduled for deletion, or its policy changed by hand.
 * The last group is a rule of its own, `datalek-watch-paging` (an EventBridge pattern holds 2,048
 * characters). The watch is watched: a third rule, `datalek-watch-guard`, pages on calls that
 * would silence `datalek-watch-pipeline` (which cannot see a call that disables itself), and that
 * one watches the other two (`datalek-*`); a call that the queue can no longer take (its policy or
 * key broken) pages through the rules' own FailedInvocations alarms. In the central region one
 * more rule (`datalek-watch-alarm-path`, in the stateful stack) pages on calls that break this
 * path's own topic, key, alarms or rules through the pages' topic instead
 * (constructs/alarm-path-watch.ts).
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
import { ALARM_NAME_PREFIX, ALARM_PERIOD, onCallAlarm, ruleMetric } from './alarms.js';
import { eventQueue } from './queue.js';

/** What member accounts forward to the pipeline's bus (member-stack.ts); its policy takes these sources only. */
export const MEMBER_FORWARDED_SOURCES = ['aws.guardduty', 'aws.events'];

/** The statement of the pipeline's default bus policy that lets member accounts forward their calls. */
export const MEMBER_BUS_STATEMENT_ID = 'datalek-member-calls';

/** The member stack's forwarding rules (`datalek-*`: the central watch pages on calls on them too); each watches the other. */
export const MEMBER_RULE_NAMES = ['datalek-member-watch', 'datalek-member-guard'] as const;

/** The watch rules' names begin so. */
export const WATCH_RULE_PREFIX = 'datalek-watch-';

/** The watch rule's fixed name: `datalek-*`, so that the other watch rules see calls on it. */
export const WATCH_RULE_NAME = 'datalek-watch-pipeline';

/** The rule on calls that keep the pages and alarms from reaching on-call (an EventBridge pattern holds 2,048 characters: one rule would not hold both). */
export const PAGING_RULE_NAME = 'datalek-watch-paging';

/** The rule that watches the watch rule (a rule does not see the call that disables it). */
export const GUARD_RULE_NAME = 'datalek-watch-guard';

/** The alarm that pages on the watched calls. */
export const WATCH_ALARM_NAME = 'pipeline-changed';

/** The watch rules, each with the alarm on calls it matched and could not deliver (its queue's policy or key broken). */
export const WATCH_RULES = [
  { name: WATCH_RULE_NAME, undelivered: 'watch-pipeline-undelivered' },
  { name: PAGING_RULE_NAME, undelivered: 'watch-paging-undelivered' },
  { name: GUARD_RULE_NAME, undelivered: 'watch-guard-undelivered' },
] as const;

/**
 * A CloudFormation deployment's own calls: CloudTrail gives the service's name as their source
 * address. Changes made that way are the stack's (and a deleted stack still pages: its deletions
 * are watched whoever makes them).
 */
const NOT_BY_CLOUDFORMATION = { sourceIPAddress: [{ 'anything-but': 'cloudformation.amazonaws.com' }] };

// The helpers below match a call's service on `source` alone (its `eventSource` says the same):
// the patterns must fit in 2,048 characters.

/** EventBridge calls that stop the rules named by `rules` (EventBridge name filters) or change what they match or deliver to. */
export function ruleCalls(rules: unknown[]): Record<string, unknown> {
  // The rule calls name it `name`, the target calls `rule`.
  const named = { $or: [{ name: rules }, { rule: rules }] };
  return {
    source: ['aws.events'],
    detail: {
      $or: [
        { eventName: ['DisableRule', 'DeleteRule', 'RemoveTargets'], requestParameters: named },
        { eventName: ['PutRule'], requestParameters: { name: rules, state: ['DISABLED'] } },
        // A new pattern that matches nothing, or a target that is not ours, silences as well.
        { eventName: ['PutRule', 'PutTargets'], requestParameters: named, ...NOT_BY_CLOUDFORMATION },
      ],
    },
  };
}

/**
 * EventBridge calls that take the member accounts' right to forward their calls off this region's
 * default bus: the statement removed (or all of them), or the whole policy replaced by hand
 * (adding a statement for another account leaves ours).
 */
export function busPolicyCalls(): Record<string, unknown> {
  return {
    source: ['aws.events'],
    detail: {
      $or: [
        { eventName: ['RemovePermission'], requestParameters: { $or: [{ statementId: [MEMBER_BUS_STATEMENT_ID] }, { removeAllPermissions: [true] }] } },
        { eventName: ['PutPermission'], requestParameters: { policy: [{ exists: true }] }, ...NOT_BY_CLOUDFORMATION },
      ],
    },
  };
}

/** CloudWatch calls that keep the alarms named by `alarms` (name filters) from paging. */
export function alarmCalls(alarms: unknown[]): Record<string, unknown> {
  return {
    source: ['aws.monitoring'],
    detail: {
      $or: [
        { eventName: ['DisableAlarmActions', 'DeleteAlarms'], requestParameters: { alarmNames: alarms } },
        // Its actions, threshold or metric changed: a deployment's own updates keep them paging.
        { eventName: ['PutMetricAlarm'], requestParameters: { alarmName: alarms }, ...NOT_BY_CLOUDFORMATION },
        { eventName: ['PutMetricAlarm'], requestParameters: { alarmName: alarms, actionsEnabled: [false] } },
      ],
    },
  };
}

/**
 * SNS calls that keep messages of the topics named `topicName` (an EventBridge `wildcard` on the
 * name: `datalek-*`) from reaching anyone. By name: the default bus only carries this account's
 * calls of this region.
 */
export function topicCalls(topicName: string): Record<string, unknown> {
  return {
    source: ['aws.sns'],
    detail: {
      $or: [
        { eventName: ['DeleteTopic'], requestParameters: { topicArn: [{ wildcard: `*:${topicName}` }] } },
        // Its policy (who may publish) or key changed.
        { eventName: ['SetTopicAttributes'], requestParameters: { topicArn: [{ wildcard: `*:${topicName}` }] }, ...NOT_BY_CLOUDFORMATION },
        // A subscription's ARN is its topic's and a suffix.
        { eventName: ['Unsubscribe'], requestParameters: { subscriptionArn: [{ wildcard: `*:${topicName}:*` }] } },
      ],
    },
  };
}

/** KMS calls that make the keys of the ids `keyIds` unusable (a call may name a key by its id or its ARN, which ends in the id). */
export function keyCalls(keyIds: string[]): Record<string, unknown> {
  const keys = keyIds.map((id) => ({ wildcard: `*${id}` }));
  return {
    source: ['aws.kms'],
    detail: {
      $or: [
        { eventName: ['DisableKey', 'ScheduleKeyDeletion'], requestParameters: { keyId: keys } },
        { eventName: ['PutKeyPolicy'], requestParameters: { keyId: keys }, ...NOT_BY_CLOUDFORMATION },
      ],
    },
  };
}

export interface PipelineWatchProps {
  /** Name prefixes of this region's datalek rules (the watch rule's own included by `datalek-`). */
  rulePrefixes: string[];
  /** Name patterns of this region's datalek functions (EventBridge `wildcard`: a call may name a function by name or ARN); none in a forwarder region. */
  functionWildcards: string[];
  /** The ids of this region's datalek KMS keys. */
  keyIds: string[];
  /** Encrypts the queue (CloudTrail events name the caller); EventBridge must be allowed to use it. */
  key: kms.IKey;
  alarmTopic: sns.ITopic;
}

/** The CloudTrail calls that can silence the pipeline, as one EventBridge pattern. */
/**
 * GuardDuty calls that stop findings: the detector deleted, suspended or publishing less often,
 * members let go, an account leaving its administrator, a suppression rule.
 */
export function guardDutyCalls(): Record<string, unknown> {
  return {
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
  };
}

export function pipelineWatchPattern(props: Pick<PipelineWatchProps, 'rulePrefixes' | 'functionWildcards'>): Record<string, unknown> {
  const rules = props.rulePrefixes.map((prefix) => ({ prefix }));
  const functions = props.functionWildcards.map((wildcard) => ({ wildcard }));
  const calls: Record<string, unknown>[] = [ruleCalls(rules), busPolicyCalls(), guardDutyCalls()];
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

/** The CloudTrail calls that keep the region's pages and alarms from reaching on-call, as one EventBridge pattern. */
export function pagingWatchPattern(props: Pick<PipelineWatchProps, 'keyIds'>): Record<string, unknown> {
  return {
    'detail-type': ['AWS API Call via CloudTrail'],
    $or: [alarmCalls([{ prefix: ALARM_NAME_PREFIX }]), topicCalls(`${ALARM_NAME_PREFIX}*`), keyCalls(props.keyIds)],
  };
}

/** The calls that would silence the watch rule itself. */
export function guardPattern(): Record<string, unknown> {
  return { 'detail-type': ['AWS API Call via CloudTrail'], ...ruleCalls([WATCH_RULE_NAME]) };
}

export class PipelineWatch extends Construct {
  public readonly rule: events.Rule;
  /** Watches the calls that keep pages and alarms from reaching on-call. */
  public readonly paging: events.Rule;
  /** Watches `rule`: a rule does not see the call that disables it. */
  public readonly guard: events.Rule;
  /** The matched calls, for on-call to read; its depth is the page. */
  public readonly queue: sqs.Queue;
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PipelineWatchProps) {
    super(scope, id);
    this.queue = eventQueue(this, 'Calls', props.key);
    // The watch rule watches the other two (their names are `datalek-*`), and the guard the watch
    // rule: silencing them takes one call per rule, and the first pages.
    const [rule, paging, guard] = [
      ['Rule', 'calls that stop GuardDuty findings from reaching the pipeline', pipelineWatchPattern(props)],
      ['Paging', "calls that keep the pipeline's pages and alarms from reaching on-call", pagingWatchPattern(props)],
      ['Guard', `calls that would silence the ${WATCH_RULE_NAME} rule`, guardPattern()],
    ].map(([id, what, pattern], i) => {
      const r = new events.Rule(this, id as string, {
        ruleName: WATCH_RULES[i].name,
        description: `datalek: ${what} (README, Deploy)`,
        // Set below: CDK's pattern type has no top-level $or.
        eventPattern: { source: ['aws.events'] },
      });
      (r.node.defaultChild as events.CfnRule).eventPattern = pattern;
      return r;
    });
    this.rule = rule;
    this.paging = paging;
    this.guard = guard;
    // Not targets.SqsQueue: for an encrypted queue it lets EventBridge send for any rule. These
    // rules' only (EventBridge's "Cross-service confused deputy prevention": the rule's ARN).
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'WatchRulesOnly',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': [rule.ruleArn, paging.ruleArn, guard.ruleArn] } },
      }),
    );
    const queue = this.queue;
    [rule, paging, guard].forEach((r, i) => {
      r.addTarget({ bind: () => ({ arn: queue.queueArn }) });
      // A call it matched but could not put in the queue (its policy or key broken) is no
      // message, and the depth alarm stays quiet: the rule's failed invocations page instead.
      onCallAlarm(this, `${r.node.id}UndeliveredAlarm`, {
        name: WATCH_RULES[i].undelivered,
        description: `datalek: the ${WATCH_RULES[i].name} rule matched a call that can silence the pipeline, and could NOT put it in its queue (the queue's policy or key changed?): look the call up in CloudTrail (Event history), put it right, then mend the queue`,
        metric: ruleMetric(r, 'FailedInvocations'),
        topic: props.alarmTopic,
      });
    });
    this.alarm = onCallAlarm(this, 'ChangedAlarm', {
      name: WATCH_ALARM_NAME,
      description:
        'datalek: a call was made that can stop GuardDuty findings from reaching the pipeline (a datalek rule disabled, deleted, emptied or changed by hand; the GuardDuty detector deleted, suspended or its publishing changed; members disassociated or an account leaving its administrator; a suppression rule; a datalek function stopped or deleted), or its pages and alarms from reaching you (a datalek alarm, topic, subscription or key). Read the messages of the queue this alarm names (each a CloudTrail event: the call, who, from where), put it right, check GuardDuty for findings since, then delete the messages: the alarm stays raised until then',
      metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      topic: props.alarmTopic,
    });
  }
}
