/**
 * read14b B4: ba7d741 (objectKeysLeft) keeps an infected S3 object's key in a tag-s3-object action
 * while the tag is in place (to release it), and verify now names a minimised finding whose action
 * holds the key otherwise. Today's code gets there by itself: a malware incident closed with the tag
 * in place, minimised (the key kept, rightly), then released (the tag taken off: the key is needed no
 * more). The release leaves the key in the record, nothing takes it out, and `datalek verify` fails
 * on a store only the current pipeline wrote ("says it is minimised, but the incident's action …
 * still holds the infected object's key … datalek minimise ID removes it"): a file name that can name
 * a person kept past its need until someone runs minimise by hand, and an integrity alarm for it.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { MINIMISED, minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { s3MalwareUploadEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const KEY = 'aanvragen/paspoort-j-jansen-19800101.pdf';
let temp: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  temp = tempSqliteStore();
});
afterEach(async () => temp.cleanup());

it('releasing a minimised incident’s tag takes the object key out, and the store still verifies', async () => {
  const { store } = temp;
  const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T09:00:00.000Z', canEnforce: false };
  const incidentId = (await recordEvent(deps, s3MalwareUploadEvent(KEY))).incidentId as string;
  // The tag carried out, as the AWS containment records it (malware.ts tagS3Object: evidence.object).
  // Carried out as the pipeline records it: the status with its entry (verify holds the record to it).
  await changeIncident(deps, incidentId, (draft) => {
    for (const a of draft.actions)
      if (a.type === 'tag-s3-object') {
        Object.assign(a, { status: 'done', mode: 'enforce', steps: [{ name: 'tag-object', status: 'done', at: '2026-11-28T09:00:00.000Z' }] });
        a.evidence = { object: { bucket: 'intake-uploads', key: KEY, versionId: null, previousTags: [] } };
      }
    const tag = draft.actions.find((a) => a.type === 'tag-s3-object');
    return {
      entries: tag ? [{ at: '2026-11-28T09:00:00.000Z', kind: 'containment-done', detail: { action: tag.type, target: tag.target, status: 'done' } }] : [],
    };
  });
  await assess(deps, { incidentId, personalData: 'no', risk: 'none', reason: 'geen persoonsgegevens', by: 'FG' });
  await closeIncident(deps, { incidentId, reason: 'afgehandeld', by: 'FG' });
  const at = () => '2026-11-29T09:00:00.000Z';
  await minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 0 });
  expect((await verifyStore(store, { now: at() })).problems).toEqual([]); // the tag in place keeps its key

  const later = () => '2026-11-29T10:00:00.000Z';
  const containment: Containment = {
    canEnforce: true,
    execute: async () => {},
    release: async (_action, _incident, options) => options.record({ name: 'restore-object-tags', status: 'done', at: later() }),
  };
  const released = await releaseContainment({ store, policy: DEFAULT_POLICY, now: later, containment }, { incidentId, by: 'Sam', reason: 'object verwijderd' });
  expect(released.released).toHaveLength(1);

  const tag = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'tag-s3-object');
  const problems = (await verifyStore(store, { now: later() })).problems.map((p) => p.problem);
  expect({ paramsKey: tag?.params?.key, evidenceKey: (tag?.evidence?.object as { key?: string })?.key, problems }).toEqual({
    paramsKey: MINIMISED,
    evidenceKey: MINIMISED,
    problems: [],
  });
});
