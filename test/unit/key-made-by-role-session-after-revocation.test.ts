/**
 * readC16 C1 (6795a5e, attack16 K2): the revocation put with the key's deactivation is a deny on the
 * key's IAM *user* (aws:TokenIssueTime). A role session the stolen key assumed before it was
 * deactivated (sts:AssumeRole, up to 12 hours; chained again and again) is not the user's session:
 * the user's deny does not reach it. With it (a role allowed iam:CreateAccessKey, common for an
 * admin role users assume), the attacker makes the user a fresh key after the revocation, and drift
 * and the rerun's other-keys step clear exactly that key: "made after the key's sessions were
 * revoked, so not with it": CONTAINED while the attacker holds a fresh Active key.
 * So one made within 12 hours of the revocation reads NOT CONTAINED, naming the role sessions and
 * `contained --owner-key` for a key the owner made; one made later is cleared as before.
 */
import { expect, it } from 'vitest';
import { type ContainmentCheck, judge } from '../../handlers/core/drift.js';

const SINCE = '2026-11-27T21:00:00.000Z';
const DEACTIVATED = '2026-11-27T21:30:00.000Z';
const REVOKED = '2026-11-27T21:30:02.000Z'; // the run's revoke-key-sessions step, right after the deactivation
const AN_HOUR_LATER = '2026-11-27T22:30:00.000Z'; // within a role session's 12 hours of the deactivation
const TWELVE_HOURS_LATER = '2026-11-28T09:30:03.000Z'; // every role session the key assumed before had ended

const check: ContainmentCheck = {
  incidentId: 'inc-c1',
  actionId: 'a1',
  accountId: '123456789012',
  region: 'eu-west-1',
  type: 'deactivate-access-key',
  expect: {
    kind: 'access-key',
    accessKeyId: 'AKIAEXAMPLESTOLEN001',
    userName: 'c1-user',
    since: SINCE,
    containedAt: DEACTIVATED,
    sessionsRevokedAt: REVOKED,
  },
};

it('a key made an hour after the user-level revocation, by a role session the stolen key assumed, is not cleared as "not with it"', () => {
  const v = judge(check, { read: 'key', status: 'Inactive', others: [{ id: 'AKIAEXAMPLEMADEBYROLE', status: 'Active', created: AN_HOUR_LATER }] });
  expect(v.actual).not.toContain('so not with it');
  expect(v.state).not.toBe('in-place');
  expect(v.actual).toContain('AKIAEXAMPLEMADEBYROLE');
  expect(v.actual).toContain('role session');
  expect(v.todo).toContain('AssumeRole');
  expect(v.todo).toContain('--owner-key AKIAEXAMPLEMADEBYROLE');
  const later = judge(check, { read: 'key', status: 'Inactive', others: [{ id: 'AKIAEXAMPLEMADELATER', status: 'Active', created: TWELVE_HOURS_LATER }] });
  expect(later.state).toBe('in-place');
  expect(later.actual).toContain('so not with it: AKIAEXAMPLEMADELATER');
});
