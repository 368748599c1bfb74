/**
 * Isolating an EC2 instance, as ordered, separately recorded, idempotent steps (see
 * ../shared/domain.md §4 and runbooks/isolate-ec2-instance.md):
 *
 * 1. capture-metadata: every network interface with its groups, the instance profile, tags,
 *    volumes and Auto Scaling group. Evidence, and the only way to undo the isolation later.
 * 2. protect-instance: termination protection, shutdown behaviour "stop", volumes kept on
 *    termination. detach-from-asg: out of its Auto Scaling group without lowering capacity
 *    (termination protection does not stop an Auto Scaling group from replacing an instance that
 *    fails its health checks, and an isolated instance will).
 * 3. isolate-eni:<id>, for each interface: first the VPC's "all traffic" group, so tracked
 *    connections become untracked, then the isolation group with no rules at all. A plain swap
 *    leaves tracked connections alive (5 days idle timeout). An interface is never left in the
 *    "all traffic" group: see network-isolation.ts (time budget, retries, restore, exposure). A
 *    run after one that got this far starts with the interfaces it left unfinished.
 * 4. deregister-target-groups (membership is read just before: isolation does not change it, and
 *    reading it later lets the network be cut sooner); snapshot-volumes; tag-instance.
 * 5. Optional (policy): revoke-instance-credentials.
 *
 * A later failure never undoes the network isolation. Instances without a profile, an Auto
 * Scaling group or target groups are isolated all the same.
 */
