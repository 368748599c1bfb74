/**
 * A closed incident carries no containment out (review6 R13): the FG closed it with the reason its
 * failed or planned enforced containment is left ("productiedatabase: met de hand afgeschermd"), and
 * a later "Incident Updated" of it (a late finding version recorded on it) starts a contain run. That
 * run must not isolate the resource against the recorded decision, days after closing, on a resource
 * nobody watches any more. (`datalek contain` refuses a closed incident already.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ContainDeps, containmentDue, runContainment } from '../../handlers/core/contain.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { incidentFixture, isolationAdapter, storeInstanceFinding } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const SHARED = 'i-0closed00000001';
const NOW = '2026-11-27T21:05:00.000Z';

describe('containment of a closed incident', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const executed: string[] = [];
  let fail = true;
  const adapter = isolationAdapter(executed, () => fail, NOW);
  const deps = (now = NOW): ContainDeps => ({ store: t.store, policy: DEFAULT_POLICY, now: () => now, containment: adapter, forceEnforce: true });
  beforeEach(async () => {
    t = tempSqliteStore();
    const action: ActionRecord = {
      id: `isolate-instance:${SHARED}`,
      type: 'isolate-instance',
      target: SHARED,
      status: 'planned',
      mode: 'enforce',
      findingId: 'f-c',
      at: '2026-11-27T21:00:00.000Z',
    };
    await t.store.commit({ incident: incidentFixture({ id: 'dl-c', actions: [action] }), expectedRevision: null, timeline: [], messages: [] });
    await storeInstanceFinding(t.store, 'dl-c', 'f-c', SHARED);
  });
  afterEach(async () => t.cleanup());

  it('is not carried out after the FG closed it with the reason it is left', async () => {
    await runContainment(deps(), 'dl-c');
    const fg = { store: t.store, policy: DEFAULT_POLICY, now: () => '2026-11-27T22:00:00.000Z' };
    await assess(fg, { incidentId: 'dl-c', personalData: 'no', risk: 'none', reason: 'geen persoonsgegevens', by: 'FG' });
    await closeIncident(fg, {
      incidentId: 'dl-c',
      reason: 'afgehandeld',
      by: 'FG',
      containmentReason: 'productiedatabase: niet isoleren, met de hand afgeschermd',
    });
    fail = false;
    executed.length = 0;
    const closed = (await t.store.getIncident('dl-c')) as Incident;
    expect(containmentDue(closed)).toBe(false);
    await runContainment(deps('2026-12-05T10:00:00.000Z'), 'dl-c');
    expect(executed).toEqual([]);
  });
});
