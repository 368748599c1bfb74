/**
 * red27 #4: a console sign-in's deny-all is put under the id of the incident whose run puts it. A merge moves the
 * action to the survivor, and the release and the read-back then looked for `datalek-deny-all-<survivor>`: a put
 * recorded failed that had reached IAM (one before release27 records no name) stayed on the user, unread. The merge
 * now carries the name in the action; and it lists what it moved with each status, for verify (red27 #1).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { plannedDenyAll } from '../../handlers/core/containment.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { instanceSequenceEvent } from '../support/events.js';
import { I_A, I_B, T, twoIncidentsAIsolated } from '../support/merged-isolation.js';
import { tempSqliteStore } from '../support/store.js';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

it("moves a console sign-in's revocation with the deny-all name of the incident that planned it, and lists it in the merge", async () => {
  const { deps, a, b } = await twoIncidentsAIsolated(t.store);
  // A's revocation ran; its deny-all's put timed out before release27, so no name is recorded.
  const revocation: ActionRecord = {
    id: 'revoke-user-sessions:iam-user:5f0c4e2a91b7d3e8',
    type: 'revoke-user-sessions',
    target: 'iam-user:5f0c4e2a91b7d3e8',
    status: 'failed',
    mode: 'enforce',
    findingId: 'r-a',
    at: T(6),
    params: { userName: 'p.pietersen', denyAll: 'console-sign-in' },
    steps: [
      { name: 'revoke-user-sessions', status: 'done', at: T(7) },
      { name: 'deny-all', status: 'failed', at: T(7), detail: 'socket hang up', code: 'TimeoutError' },
    ],
    evidence: { policyName: `datalek-revoke-${a}` },
  };
  await changeIncident(deps(8), a, (draft) => {
    draft.actions = [...draft.actions, revocation];
    return { entries: [] };
  });
  await recordEvent(deps(20), instanceSequenceEvent('r-seq', [I_B, I_A], T(19)));
  const survivor = (await t.store.getIncident(b)) as Incident;
  expect(((await t.store.getIncident(a)) as Incident).mergedInto).toBe(b);
  const moved = survivor.actions.find((x) => x.type === 'revoke-user-sessions') as ActionRecord;
  expect(plannedDenyAll(moved, b)).toBe(`datalek-deny-all-${a}`);
  const merge = (await t.store.getTimeline(b)).find((e) => e.kind === 'incidents-merged');
  expect(merge?.detail?.actions).toEqual(
    expect.arrayContaining([
      { action: 'isolate-instance', target: I_A, status: 'done' },
      { action: 'revoke-user-sessions', target: expect.stringMatching(/^iam-user:/), status: 'failed' },
    ]),
  );
});
