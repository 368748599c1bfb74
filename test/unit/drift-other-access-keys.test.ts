/**
 * review12 K7: the user's other Active keys, judged by when each was made (core/drift.ts). One made
 * from the first activity up to the deactivation is most likely made with the stolen key: NOT
 * CONTAINED (on moto: test/integration/drift-resources.test.ts). One made before the first activity
 * may be the owner's: in place, with a check to make. One made more than 12 hours after the key's
 * sessions were revoked (a role session the key assumed outlives the revocation: readC16 C1; for a
 * record from before the revocation, 36 hours after the deactivation) was not made with it. A key found Inactive already is judged up to when it was found so (its step records the
 * other keys too). A record without the first activity (from before it was kept) names every other
 * Active key as a check. So too once the stolen key is deleted (review13 K4).
 */
import { describe, expect, it } from 'vitest';
import { type ContainmentCheck, judge } from '../../handlers/core/drift.js';

const KEY = 'AKIAEXAMPLESTOLEN001';
const SINCE = '2026-11-27T21:00:00.000Z';
const CONTAINED = '2026-11-27T21:30:00.000Z';
const REVOKED = '2026-11-27T21:30:01.000Z';

type Window = { since?: string; containedAt?: string; found?: true; sessionsRevokedAt?: string };

const check = (window: Window): ContainmentCheck => ({
  incidentId: 'inc-k7',
  actionId: 'a1',
  accountId: '123456789012',
  region: 'eu-west-1',
  type: 'deactivate-access-key',
  expect: { kind: 'access-key', accessKeyId: KEY, userName: 'k7-user', ...window },
});
const key = (id: string, created: string | null, status = 'Active') => ({ id, status, created });
const judged = (window: Window, others: ReturnType<typeof key>[]) => judge(check(window), { read: 'key', status: 'Inactive', others });

describe("the user's other access keys", () => {
  const window = { since: SINCE, containedAt: CONTAINED };

  it('one made between the first activity and the deactivation (or at a time not given): NOT CONTAINED', () => {
    for (const created of ['2026-11-27T21:10:00.000Z', null]) {
      const v = judged(window, [key('AKIAEXAMPLESECOND001', created)]);
      expect(v.state).toBe('drifted');
      expect(v.actual).toContain('NOT CONTAINED');
      expect(v.actual).toContain('AKIAEXAMPLESECOND001');
      expect(v.todo).toContain('CreateAccessKey');
    }
  });

  it('one made before the first activity: in place, a check to make; an Inactive one: nothing', () => {
    const v = judged(window, [key('AKIAEXAMPLEOWNER0001', '2026-01-01T00:00:00.000Z'), key('AKIAEXAMPLEOLD000001', SINCE, 'Inactive')]);
    expect(v.state).toBe('in-place');
    expect(v.actual).toContain(`made before the first activity (${SINCE}): AKIAEXAMPLEOWNER0001`);
    expect(v.actual).not.toContain('AKIAEXAMPLEOLD000001');
    expect(v.todo).toContain('CreateAccessKey');
  });

  it("one made more than 12 hours after the key's sessions were revoked, or once every session made with it had ended (36 hours): named, in place, nothing to do (attack16 K2, readC16 C1)", () => {
    const revoked = judged({ ...window, sessionsRevokedAt: REVOKED }, [key('AKIAEXAMPLENEW000001', '2026-11-28T09:31:00.000Z')]);
    expect(revoked).toMatchObject({ state: 'in-place' });
    expect(revoked.actual).toContain(
      `made more than 12 hours after the key's sessions were revoked (${REVOKED}), when no role session it assumed still worked, so not with it: AKIAEXAMPLENEW000001`,
    );
    expect(revoked.todo).toBeUndefined();
    // A record from before the revocation: the longest session made with the key (GetSessionToken's 36 hours) had ended.
    const ended = judged(window, [key('AKIAEXAMPLENEW000001', '2026-11-29T09:31:00.000Z')]);
    expect(ended).toMatchObject({ state: 'in-place' });
    expect(ended.actual).toContain('made more than 36 hours after it was deactivated, when no session made with it still worked, so not with it');
  });

  it('a key found Inactive already (when it was set so is not known): one made before it was found is NOT CONTAINED, one made 36 hours after is not with it', () => {
    const found = { ...window, found: true as const };
    const v = judged(found, [key('AKIAEXAMPLESECOND001', '2026-11-27T21:10:00.000Z'), key('AKIAEXAMPLENEW000001', '2026-11-29T10:00:00.000Z')]);
    expect(v.state).toBe('drifted');
    expect(v.actual).toContain('and before the key was found Inactive (when it was set so is not known');
    expect(v.actual).toContain(
      'made more than 36 hours after it was found Inactive, when no session made with it still worked, so not with it: AKIAEXAMPLENEW000001',
    );
  });

  it('the stolen key deleted (review13 K4): a key made since the first activity is NOT CONTAINED; else gone, a check kept', () => {
    const deleted = (others?: ReturnType<typeof key>[]) => judge(check(window), { read: 'missing', what: 'access key', ...(others ? { others } : {}) });
    const v = deleted([key('AKIAEXAMPLESECOND001', '2026-11-27T21:10:00.000Z')]);
    expect(v.state).toBe('drifted');
    expect(v.actual).toContain('access key not found, but NOT CONTAINED');
    expect(v.actual).toContain('AKIAEXAMPLESECOND001');
    expect(v.todo).toContain('DeleteAccessKey');
    const owner = deleted([key('AKIAEXAMPLEOWNER0001', '2026-01-01T00:00:00.000Z')]);
    expect(owner).toMatchObject({ state: 'gone', actual: expect.stringContaining(`made before the first activity (${SINCE}): AKIAEXAMPLEOWNER0001`) });
    expect(owner.todo).toContain('find out who deleted it');
    expect(owner.todo).toContain('CreateAccessKey');
    expect(deleted([])).toMatchObject({ state: 'gone', actual: 'access key not found' });
    expect(deleted()).toMatchObject({ state: 'gone', actual: 'access key not found' });
  });

  it('a record without the first activity: every other Active key is a check to make', () => {
    const v = judged({}, [key('AKIAEXAMPLESECOND001', '2026-11-27T21:10:00.000Z')]);
    expect(v.state).toBe('in-place');
    expect(v.actual).toContain('the record keeps no first activity');
    expect(v.todo).toContain('CreateAccessKey');
    expect(judged({}, []).actual).toBe('Inactive');
  });
});

