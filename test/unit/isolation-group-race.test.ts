/**
 * Two runs isolating in a VPC with no groups yet both create datalek-isolation; the loser finds the
 * winner's by its name. The winner's record names the group only once its groups step is recorded, a
 * round or two later: the loser reads that record again before it takes the group for someone else's
 * (and makes one of its own: a group per incident in a storm's first wave). A group no record ever
 * names (the attacker's, tagged as datalek's) is still refused.
 */
import type { SecurityGroup } from '@aws-sdk/client-ec2';
import { expect, it } from 'vitest';
import { FoundGroups } from '../../handlers/adapters/aws/containment/network-isolation.js';

const WINNER: SecurityGroup = {
  GroupId: 'sg-winner',
  GroupName: 'datalek-isolation',
  VpcId: 'vpc-1',
  Tags: [
    { Key: 'datalek:role', Value: 'datalek-isolation' },
    { Key: 'datalek:created-for', Value: 'dl-winner' },
  ],
};

/** The store's answer for dl-winner: nothing until its groups step is recorded, after `reads` reads. */
function recordedAfter(reads: number) {
  let n = 0;
  return async (id: string): Promise<ReadonlyMap<string, 'allTraffic' | 'isolation'>> => {
    n += 1;
    return id === 'dl-winner' && n > reads ? new Map([['sg-winner', 'isolation']]) : new Map();
  };
}

it("takes the race winner's group once the winner's record names it", async () => {
  expect(await new FoundGroups([], recordedAfter(2)).vouches(WINNER, 'isolation', [1, 1, 1])).toBe(true);
});

it('refuses a group no record names, after reading again', async () => {
  const reads: string[] = [];
  const found = new FoundGroups([], async (id) => {
    reads.push(id);
    return new Map();
  });
  expect(await found.vouches(WINNER, 'isolation', [1, 1])).toBe(false);
  expect(reads).toEqual(['dl-winner', 'dl-winner', 'dl-winner']);
});

it("refuses the winner's group at once when its record names it in the other role (a role tag says nothing)", async () => {
  const reads: string[] = [];
  const found = new FoundGroups([], async (id) => {
    reads.push(id);
    return new Map([['sg-winner', 'allTraffic']]);
  });
  expect(await found.vouches(WINNER, 'isolation', [1, 1])).toBe(false);
  expect(reads).toEqual(['dl-winner']);
});
