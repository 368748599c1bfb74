/**
 * A merge never drops containment that was carried out (review3 attack §6, "Related"): an
 * incident whose survivor has no room left for its carried-out actions (MAX_ACTIONS) is linked,
 * not merged, so its isolations keep their record and the evidence `release` needs.
 */
import { expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { MAX_ACTIONS } from '../../handlers/core/commit-bounds.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { ACCOUNT, findingEvent, instanceResource, largeSequenceEvent, REGION } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const T = (m: number) => new Date(Date.parse('2026-11-28T02:00:00.000Z') + m * 60_000).toISOString();
const INSTANCE = 'i-0e5f60718293a4b5c';
const ec2 = (uid: string) => ({ uid, name: uid, accountId: ACCOUNT, resourceType: 'EC2_INSTANCE', region: REGION, service: 'EC2' });
const fleet = (n: number) => Array.from({ length: n }, (_, i) => ec2(`i-${i.toString(16).padStart(17, '0')}`));

it('links, not merges, an incident with carried-out containment its survivor has no room for', async () => {
  const { store, cleanup } = tempSqliteStore();
  try {
    const deps = (m: number) => ({ store, policy: DEFAULT_POLICY, now: () => T(m), canEnforce: false });
    const a = (
      await recordEvent(
        deps(3),
        largeSequenceEvent({ id: 'a'.repeat(32), type: 'AttackSequence:EC2/CompromisedInstanceGroup', createdAt: T(2), more: fleet(150) }),
      )
    ).incidentId as string;
    expect((await store.getIncident(a))?.actions).toHaveLength(MAX_ACTIONS);
    const b = (
      await recordEvent(
        deps(5),
        findingEvent({ id: 'b'.repeat(32), type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource(INSTANCE), createdAt: T(4) }),
      )
    ).incidentId as string;
    // B's isolation was carried out (by a person's replay --enforce, or the policy then): done, with its evidence.
    await changeIncident({ store, policy: DEFAULT_POLICY, now: () => T(10) }, b, (draft) => {
      const action = draft.actions.find((x) => x.type === 'isolate-instance');
      if (!action) throw new Error('B plans no isolation');
      action.mode = 'enforce';
      action.status = 'done';
      action.steps = [{ name: 'isolate-eni:eni-0aaa', status: 'done', at: T(10) }];
      action.evidence = { originalGroups: { 'eni-0aaa': ['sg-01'] } };
      return { entries: [{ at: T(10), kind: 'containment-done', detail: { action: action.type } }] };
    });
    const seq = largeSequenceEvent({
      id: 'c'.repeat(32),
      type: 'AttackSequence:EC2/CompromisedInstanceGroup',
      createdAt: T(19),
      more: [fleet(1)[0], ec2(INSTANCE)],
    });
    expect((await recordEvent(deps(20), seq)).incidentId).toBe(a);

    const bAfter = (await store.getIncident(b)) as Incident;
    expect(bAfter.state).toBe('open');
    expect(bAfter.actions.find((x) => x.type === 'isolate-instance')).toMatchObject({
      status: 'done',
      evidence: { originalGroups: { 'eni-0aaa': ['sg-01'] } },
    });
    const related = (await store.getTimeline(a)).find((e) => e.kind === 'related-incident' && e.detail.incidentId === b);
    expect(related?.detail.reason).toContain(`${MAX_ACTIONS}`);
  } finally {
    await cleanup();
  }
});
