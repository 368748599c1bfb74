/**
 * Isolating an ECS task (Fargate, or EC2 in `awsvpc` mode) by its own network interfaces, with the
 * same two-step swap as an instance's (network-isolation.ts): first the VPC's "all traffic" group so
 * tracked connections become untracked, then the isolation group with no rules, never left open.
 * The task is not stopped:
 * it is evidence. A task without a network interface of its own (bridge or host mode) shares its
 * container instance's: that is a failed step naming the instance to isolate instead.
 */
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import {
  type ContainerInstance,
  DeleteAttributesCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  type ListClustersCommandOutput,
  ListContainerInstancesCommand,
  ListTasksCommand,
  PutAttributesCommand,
  TagResourceCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
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
import { errorCode, releaseStep, type StepOutcome, type StepProgress, step } from './steps.js';

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

/** An ECS container instance an isolation took out of task placement, and the status it had. */
export interface DrainedContainerInstance {
  cluster: string;
  arn: string;
  /** `ACTIVE` when this isolation drained it; any other status was left as found. */
  before: string;
  /** The incident whose mark (`DRAINED_BY`) this isolation put on it before draining it; absent when found otherwise, and in records made before the mark. */
  drainedBy?: string;
}

/**
 * The ECS attribute an isolation puts on a container instance, the incident's id its value, before
 * it sets it DRAINING (attack16 K6): a run killed after the drain and before its step was recorded
 * keeps no progress, and its retry, finding the instance DRAINING, took it as found so; the release
 * then left it out of task placement for good. A retry reads a DRAINING instance with its own
 * incident's mark as drained by this isolation; the release removes the mark with the drain.
 * An attribute, not a tag: DescribeContainerInstances, which the drain makes anyway, returns it.
 */
export const DRAINED_BY = 'datalek.drained-by';

/**
 * An isolated instance that is an ECS container instance, in whichever cluster of its region, set
 * `DRAINING` (contain15): ECS then places no new task on it. Without it a person's (or an
 * attacker's) RunTask of an awsvpc task could be placed there, and ECS would attach the task's
 * interface, in the task's groups, with its service-linked role (which the containment watch
 * leaves out): the instance back on the network, unpaged. While the isolation holds its agent is
 * cut off too, and ECS places tasks only where an agent is connected, but ECS notices a lost agent
 * only later, and the agent comes back with the first interface put back: draining holds in ECS's
 * own record. Setting it `ACTIVE` again, and `StartTask` (which names its instances), page
 * (infra/constructs/ecs-placement-watch.ts). What draining costs: ECS stops the instance's service
 * tasks and starts them elsewhere; cut off, the agent stops their containers only when it is back
 * (after a release), so the containers stay as evidence while isolated. Standalone tasks are left.
 * Made after the cut (it cuts nothing itself): the region's clusters listed, the instance looked
 * up in each by ECS's own filter, each one found read back (its EC2 instance and status).
 */
const DENIED = new Set(['AccessDeniedException', 'AccessDenied']);

/**
 * How far the drain looks (contain16: the region's clusters were listed to the end and all looked in
 * at once, however many): `pages` of ListClusters of `pageSize` clusters, `atOnce` clusters looked in
 * at a time, each cluster's matches read to `pages` pages. Clusters past them are not looked in, and
 * the step says so, with how to look there by hand.
 */
export interface DrainBounds {
  pages: number;
  pageSize: number;
  atOnce: number;
}

export const DRAIN_BOUNDS: DrainBounds = { pages: 5, pageSize: 100, atOnce: 10 };

/**
 * The container instances the record says this isolation marked (`recorded`, evidence
 * DRAIN_MARKED), and how a mark just put is added to it (`record`, before the drain that follows).
 * A retry trusts this incident's `DRAINED_BY` mark only on those (contain17): anyone who may write
 * ECS attributes and knows the incident id can put the mark, and a release then set an instance
 * that was DRAINING for its own reasons ACTIVE. Without it (a caller with no record) no mark found
 * is trusted.
 */
export interface DrainMarks {
  recorded: readonly string[];
  /** The cluster of each recorded one, as the record holds it (absent in records made before contain20). */
  clusters?: Readonly<Record<string, string>>;
  /** `clusters`: each marked one's cluster, for a release after a drain that did not finish (contain20). */
  record(arns: string[], clusters: Record<string, string>): Promise<void>;
}

/** The action's evidence key of the container instances its drain marked (DrainMarks). */
export const DRAIN_MARKED = 'drainMarked';
/** The action's evidence key of the cluster of each container instance its drain marked. */
export const DRAIN_MARKED_IN = 'drainMarkedIn';

export async function drainContainerInstance(
  c: ContainmentClients,
  instanceId: string,
  incidentId: string,
  progress: StepProgress,
  bounds: DrainBounds = DRAIN_BOUNDS,
  marks?: DrainMarks,
): Promise<StepOutcome> {
  const clusters: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    let page: ListClustersCommandOutput;
    try {
      page = await c.ecs.send(new ListClustersCommand({ nextToken, maxResults: bounds.pageSize }));
    } catch (err) {
      // An account where ECS is denied (an SCP allowing only the services it uses) can place no
      // task on the instance: the cut holds, and a failed drain would page on every isolation
      // there (review13 E2). Said, not failed; any other refusal still fails the step.
      const code = errorCode(err);
      if (nextToken === undefined && DENIED.has(code))
        return {
          status: 'skipped',
          detail: `ECS cannot be read in this account (${code} on ListClusters): not drained. The interfaces are cut, and where ECS is denied no task can be placed on it; if this account does run ECS, the containment role lacks the ECS statements: drain the instance by hand`,
        };
      throw err;
    }
    clusters.push(...(page.clusterArns ?? []));
    nextToken = page.nextToken;
    pages += 1;
  } while (nextToken && pages < bounds.pages);
  // More clusters than the bounds look in: named, with how to look there (an instance's agent registers with one cluster).
  const past = nextToken
    ? `; the region has more than the ${clusters.length} ECS cluster(s) looked in: those past them not looked in (aws ecs list-clusters, then aws ecs list-container-instances --cluster NAME --filter "ec2InstanceId == ${instanceId}" in each; drain it by hand where found)`
    : '';
  const described: ContainerInstance[][] = [];
  for (let i = 0; i < clusters.length; i += bounds.atOnce) {
    const batch = clusters.slice(i, i + bounds.atOnce);
    described.push(
      ...(await Promise.all(
        batch.map(async (cluster) => {
          const arns = await containerInstancesOf(c, cluster, instanceId, bounds.pages);
          return arns.length ? ((await c.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances ?? []) : [];
        }),
      )),
    );
  }
  const ownMarks = new Set(marks?.recorded ?? []);
  const markedIn: Record<string, string> = { ...(marks?.clusters ?? {}) };
  // Read back: only an instance ECS says is this EC2 instance counts, whatever the filter let through.
  const found = clusters.flatMap((cluster, i) =>
    described[i]
      .filter((ci) => ci.ec2InstanceId === instanceId && ci.containerInstanceArn)
      .map((ci) => ({
        cluster,
        arn: ci.containerInstanceArn as string,
        before: ci.status ?? 'unknown',
        // This incident's mark on it, and whether the record says this isolation put it there (only then trusted).
        markFound: ci.attributes?.some((a) => a.name === DRAINED_BY && a.value === incidentId) ?? false,
      }))
      // `own`: the record says this isolation marked it (readC17: the record is what counts; a mark deleted since changes nothing).
      .map(({ markFound, ...f }) => ({ ...f, markFound, own: ownMarks.has(f.arn), marked: markFound && ownMarks.has(f.arn) })),
  );
  // Not found in the clusters looked in, more past the bound (contain17): it may be a container instance of one
  // of those, tasks placed on it bringing interfaces of their own: not handled, so failed (on-call paged), the rest named.
  if (found.length === 0 && nextToken) throw await notLookedIn(c, instanceId, clusters.length, nextToken, bounds);
  if (found.length === 0) return { status: 'skipped', detail: `not a container instance in any of the region's ${clusters.length} ECS cluster(s)` };
  // Kept should the step fail further on: the tasks on them are read all the same (ec2.ts task-interfaces).
  progress.found = found.map((f) => ({ cluster: f.cluster, arn: f.arn }));
  const drained = (progress.drained as string[] | undefined) ?? [];
  progress.drained = drained;
  // Each drained one's cluster, beside it: a release after this step failed sets them ACTIVE again (contain20).
  const drainedIn = { ...((progress.drainedIn as Record<string, string> | undefined) ?? {}) };
  progress.drainedIn = drainedIn;
  // Drained without the mark: its role refused PutAttributes (a member account's role from before the mark).
  const unmarked = (progress.unmarked as string[] | undefined) ?? [];
  let refused: string | undefined;
  // Every one found ACTIVE, also one the progress says was drained: set ACTIVE since (a release that undid part of
  // the isolation, a person), it takes tasks again (contain20: it was taken as drained, and stayed ACTIVE).
  for (const ci of found.filter((f) => f.before === 'ACTIVE')) {
    // The mark before the drain, and the record of it before the drain too: a run killed between them leaves an
    // ACTIVE instance, drained by the retry; one killed after the drain leaves it DRAINING, marked as the record says.
    if (!ci.marked) {
      let put = false;
      try {
        await c.ecs.send(new PutAttributesCommand({ cluster: ci.cluster, attributes: [{ name: DRAINED_BY, value: incidentId, targetId: ci.arn }] }));
        put = true;
      } catch (err) {
        // The mark is an aid to a killed run's retry, not a precondition (readC16 C2): refused (a role
        // deployed before it lacks ecs:PutAttributes, an account not yet redeployed; an instance carrying
        // ECS's 10 custom attributes: AttributeLimitExceededException), it is drained unmarked, as before
        // the mark, rather than skipped: undrained, a RunTask could place a task whose interface ECS
        // attaches, the instance back on the network; unmarked, only a run killed between the drain and
        // its record loses it (the release then leaves it DRAINING).
        refused = errorCode(err);
        unmarked.push(ci.arn);
        progress.unmarked = unmarked;
      }
      if (put && marks) {
        ownMarks.add(ci.arn);
        markedIn[ci.arn] = ci.cluster;
        await marks.record([...ownMarks], markedIn);
      }
    }
    const out = await c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: ci.cluster, containerInstances: [ci.arn], status: 'DRAINING' }));
    const failure = out.failures?.[0];
    if (failure) throw new ContainmentStepError('drain-container-instance', failure.reason ?? 'Failure', `container instance ${ci.arn} was not set DRAINING`);
    if (!drained.includes(ci.arn)) drained.push(ci.arn);
    drainedIn[ci.arn] = ci.cluster;
  }
  // Registering (awsvpcTrunking: its trunk interface being provisioned): ECS sets an instance DRAINING only once it is
  // ACTIVE, and ACTIVE it takes tasks (contain19: it was left as found, the step done). Failed, NOT CONTAINED, on-call
  // paged; those drained above are in the step's progress, and the contain function's retry drains this one once ACTIVE.
  const registering = found.filter((f) => f.before === 'REGISTERING');
  if (registering.length) throw registeringFailure(registering, drained.length, instanceId);
  // A retry finds the ones it drained DRAINING: after a failed step its progress names them; after a
  // killed run (no progress kept) this incident's mark on them does. They are this isolation's to set ACTIVE again.
  const resumed = found.filter((f) => f.before === 'DRAINING' && f.own && !drained.includes(f.arn));
  // This incident's mark on one the record does not say it marked: not put by this isolation (anyone who may write ECS
  // attributes can), so not taken for its drain: left as found, and a release leaves it so (contain17).
  const forged = found.filter((f) => f.markFound && !f.marked && !drained.includes(f.arn));
  // A resumed one whose mark is gone (deleted by someone since) is still this isolation's drain, with no mark for the release to remove.
  const containerInstances: DrainedContainerInstance[] = found.map(({ marked: _m, own, markFound, ...f }) =>
    drained.includes(f.arn) || (own && f.before === 'DRAINING')
      ? { ...f, before: 'ACTIVE', ...(unmarked.includes(f.arn) || (!drained.includes(f.arn) && !markFound) ? {} : { drainedBy: incidentId }) }
      : f,
  );
  const why = !refused
    ? ''
    : DENIED.has(refused)
      ? ": the containment role predates the mark: redeploy this account's containment stack"
      : refused === 'AttributeLimitExceededException'
        ? ': the container instance carries the 10 custom attributes ECS allows'
        : '';
  const refusedText = unmarked.length
    ? `; the ${DRAINED_BY} mark was refused (${refused ?? 'an earlier run'} on PutAttributes) on ${unmarked.length}: drained without it, so a run killed before this step is recorded would leave it DRAINING after the release${why}`
    : '';
  const left = containerInstances.filter((f) => f.before !== 'ACTIVE');
  const markGone = resumed.filter((f) => !f.markFound).map((f) => f.arn);
  const markGoneText = markGone.length ? `; the mark deleted since on ${markGone.join(', ')} (CloudTrail: DeleteAttributes says who), the record holds it` : '';
  const markedText = resumed.length
    ? ` (${resumed.length} found DRAINING with this incident's ${DRAINED_BY} mark: drained by an earlier run of it${markGoneText})`
    : '';
  const forgedText = forged.length
    ? `; this incident's ${DRAINED_BY} mark found on ${forged.map((f) => `${f.arn} ${f.before}`).join(', ')}, which the record does not say this isolation marked: not put by it (anyone who may write ECS attributes can put it; CloudTrail: PutAttributes says who), not taken for its drain`
    : '';
  return {
    status: 'done',
    detail: `${containerInstances.length - left.length} ECS container instance(s) set DRAINING (no new task is placed on it)${markedText}${refusedText}${forgedText}${left.length ? `; left as found: ${left.map((f) => `${f.arn} ${f.before}`).join(', ')}` : ''}${past}`,
    evidence: { containerInstances },
  };
}

