/**
 * A confirmed release (`release S --undo-for B`) records what it undid in S and in B. Were they two
 * commits, a crash between them would leave B saying its resource is contained (left to S) while S
 * undid it, and S's action, released, is never released again to mend it: one commit holds both.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ContainDeps } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentChange } from '../../handlers/ports/incident-store.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-27T22:00:00.000Z';
const TARGET = 'i-0shared00000002';

const isolation = (over: Partial<ActionRecord>) => doneIsolation(TARGET, over);

let t: ReturnType<typeof tempSqliteStore>;
const adapter: Containment = {
  canEnforce: true,
  execute: async () => {},
  release: async (_a, _incident, options) => {
    await options.record({ name: 'restore-groups', status: 'done', at: NOW, detail: 'restored' });
  },
};
const deps = (): ContainDeps => ({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW, containment: adapter });

beforeEach(async () => {
  t = tempSqliteStore();
  const put = (incident: Incident) => t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
  await put(incidentFixture({ id: 'dl-holds', actions: [isolation({})] }));
  await put(incidentFixture({ id: 'dl-left', actions: [isolation({ status: 'skipped', steps: undefined, heldBy: 'dl-holds' })] }));
});
afterEach(async () => t.cleanup());

it('records the release and what it undid for the other incident in one commit: a crash after it leaves neither half written', async () => {
  // The process dies right after the commit that records the release: no later write is stored.
  const commit = t.store.commit.bind(t.store);
  let crashed = false;
  t.store.commit = async (change: IncidentChange) => {
    if (crashed) throw new Error('the process died');
    const receipt = await commit(change);
    if (change.timeline.some((e) => e.kind === 'containment-released')) crashed = true;
    return receipt;
  };
  await releaseContainment(deps(), { incidentId: 'dl-holds', by: 'oncall', reason: 'vals positief', undoFor: ['dl-left'] }).catch(() => undefined);

  const holds = ((await t.store.getIncident('dl-holds')) as Incident).actions[0];
  const left = ((await t.store.getIncident('dl-left')) as Incident).actions[0];
  expect(holds.released).toMatchObject({ by: 'oncall', reason: 'vals positief' });
  expect(left).toMatchObject({ status: 'planned', mode: 'plan', reason: expect.stringContaining('incident dl-holds, which held it, released it') });
  expect(left.heldBy).toBeUndefined();
  const messages = await t.store.listMessages('dl-left');
  expect(
    messages
      .filter((m) => m.kind === 'released')
      .map((m) => m.channel)
      .sort(),
  ).toEqual(['fg', 'on-call']);
});
