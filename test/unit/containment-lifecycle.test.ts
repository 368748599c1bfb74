/**
 * An action's identity, place and lifecycle in the planner (review2 attack §1, §3, §13): a target
 * carries its account; a later finding upgrades what an earlier one only planned; a released
 * action is planned again on new evidence.
 */
import { describe, expect, it } from 'vitest';
import { actionId, placedIn, planContainment, withActions } from '../../handlers/core/containment.js';
import { type Finding, parseEvent } from '../../handlers/core/finding.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { ACCOUNT, findingEvent, type instanceResource, REGION, sequenceDetection } from '../support/events.js';

const NOW = '2026-11-28T03:00:00.000Z';
const OTHER = '444455556666';
const HOME = { accountId: ACCOUNT, region: REGION };

function finding(event: unknown): Finding {
  const parsed = parseEvent(event);
  if (parsed.kind !== 'finding') throw new Error('not a finding');
  return parsed.finding;
}

const plan = (event: unknown, policy: Policy = DEFAULT_POLICY, existing: ActionRecord[] = []) =>
  planContainment(finding(event), policy, existing, { canEnforce: true, now: NOW, home: HOME });

/** An attack sequence naming one instance, in `accountId` (and `region`). */
function sequenceOn(instanceId: string, accountId: string, region = REGION) {
  const detection = sequenceDetection({ instanceId });
  detection.sequence.actors = [];
  detection.sequence.resources = [{ uid: instanceId, name: instanceId, accountId, resourceType: 'EC2_INSTANCE', region, service: 'EC2' }];
  return findingEvent({ type: 'AttackSequence:EC2/CompromisedHost', severity: 9, resource: { resourceType: 'AttackSequence' }, service: { detection } });
}

describe('an action carries the account its target lives in', () => {
  it("a sequence's instance in an account outside the policy is a person's step there, never an isolation in the incident's account", () => {
    const [action] = plan(sequenceOn('i-0other00000000001', OTHER)).filter((a) => a.target === 'i-0other00000000001');
    expect(action).toMatchObject({
      id: `contain-in-other-account:i-0other00000000001@${OTHER}`,
      type: 'contain-in-other-account',
      accountId: OTHER,
      person: true,
      mode: 'plan',
      params: { action: 'isolate-instance', accountId: OTHER, runbook: 'runbooks/other-account.md' },
    });
  });

  it('in a member account the policy lists, the action is the real one, recorded with its account (and region when it differs)', () => {
    const policy = parsePolicy({ containment: { memberAccounts: [OTHER] } });
    const [action] = plan(sequenceOn('i-0other00000000001', OTHER, 'eu-central-1'), policy).filter((a) => a.target === 'i-0other00000000001');
    expect(action).toMatchObject({
      id: `isolate-instance:i-0other00000000001@${OTHER}/eu-central-1`,
      type: 'isolate-instance',
      accountId: OTHER,
      region: 'eu-central-1',
    });
    expect(action.person).toBeUndefined();
  });

  it("a target in the incident's own account and region keeps the id and record it always had", () => {
    const [action] = plan(sequenceOn('i-0home000000000001', ACCOUNT)).filter((a) => a.target === 'i-0home000000000001');
    expect(action.id).toBe('isolate-instance:i-0home000000000001');
    expect('accountId' in action || 'region' in action).toBe(false);
  });

  it('a record without an account means the incident’s: moved into an incident of another account, it says its own', () => {
    const old = plan(findingEvent({ instanceId: 'i-0aaa' }))[0];
    expect(actionId(old, HOME)).toBe(old.id);
    const moved = placedIn(old, HOME, { accountId: OTHER, region: REGION });
    expect(moved).toMatchObject({ id: `isolate-instance:i-0aaa@${ACCOUNT}`, accountId: ACCOUNT });
    expect(placedIn(old, HOME, HOME)).toBe(old);
  });
});

const inbound = { action: { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { connectionDirection: 'INBOUND' } } };

