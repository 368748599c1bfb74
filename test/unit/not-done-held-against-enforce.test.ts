/**
 * A person's `datalek not-done` decision on a step the policy only planned came back as planned, and
 * enforced, when a later finding on the same resource arrived under a rule (or a run) that enforces
 * it: containment.ts `upgrades` took the skipped step for one only planned and replaced it with a
 * fresh enforced one without `notDone`. The contain function then carried out what the FG had
 * decided against, and the register, draft and notice lost who decided and why.
 *
 * The decision holds: the step stays skipped with its `notDone`, and the timeline records that the
 * later finding's rule asked for it and that the decision held (who decided, why), so the FG sees it.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { recordNotToBeDone } from '../../handlers/core/by-hand.js';
import { actionsToEnforce } from '../../handlers/core/contain.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { describeEntry } from '../../handlers/core/report-html.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
// The policy enforces isolation of a compromised instance; the first finding is recorded by a run that may not enforce.
const POLICY = parsePolicy({ containment: { rules: [{ action: 'contain-workload', findingTypes: ['*:EC2/*'], minSeverity: 1, mode: 'enforce' }] } });
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

it('a later finding whose rule enforces a step decided not-done leaves the decision standing, and the timeline says so', async () => {
  // The first finding is recorded by a run that may not enforce: the isolation is only planned.
  const planOnly = { store, policy: POLICY, now: () => NOW, canEnforce: false };
  const first = await recordEvent(planOnly, findingEvent({ id: 'a'.repeat(32) }));
  const incidentId = (first as { incidentId: string }).incidentId;
  const isolate = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'isolate-instance');
  expect(isolate).toMatchObject({ status: 'planned', mode: 'plan' });
  await recordNotToBeDone(
    { store, policy: POLICY, now: () => NOW },
    { incidentId, actionId: isolate?.id as string, by: 'FG', reason: 'de instance is vervangen; isoleren legt de kassa plat' },
  );
  // Another finding on the same instance, recorded by the contain-capable pipeline: its rule enforces isolation.
  const enforcing = { ...planOnly, canEnforce: true };
  await recordEvent(enforcing, findingEvent({ id: 'b'.repeat(32), type: 'Backdoor:EC2/C&CActivity.B', createdAt: '2026-11-28T01:00:00.000Z' }));
  const after = (await store.getIncident(incidentId)) as Incident;
  const held = after.actions.filter((a) => a.type === 'isolate-instance');
  expect(held).toHaveLength(1);
  expect(held[0]).toMatchObject({ id: isolate?.id, status: 'skipped', mode: 'plan', notDone: { by: 'FG' } });
  expect(actionsToEnforce(after)).toEqual([]);
  const entry = (await store.getTimeline(incidentId)).find((e) => e.kind === 'containment-not-done-held');
  expect(entry?.detail).toMatchObject({ actionId: isolate?.id, findingId: 'b'.repeat(32), decidedBy: 'FG' });
  // GuardDuty republishes finding b (same severity): the timeline says it asked once, not every 6 hours.
  await recordEvent(
    enforcing,
    findingEvent({
      id: 'b'.repeat(32),
      type: 'Backdoor:EC2/C&CActivity.B',
      createdAt: '2026-11-28T01:00:00.000Z',
      updatedAt: '2026-11-28T02:00:00.000Z',
      count: 2,
    }),
  );
  expect((await store.getTimeline(incidentId)).filter((e) => e.kind === 'containment-not-done-held')).toHaveLength(1);
  expect(((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.id === isolate?.id)).toMatchObject({
    status: 'skipped',
    notDone: { by: 'FG' },
  });
  expect(describeEntry(entry as never, 'nl', POLICY.timeZone)).toContain(
    `bevinding ${'b'.repeat(32)} vraagt erom, maar FG besloot dat die niet wordt uitgevoerd: de instance is vervangen; isoleren legt de kassa plat`,
  );
});

it('the FG and on-call are told, once per finding and severity, which finding asked, what was decided, by whom, why and how to take it back', async () => {
  const planOnly = { store, policy: POLICY, now: () => NOW, canEnforce: false };
  const first = await recordEvent(planOnly, findingEvent({ id: 'a'.repeat(32) }));
  const incidentId = (first as { incidentId: string }).incidentId;
  const isolate = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'isolate-instance') as { id: string };
  await recordNotToBeDone({ store, policy: POLICY, now: () => NOW }, { incidentId, actionId: isolate.id, by: 'FG', reason: 'de instance is vervangen' });
  const enforcing = { ...planOnly, canEnforce: true };
  const b = { id: 'b'.repeat(32), type: 'Backdoor:EC2/C&CActivity.B', createdAt: '2026-11-28T01:00:00.000Z' };
  await recordEvent(enforcing, findingEvent(b));
  const told = async () => (await store.listMessages(incidentId)).filter((m) => m.kind === 'not-done-held');
  const messages = await told();
  expect(messages.map((m) => m.channel).sort()).toEqual(['fg', 'on-call']);
  for (const m of messages) {
    expect(m.body).toContain(`Bevinding ${b.id} (${b.type}`);
    expect(m.body).toContain('besloten door FG op');
    expect(m.body).toContain('de instance is vervangen');
    expect(m.body).toContain(`datalek not-done ${incidentId} --action ${isolate.id} --withdraw --reason TEKST --by NAAM`);
  }
  // GuardDuty republishes b (same severity): nobody is told again, and the timeline says it once.
  await recordEvent(enforcing, findingEvent({ ...b, updatedAt: '2026-11-28T02:00:00.000Z', count: 2 }));
  expect(await told()).toHaveLength(2);
  // Re-scored: a new severity may bring another rule, and is told again, once.
  await recordEvent(enforcing, findingEvent({ ...b, severity: 8.5, updatedAt: '2026-11-28T03:00:00.000Z', count: 3 }));
  expect(await told()).toHaveLength(4);
  await recordEvent(enforcing, findingEvent({ ...b, severity: 8.5, updatedAt: '2026-11-28T04:00:00.000Z', count: 4 }));
  expect(await told()).toHaveLength(4);
  expect((await store.getTimeline(incidentId)).filter((e) => e.kind === 'containment-not-done-held')).toHaveLength(2);
});
