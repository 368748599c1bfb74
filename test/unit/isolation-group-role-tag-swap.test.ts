/**
 * attack11 K1: an account principal with ec2:CreateTags swaps the `datalek:role` tags of datalek's
 * two vouched groups in a VPC (the isolation group tagged all-traffic, the all-traffic group tagged
 * isolation). The groups' ids stay in the incident's record, so both are still vouched for; the
 * role came from the tag alone. The next containment run in that VPC (any incident's) "repaired" the
 * group it then took for the all-traffic group: it authorised all traffic in and out on the REAL
 * isolation group, opening every interface isolated there, under datalek's own (watch-exempt) role,
 * while every record said isolated. The record knows which id is which (evidence.groups): a group is
 * datalek's only in the role its record gives it, and the one group datalek opens must also bear an
 * all-traffic name (EC2 never changes a group's name), so a record written while the tags were
 * swapped cannot make it open the isolation group either. (The same on moto: contain-held-elsewhere-aws.)
 */
import type { SecurityGroup } from '@aws-sdk/client-ec2';
import { expect, it } from 'vitest';
import { FoundGroups, isolationGroups, refuseIsolatedAlready } from '../../handlers/adapters/aws/containment/network-isolation.js';
import { recordedIsolationGroups } from '../../handlers/core/contain.js';
import { GROUPS_MADE, GROUPS_STEP_PROGRESS } from '../../handlers/core/containment.js';

const VPC = 'vpc-1';
const HOLDER = 'dl-00000000000000000000000000000001';
const LATER = 'dl-00000000000000000000000000000002';
/** An incident whose run isolated in the VPC while the tags were swapped (before this fix): its record names the two the wrong way round. */
const DURING_SWAP = 'dl-00000000000000000000000000000003';
const ISO = 'sg-0isolation';
const ALL = 'sg-0alltraffic';

const group = (id: string, name: string, role: string | null, rules: Partial<SecurityGroup> = {}, createdFor = HOLDER): SecurityGroup => ({
  GroupId: id,
  GroupName: name,
  VpcId: VPC,
  IpPermissions: [],
  IpPermissionsEgress: [],
  ...rules,
  Tags: [...(role ? [{ Key: 'datalek:role', Value: role }] : []), { Key: 'datalek:created-for', Value: createdFor }],
});

const allRules = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }];
const open = { IpPermissions: allRules, IpPermissionsEgress: allRules };

// The groups as the attacker left them: names and ids datalek's, role tags swapped.
const SWAPPED = [group(ISO, 'datalek-isolation', 'datalek-all-traffic'), group(ALL, 'datalek-all-traffic', 'datalek-isolation', open)];

const isolating = (groups: object) => ({ id: 'isolate-instance:i-0held', evidence: { groups } });
// The records, as the contain function wrote them: which id is the isolation group is known.
const RECORDS: Record<string, object> = {
  [HOLDER]: { id: HOLDER, actions: [isolating({ allTraffic: ALL, isolation: ISO })] },
  [DURING_SWAP]: { id: DURING_SWAP, actions: [isolating({ allTraffic: ISO, isolation: ALL })] },
};
const store = { getIncident: async (id: string) => RECORDS[id] ?? null };
// biome-ignore lint/suspicious/noExplicitAny: a stand-in for the store's reader (the record as written)
const recorded = (id: string) => recordedIsolationGroups(store as any, id);

/** A later incident's groups step in the VPC, on `tagged` as EC2 describes them: what it returns, and the calls that change a group's rules. */
async function groupsStep(tagged: SecurityGroup[]) {
  const changed: string[] = [];
  const ec2 = {
    send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = cmd.constructor.name;
      if (/^(Authorize|Revoke)SecurityGroup/.test(name)) changed.push(`${name.replace('SecurityGroup', '').replace('Command', '')} ${cmd.input.GroupId}`);
      // As EC2: a group's name is unique in its VPC, and a taken one is found by a read of that name.
      const named = (n: unknown) => tagged.find((g) => g.GroupName === n);
      if (name === 'CreateSecurityGroupCommand') {
        if (named(cmd.input.GroupName)) throw Object.assign(new Error('taken'), { name: 'InvalidGroup.Duplicate' });
        return { GroupId: `sg-new-${cmd.input.GroupName}` };
      }
      if (name === 'DescribeSecurityGroupsCommand') {
        const filters = cmd.input.Filters as { Name: string; Values: string[] }[];
        return { SecurityGroups: [named(filters.find((f) => f.Name === 'group-name')?.Values[0])].filter(Boolean) };
      }
      return {};
    },
  };
  // biome-ignore lint/suspicious/noExplicitAny: a recording stand-in for the EC2 client
  const prepared = await isolationGroups({ ec2 } as any, VPC, LATER, Promise.resolve(new FoundGroups(tagged, recorded)));
  return { ...prepared, changed };
}

