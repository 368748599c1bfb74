/**
 * The notify handler: reacts to the pipeline's own events (incident opened or updated, reminder
 * due, containment done or failed) by sending that incident's pending messages to SNS. The outbox
 * makes it idempotent: each message is claimed before it is sent, so a repeated event or a retry
 * sends nothing twice. A delivery that failed stays pending, its claim is given back and the error
 * is thrown, so Lambda's retry (a minute or two later) sends it then, not after the 5-minute lease.
 */
import { deliverPending } from '../core/deliver.js';
import { DatalekError } from '../core/errors.js';
import { logUndeliverable, logUnreleased } from './delivery-logs.js';
import type { AwsDeps } from './runtime.js';

interface DomainEventEnvelope {
  'detail-type'?: string;
  detail?: { incidentId?: unknown };
}

export function createNotifyHandler(deps: AwsDeps) {
  return async (event: DomainEventEnvelope): Promise<{ sent: number }> => {
    const incidentId = event.detail?.incidentId;
    if (typeof incidentId !== 'string' || !incidentId) {
      // Name the missing field, not what the event holds (it is not ours to log).
      throw new DatalekError(`notify: the event has no detail.incidentId (detail-type is ${typeof event['detail-type']})`);
    }
    deps.logger.appendKeys({ incidentId });
    try {
      const report = await deliverPending({ store: deps.store, notifier: deps.notifier, now: deps.now, policy: deps.policy }, { incidentId });
      for (const m of report.sent) deps.logger.info('sent a message', { channel: m.channel, kind: m.kind, messageId: m.id });
      logUnreleased(deps, report);
      logUndeliverable(deps, report);
      const problems = [
        ...(report.failed.length
          ? [`${report.failed.length} message(s) for ${incidentId} not delivered: ${report.failed.map((f) => f.error).join('; ')}`]
          : []),
        // Once: the message is recorded as never sendable and no run tries it again.
        ...(report.undeliverable?.length
          ? [
              `${report.undeliverable.length} message(s) for ${incidentId} refused for good, not tried again: ${report.undeliverable.map((f) => f.error).join('; ')}`,
            ]
          : []),
      ];
      if (problems.length) throw new DatalekError(`notify: ${problems.join('; ')}`);
      return { sent: report.sent.length };
    } finally {
      deps.logger.removeKeys(['incidentId']);
    }
  };
}
