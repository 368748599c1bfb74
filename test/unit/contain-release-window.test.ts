/**
 * A run that leaves its action to the incident holding the resource, while that incident's release
 * is being stored (review5 A4's remaining window): the run read the holder before the release's
 * commit, and its own commit lands after the release read who else holds the resource (both before
 * and after its commit). The action then said "contained by" an incident that released it, and
 * nobody was told; only a person thinking of `datalek contain --enforce` took it up. The run reads
 * the holder again after leaving it and, when it has been released meanwhile, does what the
 * release does for an action left to it: planned again, its FG and on-call told.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentChange, IncidentStore } from '../../handlers/ports/incident-store.js';
import { doneIsolation, incidentFixture, storeInstanceFinding } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const SHARED = 'i-0shared000000001';
const NOW = '2026-11-27T21:05:00.000Z';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

it('an action left to a holder whose release was stored meanwhile is planned again, and its FG and on-call told', async () => {
  const executed: string[] = [];
  const adapter: Containment = {
    canEnforce: true,
    execute: async (_a, ctx) => {
      executed.push(ctx.incident.id);
    },
    release: async (_a, _incident, options) => {
      await options.record({ name: 'restore-groups', status: 'done', at: NOW, detail: 'restored' });
    },
  };
  const deps = (store: IncidentStore): ContainDeps => ({ store, policy: DEFAULT_POLICY, now: () => NOW, containment: adapter, forceEnforce: true });
  const keyed = {
    resource: { kind: 'ec2-instance' as const, resourceType: 'Instance', id: SHARED },
    resourceKey: `ec2-instance:111122223333:eu-west-1:${SHARED}`,
  };
  await t.store.commit({
    incident: incidentFixture({ id: 'dl-holder', actions: [doneIsolation(SHARED)], ...keyed }),
    expectedRevision: null,
    timeline: [],
    messages: [],
  });
  const planned: ActionRecord = {
    id: `isolate-instance:${SHARED}`,
    type: 'isolate-instance',
    target: SHARED,
    status: 'planned',
    mode: 'enforce',
    findingId: 'f-dl-linked',
    at: NOW,
  };
  await t.store.commit({ incident: incidentFixture({ id: 'dl-linked', actions: [planned] }), expectedRevision: null, timeline: [], messages: [] });
  await storeInstanceFinding(t.store, 'dl-linked', 'f-dl-linked', SHARED);

  // The holder's release is stored, all of it, just before the run's commit that leaves the action to it.
  let released = false;
  const racing = new Proxy(t.store, {
    get(target, prop, receiver) {
      if (prop === 'commit')
        return async (change: IncidentChange) => {
          if (!released && change.incident.id === 'dl-linked' && change.incident.actions[0]?.heldBy) {
            released = true;
            await releaseContainment(deps(t.store), { incidentId: 'dl-holder', by: 'oncall', reason: 'vals positief' });
          }
          return target.commit(change);
        };
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  await runContainment(deps(racing), 'dl-linked');
  expect(released).toBe(true);
  expect(executed).toEqual([]);

  const linked = ((await t.store.getIncident('dl-linked')) as Incident).actions[0];
  expect(linked.heldBy).toBeUndefined();
  expect(linked).toMatchObject({ status: 'planned', mode: 'plan', reason: expect.stringContaining('dl-holder') });
  const told = (await t.store.listMessages('dl-linked')).filter((m) => m.kind === 'released').map((m) => m.channel);
  expect(told.sort()).toEqual(['fg', 'on-call']);
});
