/**
 * A run stopped before it told the FG and on-call what it carried out (its process ended, or it lost
 * its lease) leaves the outcomes on the record. The next run of that incident tells them as it
 * takes the incident, not only when it ends: it may have work of its own that takes long, or stop
 * before telling too.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident, OutboxMessage } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { doneIsolation, incidentFixture, storeInstanceFinding } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-27T22:00:00.000Z';
const ID = 'dl-untold0001';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(async () => {
  t = tempSqliteStore();
  // The earlier run isolated i-earlier and stopped before telling; its lease ran out at 21:20.
  const earlier = doneIsolation('i-earlier');
  const waiting: ActionRecord = { ...doneIsolation('i-waiting'), status: 'planned', steps: undefined };
  const incident = incidentFixture({
    id: ID,
    actions: [earlier, waiting],
    containmentUntold: [earlier.id],
    containmentLease: { holder: 'event-stopped', until: '2026-11-27T21:20:00.000Z' },
  });
  await t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
  await storeInstanceFinding(t.store, ID, 'f-i-waiting', 'i-waiting');
});
afterEach(async () => t.cleanup());

it('tells the outcomes an earlier run left untold as it takes the incident, before its own steps', async () => {
  let toldBefore: OutboxMessage[] = [];
  const adapter: Containment = {
    canEnforce: true,
    async execute(_action, ctx) {
      toldBefore = (await t.store.listMessages(ID)).filter((m) => m.kind.startsWith('containment-'));
      await ctx.record({ name: 'isolate', status: 'done', at: NOW, detail: 'isolated' });
    },
    async release() {},
  };
  const deps: ContainDeps = { store: t.store, policy: DEFAULT_POLICY, now: () => NOW, containment: adapter, forceEnforce: true };
  await runContainment(deps, ID, { holder: 'event-next' });

  expect(toldBefore.map((m) => `${m.channel} ${m.kind}`).sort()).toEqual(['fg containment-done', 'on-call containment-done']);
  expect(toldBefore[0].body).toContain('Deze ronde: 1 actie uitgevoerd.');
  // Its own outcome is told when it ends, once; nothing is told twice.
  const told = (await t.store.listMessages(ID)).filter((m) => m.kind.startsWith('containment-'));
  expect(told).toHaveLength(4);
  expect(((await t.store.getIncident(ID)) as Incident).containmentUntold).toBeUndefined();
});
