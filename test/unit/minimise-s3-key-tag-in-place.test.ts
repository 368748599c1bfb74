/**
 * review11 A1: minimise takes the infected S3 object's key out of the finding's tag-s3-object actions
 * (params.key, evidence.object.key), as out of the finding. A tag still in place (done, not
 * released) keeps its key: releasing it tags that object, and without the key it could never be
 * taken off. Once released, the key goes.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { recordContainedByHand } from '../../handlers/core/by-hand.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { MINIMISED, minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { s3MalwareUploadEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const KEY = 'aanvragen/2026/11/paspoort-j-jansen-19800101.pdf';
let temp: ReturnType<typeof tempSqliteStore>;
let store: SqliteIncidentStore;
beforeEach(() => {
  temp = tempSqliteStore();
  store = temp.store;
});
afterEach(async () => temp.cleanup());

/** The malware finding recorded, its tag marked done (and released when `released`, or done by hand only), the incident closed and minimised. */
async function minimisedTag(released: boolean | 'by hand') {
  const event = s3MalwareUploadEvent(KEY);
  const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T09:00:00.000Z', canEnforce: false };
  const incidentId = (await recordEvent(deps, event)).incidentId as string;
  const incident = (await store.getIncident(incidentId)) as Incident;
  const draft = structuredClone(incident);
  draft.revision += 1;
  for (const a of draft.actions.filter((x) => x.type === 'tag-s3-object')) {
    a.status = 'done';
    a.evidence = { object: { bucket: a.params?.bucket, key: a.params?.key, versionId: null, previousTags: [] } };
    if (released === true) a.released = { at: '2026-11-28T09:00:00.000Z', by: 'FG', reason: 'schoon bevonden' };
  }
  if (released === 'by hand')
    for (const a of incident.actions.filter((x) => x.type === 'tag-s3-object'))
      await recordContainedByHand(deps, { incidentId, actionId: a.id, by: 'on-call', what: 'bestand in quarantaine gezet', at: '2026-11-28T09:00:00.000Z' });
  else await store.commit({ incident: draft, expectedRevision: incident.revision, timeline: [], messages: [] });
  await assess(deps, { incidentId, personalData: 'no', risk: 'none', reason: 'geen persoonsgegevens', by: 'FG' });
  await closeIncident(deps, { incidentId, reason: 'afgehandeld', by: 'FG' });
  const at = () => '2026-11-29T09:00:00.000Z';
  await minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 0 });
  return ((await store.getIncident(incidentId)) as Incident).actions.filter((a) => a.type === 'tag-s3-object');
}

it('keeps the key of a tag still in place, so that it can be released', async () => {
  const tags = await minimisedTag(false);
  expect(tags.length).toBeGreaterThan(0);
  for (const t of tags) expect([t.params?.key, (t.evidence?.object as { key?: string } | undefined)?.key]).toEqual([KEY, KEY]);
});

it('takes the key out of a released tag, its evidence too', async () => {
  const tags = await minimisedTag(true);
  expect(tags.length).toBeGreaterThan(0);
  for (const t of tags) expect([t.params?.key, (t.evidence?.object as { key?: string } | undefined)?.key]).toEqual([MINIMISED, MINIMISED]);
});

it('fg22: takes the key out of a tag carried out by hand only: datalek has nothing to release it by', async () => {
  const tags = await minimisedTag('by hand');
  expect(tags.length).toBeGreaterThan(0);
  for (const t of tags) expect([t.status, t.byHand?.by, t.params?.key], 'premise: done by hand').toEqual(['done', 'on-call', MINIMISED]);
  // And verify no longer names such a record as keeping the key (objectKeysLeftMinimised reads the same rule).
  expect(verifyOk(await verifyStore(store, { now: '2026-11-29T09:00:00.000Z' }))).toBe(true);
});
