/**
 * What every Lambda handler shares: the logger and the adapters, built once at cold start from the
 * validated configuration (lazy-deps.ts; the notifier and the publisher when first used). Tests
 * build the same objects around an emulator's clients (aws-deps.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
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

/** The Lambda context, or a stand-in when a handler runs outside Lambda (the CLI, tests). */
export type LambdaContext = Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis' | 'functionName'> & Partial<Context>;