/**
 * The drain's failure for a container instance found REGISTERING: UpdateContainerInstancesState refuses
 * it until it is ACTIVE ("a container instance can only be updated to DRAINING status once it has
 * reached an ACTIVE state"), and ACTIVE, ECS places tasks on it, each task's interface in its own
 * groups. Not to be waited for within the run (the trunk interface's provisioning takes its time):
 * the step fails, so on-call is paged, and the retry drains it as found ACTIVE.
 */
function registeringFailure(registering: readonly { cluster: string; arn: string }[], drained: number, instanceId: string): ContainmentStepError {
  const arns = registering.map((f) => f.arn).join(', ');
  const first = registering[0] as { cluster: string; arn: string };
  return new ContainmentStepError(
    'drain-container-instance',
    'ContainerInstanceRegistering',
    `NOT CONTAINED: container instance ${arns} found REGISTERING (of ${instanceId}): ECS sets it DRAINING only once it is ACTIVE, and ACTIVE, moments later, ECS may place a task on it, the task's interface bringing the instance back onto the network; ${drained ? `${drained} other(s) set DRAINING; ` : ''}the contain function's retry drains it once ACTIVE; if its retries are over, drain it by hand once ACTIVE (aws ecs describe-container-instances --cluster ${first.cluster} --container-instances ${first.arn}, then aws ecs update-container-instances-state --cluster ${first.cluster} --container-instances ${first.arn} --status DRAINING), or run datalek contain ID --target aws --by NAME --reason TEXT`,
  );
}

