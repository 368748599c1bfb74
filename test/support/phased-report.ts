import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Policy } from '../../handlers/core/policy.js';
import { incidentFixture } from './incidents.js';

/**
 * Stores incident `id`, assessed notifiable (27 November 22:00 UTC) and reported to the AP as
 * `M-1` (28 November 08:00 UTC) with the facts still incomplete: the AP holds only the first phase
 * of the notification, and its follow-up is owed (Art. 33(4)).
 */
export async function storeFirstPhaseOnly(store: SqliteIncidentStore, policy: Policy, id: string): Promise<void> {
  await store.commit({ incident: incidentFixture({ id, actions: [] }), expectedRevision: null, timeline: [], messages: [] });
  const at = (now: string) => ({ store, policy, now: () => now });
  await assess(at('2026-11-27T22:00:00.000Z'), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'cliëntgegevens op de server', by: 'FG' });
  await recordReport(at('2026-11-28T08:00:00.000Z'), { incidentId: id, reference: 'M-1', by: 'FG' });
}
