/**
 * What every Lambda handler shares: the logger and the adapters, built once at cold start from the
 * validated configuration. Tests build the same objects around an emulator's clients.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { AwsClients } from '../adapters/aws/clients.js';
import type { AwsConfig } from '../adapters/aws/config.js';
import { DynamoDbIncidentStore } from '../adapters/aws/dynamodb-store.js';
import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import type { Policy } from '../core/policy.js';
import { systemClock } from '../ports/clock.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { Notifier } from '../ports/notifier.js';

export interface AwsDeps {
  store: IncidentStore;
  notifier: Notifier;
  publisher: EventPublisher;
  policy: Policy;
  logger: Logger;
  now: () => string;
}

/**
 * A structured logger. It logs identifiers (incident id, finding id, outcome), never an event:
 * findings hold IP addresses, user names and attacker-controlled text.
 */
export function createLogger(): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'datalek' });
}

export function createAwsDeps(config: AwsConfig, clients: AwsClients, logger = createLogger()): AwsDeps {
  return {
    store: new DynamoDbIncidentStore(clients.dynamodb, config.table),
    notifier: new SnsNotifier(clients.sns, config.topics),
    publisher: new EventBridgePublisher(clients.eventbridge, config.busName),
    policy: config.policy,
    logger,
    now: systemClock.now,
  };
}

/** The Lambda context, or a stand-in when a handler runs outside Lambda (the CLI, tests). */
export type LambdaContext = Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis' | 'functionName'> & Partial<Context>;