/** The most clusters left unread that the drain's failure names; the rest are counted. */
const MAX_LEFT_NAMED = 20;

/**
 * The drain's failure when the instance was not found in the clusters looked in and the region has
 * more (contain17: it read `skipped`, and nobody was paged, though a container instance of it in a
 * cluster past the bound could have tasks placed on it). The clusters left are named, as far as
 * ListClusters names them in as many more pages as the bound (names only: nothing looked in).
 */
async function notLookedIn(c: ContainmentClients, instanceId: string, lookedIn: number, from: string, bounds: DrainBounds): Promise<ContainmentStepError> {
  const left: string[] = [];
  let nextToken: string | undefined = from;
  let pages = 0;
  let unread: string | undefined;
  try {
    do {
      const page: ListClustersCommandOutput = await c.ecs.send(new ListClustersCommand({ nextToken, maxResults: bounds.pageSize }));
      left.push(...(page.clusterArns ?? []).map((arn) => arn.split('/').pop() ?? arn));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken && pages < bounds.pages);
  } catch (err) {
    unread = errorCode(err);
  }
  const named = left.slice(0, MAX_LEFT_NAMED).join(', ');
  const rest = left.length - Math.min(left.length, MAX_LEFT_NAMED);
  const more = nextToken || unread ? `, and more past them${unread ? ` (not listed: ${unread} on ListClusters)` : ''}` : '';
  const which = left.length ? `${named}${rest ? ` and ${rest} more` : ''}${more}` : `those after the first ${lookedIn}${more}`;
  return new ContainmentStepError(
    'drain-container-instance',
    'ClustersNotLookedIn',
    `NOT CONTAINED: not found in the ${lookedIn} ECS cluster(s) looked in, and the region has more, not looked in: ${which}. If the instance is a container instance of one of them, a task placed on it brings an interface of its own back onto the network: look in each (aws ecs list-container-instances --cluster NAME --filter "ec2InstanceId == ${instanceId}") and drain it where found (aws ecs update-container-instances-state --cluster NAME --container-instances ARN --status DRAINING)`,
  );
}

