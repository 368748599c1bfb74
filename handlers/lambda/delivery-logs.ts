/**
 * What the functions that deliver messages (notify, the sweep) log of a delivery. Apart from
 * runtime.ts, which every function imports for its logger: importing the delivery (core/deliver.ts)
 * brings the policy's schema with it, built when the module loads, and the anchor, which delivers
 * nothing and reads no policy, loaded it for one constant (issue #14).
 */
import { CLAIM_LEASE_MINUTES, type DeliveryReport } from '../core/deliver.js';
import type { AwsDeps } from './runtime.js';

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
