/**
 * One containment at a time per incident: the lease in the incident record (core/contain.ts), on
 * the embedded store, with a containment adapter that records what it was asked to do.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import type { Containment, ExecutionContext } from '../../handlers/ports/containment.js';
import { incidentFixture, plannedIsolation, storeInstanceFinding } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const action = (target: string): ActionRecord => plannedIsolation(target);

describe('the containment lease', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  const executed: string[] = [];
  /** Runs while an action executes, as another event's handler would run meanwhile. */
  let during: ((a: ActionRecord) => Promise<void>) | null = null;
  const adapter: Containment = {
    canEnforce: true,
    execute: async (a: ActionRecord, ctx: ExecutionContext) => {
      executed.push(a.target);
      await during?.(a);
      await ctx.record({ name: 'only-step', status: 'done', at: now, detail: 'done' });
    },
    release: async () => {},
  };
  // The incidents' actions stand for what a replay's --enforce recorded; this is that replay's run.
  const deps = (): ContainDeps => ({ store: t.store, policy: DEFAULT_POLICY, now: () => now, containment: adapter, forceEnforce: true });

  beforeEach(async () => {
    t = tempSqliteStore();
    now = '2026-11-27T21:05:00.000Z';
    executed.length = 0;
    during = null;
    const incident = incidentFixture({ id: 'dl-lease00001', actions: [action('i-one')] });
    await t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
    for (const target of ['i-one', 'i-two', 'i-three']) await storeInstanceFinding(t.store, 'dl-lease00001', `f-${target}`, target);
  });
  afterEach(async () => t.cleanup());

  it('lets a second run do nothing while the first holds the lease, and the first carries out what arrived meanwhile', async () => {
    let second: Awaited<ReturnType<typeof runContainment>> | undefined;
    during = async (a) => {
      if (a.target !== 'i-one') return;
      during = null;
      // A finding update adds an action and its event starts another run, while this one runs.
      await changeIncident(deps(), 'dl-lease00001', (draft) => {
        draft.actions.push(action('i-two'));
        return { entries: [] };
      });
      second = await runContainment(deps(), 'dl-lease00001', { holder: 'event-updated' });
    };
    const first = await runContainment(deps(), 'dl-lease00001', { holder: 'event-opened' });
    expect(second?.busy?.holder).toBe('event-opened');
    expect(second?.actions).toEqual([]);
    expect(first.actions.map((a) => `${a.target}:${a.status}`)).toEqual(['i-one:done', 'i-two:done']);
    expect(executed).toEqual(['i-one', 'i-two']);
    expect((await t.store.getIncident('dl-lease00001'))?.containmentLease).toBeNull();
  });

  it('lets the same holder take its lease back (a retried event), and anyone once a crashed holder’s lease ran out', async () => {
    await changeIncident(deps(), 'dl-lease00001', (draft) => {
      // A run that crashed: its lease stays behind.
      draft.containmentLease = { holder: 'event-crashed', until: '2026-11-27T21:20:00.000Z' };
      return { entries: [] };
    });
    expect((await runContainment(deps(), 'dl-lease00001', { holder: 'event-other' })).busy).toEqual({
      holder: 'event-crashed',
      until: '2026-11-27T21:20:00.000Z',
    });
    expect(executed).toEqual([]);
    expect((await runContainment(deps(), 'dl-lease00001', { holder: 'event-crashed' })).actions.map((a) => a.status)).toEqual(['done']);

    await changeIncident(deps(), 'dl-lease00001', (draft) => {
      draft.actions.push(action('i-three'));
      draft.containmentLease = { holder: 'event-crashed-again', until: '2026-11-27T21:20:00.000Z' };
      return { entries: [] };
    });
    now = '2026-11-27T21:21:00.000Z';
    expect((await runContainment(deps(), 'dl-lease00001', { holder: 'event-late' })).actions.map((a) => a.target)).toEqual(['i-three']);
  });

  it('gives the lease back when the store fails mid-run, so the retry is not held up', async () => {
    const commit = t.store.commit.bind(t.store);
    during = async () => {
      // The next two writes (this step's record, then the record of that failure) fail, as an
      // unreachable table would; then it is back.
      let failures = 0;
      t.store.commit = async (change) => {
        if (++failures === 2) t.store.commit = commit;
        throw Object.assign(new Error('store unreachable'), { name: 'StoreError', change });
      };
    };
    await expect(runContainment(deps(), 'dl-lease00001', { holder: 'event-a' })).rejects.toThrow(/store unreachable/);
    expect((await t.store.getIncident('dl-lease00001'))?.containmentLease).toBeNull();
    during = null;
    expect((await runContainment(deps(), 'dl-lease00001', { holder: 'event-b' })).actions.map((a) => a.status)).toEqual(['done']);
  });
});