import { AttachInstancesCommand, DescribeAutoScalingInstancesCommand, DetachInstancesCommand } from '@aws-sdk/client-auto-scaling';
import {
  AssociateIamInstanceProfileCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DisassociateIamInstanceProfileCommand,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import { ContainmentStepError } from '../../../core/errors.js';
import type { ActionRecord, Incident } from '../../../core/incident.js';
import type { ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClients } from './clients.js';
import { revokeOlderSessions } from './iam.js';
import { DEFAULT_SWAP_TIMING, type IsolationGroups, isolateNetworkInterfaces, isolateStepName, isolationGroups, type SwapTiming } from './network-isolation.js';
import { releaseStep, step } from './steps.js';

export { ALL_TRAFFIC_GROUP, ISOLATION_GROUP } from './network-isolation.js';

export interface InstanceMetadata {
  instanceId: string;
  vpcId: string;
  state: string | null;
  instanceProfileArn: string | null;
  tags: Record<string, string>;
  networkInterfaces: { id: string; groups: string[] }[];
  volumes: { volumeId: string; deviceName: string }[];
  autoScalingGroup: string | null;
}

export async function isolateInstance(
  c: ContainmentClients,
  action: ActionRecord,
  incident: Incident,
  ctx: ExecutionContext,
  now: () => string,
  timing: SwapTiming = DEFAULT_SWAP_TIMING,
): Promise<void> {
  const instanceId = action.target;
  // An earlier run prepared the groups, so it may have left interfaces half swapped or exposed:
  // those come first, before anything else this run has to do.
  const resumed = ctx.done.has('prepare-isolation-groups');
  const ok = await step(ctx, 'capture-metadata', now, async () => {
    const metadata = await captureMetadata(c, instanceId);
    return {
      status: 'done',
      detail: `${metadata.networkInterfaces.length} network interface(s), ${metadata.volumes.length} volume(s), Auto Scaling group ${metadata.autoScalingGroup ?? 'none'}, instance profile ${metadata.instanceProfileArn ? 'yes' : 'none'}`,
      evidence: { metadata },
    };
  });
  // Without the metadata nothing can be undone later: stop here.
  if (!ok) return;
  const metadata = ctx.evidence.metadata as InstanceMetadata;
  const isolate = () =>
    isolateNetworkInterfaces(c, ctx, { interfaces: metadata.networkInterfaces, groups: ctx.evidence.groups as IsolationGroups, resumed }, now, timing);
  if (resumed) await isolate();

  await step(ctx, 'protect-instance', now, async () => {
    await c.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, DisableApiTermination: { Value: true } }));
    await c.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, InstanceInitiatedShutdownBehavior: { Value: 'stop' } }));
    if (metadata.volumes.length) {
      await c.ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: instanceId,
          BlockDeviceMappings: metadata.volumes.map((v) => ({ DeviceName: v.deviceName, Ebs: { DeleteOnTermination: false } })),
        }),
      );
    }
    return { status: 'done', detail: 'termination protection on, shutdown behaviour stop, volumes kept on termination' };
  });

  await step(ctx, 'detach-from-asg', now, async () => {
    if (!metadata.autoScalingGroup) return { status: 'skipped', detail: 'not in an Auto Scaling group' };
    await c.autoscaling.send(
      new DetachInstancesCommand({ AutoScalingGroupName: metadata.autoScalingGroup, InstanceIds: [instanceId], ShouldDecrementDesiredCapacity: false }),
    );
    return { status: 'done', detail: `detached from ${metadata.autoScalingGroup}; its capacity is kept (a replacement starts)` };
  });

  const groupsOk = await step(ctx, 'prepare-isolation-groups', now, async () => {
    const groups = await isolationGroups(c, metadata.vpcId, incident.id);
    return { status: 'done', detail: `all-traffic ${groups.allTraffic}, isolation ${groups.isolation} in ${metadata.vpcId}`, evidence: { groups } };
  });
  if (groupsOk && !resumed) await isolate();

  await step(ctx, 'deregister-target-groups', now, async () => {
    const targetGroups = await targetGroupsOf(c, instanceId, metadata.vpcId);
    if (targetGroups.length === 0) return { status: 'skipped', detail: 'in no load-balancer target group' };
    for (const tg of targetGroups) {
      await c.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: tg.arn, Targets: [{ Id: instanceId, Port: tg.port ?? undefined }] }));
    }
    return { status: 'done', detail: `deregistered from ${targetGroups.length} target group(s)`, evidence: { targetGroups } };
  });

  await step(ctx, 'snapshot-volumes', now, async () => {
    if (metadata.volumes.length === 0) return { status: 'skipped', detail: 'no attached volumes' };
    const snapshots: Record<string, string> = { ...((ctx.evidence.snapshots as Record<string, string> | undefined) ?? {}) };
    for (const v of metadata.volumes) {
      if (snapshots[v.volumeId]) continue;
      const out = await c.ec2.send(
        new CreateSnapshotCommand({
          VolumeId: v.volumeId,
          Description: `datalek ${incident.id}: evidence of ${instanceId} ${v.deviceName}`,
          TagSpecifications: [
            {
              ResourceType: 'snapshot',
              Tags: [
                { Key: 'datalek:incident', Value: incident.id },
                { Key: 'datalek:instance', Value: instanceId },
              ],
            },
          ],
        }),
      );
      snapshots[v.volumeId] = out.SnapshotId as string;
    }
    return { status: 'done', detail: `${Object.keys(snapshots).length} snapshot(s) tagged datalek:incident=${incident.id}`, evidence: { snapshots } };
  });

  await step(ctx, 'tag-instance', now, async () => {
    await c.ec2.send(
      new CreateTagsCommand({
        Resources: [instanceId],
        Tags: [
          { Key: 'datalek:incident', Value: incident.id },
          { Key: 'datalek:state', Value: 'isolated' },
        ],
      }),
    );
    return { status: 'done', detail: `tagged datalek:incident=${incident.id}, datalek:state=isolated` };
  });

  if (action.params?.revokeInstanceCredentials === 'true') {
    await step(ctx, 'revoke-instance-credentials', now, async () => {
      if (!metadata.instanceProfileArn) return { status: 'skipped', detail: 'no instance profile' };
      const assoc = await c.ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
      for (const a of assoc.IamInstanceProfileAssociations ?? []) {
        if (a.State === 'associated' && a.AssociationId) await c.ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: a.AssociationId }));
      }
      const profileName = metadata.instanceProfileArn.split('/').pop() as string;
      const profile = await c.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName }));
      const roles = (profile.InstanceProfile?.Roles ?? []).map((r) => r.RoleName as string);
      for (const role of roles) await revokeOlderSessions(c, role, now());
      // Stolen credentials stay valid until revoked: taking the profile off alone is not enough.
      return { status: 'done', detail: `instance profile removed; older sessions of ${roles.join(', ') || 'no role'} revoked (hits every user of the role)` };
    });
  }
}

