/**
 * Isolating an EC2 instance, as separately recorded, idempotent steps (see ../shared/domain.md §4
 * and runbooks/isolate-ec2-instance.md), on the shortest path to cutting the network: calls that
 * do not depend on each other are made together, and nothing that can wait for the cut is made
 * before it.
 *
 * 1. capture-metadata: every network interface with its groups, the instance profile, tags,
 *    volumes and Auto Scaling group, from one DescribeInstances. Evidence, and the only way to
 *    undo the isolation later. At the same time, the pipeline's isolation groups are looked up.
 * 2. prepare-isolation-groups: the VPC's "all traffic" and isolation groups, found in round 1,
 *    created and their rules set the first time in a VPC, their rules repaired when wrong.
 * 3. isolate-eni:<id>, every interface at once: first the "all traffic" group, so tracked
 *    connections become untracked, then the isolation group with no rules at all. A plain swap
 *    leaves tracked connections alive (5 days idle timeout). An interface is never left in the "all
 *    traffic" group: see network-isolation.ts (time budget, retries, restore, exposure). A run after
 *    one that got this far starts with the interfaces it left unfinished.
 *    Beside the swaps, detach-from-asg (out of its Auto Scaling group without lowering capacity:
 *    termination protection does not stop an Auto Scaling group from replacing an instance that
 *    fails its health checks, and an isolated instance will). The swaps do not wait for it: a
 *    target group marks a target unhealthy only after at least two failed checks at least 5 s
 *    apart (ELB's lowest settings), and the detach is answered long before that.
 * 4. Once every interface is cut, at once: protect-instance (termination protection, shutdown
 *    behaviour "stop", volumes kept on termination: see protectInstance for why after the cut);
 *    deregister-target-groups (membership read just before: isolation does not change it);
 *    snapshot-volumes; drain-container-instance (an ECS container instance out of task
 *    placement: ecs.ts); tag-instance. Then, on every run, recheck-interfaces: the interfaces read
 *    again, one attached since the capture isolated as in 3 and added to the record; and, when the
 *    drain found a container instance, task-interfaces: the network interface of each awsvpc task
 *    on it (with ENI trunking never attached to the instance) isolated as in 3 and recorded
 *    (`taskInterfaces`), its reads made beside the re-read.
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
  type Instance,
  ModifyInstanceAttributeCommand,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import { TASKS_NEVER_READ } from '../../../core/containment.js';
import { ContainmentStepError } from '../../../core/errors.js';
import type { ActionRecord, Incident } from '../../../core/incident.js';
import type { ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClients } from './clients.js';
import {
  activateAfterUnfinishedDrain,
  activateContainerInstances,
  DRAIN_MARKED,
  DRAIN_MARKED_IN,
  DRAINED_BY,
  type DrainedContainerInstance,
  type DrainMarks,
  drainContainerInstance,
  foundContainerInstances,
  type TaskInterface,
  taskInterfacesOn,
  unfinishedDrainLeft,
} from './ecs.js';
import { revokeOlderSessions, revokePolicyName } from './iam.js';
import {
  DEFAULT_SWAP_TIMING,
  type FoundGroups,
  findIsolationGroups,
  type IsolationGroups,
  isolateNetworkInterfaces,
  isolationGroups,
  isolationStates,
  preparedOutcome,
  refuseIsolatedAlready,
  restoreInterfaces,
  type SwapTiming,
} from './network-isolation.js';
import { errorCode, FailedWithEvidence, releaseStep, type StepOutcome, type StepProgress, step } from './steps.js';

export { ALL_TRAFFIC_GROUP, ISOLATION_GROUP } from './network-isolation.js';

export interface InstanceMetadata {
  instanceId: string;
  vpcId: string;
  state: string | null;
  instanceProfileArn: string | null;
  tags: Record<string, string>;
  /** The interfaces to isolate, each with its own groups (what a release puts back). */
  networkInterfaces: { id: string; groups: string[] }[];
  /** Interfaces found in the isolation group already while others were not: left out of this record. */
  foundIsolated?: string[];
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
  // Round 1: the instance, and (at the same time: the VPC is not known yet) the pipeline's groups.
  // The capture needs them too: only they tell an interface isolated already.
  const found = resumed ? null : findIsolationGroups(c, ctx.recordedGroups);
  found?.catch(() => undefined); // its failure is the capture's, or the groups step's, below
  const ok = await step(ctx, 'capture-metadata', now, async (progress) => {
    const metadata = await captureMetadata(c, instanceId, found ?? ((vpcId) => findIsolationGroups(c, ctx.recordedGroups, vpcId)), progress);
    const left = metadata.foundIsolated?.length ? `; left as found, in the isolation group already: ${metadata.foundIsolated.join(', ')}` : '';
    return {
      status: 'done',
      detail: `${metadata.networkInterfaces.length} network interface(s), ${metadata.volumes.length} volume(s), Auto Scaling group ${metadata.autoScalingGroup ?? 'none'}, instance profile ${metadata.instanceProfileArn ? 'yes' : 'none'}${left}`,
      evidence: { metadata },
    };
  });
  // Without the metadata nothing can be undone later: stop here.
  if (!ok) return;
  const metadata = ctx.evidence.metadata as InstanceMetadata;
  const isolate = () =>
    isolateNetworkInterfaces(c, ctx, { interfaces: metadata.networkInterfaces, groups: ctx.evidence.groups as IsolationGroups, resumed }, now, timing);
  if (resumed) await isolate();

  // Round 2: the groups, found in round 1 (created and their rules set the first time in this VPC).
  const groupsOk = await step(ctx, 'prepare-isolation-groups', now, async (progress) => {
    const prepared = await isolationGroups(c, metadata.vpcId, incident.id, found ?? findIsolationGroups(c, ctx.recordedGroups, metadata.vpcId), progress);
    return preparedOutcome(prepared, metadata.vpcId);
  });
  // Then every interface's two swaps, all interfaces at once, and beside them (not before: the
  // swaps need nothing from it) out of the Auto Scaling group.
  await Promise.all([step(ctx, 'detach-from-asg', now, () => detachFromAsg(c, metadata)), groupsOk && !resumed ? isolate() : undefined]);

  // Skipped (not a container instance in any cluster, or ECS denied): no task of it to read. By this run, or an earlier one.
  let drainSkipped = (ctx.steps ?? []).some((s) => s.name === 'drain-container-instance' && s.status === 'skipped');
  // Protection and evidence, once every interface is cut, all at once.
  await Promise.all([
    step(ctx, 'protect-instance', now, (progress) => protectInstance(c, metadata, progress)),
    step(ctx, 'deregister-target-groups', now, (progress) => deregisterFromTargetGroups(c, metadata, progress)),
    step(ctx, 'snapshot-volumes', now, (progress) => snapshotVolumes(c, metadata, incident, ctx, progress)),
    // An ECS container instance out of task placement (ecs.ts), so no task brings an interface of its own.
    step(ctx, 'drain-container-instance', now, async (progress) => {
      const out = await drainContainerInstance(c, instanceId, incident.id, progress, undefined, drainMarks(ctx, incident.id, now));
      drainSkipped = out.status === 'skipped';
      return out;
    }),
    step(ctx, 'tag-instance', now, async () => {
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
    }),
  ]);

  // An interface attached since the capture (a REGISTERING container instance's trunk interface, attached once ECS
  // provisions it, the drain failing until then: contain20): read again on every run, isolated and recorded.
  // The interfaces of the tasks on it (awsvpc; with ENI trunking never attached to the instance): read beside
  // the re-read, taken up after it (one attached since is the re-read's), and isolated as the instance's.
  const tasks = groupsOk && !drainSkipped ? readTaskInterfaces(c, ctx, metadata.vpcId) : null;
  tasks?.catch(() => undefined); // its failure is the task step's, below
  if (groupsOk) await isolateAttachedSince(c, ctx, metadata, now, timing);
  if (tasks) await isolateTaskInterfaces(c, ctx, action.id, tasks, now, timing);

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
      const policyName = revokePolicyName(incident.id, 'instance');
      for (const role of roles) await revokeOlderSessions(c, role, now(), policyName);
      // Stolen credentials stay valid until revoked: taking the profile off alone is not enough.
      return {
        status: 'done',
        detail: `instance profile removed; older sessions of ${roles.join(', ') || 'no role'} revoked (inline policy ${policyName}; hits every user of the role)`,
      };
    });
  }
}

