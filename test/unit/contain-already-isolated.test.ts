/**
 * Review7 Y13: d155fd0/8b8e175 make a capture that finds the instance in datalek's isolation group fail
 * (AlreadyIsolated). The run recorded it as a failure a retry could mend: the contain function
 * published "Containment Failed" and threw, so Lambda ran it twice more and then the event waited in
 * the dead-letter queue (its alarm pages), and again on every later "Incident Updated". It is a
 * definite outcome: left to the open incident whose record holds the instance (its release hands it
 * back), or skipped saying no record holds it; told once, taken up again only by `datalek contain`.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import { containAgain } from '../../handlers/core/contain-again.js';
import { ContainmentStepError, RefusedError } from '../../handlers/core/errors.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { createContainHandler } from '../../handlers/lambda/contain.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { doneIsolation, incidentFixture, storeInstanceFinding } from '../support/incidents.js';
import { capturingLogger } from '../support/logs.js';
import { tempSqliteStore } from '../support/store.js';

const ENFORCE = parsePolicy({ containment: { rules: [{ action: 'isolate-instance', findingTypes: ['*'], mode: 'enforce' }] } });
const NOW = '2026-11-27T21:05:00.000Z';
const TARGET = 'i-0isolated0000001';
let t: ReturnType<typeof tempSqliteStore>;
let runs = 0;
// As ec2.ts: the capture finds an interface in datalek's isolation group only.
const containment: Containment = {
  canEnforce: true,
  execute: async (_a, ctx) => {
    runs++;
    const e = new ContainmentStepError('capture-metadata', 'AlreadyIsolated', `${TARGET}: network interface(s) eni-1 are in datalek's isolation group already`);
    await ctx.record({ name: 'capture-metadata', status: 'failed', at: NOW, code: 'AlreadyIsolated', detail: e.message });
  },
  // As ec2.ts: the interface goes back to its own groups.
  release: async (_a, _i, options) => {
    await options.record({ name: 'restore-eni:eni-1', status: 'done', at: NOW });
  },
};
const deps = (): ContainDeps => ({ store: t.store, policy: ENFORCE, now: () => NOW, containment });
const action = (): ActionRecord => ({
  id: `isolate-instance:${TARGET}`,
  type: 'isolate-instance',
  target: TARGET,
  status: 'planned',
  mode: 'enforce',
  findingId: 'f-y13',
  at: NOW,
});
const get = async (id: string) => (await t.store.getIncident(id)) as Incident;
beforeEach(async () => {
  t = tempSqliteStore();
  runs = 0;
  await t.store.commit({ incident: incidentFixture({ id: 'dl-y13', actions: [action()] }), expectedRevision: null, timeline: [], messages: [] });
  await storeInstanceFinding(t.store, 'dl-y13', 'f-y13', TARGET);
});
afterEach(async () => t.cleanup());

it('an instance found isolated already is not a failure Lambda retries into the dead-letter queue', async () => {
  const published: string[] = [];
  const contain = createContainHandler({
    store: t.store,
    notifier: { deliver: async () => {} },
    publisher: { publish: async (events: { type: string }[]) => void published.push(...events.map((e) => e.type)) },
    policy: ENFORCE,
    logger: capturingLogger([]),
    now: () => NOW,
    containment,
  } as never);
  const outcome = await contain({ id: 'evt-1', detail: { incidentId: 'dl-y13' } }).then(
    () => 'returned',
    (e: Error) => `threw: ${e.message.slice(0, 120)}`,
  );
  expect(outcome).toBe('returned');
  const a = (await get('dl-y13')).actions[0];
  expect(a.status).toBe('skipped');
  expect(a.reason).toContain('no open incident');
  // Told once: the next update does not run it again.
  await runContainment(deps(), 'dl-y13');
  expect(runs).toBe(1);
  // A person takes it up again.
  await containAgain(deps(), { incidentId: 'dl-y13', by: 'oncall', reason: 'de andere isolatie is vrijgegeven', enforce: false });
  expect(runs).toBe(2);
});

it('found isolated by another open incident: left to it (heldBy), as a plan leaves a held resource', async () => {
  const holding = doneIsolation(TARGET, { findingId: 'f-holder' });
  await t.store.commit({ incident: incidentFixture({ id: 'dl-holder', actions: [holding] }), expectedRevision: null, timeline: [], messages: [] });
  const result = await runContainment(deps(), 'dl-y13');
  expect(result.actions.map((r) => r.status)).toEqual(['skipped']);
  expect((await get('dl-y13')).actions[0]).toMatchObject({ status: 'skipped', heldBy: 'dl-holder' });
});

// review8 R2: closing releases nothing, so an instance isolated by a closed incident is found isolated by the next one on it.
it("found isolated under a CLOSED incident: that incident's release asks for the open one (--undo-for) and hands it back, telling both channels", async () => {
  const old = incidentFixture({ id: 'dl-old', actions: [doneIsolation(TARGET, { findingId: 'f-old' })] });
  await t.store.commit({ incident: { ...old, state: 'closed' }, expectedRevision: null, timeline: [], messages: [] });
  await runContainment(deps(), 'dl-y13');
  // It relies on the closed incident's isolation, found in place; no open record holds it.
  expect((await get('dl-y13')).actions[0]).toMatchObject({ status: 'skipped' });
  expect((await get('dl-y13')).actions[0].heldBy).toBeUndefined();

  const refused = await releaseContainment(deps(), { incidentId: 'dl-old', by: 'oncall', reason: 'onderzoek afgerond' }).catch((e: Error) => e);
  expect(refused).toBeInstanceOf(RefusedError);
  expect((refused as Error).message).toContain('dl-y13');
  expect((await get('dl-old')).actions[0].released).toBeUndefined();

  const out = await releaseContainment(deps(), { incidentId: 'dl-old', by: 'oncall', reason: 'onderzoek afgerond', undoFor: ['dl-y13'] });
  expect(out.undoneFor).toEqual([{ incidentId: 'dl-y13', actionId: `isolate-instance:${TARGET}`, now: 'planned' }]);
  // Handed back: not contained, a person's to carry out again, and its FG and on-call told.
  expect((await get('dl-y13')).actions[0]).toMatchObject({ status: 'planned', mode: 'plan' });
  const told = (await t.store.listMessages('dl-y13')).filter((m) => m.kind === 'released').map((m) => m.channel);
  expect(told.sort()).toEqual(['fg', 'on-call']);
});