it('never opens the group the record names as the isolation group, whatever its tags say: each is used in its recorded role', async () => {
  const { groups, changed } = await groupsStep(SWAPPED);
  expect(groups).toEqual({ allTraffic: ALL, isolation: ISO });
  // The all-traffic group is open and the isolation group empty already: nothing to repair.
  expect(changed).toEqual([]);
});

it('with the role tags removed or changed, still the recorded role: the isolation group is emptied, never opened', async () => {
  // The attacker also added a rule to the isolation group (its own call, which the watch sees) and took its role tag.
  const { groups, changed } = await groupsStep([group(ISO, 'datalek-isolation', null, open), group(ALL, 'datalek-all-traffic', 'something-else', open)]);
  expect(groups).toEqual({ allTraffic: ALL, isolation: ISO });
  expect(changed.sort()).toEqual([`RevokeEgress ${ISO}`, `RevokeIngress ${ISO}`]);
});

it('a record written while the tags were swapped cannot make datalek open the isolation group: the all-traffic group bears its name', async () => {
  // Both groups now name the incident whose run the swap misled (created-for changed too); its record has them the wrong way round.
  const { groups, changed } = await groupsStep([
    group(ISO, 'datalek-isolation', 'datalek-all-traffic', {}, DURING_SWAP),
    group(ALL, 'datalek-all-traffic', 'datalek-isolation', open, DURING_SWAP),
  ]);
  expect(changed.filter((c) => c.startsWith('Authorize') && c.endsWith(ISO))).toEqual([]);
  expect(groups.allTraffic).not.toBe(ISO);
});

it('a group any record read names as the isolation group is never opened, whatever another record says', async () => {
  // The isolation group's created-for points at the misled record, the all-traffic group's at the holder's:
  // each record names one of them as the isolation group, so neither is the all-traffic group any more.
  const { groups, changed } = await groupsStep([
    group(ISO, 'datalek-isolation', 'datalek-all-traffic', {}, DURING_SWAP),
    group(ALL, 'datalek-all-traffic', 'datalek-isolation', open),
  ]);
  expect(groups).toEqual({ allTraffic: `sg-new-datalek-all-traffic-${LATER}`, isolation: ISO });
  expect(changed.filter((c) => c.endsWith(ISO) || c.endsWith(ALL))).toEqual([]);
});

it('a group tagged as made for this incident without a role tag is found now, named in the step and never changed', async () => {
  // Found by its created-for tag alone: neither used nor changed (the policy lets datalek change only role-tagged groups).
  const { groups, changed, orphans, tagged } = await groupsStep([...SWAPPED, group('sg-0untagged', 'anything', null, open, LATER)]);
  expect(groups).toEqual({ allTraffic: ALL, isolation: ISO });
  expect({ changed, orphans, tagged }).toEqual({ changed: [], orphans: [], tagged: ['sg-0untagged'] });
});

it('an interface in the isolation group is found isolated, not open in the all-traffic group its tag now claims', async () => {
  const found = await new FoundGroups(SWAPPED, recorded).inVpc(VPC);
  const interfaces = [{ NetworkInterfaceId: 'eni-0held', Groups: [{ GroupId: ISO }] }];
  expect(() => refuseIsolatedAlready('capture-metadata', 'i-0other', interfaces, found, VPC)).toThrow(/isolation group already/);
  const inAll = [{ NetworkInterfaceId: 'eni-0mid', Groups: [{ GroupId: ALL }] }];
  expect(() => refuseIsolatedAlready('capture-metadata', 'i-0other', inAll, found, VPC)).toThrow(/OPEN to all traffic/);
});

it('the groups a failed groups step made are vouched for in the role it made them; an id without its role (an earlier version) in none', async () => {
  const failedStep = (made: unknown[]) => ({
    id: 'dl-made',
    actions: [{ id: 'isolate-instance:i-0', evidence: { [GROUPS_STEP_PROGRESS]: { [GROUPS_MADE]: made } } }],
  });
  const read = (made: unknown[]) => recordedIsolationGroups({ getIncident: async () => failedStep(made) } as never, 'dl-made');
  expect(
    await read([
      { id: 'sg-a', role: 'isolation' },
      { id: 'sg-b', role: 'allTraffic' },
    ]),
  ).toEqual(
    new Map([
      ['sg-a', 'isolation'],
      ['sg-b', 'allTraffic'],
    ]),
  );
  expect(await read(['sg-a', { id: 'sg-b', role: 'open' }])).toEqual(new Map());
});
