/**
 * Review7 Y13's remainder: a run whose only outcome was an action left to another incident (its
 * resource found in datalek's isolation group, held by that incident's record, or a take finding the
 * resource held there) published "Containment Done", which on-call reads as "this run contained this
 * incident's resource", and told the FG and on-call nothing. The bus event and the messages now say
 * what happened: left to incident X, which holds the resource contained.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ContainmentStepError } from '../../handlers/core/errors.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { createContainHandler } from '../../handlers/lambda/contain.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { doneIsolation, incidentFixture, plannedIsolation, storeInstanceFinding } from '../support/incidents.js';
import { capturingLogger } from '../support/logs.js';
import { tempSqliteStore } from '../support/store.js';

const ENFORCE = parsePolicy({ language: 'en', containment: { rules: [{ action: 'isolate-instance', findingTypes: ['*'], mode: 'enforce' }] } });
const NOW = '2026-11-27T21:05:00.000Z';
const HELD = 'i-0held00000000001';
const OWN = 'i-0own000000000001';
const HELD_KEY = `ec2-instance:111122223333:eu-west-1:${HELD}`;
let t: ReturnType<typeof tempSqliteStore>;
let published: { type: string; detail?: Record<string, unknown> }[];

// As ec2.ts: the capture of HELD finds its interface in datalek's isolation group only; OWN is isolated.
const containment: Containment = {
  canEnforce: true,
  execute: async (a, ctx) => {
    if (a.target === HELD) {
      const e = new ContainmentStepError('capture-metadata', 'AlreadyIsolated', `${HELD}: network interface(s) eni-1 are in datalek's isolation group already`);
      await ctx.record({ name: 'capture-metadata', status: 'failed', at: NOW, code: 'AlreadyIsolated', detail: e.message });
      return;
    }
    await ctx.record({ name: 'isolate-eni:eni-2', status: 'done', at: NOW, detail: 'isolated' });
  },
  release: async () => {},
};
const action = (target: string): ActionRecord => plannedIsolation(target, { at: NOW });
const contain = () =>
  createContainHandler({
    store: t.store,
    notifier: { deliver: async () => {} },
    publisher: { publish: async (events: { type: string; detail?: Record<string, unknown> }[]) => void published.push(...events) },
    policy: ENFORCE,
    logger: capturingLogger([]),
    now: () => NOW,
    containment,
  } as never);

/** Opens dl-holder (holding HELD contained; its key when `keyed`) and dl-y13 planning `targets`, their findings stored. */
async function open(keyed: boolean, targets: string[]): Promise<void> {
  const key = keyed ? { resource: { kind: 'ec2-instance' as const, resourceType: 'Instance', id: HELD }, resourceKey: HELD_KEY } : {};
  const holder = incidentFixture({ id: 'dl-holder', actions: [doneIsolation(HELD, { findingId: 'f-holder' })], ...key });
  await t.store.commit({ incident: holder, expectedRevision: null, timeline: [], messages: [] });
  await t.store.commit({ incident: incidentFixture({ id: 'dl-y13', actions: targets.map(action) }), expectedRevision: null, timeline: [], messages: [] });
  for (const target of targets) await storeInstanceFinding(t.store, 'dl-y13', `f-${target}`, target);
}

const told = async () => (await t.store.listMessages('dl-y13')).filter((m) => m.kind.startsWith('containment-'));

beforeEach(() => {
  t = tempSqliteStore();
  published = [];
});
afterEach(async () => t.cleanup());

it.each([
  ['found in the isolation group, held by an open incident’s record', false],
  ['the take finds the key’s holder holding it', true],
])('a run whose only outcome is an action left to another incident does not say Containment Done (%s)', async (_, keyed) => {
  await open(keyed, [HELD]);
  await contain()({ id: 'evt-1', detail: { incidentId: 'dl-y13' } });
  expect(((await t.store.getIncident('dl-y13')) as Incident).actions[0]).toMatchObject({ status: 'skipped', heldBy: 'dl-holder' });
  expect(published.map((e) => e.type)).toEqual(['Containment Left']);
  expect(published[0].detail).toMatchObject({ actions: 1, left: 1, heldBy: 'dl-holder', failed: 0 });
  const messages = await told();
  expect(messages.map((m) => `${m.channel} ${m.kind}`).sort()).toEqual(['fg containment-left', 'on-call containment-left']);
  for (const m of messages) {
    expect(m.subject).not.toMatch(/done/i);
    expect(m.body).toContain('left to incident dl-holder');
  }
});

it('a run that carried one action out and left another says both', async () => {
  await open(false, [HELD, OWN]);
  await contain()({ id: 'evt-1', detail: { incidentId: 'dl-y13' } });
  expect(published.map((e) => e.type)).toEqual(['Containment Done']);
  expect(published[0].detail).toMatchObject({ actions: 2, left: 1, heldBy: 'dl-holder' });
  const messages = await told();
  expect(messages.map((m) => m.kind)).toEqual(['containment-done', 'containment-done']);
  for (const m of messages) expect(m.body).toMatch(/1 action carried out, 1 left to incident dl-holder/);
});

it('found in the isolation group with no open record holding it: says so, never Containment Done', async () => {
  await t.store.commit({ incident: incidentFixture({ id: 'dl-y13', actions: [action(HELD)] }), expectedRevision: null, timeline: [], messages: [] });
  await storeInstanceFinding(t.store, 'dl-y13', `f-${HELD}`, HELD);
  await contain()({ id: 'evt-1', detail: { incidentId: 'dl-y13' } });
  expect(published.map((e) => e.type)).toEqual(['Containment Left']);
  expect(published[0].detail).toMatchObject({ left: 1, heldBy: '' });
  const messages = await told();
  expect(messages.map((m) => m.kind)).toEqual(['containment-left', 'containment-left']);
  for (const m of messages) expect(m.body).toContain('no open incident');
});

it('in Dutch too: the message names the incident holding it', async () => {
  await open(false, [HELD]);
  const nl = parsePolicy({ containment: { rules: [{ action: 'isolate-instance', findingTypes: ['*'], mode: 'enforce' }] } });
  await createContainHandler({
    store: t.store,
    notifier: { deliver: async () => {} },
    publisher: { publish: async () => {} },
    policy: nl,
    logger: capturingLogger([]),
    now: () => NOW,
    containment,
  } as never)({ id: 'evt-1', detail: { incidentId: 'dl-y13' } });
  for (const m of await told()) {
    expect(m.subject).toContain('Inperking in handen van een ander incident');
    expect(m.body).toContain('Deze ronde: 1 actie overgelaten aan incident dl-holder');
  }
});
