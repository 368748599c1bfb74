/**
 * sec (session 26): on AWS the FG's decisions are recorded only by a session of the FG's role. Who
 * is such a session is read from the caller's ARN, as IAM compares it: the role's name exactly.
 * fgrole (session 27) items 1 and 2: the role of the register's own account, and the role the
 * deployment names (the incidents table's tag `datalek:fg-role`, which only the deployment and
 * break-glass may change), never one a shell variable names.
 */
import { describe, expect, it } from 'vitest';
import {
  decisionsNotByFg,
  deploymentFgRole,
  FG_ROLE_TAG,
  type FgRole,
  isFgSession,
  onceRead,
  pageFgState,
  refuseUnlessFg,
  sessionRole,
} from '../../handlers/cli/fg-role.js';
import { words } from '../../handlers/web/i18n.js';

const TABLE = 'arn:aws:dynamodb:eu-west-1:123456789012:table/datalek-incidents';
const FG: FgRole = { role: 'datalek-fg', account: '123456789012', table: TABLE };
const deployed =
  (fg: FgRole = FG) =>
  async () =>
    fg;

describe("the FG's role from the caller's ARN", () => {
  it("reads an assumed role's name, and none from an IAM user, root or a federated user", () => {
    expect(sessionRole('arn:aws:sts::123456789012:assumed-role/datalek-fg/alice@example.nl')).toBe('datalek-fg');
    expect(sessionRole('arn:aws-eu-gov:sts::123456789012:assumed-role/datalek-fg/alice')).toBe('datalek-fg');
    expect(sessionRole('arn:aws:iam::123456789012:user/datalek-fg')).toBeNull();
    expect(sessionRole('arn:aws:iam::123456789012:root')).toBeNull();
    expect(sessionRole('arn:aws:sts::123456789012:federated-user/datalek-fg')).toBeNull();
  });

  it('lets a session of the FG role record, and refuses another role, a role of another case, and an IAM user named like it', async () => {
    await expect(refuseUnlessFg('assess', 'arn:aws:sts::123456789012:assumed-role/datalek-fg/alice', deployed())).resolves.toBeUndefined();
    for (const caller of [
      'arn:aws:sts::123456789012:assumed-role/datalek-on-call/bob',
      'arn:aws:sts::123456789012:assumed-role/Datalek-FG/alice',
      'arn:aws:iam::123456789012:user/datalek-fg',
    ])
      await expect(refuseUnlessFg('assess', caller, deployed()), caller).rejects.toThrow(`these credentials are ${caller}: nothing was recorded`);
  });

  it("refuses a session of a role of the FG's name in another account than the register's (item 1)", async () => {
    const elsewhere = 'arn:aws:sts::210987654321:assumed-role/datalek-fg/mallory';
    expect(isFgSession(elsewhere, FG)).toBe(false);
    await expect(refuseUnlessFg('assess', elsewhere, deployed())).rejects.toThrow(
      "recorded only as the FG's role datalek-fg of account 123456789012, the register's",
    );
    expect(isFgSession('arn:aws:sts::123456789012:assumed-role/datalek-fg/alice', FG)).toBe(true);
  });

  it('takes the role the deployment names, whatever DATALEK_FG_ROLE says, and asks nothing on the embedded store (item 2)', async () => {
    const sso = 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_FG_0123456789abcdef/alice';
    const named = deployed({ ...FG, role: 'AWSReservedSSO_FG_0123456789abcdef' });
    await expect(refuseUnlessFg('close', sso, named)).resolves.toBeUndefined();
    await expect(refuseUnlessFg('close', sso, deployed())).rejects.toThrow("recorded only as the FG's role datalek-fg");
    // The variable is no longer read: a shell naming on-call's role widens nothing.
    process.env.DATALEK_FG_ROLE = 'datalek-on-call';
    try {
      await expect(refuseUnlessFg('close', 'arn:aws:sts::123456789012:assumed-role/datalek-on-call/bob', deployed())).rejects.toThrow(
        "recorded only as the FG's role datalek-fg",
      );
    } finally {
      delete process.env.DATALEK_FG_ROLE;
    }
    await expect(refuseUnlessFg('close', null, null)).resolves.toBeUndefined();
  });

  it("reads the deployment's role from the table's tag and its account from the table's ARN, refusing a tag missing or not a role's name", () => {
    expect(deploymentFgRole(TABLE, [{ Key: FG_ROLE_TAG, Value: 'fg-sso' }])).toEqual({ role: 'fg-sso', account: '123456789012', table: TABLE });
    expect(() => deploymentFgRole(TABLE, [{ Key: 'other', Value: 'x' }])).toThrow(`the incidents table ${TABLE} names no FG role (its tag ${FG_ROLE_TAG})`);
    expect(() => deploymentFgRole(TABLE, [{ Key: FG_ROLE_TAG, Value: 'arn:aws:iam::1:role/x' }])).toThrow(`its tag ${FG_ROLE_TAG} is not a role's name`);
    expect(() => deploymentFgRole('datalek-incidents', [{ Key: FG_ROLE_TAG, Value: 'datalek-fg' }])).toThrow('not a table ARN');
  });

  it("names the FG decisions no session of the FG's role recorded, a caller missing among them, and no other entry (item 3)", () => {
    const fg = 'arn:aws:sts::123456789012:assumed-role/datalek-fg/alice';
    const onCall = 'arn:aws:sts::123456789012:assumed-role/datalek-on-call/bob';
    const entries = [
      { incidentId: 'dl-1', seq: 1, kind: 'incident-opened' },
      { incidentId: 'dl-1', seq: 2, kind: 'acknowledged', caller: onCall },
      { incidentId: 'dl-1', seq: 3, kind: 'assessed', caller: fg },
      { incidentId: 'dl-1', seq: 4, kind: 'reported', caller: onCall },
      { incidentId: 'dl-1', seq: 5, kind: 'closed' },
      { incidentId: 'dl-1', seq: 6, kind: 'subjects-decided', caller: 'arn:aws:sts::210987654321:assumed-role/datalek-fg/mallory' },
    ];
    expect(decisionsNotByFg(entries, FG)).toEqual([
      { incidentId: 'dl-1', seq: 4, kind: 'reported', caller: onCall },
      { incidentId: 'dl-1', seq: 5, kind: 'closed', caller: null },
      { incidentId: 'dl-1', seq: 6, kind: 'subjects-decided', caller: 'arn:aws:sts::210987654321:assumed-role/datalek-fg/mallory' },
    ]);
    expect(decisionsNotByFg(entries, null)).toEqual([]);
  });
});

