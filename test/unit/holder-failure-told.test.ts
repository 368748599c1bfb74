/**
 * The closing note's C3 and the "Still left" item beside it:
 * - C3: an incident that left a resource's containment to another incident (the holder) heard that
 *   the holder's containment failed only at the sweep's next left check, spaced out to a day. Now the
 *   holder's own run tells them, NOT CONTAINED and their FG and on-call told, once its lease is back;
 *   a run that leaves an action to a holder that failed tells it at once; a holder that contains it
 *   after all puts their words back. Through real runs (runContainment), not records written by hand.
 * - before the first left check, `show` (without --target aws) said "contained by X" for a holder
 *   whose containment had failed: it now reads the holder's record.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { recordContainedByHand } from '../../handlers/core/by-hand.js';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import { heldByReason } from '../../handlers/core/containment.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { runCli } from '../support/cli.js';
import { incidentFixture, plannedIsolation, storeInstanceFinding } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const SHARED = 'i-0shared0000000c3';
const SHARED_KEY = `ec2-instance:111122223333:eu-west-1:${SHARED}`;
const T1 = '2026-11-27T21:05:00.000Z';
const T2 = '2026-11-27T23:00:00.000Z';
const T3 = '2026-11-28T01:00:00.000Z';

let t: ReturnType<typeof tempSqliteStore>;
let fail: boolean;
/** The failure the adapter records while `fail`: the swap refused, or the task step no run can finish (TasksNeverRead). */
let failure: { name: string; code: string };
let clock: string;
const executed: string[] = [];
/** The swap of the instance's one interface: refused (UnauthorizedOperation) while `fail`, else done; at `clock`. */
const adapter: Containment = {
  canEnforce: true,
  execute: async (a, ctx) => {
    executed.push(`${ctx.incident.id} ${a.target}`);
    const step = fail ? { status: 'failed' as const, code: failure.code, detail: 'not authorized' } : { status: 'done' as const };
    await ctx.record({ name: fail ? failure.name : 'isolate-eni:eni-a', at: clock, ...step });
  },
  release: async () => {},
};
const contain = (id: string) =>
  runContainment({ store: t.store, policy: DEFAULT_POLICY, now: () => clock, containment: adapter, forceEnforce: true } as ContainDeps, id);
const get = async (id: string) => (await t.store.getIncident(id)) as Incident;
const failedTold = async (id: string) => (await t.store.listMessages(id)).filter((m) => m.kind === 'containment-failed').length;

/** An open incident planning SHARED's isolation, with the finding that calls for it; `over`: the key, links. */
async function open(store: IncidentStore, id: string, over: Partial<Incident> = {}): Promise<void> {
  const action = plannedIsolation(SHARED, { findingId: `f-${id}` });
  await store.commit({ incident: incidentFixture({ id, actions: [action], ...over }), expectedRevision: null, timeline: [], messages: [] });
  await storeInstanceFinding(store, id, `f-${id}`, SHARED);
}

beforeEach(async () => {
  t = tempSqliteStore();
  fail = true;
  failure = { name: 'isolate-eni:eni-a', code: 'UnauthorizedOperation' };
  clock = T1;
  executed.length = 0;
});
afterEach(async () => t.cleanup());

it("the holder's failure is told to the incidents that left it there in the holder's own run; a later failure again; contained after all, their words come back", async () => {
  // dl-key holds SHARED's key; dl-first and dl-third are linked to it (an attack sequence naming the instance).
  await open(t.store, 'dl-key', {
    resource: { kind: 'ec2-instance', resourceType: 'Instance', id: SHARED },
    resourceKey: SHARED_KEY,
    linked: ['dl-first', 'dl-third'],
  });
  await open(t.store, 'dl-first', { linked: ['dl-key'] });
  await open(t.store, 'dl-third', { linked: ['dl-key'] });

  // dl-first takes SHARED up (dl-key's plan is left to it in the same commit) and is refused.
  await contain('dl-first');
  expect((await get('dl-first')).actions[0].status).toBe('failed');
  const key = (await get('dl-key')).actions[0];
  expect(key).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
  expect(key.reason).toMatch(/dl-first.*failed at 2026-11-27T21:05:00.000Z: NOT CONTAINED.*datalek contain dl-first/);
  expect(await failedTold('dl-key')).toBe(2); // its FG and on-call, in dl-first's run

  // dl-third's run leaves its plan to dl-first, which failed: told at once, not at a check an hour on.
  await contain('dl-third');
  expect(executed).toEqual([`dl-first ${SHARED}`]);
  expect((await get('dl-third')).actions[0].reason).toMatch(/dl-first.*NOT CONTAINED/);
  expect(await failedTold('dl-third')).toBe(2);

  // dl-first's containment is run again (datalek contain) and refused again: a new failure, told to both.
  clock = T2;
  await contain('dl-first');
  for (const id of ['dl-key', 'dl-third']) {
    expect((await get(id)).actions[0].reason).toContain(`failed at ${T2}`);
    expect(await failedTold(id)).toBe(4);
  }

  // Run again and carried out: both read "contained by dl-first" again, and nobody is told a failure.
  fail = false;
  clock = T3;
  await contain('dl-first');
  expect((await get('dl-first')).actions[0].status).toBe('done');
  for (const id of ['dl-key', 'dl-third']) {
    const a: ActionRecord = (await get(id)).actions[0];
    expect(a.reason).toBe(heldByReason('dl-first'));
    expect(Object.keys((await get(id)).reminders.byClock ?? {}).filter((k) => k.startsWith('left-failed:'))).toEqual([]);
    expect(await failedTold(id)).toBe(4);
  }
});

