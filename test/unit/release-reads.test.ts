/**
 * What a release reads of the store's other incidents. A closing releases nothing, so a closed
 * incident's containment is a hold (08912af1), and the first scan lists every incident; but a closed
 * incident's holds cannot grow while the release runs (it is never contained again, and leaves
 * nothing to anyone), so the check after each action's commit lists the open incidents alone and
 * keeps the closed ones from the first scan. It listed the whole history once more per action.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import type { ContainDeps } from '../../handlers/core/contain.js';
import { RefusedError } from '../../handlers/core/errors.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentFilter, IncidentStore } from '../../handlers/ports/incident-store.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';
import { releasing } from '../support/release-steps.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-27T22:00:00.000Z';
const CLOSED = { state: 'closed' as const, closedAt: '2026-11-27T21:30:00.000Z' };

let t: ReturnType<typeof tempSqliteStore>;
const adapter = releasing([{ name: 'restore-groups', status: 'done', at: NOW, detail: 'restored' }]);

/** `store`, counting how often each incident came back from a list of incidents. */
function countingLists(store: IncidentStore) {
  const listed = new Map<string, number>();
  const counted = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'listIncidents')
        return async (filter?: IncidentFilter) => {
          const list = await target.listIncidents(filter);
          for (const i of list) listed.set(i.id, (listed.get(i.id) ?? 0) + 1);
          return list;
        };
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: counted, listed };
}

const put = (incident: Incident) => t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });

beforeEach(async () => {
  t = tempSqliteStore();
  // The incident released: three isolations done. One closed incident holds the first instance too;
  // five more closed incidents hold other instances (history, nothing to do with this release).
  await put(incidentFixture({ id: 'dl-s', actions: ['i-0a', 'i-0b', 'i-0c'].map((i) => doneIsolation(i)) }));
  await put(incidentFixture({ id: 'dl-closed-holder', ...CLOSED, actions: [doneIsolation('i-0a')] }));
  const key = { id: 'deactivate-access-key:AKIAEXAMPLE0001', type: 'deactivate-access-key', target: 'AKIAEXAMPLE0001' };
  await put(incidentFixture({ id: 'dl-k', actions: [doneIsolation('x', { ...key, steps: [{ name: 'deactivate-key', status: 'done', at: NOW }] })] }));
  for (let n = 1; n <= 5; n++) await put(incidentFixture({ id: `dl-old-${n}`, ...CLOSED, actions: [doneIsolation(`i-0old${n}`)] }));
});
afterEach(async () => t.cleanup());

it('lists each closed incident once per release, not once more per action; the closed holder is still released', async () => {
  const { store, listed } = countingLists(t.store);
  const deps: ContainDeps = { store, policy: DEFAULT_POLICY, now: () => NOW, containment: adapter };
  const out = await releaseContainment(deps, { incidentId: 'dl-s', by: 'oncall', reason: 'vals positief', undoFor: ['dl-closed-holder'] });

  expect(out.released.map((r) => r.id).sort()).toEqual(['isolate-instance:i-0a', 'isolate-instance:i-0b', 'isolate-instance:i-0c']);
  expect(out.undoneFor).toEqual([{ incidentId: 'dl-closed-holder', actionId: 'isolate-instance:i-0a', now: 'released' }]);
  for (const id of ['dl-closed-holder', 'dl-old-1', 'dl-old-5']) expect({ id, lists: listed.get(id) }).toEqual({ id, lists: 1 });
  expect(((await t.store.getIncident('dl-closed-holder')) as Incident).actions[0].released).toMatchObject({ by: 'oncall' });
});

it('with --reactivate-key, the key check shares the first scan of every incident', async () => {
  const { store, listed } = countingLists(t.store);
  const deps: ContainDeps = { store, policy: DEFAULT_POLICY, now: () => NOW, containment: adapter };
  const out = await releaseContainment(deps, { incidentId: 'dl-k', by: 'oncall', reason: 'vals positief', reactivateKey: true });
  expect(out.released.map((r) => r.id)).toEqual(['deactivate-access-key:AKIAEXAMPLE0001']);
  expect(listed.get('dl-old-1')).toBe(1);
});

it('refuses, naming an incident whose record cannot be read and what is wrong: whether it holds what the release undoes is unknown', async () => {
  const db = new Database(join(t.dir, STORE_FILE));
  db.prepare('UPDATE incidents SET data = ? WHERE id = ?').run('{"id": "dl-old-3", "state": "clo', 'dl-old-3');
  db.close();
  let released = 0;
  const counting: Containment = {
    ...adapter,
    release: async (a, i, o) => {
      released += 1;
      await adapter.release(a, i, o);
    },
  };
  const deps: ContainDeps = { store: t.store, policy: DEFAULT_POLICY, now: () => NOW, containment: counting };
  const err = await releaseContainment(deps, { incidentId: 'dl-s', by: 'oncall', reason: 'vals positief', undoFor: ['dl-closed-holder'] }).catch((e) => e);

  expect(err).toBeInstanceOf(RefusedError);
  expect(err.message).toContain('incident dl-old-3 cannot be read from the store (its record is not valid JSON; datalek verify dl-old-3');
  expect(err.message).toContain('Nothing was released');
  expect(err.page?.nl).toContain('incident dl-old-3 is niet te lezen');
  expect(released).toBe(0);
  expect(((await t.store.getIncident('dl-s')) as Incident).actions.every((a) => !a.released && !a.releasing)).toBe(true);
});
