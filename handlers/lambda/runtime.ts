/**
 * What every Lambda handler shares: the logger and the adapters, built once at cold start from the
 * validated configuration (lazy-deps.ts; the notifier and the publisher when first used). Tests
 * build the same objects around an emulator's clients (aws-deps.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { CLAIM_LEASE_MINUTES, type DeliveryReport } from '../core/deliver.js';
import type { Policy } from '../core/policy.js';
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
