/**
 * contain17 item 4: a forged drain mark. Anyone who may write ECS attributes and knows the incident id
 * can put `datalek.drained-by=<incident>` on a container instance; a run finding it DRAINING with
 * that mark took it for its own drain (attack16 K6's retry), and the release then set it ACTIVE: an
 * instance drained for its own reasons put back into task placement by datalek. Now the run records
 * each mark it puts (step `mark-container-instance`, evidence `drainMarked`) before the drain, and
 * trusts the mark only on those; one it did not put is named in the step's detail. On moto.
 *
 * review15 K5: one the isolation found DRAINING (drained by whoever saw the finding first, or marked by
 * another incident) was left as found and never read back: set ACTIVE once the isolation was done, it was
 * back in task placement while drift read CONTAINED. Every one found is read back now; the release still
 * sets ACTIVE only those the isolation drained, and names the others.
 */
import {
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  PutAttributesCommand,
  RegisterContainerInstanceCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainmentStateReader } from '../../handlers/adapters/aws/containment/drift.js';
import { DRAIN_MARKED, DRAINED_BY } from '../../handlers/adapters/aws/containment/ecs.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import type { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { runContainment } from '../../handlers/core/contain.js';
import { checkContainment } from '../../handlers/core/drift.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { containmentWorld } from '../support/containment-world.js';
import { anImageId, buildVpc, showOwnInterfaceGroups } from '../support/ec2-scenario.js';
import { whileRegistering } from '../support/ecs-registering.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

