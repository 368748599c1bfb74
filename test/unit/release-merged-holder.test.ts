/**
 * An action left to another incident names it (`heldBy`); that incident may later be merged into a
 * third, which then holds the containment. A release of that third must see the action left to it,
 * through the merge: else it undoes the containment while the first record still says it is held.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContainDeps } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-27T22:00:00.000Z';
const TARGET = 'i-0held0000000001';

const isolation = (over: Partial<ActionRecord>) => doneIsolation(TARGET, over);

describe('a release of the incident a holder was merged into', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const released: string[] = [];
  const adapter: Containment = {
    canEnforce: true,
    execute: async () => {},
    release: async (a, incident, options) => {
      released.push(`${incident.id} ${a.target}`);
      await options.record({ name: 'restore-groups', status: 'done', at: NOW, detail: 'restored' });
    },
  };
  const deps = (): ContainDeps => ({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW, containment: adapter });
  const put = (incident: Incident) => t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });

  beforeEach(async () => {
    t = tempSqliteStore();
    released.length = 0;
    // dl-holder held the isolation and left dl-linked's to it; then dl-holder was merged into dl-survivor.
    await put(incidentFixture({ id: 'dl-survivor', actions: [isolation({})] }));
    await put(
      incidentFixture({
        id: 'dl-holder',
        state: 'closed',
        closedAt: '2026-11-27T21:30:00.000Z',
        mergedInto: 'dl-survivor',
        actions: [isolation({})],
      }),
    );
    await put(
      incidentFixture({
        id: 'dl-linked',
        actions: [isolation({ status: 'skipped', steps: undefined, heldBy: 'dl-holder', reason: 'contained by incident dl-holder' })],
      }),
    );
  });
  afterEach(async () => t.cleanup());

  it('is refused, naming the incident that left it to the merged holder, until that one is named too', async () => {
    await expect(releaseContainment(deps(), { incidentId: 'dl-survivor', by: 'oncall', reason: 'vals positief' })).rejects.toThrow(
      /incident dl-linked \(open\): isolate-instance i-0held0000000001 \(left to dl-survivor, which holds it\)/,
    );
    expect(released).toEqual([]);

    const r = await releaseContainment(deps(), { incidentId: 'dl-survivor', by: 'oncall', reason: 'vals positief', undoFor: ['dl-linked'] });
    expect(r.undoneFor).toEqual([{ incidentId: 'dl-linked', actionId: `isolate-instance:${TARGET}`, now: 'planned' }]);
    const linked = ((await t.store.getIncident('dl-linked')) as Incident).actions[0];
    expect(linked).toMatchObject({ status: 'planned', mode: 'plan' });
    expect(linked.heldBy).toBeUndefined();
  });
});