/**
 * Calls that do not depend on each other, all at once. Each success is written into `progress`
 * (so a retry does not repeat it) before the first failure, if any, is thrown.
 */
async function allOrFirstError(calls: { done: boolean; run: () => Promise<unknown>; mark: () => void }[]): Promise<void> {
  const todo = calls.filter((call) => !call.done);
  const settled = await Promise.allSettled(todo.map((call) => call.run()));
  settled.forEach((result, i) => {
    if (result.status === 'fulfilled') todo[i].mark();
  });
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/**
 * Termination protection, shutdown behaviour "stop", volumes kept on termination: one attribute per
 * call (the API's rule), all at once.
 *
 * Made once the network is cut, not before it. Before, the swaps waited for these three calls, and
 * in a storm EC2 throttles ModifyInstanceAttribute; a throttled answer also slows every other call
 * of the same client (the SDK's adaptive retry mode keeps one send-rate limiter per client, for all
 * its APIs), so this instance's swaps and those of the next instances contained through that client
 * waited too.
 *
 * What the wait costs: until these calls land, a shutdown from inside the instance (`poweroff`)
 * terminates it if its shutdown behaviour is "terminate" (EC2's default is "stop"), and volumes set
 * to delete on termination go with it. That needs no network, so it was possible all along, since
 * the compromise; the new order widens the window only by the swaps' round trips (and, the first
 * time in a VPC, the groups' setup): well under a second unless EC2 throttles. In that window the
 * network is already cut: the attacker's shell went with it (the all-traffic swap untracked its
 * connection, the isolation group drops it), the instance can reach nothing that could terminate it
 * (security groups leave only the VPC's DNS resolver, the metadata and time services reachable),
 * and what is left is code already running there, such as a dead man's switch that powers off when
 * it loses its server. Such code could as well wipe the disk, at any time: the snapshots taken in
 * this round are what survives that. Termination protection guards against TerminateInstances with
 * stolen credentials from outside, which the cut does not change either way.
 */
async function protectInstance(c: ContainmentClients, metadata: InstanceMetadata, progress: StepProgress): Promise<StepOutcome> {
  const InstanceId = metadata.instanceId;
  await allOrFirstError([
    {
      done: Boolean(progress.termination),
      run: () => c.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId, DisableApiTermination: { Value: true } })),
      mark: () => {
        progress.termination = true;
      },
    },
    {
      done: Boolean(progress.shutdown),
      run: () => c.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId, InstanceInitiatedShutdownBehavior: { Value: 'stop' } })),
      mark: () => {
        progress.shutdown = true;
      },
    },
    {
      done: metadata.volumes.length === 0 || Boolean(progress.volumes),
      run: () =>
        c.ec2.send(
          new ModifyInstanceAttributeCommand({
            InstanceId,
            BlockDeviceMappings: metadata.volumes.map((v) => ({ DeviceName: v.deviceName, Ebs: { DeleteOnTermination: false } })),
          }),
        ),
      mark: () => {
        progress.volumes = true;
      },
    },
  ]);
  return { status: 'done', detail: 'termination protection on, shutdown behaviour stop, volumes kept on termination' };
}

