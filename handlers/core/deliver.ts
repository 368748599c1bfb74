/**
 * Use case: send what waits in the outbox. A message is claimed before it is delivered, so two
 * senders never both send it; a sender that dies leaves a lease that runs out, so it is not lost.
 * A delivery that failed gives its claim back at once, so that the next try (Lambda's retry of the
 * notify function, the next `datalek sweep`) sends it then, not only when the lease has run out.
 */

import type { AuditSource } from '../ports/audit-source.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { Notifier } from '../ports/notifier.js';
import { changeIncident } from './change-incident.js';
import { UndeliverableError } from './errors.js';
import type { Incident, OutboxMessage } from './incident.js';
import { composeMessage } from './messages.js';
import { DEFAULT_POLICY, type Policy } from './policy.js';
import { oneLine } from './text.js';
import { addMinutes } from './time.js';

export const CLAIM_LEASE_MINUTES = 5;
/**
 * A message still not sent this long after it was queued, while another sender holds its claim, is
 * reported (review12 K5): a sender claims for one lease, and gives back what it could not send, so
 * no honest sender holds a message through several leases; a claim renewed behind the pipeline,
 * again and again, held every page back while each sender skipped it without a word.
 */
export const HELD_TOO_LONG_MINUTES = 3 * CLAIM_LEASE_MINUTES;
/**
 * The claim a message its channel refuses for good holds (`Incident.undeliverable`): no sender
 * takes it again. `datalek verify` accepts it only on a message the incident's record lists so.
 */
export const NEVER_CLAIM = '9999-12-31T23:59:59.999Z';
/** Most characters of a channel's reason for refusing a message that the record and the notice keep. */
const MAX_REASON = 300;
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
  /**
   * Messages their channel refused as they are (`UndeliverableError`): recorded on their incident
   * as never sendable, with why, told to on-call and their own channel (those notices are in
   * `sent` or `failed`), and not tried again. Not in `failed`.
   */
  undeliverable?: { message: OutboxMessage; error: string }[];
  /**
   * Messages not tried for want of time (`DeliverDeps.stopAt`): still pending, their claims given
   * back (or in `unreleased`), for the next sender. Not in `failed`.
   */
  notReached?: OutboxMessage[];
}

