/**
 * An action's identity, place and lifecycle in the planner (review2 attack §1, §3, §13): a target
 * carries its account; a later finding upgrades what an earlier one only planned; a released
 * action is planned again on new evidence.
 */
import { describe, expect, it } from 'vitest';
import { actionId, placedIn, planContainment } from '../../handlers/core/containment.js';
import { type Finding, parseEvent } from '../../handlers/core/finding.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { ACCOUNT, findingEvent, REGION, sequenceDetection } from '../support/events.js';

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