/**
 * Out of its Auto Scaling group, keeping the group's capacity (a replacement starts). The group is
 * named by the instance's `aws:autoscaling:groupName` tag, which Auto Scaling sets on the instances
 * it launches or takes in, removes when one is detached, and nobody else can set: then the detach
 * is the only call. Without the tag the instance is asked after (DescribeAutoScalingInstances):
 * Auto Scaling may not have tagged it yet (a Spot Instance launched from a launch configuration is
 * tagged while Pending; EC2 reads are eventually consistent), and an instance left in its group is
 * terminated once its health checks fail. A tag that is stale (the instance has left that group, or
 * moved to another) makes the detach fail with a ValidationError: then it is asked after too, and
 * detached from the group it is in.
 */
async function detachFromAsg(c: ContainmentClients, metadata: InstanceMetadata): Promise<StepOutcome> {
  const tagged = metadata.autoScalingGroup;
  const detach = (group: string) =>
    c.autoscaling.send(new DetachInstancesCommand({ AutoScalingGroupName: group, InstanceIds: [metadata.instanceId], ShouldDecrementDesiredCapacity: false }));
  const detached = (group: string, how: string): StepOutcome => ({
    status: 'done',
    detail: `detached from ${group}${how}; its capacity is kept (a replacement starts)`,
    evidence: { autoScalingGroupLeft: group },
  });
  let refused: unknown = null;
  if (tagged) {
    try {
      await detach(tagged);
      return detached(tagged, '');
    } catch (err) {
      if (errorCode(err) !== 'ValidationError') throw err;
      refused = err;
    }
  }
  const out = await c.autoscaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [metadata.instanceId] }));
  const member = out.AutoScalingInstances?.find((i) => i.InstanceId === metadata.instanceId);
  const group = member?.AutoScalingGroupName;
  if (!group) {
    return { status: 'skipped', detail: tagged ? `tagged for ${tagged}, but in no Auto Scaling group any more` : 'not in an Auto Scaling group' };
  }
  // A run before this one detached it and lost the answer: it is on its way out.
  if (member?.LifecycleState?.startsWith('Detach')) return detached(group, ` (already ${member.LifecycleState.toLowerCase()})`);
  // In the group its tag names, which refused (an instance not InService or Standby): the retry tries again.
  if (group === tagged) throw refused;
  await detach(group);
  return detached(group, tagged ? ` (its tag still named ${tagged})` : ' (it did not carry the group tag)');
}

/** Out of every load-balancer target group it is in (membership read first, once: a retry deregisters what is left). */
async function deregisterFromTargetGroups(c: ContainmentClients, metadata: InstanceMetadata, progress: StepProgress): Promise<StepOutcome> {
  progress.targetGroups ??= await targetGroupsOf(c, metadata.instanceId, metadata.vpcId);
  const targetGroups = progress.targetGroups as { arn: string; port: number | null }[];
  if (targetGroups.length === 0) return { status: 'skipped', detail: 'in no load-balancer target group' };
  const done = new Set((progress.deregistered as string[] | undefined) ?? []);
  await allOrFirstError(
    targetGroups.map((tg) => ({
      done: done.has(tg.arn),
      run: () => c.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: tg.arn, Targets: [{ Id: metadata.instanceId, Port: tg.port ?? undefined }] })),
      mark: () => {
        done.add(tg.arn);
        progress.deregistered = [...done];
      },
    })),
  );
  return { status: 'done', detail: `deregistered from ${targetGroups.length} target group(s)`, evidence: { targetGroups } };
}

