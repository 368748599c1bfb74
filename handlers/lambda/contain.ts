/**
 * The contain handler: reacts to "Incident Opened" and "Incident Updated" by carrying out the
 * incident's enforced containment (core/contain.ts), step by step, one run per incident at a time:
 * the event's id holds the incident's lease, so Lambda's retry of the same event takes over its
 * own lease, and a second event for the same incident leaves the work to the run in progress.
 *
 * It publishes "Containment Done" or "Containment Failed" so the notify handler tells the FG and
 * on-call ("Containment Left" when the run carried nothing out and only left actions to the incident
 * holding their resources, or found them contained already: never "done" for what it did not do), and throws when a step failed so that Lambda retries: the retry continues where this
 * run stopped, starting with any network interface left open. An interface left open is also
 * logged with the field the `datalek-interface-exposed` alarm's metric filter reads.
 */
import { LOG_METRICS } from '../adapters/aws/table-schema.js';
import { containmentDue, leftToOthers, runContainment } from '../core/contain.js';
import { DatalekError } from '../core/errors.js';
import { errorToldOutside, toldOutside } from '../core/incident-pseudonyms.js';
import type { Containment } from '../ports/containment.js';
import type { AwsDeps, LambdaContext } from './runtime.js';

export interface ContainEvent {
  /** The EventBridge event id: the same for Lambda's retries of this event. */
  id?: unknown;
  detail?: { incidentId?: unknown };
}

export function createContainHandler(deps: AwsDeps & { containment: Containment }) {
  return async (event: ContainEvent, context?: LambdaContext): Promise<{ actions: { type: string; target: string; status: string }[]; busy?: boolean }> => {
    const incidentId = event.detail?.incidentId;
    if (typeof incidentId !== 'string' || !incidentId) throw new DatalekError('contain: the event has no detail.incidentId');
    const incident = await deps.store.getIncident(incidentId);
    // An action left to another incident is looked at too: that one may have been closed without containing it (Y12).
    if (!incident || !(containmentDue(incident) || leftToOthers(incident))) return { actions: [] };
    deps.logger.appendKeys({ incidentId });
    try {
      const result = await runContainment({ store: deps.store, policy: deps.policy, now: deps.now, containment: deps.containment }, incidentId, {
        holder: typeof event.id === 'string' && event.id ? `event-${event.id}` : undefined,
        deadline: context ? Date.now() + context.getRemainingTimeInMillis() : undefined,
      });
      if (result.busy) {
        deps.logger.info('containment of this incident is already running; that run carries out what this event asks', { leaseUntil: result.busy.until });
        return { actions: [], busy: true };
      }
      // The log and the error (Lambda logs it) outlive minimise: a principal's step by the incident's own pseudonym, as its timeline and messages name it (pseud21).
      const own = (text: string) => toldOutside(result.incident.pseudonymKey, text);
      if (result.stopped)
        deps.logger.error('containment run STOPPED: its lease on the incident was lost; the run holding it, or the next, goes on', {
          reason: own(result.stopped.reason),
        });
      if (result.exposed.length) {
        deps.logger.error('network interface(s) left OPEN to all traffic: on-call is paged (Critical); the retry starts with them', {
          [LOG_METRICS.interfacesExposed]: result.exposed.length,
          steps: result.exposed,
        });
      }
      if (result.refused.length) {
        // Identifiers only: the reason names the finding, the action type and why, never a person.
        deps.logger.error(
          'containment REFUSED: the incident record asked for actions this function may not carry out (was the record written by something else?); the FG and on-call are told',
          {
            [LOG_METRICS.containmentRefused]: result.refused.length,
            refused: result.refused.map((r) => ({ action: r.type, target: own(r.target), reason: own(r.reason) })),
          },
        );
      }
      const refusedIds = new Set(result.refused.map((r) => r.id));
      // A refusal is final: not a failure a retry could mend, so it does not make Lambda retry.
      const failed = result.actions.filter((a) => a.status === 'failed' && !refusedIds.has(a.id));
      if (result.actions.length) {
        // Skipped by a run: left to the incident holding its resource, or found contained already (Y13).
        const left = result.actions.filter((a) => a.status === 'skipped');
        const done = result.actions.some((a) => a.status === 'done');
        await deps.publisher.publish([
          {
            type: failed.length || refusedIds.size ? 'Containment Failed' : done ? 'Containment Done' : 'Containment Left',
            incidentId,
            revision: result.incident.revision,
            detail: {
              actions: result.actions.length,
              failed: failed.length,
              exposed: result.exposed.length,
              refused: refusedIds.size,
              left: left.length,
              heldBy: [...new Set(left.flatMap((a) => (a.heldBy ? [a.heldBy] : [])))].sort().join(','),
            },
          },
        ]);
      }
      for (const a of result.actions)
        deps.logger.info('containment', { action: a.type, target: own(a.target), status: a.status, reason: a.reason && own(a.reason) });
      if (failed.length) throw new DatalekError(own(`contain: ${failed.map((a) => `${a.type} ${a.target}: ${a.reason}`).join('; ')}`));
      return { actions: result.actions };
    } catch (err) {
      // What the run throws (a store's refusal naming a resource, say) is logged by Lambda too: by the incident's own pseudonym.
      throw errorToldOutside(err, incident.pseudonymKey);
    } finally {
      deps.logger.removeKeys(['incidentId']);
    }
  };
}