describe('a later finding whose rule enforces upgrades what an earlier one only planned', () => {
  const graded = parsePolicy({
    containment: {
      rules: [
        { action: 'contain-workload', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' },
        { action: 'contain-workload', findingTypes: ['Recon:EC2/*'], mode: 'plan' },
      ],
    },
  });
  const recon = findingEvent({ id: 'r1', type: 'Recon:EC2/Portscan', instanceId: 'i-0aaa' });
  const backdoor = findingEvent({ id: 'b1', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-0aaa' });

  it('enforces it in place, with the finding that asked, and without the plan’s reason', () => {
    const planned = plan(recon, graded);
    expect(planned[0]).toMatchObject({ mode: 'plan', reason: 'policy mode is plan: recorded, not carried out' });
    const upgraded = plan(backdoor, graded, planned);
    expect(upgraded).toEqual([
      {
        id: 'isolate-instance:i-0aaa',
        type: 'isolate-instance',
        target: 'i-0aaa',
        status: 'planned',
        reason: undefined,
        mode: 'enforce',
        findingId: 'b1',
        at: NOW,
      },
    ]);
    expect(withActions(planned, upgraded)).toEqual(upgraded);
  });

  it('an exemption since removed: the next finding without the tag enforces it', () => {
    const tagged = findingEvent({ id: 'b0', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-0aaa' });
    (tagged.detail.resource as ReturnType<typeof instanceResource>).instanceDetails.tags.push({ key: 'datalek:exempt', value: 'true' });
    const exempt = plan(tagged, graded);
    expect(exempt[0]).toMatchObject({ mode: 'plan', status: 'planned' });
    expect(plan(backdoor, graded, exempt)[0]).toMatchObject({ mode: 'enforce', findingId: 'b1' });
  });

  it('never touches what was enforced, carried out or is a person’s step, and a milder finding never downgrades', () => {
    const enforced = plan(backdoor, graded);
    expect(plan(recon, graded, enforced)).toEqual([]);
    const done = [{ ...enforced[0], status: 'done' as const, steps: [{ name: 'capture-metadata', status: 'done' as const, at: NOW }] }];
    expect(plan(backdoor, graded, done)).toEqual([]);
    const person = plan(
      findingEvent({ id: 't1', type: 'Recon:EC2/Portscan', instanceId: 'i-0aaa', resourceRole: 'TARGET', service: inbound }),
      DEFAULT_POLICY,
    ).filter((a) => a.person);
    expect(person).toHaveLength(1);
    expect(
      plan(
        findingEvent({ id: 't2', type: 'Recon:EC2/Portscan', instanceId: 'i-0aaa', resourceRole: 'TARGET', service: inbound }),
        DEFAULT_POLICY,
        person,
      ).filter((a) => a.person),
    ).toEqual([]);
  });
});

describe('a released action is planned again on new evidence', () => {
  const enforcing = parsePolicy({
    containment: { rules: [{ action: 'contain-workload', findingTypes: ['Backdoor:EC2/*', 'CryptoCurrency:EC2/*'], mode: 'enforce' }] },
  });
  const releasedAt = '2026-11-28T02:00:00.000Z';
  const released = (): ActionRecord[] => [
    {
      ...plan(findingEvent({ id: 'b1', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-0aaa' }), enforcing)[0],
      status: 'done',
      released: { at: releasedAt, by: 'anna', reason: 'false positive' },
    },
  ];

  it('another finding plans it again, as an action of its own', () => {
    const again = plan(findingEvent({ id: 'c1', type: 'CryptoCurrency:EC2/BitcoinTool.B', instanceId: 'i-0aaa' }), enforcing, released());
    expect(again).toEqual([expect.objectContaining({ id: 'isolate-instance:i-0aaa#2', mode: 'enforce', status: 'planned', findingId: 'c1' })]);
    const third = plan(findingEvent({ id: 'c2', type: 'CryptoCurrency:EC2/BitcoinTool.B', instanceId: 'i-0aaa' }), enforcing, [...released(), ...again]);
    expect(third).toEqual([]);
  });

  it('the released finding active again after the release plans it again; what the person saw, or its archiving, does not', () => {
    const seen = (lastSeenAt: string, o: { archived?: boolean; count?: number } = {}) =>
      findingEvent({
        id: 'b1',
        type: 'Backdoor:EC2/C&CActivity.B',
        instanceId: 'i-0aaa',
        updatedAt: '2026-11-28T02:30:00.000Z',
        count: o.count ?? 2,
        archived: o.archived,
        service: { eventLastSeen: lastSeenAt },
      });
    expect(plan(seen('2026-11-28T01:00:00.000Z'), enforcing, released())).toEqual([]);
    // A false positive is released and archived in GuardDuty: the archive's update is no new activity.
    expect(plan(seen('2026-11-28T01:00:00.000Z', { archived: true }), enforcing, released())).toEqual([]);
    expect(plan(seen('2026-11-28T02:20:00.000Z', { archived: true }), enforcing, released())).toEqual([]);
    expect(plan(seen('2026-11-28T02:20:00.000Z'), enforcing, released())).toEqual([
      expect.objectContaining({ id: 'isolate-instance:i-0aaa#2', findingId: 'b1' }),
    ]);
  });
});