/** A container instance the drain found (evidence `containerInstances`, or its progress `found` when it failed further on). */
export interface FoundContainerInstance {
  cluster: string;
  arn: string;
}

/** The container instances the drain step found, as the record holds them (done, or failed after finding them); null: none known. */
export function foundContainerInstances(evidence: Record<string, unknown>): FoundContainerInstance[] | null {
  const done = evidence.containerInstances as FoundContainerInstance[] | undefined;
  const progress = (evidence[DRAIN_PROGRESS] as { found?: FoundContainerInstance[] } | undefined)?.found;
  const all = [...(Array.isArray(done) ? done : []), ...(Array.isArray(progress) ? progress : [])];
  if (!Array.isArray(done) && !Array.isArray(progress)) return null;
  return [...new Map(all.map((f) => [f.arn, { cluster: f.cluster, arn: f.arn }])).values()];
}

/** A network interface of an awsvpc task (DescribeTasks: its ElasticNetworkInterface attachment). */
export interface TaskInterface {
  task: string;
  id: string;
}

/** How many pages of ListTasks (100 tasks each) are read per container instance and desired status: far more than an instance can run. */
const TASK_PAGES = 5;

/**
 * The network interfaces of the tasks on these container instances: each one's tasks listed (ListTasks,
 * desired status RUNNING and STOPPED at once: a service task of a drained instance is desired STOPPED
 * and runs on while its agent is cut off, and ListTasks lists RUNNING only unless asked), then read
 * (DescribeTasks, 100 at a time, at once) for their ElasticNetworkInterface attachments. A task without
 * one (bridge or host mode) shares the instance's interfaces. A task ECS no longer knows is left out.
 * A refusal fails: the tasks there are not known (a role deployed before this read lacks ecs:ListTasks).
 * More tasks than TASK_PAGES pages: the tasks read are returned all the same, and `unread` names the rest
 * (an account can churn short tasks past any bound: the ones read are isolated, the step fails).
 * A container instance ECS no longer has (its cluster deleted, or it deregistered since the drain: ListTasks
 * refused) is named in `gone`, not an error, once ECS confirms it (`notRegistered`); any other refusal throws.
 */
