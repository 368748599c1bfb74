/**
 * sec (session 26): on AWS the FG's decisions are recorded only by a session of the FG's role. Who
 * is such a session is read from the caller's ARN, as IAM compares it: the role's name exactly.
 */
import { describe, expect, it } from 'vitest';
import { refuseUnlessFg, sessionRole } from '../../handlers/cli/fg-role.js';

describe("the FG's role from the caller's ARN", () => {
  it("reads an assumed role's name, and none from an IAM user, root or a federated user", () => {
    expect(sessionRole('arn:aws:sts::123456789012:assumed-role/datalek-fg/alice@example.nl')).toBe('datalek-fg');
    expect(sessionRole('arn:aws-eu-gov:sts::123456789012:assumed-role/datalek-fg/alice')).toBe('datalek-fg');
    expect(sessionRole('arn:aws:iam::123456789012:user/datalek-fg')).toBeNull();
    expect(sessionRole('arn:aws:iam::123456789012:root')).toBeNull();
    expect(sessionRole('arn:aws:sts::123456789012:federated-user/datalek-fg')).toBeNull();
  });

  it('lets a session of the FG role record, and refuses another role, a role of another case, and an IAM user named like it', () => {
    const env = {};
    expect(() => refuseUnlessFg('assess', 'arn:aws:sts::123456789012:assumed-role/datalek-fg/alice', env)).not.toThrow();
    for (const caller of [
      'arn:aws:sts::123456789012:assumed-role/datalek-on-call/bob',
      'arn:aws:sts::123456789012:assumed-role/Datalek-FG/alice',
      'arn:aws:iam::123456789012:user/datalek-fg',
    ])
      expect(() => refuseUnlessFg('assess', caller, env), caller).toThrow(`these credentials are ${caller}: nothing was recorded`);
  });

  it('takes the role DATALEK_FG_ROLE names instead, and asks nothing on the embedded store', () => {
    const sso = 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_FG_0123456789abcdef/alice';
    expect(() => refuseUnlessFg('close', sso, { DATALEK_FG_ROLE: 'AWSReservedSSO_FG_0123456789abcdef' })).not.toThrow();
    expect(() => refuseUnlessFg('close', sso, {})).toThrow("recorded only as the FG's role datalek-fg");
    expect(() => refuseUnlessFg('close', null, {})).not.toThrow();
  });
});
