/**
 * Use case: send what waits in the outbox. A message is claimed before it is delivered, so two
 * senders never both send it; a sender that dies leaves a lease that runs out, so it is not lost.
 * A delivery that failed gives its claim back at once, so that the next try (Lambda's retry of the
 * notify function, the next `datalek sweep`) sends it then, not only when the lease has run out.
 */

import type { IncidentStore } from '../ports/incident-store.js';
import type { Notifier } from '../ports/notifier.js';
import type { OutboxMessage } from './incident.js';
import { addMinutes } from './time.js';

export const CLAIM_LEASE_MINUTES = 5;
/** After this long delivering, what was sent is recorded at once, not at the end: far within the lease. */
const RECORD_AFTER_MS = 60_000;

export interface DeliveryReport {
  sent: OutboxMessage[];
  failed: { message: OutboxMessage; error: string }[];
  /**
   * The failed messages whose claim could not be given back (the store failed too): they wait for
   * their lease to run out (at most `CLAIM_LEASE_MINUTES`), as a crashed sender's do. Their
   * delivery errors are in `failed`; this is for the log.
   */
  unreleased?: { ids: string[]; error: string };
}

export interface DeliveryScope {
  /** Only this incident's messages (a handler reacting to one incident's event). */
  incidentId?: string;
  /** Only messages queued before this time (the sweep's safety net for a lost event). */
  queuedBefore?: string;
  /**
   * Not these: messages whose delivery failed moments ago in the same run (`datalek replay`), which
   * a second try seconds later would only fail, and report, again. The next run tries them.
   */
  except?: ReadonlySet<string>;
}

export async function deliverPending(
  deps: { store: IncidentStore; notifier: Notifier; now: () => string },
  scope: DeliveryScope = {},
): Promise<DeliveryReport> {
  const candidates = (
    scope.incidentId ? (await deps.store.listMessages(scope.incidentId)).filter((m) => m.sentAt === null) : await deps.store.pendingMessages()
  ).filter((m) => !(scope.queuedBefore && m.createdAt >= scope.queuedBefore) && !scope.except?.has(m.id));
  return deliverMessages(deps, candidates);
}

/**
 * Sends these messages: those just queued (as recording an event returns them, so that they are
 * not read back), or those read from the outbox. Each is claimed first: one sent or held by
 * another sender meanwhile is left alone.
 */
export async function deliverMessages(
  deps: { store: IncidentStore; notifier: Notifier; now: () => string },
  messages: OutboxMessage[],
): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: [], failed: [] };
  const candidates = messages.filter((m) => !deps.notifier.accepts || deps.notifier.accepts(m));
  if (candidates.length === 0) return report;
  // Claimed all at once, sent one by one in order, recorded as sent all at once; a sender that
  // dies before that record leaves leases that run out, and those messages are sent again then.
  // Deliveries that take long (a pager that is down) are recorded as they go, well before the
  // leases could run out and another sender take them.
  const now = deps.now();
  const lease = addMinutes(now, CLAIM_LEASE_MINUTES);
  const claimed = new Set(
    await deps.store.claimMessages(
      candidates.map((m) => m.id),
      now,
      lease,
    ),
  );
  const started = performance.now();
  let unrecorded: string[] = [];
  for (const message of candidates) {
    if (!claimed.has(message.id)) continue;
    try {
      await deps.notifier.deliver(message);
    } catch (err) {
      // Stays pending, and its claim is given back below: the next delivery run tries again.
      report.failed.push({ message, error: (err as Error).message });
      continue;
    }
    report.sent.push(message);
    unrecorded.push(message.id);
    if (performance.now() - started > RECORD_AFTER_MS) {
      await deps.store.markAllSent(unrecorded, deps.now());
      unrecorded = [];
    }
  }
  if (report.failed.length) await releaseFailed(deps.store, report, lease);
  if (unrecorded.length) await deps.store.markAllSent(unrecorded, deps.now());
  return report;
}

/**
 * Gives back the claims of the messages whose delivery failed. Only those: a message delivered and
 * not yet recorded as sent keeps its claim, or another sender would send it again. Only once their
 * delivery has ended (the notifier threw), so no sender can take one while it is still in flight;
 * and only the claim taken here (`lease`), so a claim another sender took after this lease ran out
 * (its delivery may be in flight now) is left alone. A store that fails here hides nothing: the
 * delivery errors stay the report's, and the claims run out with their lease as before.
 */
async function releaseFailed(store: IncidentStore, report: DeliveryReport, lease: string): Promise<void> {
  const ids = report.failed.map((f) => f.message.id);
  try {
    await store.releaseMessageClaims(ids, lease);
  } catch (err) {
    report.unreleased = { ids, error: (err as Error).message };
  }
}
