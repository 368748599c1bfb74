/**
 * Records as older code stored them. Before fg11 (17507a0): a telecom subscribers' exception without the AP's
 * agreement counted done, closed, nothing due. Its due index misses the reminder it owes, which
 * `datalek sweep --reindex` puts back.
 */
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, closeIncident, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY, type Policy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { s3MalwareUploadEvent } from './events.js';
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

/**
 * A closed malware incident (Malware Protection for S3, the infected object named `objectKey`) as
 * `minimise` wrote it from f787210 to 3784915 (review11 S4, before read A's A1): the finding record
 * minimised, the object's key still in the incident's tag-s3-object action (planned, never carried
 * out), as `params.key`. Made with today's minimise by having the action look carried out and in
 * place while it runs (a tag in place keeps its key), then as it was. Returns the incident's id.
 */
export async function storeMinimisedKeepingObjectKey(store: SqliteIncidentStore, objectKey: string): Promise<string> {
  const event = s3MalwareUploadEvent(objectKey);
  const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T09:00:00.000Z', canEnforce: false };
  const incidentId = (await recordEvent(deps, event)).incidentId as string;
  await assess(deps, { incidentId, personalData: 'no', risk: 'none', reason: 'geen persoonsgegevens', by: 'FG' });
  await closeIncident(deps, { incidentId, reason: 'afgehandeld', by: 'FG' });
  // Each tag-s3-object action's status set as `status` says, in a commit of its own (as a write of the time would).
  const setTags = async (status: (a: ActionRecord) => ActionRecord['status']) => {
    const incident = (await store.getIncident(incidentId)) as Incident;
    const draft = structuredClone(incident);
    draft.revision += 1;
    for (const a of draft.actions) if (a.type === 'tag-s3-object') a.status = status(a);
    await store.commit({ incident: draft, expectedRevision: incident.revision, timeline: [], messages: [] });
  };
  const before = new Map(((await store.getIncident(incidentId)) as Incident).actions.map((a) => [a.id, a.status]));
  await setTags(() => 'done');
  const at = () => '2026-11-29T09:00:00.000Z';
  await minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 0 });
  await setTags((a) => before.get(a.id) ?? a.status);
  return incidentId;
}
