/**
 * The deadline sweep, on a schedule (every 5 minutes): queues the reminders and escalation pages that are
 * due, each once (core/sweep.ts), and publishes "Reminder Due" so the notify handler sends them.
 * As a safety net it also sends messages that have waited longer than a claim lease, in case the
 * event that should have sent them was lost.
 */
import { CLAIM_LEASE_MINUTES, deliverPending } from '../core/deliver.js';
import { DatalekError } from '../core/errors.js';
import { KEEP_AFTER_SWEEP_MS, sweep } from '../core/sweep.js';
import { addMinutes } from '../core/time.js';
import { logUndeliverable, logUnreleased } from './delivery-logs.js';
import type { AwsDeps, LambdaContext } from './runtime.js';

export function createSweepHandler(deps: AwsDeps) {
  return async (
    _event?: unknown,
    context?: LambdaContext,
  ): Promise<{ sent: { incidentId: string; kind: string; dueAt: string }[]; incidentsRead: number; redelivered: number }> => {
    const now = deps.now();
    // Near the invocation's end it starts no incident (core/sweep.ts KEEP_AFTER_SWEEP_MS), rather
    // than being cut off with what it queued unannounced: those it did not reach stay due.
    const deadline = context ? Date.now() + context.getRemainingTimeInMillis() : undefined;
    const result = await sweep({ store: deps.store, policy: deps.policy, now: () => now, deadline });
    if (result.sent.length) {
      await deps.publisher.publish(
        result.sent.map((s) => ({
          type: 'Reminder Due' as const,
          incidentId: s.incidentId,
          revision: result.revisions[s.incidentId] ?? 0,
          detail: { kind: s.kind, dueAt: s.dueAt },
        })),
      );
    }
    // Within the same time: none is started past the point where the sweep starts no incident, so the
    // one in flight there and the log still end before the invocation does; those left stay pending.
    const stopAt = deadline === undefined ? undefined : deadline - KEEP_AFTER_SWEEP_MS;
    const stuck = await deliverPending(
      { store: deps.store, notifier: deps.notifier, now: deps.now, policy: deps.policy, stopAt },
      { queuedBefore: addMinutes(now, -CLAIM_LEASE_MINUTES) },
    );
    deps.logger.info('swept the deadlines', {
      due: result.sent.length,
      incidentsRead: result.incidentsRead,
      redelivered: stuck.sent.length,
      failed: stuck.failed.length,
    });
    for (const f of result.failed) deps.logger.error('an incident could not be swept', { incidentId: f.incidentId, reason: f.error });
    // The pass after a policy change (core/due-index.ts resetForPolicy): the due times it set again, by incident id.
    if (result.duePolicy)
      deps.logger.info('the policy in force was not the one the sweep last set every due time under: due times set again under it', {
        policyWas: result.duePolicy.was,
        policyNow: result.duePolicy.now,
        read: result.duePolicy.read,
        reset: result.duePolicy.reset.map((r) => r.incidentId),
        complete: result.duePolicy.complete,
      });
    if (result.notReached.length)
      deps.logger.error(
        "the sweep ran short of its invocation's time (a storm on the incidents it swept?): incidents with something due were not reached; nothing of theirs was written, they stay due for Lambda's retry of this sweep or the next",
        { notReached: result.notReached.length, incidentIds: result.notReached },
      );
    if (stuck.notReached?.length)
      deps.logger.error(
        "the sweep ran short of its invocation's time: messages waiting longer than a lease were not sent again; they stay pending for Lambda's retry of this sweep or the next",
        { notReached: stuck.notReached.length, messageIds: stuck.notReached.map((m) => m.id) },
      );
    logUnreleased(deps, stuck);
    logUndeliverable(deps, stuck);
    for (const f of stuck.failed) {
      deps.logger.error('a message waiting longer than a lease was not delivered again', {
        incidentId: f.message.incidentId,
        messageId: f.message.id,
        reason: f.error,
      });
    }
    // The others were swept and sent; failing the invocation makes the errors alarm tell on-call
    // (an incident that could not be swept or was not reached, or pages that are not going out),
    // and Lambda's retry a minute on sweeps again.
    const problems = [
      ...(result.failed.length ? [`${result.failed.length} incident(s) could not be swept: ${result.failed.map((f) => f.incidentId).join(', ')}`] : []),
      ...(result.notReached.length ? [`${result.notReached.length} incident(s) not reached for want of time, left due: ${result.notReached.join(', ')}`] : []),
      ...(stuck.notReached?.length
        ? [`${stuck.notReached.length} message(s) not re-sent for want of time, left pending: ${stuck.notReached.map((m) => m.id).join(', ')}`]
        : []),
      ...(stuck.failed.length ? [`${stuck.failed.length} message(s) not delivered: ${stuck.failed.map((f) => f.message.id).join(', ')}`] : []),
      ...(stuck.undeliverable?.length
        ? [`${stuck.undeliverable.length} message(s) refused for good, not tried again: ${stuck.undeliverable.map((f) => f.message.id).join(', ')}`]
        : []),
    ];
    if (problems.length) throw new DatalekError(`sweep: ${problems.join('; ')}`);
    return { sent: result.sent, incidentsRead: result.incidentsRead, redelivered: stuck.sent.length };
  };
}
