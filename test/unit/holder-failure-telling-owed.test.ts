/**
 * read14c C2: 71dddfc told a holder's failed containment to the incidents that left it there "in
 * the holder's own run", after the run's lease is back (contain.ts tellLeftFailures). Nothing owes
 * that telling durably: a run that stops between its failure's commit and the telling (the Lambda
 * killed at its deadline, a store error, or the leaver's write refused or lost to a storm of writers
 * on it: the error propagates out of the run) leaves the leaver to the spaced left check (1, 3, 7,
 * 15, 31, 55 h..., up to a day), exactly C3 as before. contain14's brief asked for "that same run
 * (or the next sweep at the latest)"; the next sweep did nothing. Now the commit that gives the
 * run's lease back marks the telling owed on the holder (`leftUntold`), taken off once told; the
 * sweep tells what is still owed.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { sweep } from '../../handlers/core/sweep.js';
import type { IncidentChange, IncidentStore } from '../../handlers/ports/incident-store.js';
import { failingIsolation, openSharing } from '../support/left-holder.js';
import { tempSqliteStore } from '../support/store.js';

const SHARED = 'i-0shared0000000c2';
const SHARED_KEY = `ec2-instance:111122223333:eu-west-1:${SHARED}`;
const T1 = '2026-11-27T21:05:00.000Z';
const T1_10 = '2026-11-27T21:15:00.000Z';

let t: ReturnType<typeof tempSqliteStore>;
let clock: string;
/** The leaver's record cannot be written while set (a run killed there, a refused or lost write). */
let breakLeaver = false;
const adapter = failingIsolation(() => clock);

const open = (store: IncidentStore, id: string, over: Partial<Incident> = {}) => openSharing(store, id, SHARED, over);

beforeEach(() => {
  t = tempSqliteStore();
  clock = T1;
  breakLeaver = false;
});
afterEach(async () => t.cleanup());

it("a holder's failure whose telling was cut off is told by the next sweep, not a day later", async () => {
  await open(t.store, 'dl-key', { resource: { kind: 'ec2-instance', resourceType: 'Instance', id: SHARED }, resourceKey: SHARED_KEY, linked: ['dl-first'] });
  await open(t.store, 'dl-first', { linked: ['dl-key'] });

  // A store through which dl-key cannot be written once the failure is to be told to it.
  const store = new Proxy(t.store, {
    get(target, prop, receiver) {
      if (prop === 'commit')
        return async (change: IncidentChange) => {
          if (breakLeaver && change.incident.id === 'dl-key' && change.timeline.some((e) => e.kind === 'containment-failed'))
            throw new Error('the run stopped here (killed at its deadline / store error)');
          return target.commit(change);
        };
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as IncidentStore;
  breakLeaver = true;
  await runContainment({ store, policy: DEFAULT_POLICY, now: () => clock, containment: adapter, forceEnforce: true } as ContainDeps, 'dl-first').catch(
    () => undefined,
  );
  const first = (await t.store.getIncident('dl-first')) as Incident;
  expect(first.actions[0].status, 'premise: the holder failed').toBe('failed');
  expect((await t.store.getIncident('dl-key'))?.actions[0]).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
  expect(first.leftUntold, 'the telling is owed on the holder').toEqual([first.actions[0].id]);

  // Ten minutes on the store works again; the sweep runs (every few minutes on AWS).
  breakLeaver = false;
  await sweep({ store: t.store, policy: DEFAULT_POLICY, now: () => T1_10 });
  const key = (await t.store.getIncident('dl-key')) as Incident;
  expect(key.actions[0].reason, "the leaver still reads 'contained by' the failed holder after the next sweep").toMatch(/NOT CONTAINED/);
  expect((await t.store.listMessages('dl-key')).filter((m) => m.kind === 'containment-failed').length, 'its FG and on-call were not told').toBe(2);
  expect(((await t.store.getIncident('dl-first')) as Incident).leftUntold, 'told: no longer owed').toBeUndefined();
});

it("contain15 (C2's gap): a holder that failed before and succeeded in a run stopped before its lease was back gives the leaver its words back at the next sweep", async () => {
  await open(t.store, 'dl-key', { resource: { kind: 'ec2-instance', resourceType: 'Instance', id: SHARED }, resourceKey: SHARED_KEY, linked: ['dl-first'] });
  await open(t.store, 'dl-first', { linked: ['dl-key'] });
  const deps = (store: IncidentStore, containment = adapter) =>
    ({ store, policy: DEFAULT_POLICY, now: () => clock, containment, forceEnforce: true }) as ContainDeps;
  await runContainment(deps(t.store), 'dl-first');
  expect(((await t.store.getIncident('dl-key')) as Incident).actions[0].reason, 'premise: the leaver was told the failure').toMatch(/NOT CONTAINED/);

  // The next run isolates it, and is killed before the commit that gives its lease back.
  const isolating: typeof adapter = {
    ...adapter,
    execute: async (_a, ctx) => ctx.record({ name: 'isolate-eni:eni-a', at: clock, status: 'done', detail: 'isolated' }),
  };
  const store = new Proxy(t.store, {
    get(target, prop, receiver) {
      if (prop === 'commit')
        return async (change: IncidentChange) => {
          if (change.incident.id === 'dl-first' && !change.incident.containmentLease) throw new Error('the run stopped here (killed at its deadline)');
          return target.commit(change);
        };
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as IncidentStore;
  clock = '2026-11-27T21:10:00.000Z';
  await runContainment(deps(store, isolating), 'dl-first').catch(() => undefined);
  expect(((await t.store.getIncident('dl-first')) as Incident).actions[0].status, 'premise: done, the lease still held').toBe('done');

  // Its lease has run out; the leaver's spaced left check is not due before 22:05.
  clock = '2026-11-27T21:30:00.000Z';
  await sweep({ store: t.store, policy: DEFAULT_POLICY, now: () => clock });
  const key = (await t.store.getIncident('dl-key')) as Incident;
  expect(key.actions[0].reason, 'the leaver still reads NOT CONTAINED though its holder contains the resource').not.toMatch(/NOT CONTAINED/);
  expect(key.actions[0]).toMatchObject({ heldBy: 'dl-first' });
  expect(((await t.store.getIncident('dl-first')) as Incident).leftUntold, 'told: no longer owed').toBeUndefined();
});
