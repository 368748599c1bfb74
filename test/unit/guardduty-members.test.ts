/**
 * fgsec16 S3: the daily detector check also reads the administrator's members in each region it
 * runs, and pages on an account the deployment lists (`memberAccounts`) that is no member there,
 * or whose relationship is anything but `Enabled` (left, removed, suspended, GuardDuty off in that
 * region): its findings no longer reach the pipeline. Moto has no `ListMembers`: the judgement is
 * tested here, the bundle's call on moto in test/integration/detector-canary.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { checkMembers, type MemberState, memberProblems } from '../../handlers/core/guardduty-members.js';

const DETECTOR = '12abc34d567e8fa901bc2d34e56789f0';
const [A, B, C] = ['444455556666', '777788889999', '123412341234'];

describe("the members of the administrator's detector", () => {
  it('finds nothing wrong when every listed account is an Enabled member; other members are not its business', () => {
    const members: MemberState[] = [
      { accountId: A, relationshipStatus: 'Enabled' },
      { accountId: B, relationshipStatus: 'Enabled' },
      { accountId: C, relationshipStatus: 'Removed' },
    ];
    expect(memberProblems('eu-west-1', DETECTOR, [A, B], members)).toEqual([]);
  });

  it('pages on a listed account that left or was removed, is suspended or off in the region, or is no member at all, naming region and account', () => {
    const members: MemberState[] = [{ accountId: A, relationshipStatus: 'Resigned' }, { accountId: B, relationshipStatus: 'RegionDisabled' }, { accountId: C }];
    expect(memberProblems('eu-central-1', DETECTOR, [A, B, C, '999900001111'], members)).toEqual([
      `eu-central-1: member account ${A} is Resigned, not Enabled, with detector ${DETECTOR} (the administrator's): its findings there do not reach the pipeline`,
      `eu-central-1: member account ${B} is RegionDisabled, not Enabled, with detector ${DETECTOR} (the administrator's): its findings there do not reach the pipeline`,
      `eu-central-1: member account ${C} is of unknown relationship, not Enabled, with detector ${DETECTOR} (the administrator's): its findings there do not reach the pipeline`,
      `eu-central-1: member account 999900001111 is not a member of detector ${DETECTOR} (the administrator's): its findings there do not reach the pipeline`,
    ]);
  });

  it("reads the region's detector's members once, only when the deployment lists members and the region has a detector, and pages when they cannot be read", async () => {
    const asked: string[] = [];
    const read = async (region: string, detectorId: string) => {
      asked.push(`${region}/${detectorId}`);
      return [{ accountId: A, relationshipStatus: 'Removed' }];
    };
    expect(await checkMembers('eu-west-1', [DETECTOR], [A], read)).toEqual([
      `eu-west-1: member account ${A} is Removed, not Enabled, with detector ${DETECTOR} (the administrator's): its findings there do not reach the pipeline`,
    ]);
    expect(await checkMembers('eu-west-1', [DETECTOR], [], read)).toEqual([]);
    // No detector: the detector check pages on that already (no finding is raised there at all).
    expect(await checkMembers('eu-west-1', [], [A], read)).toEqual([]);
    expect(asked).toEqual([`eu-west-1/${DETECTOR}`]);
    const denied = Object.assign(new Error('not authorized to perform: guardduty:ListMembers'), { name: 'AccessDeniedException' });
    expect(
      await checkMembers('eu-west-1', [DETECTOR], [A, B], async () => {
        throw denied;
      }),
    ).toEqual([
      `eu-west-1: the members of detector ${DETECTOR} could not be read (AccessDeniedException: not authorized to perform: guardduty:ListMembers): whether ${A}, ${B} still send findings is unchecked`,
    ]);
  });
});