/**
 * The stolen key may have given its user a console password (CreateLoginProfile) or an MFA device
 * (EnableMFADevice) before containment reached it: drift reads both for the key's user
 * (GetLoginProfile's CreateDate, ListMFADevices's EnableDate) and judges them as the other keys.
 */
describe("the key's user's console password and MFA devices", () => {
  const window = { since: SINCE, containedAt: CONTAINED };
  const IN_WINDOW = '2026-11-27T21:10:00.000Z';
  const BEFORE = '2026-01-01T00:00:00.000Z';
  const AFTER = '2026-11-28T10:00:00.000Z';
  const signedIn = (w: Window, password: string | null | undefined, mfa: (string | null)[]) =>
    judge(check(w), {
      read: 'key',
      status: 'Inactive',
      others: [],
      signIn: { password: password === undefined ? null : { created: password }, mfaDevices: mfa.map((enabled) => ({ enabled })) },
    });

  it('a console password made between the first activity and the deactivation: NOT CONTAINED', () => {
    const v = signedIn(window, IN_WINDOW, []);
    expect(v.state).toBe('drifted');
    expect(v.actual).toContain(`NOT CONTAINED: the key's user has a console password made since the first activity (${SINCE})`);
    expect(v.actual).toContain(`console password (made ${IN_WINDOW})`);
    expect(v.todo).toContain('CreateLoginProfile');
    expect(v.todo).toContain('aws iam delete-login-profile');
  });

  it('an MFA device enabled in that window: NOT CONTAINED, named by when only (its serial number may name the user)', () => {
    const v = signedIn(window, undefined, [IN_WINDOW, BEFORE]);
    expect(v.state).toBe('drifted');
    expect(v.actual).toContain("the key's user has an MFA device enabled since the first activity");
    expect(v.actual).toContain(`MFA device (enabled ${IN_WINDOW})`);
    expect(v.actual).not.toContain(`enabled ${BEFORE}`);
    expect(v.todo).toContain('EnableMFADevice');
    expect(v.todo).toContain('aws iam deactivate-mfa-device');
  });

  it("made before the first activity: in place, a check to make; 12 hours after the key's sessions were revoked: named, nothing to do; none: Inactive", () => {
    const before = signedIn(window, BEFORE, [BEFORE]);
    expect(before.state).toBe('in-place');
    expect(before.actual).toContain(`made before the first activity (${SINCE}): console password (made ${BEFORE}), MFA device (enabled ${BEFORE})`);
    expect(before.todo).toContain('CreateLoginProfile');
    const after = signedIn({ ...window, sessionsRevokedAt: REVOKED }, AFTER, [AFTER]);
    expect(after.state).toBe('in-place');
    expect(after.actual).toContain(`so not with it: console password (made ${AFTER}), MFA device (enabled ${AFTER})`);
    expect(after.todo).toBeUndefined();
    expect(signedIn(window, undefined, []).actual).toBe('Inactive');
  });

  it('with another key made in the window too: each is named', () => {
    const v = judge(check(window), {
      read: 'key',
      status: 'Inactive',
      others: [key('AKIAEXAMPLESECOND001', IN_WINDOW)],
      signIn: { password: { created: IN_WINDOW }, mfaDevices: [{ enabled: IN_WINDOW }] },
    });
    expect(v.state).toBe('drifted');
    expect(v.actual).toContain("the key's user has another Active key made, a console password made and an MFA device enabled since the first activity");
    expect(v.actual).toContain(`AKIAEXAMPLESECOND001 (made ${IN_WINDOW}), console password (made ${IN_WINDOW}), MFA device (enabled ${IN_WINDOW})`);
  });
});
