/**
 * Isolating an ECS task (Fargate, or EC2 in `awsvpc` mode) by its own network interfaces, with the
 * same two-step swap as an instance's (network-isolation.ts): first the VPC's "all traffic" group so
 * tracked connections become untracked, then the isolation group with no rules, never left open.
 * The task is not stopped:
 * it is evidence. A task without a network interface of its own (bridge or host mode) shares its
 * container instance's: that is a failed step naming the instance to isolate instead.
 */
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { DescribeTasksCommand, TagResourceCommand } from '@aws-sdk/client-ecs';
import { ContainmentStepError } from '../../../core/errors.js';
import type { ActionRecord, Incident } from '../../../core/incident.js';
import type { ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClients } from './clients.js';
import {
  DEFAULT_SWAP_TIMING,
  type FoundGroups,
  findIsolationGroups,
  type IsolationGroups,
  isolateNetworkInterfaces,
  isolationGroups,
  preparedOutcome,
  refuseIsolatedAlready,
  restoreInterfaces,
  type SwapTiming,
} from './network-isolation.js';
import { releaseStep, type StepProgress, step } from './steps.js';

export interface TaskMetadata {
  taskArn: string;
  cluster: string;
  launchType: string | null;
  containerInstanceArn: string | null;
  vpcId: string;
  /** The interfaces to isolate, each with its own groups (what a release puts back). */
  networkInterfaces: { id: string; groups: string[] }[];
  /** Interfaces found in the isolation group already while others were not: left out of this record. */
  foundIsolated?: string[];
}

export async function isolateEcsTask(
  c: ContainmentClients,
  action: ActionRecord,
  incident: Incident,
  ctx: ExecutionContext,
  now: () => string,
  timing: SwapTiming = DEFAULT_SWAP_TIMING,
): Promise<void> {
  // An earlier run prepared the groups, so it may have left interfaces half swapped or exposed.
  const resumed = ctx.done.has('prepare-isolation-groups');
  // The pipeline's groups in the task's VPC, read by the capture (the groups step uses the same read).
  let found: Promise<FoundGroups> | undefined;
  const ok = await step(ctx, 'capture-task', now, async (progress) => {
    const task = await captureTask(
      c,
      action.target,
      action.params?.cluster as string,
      (vpcId) => {
        found = findIsolationGroups(c, ctx.recordedGroups, vpcId);
        return found;
      },
      progress,
    );
    const left = task.foundIsolated?.length ? `; left as found, in the isolation group already: ${task.foundIsolated.join(', ')}` : '';
    return {
      status: 'done',
      detail: `${task.networkInterfaces.length} network interface(s) in ${task.vpcId}, launch type ${task.launchType ?? 'unknown'}${left}`,
      evidence: { task },
    };
  });
  if (!ok) return;
  const task = ctx.evidence.task as TaskMetadata;
  const groupsOk = await step(ctx, 'prepare-isolation-groups', now, async (progress) => {
    const prepared = await isolationGroups(c, task.vpcId, incident.id, found ?? findIsolationGroups(c, ctx.recordedGroups, task.vpcId), progress);
    return preparedOutcome(prepared, task.vpcId);
  });
  if (groupsOk) {
    await isolateNetworkInterfaces(c, ctx, { interfaces: task.networkInterfaces, groups: ctx.evidence.groups as IsolationGroups, resumed }, now, timing);
  }
  await step(ctx, 'tag-task', now, async () => {
    await c.ecs.send(
      new TagResourceCommand({
        resourceArn: task.taskArn,
        tags: [
          { key: 'datalek:incident', value: incident.id },
          { key: 'datalek:state', value: 'isolated' },
        ],
      }),
    );
    return { status: 'done', detail: `tagged datalek:incident=${incident.id}, datalek:state=isolated` };
  });
}

/** The task's interfaces with their own groups; `groupsIn` reads the pipeline's groups of a VPC, to tell those isolated already. */
async function captureTask(
  c: ContainmentClients,
  taskArn: string,
  cluster: string,
  groupsIn: (vpcId: string) => Promise<FoundGroups>,
  progress: StepProgress,
): Promise<TaskMetadata> {
  const out = await c.ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
  const task = out.tasks?.[0];
  if (!task) throw new ContainmentStepError('capture-task', out.failures?.[0]?.reason ?? 'MISSING', `task ${taskArn} not found in cluster ${cluster}`);
  const eniIds = (task.attachments ?? [])
    .filter((a) => a.type === 'ElasticNetworkInterface')
    .flatMap((a) => (a.details ?? []).filter((d) => d.name === 'networkInterfaceId' && d.value).map((d) => d.value as string));
  if (eniIds.length === 0) {
    throw new ContainmentStepError(
      'capture-task',
      'NoTaskNetworkInterface',
      `the task has no network interface of its own (bridge or host network mode): isolate its container instance ${task.containerInstanceArn ?? '(unknown)'} instead (runbooks/isolate-ecs-task.md)`,
    );
  }
  const enis = await c.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: eniIds }));
  const interfaces = enis.NetworkInterfaces ?? [];
  const vpcId = interfaces[0]?.VpcId as string;
  const isolated = refuseIsolatedAlready('capture-task', taskArn, interfaces, await (await groupsIn(vpcId)).inVpc(vpcId), vpcId, progress);
  return {
    taskArn: task.taskArn ?? taskArn,
    cluster,
    launchType: task.launchType ?? null,
    containerInstanceArn: task.containerInstanceArn ?? null,
    vpcId,
    ...(isolated.size ? { foundIsolated: [...isolated] } : {}),
    networkInterfaces: interfaces
      .filter((n) => !isolated.has(n.NetworkInterfaceId as string))
      .map((n) => ({ id: n.NetworkInterfaceId as string, groups: (n.Groups ?? []).map((g) => g.GroupId as string) })),
  };
}

/** Puts each isolated network interface back in its original groups; the task is tagged released. */
export async function releaseEcsTask(c: ContainmentClients, action: ActionRecord, options: ReleaseOptions, now: () => string): Promise<void> {
  const task = action.evidence?.task as TaskMetadata | undefined;
  const attempt = releaseStep(options, now);
  if (!task) {
    await options.record({ name: 'release', status: 'skipped', at: now(), detail: 'no task metadata was recorded: nothing was changed, nothing to undo' });
    return;
  }
  // An interface a failed swap left open (exposed) goes back to its own groups too.
  if (!(await restoreInterfaces(c, action, task.networkInterfaces, options, now))) return;
  await attempt('tag-released', async () => {
    await c.ecs.send(new TagResourceCommand({ resourceArn: task.taskArn, tags: [{ key: 'datalek:state', value: 'released' }] }));
    return 'tagged datalek:state=released';
  });
}