export async function taskInterfacesOn(
  c: ContainmentClients,
  containerInstances: readonly FoundContainerInstance[],
): Promise<{ interfaces: TaskInterface[]; unread: string[]; gone: string[] }> {
  const unread: string[] = [];
  const gone: string[] = [];
  const perInstance = await Promise.all(
    containerInstances.map(async (ci) => {
      let listed: { arns: string[]; unread?: string }[];
      try {
        listed = await Promise.all((['RUNNING', 'STOPPED'] as const).map((desiredStatus) => tasksListed(c, ci, desiredStatus)));
      } catch (err) {
        const why = await notRegistered(c, ci, err);
        gone.push(`${ci.arn} (${why})`);
        return [];
      }
      unread.push(...listed.flatMap((l) => (l.unread ? [l.unread] : [])));
      const arns = [...new Set(listed.flatMap((l) => l.arns))];
      const batches: string[][] = [];
      for (let i = 0; i < arns.length; i += 100) batches.push(arns.slice(i, i + 100));
      const described = await Promise.all(batches.map((tasks) => c.ecs.send(new DescribeTasksCommand({ cluster: ci.cluster, tasks }))));
      return described.flatMap((out) =>
        (out.tasks ?? []).flatMap((task) =>
          (task.attachments ?? [])
            .filter((a) => a.type === 'ElasticNetworkInterface')
            .flatMap((a) => (a.details ?? []).filter((d) => d.name === 'networkInterfaceId' && d.value))
            .map((d) => ({ task: task.taskArn as string, id: d.value as string })),
        ),
      );
    }),
  );
  return { interfaces: [...new Map(perInstance.flat().map((t) => [t.id, t])).values()], unread, gone };
}

/**
 * Why ECS refused to list the tasks of `ci` (`err`) because it no longer has that container instance, asked
 * of ECS itself (DescribeContainerInstances): its cluster not found (deleted: ECS deletes a cluster only once
 * no container instance is ACTIVE or DRAINING in it), the instance MISSING from the answer's `failures`, or
 * INACTIVE (deregistered). ECS then places no task on it and lists none. Anything else (registered still, or
 * the check refused too) throws `err`: its tasks are not known, and an interface of theirs may be open.
 */
