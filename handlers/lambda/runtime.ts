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
import { secretKey, secretReader, secretsManagerPagerSecrets } from '../adapters/aws/secrets.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { createPager } from '../adapters/pager/index.js';
import { CLAIM_LEASE_MINUTES, type DeliveryReport } from '../core/deliver.js';
import { withAckLinks } from '../core/link-delivery.js';
import { pagerRouting, recordPagerFailure } from '../core/pager.js';
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

/**
 * How messages leave: pages with their signed acknowledgement link, pager alerts to the pager (and
 * to the on-call topic when it cannot take them, recorded in the incident), the rest to the FG and
 * on-call topics. The secrets are read when the first message needs them, not at cold start.
 */
export function createNotifier(config: AwsConfig, clients: Pick<AwsClients, 'sns'>, store: IncidentStore, logger: Logger, now: () => string): Notifier {
  const policy = config.policy;
  const pager = config.pagerSecret ? createPager(policy, secretsManagerPagerSecrets(config.pagerSecret, config.region)) : null;
  const routed = pagerRouting({
    topics: new SnsNotifier(clients.sns, config.topics, policy),
    pager,
    now,
    lang: policy.language,
    onFallback: async (message, reason) => {
      logger.error('a page went to the on-call topic instead of the pager', { incidentId: message.incidentId, messageId: message.id, reason });
      await recordPagerFailure({ store, policy, now }, message.incidentId, reason, message.alert?.key);
    },
  });
  const links =
    config.linkUrl && config.linkKeySecret
      ? {
          baseUrl: config.linkUrl,
          key: secretKey(secretReader(config.linkKeySecret, { region: config.region })),
          // The page goes out without its link; the error is logged so the errors alarm can see it.
          onKeyProblem: (message: { id: string; incidentId: string }, reason: string) =>
            logger.error('a page went out without its acknowledgement link: the link key cannot be used', {
              incidentId: message.incidentId,
              messageId: message.id,
              reason,
            }),
        }
      : null;
  return withAckLinks(routed, links, policy, now);
}

/**
 * Logs the failed messages whose claim the store could not give back: they are tried again only
 * when their lease runs out, as before the claims were given back. By id, never content; the
 * delivery errors themselves are the invocation's own error.
 */
export function logUnreleased(deps: Pick<AwsDeps, 'logger'>, report: DeliveryReport): void {
  if (!report.unreleased) return;
  deps.logger.error(
    `the claims of undelivered messages could not be given back: they are tried again when their lease runs out (${CLAIM_LEASE_MINUTES} minutes)`,
    {
      messageIds: report.unreleased.ids,
      reason: report.unreleased.error,
    },
  );
}

/**
 * Logs, once, each message its channel refused for good (recorded as never sendable, told to
 * on-call): by id and the channel's reason, never content.
 */
export function logUndeliverable(deps: Pick<AwsDeps, 'logger'>, report: DeliveryReport): void {
  for (const u of report.undeliverable ?? []) {
    deps.logger.error('a message is refused by its channel for good: recorded as never sendable, on-call told, not tried again', {
      incidentId: u.message.incidentId,
      messageId: u.message.id,
      reason: u.error,
    });
  }
}

/** The Lambda context, or a stand-in when a handler runs outside Lambda (the CLI, tests). */
export type LambdaContext = Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis' | 'functionName'> & Partial<Context>;