describe("the FG's role when the lookup fails (review27 finalA #4)", () => {
  const denied = () => Object.assign(new Error('User is not authorized to perform: dynamodb:ListTagsOfResource'), { name: 'AccessDeniedException' });

  it('keeps a role read, but reads again after a failed lookup rather than keep the failure for the life of the process', async () => {
    let calls = 0;
    const read = onceRead(async () => {
      calls++;
      if (calls === 1) throw denied();
      return FG;
    });
    await expect(read()).rejects.toThrow('ListTagsOfResource');
    await expect(read()).resolves.toEqual(FG);
    await expect(read()).resolves.toEqual(FG);
    expect(calls).toBe(2);
  });

  it('reads anew when asked fresh, and keeps what it read: a decision is judged by the role named now (fgr28 item 4)', async () => {
    const roles = ['datalek-fg', 'fg-sso'];
    let calls = 0;
    const read = onceRead(async () => ({ ...FG, role: roles[Math.min(calls++, roles.length - 1)] }));
    expect((await read()).role).toBe('datalek-fg');
    expect((await read()).role).toBe('datalek-fg');
    expect((await read.fresh()).role).toBe('fg-sso');
    expect((await read()).role).toBe('fg-sso');
    expect(calls).toBe(2);
  });

  it('tells the page a failed lookup by its error, apart from a table naming no FG role', async () => {
    const fg = 'arn:aws:sts::123456789012:assumed-role/datalek-fg/alice';
    expect(await pageFgState(fg, deployed())).toBeUndefined();
    expect(await pageFgState('arn:aws:sts::123456789012:assumed-role/datalek-on-call/bob', deployed())).toEqual({ role: 'datalek-fg' });
    const untagged = async () => deploymentFgRole(TABLE, []);
    expect(await pageFgState(fg, untagged)).toEqual({ role: null });
    const failed = await pageFgState(fg, async () => {
      throw denied();
    });
    expect(failed).toEqual({ role: null, error: 'AccessDeniedException: User is not authorized to perform: dynamodb:ListTagsOfResource' });
    // AWS's own message names the caller with its session's name (often a person's e-mail): left out on the page (fgr28 item 2).
    const named = await pageFgState(fg, async () => {
      throw Object.assign(
        new Error('User: arn:aws:sts::123456789012:assumed-role/datalek-fg/a.de.vries@example.nl is not authorized to perform: dynamodb:ListTagsOfResource'),
        { name: 'AccessDeniedException' },
      );
    });
    expect(named?.error).toBe(
      'AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/datalek-fg/(session name left out) is not authorized to perform: dynamodb:ListTagsOfResource',
    );
  });

  it('says on the page, in Dutch and English, that the lookup failed and why, apart from a table naming no FG role', () => {
    const error = 'AccessDeniedException: User is not authorized to perform: dynamodb:ListTagsOfResource';
    const caller = 'arn:aws:sts::123456789012:assumed-role/datalek-fg/alice';
    for (const lang of ['nl', 'en'] as const) {
      const failed = words(lang).fgReadOnly(null, caller, error);
      expect(failed).toContain(error);
      expect(failed).toContain('dynamodb:DescribeTable');
      expect(failed).not.toBe(words(lang).fgReadOnly(null, caller));
    }
    expect(words('nl').fgReadOnly(null, caller, error)).toContain('kon niet uit de registertabel worden gelezen');
    expect(words('en').fgReadOnly(null, caller, error)).toContain('could not be read from the register');
  });
});