/** A snapshot of each attached volume, all at once, tagged with the incident (a retry snapshots only what is missing). */
async function snapshotVolumes(
  c: ContainmentClients,
  metadata: InstanceMetadata,
  incident: Incident,
  ctx: ExecutionContext,
  progress: StepProgress,
): Promise<StepOutcome> {
  if (metadata.volumes.length === 0) return { status: 'skipped', detail: 'no attached volumes' };
  const snapshots: Record<string, string> = {
    ...((ctx.evidence.snapshots as Record<string, string> | undefined) ?? {}),
    ...((progress.snapshots as Record<string, string> | undefined) ?? {}),
  };
  progress.snapshots = snapshots;
  await allOrFirstError(
    metadata.volumes.map((v) => {
      let snapshotId = '';
      return {
        done: Boolean(snapshots[v.volumeId]),
        run: async () => {
          const out = await c.ec2.send(
            new CreateSnapshotCommand({
              VolumeId: v.volumeId,
              Description: `datalek ${incident.id}: evidence of ${metadata.instanceId} ${v.deviceName}`,
              TagSpecifications: [
                {
                  ResourceType: 'snapshot',
                  Tags: [
                    { Key: 'datalek:incident', Value: incident.id },
                    { Key: 'datalek:instance', Value: metadata.instanceId },
                  ],
                },
              ],
            }),
          );
          snapshotId = out.SnapshotId as string;
        },
        mark: () => {
          snapshots[v.volumeId] = snapshotId;
        },
      };
    }),
  );
  return { status: 'done', detail: `${Object.keys(snapshots).length} snapshot(s) tagged datalek:incident=${incident.id}`, evidence: { snapshots } };
}

/** The step that reads the instance's interfaces again on each run (never recorded done for good: each run reads). */
const RECHECK_STEP = 'recheck-interfaces';

/**
 * The interfaces attached to the instance since the capture, read again at the end of each run, isolated
 * as the captured ones are and added to the record's interfaces (what a release restores, what drift
 * reads) before their swaps start. The capture reads the interfaces once: an interface attached after it
 * (ECS attaches a container instance's trunk interface once it has provisioned it, while the instance is
 * REGISTERING and the drain fails: contain19) kept its own groups, the retry isolating only those the
 * capture had read (contain20). One found in the isolation group only (isolated under another incident) is
 * left as found and named; one in the all-traffic group fails the step, as at the capture. A read that
 * fails fails the step: the retry reads again.
 */
async function isolateAttachedSince(c: ContainmentClients, ctx: ExecutionContext, metadata: InstanceMetadata, now: () => string, timing: SwapTiming) {
  const done = new Set([...ctx.done].filter((n) => n !== RECHECK_STEP));
  let attached: InstanceMetadata['networkInterfaces'] = [];
  const ok = await step({ ...ctx, done }, RECHECK_STEP, now, async (progress) => {
    let instance: Instance | undefined;
    try {
      instance = (await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [metadata.instanceId] }))).Reservations?.[0]?.Instances?.[0];
    } catch (err) {
      // Gone (terminated, and past the hour or so EC2 still lists it): EC2 answers so, not with an empty list (readC20:
      // the step failed, and with it every later run of an isolation otherwise done, over nothing left to isolate).
      if (errorCode(err) !== 'InvalidInstanceID.NotFound') throw err;
    }
    if (!instance)
      return { status: 'skipped', detail: `instance ${metadata.instanceId} not found (terminated and no longer listed by EC2): no interface to read` };
    const known = new Set([...metadata.networkInterfaces.map((n) => n.id), ...(metadata.foundIsolated ?? [])]);
    const fresh = (instance.NetworkInterfaces ?? []).filter((n) => n.NetworkInterfaceId && !known.has(n.NetworkInterfaceId));
    // None new to the record: one attached since the capture and taken up by an earlier re-read is in it already.
    const attachedNow = (instance.NetworkInterfaces ?? []).length;
    if (fresh.length === 0)
      return { status: 'done', detail: `no network interface attached that the record does not know (${attachedNow} attached, each in the record)` };
    const found = await findIsolationGroups(c, ctx.recordedGroups, metadata.vpcId);
    // Every one found isolated is not the instance found isolated (refuseIsolatedAlready's AlreadyIsolated, which made
    // the whole isolation read left to another record, though this one cut the instance's own interfaces): left as found.
    const { open, cut } = isolationStates(fresh, await found.inVpc(metadata.vpcId), metadata.vpcId);
    if (open.length) refuseIsolatedAlready(RECHECK_STEP, metadata.instanceId, open, await found.inVpc(metadata.vpcId), metadata.vpcId, progress);
    const isolated = new Set(cut.map((n) => n.NetworkInterfaceId as string));
    attached = fresh
      .filter((n) => !isolated.has(n.NetworkInterfaceId as string))
      .map((n) => ({ id: n.NetworkInterfaceId as string, groups: (n.Groups ?? []).map((g) => g.GroupId as string) }));
    const left = isolated.size ? `; left as found, in the isolation group already: ${[...isolated].join(', ')}` : '';
    const recorded: InstanceMetadata = {
      ...metadata,
      networkInterfaces: [...metadata.networkInterfaces, ...attached],
      ...(isolated.size ? { foundIsolated: [...(metadata.foundIsolated ?? []), ...isolated] } : {}),
    };
    return {
      status: 'done',
      detail: `${fresh.length} network interface(s) attached since the capture: ${attached.map((n) => `${n.id} (own groups ${n.groups.join(', ') || 'none'})`).join(', ') || 'none to isolate'}${attached.length ? ', isolated as the others' : ''}${left}`,
      evidence: { metadata: recorded },
    };
  });
  if (!ok || attached.length === 0) return;
  await isolateNetworkInterfaces(c, ctx, { interfaces: attached, groups: ctx.evidence.groups as IsolationGroups, resumed: false }, now, timing);
}

