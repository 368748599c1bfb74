/**
 * fgops12 2: a finding whose rule enforces a step the FG decided not to carry out is told to the FG
 * and to on-call (not-done-held-against-enforce). With a pager, on-call's side went to the on-call
 * topic only, while every other urgent containment news (an exposed interface, containment that did
 * not fit the record) pages there as an alert of its own. It now pages as those do: an alert of its
 * own, recorded on the incident (so closing resolves it), and the pager's webhook for it is taken.
 * small13a 1: withdrawing the decision ends what that alert is about, yet it stayed triggered until
 * the incident closed. The withdrawal's own commit now resolves it there.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PlanOnlyContainment } from '../../handlers/adapters/local/plan-only-containment.js';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { recordNotToBeDone, withdrawNotToBeDone } from '../../handlers/core/by-hand.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePagerDutyEvent } from '../../handlers/core/pager-webhooks.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const POLICY = parsePolicy({
  onCall: { provider: 'pagerduty' },
  containment: { rules: [{ action: 'contain-workload', findingTypes: ['*:EC2/*'], minSeverity: 1, mode: 'enforce' }] },
});
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

it('pages on-call at the pager when a finding asks for a step decided against, as an alert of its own the webhook can take', async () => {
  const planOnly = { store, policy: POLICY, now: () => NOW, canEnforce: false };
  const incidentId = (await recordEvent(planOnly, findingEvent({ id: 'a'.repeat(32) }))).incidentId as string;
  const isolate = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'isolate-instance') as { id: string };
  await recordNotToBeDone({ store, policy: POLICY, now: () => NOW }, { incidentId, actionId: isolate.id, by: 'FG', reason: 'de instance is vervangen' });
  const b = { id: 'b'.repeat(32), type: 'Backdoor:EC2/C&CActivity.B', createdAt: '2026-11-28T01:00:00.000Z' };
  await recordEvent({ ...planOnly, canEnforce: true }, findingEvent(b));

  const held = (await store.listMessages(incidentId)).filter((m) => m.kind === 'not-done-held');
  const onCall = held.find((m) => m.channel === 'on-call');
  const key = onCall?.alert?.key as string;
  expect(onCall?.alert).toMatchObject({ action: 'trigger' });
  expect(key.startsWith(`${incidentId}:not-done-held:${b.id}:`)).toBe(true);
  // The FG's side is the FG's topic, never the pager.
  expect(held.find((m) => m.channel === 'fg')?.alert).toBeUndefined();
  // Recorded as raised: closing resolves it, and the pager's events about it are the incident's.
  expect(((await store.getIncident(incidentId)) as Incident).pager?.keys).toContain(key);
  const ack = parsePagerDutyEvent({
    event: {
      id: 'ev-1',
      event_type: 'incident.acknowledged',
      occurred_at: NOW,
      agent: { type: 'user_reference', summary: 'Sam' },
      data: { incident_key: key },
    },
  });
  expect(ack).toMatchObject({ incidentId, alertKey: key, event: 'acknowledged', by: 'Sam' });
});

it("resolves the held alert at the pager in the withdrawal's own commit", async () => {
  const planOnly = { store, policy: POLICY, now: () => NOW, canEnforce: false };
  const incidentId = (await recordEvent(planOnly, findingEvent({ id: 'c'.repeat(32) }))).incidentId as string;
  const isolate = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'isolate-instance') as { id: string };
  await recordNotToBeDone({ store, policy: POLICY, now: () => NOW }, { incidentId, actionId: isolate.id, by: 'FG', reason: 'de instance is vervangen' });
  await recordEvent(
    { ...planOnly, canEnforce: true },
    findingEvent({ id: 'e'.repeat(32), type: 'Backdoor:EC2/C&CActivity.B', createdAt: '2026-11-28T01:00:00.000Z' }),
  );
  const key = (await store.listMessages(incidentId)).find((m) => m.kind === 'not-done-held' && m.channel === 'on-call')?.alert?.key as string;
  expect(key).toBeDefined();

  const LATER = '2026-11-28T04:00:00.000Z';
  await withdrawNotToBeDone(
    { store, policy: POLICY, now: () => LATER, containment: new PlanOnlyContainment() },
    { incidentId, actionId: isolate.id, by: 'FG', reason: 'de oude instance draait nog' },
  );
  const resolves = (await store.listMessages(incidentId)).filter((m) => m.alert?.key === key && m.alert.action === 'resolve');
  expect(resolves).toHaveLength(1);
  const incident = (await store.getIncident(incidentId)) as Incident;
  expect(incident.state).not.toBe('closed');
  expect(incident.pager?.alerts?.find((a) => a.key === key)).toMatchObject({ state: 'resolved', at: LATER });
});

/**
 * fg14b 1: the withdrawal read the timeline (which held alerts were up) once, before its commit,
 * and did not read it again on a retry: a held alert a finding recorded in between (before the
 * commit read the incident, or racing it) stayed triggered at the pager until closing.
 */
it.each([
  ['before the commit reads the incident', 'read'],
  ['between the read and the commit (a lost race, tried again)', 'commit'],
] as const)('resolves a held alert recorded %s', async (_when, at) => {
  const planOnly = { store, policy: POLICY, now: () => NOW, canEnforce: false };
  const incidentId = (await recordEvent(planOnly, findingEvent({ id: 'g'.repeat(32) }))).incidentId as string;
  const isolate = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'isolate-instance') as { id: string };
  await recordNotToBeDone({ store, policy: POLICY, now: () => NOW }, { incidentId, actionId: isolate.id, by: 'FG', reason: 'de instance is vervangen' });
  const enforcing = (id: string) => findingEvent({ id, type: 'Backdoor:EC2/C&CActivity.B', createdAt: '2026-11-28T01:00:00.000Z' });
  await recordEvent({ ...planOnly, canEnforce: true }, enforcing('h'.repeat(32)));
  // Another finding asks for the step while the withdrawal is under way: its own held alert.
  const meanwhile = () => recordEvent({ ...planOnly, canEnforce: true }, enforcing('k'.repeat(32)));
  let reads = 0;
  let commits = 0;
  const raced = new Proxy(store, {
    get(target, prop) {
      if (prop === 'getIncident')
        return async (id: string) => {
          // The withdrawal's own read is the first; its commit's the second.
          if (at === 'read' && ++reads === 2) await meanwhile();
          return target.getIncident(id);
        };
      if (prop === 'commit')
        return async (change: Parameters<SqliteIncidentStore['commit']>[0]) => {
          if (at === 'commit' && ++commits === 1) await meanwhile();
          return target.commit(change);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

  const LATER = '2026-11-28T04:00:00.000Z';
  await withdrawNotToBeDone(
    { store: raced, policy: POLICY, now: () => LATER, containment: new PlanOnlyContainment(), conflictRetry: { again: async (n) => n < 3 } },
    { incidentId, actionId: isolate.id, by: 'FG', reason: 'de oude instance draait nog' },
  );
  const keys = (await store.listMessages(incidentId)).filter((m) => m.kind === 'not-done-held' && m.channel === 'on-call').map((m) => m.alert?.key);
  expect(keys).toHaveLength(2);
  const incident = (await store.getIncident(incidentId)) as Incident;
  expect(incident.actions.find((a) => a.id === isolate.id)?.notDone).toBeUndefined();
  for (const key of keys)
    expect(
      incident.pager?.alerts?.find((a) => a.key === key),
      key,
    ).toMatchObject({ state: 'resolved', at: LATER });
});
