/**
 * A Lambda function's deps around given SDK clients, all made at once: what the tests build around
 * an emulator's clients. The functions themselves build theirs with lazy-deps.ts createLambdaDeps,
 * which loads the notifier and the publisher when first used; no function imports this module.
 */
import type { AwsClients } from '../adapters/aws/clients.js';
import type { AwsConfig } from '../adapters/aws/config.js';
import { DynamoDbIncidentStore } from '../adapters/aws/dynamodb-store.js';
import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher.js';
import { systemClock } from '../ports/clock.js';
import { createNotifier } from './notifier.js';
import { type AwsDeps, createLogger } from './runtime.js';

export function createAwsDeps(config: AwsConfig, clients: AwsClients, logger = createLogger()): AwsDeps {
  const store = new DynamoDbIncidentStore(clients.dynamodb, config.table);
  const now = systemClock.now;
  return {
    store,
    notifier: createNotifier(config, clients, store, logger, now),
    publisher: new EventBridgePublisher(clients.eventbridge, config.busName),
    policy: config.policy,
    logger,
    now,
  };
}
