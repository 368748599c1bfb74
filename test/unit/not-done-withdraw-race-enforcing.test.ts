/**
 * read14b B1: 317ae88 makes `not-done --withdraw` read the held alerts it resolves at each try, but
 * which finding enforces the step (`enforcingFinding`) is still read once, before the commit. A
 * finding whose rule enforces the step, recorded between that read and the commit, has its held
 * alert resolved by the withdrawal (read along at the commit) while the step is planned as the
 * stale read decided: in plan mode, not carried out. The page on-call had is gone and the resource
 * stays open; without the race the same withdrawal carries the step out for that finding.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { recordNotToBeDone, withdrawNotToBeDone } from '../../handlers/core/by-hand.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { carryingOut } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const LATER = '2026-11-28T04:00:00.000Z';
// SSH brute force plans the isolation only; command-and-control enforces it.
const POLICY = parsePolicy({
  onCall: { provider: 'pagerduty' },
  containment: {
    rules: [
      { action: 'contain-workload', findingTypes: ['UnauthorizedAccess:EC2/*'], minSeverity: 1, mode: 'plan' },
      { action: 'contain-workload', findingTypes: ['Backdoor:EC2/*'], minSeverity: 1, mode: 'enforce' },
    ],
  },
});
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

it.each([false, true])('a withdrawal racing an enforcing finding (raced: %s) carries the step out for it and resolves its alert', async (raced) => {
  const deps = { store, policy: POLICY, now: () => NOW, canEnforce: true };
  const incidentId = (await recordEvent(deps, findingEvent({ id: 'a'.repeat(32), type: 'UnauthorizedAccess:EC2/SSHBruteForce' }))).incidentId as string;
  const isolate = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'isolate-instance') as ActionRecord;
  expect(isolate.mode).toBe('plan');
  await recordNotToBeDone({ store, policy: POLICY, now: () => NOW }, { incidentId, actionId: isolate.id, by: 'FG', reason: 'de instance is vervangen' });
  const enforcing = () => recordEvent(deps, findingEvent({ id: 'b'.repeat(32), type: 'Backdoor:EC2/C&CActivity.B', createdAt: '2026-11-28T01:00:00.000Z' }));
  if (!raced) await enforcing();

  // Raced: the enforcing finding is recorded after the withdrawal read the incident, before its first commit (which then loses).
  let commits = 0;
  const racing = new Proxy(store, {
    get(target, prop) {
      if (prop === 'commit')
        return async (c: Parameters<SqliteIncidentStore['commit']>[0]) => {
          if (raced && ++commits === 1) await enforcing();
          return target.commit(c);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const containment = carryingOut();
  const result = await withdrawNotToBeDone(
    { store: racing, policy: POLICY, now: () => LATER, containment },
    { incidentId, actionId: isolate.id, by: 'FG', reason: 'toch isoleren' },
  );

  const key = (await store.listMessages(incidentId)).find((m) => m.kind === 'not-done-held' && m.channel === 'on-call')?.alert?.key as string;
  expect(key).toBeDefined();
  const incident = (await store.getIncident(incidentId)) as Incident;
  const alert = incident.pager?.alerts?.find((a) => a.key === key);
  const action = incident.actions.find((a) => a.id === isolate.id);
  const outcome = { enforcedBy: result.enforcedBy, executed: containment.executed, mode: action?.mode, alert: alert?.state };
  // The enforcing finding's alert is resolved only when the step it asks for is carried out, and it is.
  expect(outcome, 'alert resolved, step not carried out').toMatchObject({
    enforcedBy: 'b'.repeat(32),
    executed: [isolate.id],
    mode: 'enforce',
    alert: 'resolved',
  });
  if (raced) expect(commits, 'the first commit lost the race').toBeGreaterThan(1);
});
