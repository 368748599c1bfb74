/**
 * readC20: an isolated instance's interface deleted before the release. contain20's recheck-interfaces
 * adds to the record every interface attached since the capture (a trunk interface, or one the attacker
 * attaches), and the release restores each recorded interface's own groups first. One detached and
 * deleted since (by ECS when it deprovisions a trunk interface, or by whoever attached it) failed its
 * restore, InvalidNetworkInterfaceID.NotFound, and a failed restore stops the release before the rest:
 * the instance stayed out of its target groups and Auto Scaling group, its container instance DRAINING,
 * the step saying the interface 'still isolated', on every release tried again. A deleted interface has
 * nothing to restore: said so, and the release goes on. On moto.
 */
import {
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  DeleteNetworkInterfaceCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import type { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { runContainment } from '../../handlers/core/contain.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { containmentWorld } from '../support/containment-world.js';
import { anImageId, buildVpc, showOwnInterfaceGroups } from '../support/ec2-scenario.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

describe.skipIf(!MOTO_AVAILABLE)('an isolated interface deleted before the release, on moto', () => {
  let moto: Moto;
  let c: ContainmentClients;
  let store: DynamoDbIncidentStore;
  let containment: AwsContainment;

  beforeAll(async () => {
    const { factory, ...world } = await containmentWorld(ACCOUNT, REGION);
    ({ moto, store, c } = world);
    containment = new AwsContainment(factory);
  }, 120_000);
  afterAll(async () => moto?.stop());

  const now = () => new Date().toISOString();
  const deps = () => ({ store, policy: DEFAULT_POLICY, now, containment, forceEnforce: true });

  it('a second interface, isolated, then detached and deleted: the release says it is gone and finishes', async () => {
    const { subnetId, vpcId } = await buildVpc(c);
    const imageId = await anImageId(c.ec2);
    const run = await c.ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', SubnetId: subnetId }));
    const instanceId = run.Instances?.[0]?.InstanceId as string;
    // A second interface (ECS's trunk interface, or the attacker's), with a group of its own.
    const own = (await c.ec2.send(new CreateSecurityGroupCommand({ GroupName: `second-${Date.now()}`, Description: 'second', VpcId: vpcId })))
      .GroupId as string;
    const second = (await c.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [own] }))).NetworkInterface?.NetworkInterfaceId as string;
    const attachment = (await c.ec2.send(new AttachNetworkInterfaceCommand({ InstanceId: instanceId, NetworkInterfaceId: second, DeviceIndex: 1 })))
      .AttachmentId;
    await showOwnInterfaceGroups(c.ec2, [instanceId]);
    const recorded = await recordEvent(
      { store, policy: DEFAULT_POLICY, now, canEnforce: true, forceEnforce: true },
      findingEvent({ id: `eni-deleted-${Date.now()}`, accountId: ACCOUNT, type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource(instanceId) }),
    );
    const incidentId = recorded.incidentId as string;
    await runContainment(deps(), incidentId);
    const isolation = async () => ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'isolate-instance');
    const action = await isolation();
    expect(action?.status, 'premise: isolated').toBe('done');
    expect(action?.steps?.find((s) => s.name === `isolate-eni:${second}`)?.status, 'premise: the second interface isolated').toBe('done');

    // Detached and deleted since.
    await c.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachment, Force: true }));
    await c.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: second }));
    const left = (await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'network-interface-id', Values: [second] }] }))).NetworkInterfaces;
    expect(left, 'premise: the interface is gone').toEqual([]);

    const out = await releaseContainment(deps(), { incidentId, by: 'anna', reason: 'pentest' });

    expect(out.failed).toEqual([]);
    const steps = out.released.find((r) => r.id === action?.id)?.steps ?? [];
    expect(steps.map((s) => `${s.name} ${s.status}`)).toContain('tag-released done');
    const restore = steps.find((s) => s.name === `restore-eni:${second}`);
    expect(restore?.status).not.toBe('failed');
    expect(restore?.detail).toContain('not found');
    const tags = (await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]?.Instances?.[0]?.Tags ?? [];
    expect(tags).toContainEqual({ Key: 'datalek:state', Value: 'released' });
    expect(((await isolation()) as { released?: unknown }).released).toBeTruthy();
  });
});
