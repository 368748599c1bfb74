/**
 * The contain function acts on what a stored finding calls for, so the finding record must be the
 * one the pipeline wrote: a finding edited behind it (the store's file, a table item written by hand)
 * to name another instance would steer containment onto that one. IAM keeps the other functions
 * from writing finding items on AWS; the ledger check is what the local store, and defence in
 * depth, have: the finding's bytes must be those the ledger recorded when it was written.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { incidentFixture, storeInstanceFinding } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-27T22:00:00.000Z';
const ID = 'dl-ledgered01';

let t: ReturnType<typeof tempSqliteStore>;
const executed: string[] = [];
const adapter: Containment = {
  canEnforce: true,
  async execute(action, ctx) {
    executed.push(action.target);
    await ctx.record({ name: 'isolate', status: 'done', at: NOW, detail: 'isolated' });
  },
  async release() {},
};
const deps = (): ContainDeps => ({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW, containment: adapter, forceEnforce: true });
const isolate = (target: string): ActionRecord => ({
  id: `isolate-instance:${target}`,
  type: 'isolate-instance',
  target,
  status: 'planned',
  mode: 'enforce',
  findingId: 'f-ledgered',
  at: '2026-11-27T21:00:00.000Z',
});

beforeEach(async () => {
  t = tempSqliteStore();
  executed.length = 0;
  await t.store.commit({ incident: incidentFixture({ id: ID, actions: [isolate('i-0victim00000001')] }), expectedRevision: null, timeline: [], messages: [] });
  await storeInstanceFinding(t.store, ID, 'f-ledgered', 'i-0attacked000001');
});
afterEach(async () => t.cleanup());

/** Rewrites the stored finding behind the pipeline: it names `instanceId` now. */
function editFinding(instanceId: string): void {
  const db = new Database(join(t.dir, STORE_FILE));
  try {
    const row = db.prepare('SELECT data FROM findings WHERE finding_id = ?').get('f-ledgered') as { data: string };
    const text = row.data.replaceAll('i-0attacked000001', instanceId);
    db.prepare('UPDATE findings SET data = ? WHERE finding_id = ?').run(text, 'f-ledgered');
  } finally {
    db.close();
  }
}

it('refuses an action whose stored finding is not the one the ledger recorded, saying so', async () => {
  editFinding('i-0victim00000001');
  const result = await runContainment(deps(), ID);
  expect(executed).toEqual([]);
  expect(result.refused).toEqual([
    expect.objectContaining({ target: 'i-0victim00000001', reason: expect.stringContaining('not the one the ledger recorded') }),
  ]);
  expect(((await t.store.getIncident(ID)) as Incident).actions[0]).toMatchObject({ status: 'failed', refused: expect.anything() });
});

it('carries out an action whose finding the ledger vouches for', async () => {
  await t.store.commit({
    ...(await (async () => {
      const current = (await t.store.getIncident(ID)) as Incident;
      return { incident: { ...current, revision: current.revision + 1, actions: [isolate('i-0attacked000001')] }, expectedRevision: current.revision };
    })()),
    timeline: [],
    messages: [],
  });
  const result = await runContainment(deps(), ID);
  expect(executed).toEqual(['i-0attacked000001']);
  expect(result.refused).toEqual([]);
});
