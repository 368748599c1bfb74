/**
 * Review7 Y16: heldContainment counted any step but the side steps as holding the resource, and
 * ec2.ts runs revoke-instance-credentials after the swaps whether or not any interface was isolated:
 * an isolation whose every swap failed, on an instance with a profile, still read as held, and
 * closing it handed nothing back. For a network isolation only an isolate-eni swap done holds it.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type ContainDeps, containmentDue, runContainment } from '../../handlers/core/contain.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { incidentFixture, storeInstanceFinding } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const SHARED = 'i-0shared000000001';
const NOW = '2026-11-27T21:05:00.000Z';
const LATER = '2026-11-27T22:00:00.000Z';
const SHARED_KEY = `ec2-instance:111122223333:eu-west-1:${SHARED}`;
const isolate = (incidentId: string): ActionRecord => ({
  id: `isolate-instance:${SHARED}`,
  type: 'isolate-instance',
  target: SHARED,
  status: 'planned',
  mode: 'enforce',
  findingId: `f-${incidentId}`,
  at: '2026-11-27T21:00:00.000Z',
});
async function openIncident(store: IncidentStore, id: string, holdsKey: boolean): Promise<void> {
  const keyed = holdsKey ? { resource: { kind: 'ec2-instance' as const, resourceType: 'Instance', id: SHARED }, resourceKey: SHARED_KEY } : {};
  await store.commit({ incident: incidentFixture({ id, actions: [isolate(id)], ...keyed }), expectedRevision: null, timeline: [], messages: [] });
  await storeInstanceFinding(store, id, `f-${id}`, SHARED);
}

let t: ReturnType<typeof tempSqliteStore>;
const executed: string[] = [];
// As ec2.ts isolates: capture-metadata done, then the interface's swap fails (UnauthorizedOperation).
const adapter: Containment = {
  canEnforce: true,
  execute: async (a, ctx) => {
    executed.push(`${ctx.incident.id} ${a.target}`);
    await ctx.record({ name: 'capture-metadata', status: 'done', at: NOW, detail: 'captured' });
    await ctx.record({ name: 'isolate-eni:eni-1', status: 'failed', at: NOW, code: 'UnauthorizedOperation', detail: 'denied' });
    // ec2.ts runs the credentials step after the swaps whether or not they were cut (params.revokeInstanceCredentials).
    await ctx.record({ name: 'revoke-instance-credentials', status: 'done', at: NOW, detail: 'profile disassociated' });
  },
  release: async () => {},
};
const deps = (now = NOW): ContainDeps => ({ store: t.store, policy: DEFAULT_POLICY, now: () => now, containment: adapter, forceEnforce: true });
const fg = () => ({ store: t.store, policy: DEFAULT_POLICY, now: () => LATER });
const get = async (id: string) => (await t.store.getIncident(id)) as Incident;

beforeEach(async () => {
  t = tempSqliteStore();
  executed.length = 0;
  await openIncident(t.store, 'dl-first', false);
  await openIncident(t.store, 'dl-second', true);
});
afterEach(async () => t.cleanup());

it('Y1b: closing the taker whose swaps failed but whose credentials step ran hands the action back', async () => {
  await runContainment(deps(), 'dl-first');
  expect((await get('dl-first')).actions[0].status).toBe('failed');
  expect((await get('dl-second')).actions[0]).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
  await assess(fg(), { incidentId: 'dl-first', personalData: 'no', risk: 'none', reason: 'dubbel, zie dl-second', by: 'FG' });
  await closeIncident(fg(), { incidentId: 'dl-first', reason: 'afgehandeld onder dl-second', by: 'FG', containmentReason: 'isolatie loopt onder dl-second' });
  const second = await get('dl-second');

  expect(second.actions[0].heldBy).toBeUndefined();
  expect(containmentDue(second)).toBe(true);
});
