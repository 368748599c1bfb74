/**
 * A route from an event pattern to a response function: the rule, a retry policy, and an
 * encrypted dead-letter queue with an alarm on its depth, so no event is dropped silently after
 * EventBridge's retries (it drops them otherwise).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EventPattern } from '../../handlers/core/rules.js';

export interface EventRouteProps {
  description: string;
  /** The pattern (from handlers/core/rules.ts); or a schedule. */
  pattern?: EventPattern;
  schedule?: events.Schedule;
  /** @default the account's default bus */
  bus?: events.IEventBus;
  target: lambda.IFunction;
  alarmTopic: sns.ITopic;
}

export class EventRoute extends Construct {
  public readonly rule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: EventRouteProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      // SSE-SQS: EventBridge can write to it without a key policy of its own.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
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
    const depth = new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: `datalek: events for ${props.description} could not be delivered; they wait in the dead-letter queue`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    depth.addAlarmAction(new actions.SnsAction(props.alarmTopic));
  }
}

/** The core's pattern, in the CDK's field names (`detail-type` → `detailType`). */
export function toCdkPattern(pattern: EventPattern): events.EventPattern {
  return { source: pattern.source, detailType: pattern['detail-type'], ...(pattern.detail ? { detail: pattern.detail } : {}) };
}
