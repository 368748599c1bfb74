/**
 * The sweep's check of what an incident left to another (schedule.ts leftCheckDueAt), two of the
 * last note's "Still left":
 * - an action left to an OPEN incident whose containment of the resource failed was never told:
 *   the check handed back only what was left to a closed incident, so nothing contained the
 *   resource and the FG and on-call of the incident that left it heard nothing until the holder was
 *   closed. The check now tells them once per failure (the action's reason says so), and says so
 *   again only for a new failure;
 * - the check recorded itself on every open incident with an action left to a live holder once an
 *   hour: a write per incident per hour for nothing. It now falls due further apart while nothing
 *   changes (each wait as long as the time since the action was left, at most a day).
 * - read12c C2: a holder that isolated one interface and was refused on another "holds" the
 *   instance (an interface cut), so the leaver was never told, and its drift copied the holder's
 *   checks, which read only the interface isolated. The one refused now makes it failed there: told,
 *   and a DRIFTED verdict naming that interface under the leaver.
 * - read12c C4: the mark of a holder's failure told (`left-failed:<action>`) was dropped only by the
 *   sweep's left check, which never runs again once the holder's closing hands the action back: it
 *   stayed in the record for good. Every commit now drops the marks of actions no longer left.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { expectedContainment } from '../../handlers/core/drift.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { closeHandingBack } from '../../handlers/core/release.js';
import { nextDueAt } from '../../handlers/core/schedule.js';
import { sweep } from '../../handlers/core/sweep.js';
import { incidentFixture, partlyFailedIsolation, plannedIsolation } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const SHARED = 'i-0shared000000003';
const LEFT_AT = '2026-11-27T21:05:00.000Z';
const HOUR = 3_600_000;
const at = (hours: number) => new Date(Date.parse(LEFT_AT) + hours * HOUR).toISOString();

let t: ReturnType<typeof tempSqliteStore>;
const put = async (incident: Incident) =>
  t.store.commit({ incident: { ...incident, nextDueAt: nextDueAt(incident, DEFAULT_POLICY) }, expectedRevision: null, timeline: [], messages: [] });
const replace = async (incident: Incident) => {
  const was = (await t.store.getIncident(incident.id)) as Incident;
  await t.store.commit({
    incident: { ...incident, revision: was.revision + 1, nextDueAt: nextDueAt(incident, DEFAULT_POLICY) },
    expectedRevision: was.revision,
    timeline: [],
    messages: [],
  });
};
const get = async (id: string) => (await t.store.getIncident(id)) as Incident;
const sweepAt = (now: string) => sweep({ store: t.store, policy: DEFAULT_POLICY, now: () => now });
const failedThere = (when: string): ActionRecord =>
  plannedIsolation(SHARED, {
    status: 'failed',
    startedAt: LEFT_AT,
    reason: 'isolate-eni:eni-a failed: UnauthorizedOperation',
    steps: [{ name: 'isolate-eni:eni-a', status: 'failed', at: when, code: 'UnauthorizedOperation' }],
  });
const told = async () => (await t.store.listMessages('dl-second')).filter((m) => m.kind === 'containment-failed');

beforeEach(async () => {
  t = tempSqliteStore();
  // dl-second left its isolation to dl-first, which took the instance up.
  await put(
    incidentFixture({
      id: 'dl-second',
      actions: [plannedIsolation(SHARED, { status: 'skipped', heldBy: 'dl-first', at: LEFT_AT, reason: 'contained by incident dl-first' })],
    }),
  );
});
afterEach(async () => t.cleanup());

it('left to an open incident whose containment of it failed: its FG and on-call are told once, the action says so; a new failure is told again', async () => {
  await put(incidentFixture({ id: 'dl-first', actions: [failedThere(LEFT_AT)] }));
  const first = await sweepAt(at(1.1));
  expect((await told()).map((m) => m.channel).sort()).toEqual(['fg', 'on-call']);
  expect(first.sent).toContainEqual(expect.objectContaining({ incidentId: 'dl-second', kind: 'containment-failed' }));
  const action = (await get('dl-second')).actions[0];
  // Still left to dl-first (its take of the instance holds): the reason says it failed there.
  expect(action).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
  expect(action.reason).toMatch(/dl-first.*failed.*NOT CONTAINED.*datalek contain dl-first/);

  // The next checks find the same failure: told once.
  for (const h of [2.1, 4.1, 8.1]) await sweepAt(at(h));
  expect(await told()).toHaveLength(2);

  // dl-first's run tried again and failed again: a new failure, told.
  await replace({ ...(await get('dl-first')), actions: [failedThere(at(9))] });
  for (const h of [16.1, 32.1]) await sweepAt(at(h));
  expect(await told()).toHaveLength(4);

  // dl-first closed without containing it: handed back at the next check, and the mark of the failure told goes with it.
  await replace({ ...(await get('dl-first')), state: 'closed', closedAt: at(40) });
  await sweepAt(at(56.2));
  const second = await get('dl-second');
  expect(second.actions[0].heldBy).toBeUndefined();
  expect(Object.keys(second.reminders.byClock ?? {}).filter((k) => k.startsWith('left-failed:'))).toEqual([]);
});

it('told, then the holder contains it after all: the action’s words are put back, and nobody is told anything more', async () => {
  await put(incidentFixture({ id: 'dl-first', actions: [failedThere(LEFT_AT)] }));
  await sweepAt(at(1.1));
  expect(await told()).toHaveLength(2);
  await replace({
    ...(await get('dl-first')),
    actions: [{ ...failedThere(LEFT_AT), status: 'done', steps: [{ name: 'isolate-eni:eni-a', status: 'done', at: at(1.5) }] }],
  });
  const later = await sweepAt(at(2.3));
  expect((await get('dl-second')).actions[0].reason).toBe(
    'contained by incident dl-first, which holds this resource: left to it, so that one record holds the containment; its release is told here',
  );
  expect(await told()).toHaveLength(2);
  expect(later.sent.filter((s) => s.kind === 'containment-failed')).toEqual([]);
});

it('a holder that holds it: the check is written further apart while nothing changes, at most a day, and a holder closed later is still found', async () => {
  await put(incidentFixture({ id: 'dl-first', actions: [plannedIsolation(SHARED, { status: 'done', startedAt: LEFT_AT })] }));
  // Swept every hour for three days: the hours at which the sweep wrote dl-second with nothing to send it (the AP reminders are its own).
  const quiet: number[] = [];
  for (let h = 1; h <= 72; h++) {
    const r = await sweepAt(at(h + 0.01));
    if (r.revisions['dl-second'] && !r.sent.some((s) => s.incidentId === 'dl-second')) quiet.push(h);
  }
  // Each wait as long as the time since it was left, at most a day: 6 writes, where hourly made 72.
  expect(quiet).toEqual([1, 3, 7, 15, 31, 55]);
  // dl-first closed without containing it after all (a close before the hand-back): found within a day.
  await replace({ ...(await get('dl-first')), state: 'closed', closedAt: at(72.5), actions: [failedThere(LEFT_AT)] });
  let found: number | null = null;
  for (let h = 73; h <= 73 + 24 && found === null; h++) if ((await sweepAt(at(h + 0.01))).sent.some((s) => s.kind === 'containment-failed')) found = h;
  expect(found).not.toBeNull();
  expect((await get('dl-second')).actions[0].heldBy).toBeUndefined();
});

/** dl-first's isolation: eni-a isolated, eni-b refused; the run ended (no lease). */
const partlyFailed = partlyFailedIsolation(SHARED, LEFT_AT);

