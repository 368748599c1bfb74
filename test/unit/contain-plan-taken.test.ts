/**
 * A finding that names a resource a linked incident took up (its run holds it: `startedAt`, no step
 * done yet) plans it as left to that incident, as it does for one that holds it contained. The plan
 * read only done steps, so the new incident's record said "planned" (and its on-call message a new
 * containment) until its own run left it to the holder.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { assess } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { credentialSequenceEvent } from '../support/events.js';
import { instanceAndKeyIncidents } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const INSTANCE = 'i-0123456789abcdef0';
const NOW = '2026-11-28T03:00:00.000Z';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

it('a resource a linked incident took up is planned as left to it, before either run', async () => {
  const record = { store: t.store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: true, forceEnforce: true };
  const { instance: holder, key: other } = await instanceAndKeyIncidents(record);
  // The FG decided on the holder (so a later finding links it rather than merging it), and its run took the instance up.
  await assess(
    { store: t.store, policy: DEFAULT_POLICY, now: () => NOW },
    { incidentId: holder, personalData: 'no', risk: 'none', reason: 'testserver', by: 'FG' },
  );
  await changeIncident(record, holder, (draft) => {
    const a = draft.actions.find((x) => x.type === 'isolate-instance' && x.target === INSTANCE);
    if (!a) throw new Error('no isolation planned');
    a.startedAt = NOW;
    return { entries: [] };
  });

  await recordEvent({ ...record, now: () => '2026-11-28T03:10:00.000Z' }, credentialSequenceEvent({ createdAt: '2026-11-28T03:05:00.000Z' }));
  expect(((await t.store.getIncident(holder)) as Incident).mergedInto).toBeUndefined();
  const planned = ((await t.store.getIncident(other)) as Incident).actions.find((a) => a.type === 'isolate-instance' && a.target === INSTANCE);
  expect(planned).toMatchObject({ status: 'skipped', heldBy: holder });
});
