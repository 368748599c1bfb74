/**
 * Review7 Y12, the sweep's part (the last note's "Still left"): an action left to an incident that was
 * closed without containing it (a close before the hand-back, or in Y2's window) waited for a new
 * finding's containment run or a person: nothing contained the resource, and nobody was told. The
 * sweep reads only incidents with something due, and may publish only "Reminder Due". An incident
 * with an action left to another is now due for a check of its holders (LEFT_CHECK_MINUTES after it
 * was left, then as often while it stays left): the sweep hands the action back as a closing does
 * (not carried out, the FG and on-call told, the next run or `datalek contain` carries it out) and
 * announces it with "Reminder Due", so notify sends the page. It reads no incident with nothing due.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { reindexDue } from '../../handlers/core/due-index.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { nextDueAt } from '../../handlers/core/schedule.js';
import { sweep } from '../../handlers/core/sweep.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const SHARED = 'i-0shared000000001';
const LEFT_AT = '2026-11-27T21:05:00.000Z';
const isolate = (over: Partial<ActionRecord>): ActionRecord => ({
  id: `isolate-instance:${SHARED}`,
  type: 'isolate-instance',
  target: SHARED,
  status: 'planned',
  mode: 'enforce',
  findingId: 'f-x',
  at: LEFT_AT,
  ...over,
});

let t: ReturnType<typeof tempSqliteStore>;
const put = async (incident: Incident) =>
  t.store.commit({ incident: { ...incident, nextDueAt: nextDueAt(incident, DEFAULT_POLICY) }, expectedRevision: null, timeline: [], messages: [] });
const get = async (id: string) => (await t.store.getIncident(id)) as Incident;
const sweepAt = (now: string) => sweep({ store: t.store, policy: DEFAULT_POLICY, now: () => now });

beforeEach(async () => {
  t = tempSqliteStore();
  // dl-second left its isolation to dl-first, which was closed without having carried it out.
  await put(incidentFixture({ id: 'dl-second', actions: [isolate({ status: 'skipped', heldBy: 'dl-first', reason: 'contained by incident dl-first' })] }));
});
afterEach(async () => t.cleanup());

it('hands back an action left to an incident closed without containing it, tells the FG and on-call, and announces it', async () => {
  await put({ ...incidentFixture({ id: 'dl-first', actions: [isolate({ status: 'failed' })] }), state: 'closed', closedAt: LEFT_AT });
  const result = await sweepAt('2026-11-27T22:10:00.000Z');

  const second = await get('dl-second');
  expect(second.actions[0]).toMatchObject({ status: 'failed', mode: 'enforce' });
  expect(second.actions[0].heldBy).toBeUndefined();
  const told = (await t.store.listMessages('dl-second')).filter((m) => m.kind === 'containment-failed').map((m) => m.channel);
  expect(told.sort()).toEqual(['fg', 'on-call']);
  // Announced as what the sweep announces ("Reminder Due" in lambda/sweep.ts), so notify sends it now.
  expect(result.sent).toContainEqual(expect.objectContaining({ incidentId: 'dl-second', kind: 'containment-failed' }));
  expect(result.revisions['dl-second']).toBe(second.revision);
  // Read: the incident due and its holder; the closed holder itself has nothing due.
  expect(result.incidentsRead).toBe(2);
});

it('a holder still open: only the check is recorded, and it is not due again for LEFT_CHECK_MINUTES', async () => {
  await put(incidentFixture({ id: 'dl-first', actions: [isolate({ status: 'done' })] }));
  await sweepAt('2026-11-27T22:10:00.000Z');
  expect((await get('dl-second')).actions[0]).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
  expect(Date.parse((await get('dl-second')).nextDueAt as string)).toBeGreaterThan(Date.parse('2026-11-27T22:10:00.000Z'));
  expect((await sweepAt('2026-11-27T22:15:00.000Z')).incidentsRead).toBe(0);
});

// read11a A4: a record left before bc82367 holds the due time of the schedule without the left check
// (none, on a taken and assessed incident): the sweep, reading only the due index, never reaches it
// until it is put back, once: by `datalek sweep --reindex` (core/due-index.ts) before vpol, now by the
// first sweep of the release, which finds no mark of the policy it last set every due time under.
it('an action left before the left check existed is handed back once the due index is put right after the upgrade', async () => {
  const left = await get('dl-second');
  const taken = {
    ...left,
    state: 'acknowledged',
    acknowledgedBy: 'oncall',
    acknowledgedAt: '2026-11-27T21:10:00.000Z',
    assessment: { personalData: 'no', risk: 'none', notifiable: false, reason: 'geen persoonsgegevens', by: 'FG', at: '2026-11-27T21:20:00.000Z' },
  } as Incident;
  // Its due time as stored before bc82367: the schedule without the left-check track, the only track it added.
  const stored = nextDueAt({ ...taken, actions: [] }, DEFAULT_POLICY);
  expect(stored).toBeNull();
  await t.store.commit({ incident: { ...taken, revision: left.revision + 1, nextDueAt: stored }, expectedRevision: left.revision, timeline: [], messages: [] });
  await put({ ...incidentFixture({ id: 'dl-first', actions: [isolate({ status: 'failed' })] }), state: 'closed', closedAt: LEFT_AT });
  const now = '2026-11-28T10:00:00.000Z';
  // The first sweep of this release sends nothing of it, then sets every due time the policy gives
  // otherwise again itself (due-index.ts resetForPolicy, vpol): no `sweep --reindex` by hand.
  const first = await sweepAt(now);
  expect(first.sent).toEqual([]);
  expect(first.duePolicy?.reset.map((r) => [r.incidentId, r.was])).toContainEqual(['dl-second', null]);
  expect(await reindexDue({ store: t.store, policy: DEFAULT_POLICY, now: () => now })).toEqual([]);
  expect((await sweepAt(now)).sent).toContainEqual(expect.objectContaining({ incidentId: 'dl-second', kind: 'containment-failed' }));
  expect((await get('dl-second')).actions[0].heldBy).toBeUndefined();
});