it('a holder that isolated one interface and was refused on another: the leaver is told, and its drift names the one left open', async () => {
  await put(incidentFixture({ id: 'dl-first', actions: [partlyFailed] }));
  for (const h of [1.1, 3.1]) await sweepAt(at(h));
  expect((await told()).map((m) => m.channel).sort()).toEqual(['fg', 'on-call']);
  expect((await get('dl-second')).actions[0].reason).toContain('reachable through eni-b');

  const first = await get('dl-first');
  const read = expectedContainment(await get('dl-second'), at(3.2), (id) => (id === 'dl-first' ? first : undefined));
  // The holder's checks (eni-a in place) are still read, and eni-b is a DRIFTED verdict beside them.
  expect(read.checks.map((c) => c.expect.kind === 'interface' && c.expect.interfaceId).filter(Boolean)).toEqual(['eni-a']);
  expect(read.verdicts).toEqual([expect.objectContaining({ resource: `network interface eni-b of ${SHARED}`, state: 'drifted' })]);
});

it("the holder's closing hands the action back and the mark of its failure told goes with it", async () => {
  const marks = async () => Object.keys((await get('dl-second')).reminders.byClock ?? {}).filter((k) => k.startsWith('left-failed:'));
  await put(incidentFixture({ id: 'dl-first', actions: [failedThere(LEFT_AT)] }));
  await sweepAt(at(1.1));
  expect(await marks()).toHaveLength(1);
  // dl-first closed through closeHandingBack (as closeIncident does): handed back at once.
  await closeHandingBack({ store: t.store, policy: DEFAULT_POLICY, now: () => at(2) }, 'dl-first', (draft) => {
    draft.state = 'closed';
    draft.closedAt = at(2);
    return { entries: [{ at: at(2), kind: 'closed', detail: { reason: 'test' } }] };
  });
  expect((await get('dl-second')).actions[0].heldBy).toBeUndefined();
  expect(await marks()).toEqual([]);
});