describe.skipIf(!MOTO_AVAILABLE)('a drain mark the run did not put, on moto', () => {
  let moto: Moto;
  let c: ContainmentClients;
  let store: DynamoDbIncidentStore;
  let containment: AwsContainment;
  let reader: AwsContainmentStateReader;
  let n = 0;

  beforeAll(async () => {
    const { factory, ...world } = await containmentWorld(ACCOUNT, REGION);
    ({ moto, store, c } = world);
    containment = new AwsContainment(factory);
    reader = new AwsContainmentStateReader(factory);
  }, 120_000);
  afterAll(async () => moto?.stop());

  const now = () => new Date().toISOString();
  const deps = () => ({ store, policy: DEFAULT_POLICY, now, containment, forceEnforce: true });

  /** An instance in a VPC, the container instance of cluster `cluster`; its id and its container instance's ARN. */
  async function containerInstance(cluster: string): Promise<{ instanceId: string; arn: string }> {
    const { subnetId } = await buildVpc(c);
    const imageId = await anImageId(c.ec2);
    const run = await c.ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', SubnetId: subnetId }));
    const instanceId = run.Instances?.[0]?.InstanceId as string;
    await showOwnInterfaceGroups(c.ec2, [instanceId]);
    await c.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const doc = JSON.stringify({ instanceId, region: REGION, accountId: ACCOUNT });
    const out = await c.ecs.send(new RegisterContainerInstanceCommand({ cluster, instanceIdentityDocument: doc }));
    return { instanceId, arn: out.containerInstance?.containerInstanceArn as string };
  }

  async function record(instanceId: string): Promise<string> {
    n += 1;
    const recorded = await recordEvent(
      { store, policy: DEFAULT_POLICY, now, canEnforce: true, forceEnforce: true },
      findingEvent({ id: `drain-mark-${Date.now()}-${n}`, accountId: ACCOUNT, type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource(instanceId) }),
    );
    return recorded.incidentId as string;
  }

  const described = async (cluster: string, arn: string) =>
    (await c.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }))).containerInstances?.[0];
  const isolation = async (incidentId: string) => ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'isolate-instance');

  it("an instance DRAINING for its own reasons, this incident's mark forged on it: left as found, named, and the release leaves it DRAINING", async () => {
    const { instanceId, arn } = await containerInstance('forged');
    const incidentId = await record(instanceId);
    // Someone who may write ECS attributes drains it (their own reasons) and puts this incident's mark on it.
    await c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'forged', containerInstances: [arn], status: 'DRAINING' }));
    await c.ecs.send(new PutAttributesCommand({ cluster: 'forged', attributes: [{ name: DRAINED_BY, value: incidentId, targetId: arn }] }));

    await runContainment(deps(), incidentId);

    const action = await isolation(incidentId);
    const drain = action?.steps?.find((s) => s.name === 'drain-container-instance');
    expect(drain?.status).toBe('done');
    expect(drain?.detail).toContain(`this incident's ${DRAINED_BY} mark found on ${arn} DRAINING, which the record does not say this isolation marked`);
    expect(action?.evidence?.containerInstances).toEqual([{ cluster: expect.stringContaining('forged'), arn, before: 'DRAINING' }]);
    expect(action?.evidence?.[DRAIN_MARKED]).toBeUndefined();

    await releaseContainment(deps(), { incidentId, by: 'anna', reason: 'pentest' });
    expect((await described('forged', arn))?.status).toBe('DRAINING');
  });

  it('review15 K5: an instance drained before the isolation is read back while isolated (set ACTIVE: NOT CONTAINED); the release leaves it DRAINING and says so', async () => {
    const { instanceId, arn } = await containerInstance('predrained');
    const incidentId = await record(instanceId);
    // Whoever saw the finding drains it first, without a mark: the isolation finds it DRAINING.
    await c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'predrained', containerInstances: [arn], status: 'DRAINING' }));

    await runContainment(deps(), incidentId);
    const action = await isolation(incidentId);
    expect(action?.status).toBe('done');
    expect(action?.evidence?.containerInstances).toEqual([{ cluster: expect.stringContaining('predrained'), arn, before: 'DRAINING' }]);
    const incident = (await store.getIncident(incidentId)) as Incident;
    const drain = async () =>
      (await checkContainment([incident], reader, new Date().toISOString())).resources
        .filter((r) => r.resource.startsWith('ECS container instance'))
        .map((r) => `${r.state}: ${r.actual}`);
    expect(await drain()).toEqual(['in-place: DRAINING']);
    // Set ACTIVE once the isolation is done: back in task placement, and drift says so.
    await c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'predrained', containerInstances: [arn], status: 'ACTIVE' }));
    expect(await drain()).toEqual([expect.stringMatching(/^drifted: ACTIVE: NOT CONTAINED/)]);
    await c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'predrained', containerInstances: [arn], status: 'DRAINING' }));

    const released = await releaseContainment(deps(), { incidentId, by: 'anna', reason: 'pentest' });
    const activate = released.released.flatMap((r) => r.steps).find((s) => s.name === 'activate-container-instance');
    expect([activate?.status, activate?.detail]).toEqual([
      'done',
      expect.stringContaining(`no ECS container instance set ACTIVE again; left as the isolation found it, not drained by it: ${arn} DRAINING`),
    ]);
    expect((await described('predrained', arn))?.status).toBe('DRAINING');
  });

  it('the mark the run puts is recorded before the drain, and the release sets the instance ACTIVE and removes it', async () => {
    const { instanceId, arn } = await containerInstance('own');
    const incidentId = await record(instanceId);
    await runContainment(deps(), incidentId);
    const action = await isolation(incidentId);
    expect(action?.evidence?.[DRAIN_MARKED]).toEqual([arn]);
    const names = (action?.steps ?? []).map((s) => s.name);
    expect(names).toContain('mark-container-instance');
    expect(action?.evidence?.containerInstances).toEqual([{ cluster: expect.stringContaining('own'), arn, before: 'ACTIVE', drainedBy: incidentId }]);
    expect((await described('own', arn))?.status).toBe('DRAINING');
    await releaseContainment(deps(), { incidentId, by: 'anna', reason: 'pentest' });
    const after = await described('own', arn);
    expect([after?.status, after?.attributes?.find((a) => a.name === DRAINED_BY)]).toEqual(['ACTIVE', undefined]);
  });

  /**
   * contain19 item 4: a container instance found REGISTERING (awsvpcTrunking: its trunk interface being
   * provisioned) was left as found, the step done: ECS cannot set it DRAINING until it is ACTIVE (the
   * API's rule for UpdateContainerInstancesState), and once ACTIVE, moments later, it takes tasks. moto
   * registers every container instance ACTIVE and has no REGISTERING: the ECS client's answer to
   * DescribeContainerInstances is read as REGISTERING by a middleware on the test's side (moto serves
   * everything else), then no longer, as ECS does once the trunk interface is there.
   */
  it('contain19: an instance found REGISTERING fails the drain (NOT CONTAINED, on-call paged); the retry drains it once ACTIVE', async () => {
    const { instanceId, arn } = await containerInstance('registering');
    const incidentId = await record(instanceId);
    await whileRegistering(c, arn, async () => {
      expect((await described('registering', arn))?.status, 'premise: read as REGISTERING').toBe('REGISTERING');
      await runContainment(deps(), incidentId);
    });
    const failed = await isolation(incidentId);
    const drain = failed?.steps?.filter((s) => s.name === 'drain-container-instance').at(-1);
    expect(failed?.status).toBe('failed');
    expect([drain?.status, drain?.code]).toEqual(['failed', 'ContainerInstanceRegistering']);
    expect(drain?.detail).toContain(`NOT CONTAINED: container instance ${arn} found REGISTERING`);
    expect((await described('registering', arn))?.status).toBe('ACTIVE');

    // ACTIVE now: the retry drains it, as its own.
    await runContainment(deps(), incidentId);
    const action = await isolation(incidentId);
    expect(action?.status).toBe('done');
    expect(action?.evidence?.containerInstances).toEqual([{ cluster: expect.stringContaining('registering'), arn, before: 'ACTIVE', drainedBy: incidentId }]);
    expect((await described('registering', arn))?.status).toBe('DRAINING');
  });

  /**
   * contain20 item 4: the capture reads the instance's interfaces once. A REGISTERING container instance's
   * trunk interface (awsvpcTrunking) is attached once ECS has provisioned it, after the capture, while the
   * drain fails: the retry drained the instance once ACTIVE but isolated only the interfaces the capture
   * had read, the trunk interface left in its own groups. Each run now reads the interfaces again at its
   * end. moto has no trunking: the trunk interface is an interface the test attaches between the runs.
   */
  it('contain20: an interface attached after the capture (the trunk interface of a REGISTERING instance) is isolated by the retry, and restored by the release', async () => {
    const { instanceId, arn } = await containerInstance('trunk');
    const incidentId = await record(instanceId);
    await whileRegistering(c, arn, () => runContainment(deps(), incidentId));
    expect((await isolation(incidentId))?.status, 'premise: the drain failed on REGISTERING').toBe('failed');

    // ECS attaches the trunk interface, in the instance's subnet and a group of its own.
    const instance = (await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]?.Instances?.[0];
    const own = (await c.ec2.send(new CreateSecurityGroupCommand({ GroupName: `trunk-${Date.now()}`, Description: 'tasks', VpcId: instance?.VpcId })))
      .GroupId as string;
    const trunk = (await c.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: instance?.SubnetId, Groups: [own] }))).NetworkInterface
      ?.NetworkInterfaceId as string;
    await c.ec2.send(new AttachNetworkInterfaceCommand({ InstanceId: instanceId, NetworkInterfaceId: trunk, DeviceIndex: 1 }));

    // Still REGISTERING: the re-read takes the trunk up, the drain fails again.
    await whileRegistering(c, arn, () => runContainment(deps(), incidentId));
    const second = (await isolation(incidentId))?.steps?.find((s) => s.name === 'recheck-interfaces');
    expect(second?.detail).toContain(`1 network interface(s) attached since the capture: ${trunk} (own groups ${own}), isolated as the others`);

    // The retry's re-read finds the trunk, attached since the capture, in the record: it says so, not "none attached since the capture".
    await runContainment(deps(), incidentId);

    const action = await isolation(incidentId);
    const groupsOf = async (eni: string) =>
      (await c.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] }))).NetworkInterfaces?.[0]?.Groups?.map((g) => g.GroupId);
    const evidence = action?.evidence ?? {};
    const isolationGroup = (evidence.groups as { isolation: string }).isolation;
    expect(action?.status).toBe('done');
    expect(await groupsOf(trunk)).toEqual([isolationGroup]);
    expect((evidence.metadata as { networkInterfaces: { id: string; groups: string[] }[] }).networkInterfaces).toContainEqual({
      id: trunk,
      groups: [own],
    });
    const recheck = action?.steps?.find((s) => s.name === 'recheck-interfaces');
    expect(recheck?.detail).toBe('no network interface attached that the record does not know (2 attached, each in the record)');

    await releaseContainment(deps(), { incidentId, by: 'anna', reason: 'pentest' });
    expect(await groupsOf(trunk)).toEqual([own]);
  });
});
