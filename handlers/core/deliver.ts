/**
 * Use case: send what waits in the outbox. A message is claimed before it is delivered, so two
 * senders never both send it; a sender that dies leaves a lease that runs out, so it is not lost.
 */

import type { IncidentStore } from '../ports/incident-store.js';
import type { Notifier } from '../ports/notifier.js';
import type { OutboxMessage } from './incident.js';
import { addMinutes } from './time.js';

export const CLAIM_LEASE_MINUTES = 5;

export interface DeliveryReport {
  sent: OutboxMessage[];
  failed: { message: OutboxMessage; error: string }[];
}

export interface DeliveryScope {
  /** Only this incident's messages (a handler reacting to one incident's event). */
  incidentId?: string;
  /** Only messages queued before this time (the sweep's safety net for a lost event). */
  queuedBefore?: string;
}

export async function deliverPending(
  deps: { store: IncidentStore; notifier: Notifier; now: () => string },
  scope: DeliveryScope = {},
): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: [], failed: [] };
  const candidates = scope.incidentId ? (await deps.store.listMessages(scope.incidentId)).filter((m) => m.sentAt === null) : await deps.store.pendingMessages();
  for (const message of candidates) {
    if (scope.queuedBefore && message.createdAt >= scope.queuedBefore) continue;
    if (deps.notifier.accepts && !deps.notifier.accepts(message)) continue;
    const now = deps.now();
    if (!(await deps.store.claimMessage(message.id, now, addMinutes(now, CLAIM_LEASE_MINUTES)))) continue;
    try {
      await deps.notifier.deliver(message);
    } catch (err) {
      // Stays pending: the lease runs out and the next delivery run tries again.
      report.failed.push({ message, error: (err as Error).message });
      continue;
    }
    await deps.store.markSent(message.id, deps.now());
    report.sent.push(message);
  }
  return report;
}