/** A task's network interface an isolation of the instance isolated, with its own groups (evidence TASK_INTERFACES: what a release puts back). */
export interface IsolatedTaskInterface {
  id: string;
  groups: string[];
  task: string;
}

/** The action's evidence key of the task interfaces it isolated. */
export const TASK_INTERFACES = 'taskInterfaces';

/**
 * The action's evidence key of the task interfaces it found in the isolation group already and left as
 * found ({ id, task }): not its to restore, but read by drift, so another incident's release that puts
 * their groups back shows under this instance too. One found open again on a later run is taken up.
 */
export const TASK_INTERFACES_FOUND = 'taskInterfacesFound';

/** The step that reads the tasks' interfaces on each run (never recorded done for good, as RECHECK_STEP). */
const TASK_STEP = 'task-interfaces';

/** What the task step reads: the tasks' interfaces, each as EC2 describes it, and the pipeline's groups of the VPC; null: no container instance known. */
interface TaskReads {
  interfaces: TaskInterface[];
  /** The container instances whose tasks were not all read (more than ecs.ts reads), each said for the on-call. */
  unread: string[];
  /** The container instances ECS no longer has (cluster deleted, deregistered), each with what ECS said: nothing of them to read. */
  gone: string[];
  described: NetworkInterface[];
  found: FoundGroups;
}

/**
 * The interfaces of the tasks on the container instances the drain found (ecs.ts taskInterfacesOn), as
 * EC2 describes them (by a filter: one deleted since is absent, not an error), and beside that read the
 * pipeline's groups of the VPC. Null when the record knows no container instance of it.
 */
async function readTaskInterfaces(c: ContainmentClients, ctx: ExecutionContext, vpcId: string): Promise<TaskReads | null> {
  const containerInstances = foundContainerInstances(ctx.evidence);
  if (!containerInstances?.length) return null;
  const found = findIsolationGroups(c, ctx.recordedGroups, vpcId);
  found.catch(() => undefined); // awaited below, after the reads it runs beside
  const { interfaces, unread, gone } = await taskInterfacesOn(c, containerInstances).catch((err) => {
    const code = errorCode(err);
    if (code !== 'AccessDeniedException' && code !== 'AccessDenied') throw err;
    // A member account's containment role deployed before this step lacks ecs:ListTasks: NOT CONTAINED, said how to mend.
    const first = containerInstances[0] as { cluster: string; arn: string };
    throw new ContainmentStepError(
      TASK_STEP,
      code,
      `NOT CONTAINED, maybe: the tasks on ${containerInstances.map((ci) => ci.arn).join(', ')} cannot be read (${code} on ListTasks or DescribeTasks: the containment role predates this step; redeploy this account's containment stack), and an awsvpc task's own network interface stays in its groups: list them by hand (aws ecs list-tasks --cluster ${first.cluster} --container-instance ${first.arn}, and again with --desired-status STOPPED, then aws ecs describe-tasks for each networkInterfaceId) and isolate each as the instance's`,
    );
  });
  const ids = [...new Set(interfaces.map((t) => t.id))];
  const described: NetworkInterface[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    let NextToken: string | undefined;
    do {
      const out = await c.ec2.send(
        new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'network-interface-id', Values: ids.slice(i, i + 200) }], NextToken }),
      );
      described.push(...(out.NetworkInterfaces ?? []));
      NextToken = out.NextToken;
    } while (NextToken);
  }
  return { interfaces, unread, gone, described, found: await found };
}

/**
 * The network interfaces of the tasks the instance runs (awsvpc network mode), isolated as its own are
 * (contain20's gap). Without ENI trunking ECS attaches each task's interface to the instance: the
 * capture or the re-read has it already. With trunking each is a branch interface of the trunk, never
 * attached to the instance, so neither read saw it: the tasks stayed on the network in their own groups
 * (a standalone task for good: the drain stops service tasks only, and only once the agent is back).
 * Each run lists the tasks of the container instances the drain found and takes up every task interface
 * the record does not hold: recorded with its own groups and its task (TASK_INTERFACES: what a release
 * restores, what drift reads) before the swaps. One found in datalek's isolation group only is left as
 * found and named (isolated under another incident, e.g. the task's own isolate-ecs-task); one in the
 * all-traffic group, or in another VPC than the instance's (the isolation groups are the instance's
 * VPC's), fails the step, named, the others recorded and isolated all the same. One deleted since the
 * task was read (the task stopped) is named, not an error. Recorded ones an earlier run did not finish
 * are swapped again, read first where they are.
 */