async function notRegistered(c: ContainmentClients, ci: FoundContainerInstance, err: unknown): Promise<string> {
  const code = errorCode(err);
  let out: Awaited<ReturnType<typeof describeOne>>;
  try {
    out = await describeOne(c, ci);
  } catch (described) {
    if (errorCode(described) === 'ClusterNotFoundException') return `ListTasks: ${code}; cluster ${ci.cluster} not found: deleted`;
    throw err;
  }
  // One asked for: not in the answer, its failure MISSING (ECS's reason for an instance it does not have).
  if (!out.containerInstances?.length && out.failures?.some((f) => f.reason === 'MISSING'))
    return `ListTasks: ${code}; not registered in cluster ${ci.cluster} (DescribeContainerInstances: MISSING): deregistered`;
  const status = out.containerInstances?.[0]?.status;
  if (status === 'INACTIVE') return `ListTasks: ${code}; deregistered from cluster ${ci.cluster} (INACTIVE)`;
  throw err;
}

function describeOne(c: ContainmentClients, ci: FoundContainerInstance) {
  return c.ecs.send(new DescribeContainerInstancesCommand({ cluster: ci.cluster, containerInstances: [ci.arn] }));
}

/** The tasks of `ci` desired `desiredStatus`, TASK_PAGES pages at most; `unread`: what is left past them, said for the on-call. */
async function tasksListed(
  c: ContainmentClients,
  ci: FoundContainerInstance,
  desiredStatus: 'RUNNING' | 'STOPPED',
): Promise<{ arns: string[]; unread?: string }> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await c.ecs.send(new ListTasksCommand({ cluster: ci.cluster, containerInstance: ci.arn, desiredStatus, nextToken, maxResults: 100 }));
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
    pages += 1;
  } while (nextToken && pages < TASK_PAGES);
  if (!nextToken) return { arns };
  return {
    arns,
    unread: `container instance ${ci.arn}: more than ${arns.length} tasks desired ${desiredStatus}, the rest not read: their network interfaces are not known; list them by hand (aws ecs list-tasks --cluster ${ci.cluster} --container-instance ${ci.arn} --desired-status ${desiredStatus}) and isolate each task's interface`,
  };
}

/** The container instances of `cluster` on this EC2 instance, by ECS's cluster query language. */
async function containerInstancesOf(c: ContainmentClients, cluster: string, instanceId: string, pages: number): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  let read = 0;
  do {
    const page = await c.ecs.send(new ListContainerInstancesCommand({ cluster, filter: `ec2InstanceId == ${instanceId}`, nextToken }));
    arns.push(...(page.containerInstanceArns ?? []));
    nextToken = page.nextToken;
    read += 1;
  } while (nextToken && read < pages);
  return arns;
}

/**
 * The container instances an isolation drained, set ACTIVE again and their mark removed. Those it found
 * otherwise (DRAINING already: drained by someone else, for their reasons or before the isolation, review15
 * K5) are left as found, and named: whether they take tasks again is for whoever drained them to say.
 * Each one is tried (contain20: the first refusal left the rest DRAINING, unnamed); those ECS did not set
 * ACTIVE fail the step, each named with how to do it by hand, after the ones it did set.
 */
export async function activateContainerInstances(c: ContainmentClients, drained: DrainedContainerInstance[]): Promise<string> {
  return said(await activateAll(c, drained));
}

/** What setting them ACTIVE did (`done`), and the ones it could not, each named with how to do it by hand. */
interface Activated {
  done: string;
  notSet: string[];
  code?: string;
}

/** The release step's detail, or its failure naming those not set ACTIVE (`lead` and `tail` around the detail). */
function said(out: Activated, lead = '', tail = ''): string {
  if (out.notSet.length === 0) return `${lead}${out.done}${tail}`;
  throw new ContainmentStepError(
    'activate-container-instance',
    out.code ?? 'ClusterNotRecorded',
    `${lead}${out.notSet.length} ECS container instance(s) datalek set DRAINING not set ACTIVE again, out of task placement still: ${out.notSet.join('; ')}; ${out.done}${tail}`,
  );
}

