/**
 * A route from an event pattern to a response function: the rule, a retry policy, and an
 * encrypted dead-letter queue with an alarm on its depth, so no event is dropped silently after
 * EventBridge's retries (it drops them otherwise), and an alarm on events that could not even be
 * put in that queue.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EventPattern } from '../../handlers/core/rules.js';
import { deadLettersMetric, lostEventsAlarm, onCallAlarm } from './alarms.js';
import { deadLetterQueue } from './queue.js';

export interface EventRouteProps {
  /** Names its alarms: `datalek-<name>-dead-letters`, `datalek-<name>-lost`. */
  name: string;
  description: string;
  /** The pattern (from handlers/core/rules.ts); or a schedule. */
  pattern?: EventPattern;
  schedule?: events.Schedule;
  /** @default the account's default bus */
  bus?: events.IEventBus;
  target: lambda.IFunction;
  alarmTopic: sns.ITopic;
  /** Encrypts the dead-letter queue (it holds whole events: personal data); EventBridge must be allowed to use it. */
  key: kms.IKey;
}

export class EventRoute extends Construct {
  public readonly rule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: EventRouteProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters', props.key);
    this.rule = new events.Rule(this, 'Rule', {
      description: props.description,
      eventBus: props.bus,
      eventPattern: props.pattern ? toCdkPattern(props.pattern) : undefined,
      schedule: props.schedule,
    });
    this.rule.addTarget(
      new targets.LambdaFunction(props.target, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );
    onCallAlarm(this, 'DeadLettersAlarm', {
      name: `${props.name}-dead-letters`,
      description: `datalek: events for ${props.description} could not be delivered; they wait in, or arrived in, the dead-letter queue (an empty queue after this alarm means someone received or deleted them)`,
      metric: deadLettersMetric(this.deadLetterQueue),
      topic: props.alarmTopic,
    });
    lostEventsAlarm(this, 'LostAlarm', { name: props.name, rule: this.rule, bus: props.bus, what: `events for ${props.description}`, topic: props.alarmTopic });
  }
}

/** The core's pattern, in the CDK's field names (`detail-type` → `detailType`). */
export function toCdkPattern(pattern: EventPattern): events.EventPattern {
  return { source: pattern.source, detailType: pattern['detail-type'], ...(pattern.detail ? { detail: pattern.detail } : {}) };
}
