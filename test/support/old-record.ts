/**
 * A record as stored before fg11 (17507a0): a telecom subscribers' exception without the AP's
 * agreement counted done, closed, nothing due. Its due index misses the reminder it owes, which
 * `datalek sweep --reindex` puts back.
 */
import { recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import type { Policy } from '../../handlers/core/policy.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { incidentFixture } from './incidents.js';

export async function storeOldTelecomRecord(store: IncidentStore, policy: Policy, now: string, fixture: Partial<Incident> & { id: string }): Promise<void> {
  const id = fixture.id;
  await store.commit({ incident: incidentFixture(fixture), expectedRevision: null, timeline: [], messages: [] });
  await recordFacts({ store, policy, now: () => now }, { incidentId: id, by: 'FG', unintelligible: 'yes', nature: ['confidentiality'] });
  const stored = (await store.getIncident(id)) as Incident;
  const old = {
    ...stored,
    assessment: { risk: 'risk', notifiable: true, reason: 'telecom', by: 'FG', at: now },
    subscribers: { decision: 'exception', exception: 'encrypted', date: null, channel: null, reason: 'versleuteld', by: 'FG', at: now },
    state: 'closed',
    closedAt: now,
    nextDueAt: null,
    revision: stored.revision + 1,
  } as Incident;
  await store.commit({ incident: old, expectedRevision: stored.revision, timeline: [], messages: [] });
}