async function isolateTaskInterfaces(
  c: ContainmentClients,
  ctx: ExecutionContext,
  actionId: string,
  reads: Promise<TaskReads | null>,
  now: () => string,
  timing: SwapTiming,
): Promise<void> {
  const done = new Set([...ctx.done].filter((n) => n !== TASK_STEP));
  const recordedBefore = (ctx.evidence[TASK_INTERFACES] as IsolatedTaskInterface[] | undefined) ?? [];
  const doneBefore = ctx.steps?.find((s) => s.name === TASK_STEP)?.status === 'done';
  let drainKnown = true;
  let taken: IsolatedTaskInterface[] = [];
  await step({ ...ctx, done }, TASK_STEP, now, async () => {
    const read = await reads;
    if (!read) {
      drainKnown = false;
      return {
        status: 'skipped',
        detail: 'no ECS container instance of it known: the drain step did not find any (it failed before, or it is none); the retry reads their tasks',
      };
    }
    const metadata = ctx.evidence.metadata as InstanceMetadata;
    const known = new Set([...metadata.networkInterfaces.map((n) => n.id), ...(metadata.foundIsolated ?? []), ...recordedBefore.map((n) => n.id)]);
    const taskOf = new Map(read.interfaces.map((t) => [t.id, t.task]));
    const byId = new Map(read.described.map((n) => [n.NetworkInterfaceId as string, n]));
    const fresh = read.interfaces.filter((t) => !known.has(t.id) && byId.has(t.id)).map((t) => byId.get(t.id) as NetworkInterface);
    const gone = read.interfaces.filter((t) => !known.has(t.id) && !byId.has(t.id)).map((t) => t.id);
    const elsewhere = fresh.filter((n) => n.VpcId !== metadata.vpcId);
    const here = fresh.filter((n) => n.VpcId === metadata.vpcId);
    const { open, cut } = isolationStates(here, await read.found.inVpc(metadata.vpcId), metadata.vpcId);
    const left = new Set([...open, ...cut].map((n) => n.NetworkInterfaceId as string));
    taken = here
      .filter((n) => !left.has(n.NetworkInterfaceId as string))
      .map((n) => ({
        id: n.NetworkInterfaceId as string,
        groups: (n.Groups ?? []).map((g) => g.GroupId as string),
        task: taskOf.get(n.NetworkInterfaceId as string) as string,
      }));
    const named = (ids: string[]) => ids.map((id) => `${id} of task ${(taskOf.get(id) ?? '').split('/').pop()}`).join(', ');
    const detail = [
      taken.length
        ? `${taken.length} task network interface(s) new since the last run: ${taken.map((n) => `${n.id} of task ${n.task.split('/').pop()} (own groups ${n.groups.join(', ') || 'none'})`).join(', ')}, isolated as the instance's`
        : 'no task interface new since the last run',
      `; ${read.interfaces.length} task interface(s) read in all`,
      cut.length ? `; left as found, in the isolation group already: ${named(cut.map((n) => n.NetworkInterfaceId as string))}` : '',
      gone.length ? `; not found, deleted since: ${gone.join(', ')}` : '',
      read.gone.length
        ? `; container instance(s) ECS no longer has, no task of them to read or isolate: ${read.gone.join('; ')} (ECS places no task on it and lists none: the task interfaces read before stay recorded and isolated; a task a forced deregistration left running, orphaned, is no longer ECS's to list, and its interface, if no run read it before, is not known here)`
        : '',
    ].join('');
    const foundBefore = (ctx.evidence[TASK_INTERFACES_FOUND] as { id: string; task: string }[] | undefined) ?? [];
    const foundNow = cut.map((n) => ({ id: n.NetworkInterfaceId as string, task: taskOf.get(n.NetworkInterfaceId as string) as string }));
    const takenIds = new Set(taken.map((n) => n.id));
    const foundAll = [...new Map([...foundBefore, ...foundNow].filter((f) => !takenIds.has(f.id)).map((f) => [f.id, f])).values()];
    const foundChanged = foundAll.length !== foundBefore.length || foundAll.some((f, i) => f.id !== foundBefore[i]?.id);
    const evidence = {
      [TASK_INTERFACES]: [...recordedBefore, ...taken],
      ...(foundAll.length || foundBefore.length ? { [TASK_INTERFACES_FOUND]: foundAll } : {}),
    };
    const refused = [
      open.length
        ? `NOT CONTAINED: task network interface(s) ${named(open.map((n) => n.NetworkInterfaceId as string))} in datalek's all-traffic group, OPEN to all traffic (a run stopped between its two swaps, under another incident): isolate it by hand now`
        : '',
      elsewhere.length
        ? `NOT CONTAINED: task network interface(s) ${named(elsewhere.map((n) => n.NetworkInterfaceId as string))} in another VPC (${[...new Set(elsewhere.map((n) => n.VpcId))].join(', ')}) than the instance's ${metadata.vpcId}: not isolated; isolate each by hand (aws ec2 modify-network-interface-attribute --network-interface-id ENI --groups ISOLATION-GROUP-OF-ITS-VPC)`
        : '',
      read.unread.length ? `NOT CONTAINED, maybe: ${read.unread.join('; ')}` : '',
      // Gone is done only after a run that read all its tasks and isolated them (this step's last record done). Before
      // that, a task a forced deregistration left running, orphaned, is never listed again: its interface may be open.
      read.gone.length && !doneBefore
        ? `NOT CONTAINED, maybe: no run read all the tasks of the container instance(s) ECS no longer has (this step's last run did not finish), and a task a forced deregistration left running keeps its interface in its own groups: find each by hand (aws ec2 describe-network-interfaces --filters Name=vpc-id,Values=${metadata.vpcId} Name=interface-type,Values=branch, and those attached to ${metadata.instanceId}), isolate it, then record that search, what you searched and found, as this step's outcome (datalek contained ${ctx.incident.id} --action ${actionId} --what "searched the VPC's branch interfaces and those of ${metadata.instanceId}: …" --by NAME, with --interface ENI=OWN-GROUP[+GROUP] for each you isolated and --target aws: verify then reads it and a release restores it); no retry records it done`
        : '',
    ].filter(Boolean);
    if (refused.length) {
      const code = open.length ? 'InAllTrafficGroup' : elsewhere.length ? 'OtherVpc' : read.unread.length ? 'TooManyTasks' : TASKS_NEVER_READ;
      throw new FailedWithEvidence(TASK_STEP, code, `${refused.join('; ')}; ${detail}`, evidence);
    }
    return { status: 'done', detail, ...(taken.length || foundChanged ? { evidence } : {}) };
  });
  if (!drainKnown) return;
  const groups = ctx.evidence.groups as IsolationGroups;
  // Recorded by an earlier run and not isolated since: where each is now read first; the new ones swapped at once.
  await Promise.all([
    recordedBefore.length ? isolateNetworkInterfaces(c, ctx, { interfaces: recordedBefore, groups, resumed: true }, now, timing) : undefined,
    taken.length ? isolateNetworkInterfaces(c, ctx, { interfaces: taken, groups, resumed: false }, now, timing) : undefined,
  ]);
}

