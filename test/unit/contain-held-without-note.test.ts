/**
 * Two open incidents that plan containment of one resource before either carried it out (two
 * findings on one instance in two incidents, an attack sequence naming an instance another incident
 * plans): one holds it, the other records that it is held by the first (`heldBy`) and carries out
 * nothing. A second isolation would record the first's isolation group as the groups to restore.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import type { Containment, ExecutionContext } from '../../handlers/ports/containment.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { incidentFixture, storeInstanceFinding } from '../support/incidents.js';
import { listingRefused, tempSqliteStore } from '../support/store.js';

const SHARED = 'i-0shared000000001';
const NOW = '2026-11-27T21:05:00.000Z';

const isolate = (incidentId: string): ActionRecord => ({
  id: `isolate-instance:${SHARED}`,
  type: 'isolate-instance',
  target: SHARED,
  status: 'planned',
  mode: 'enforce',
  findingId: `f-${incidentId}`,
  at: '2026-11-27T21:00:00.000Z',
});

/**
 * Opens an incident planning the isolation of SHARED, with the finding (on SHARED) that calls for it
 * stored in it. One incident holds SHARED's key; the other plans it as a linked incident would (an
 * attack sequence naming the instance, not merged with its holder).
 */
async function openIncident(store: IncidentStore, id: string, holdsKey: boolean): Promise<void> {
  const keyed = holdsKey ? { resource: { kind: 'ec2-instance' as const, resourceType: 'Instance', id: SHARED }, resourceKey: SHARED_KEY } : {};
  await store.commit({ incident: incidentFixture({ id, actions: [isolate(id)], ...keyed }), expectedRevision: null, timeline: [], messages: [] });
  await storeInstanceFinding(store, id, `f-${id}`, SHARED);
}

const SHARED_KEY = `ec2-instance:111122223333:eu-west-1:${SHARED}`;

describe('one holder for a take recorded before containedBy (the last read, L3)', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const executed: string[] = [];
  const adapter: Containment = {
    canEnforce: true,
    execute: async (a: ActionRecord, ctx: ExecutionContext) => {
      executed.push(`${ctx.incident.id} ${a.target}`);
      await ctx.record({ name: 'isolate', status: 'done', at: NOW, detail: 'isolated' });
    },
    release: async () => {},
  };
  const deps = (): ContainDeps => ({ store: listingRefused(t.store), policy: DEFAULT_POLICY, now: () => NOW, containment: adapter, forceEnforce: true });
  const actionOf = async (id: string) => ((await t.store.getIncident(id)) as Incident).actions[0];
  beforeEach(async () => {
    t = tempSqliteStore();
    executed.length = 0;
    await openIncident(t.store, 'dl-first', false);
    await openIncident(t.store, 'dl-second', true);
  });
  afterEach(async () => t.cleanup());

  it('a take recorded before containedBy (heldBy on the key holder, no note) is still seen by a third linked incident', async () => {
    await runContainment(deps(), 'dl-first');
    // As the take before b5fae32 left it: the holder's plan left to dl-first, no note.
    await changeIncident(deps(), 'dl-second', (draft) => {
      delete draft.containedBy;
      return { entries: [] };
    });
    expect(await actionOf('dl-second')).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
    await openIncident(t.store, 'dl-third', false);
    await runContainment(deps(), 'dl-third');
    expect(executed).toEqual([`dl-first ${SHARED}`]);
    expect(await actionOf('dl-third')).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
  });
});
