/**
 * A closed incident's containment another incident's release undoes (--undo-for, session 26): the closed
 * incident may be minimised by then, its tag-s3-object keeping the object's key for its release alone
 * (read14b B4). Marked released by the other incident's release, the key was left in the record: a file
 * name that can name a person kept past its need, and `datalek verify` naming it.
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

it("releasing what a closed, minimised incident's tag holds too takes the object key out there, and the store still verifies", async () => {
  const { store } = temp;
  const at = (t: string) => () => `2026-11-${t}:00:00.000Z`;
  /** An incident of the object's finding, its tag carried out as the AWS containment records it (malware.ts tagS3Object). */
  const tagged = async (findingId: string, now: () => string) => {
    const event = s3MalwareUploadEvent(KEY);
    event.detail.id = findingId;
    const incidentId = (await recordEvent({ store, policy: DEFAULT_POLICY, now, canEnforce: false }, event)).incidentId as string;
    // Carried out as the pipeline records it: the status with its entry (verify holds the record to it).
    await changeIncident({ store, policy: DEFAULT_POLICY, now }, incidentId, (draft) => {
      for (const a of draft.actions)
        if (a.type === 'tag-s3-object') {
          Object.assign(a, { status: 'done', mode: 'enforce', steps: [{ name: 'tag-object', status: 'done', at: now() }] });
          a.evidence = { object: { bucket: 'intake-uploads', key: KEY, versionId: null, previousTags: [] } };
        }
      const tag = draft.actions.find((a) => a.type === 'tag-s3-object');
      return { entries: tag ? [{ at: now(), kind: 'containment-done', detail: { action: tag.type, target: tag.target, status: 'done' } }] : [] };
    });
    return incidentId;
  };
  const closed = await tagged('f-closed', at('28T09'));
  const deps = { store, policy: DEFAULT_POLICY, now: at('28T09') };
  await assess(deps, { incidentId: closed, personalData: 'no', risk: 'none', reason: 'geen persoonsgegevens', by: 'FG' });
  await closeIncident(deps, { incidentId: closed, reason: 'afgehandeld', by: 'FG' });
  await minimiseClosed({ store, audit: store, now: at('29T09'), machineNow: at('29T09') }, { by: 'FG', afterDays: 0 });
  const other = await tagged('f-later', at('29T10'));
  expect(other).not.toBe(closed);

  const later = at('29T11');
  const containment: Containment = {
    canEnforce: true,
    execute: async () => {},
    release: async (_action, _incident, options) => options.record({ name: 'restore-object-tags', status: 'done', at: later() }),
  };
  const out = await releaseContainment(
    { store, policy: DEFAULT_POLICY, now: later, containment },
    { incidentId: other, by: 'Sam', reason: 'object verwijderd', undoFor: [closed] },
  );
  expect(out.undoneFor).toEqual([{ incidentId: closed, actionId: expect.stringContaining('tag-s3-object'), now: 'released' }]);

  const tag = ((await store.getIncident(closed)) as Incident).actions.find((a) => a.type === 'tag-s3-object');
  const problems = (await verifyStore(store, { now: later() })).problems.map((p) => p.problem);
  expect({ released: tag?.released?.by, paramsKey: tag?.params?.key, evidenceKey: (tag?.evidence?.object as { key?: string })?.key, problems }).toEqual({
    released: 'Sam',
    paramsKey: MINIMISED,
    evidenceKey: MINIMISED,
    problems: [],
  });
});
