/**
 * The path of a stack whose rules forward calls to the pipeline's central bus from where no
 * pipeline stack is there to page (us-east-1: `DatalekIamForward`, iam-forward-stack.ts, and each
 * member's `DatalekMemberIam-<account>`, member-iam-stack.ts; a member account's central region:
 * `DatalekMember-<account>`, member-stack.ts, fgsec16 S3). A forward that fails (the central bus refusing,
 * throttled past EventBridge's retries) waits in an encrypted dead-letter queue: only the stack's
 * rules may send to it, only break-glass (of the stack's account) may take its messages (review11
 * K3, read12b B3), and its alarm, which counts what arrives, pages on-call through the region's own
 * alarm topic (an alarm notifies a topic of its own region only; infra14, infra15: a failed forward
 * was lost silently). A forward neither delivered nor put in the queue pages too, per rule.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { DeployConfig } from '../config.js';
import { ALARM_NAME_PREFIX, ALARMS_UNDELIVERED_ALARM, alarmTopic, deadLettersMetric, deliveryFailedAlarm, onCallAlarm, ruleMetric } from './alarms.js';
import { allowEventBridge, protectedKey } from './protected-key.js';
import { deadLetterQueue } from './queue.js';
import { protectDeadLetters, protectQueues } from './register-guard.js';
import { guardTopic } from './topic-guard.js';

/** The break-glass role (of the stack's account: alone takes the dead letters), on-call's e-mail and the pager (the alarm topic's subscribers). */
export type ForwardPathConfig = Pick<DeployConfig, 'breakGlassRole' | 'onCallEmail' | 'alarmPagerUrl' | 'policy'>;

export interface ForwardRule {
  name: string;
  /** The construct id's start (`<id>Rule`, `<id>LostAlarm`). */
  id: string;
  /** What it forwards, for its description. */
  what: string;
  pattern: Record<string, unknown>;
}

export interface ForwardPath {
  key: kms.Key;
  alarmTopic: sns.ITopic;
  deadLetterQueue: sqs.Queue;
  rules: events.Rule[];
}

export interface ForwardPathProps {
  config: ForwardPathConfig;
  /** What the key encrypts, for its description. */
  keyDescription: string;
  /** The central default bus, and the role EventBridge puts events on it with (its own grant). */
  centralBus: string;
  role: iam.IRole;
  rules: ForwardRule[];
  /** After `datalek: `, what each rule's description ends with (`… forwarded to the pipeline …`). */
  forwardedTo: string;
  /** The lost-forward alarm's description for a rule. */
  lostDescription: (ruleName: string) => string;
  /** The dead-letter alarm's name (after `datalek-`) and description. */
  deadLetters: { name: string; description: string };
  /**
   * The region's `datalek-on-call-alarms` topic where another stack of the account makes it there (a
   * topic's name is unique in an account and region): the alarms page through it, and this stack
   * makes no topic or `datalek-alarms-undelivered` of its own. By default the path makes both.
   */
  alarmTopic?: sns.ITopic;
}

/** The rules, their dead-letter queue, its key and the region's alarm topic, with the Denies that protect them. Call it last in the stack. */
export function forwardPath(scope: Construct, props: ForwardPathProps): ForwardPath {
  const { config } = props;
  const key = protectedKey(scope, 'Key', { description: props.keyDescription, breakGlassRole: config.breakGlassRole });
  allowEventBridge(key, { ruleNames: ['datalek-*'], buses: [] });
  const topic = props.alarmTopic ?? regionAlarmTopic(scope, key, config);
  const queue = deadLetterQueue(scope, 'DeadLetters', key);
  const { centralBus, role } = props;
  const deadLetterConfig = { arn: queue.queueArn };
  const rules = props.rules.map(({ name, id, what, pattern }) => {
    const rule = new events.Rule(scope, `${id}Rule`, {
      ruleName: name,
      description: `datalek: ${what}, ${props.forwardedTo} (README, Deploy)`,
      // Set below: CDK's pattern type has no top-level $or.
      eventPattern: { source: ['aws.iam'] },
    });
    (rule.node.defaultChild as events.CfnRule).eventPattern = pattern;
    // Not targets.EventBus: it would add its own grant to the role; the role's is the one above.
    rule.addTarget({ bind: () => ({ arn: centralBus, role, deadLetterConfig }) });
    onCallAlarm(scope, `${id}LostAlarm`, {
      name: `${name.replace(ALARM_NAME_PREFIX, '')}-lost`,
      description: props.lostDescription(name),
      metric: ruleMetric(rule, 'InvocationsFailedToBeSentToDlq'),
      topic,
    });
    return rule;
  });
  // As targets.EventBus would for its dead-letter queue: EventBridge may send to it for these rules only.
  queue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'ForwardRulesOnly',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rules.map((r) => r.ruleArn) } },
    }),
  );
  onCallAlarm(scope, 'DeadLettersAlarm', { ...props.deadLetters, metric: deadLettersMetric(queue), topic });
  // The dead letters emptied or taken one by one: by nobody but break-glass (and the deployment, which may delete the queue).
  protectQueues(scope, config.breakGlassRole);
  protectDeadLetters(scope, { breakGlassRole: config.breakGlassRole });
  return { key, alarmTopic: topic, deadLetterQueue: queue, rules };
}

/** The region's alarm topic, guarded, and the alarm on its own failed deliveries. */
function regionAlarmTopic(scope: Construct, key: kms.Key, config: ForwardPathConfig): sns.Topic {
  const topic = alarmTopic(scope, 'OnCallAlarms', {
    key,
    onCallEmail: config.onCallEmail,
    alarmPagerUrl: config.alarmPagerUrl,
    pager: config.policy.onCall.provider !== 'sns',
  });
  // Alarms publish here (a service); nobody of the account subscribes but the stack.
  guardTopic(topic, { breakGlassRole: config.breakGlassRole, publishers: [] });
  deliveryFailedAlarm(scope, 'AlarmsUndeliveredAlarm', {
    name: ALARMS_UNDELIVERED_ALARM,
    watched: topic,
    what: `alarms to on-call (the datalek-on-call-alarms topic of ${Stack.of(scope).region})`,
    topic,
  });
  return topic;
}

/** The ARN of the rule `name` of the stack of `scope` (a forwarding role's trust names its rules so). */
export function ruleArnOf(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'events', resource: 'rule', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}