/**
 * The instance as it is: one DescribeInstances answers it all, each network interface with its
 * own groups (the interface's, not the instance-level list) and the Auto Scaling group by its tag.
 * `found`: the pipeline's groups (the read made already, or how to read them in the instance's VPC),
 * to tell the interfaces isolated already (network-isolation.ts).
 */
async function captureMetadata(
  c: ContainmentClients,
  instanceId: string,
  found: Promise<FoundGroups> | ((vpcId: string) => Promise<FoundGroups>),
  progress: StepProgress,
): Promise<InstanceMetadata> {
  const out = await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = out.Reservations?.[0]?.Instances?.[0];
  if (!instance) throw new ContainmentStepError('capture-metadata', 'InvalidInstanceID.NotFound', `instance ${instanceId} not found`);
  const tags = Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key as string, t.Value ?? '']));
  const vpcId = instance.VpcId as string;
  const interfaces = instance.NetworkInterfaces ?? [];
  const groups = await (typeof found === 'function' ? found(vpcId) : found);
  const isolated = refuseIsolatedAlready('capture-metadata', instanceId, interfaces, await groups.inVpc(vpcId), vpcId, progress);
  return {
    instanceId,
    vpcId,
    state: instance.State?.Name ?? null,
    instanceProfileArn: instance.IamInstanceProfile?.Arn ?? null,
    tags,
    ...(isolated.size ? { foundIsolated: [...isolated] } : {}),
    networkInterfaces: interfaces
      .filter((n) => !isolated.has(n.NetworkInterfaceId as string))
      .sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0))
      .map((n) => ({ id: n.NetworkInterfaceId as string, groups: (n.Groups ?? []).map((g) => g.GroupId as string) })),
    volumes: (instance.BlockDeviceMappings ?? [])
      .filter((b) => b.Ebs?.VolumeId)
      .map((b) => ({ volumeId: b.Ebs?.VolumeId as string, deviceName: b.DeviceName as string })),
    autoScalingGroup: tags[AUTO_SCALING_GROUP_TAG] || null,
  };
}

/** The tag Auto Scaling puts on the instances of a group (an `aws:` tag: only AWS sets it). */
const AUTO_SCALING_GROUP_TAG = 'aws:autoscaling:groupName';

