/**
 * attack16 K2: a stolen long-term key's sessions outlive its deactivation. A GetSessionToken session
 * (up to 36 hours) or a console sign-in (12) made with the key keeps working once the key is
 * Inactive, and can make the user a new key or console password. So "made after the deactivation,
 * so not with it" (core/drift.ts otherCredentialsVerdict, and the run's other-keys step) holds only
 * once those sessions are revoked too: a record without that revocation (from before it was made
 * with the deactivation) reads a credential made within 36 hours of the deactivation NOT
 * CONTAINED, naming the key's sessions; one made after the revocation, or after 36 hours, is cleared
 * (test/unit/drift-other-access-keys.test.ts).
 */
import { expect, it } from 'vitest';
import { type ContainmentCheck, judge } from '../../handlers/core/drift.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { undoesSharedState } from '../../handlers/core/release.js';

const SINCE = '2026-11-27T21:00:00.000Z';
const DEACTIVATED = '2026-11-27T21:30:00.000Z';
const TWENTY_MINUTES_LATER = '2026-11-27T21:50:00.000Z';

const check = (window: { sessionsRevokedAt?: string } = {}): ContainmentCheck => ({
  incidentId: 'inc-k2',
  actionId: 'a1',
  accountId: '123456789012',
  region: 'eu-west-1',
  type: 'deactivate-access-key',
  expect: { kind: 'access-key', accessKeyId: 'AKIAEXAMPLESTOLEN001', userName: 'k2-user', since: SINCE, containedAt: DEACTIVATED, ...window },
});

it("a key made 20 minutes after the deactivation, the key's sessions never revoked: NOT CONTAINED, naming the key's sessions", () => {
  const v = judge(check(), { read: 'key', status: 'Inactive', others: [{ id: 'AKIAEXAMPLEMADEBYSTS', status: 'Active', created: TWENTY_MINUTES_LATER }] });
  expect(v.state).toBe('drifted');
  expect(v.actual).not.toContain('so not with it');
  expect(v.actual).toContain('NOT CONTAINED');
  expect(v.actual).toContain('AKIAEXAMPLEMADEBYSTS');
  expect(v.todo).toContain('CreateAccessKey');
  expect(v.todo, "on-call is told to end the key's sessions").toContain('aws:TokenIssueTime deny');
});

it('so is a console password made after the deactivation, and one made before the sessions were revoked late (a rerun of a record from before)', () => {
  const password = (window?: { sessionsRevokedAt?: string }) =>
    judge(check(window), { read: 'key', status: 'Inactive', others: [], signIn: { password: { created: TWENTY_MINUTES_LATER }, mfaDevices: [] } });
  for (const v of [password(), password({ sessionsRevokedAt: '2026-11-28T08:00:00.000Z' })]) {
    expect(v.state).toBe('drifted');
    expect(v.actual).not.toContain('so not with it');
    expect(v.actual).toMatch(/sessions made with the stolen key still worked/);
    expect(v.todo).toContain('CreateLoginProfile');
  }
});

it("a key found Inactive, its sessions revoked under this incident (lfc16): its release with --reactivate-key undoes no shared state, so no other incident's hold refuses it", () => {
  const found = {
    id: 'a1',
    type: 'deactivate-access-key',
    target: 'AKIAEXAMPLESTOLEN001',
    mode: 'enforce',
    status: 'skipped',
    steps: [
      { name: 'deactivate-key', status: 'failed', at: DEACTIVATED, code: 'AlreadyContained' },
      { name: 'revoke-key-sessions', status: 'done', at: DEACTIVATED },
    ],
  } as unknown as ActionRecord;
  expect(undoesSharedState(found, true)).toBe(false);
  const deactivated = { ...found, steps: [{ name: 'deactivate-key', status: 'done', at: DEACTIVATED }] } as ActionRecord;
  expect(undoesSharedState(deactivated, true)).toBe(true);
});
