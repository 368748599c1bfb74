/**
 * The daily detector check's look at the member accounts (fgsec16 S3). A member account that
 * leaves its GuardDuty administrator, whose administrator removes or disassociates it, or that
 * turns GuardDuty off in a region no longer sends its findings to the pipeline: the member
 * stack's forward of that call pages at the time, but a forward lost, a call in a region the
 * member stack does not watch (`forwardFrom`), or a page missed leaves it unseen for good. So each
 * day, in each region the check runs, the administrator's own detector lists its members
 * (`guardduty:ListMembers`), and every account the deployment lists (`memberAccounts`) must be
 * there with the relationship `Enabled`. Anything else is a problem that pages, as a detector's.
 */

/** What ListMembers says of one member account (the fields checked). */
export interface MemberState {
  accountId: string;
  /** GuardDuty's `RelationshipStatus`: `Enabled`, `Removed`, `Resigned`, `Disabled`, `Invited`, `RegionDisabled`, … */
  relationshipStatus?: string;
}

/** Lists the members of the administrator's detector `detectorId` in `region`, whatever their relationship. */
export type MemberReader = (region: string, detectorId: string) => Promise<MemberState[]>;

/**
 * What is wrong with the listed members of a region, each as a sentence naming the region and the
 * account; none when every expected account is a member with the relationship `Enabled`.
 */
export function memberProblems(region: string, detectorId: string, expected: string[], members: MemberState[]): string[] {
  return expected.flatMap((account) => {
    const member = members.find((m) => m.accountId === account);
    if (!member)
      return [
        `${region}: member account ${account} is not a member of detector ${detectorId} (the administrator's): its findings there do not reach the pipeline`,
      ];
    // GuardDuty spells it `Enabled`; read in any case.
    if (member.relationshipStatus?.toLowerCase() !== 'enabled')
      return [
        `${region}: member account ${account} is ${member.relationshipStatus ?? 'of unknown relationship'}, not Enabled, with detector ${detectorId} (the administrator's): its findings there do not reach the pipeline`,
      ];
    return [];
  });
}

/**
 * The member check of a region: on the administrator's detector there (a region has one at most;
 * with none, the detector check already pages that no finding is raised there). Unreadable is not
 * "fine": it is a problem that says why.
 */
export async function checkMembers(region: string, detectorIds: string[], expected: string[], read: MemberReader): Promise<string[]> {
  const [detectorId] = detectorIds;
  if (!expected.length || !detectorId) return [];
  try {
    return memberProblems(region, detectorId, expected, await read(region, detectorId));
  } catch (err) {
    return [
      `${region}: the members of detector ${detectorId} could not be read (${(err as Error).name}: ${(err as Error).message}): whether ${expected.join(', ')} still send findings is unchecked`,
    ];
  }
}
