/**
 * A Lambda function's deps, loading what it may never use when first used. In a module of its own,
 * imported by the entries alone: what a dynamic import() reaches is live code of the bundle, and a
 * function loads the live code of every module it imports at start (infra/bundling.ts), so from
 * runtime.ts, which anchor and link-apply import too, the notifier would come back into theirs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AwsConfig } from '../adapters/aws/config.js';
import { DynamoDbIncidentStore } from '../adapters/aws/dynamodb-store.js';
import { PIPELINE_SDK, sdkConfig } from '../adapters/aws/sdk-config.js';
import { systemClock } from '../ports/clock.js';
import { type AwsDeps, createLogger } from './runtime.js';

/**
 * A Lambda function's deps, as its entry builds them at cold start: the store's DynamoDB client now
 * (every function reads the store first); the notifier (SNS, the pager, the link key) and the
 * publisher (EventBridge), with their SDK clients, when first used. An entry whose first call uses
 * one of them makes it at cold start instead (notifier.ts snsNotifier, publisher.ts
 * eventBridgePublisher): loading it later would only move the time into that call. So the record,
 * contain and acknowledge functions, which send no message, never load SNS's client; notify, which
 * publishes nothing, never loads EventBridge's; a sweep loads either only when something is due.
 * Each is made once per process.
 */
export function createLambdaDeps(config: AwsConfig, dynamodb = new DynamoDBClient(sdkConfig(config.region, PIPELINE_SDK)), logger = createLogger()): AwsDeps {
  const store = new DynamoDbIncidentStore(dynamodb, config.table);
  const now = systemClock.now;
  const notifier = onFirstUse(async () => (await import('./notifier.js')).snsNotifier(config, store, logger, now));
  const publisher = onFirstUse(async () => (await import('./publisher.js')).eventBridgePublisher(config));
  return {
    store,
    // No accepts(): every message is this notifier's, as it is createNotifier's.
    notifier: { deliver: async (message) => (await notifier()).deliver(message) },
    publisher: { publish: async (events) => (await publisher()).publish(events) },
    policy: config.policy,
    logger,
    now,
  };
}

/** What `make` gives, made on the first call and kept; a failed making is tried again on the next call, not remembered. */
function onFirstUse<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make().catch((err) => {
      made = undefined;
      throw err;
    });
    return made;
  };
}