/** What delivering needs; `policy` words the notice of a message that can never be sent. */
export interface DeliverDeps {
  store: IncidentStore;
  notifier: Notifier;
  now: () => string;
  /**
   * The clock a sending is recorded at, when not `now`: the machine's, for a run whose `now` is a
   * stated one behind it (a person's `--now` in the past on a real store). A message goes out when
   * it goes out; its own time (createdAt) keeps the stated one.
   */
  sentNow?: () => string;
  /** @default DEFAULT_POLICY */
  policy?: Policy;
  /**
   * From this moment on (epoch ms) no delivery starts (a Lambda invocation's sweep, which keeps the
   * rest of its time for the delivery in flight and what follows it): the messages left are
   * reported `notReached`, and their claims given back. @default no limit
   */
  stopAt?: number;
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

export async function deliverPending(deps: DeliverDeps, scope: DeliveryScope = {}): Promise<DeliveryReport> {
  const candidates = (
    scope.incidentId ? (await deps.store.listMessages(scope.incidentId)).filter((m) => m.sentAt === null) : await deps.store.pendingMessages()
  ).filter((m) => !(scope.queuedBefore && m.createdAt >= scope.queuedBefore) && !scope.except?.has(m.id));
  return deliverMessages(deps, candidates);
}

/**
 * Sends these messages: those just queued (as recording an event returns them, so that they are
 * not read back), or those read from the outbox. Each is claimed first: one sent or held by
 * another sender meanwhile is left alone. `claimed`: those the commit that queued them claimed for
 * this process already (`RecordResult.claimed`), until `until`; they are not claimed again.
 */
export async function deliverMessages(
  deps: DeliverDeps,
  messages: OutboxMessage[],
  claimedAtCommit?: { ids: readonly string[]; until: string },
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
  // Those the commit claimed hold its lease (`claimedAtCommit.until`); the rest are claimed here.
  const atCommit = new Set(claimedAtCommit?.ids);
  const claimed = new Set(atCommit);
  const unclaimed = candidates.filter((m) => !atCommit.has(m.id)).map((m) => m.id);
  if (unclaimed.length) for (const id of await deps.store.claimMessages(unclaimed, now, lease)) claimed.add(id);
  const held = await heldTooLong(deps.store, candidates, claimed, now);
  const started = performance.now();
  const sentAt = deps.sentNow ?? deps.now;
  const refused: { message: OutboxMessage; error: string; reason: string }[] = [];
  let unrecorded: string[] = [];
  const notReached: OutboxMessage[] = [];
  for (const message of candidates) {
    if (!claimed.has(message.id)) continue;
    if (deps.stopAt !== undefined && Date.now() >= deps.stopAt) {
      notReached.push(message);
      continue;
    }
    try {
      await deps.notifier.deliver(message);
    } catch (err) {
      if (err instanceof UndeliverableError) {
        refused.push({ message, error: err.message, reason: err.reason });
        continue;
      }
      // Stays pending, and its claim is given back below: the next delivery run tries again.
      report.failed.push({ message, error: (err as Error).message });
      continue;
    }
    report.sent.push(message);
    unrecorded.push(message.id);
    if (performance.now() - started > RECORD_AFTER_MS) {
      await deps.store.markAllSent(unrecorded, sentAt());
      unrecorded = [];
    }
  }
  if (unrecorded.length && report.failed.length === 0 && notReached.length === 0 && refused.length === 0 && held.length === 0) {
    // Every message sent (as nearly always): nothing to give back, no lease to look up.
    await deps.store.markAllSent(unrecorded, sentAt());
    return report;
  }
  const leaseOf = (id: string) => (claimedAtCommit && atCommit.has(id) ? claimedAtCommit.until : lease);
  // Given back: the claims of those that failed, and of those not tried for want of time.
  const back = [...report.failed.map((f) => f.message.id), ...notReached.map((m) => m.id)];
  if (back.length) await giveBack(deps.store, back, leaseOf, report);
  if (notReached.length) report.notReached = notReached;
  if (unrecorded.length) await deps.store.markAllSent(unrecorded, sentAt());
  if (refused.length) await neverSendable(deps, refused, leaseOf, report);
  // Reported with the failures (not given back: the claim is another's), so the sweep fails and its errors alarm pages.
  for (const message of held) {
    const minutes = Math.floor((Date.parse(now) - Date.parse(message.createdAt)) / 60_000);
    report.failed.push({
      message,
      error: `not sent ${minutes} minutes after it was queued: another sender holds its claim, and no sender holds one longer than ${CLAIM_LEASE_MINUTES} minutes at a time (a claim renewed behind the pipeline?); datalek verify ${message.incidentId} names it`,
    });
  }
  return report;
}

/**
 * The messages of `candidates` this sender could not claim, queued HELD_TOO_LONG_MINUTES or more
 * before `now`, less those their incident records as refused by their channel for good (held so
 * on purpose, NEVER_CLAIM). The incidents are read only for such messages: none, as a rule.
 */
async function heldTooLong(store: IncidentStore, candidates: OutboxMessage[], claimed: ReadonlySet<string>, now: string): Promise<OutboxMessage[]> {
  const limit = Date.parse(now) - HELD_TOO_LONG_MINUTES * 60_000;
  // The message's own createdAt is written with its claim, so whoever renews the claim behind the
  // pipeline can move it too (read14b B6): the time the incident's ledger says it was queued counts
  // as well, the earlier of the two. Read only for a message another sender holds (none, as a rule).
  const ledger = store as IncidentStore & Partial<Pick<AuditSource, 'messageQueuedAt'>>;
  const held: OutboxMessage[] = [];
  for (const m of candidates) {
    if (claimed.has(m.id)) continue;
    const queuedAt = typeof ledger.messageQueuedAt === 'function' ? await ledger.messageQueuedAt(m.incidentId, m.id) : null;
    const since = Math.min(Date.parse(m.createdAt), queuedAt === null ? Number.POSITIVE_INFINITY : Date.parse(queuedAt));
    if (since <= limit) held.push(m);
  }
  if (held.length === 0) return held;
  const never = new Set<string>();
  for (const id of new Set(held.map((m) => m.incidentId))) {
    for (const u of (await store.getIncident(id))?.undeliverable ?? []) never.add(u.messageId);
  }
  return held.filter((m) => !never.has(m.id));
}

/**
 * Records each refused message as never sendable on its incident (once: a message recorded so
 * already changes nothing), with the channel's reason, and tells on-call and the message's own
 * channel in the same commit; then holds its claim for good (NEVER_CLAIM), so that no sweep tries
 * it again, and sends those notices. Stopped in between, the message is tried again once its lease
 * runs out, refused again, and found recorded: nothing is told twice. (A notice refused in turn is
 * recorded the same way, and tells nobody.)
 */
async function neverSendable(
  deps: DeliverDeps,
  refused: { message: OutboxMessage; error: string; reason: string }[],
  leaseOf: (id: string) => string,
  report: DeliveryReport,
): Promise<void> {
  const policy = deps.policy ?? DEFAULT_POLICY;
  const notices: OutboxMessage[] = [];
  for (const { message, reason: why } of refused) {
    const reason = oneLine(why).slice(0, MAX_REASON);
    const at = deps.now();
    let queued: OutboxMessage[] = [];
    const { changed } = await changeIncident({ store: deps.store, policy, now: deps.now }, message.incidentId, (draft) => {
      if ((draft.undeliverable ?? []).some((u) => u.messageId === message.id)) return null;
      draft.undeliverable = [...(draft.undeliverable ?? []), { messageId: message.id, channel: message.channel, kind: message.kind, at, reason }];
      return {
        entries: [{ at, kind: 'message-undeliverable', detail: { messageId: message.id, channel: message.channel, messageKind: message.kind, reason } }],
        messages: (told) => {
          queued = message.kind === 'message-undeliverable' ? [] : noticesOf(message, reason, told, policy, at);
          return queued;
        },
        pagerFollowUps: false,
      };
    });
    if (changed) notices.push(...queued);
    await deps.store.releaseMessageClaims([message.id], leaseOf(message.id));
    await deps.store.claimMessages([message.id], at, NEVER_CLAIM);
  }
  report.undeliverable = refused.map(({ message, error }) => ({ message, error }));
  if (notices.length === 0) return;
  const told = await deliverMessages(deps, notices);
  report.sent.push(...told.sent);
  report.failed.push(...told.failed);
  if (told.undeliverable) report.undeliverable.push(...told.undeliverable);
  if (told.notReached) report.notReached = [...(report.notReached ?? []), ...told.notReached];
  if (told.unreleased)
    report.unreleased = report.unreleased ? { ...report.unreleased, ids: [...report.unreleased.ids, ...told.unreleased.ids] } : told.unreleased;
}

/** The notice of a refused message: to on-call, and to the message's own channel when that is the FG's. */
function noticesOf(message: OutboxMessage, reason: string, incident: Incident, policy: Policy, now: string): OutboxMessage[] {
  const channels = message.channel === 'fg' ? (['on-call', 'fg'] as const) : (['on-call'] as const);
  const stateKey = `undeliverable:${message.id.slice(message.incidentId.length + 1)}`;
  return channels.map((channel) =>
    composeMessage({
      incident,
      channel,
      kind: 'message-undeliverable',
      stateKey,
      now,
      policy,
      refused: { messageId: message.id, subject: message.subject, reason },
    }),
  );
}

/**
 * Gives back the claims of the messages whose delivery failed, or was never started for want of
 * time (`ids`). Only those: a message delivered and
 * not yet recorded as sent keeps its claim, or another sender would send it again. Only once their
 * delivery has ended (the notifier threw), so no sender can take one while it is still in flight;
 * and only the claim this sender holds (`leaseOf`: taken here, or by the commit that queued it), so
 * a claim another sender took after that lease ran out (its delivery may be in flight now) is left
 * alone. A store that fails here hides nothing: the delivery errors stay the report's, and the
 * claims run out with their lease as before.
 */
async function giveBack(store: IncidentStore, ids: string[], leaseOf: (id: string) => string, report: DeliveryReport): Promise<void> {
  const byLease = new Map<string, string[]>();
  for (const id of ids) byLease.set(leaseOf(id), [...(byLease.get(leaseOf(id)) ?? []), id]);
  try {
    for (const [lease, group] of byLease) await store.releaseMessageClaims(group, lease);
  } catch (err) {
    report.unreleased = { ids: [...(report.unreleased?.ids ?? []), ...ids], error: (err as Error).message };
  }
}
