/**
 * The note on a key holder that a linked incident took its resource up (`containedBy`, b5fae32) is
 * what a third incident's run reads to leave the resource to that one. A merge of the key holder
 * into another incident moved the key and the actions, not the note (the last read, L1): the
 * survivor, now the key's holder, read as holding nothing, and a third incident planning the
 * resource isolated it again while the linked incident held it, recording the isolation group as the
 * groups to restore.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { ACCOUNT, credentialSequenceEvent, REGION } from '../support/events.js';
import { doneIsolation, incidentFixture, instanceAndKeyIncidents, isolationAdapter, storeInstanceFinding } from '../support/incidents.js';
import { listingRefused, tempSqliteStore } from '../support/store.js';

const INSTANCE = 'i-0123456789abcdef0';
const NOW = '2026-11-28T03:00:00.000Z';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

it('a merge carries the key holder’s note: a third incident planning the resource leaves it to the incident that holds it', async () => {
  const record = { store: t.store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
  const { instance: holder, key: survivor } = await instanceAndKeyIncidents(record);
  // dl-linked took the instance up and isolated it; the key's holder notes it (as takeResource writes it).
  await t.store.commit({
    incident: incidentFixture({ id: 'dl-linked', actions: [doneIsolation(INSTANCE)] }),
    expectedRevision: null,
    timeline: [],
    messages: [],
  });
  const note = { type: 'isolate-instance', target: INSTANCE, accountId: ACCOUNT, region: REGION, incidentId: 'dl-linked' };
  await changeIncident(record, holder, (draft) => {
    draft.containedBy = [note];
    return { entries: [] };
  });

  await recordEvent({ ...record, now: () => '2026-11-28T09:10:00.000Z' }, credentialSequenceEvent({ createdAt: '2026-11-28T09:00:00.000Z' }));
  expect(((await t.store.getIncident(holder)) as Incident).mergedInto).toBe(survivor);
  expect(((await t.store.getIncident(survivor)) as Incident).containedBy).toEqual([note]);

  // A third incident, linked, plans the instance: its run reads the key's holder (the survivor) and leaves it.
  const planned: ActionRecord = {
    id: `isolate-instance:${INSTANCE}`,
    type: 'isolate-instance',
    target: INSTANCE,
    status: 'planned',
    mode: 'enforce',
    findingId: 'f-dl-third',
    at: NOW,
  };
  await t.store.commit({ incident: incidentFixture({ id: 'dl-third', actions: [planned] }), expectedRevision: null, timeline: [], messages: [] });
  await storeInstanceFinding(t.store, 'dl-third', 'f-dl-third', INSTANCE);
  const executed: string[] = [];
  const deps: ContainDeps = {
    store: listingRefused(t.store),
    policy: DEFAULT_POLICY,
    now: () => NOW,
    containment: isolationAdapter(executed, () => false, NOW),
    forceEnforce: true,
  };
  await runContainment(deps, 'dl-third');
  expect(executed).toEqual([]);
  expect(((await t.store.getIncident('dl-third')) as Incident).actions[0]).toMatchObject({ status: 'skipped', heldBy: 'dl-linked' });
});
