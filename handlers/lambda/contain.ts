/**
 * The contain handler: reacts to "Incident Opened" and "Incident Updated" by carrying out the
 * incident's enforced containment (core/contain.ts), step by step. It publishes "Containment Done"
 * or "Containment Failed" so the notify handler tells the FG and on-call, and throws when a step
 * failed so that Lambda retries: the retry continues where this run stopped.
 */
import { actionsToEnforce, runContainment } from '../core/contain.js';
import { DatalekError } from '../core/errors.js';
import type { Containment } from '../ports/containment.js';
import type { AwsDeps } from './runtime.js';

export function createContainHandler(deps: AwsDeps & { containment: Containment }) {
  return async (event: { detail?: { incidentId?: unknown } }): Promise<{ actions: { type: string; target: string; status: string }[] }> => {
    const incidentId = event.detail?.incidentId;
    if (typeof incidentId !== 'string' || !incidentId) throw new DatalekError('contain: the event has no detail.incidentId');
    const incident = await deps.store.getIncident(incidentId);
    if (!incident || actionsToEnforce(incident).length === 0) return { actions: [] };
    deps.logger.appendKeys({ incidentId });
    try {
      const result = await runContainment({ store: deps.store, policy: deps.policy, now: deps.now, containment: deps.containment }, incidentId);
      const failed = result.actions.filter((a) => a.status === 'failed');
      await deps.publisher.publish([
        {
          type: failed.length ? 'Containment Failed' : 'Containment Done',
          incidentId,
          revision: result.incident.revision,
          detail: { actions: result.actions.length, failed: failed.length },
        },
      ]);
      for (const a of result.actions) deps.logger.info('containment', { action: a.type, target: a.target, status: a.status, reason: a.reason });
      if (failed.length) throw new DatalekError(`contain: ${failed.map((a) => `${a.type} ${a.target}: ${a.reason}`).join('; ')}`);
      return { actions: result.actions };
    } finally {
      deps.logger.removeKeys(['incidentId']);
    }
  };
}