/** `unreached`: ones not even tried (their cluster not known, not read), each said with how to do it by hand. */
async function activateAll(c: ContainmentClients, drained: DrainedContainerInstance[], unreached: string[] = []): Promise<Activated> {
  const ours = drained.filter((d) => d.before === 'ACTIVE');
  let removed = 0;
  const left: string[] = [];
  const notSet: { d: DrainedContainerInstance; code: string }[] = [];
  const gone: string[] = [];
  for (const d of ours) {
    try {
      const out = await c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: d.cluster, containerInstances: [d.arn], status: 'ACTIVE' }));
      const failure = out.failures?.[0];
      if (failure) throw new ContainmentStepError('activate-container-instance', failure.reason ?? 'Failure', `container instance ${d.arn} was not set ACTIVE`);
    } catch (err) {
      // Deregistered since: no task is placed on it, nothing to set ACTIVE (readC20: named 'out of task placement
      // still', with a command to set it ACTIVE that ECS refuses as it refused the release).
      if (await deregistered(c, d)) gone.push(d.arn);
      else notSet.push({ d, code: errorCode(err) });
      continue;
    }
    // After the drain is undone (a release stopped between the two leaves it ACTIVE, marked: a later isolation drains it again).
    if (!d.drainedBy) continue;
    try {
      await c.ecs.send(new DeleteAttributesCommand({ cluster: d.cluster, attributes: [{ name: DRAINED_BY, value: d.drainedBy, targetId: d.arn }] }));
      removed += 1;
    } catch (err) {
      // The drain is undone: a mark left (a role without ecs:DeleteAttributes) is said, not a failed release (readC16 C2).
      left.push(`${d.arn} (${errorCode(err)} on DeleteAttributes)`);
    }
  }
  const leftText = left.length
    ? `; ${DRAINED_BY} left on ${left.length} ${left.join(', ')}: remove it by hand (aws ecs delete-attributes), or a later drain of this incident finding it DRAINING takes it for its own`
    : '';
  const found = drained.filter((d) => d.before !== 'ACTIVE');
  const foundText = found.length
    ? `; left as the isolation found it, not drained by it: ${found.map((d) => `${d.arn} ${d.before}`).join(', ')} (find out who drained it, CloudTrail: UpdateContainerInstancesState, before setting it ACTIVE: aws ecs update-container-instances-state --status ACTIVE)`
    : '';
  const goneText = gone.length
    ? `; deregistered since, so no task is placed on it and nothing to set ACTIVE: ${gone.join(', ')} (CloudTrail: DeregisterContainerInstance says who)`
    : '';
  const set = ours.length - notSet.length - gone.length;
  const setText = set ? `${set} ECS container instance(s) set ACTIVE again (tasks may be placed on it)` : 'no ECS container instance set ACTIVE again';
  const done = `${setText}${removed ? `, ${DRAINED_BY} removed from ${removed}` : ''}${goneText}${leftText}${foundText}`;
  const refused = notSet.map(
    ({ d, code }) =>
      `${d.arn} (${code}; by hand: aws ecs update-container-instances-state --cluster ${d.cluster} --container-instances ${d.arn} --status ACTIVE${d.drainedBy ? `, then aws ecs delete-attributes --cluster ${d.cluster} --attributes name=${DRAINED_BY},value=${d.drainedBy},targetId=${d.arn}` : ''})`,
  );
  return { done, notSet: [...refused, ...unreached], code: notSet[0]?.code };
}

/** Whether ECS reads the container instance deregistered (INACTIVE, DEREGISTERING, or not found); a read that fails: not known so, false. */
async function deregistered(c: ContainmentClients, d: DrainedContainerInstance): Promise<boolean> {
  try {
    const out = await c.ecs.send(new DescribeContainerInstancesCommand({ cluster: d.cluster, containerInstances: [d.arn] }));
    const ci = out.containerInstances?.find((i) => i.containerInstanceArn === d.arn);
    if (ci) return ci.status === 'INACTIVE' || ci.status === 'DEREGISTERING';
    // One asked for: its failure MISSING (its ARN as ECS gives it back, in whichever form) is this one's.
    return out.failures?.some((f) => f.reason === 'MISSING') ?? false;
  } catch {
    return false;
  }
}

/** The cluster in a container instance's ARN, in its long form (`container-instance/CLUSTER/ID`); none in the short form. */
function clusterInArn(arn: string): string | undefined {
  const path = arn.split(':').slice(5).join(':').split('/');
  return path.length === 3 && path[1] ? path[1] : undefined;
}

/** The progress a failed drain step kept (steps.ts `progress:<step>`). */
const DRAIN_PROGRESS = 'progress:drain-container-instance';