async function captureMetadata(c: ContainmentClients, instanceId: string): Promise<InstanceMetadata> {
  const out = await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = out.Reservations?.[0]?.Instances?.[0];
  if (!instance) throw new ContainmentStepError('capture-metadata', 'InvalidInstanceID.NotFound', `instance ${instanceId} not found`);
  // Each interface's own groups, read from the interface: the instance-level list is not per interface.
  const enis = await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }));
  const asg = await c.autoscaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
  return {
    instanceId,
    vpcId: instance.VpcId as string,
    state: instance.State?.Name ?? null,
    instanceProfileArn: instance.IamInstanceProfile?.Arn ?? null,
    tags: Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key as string, t.Value ?? ''])),
    networkInterfaces: (enis.NetworkInterfaces ?? [])
      .sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0))
      .map((n) => ({ id: n.NetworkInterfaceId as string, groups: (n.Groups ?? []).map((g) => g.GroupId as string) })),
    volumes: (instance.BlockDeviceMappings ?? [])
      .filter((b) => b.Ebs?.VolumeId)
      .map((b) => ({ volumeId: b.Ebs?.VolumeId as string, deviceName: b.DeviceName as string })),
    autoScalingGroup: asg.AutoScalingInstances?.[0]?.AutoScalingGroupName ?? null,
  };
}

async function targetGroupsOf(c: ContainmentClients, instanceId: string, vpcId: string): Promise<{ arn: string; port: number | null }[]> {
  const found: { arn: string; port: number | null }[] = [];
  let marker: string | undefined;
  do {
    const page = await c.elbv2.send(new DescribeTargetGroupsCommand({ Marker: marker }));
    for (const tg of page.TargetGroups ?? []) {
      if (tg.VpcId !== vpcId || (tg.TargetType && tg.TargetType !== 'instance')) continue;
      const health = await c.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
      for (const d of health.TargetHealthDescriptions ?? []) {
        if (d.Target?.Id === instanceId) found.push({ arn: tg.TargetGroupArn as string, port: d.Target.Port ?? null });
      }
    }
    marker = page.NextMarker;
  } while (marker);
  return found;
}

/** Undoes the isolation from the recorded evidence: groups per interface, Auto Scaling group, target groups. */
export async function releaseInstance(c: ContainmentClients, action: ActionRecord, options: ReleaseOptions, now: () => string): Promise<void> {
  const evidence = action.evidence ?? {};
  const metadata = evidence.metadata as InstanceMetadata | undefined;
  const done = new Set((action.steps ?? []).filter((s) => s.status === 'done').map((s) => s.name));
  // An exposed interface sits in the all-traffic group: a release puts its own groups back too.
  const exposed = new Set((action.steps ?? []).filter((s) => s.exposed).map((s) => s.name));
  const attempt = releaseStep(options, now);
  if (!metadata) {
    await options.record({ name: 'release', status: 'skipped', at: now(), detail: 'no metadata was recorded: nothing was changed, nothing to undo' });
    return;
  }
  for (const eni of metadata.networkInterfaces) {
    if (!done.has(isolateStepName(eni.id)) && !exposed.has(isolateStepName(eni.id))) continue;
    await attempt(`restore-eni:${eni.id}`, async () => {
      await c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni.id, Groups: eni.groups }));
      return `${eni.id}: groups ${eni.groups.join(', ')} restored`;
    });
  }
  const targetGroups = (evidence.targetGroups as { arn: string; port: number | null }[] | undefined) ?? [];
  if (done.has('deregister-target-groups') && targetGroups.length) {
    await attempt('register-target-groups', async () => {
      for (const tg of targetGroups) {
        await c.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: tg.arn, Targets: [{ Id: metadata.instanceId, Port: tg.port ?? undefined }] }));
      }
      return `registered again in ${targetGroups.length} target group(s)`;
    });
  }
  if (done.has('detach-from-asg') && metadata.autoScalingGroup) {
    await attempt('attach-to-asg', async () => {
      await c.autoscaling.send(new AttachInstancesCommand({ AutoScalingGroupName: metadata.autoScalingGroup as string, InstanceIds: [metadata.instanceId] }));
      return `attached to ${metadata.autoScalingGroup} again (its desired capacity grows by one)`;
    });
  }
  if (done.has('revoke-instance-credentials') && metadata.instanceProfileArn) {
    await attempt('associate-instance-profile', async () => {
      await c.ec2.send(
        new AssociateIamInstanceProfileCommand({ InstanceId: metadata.instanceId, IamInstanceProfile: { Arn: metadata.instanceProfileArn as string } }),
      );
      return 'instance profile associated again (the revoked older sessions stay revoked)';
    });
  }
  await attempt('tag-released', async () => {
    await c.ec2.send(new CreateTagsCommand({ Resources: [metadata.instanceId], Tags: [{ Key: 'datalek:state', Value: 'released' }] }));
    return 'tagged datalek:state=released; termination protection and the snapshots stay (evidence)';
  });
}
