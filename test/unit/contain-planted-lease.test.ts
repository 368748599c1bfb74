/**
 * atk28 F14: a containment lease planted on the record until 2099 (an edit behind the pipeline; verify
 * names it) made every contain run of the incident return `busy` until then: its resource left open.
 * No run holds a lease longer than a contain function runs (15 minutes) plus the margin it records in,
 * so a run takes such a lease as planted, says so on the timeline and carries the containment out; a
 * lease a run can hold still keeps a second run out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { incidentFixture, isolationAdapter, storeInstanceFinding } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const INSTANCE = 'i-0planted0000001';
const NOW = '2026-11-27T21:05:00.000Z';

describe('a containment lease no run can hold', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const executed: string[] = [];
  const adapter = isolationAdapter(executed, () => false, NOW);
  const deps = (): ContainDeps => ({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW, containment: adapter, forceEnforce: true });
  async function leased(until: string): Promise<void> {
    const action: ActionRecord = {
      id: `isolate-instance:${INSTANCE}`,
      type: 'isolate-instance',
      target: INSTANCE,
      status: 'planned',
      mode: 'enforce',
      findingId: 'f-p',
      at: '2026-11-27T21:00:00.000Z',
    };
    const incident = incidentFixture({ id: 'dl-p', actions: [action], containmentLease: { holder: 'contain-xyz', until } });
    await t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
    await storeInstanceFinding(t.store, 'dl-p', 'f-p', INSTANCE);
  }
  beforeEach(() => {
    t = tempSqliteStore();
    executed.length = 0;
  });
  afterEach(async () => t.cleanup());

  it('until 2099: taken as planted, named on the timeline, and the containment carried out', async () => {
    await leased('2099-01-01T00:00:00.000Z');
    const result = await runContainment(deps(), 'dl-p');
    expect(result.busy).toBeUndefined();
    expect(executed.length).toBeGreaterThan(0);
    const entry = (await t.store.getTimeline('dl-p')).find((e) => e.kind === 'containment-lease-planted');
    expect(entry?.detail).toMatchObject({ holder: 'contain-xyz', until: '2099-01-01T00:00:00.000Z' });
    expect(String(entry?.detail.reason)).toContain('longer than any containment run holds one');
    expect(((await t.store.getIncident('dl-p')) as Incident).containmentLease ?? null).toBeNull();
  });

  it('within what a run holds (10 minutes on): another run is busy, nothing carried out', async () => {
    await leased('2026-11-27T21:15:00.000Z');
    const result = await runContainment(deps(), 'dl-p');
    expect(result.busy).toEqual({ holder: 'contain-xyz', until: '2026-11-27T21:15:00.000Z' });
    expect(executed).toEqual([]);
  });
});