/** Whether a drain step that did not finish left anything this isolation set DRAINING or marked (contain20). */
export function unfinishedDrainLeft(evidence: Record<string, unknown>): boolean {
  const progress = (evidence[DRAIN_PROGRESS] as { drained?: unknown } | undefined) ?? {};
  const marked = evidence[DRAIN_MARKED];
  return (Array.isArray(progress.drained) && progress.drained.length > 0) || (Array.isArray(marked) && marked.length > 0);
}

/**
 * The release of a drain step that did not finish (contain20): one that failed part way (a container
 * instance found REGISTERING, one ECS refused) kept those it set DRAINING in its progress, and one whose
 * answer was lost or whose run was killed left its mark on those it was draining (recorded, DRAIN_MARKED,
 * before each drain). The release undid only a finished step, so these stayed out of task placement for
 * good. Now those in the progress are set ACTIVE again; a marked one is read first and set ACTIVE only
 * found DRAINING (as the drain's retry takes it for its own), its mark removed; one found ACTIVE has only
 * its mark removed (its drain was never made). Those it cannot set ACTIVE fail the step, named.
 */
export async function activateAfterUnfinishedDrain(c: ContainmentClients, evidence: Record<string, unknown>, incidentId: string): Promise<string> {
  const progress = (evidence[DRAIN_PROGRESS] as Record<string, unknown> | undefined) ?? {};
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((a): a is string => typeof a === 'string') : []);
  const drained = strings(progress.drained);
  const unmarked = new Set(strings(progress.unmarked));
  const marked = strings(evidence[DRAIN_MARKED]).filter((arn) => !drained.includes(arn));
  const clusters: Record<string, string> = {
    ...((evidence[DRAIN_MARKED_IN] as Record<string, string> | undefined) ?? {}),
    ...((progress.drainedIn as Record<string, string> | undefined) ?? {}),
  };
  const clusterOf = (arn: string) => clusters[arn] ?? clusterInArn(arn);
  // Records from before contain20 hold no cluster, and a short-form ARN names none.
  const notKnown: string[] = [];
  const unreached = (arn: string, why: string) =>
    `${arn} (${why}: aws ecs list-clusters, then aws ecs describe-container-instances --cluster NAME --container-instances ${arn} in each, and set it ACTIVE where found DRAINING by this isolation)`;
  const ours: DrainedContainerInstance[] = [];
  for (const arn of drained) {
    const cluster = clusterOf(arn);
    if (cluster) ours.push({ cluster, arn, before: 'ACTIVE', ...(unmarked.has(arn) ? {} : { drainedBy: incidentId }) });
    else notKnown.push(unreached(arn, 'its cluster is not recorded'));
  }
  const markOnly: DrainedContainerInstance[] = [];
  const asFound: string[] = [];
  for (const arn of marked) {
    const cluster = clusterOf(arn);
    if (!cluster) {
      notKnown.push(unreached(arn, 'its cluster is not recorded'));
      continue;
    }
    let ci: ContainerInstance | undefined;
    try {
      ci = (await c.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }))).containerInstances?.[0];
    } catch (err) {
      notKnown.push(unreached(arn, `not read: ${errorCode(err)} on DescribeContainerInstances`));
      continue;
    }
    const markFound = ci?.attributes?.some((a) => a.name === DRAINED_BY && a.value === incidentId) ?? false;
    const entry = { cluster, arn, before: 'ACTIVE', ...(markFound ? { drainedBy: incidentId } : {}) };
    if (ci?.status === 'DRAINING') ours.push(entry);
    else if (ci?.status === 'ACTIVE' && markFound) markOnly.push(entry);
    else asFound.push(`${arn} ${ci?.status ?? 'not found'}`);
  }
  const removed: string[] = [];
  for (const d of markOnly) {
    try {
      await c.ecs.send(new DeleteAttributesCommand({ cluster: d.cluster, attributes: [{ name: DRAINED_BY, value: incidentId, targetId: d.arn }] }));
      removed.push(d.arn);
    } catch (err) {
      asFound.push(`${d.arn} ACTIVE, its ${DRAINED_BY} mark left (${errorCode(err)} on DeleteAttributes)`);
    }
  }
  const extra = `${removed.length ? `; ${DRAINED_BY} removed from ${removed.join(', ')}, found ACTIVE (marked, never drained)` : ''}${asFound.length ? `; marked by this isolation, left as found: ${asFound.join(', ')}` : ''}`;
  return said(await activateAll(c, ours, notKnown), 'the drain step did not finish: ', extra);
}
