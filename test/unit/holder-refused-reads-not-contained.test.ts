/**
 * read14c C5: a holder's containment that failed and is then *refused* on a later run (the run's
 * policy no longer enforces it: the policy changed, or the finding, updated since, now carries the
 * resource's exemption tag, which whoever may tag the instance can set) is marked `mode: 'plan'`,
 * status failed (contain.ts refuseAction). failedAtHolder reads only `mode === 'enforce'` failures,
 * so 71dddfc's telling in the holder's run "mends" the leaver: its words come back, quietly, as
 * "contained by incident X, which holds this resource", and the failure mark goes, while nothing
 * contains the resource. (Here the refusal is caused by a run without --enforce, the same refusal
 * path as a policy or exemption change.) Now a refused holder's action is a failure at the holder
 * too: the leaver keeps reading NOT CONTAINED, in the run and in the sweep's left check after it.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { sweep } from '../../handlers/core/sweep.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { failingIsolation, openSharing } from '../support/left-holder.js';
import { tempSqliteStore } from '../support/store.js';

const SHARED = 'i-0shared0000000c5';
const SHARED_KEY = `ec2-instance:111122223333:eu-west-1:${SHARED}`;
const T1 = '2026-11-27T21:05:00.000Z';
const T2 = '2026-11-27T23:00:00.000Z';

let t: ReturnType<typeof tempSqliteStore>;
let clock: string;
const adapter = failingIsolation(() => clock);
const contain = (id: string, forceEnforce: boolean) =>
  runContainment({ store: t.store, policy: DEFAULT_POLICY, now: () => clock, containment: adapter, forceEnforce } as ContainDeps, id);
const get = async (id: string) => (await t.store.getIncident(id)) as Incident;

const open = (store: IncidentStore, id: string, over: Partial<Incident> = {}) => openSharing(store, id, SHARED, over);

beforeEach(() => {
  t = tempSqliteStore();
  clock = T1;
});
afterEach(async () => t.cleanup());

it('a failed holder whose next run is refused does not read as containing the resource again for the incident that left it there', async () => {
  await open(t.store, 'dl-key', { resource: { kind: 'ec2-instance', resourceType: 'Instance', id: SHARED }, resourceKey: SHARED_KEY, linked: ['dl-first'] });
  await open(t.store, 'dl-first', { linked: ['dl-key'] });

  await contain('dl-first', true);
  expect((await get('dl-key')).actions[0].reason, 'premise: told NOT CONTAINED in the holder run').toMatch(/NOT CONTAINED/);

  // The next run of the holder is refused (its policy no longer enforces the isolation).
  clock = T2;
  await contain('dl-first', false);
  const holder = (await get('dl-first')).actions[0];
  expect(holder.status, 'premise: refused, not carried out').toBe('failed');
  expect(holder.refused, 'premise: refused').toBeDefined();

  const left = (await get('dl-key')).actions[0];
  expect(left.reason, "the leaver reads 'contained by' a holder that refused to contain it").toMatch(/NOT CONTAINED/);
  // Nor does the sweep's left check mend it later.
  await sweep({ store: t.store, policy: DEFAULT_POLICY, now: () => '2026-11-28T02:00:00.000Z' });
  expect((await get('dl-key')).actions[0].reason).toMatch(/NOT CONTAINED/);
});
