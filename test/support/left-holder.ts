/** Incidents sharing one instance, and an isolation that fails, for the tests of a failed holder and what it was left (read14c C2, C5). */
import type { Incident } from '../../handlers/core/incident.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { incidentFixture, plannedIsolation, storeInstanceFinding } from './incidents.js';

/** An isolation refused at its one interface (`eni-a`), recorded at `at()`. */
export function failingIsolation(at: () => string): Containment {
  return {
    canEnforce: true,
    execute: async (_a, ctx) => {
      await ctx.record({ name: 'isolate-eni:eni-a', at: at(), status: 'failed', code: 'UnauthorizedOperation', detail: 'not authorized' });
    },
    release: async () => {},
  };
}

/** Opens incident `id` with an isolation of `instance` planned, and its finding stored. */
export async function openSharing(store: IncidentStore, id: string, instance: string, over: Partial<Incident> = {}): Promise<void> {
  const action = plannedIsolation(instance, { findingId: `f-${id}` });
  await store.commit({ incident: incidentFixture({ id, actions: [action], ...over }), expectedRevision: null, timeline: [], messages: [] });
  await storeInstanceFinding(store, id, `f-${id}`, instance);
}