/** The instance's target groups in its VPC: each group's members read at once. */
async function targetGroupsOf(c: ContainmentClients, instanceId: string, vpcId: string): Promise<{ arn: string; port: number | null }[]> {
  const found: { arn: string; port: number | null }[] = [];
  let marker: string | undefined;
  do {
    const page = await c.elbv2.send(new DescribeTargetGroupsCommand({ Marker: marker }));
    const candidates = (page.TargetGroups ?? []).filter((tg) => tg.VpcId === vpcId && (!tg.TargetType || tg.TargetType === 'instance'));
    const healths = await Promise.all(candidates.map((tg) => c.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))));
    healths.forEach((health, i) => {
      for (const d of health.TargetHealthDescriptions ?? []) {
        if (d.Target?.Id === instanceId) found.push({ arn: candidates[i].TargetGroupArn as string, port: d.Target.Port ?? null });
      }
    });
    marker = page.NextMarker;
  } while (marker);
  return found;
}

/** Undoes the isolation from the recorded evidence: groups per interface, Auto Scaling group, target groups. */
export async function releaseInstance(
  c: ContainmentClients,
  action: ActionRecord,
  incidentId: string,
  options: ReleaseOptions,
  now: () => string,
): Promise<void> {
  const evidence = action.evidence ?? {};
  const metadata = evidence.metadata as InstanceMetadata | undefined;
  const done = new Set((action.steps ?? []).filter((s) => s.status === 'done').map((s) => s.name));
  const attempt = releaseStep(options, now);
  if (!metadata) {
    await options.record({ name: 'release', status: 'skipped', at: now(), detail: 'no metadata was recorded: nothing was changed, nothing to undo' });
    return;
  }
  // An exposed interface sits in the all-traffic group: a release puts its own groups back too.
  // The tasks' interfaces it isolated (TASK_INTERFACES) go back to their own groups with the instance's.
  const tasks = (evidence[TASK_INTERFACES] as IsolatedTaskInterface[] | undefined) ?? [];
  if (!(await restoreInterfaces(c, action, [...metadata.networkInterfaces, ...tasks], options, now))) return;
  const targetGroups = (evidence.targetGroups as { arn: string; port: number | null }[] | undefined) ?? [];
  if (done.has('deregister-target-groups') && targetGroups.length) {
    await attempt('register-target-groups', async () => {
      for (const tg of targetGroups) {
        await c.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: tg.arn, Targets: [{ Id: metadata.instanceId, Port: tg.port ?? undefined }] }));
      }
      return `registered again in ${targetGroups.length} target group(s)`;
    });
  }
  // The group it was detached from (before this was recorded: the group its tag named).
  const leftGroup = (evidence.autoScalingGroupLeft as string | undefined) ?? metadata.autoScalingGroup;
  if (done.has('detach-from-asg') && leftGroup) {
    await attempt('attach-to-asg', async () => {
      await c.autoscaling.send(new AttachInstancesCommand({ AutoScalingGroupName: leftGroup, InstanceIds: [metadata.instanceId] }));
      return `attached to ${leftGroup} again (its desired capacity grows by one)`;
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
  const drained = (evidence.containerInstances as DrainedContainerInstance[] | undefined) ?? [];
  // Also when it drained none itself: the step says which it leaves as found (review15 K5), and why.
  if (done.has('drain-container-instance') && drained.length) {
    await attempt('activate-container-instance', () => activateContainerInstances(c, drained));
  } else if (!done.has('drain-container-instance') && unfinishedDrainLeft(evidence)) {
    // A drain that failed part way, or whose run was killed, still set some DRAINING (contain20): those too.
    await attempt('activate-container-instance', () => activateAfterUnfinishedDrain(c, evidence, incidentId));
  }
  await attempt('tag-released', async () => {
    await c.ec2.send(new CreateTagsCommand({ Resources: [metadata.instanceId], Tags: [{ Key: 'datalek:state', Value: 'released' }] }));
    return 'tagged datalek:state=released; termination protection and the snapshots stay (evidence)';
  });
}

/**
 * The drain's marks as the record holds them (ecs.ts DrainMarks): a mark put is recorded (step
 * `mark-container-instance`, evidence DRAIN_MARKED) before the drain, so a retry after a run killed
 * mid-drain finds its own mark in the record, and a mark the record does not name is not taken for it.
 */
function drainMarks(ctx: ExecutionContext, incidentId: string, now: () => string): DrainMarks {
  const recorded = ctx.evidence[DRAIN_MARKED];
  const clusters = ctx.evidence[DRAIN_MARKED_IN];
  return {
    recorded: Array.isArray(recorded) ? recorded.filter((a): a is string => typeof a === 'string') : [],
    clusters: clusters && typeof clusters === 'object' ? (clusters as Record<string, string>) : {},
    record: (arns, clustersNow) =>
      ctx.record(
        {
          name: 'mark-container-instance',
          status: 'done',
          at: now(),
          detail: `${DRAINED_BY}=${incidentId} put on ${arns.join(', ')} before the drain: a retry takes this incident's mark for its own drain only on these`,
        },
        { [DRAIN_MARKED]: arns, [DRAIN_MARKED_IN]: clustersNow },
      ),
  };
}