/**
 * readC22: the holder's failed isolation finished by a person (`datalek contained`: the search that ends a TasksNeverRead
 * task step, contain22, or the whole action by hand) left the incidents that left it there reading "NOT CONTAINED" in
 * their record until the sweep's left check, up to a day on, where the holder's own run puts their words back at once.
 */
it.each([
  ['the search that ends a TasksNeverRead task step', { name: 'task-interfaces', code: 'TasksNeverRead' }],
  ['a failed swap finished by hand', { name: 'isolate-eni:eni-a', code: 'UnauthorizedOperation' }],
])("the holder's failure finished with datalek contained (%s): the incidents that left it there get their words back at once", async (_, failed) => {
  failure = failed;
  await open(t.store, 'dl-key', {
    resource: { kind: 'ec2-instance', resourceType: 'Instance', id: SHARED },
    resourceKey: SHARED_KEY,
    linked: ['dl-first'],
  });
  await open(t.store, 'dl-first', { linked: ['dl-key'] });
  await contain('dl-first');
  const holder = (await get('dl-first')).actions[0];
  expect(holder).toMatchObject({ status: 'failed', steps: [expect.objectContaining({ code: failed.code })] });
  expect((await get('dl-key')).actions[0].reason).toMatch(/dl-first.*NOT CONTAINED/);

  clock = T2;
  await recordContainedByHand(
    { store: t.store, policy: DEFAULT_POLICY, now: () => clock },
    { incidentId: 'dl-first', actionId: holder.id, by: 'on-call', what: 'branch interfaces searched, none open' },
  );
  expect((await get('dl-first')).actions[0].status).toBe('done');
  const key = await get('dl-key');
  expect(key.actions[0].reason).toBe(heldByReason('dl-first'));
  expect(Object.keys(key.reminders.byClock ?? {}).filter((k) => k.startsWith('left-failed:'))).toEqual([]);
  expect((await get('dl-first')).leftUntold).toBeUndefined();
});

/** dl-first, whose isolation of SHARED failed at T1, and dl-second, which left SHARED to it ("contained by" stored); the left action. */
async function failedHolderAndLeaver(): Promise<ActionRecord> {
  const failed = plannedIsolation(SHARED, {
    status: 'failed',
    startedAt: T1,
    reason: 'isolate-eni:eni-a failed: UnauthorizedOperation',
    steps: [{ name: 'isolate-eni:eni-a', status: 'failed', at: T1, code: 'UnauthorizedOperation' }],
  });
  const left = plannedIsolation(SHARED, { status: 'skipped', heldBy: 'dl-first', at: T1, reason: heldByReason('dl-first') });
  for (const incident of [incidentFixture({ id: 'dl-first', actions: [failed] }), incidentFixture({ id: 'dl-second', actions: [left] })])
    await t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
  return left;
}

it('show reads the holder: a containment that failed there reads NOT CONTAINED before any left check recorded it', async () => {
  const left = await failedHolderAndLeaver();

  const text = await runCli(['show', 'dl-second', '--store', t.dir, '--now', T2]);
  expect(text.code).toBe(0);
  expect(text.stdout).not.toContain('contained by incident dl-first');
  expect(text.stdout).toMatch(
    /left to incident dl-first, which took this resource up and whose containment of it failed at 2026-11-27T21:05:00.000Z: NOT CONTAINED/,
  );
  const json = JSON.parse((await runCli(['show', 'dl-second', '--store', t.dir, '--now', T2, '--json'])).stdout);
  expect(json.leftToFailed).toEqual([expect.objectContaining({ actionId: left.id, holder: 'dl-first', reason: expect.stringContaining('NOT CONTAINED') })]);
  // Nothing was stored: the sweep's left check still tells it.
  expect((await get('dl-second')).actions[0].reason).toBe(heldByReason('dl-first'));
});

it("contain15: status agrees with show: a holder's failed containment reads NOT CONTAINED there too, not the stored 'contained by'", async () => {
  const left = await failedHolderAndLeaver();

  const json = JSON.parse((await runCli(['status', '--store', t.dir, '--now', T2, '--json'])).stdout) as Record<string, unknown>[];
  const second = json.find((i) => i.incidentId === 'dl-second') as { actions: { reason: string }[]; leftToFailed?: unknown };
  expect(second.actions[0].reason).toMatch(/whose containment of it failed at 2026-11-27T21:05:00.000Z: NOT CONTAINED/);
  expect(second.leftToFailed).toEqual([expect.objectContaining({ actionId: left.id, holder: 'dl-first', reason: expect.stringContaining('NOT CONTAINED') })]);
  const text = await runCli(['status', '--store', t.dir, '--now', T2]);
  expect(text.stdout).toMatch(/dl-second: .*left to incident dl-first, which took this resource up and whose containment of it failed .*: NOT CONTAINED/);
  // Nothing was stored.
  expect((await get('dl-second')).actions[0].reason).toBe(heldByReason('dl-first'));
});
