/**
 * An incident may plan the isolation of an instance another open incident isolated, without any
 * record that it did: the key's holder that noted it was closed (its note went with it), or the
 * isolating incident named the instance without holding its key (an attack sequence correlates on
 * 20 resources but plans every instance it names). The take then finds nothing and carries it out
 * (the last read, L1). On AWS it must not record the isolation group as the groups to restore: a
 * release of it would "restore" the isolation group (the instance stays cut while the record says
 * released), and the groups the instance had are only in the other record.
 */
import {
  AttachNetworkInterfaceCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainmentStateReader } from '../../handlers/adapters/aws/containment/drift.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import type { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import { foundIsolatedInterfaces } from '../../handlers/core/containment.js';
import { checkContainment } from '../../handlers/core/drift.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { containmentWorld } from '../support/containment-world.js';
import { buildScenario, buildVpc, showOwnInterfaceGroups } from '../support/ec2-scenario.js';
import { incidentFixture, storeInstanceFinding } from '../support/incidents.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

const ACCOUNT = '111122223333';
const NOW = '2026-11-29T08:00:00.000Z';

describe.skipIf(!MOTO_AVAILABLE)('an instance isolated under another incident the take cannot see, on moto', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  let c: ContainmentClients;
  let deps: ContainDeps;
  let factory: Awaited<ReturnType<typeof containmentWorld>>['factory'];

  beforeAll(async () => {
    const world = await containmentWorld(ACCOUNT);
    ({ moto, store, c, factory } = world);
    deps = { store, policy: DEFAULT_POLICY, now: () => NOW, containment: new AwsContainment(factory), forceEnforce: true };
  });
  afterAll(async () => moto?.stop());

  const isolation = (instanceId: string, incidentId: string): ActionRecord => ({
    id: `isolate-instance:${instanceId}`,
    type: 'isolate-instance',
    target: instanceId,
    status: 'planned',
    mode: 'enforce',
    findingId: `f-${incidentId}`,
    at: NOW,
  });
  const open = async (id: string, instanceId: string, holdsKey: boolean) => {
    const keyed = holdsKey
      ? {
          resource: { kind: 'ec2-instance' as const, resourceType: 'Instance', id: instanceId },
          resourceKey: `ec2-instance:${ACCOUNT}:eu-west-1:${instanceId}`,
        }
      : {};
    await store.commit({
      incident: incidentFixture({ id, actions: [isolation(instanceId, id)], ...keyed }),
      expectedRevision: null,
      timeline: [],
      messages: [],
    });
    await storeInstanceFinding(store, id, `f-${id}`, instanceId);
  };
  const groupsOf = async (instanceId: string) => {
    const out = await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }));
    return (out.NetworkInterfaces ?? []).flatMap((e) => (e.Groups ?? []).map((g) => g.GroupName as string)).sort();
  };

  it('is not isolated again nor its isolation group recorded as groups to restore; the release of the incident holding it restores its own groups', async () => {
    const s = await buildScenario(c);
    await showOwnInterfaceGroups(c.ec2, [s.instanceId]);
    const own = await groupsOf(s.instanceId);
    // dl-linked isolated it without holding its key; dl-keyed holds the key and knows nothing of it.
    await open('dl-linked', s.instanceId, false);
    await runContainment(deps, 'dl-linked');
    expect(await groupsOf(s.instanceId)).toEqual(['datalek-isolation', 'datalek-isolation']);
    await open('dl-keyed', s.instanceId, true);

    await runContainment(deps, 'dl-keyed');
    const keyed = ((await store.getIncident('dl-keyed')) as Incident).actions[0];
    // Found isolated already: left to the incident whose record holds it (review7 Y13), not a failure to retry.
    expect(keyed).toMatchObject({ status: 'skipped', heldBy: 'dl-linked' });
    expect((keyed.steps ?? []).find((st) => st.status === 'failed')?.code).toBe('AlreadyIsolated');
    // What it found is on its record, for the drift check to read back under it: each interface, in dl-linked's isolation group.
    const linked = ((await store.getIncident('dl-linked')) as Incident).actions[0];
    const isolationGroup = (linked.evidence as { groups: { isolation: string } }).groups.isolation;
    const found = foundIsolatedInterfaces(keyed) ?? [];
    expect(found.map((f) => f.id).sort()).toEqual([...(await interfacesOf(s.instanceId)).keys()].sort());
    expect(found.map((f) => f.group)).toEqual([isolationGroup, isolationGroup]);
    // Nothing of it can be released: no step was done.
    expect((keyed.steps ?? []).filter((st) => st.status === 'done').map((st) => st.name)).toEqual([]);
    expect(JSON.stringify(keyed.evidence ?? {})).not.toContain('datalek-isolation');

    // Left to dl-linked, dl-keyed's need of it now stops a release that does not name it.
    await expect(releaseContainment(deps, { incidentId: 'dl-linked', by: 'oncall', reason: 'vals positief' })).rejects.toThrow(/dl-keyed/);
    await releaseContainment(deps, { incidentId: 'dl-linked', by: 'oncall', reason: 'vals positief', undoFor: ['dl-keyed'] });
    expect(await groupsOf(s.instanceId)).toEqual(own);
    const handedBack = ((await store.getIncident('dl-keyed')) as Incident).actions[0];
    // Handed back: told it is no longer contained.
    expect(handedBack).toMatchObject({ status: 'planned' });
    expect(handedBack.heldBy).toBeUndefined();
  });
  /** Each attached interface's group ids, by interface id. */
  const interfacesOf = async (instanceId: string) => {
    const out = await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }));
    return new Map((out.NetworkInterfaces ?? []).map((e) => [e.NetworkInterfaceId as string, (e.Groups ?? []).map((g) => g.GroupId as string)]));
  };
  /** Datalek's group of `role` in the VPC, by its tag (what datalek made). */
  const datalekGroup = async (vpcId: string, role: string) => {
    const out = await c.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'tag:datalek:role', Values: [role] },
        ],
      }),
    );
    return out.SecurityGroups ?? [];
  };
  const actionOf = async (id: string) => ((await store.getIncident(id)) as Incident).actions[0];
  /** A new VPC where incident `id` isolated an instance (datalek's groups made there), and a second instance in it. */
  const vpcIsolatedOnce = async (id: string) => {
    const vpc = await buildVpc(c);
    await open(id, (await buildScenario(c, vpc)).instanceId, true);
    await runContainment(deps, id);
    const [isolation] = await datalekGroup(vpc.vpcId, 'datalek-isolation');
    const [allTraffic] = await datalekGroup(vpc.vpcId, 'datalek-all-traffic');
    return { isolation: isolation.GroupId as string, allTraffic: allTraffic.GroupId as string, s: await buildScenario(c, vpc) };
  };
  const moveInto = async (group: string, interfaceIds: string[]) => {
    for (const id of interfaceIds) await c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, Groups: [group] }));
  };

  // review8 R1: judged by the group's name, one interface in a group anyone can name datalek-isolation made the run skip the whole instance.
  it("an interface in a group merely NAMED datalek-isolation does not stop the isolation, and that group is never taken for datalek's", async () => {
    const vpc = await buildVpc(c);
    const s = await buildScenario(c, vpc);
    // The attacker: a group of their own named as datalek names its isolation group (no datalek tag, open to all), and one more interface in it.
    const fake = (await c.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'datalek-isolation', Description: 'not datalek', VpcId: vpc.vpcId })))
      .GroupId as string;
    await c.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: fake, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    const extra = (await c.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: vpc.subnetId, Groups: [fake] }))).NetworkInterface
      ?.NetworkInterfaceId as string;
    await c.ec2.send(new AttachNetworkInterfaceCommand({ InstanceId: s.instanceId, NetworkInterfaceId: extra, DeviceIndex: 2 }));
    await open('dl-named', s.instanceId, true);

    await runContainment(deps, 'dl-named');

    const action = await actionOf('dl-named');
    expect(action).toMatchObject({ status: 'done' });
    expect(action.heldBy).toBeUndefined();
    // datalek's own group, made under another name since the attacker holds the name, tagged and without rules; every interface in it only.
    const [isolation] = await datalekGroup(vpc.vpcId, 'datalek-isolation');
    expect(isolation.GroupId).not.toBe(fake);
    expect(isolation).toMatchObject({ GroupName: 'datalek-isolation-dl-named', IpPermissions: [], IpPermissionsEgress: [] });
    const now = await interfacesOf(s.instanceId);
    expect(now.size).toBe(3);
    for (const groups of now.values()) expect(groups).toEqual([isolation.GroupId]);
    // The attacker's group was not taken up (its rule stands), and is what a release puts the extra interface back in.
    const attackers = (await c.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [fake] }))).SecurityGroups?.[0];
    expect(attackers?.IpPermissions?.length).toBe(1);
    const recorded = (action.evidence?.metadata as { networkInterfaces: { id: string; groups: string[] }[] } | undefined)?.networkInterfaces;
    expect(recorded?.find((n) => n.id === extra)?.groups).toEqual([fake]);
  });

  it('an interface left in the isolation group while another is open: the open one is isolated, the isolated one left as found', async () => {
    const { isolation, s } = await vpcIsolatedOnce('dl-first');
    // A release that put back only the secondary interface's groups: the primary stays cut.
    const primary = [...(await interfacesOf(s.instanceId)).keys()].find((id) => id !== s.enis[1].id) as string;
    await moveInto(isolation, [primary]);
    await open('dl-partial', s.instanceId, true);

    await runContainment(deps, 'dl-partial');

    const action = await actionOf('dl-partial');
    expect(action).toMatchObject({ status: 'done' });
    const metadata = action.evidence?.metadata as { networkInterfaces: { id: string; groups: string[] }[]; foundIsolated?: string[] };
    // The isolation group is never recorded as groups to restore: the interface found in it is left out of this record.
    expect(metadata.foundIsolated).toEqual([primary]);
    expect(metadata.networkInterfaces).toEqual([{ id: s.enis[1].id, groups: s.enis[1].groups }]);
    for (const groups of (await interfacesOf(s.instanceId)).values()) expect(groups).toEqual([isolation]);
  });

  /**
   * The attacker's group, tagged as datalek tags its groups (role, and the incident it was made for:
   * `dl-named`, a real incident whose record holds other groups), without rules, every interface of
   * the instance in it.
   */
  const selfTagged = async (vpcId: string, role: string, instanceId: string) => {
    const fake = (
      await c.ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: role,
          Description: 'the attacker, tagged as datalek',
          VpcId: vpcId,
          TagSpecifications: [
            {
              ResourceType: 'security-group',
              Tags: [
                { Key: 'datalek:role', Value: role },
                { Key: 'datalek:created-for', Value: 'dl-named' },
              ],
            },
          ],
        }),
      )
    ).GroupId as string;
    await c.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: fake, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    await moveInto(fake, [...(await interfacesOf(instanceId)).keys()]);
    return fake;
  };

  // The last note's "Still left": a group tagged datalek:role=datalek-isolation by anyone was taken for datalek's.
  it("a group the attacker tagged as datalek's isolation group is neither taken for datalek's nor an interface in it counted isolated", async () => {
    const vpc = await buildVpc(c);
    const s = await buildScenario(c, vpc);
    await showOwnInterfaceGroups(c.ec2, [s.instanceId]);
    const fake = await selfTagged(vpc.vpcId, 'datalek-isolation', s.instanceId);
    await open('dl-self-tagged', s.instanceId, true);

    await runContainment(deps, 'dl-self-tagged');

    const action = await actionOf('dl-self-tagged');
    expect(action).toMatchObject({ status: 'done' });
    const groups = action.evidence?.groups as { isolation: string; allTraffic: string };
    expect(groups.isolation).not.toBe(fake);
    // datalek's own group (the name was taken), without rules, every interface in it only; the attacker's is what a release restores.
    const made = (await c.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groups.isolation] }))).SecurityGroups?.[0];
    expect(made).toMatchObject({ GroupName: 'datalek-isolation-dl-self-tagged', IpPermissions: [], IpPermissionsEgress: [] });
    for (const ids of (await interfacesOf(s.instanceId)).values()) expect(ids).toEqual([groups.isolation]);
    const recorded = (action.evidence as { metadata: { networkInterfaces: { groups: string[] }[] } }).metadata.networkInterfaces;
    expect(recorded.map((n) => n.groups)).toEqual([[fake], [fake]]);
  });

  it("a group the attacker tagged as datalek's all-traffic group does not stop the isolation of an interface in it", async () => {
    const vpc = await buildVpc(c);
    const s = await buildScenario(c, vpc);
    await showOwnInterfaceGroups(c.ec2, [s.instanceId]);
    const fake = await selfTagged(vpc.vpcId, 'datalek-all-traffic', s.instanceId);
    await open('dl-self-all', s.instanceId, true);

    await runContainment(deps, 'dl-self-all');

    const action = await actionOf('dl-self-all');
    expect(action).toMatchObject({ status: 'done' });
    const groups = action.evidence?.groups as { isolation: string; allTraffic: string };
    expect(groups.allTraffic).not.toBe(fake);
    for (const ids of (await interfacesOf(s.instanceId)).values()) expect(ids).toEqual([groups.isolation]);
  });

  // review10 K1: the role tags are anyone's to change; which group is which, the record says.
  it("the VPC's two groups with their datalek:role tags swapped: the next isolation there uses each in its recorded role, opening neither", async () => {
    const { isolation, allTraffic, s } = await vpcIsolatedOnce('dl-swap-first');
    const tag = (id: string, role: string) => c.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'datalek:role', Value: role }] }));
    await tag(isolation, 'datalek-all-traffic');
    await tag(allTraffic, 'datalek-isolation');
    await open('dl-swap-later', s.instanceId, true);

    await runContainment(deps, 'dl-swap-later');

    const action = await actionOf('dl-swap-later');
    expect(action.status).toBe('done');
    expect(action.evidence?.groups).toEqual({ allTraffic, isolation });
    // Still without a rule: every interface the first incident isolated there stays cut.
    const [cut] = (await c.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [isolation] }))).SecurityGroups ?? [];
    expect(cut).toMatchObject({ IpPermissions: [], IpPermissionsEgress: [] });
    for (const ids of (await interfacesOf(s.instanceId)).values()) expect(ids).toEqual([isolation]);
  });

  // The last note's "Still left": a run killed between creating its groups and recording its groups step left groups no record names.
  it('groups a killed run made for this incident and never recorded are not used nor changed (named in the record)', async () => {
    const vpc = await buildVpc(c);
    const s = await buildScenario(c, vpc);
    // As the killed run left them: tagged for dl-killed at creation, the isolation group with its default all-outbound rule.
    const orphan = async (role: string) =>
      (
        await c.ec2.send(
          new CreateSecurityGroupCommand({
            GroupName: role,
            Description: 'made by a run of dl-killed that stopped before recording it',
            VpcId: vpc.vpcId,
            TagSpecifications: [
              {
                ResourceType: 'security-group',
                Tags: [
                  { Key: 'datalek:role', Value: role },
                  { Key: 'datalek:created-for', Value: 'dl-killed' },
                ],
              },
            ],
          }),
        )
      ).GroupId as string;
    const orphans = [await orphan('datalek-isolation'), await orphan('datalek-all-traffic')];
    await open('dl-killed', s.instanceId, true);

    await runContainment(deps, 'dl-killed');

    const action = await actionOf('dl-killed');
    expect(action).toMatchObject({ status: 'done' });
    const groups = action.evidence?.groups as { isolation: string; allTraffic: string };
    expect(orphans).not.toContain(groups.isolation);
    for (const ids of (await interfacesOf(s.instanceId)).values()) expect(ids).toEqual([groups.isolation]);
    // Left as they were (a new group's one egress rule each): only a record proves a group datalek's to change.
    const left = (await c.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: orphans }))).SecurityGroups ?? [];
    expect(left.map((g) => [g.IpPermissions?.length ?? 0, g.IpPermissionsEgress?.length ?? 0])).toEqual([
      [0, 1],
      [0, 1],
    ]);
    // And visible: the groups step names them, and the record keeps them apart from the groups it vouches for.
    const prepared = (action.steps ?? []).find((st) => st.name === 'prepare-isolation-groups');
    for (const id of orphans) expect(prepared?.detail).toContain(id);
    expect([...((action.evidence?.orphanGroups as string[] | undefined) ?? [])].sort()).toEqual([...orphans].sort());

    // Drift reads them (the last note's "Still left"): as left, in place, to be deleted; nobody else ever looks at them.
    const reader = new AwsContainmentStateReader(factory);
    const orphanEntries = async () => {
      const report = await checkContainment([(await store.getIncident('dl-killed')) as Incident], reader, NOW);
      return orphans.map((id) => report.resources.find((r) => r.resource.startsWith(`security group ${id} `)));
    };
    expect((await orphanEntries()).map((e) => [e?.state, e?.todo])).toEqual(
      orphans.map((id) => ['in-place', expect.stringContaining(`delete-security-group --group-id ${id}`)]),
    );
    // Someone puts a network interface in the killed run's isolation group, and a rule on its all-traffic group: both seen.
    const intruder = (await c.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: vpc.subnetId, Groups: [orphans[0]] }))).NetworkInterface
      ?.NetworkInterfaceId;
    await c.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: orphans[1],
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.7/32' }] }],
      }),
    );
    const [inUse, ruled] = await orphanEntries();
    expect(inUse).toMatchObject({ state: 'drifted', actual: expect.stringContaining(intruder as string) });
    expect(ruled).toMatchObject({ state: 'drifted', actual: expect.stringContaining('1 inbound') });
  });

  // The last read's A1: a tag is no proof. Whoever may tag puts datalek's two tags for the incident on
  // a production group in use (the incident id is on the contained instance's and datalek's groups' tags).
  it('a production group tagged as made for the incident keeps its rules, and is not called an orphan to delete', async () => {
    const vpc = await buildVpc(c);
    const s = await buildScenario(c, vpc);
    const prod = (await c.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'payments-db', Description: 'payments database', VpcId: vpc.vpcId })))
      .GroupId as string;
    await c.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: prod,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '10.20.0.0/16' }] }],
      }),
    );
    await c.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: vpc.subnetId, Groups: [prod] }));
    await c.ec2.send(
      new CreateTagsCommand({
        Resources: [prod],
        Tags: [
          { Key: 'datalek:role', Value: 'datalek-isolation' },
          { Key: 'datalek:created-for', Value: 'dl-victim' },
        ],
      }),
    );
    await open('dl-victim', s.instanceId, true);

    await runContainment(deps, 'dl-victim');

    const action = await actionOf('dl-victim');
    expect(action).toMatchObject({ status: 'done' });
    expect((action.evidence?.groups as { isolation?: string } | undefined)?.isolation).not.toBe(prod);
    const after = (await c.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [prod] }))).SecurityGroups?.[0];
    expect(after?.IpPermissions?.map((p) => p.FromPort)).toEqual([5432]);
    expect(action.evidence?.orphanGroups ?? []).not.toContain(prod);
    expect(action.evidence?.taggedGroups).toEqual([prod]);
    const prepared = (action.steps ?? []).find((st) => st.name === 'prepare-isolation-groups');
    expect(prepared?.detail).toContain(`${prod} carry datalek's tags for this incident but not datalek's name`);
  });

  it("an interface in datalek's all-traffic group is open, not isolated: a loud failure, not a skip", async () => {
    const { allTraffic, s } = await vpcIsolatedOnce('dl-earlier');
    // A run stopped between its two swaps: every interface in the all-traffic group.
    await moveInto(allTraffic, [...(await interfacesOf(s.instanceId)).keys()]);
    await open('dl-open', s.instanceId, true);

    await runContainment(deps, 'dl-open');

    const action = await actionOf('dl-open');
    expect(action.status).toBe('failed');
    const failed = (action.steps ?? []).find((st) => st.status === 'failed');
    expect(failed).toMatchObject({ name: 'capture-metadata', code: 'InAllTrafficGroup' });
    expect(failed?.detail).toContain('OPEN to all traffic');
  });
});
