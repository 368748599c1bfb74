/**
 * For every other EU region with GuardDuty: its findings (by the same pattern) go to the central
 * region's default bus, where the finding route picks them up. GuardDuty is regional; without this
 * the findings of other regions are never seen.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { findingRulePattern } from '../handlers/core/rules.js';
import type { DeployConfig } from './config.js';
import { toCdkPattern } from './constructs/event-route.js';

export interface ForwarderStackProps extends StackProps {
  config: DeployConfig;
  centralRegion: string;
}

export class ForwarderStack extends Stack {
  public readonly rule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ForwarderStackProps) {
    super(scope, id, props);
    const central = events.EventBus.fromEventBusArn(
      this,
      'CentralBus',
      `arn:${this.partition}:events:${props.centralRegion}:${this.account}:event-bus/default`,
    );
    const deadLetters = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.rule = new events.Rule(this, 'ForwardFindings', {
      description: `GuardDuty findings of ${this.region} to the datalek pipeline in ${props.centralRegion}`,
      eventPattern: toCdkPattern(findingRulePattern(props.config.policy)),
    });
    this.rule.addTarget(new targets.EventBus(central, { deadLetterQueue: deadLetters }));
    this.deadLetterQueue = deadLetters;
  }
}
