/**
 * contain20's gap, on moto: the tasks an isolated ECS container instance runs in `awsvpc` network mode
 * have network interfaces of their own. Without ENI trunking ECS attaches each to the instance (the
 * capture, or recheck-interfaces, reads it with the instance's); with trunking each is a branch
 * interface of the trunk, never attached to the instance, so neither the capture, the re-read nor drift
 * saw it: those tasks stayed on the network in their own groups while the record said the instance was
 * isolated (a standalone task for good; draining stops only service tasks, and only once the agent is
 * back). Now `task-interfaces` lists the container instance's tasks (ListTasks, RUNNING and STOPPED:
 * a drained service task runs on, desired STOPPED, while the agent is cut off), reads each awsvpc task's
 * interface from DescribeTasks, and isolates those it has not isolated with the same two swaps.
 *
 * moto has no trunking: RunTask of an awsvpc task on an EC2 container instance makes the task's
 * interface in the subnet and groups asked for (in a VPC with DNS hostnames: elsewhere moto's RunTask
 * fails on the interface's missing DNS name) and attaches it to nothing, which is what a branch
 * interface looks like to DescribeInstances. DescribeTasks reports it as ECS does (an attachment of type
 * ElasticNetworkInterface with `networkInterfaceId`). Whether AWS lets an account change the groups of an
 * interface ECS manages moto cannot show (isolate-ecs-task makes the same call).
 */
import {
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  DeleteNetworkInterfaceCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ModifyVpcAttributeCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DeregisterContainerInstanceCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainmentStateReader } from '../../handlers/adapters/aws/containment/drift.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import type { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { recordContainedByHand } from '../../handlers/core/by-hand.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
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

describe.skipIf(!MOTO_AVAILABLE)("an isolated container instance's awsvpc tasks, on moto", () => {
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

  /** An instance, the container instance of a new cluster, running one awsvpc task in a group of its own. */
  async function withTask(): Promise<{ instanceId: string; cluster: string; taskArn: string; taskEni: string; own: string }> {
    n += 1;
    const cluster = `tasks-${n}`;
    const { vpcId, subnetId } = await buildVpc(c);
    // moto makes an awsvpc task's interface only in a VPC with DNS hostnames (it names the interface's DNS name).
    await c.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
    const imageId = await anImageId(c.ec2);
    const run = await c.ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', SubnetId: subnetId }));
    const instanceId = run.Instances?.[0]?.InstanceId as string;
    await showOwnInterfaceGroups(c.ec2, [instanceId]);
    await c.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const doc = JSON.stringify({ instanceId, region: REGION, accountId: ACCOUNT });
    await c.ecs.send(new RegisterContainerInstanceCommand({ cluster, instanceIdentityDocument: doc }));
    const own = (await c.ec2.send(new CreateSecurityGroupCommand({ GroupName: `task-${n}-${Date.now()}`, Description: 'task', VpcId: vpcId })))
      .GroupId as string;
    await c.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `app-${n}`,
        networkMode: 'awsvpc',
        containerDefinitions: [{ name: 'app', image: 'app:1', memory: 128, cpu: 64 }],
      }),
    );
    // A standalone task (RunTask): draining the instance never stops it.
    const out = await c.ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: `app-${n}`,
        launchType: 'EC2',
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnetId], securityGroups: [own] } },
      }),
    );
    const task = out.tasks?.[0];
    const taskEni = task?.attachments?.find((a) => a.type === 'ElasticNetworkInterface')?.details?.find((d) => d.name === 'networkInterfaceId')
      ?.value as string;
    return { instanceId, cluster, taskArn: task?.taskArn as string, taskEni, own };
  }

  async function record(instanceId: string): Promise<string> {
    const recorded = await recordEvent(
      { store, policy: DEFAULT_POLICY, now, canEnforce: true, forceEnforce: true },
      findingEvent({ id: `task-enis-${Date.now()}-${n}`, accountId: ACCOUNT, type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource(instanceId) }),
    );
    return recorded.incidentId as string;
  }

  /** Another awsvpc task of the cluster of `withTask`, in the subnet of `beside` and the group `own`: its interface and task. */
  async function anotherTask(cluster: string, beside: string, own: string): Promise<{ eni: string; taskArn: string }> {
    const subnet = (await c.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [beside] }))).NetworkInterfaces?.[0]?.SubnetId as string;
    const out = await c.ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: `app-${n}`,
        launchType: 'EC2',
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [own] } },
      }),
    );
    const task = out.tasks?.[0];
    return { eni: task?.attachments?.[0]?.details?.find((d) => d.name === 'networkInterfaceId')?.value as string, taskArn: task?.taskArn as string };
  }

  /** The task's own finding (Runtime Monitoring), an incident of its own whose policy isolates the task. */
  async function recordTask(cluster: string, taskArn: string): Promise<string> {
    const recorded = await recordEvent(
      { store, policy: DEFAULT_POLICY, now, canEnforce: true, forceEnforce: true },
      findingEvent({
        id: `task-finding-${Date.now()}-${n}`,
        accountId: ACCOUNT,
        type: 'Execution:Runtime/ReverseShell',
        resource: {
          resourceType: 'ECSCluster',
          ecsClusterDetails: { name: cluster, arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`, taskDetails: { arn: taskArn, launchType: 'EC2' } },
        },
        service: { runtimeDetails: { process: { name: 'sh' } } },
      }),
    );
    return recorded.incidentId as string;
  }

  const isolationOf = (action: Incident['actions'][number] | undefined) => (action?.evidence?.groups as { isolation?: string } | undefined)?.isolation;
  const isolation = async (incidentId: string) => ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'isolate-instance');
  const groupsOf = async (eni: string) =>
    (await c.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] }))).NetworkInterfaces?.[0]?.Groups?.map((g) => g.GroupId);
  const drift = async (incidentId: string, eni: string) =>
    (await checkContainment([(await store.getIncident(incidentId)) as Incident], reader, now())).resources
      .filter((r) => r.resource.startsWith(`network interface ${eni}`))
      .map((r) => `${r.state}: ${r.actual}`);

  /** A containment run whose ListTasks calls `answer` answers (throws, or returns a reply; undefined: moto answers). */
  async function runAnsweringListTasks(incidentId: string, answer: (desiredStatus: string | undefined) => unknown): Promise<void> {
    const name = 'test-list-tasks-answered';
    c.ecs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'ListTasksCommand') return next(args);
        const reply = answer((args as { input: { desiredStatus?: string } }).input.desiredStatus);
        return reply === undefined ? next(args) : (reply as never);
      },
      { step: 'initialize', name },
    );
    try {
      await runContainment(deps(), incidentId);
    } finally {
      c.ecs.middlewareStack.remove(name);
    }
  }

  const refuse = (code: string) => (desiredStatus: string | undefined) => {
    if (desiredStatus === 'STOPPED') throw Object.assign(new Error(`${code} (as ECS answers)`), { name: code });
    return undefined;
  };

  /**
   * The isolation of `incidentId`'s instance failed at task-interfaces while the container instance was registered
   * (its tasks not listable), then the container instance deregistered (forced) and its cluster deleted, and run
   * again: it fails TasksNeverRead for good (moto lists the tasks of a deleted cluster: the refusal is a middleware's).
   */
  async function neverRead(incidentId: string, cluster: string): Promise<{ drained: { arn: string } }> {
    await runAnsweringListTasks(incidentId, refuse('InvalidParameterException'));
    const first = await isolation(incidentId);
    const failed = first?.steps?.find((s) => s.name === 'task-interfaces');
    expect([first?.status, failed?.status, failed?.code], 'registered still: its tasks not known').toEqual(['failed', 'failed', 'InvalidParameterException']);
    const [drained] = (first?.evidence?.containerInstances ?? []) as { arn: string }[];
    await c.ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance: drained.arn, force: true }));
    await c.ecs.send(new DeleteClusterCommand({ cluster }));
    await runAnsweringListTasks(incidentId, refuse('ClusterNotFoundException'));
    return { drained };
  }

  it("a task's interface not attached to the instance (a branch interface) is isolated with it, read back by verify, and restored by the release", async () => {
    const { instanceId, taskArn, taskEni, own } = await withTask();
    const attached = (await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]?.Instances?.[0]?.NetworkInterfaces;
    expect(
      attached?.map((i) => i.NetworkInterfaceId),
      'premise: the task interface is not attached to the instance',
    ).not.toContain(taskEni);
    const incidentId = await record(instanceId);

    await runContainment(deps(), incidentId);

    const action = await isolation(incidentId);
    const evidence = action?.evidence ?? {};
    const isolationGroup = (evidence.groups as { isolation: string }).isolation;
    expect(action?.status).toBe('done');
    expect(await groupsOf(taskEni)).toEqual([isolationGroup]);
    expect(evidence.taskInterfaces).toEqual([{ id: taskEni, groups: [own], task: taskArn }]);
    const step = action?.steps?.find((s) => s.name === 'task-interfaces');
    expect(step?.detail).toContain(`${taskEni} of task ${taskArn.split('/').pop()} (own groups ${own})`);
    expect(action?.steps?.find((s) => s.name === `isolate-eni:${taskEni}`)?.status).toBe('done');

    // verify reads it: in place while isolated, drifted once put back in its own group by hand.
    expect(await drift(incidentId, taskEni)).toEqual([`in-place: in ${isolationGroup} only`]);
    await c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: taskEni, Groups: [own] }));
    expect(await drift(incidentId, taskEni)).toEqual([expect.stringMatching(/^drifted: back in its own groups/)]);
    await c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: taskEni, Groups: [isolationGroup] }));

    await releaseContainment(deps(), { incidentId, by: 'anna', reason: 'pentest' });
    expect(await groupsOf(taskEni)).toEqual([own]);
  });

  it('a task interface deleted since its task was read (the task stopped) is named, not an error; the others are isolated', async () => {
    const { instanceId, cluster, taskEni, own } = await withTask();
    const incidentId = await record(instanceId);
    // A second task, whose interface ECS deleted (the task stopped) before the run read it.
    const { eni: goneEni } = await anotherTask(cluster, taskEni, own);
    await c.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: goneEni }));

    await runContainment(deps(), incidentId);
    const first = await isolation(incidentId);
    expect(first?.status).toBe('done');
    expect(first?.steps?.find((s) => s.name === 'task-interfaces')?.detail).toContain(`not found, deleted since: ${goneEni}`);

    expect(first?.steps?.find((s) => s.name === `isolate-eni:${taskEni}`)?.status).toBe('done');
    expect(await groupsOf(taskEni)).toEqual([isolationOf(first)]);
  });

  it('the retry after a failed drain isolates no task interface twice and records each once', async () => {
    const { instanceId, taskEni, own } = await withTask();
    const incidentId = await record(instanceId);
    // The drain fails (the container instance read REGISTERING): the task's interface is isolated all the same.
    await whileRegistering(c, undefined, () => runContainment(deps(), incidentId));
    const first = await isolation(incidentId);
    expect(first?.status, 'premise: the drain failed').toBe('failed');
    const isolated = first?.steps?.find((s) => s.name === `isolate-eni:${taskEni}`);
    expect(isolated?.status).toBe('done');
    expect(await groupsOf(taskEni)).toEqual([isolationOf(first)]);

    await runContainment(deps(), incidentId);
    const again = await isolation(incidentId);
    expect(again?.status).toBe('done');
    expect(again?.evidence?.taskInterfaces).toEqual([expect.objectContaining({ id: taskEni, groups: [own] })]);
    expect(again?.steps?.find((s) => s.name === `isolate-eni:${taskEni}`)?.at).toBe(isolated?.at);
    expect(again?.steps?.find((s) => s.name === 'task-interfaces')?.detail).toContain('no task interface new since the last run');
  });

  it('a role that may not list the tasks (deployed before this step) fails the step NOT CONTAINED, saying how to mend it', async () => {
    const { instanceId, taskEni, own } = await withTask();
    const incidentId = await record(instanceId);
    await runAnsweringListTasks(incidentId, () => {
      throw Object.assign(new Error('not authorized to perform: ecs:ListTasks'), { name: 'AccessDeniedException' });
    });
    const action = await isolation(incidentId);
    const step = action?.steps?.find((s) => s.name === 'task-interfaces');
    expect([action?.status, step?.status, step?.code]).toEqual(['failed', 'failed', 'AccessDeniedException']);
    expect(step?.detail).toContain('NOT CONTAINED, maybe: the tasks on');
    expect(step?.detail).toContain("redeploy this account's containment stack");
    expect(await groupsOf(taskEni)).toEqual([own]);
  });

  /**
   * More tasks desired STOPPED than the step reads (an account that churned thousands of short tasks on the
   * instance in the last hour: ECS lists stopped ones for an hour or more): before, the overflow threw out of
   * the whole read, so not one task interface was isolated, on every run, while the running task's
   * interface stayed open. ListTasks paging on for ever is made by a middleware (moto cannot hold that
   * many tasks here); the tasks desired RUNNING are moto's own.
   */
  it('more tasks than it reads fails the step NOT CONTAINED, naming what was not read; the tasks read have their interfaces isolated all the same', async () => {
    const { instanceId, taskEni } = await withTask();
    const incidentId = await record(instanceId);
    await runAnsweringListTasks(incidentId, (desiredStatus) =>
      desiredStatus === 'STOPPED' ? { output: { taskArns: [], nextToken: 'more', $metadata: {} }, response: {} } : undefined,
    );
    const action = await isolation(incidentId);
    const step = action?.steps?.find((s) => s.name === 'task-interfaces');
    expect([action?.status, step?.status, step?.code]).toEqual(['failed', 'failed', 'TooManyTasks']);
    expect(step?.detail).toContain('NOT CONTAINED');
    expect(step?.detail).toContain('desired STOPPED, the rest not read');
    expect(action?.steps?.find((s) => s.name === `isolate-eni:${taskEni}`)?.status).toBe('done');
    expect(await groupsOf(taskEni)).toEqual([isolationOf(action)]);
  });

  /**
   * A task interface found in the isolation group already (its task isolated under another incident) is
   * left as found: that incident's release puts its own groups back, and nothing of this record read it,
   * so the instance's isolation read in place while a task on it was open again. Now it is recorded as
   * found (taskInterfacesFound) and verify reads it: drifted once out of the isolation group.
   */
  it('a task interface found isolated already is recorded as found, and verify reads it open once another release puts its groups back', async () => {
    const { instanceId, cluster, taskEni, own } = await withTask();
    const incidentId = await record(instanceId);
    await whileRegistering(c, undefined, () => runContainment(deps(), incidentId));
    const first = await isolation(incidentId);
    expect(first?.status, 'premise: the drain failed').toBe('failed');
    const isolationGroup = isolationOf(first) as string;
    // A second task started meanwhile, its interface put in the isolation group by its own isolation (another incident).
    const { eni: foundEni } = await anotherTask(cluster, taskEni, own);
    await c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: foundEni, Groups: [isolationGroup] }));

    await runContainment(deps(), incidentId);
    const action = await isolation(incidentId);
    expect(action?.status).toBe('done');
    expect(action?.steps?.find((s) => s.name === 'task-interfaces')?.detail).toContain(`left as found, in the isolation group already: ${foundEni}`);
    expect(await drift(incidentId, foundEni)).toEqual([`in-place: in ${isolationGroup} only`]);

    // The other incident released: its own group back. This record's verify says so.
    await c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: foundEni, Groups: [own] }));
    expect(await drift(incidentId, foundEni)).toEqual([`drifted: in ${own}: not isolated`]);
    await releaseContainment(deps(), { incidentId, by: 'anna', reason: 'pentest' });
    expect(await groupsOf(foundEni), 'a release restores none it did not isolate').toEqual([own]);
  });

  /**
   * The task's own finding (another incident) finds its interface in the isolation group this instance's
   * isolation put it in, and relies on it (isolate-ecs-task skipped, found isolated already). Releasing
   * the instance's incident restored the task's groups with no word: the hold was matched by action type
   * and target only, and an isolate-ecs-task is no isolate-instance. Now refused, naming that incident.
   */
  it('releasing the instance is refused while another incident relies on a task interface it isolated', async () => {
    const { instanceId, cluster, taskArn, taskEni } = await withTask();
    const incidentId = await record(instanceId);
    await runContainment(deps(), incidentId);
    const isolationGroup = isolationOf(await isolation(incidentId)) as string;
    expect(await groupsOf(taskEni), 'premise: the task interface isolated with the instance').toEqual([isolationGroup]);
    const other = await recordTask(cluster, taskArn);
    await runContainment(deps(), other);
    const task = ((await store.getIncident(other)) as Incident).actions.find((a) => a.type === 'isolate-ecs-task');
    expect(task?.status, 'premise: the task found isolated already').toBe('skipped');

    await expect(releaseContainment(deps(), { incidentId, by: 'anna', reason: 'pentest' })).rejects.toThrow(other);
    expect(await groupsOf(taskEni)).toEqual([isolationGroup]);
  });

  /**
   * Without trunking a task's interface is attached to the instance: one attached after the capture is
   * recheck-interfaces'. Found in the isolation group only (the task isolated under another incident, by
   * its own isolate-ecs-task), it is left as found; before, the re-read failed AlreadyIsolated, the one
   * failed step of the run, and the whole isolation read "found isolated already" (skipped, left to
   * whoever holds it) though this incident had isolated the instance's own interfaces.
   */
  it("a task interface attached since the capture and found isolated already is left as found; the instance's isolation stays this record's", async () => {
    const { instanceId } = await withTask();
    const incidentId = await record(instanceId);
    await whileRegistering(c, undefined, () => runContainment(deps(), incidentId));
    const first = await isolation(incidentId);
    expect(first?.status, 'premise: the drain failed').toBe('failed');
    // A task started meanwhile (no trunking): ECS attaches its interface to the instance, and the task's own
    // isolation (another incident) has put it in the isolation group.
    const isolationGroup = isolationOf(first) as string;
    const instance = (await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]?.Instances?.[0];
    const eni = (await c.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: instance?.SubnetId, Groups: [isolationGroup] }))).NetworkInterface
      ?.NetworkInterfaceId as string;
    await c.ec2.send(new AttachNetworkInterfaceCommand({ InstanceId: instanceId, NetworkInterfaceId: eni, DeviceIndex: 1 }));

    await runContainment(deps(), incidentId);

    const action = await isolation(incidentId);
    const recheck = action?.steps?.find((s) => s.name === 'recheck-interfaces');
    expect([action?.status, recheck?.status]).toEqual(['done', 'done']);
    expect(recheck?.detail).toContain(`left as found, in the isolation group already: ${eni}`);
    expect(action?.heldBy).toBeUndefined();
    expect(await groupsOf(eni)).toEqual([isolationGroup]);
  });
  /**
   * The reverse of the test above: the task's own incident isolated its interface first, and the instance's
   * isolation found it isolated already (taskInterfacesFound) and relies on it. Releasing the task's incident
   * restored its groups with no word, the instance's record still reading isolated. Now refused, naming the
   * instance's incident; --undo-for reopens it there as said (the instance's isolation otherwise in effect).
   */
  it("releasing a task's incident is refused while the instance's isolation relies on its interface, found isolated already", async () => {
    const { instanceId, cluster, taskArn, taskEni, own } = await withTask();
    const taskIncident = await recordTask(cluster, taskArn);
    await runContainment(deps(), taskIncident);
    const taskAction = ((await store.getIncident(taskIncident)) as Incident).actions.find((a) => a.type === 'isolate-ecs-task');
    expect(taskAction?.status, 'premise: the task isolated by its own incident').toBe('done');
    const incidentId = await record(instanceId);
    await runContainment(deps(), incidentId);
    const isolationGroup = isolationOf(await isolation(incidentId)) as string;
    expect((await isolation(incidentId))?.evidence?.taskInterfacesFound, 'premise: found isolated already').toEqual([{ id: taskEni, task: taskArn }]);

    const refused = releaseContainment(deps(), { incidentId: taskIncident, by: 'anna', reason: 'pentest' });
    await expect(refused).rejects.toThrow(`incident ${incidentId} (`);
    await expect(refused).rejects.toThrow(`relies on task network interface ${taskEni}`);
    expect(await groupsOf(taskEni)).toEqual([isolationGroup]);

    const out = await releaseContainment(deps(), { incidentId: taskIncident, by: 'anna', reason: 'pentest', undoFor: [incidentId] });
    expect(out.undoneFor).toEqual([{ incidentId, actionId: (await isolation(incidentId))?.id, now: 'reopened' }]);
    expect(await groupsOf(taskEni)).toEqual([own]);
    const after = (await store.getIncident(incidentId)) as Incident;
    expect(after.actions.find((a) => a.type === 'isolate-instance')?.released, "the instance's isolation is still in effect").toBeUndefined();
    expect(await drift(incidentId, taskEni)).toEqual([`drifted: in ${own}: not isolated`]);
  });

  /**
   * The same with the instance's incident closed: a closing releases nothing, so its isolation, relying on the
   * task's interface, is in effect and its record says so. Only open incidents were read for holds: the task's
   * release restored the interface's groups with no word there (session 25). Now refused naming it, closed;
   * --undo-for says so on its timeline, the incident staying closed.
   */
  it("releasing a task's incident is refused while a closed incident's instance isolation relies on its interface", async () => {
    const { instanceId, cluster, taskArn, taskEni, own } = await withTask();
    const taskIncident = await recordTask(cluster, taskArn);
    await runContainment(deps(), taskIncident);
    const incidentId = await record(instanceId);
    await runContainment(deps(), incidentId);
    const isolationGroup = isolationOf(await isolation(incidentId)) as string;
    expect((await isolation(incidentId))?.evidence?.taskInterfacesFound, 'premise: found isolated already').toEqual([{ id: taskEni, task: taskArn }]);
    await changeIncident({ store, now, policy: DEFAULT_POLICY }, incidentId, (draft) => {
      draft.state = 'closed';
      draft.closedAt = now();
      draft.closeReason = 'afgehandeld';
      return { entries: [{ at: now(), kind: 'closed', actor: 'FG', detail: { reason: 'afgehandeld' } }] };
    });

    const refused = releaseContainment(deps(), { incidentId: taskIncident, by: 'anna', reason: 'pentest' });
    await expect(refused).rejects.toThrow(
      `incident ${incidentId} (closed): isolate-instance ${instanceId} (done, not released; relies on task network interface ${taskEni}`,
    );
    expect(await groupsOf(taskEni)).toEqual([isolationGroup]);

    const out = await releaseContainment(deps(), { incidentId: taskIncident, by: 'anna', reason: 'pentest', undoFor: [incidentId] });
    expect(out.undoneFor).toEqual([{ incidentId, actionId: (await isolation(incidentId))?.id, now: 'reopened' }]);
    expect(await groupsOf(taskEni)).toEqual([own]);
    const after = (await store.getIncident(incidentId)) as Incident;
    expect(after.state).toBe('closed');
    expect(after.actions.find((a) => a.type === 'isolate-instance')?.released).toBeUndefined();
    expect((await store.getTimeline(incidentId)).at(-1)).toMatchObject({
      kind: 'containment-released',
      detail: { undoneBy: taskIncident, now: 'reopened', reopened: [taskEni] },
    });
  });

  /**
   * Without trunking the task's interface is attached to the instance: the instance's capture finds it in
   * the isolation group (foundIsolated, no task named). The interface id ties it to the task's isolation
   * (its evidence task.networkInterfaces): the release of the task's incident is refused the same way.
   */
  it("without trunking, the task's interface attached to the instance and found isolated holds the task's release the same way", async () => {
    const { instanceId, cluster, taskArn, taskEni } = await withTask();
    await c.ec2.send(new AttachNetworkInterfaceCommand({ InstanceId: instanceId, NetworkInterfaceId: taskEni, DeviceIndex: 1 }));
    const taskIncident = await recordTask(cluster, taskArn);
    await runContainment(deps(), taskIncident);
    const incidentId = await record(instanceId);
    await runContainment(deps(), incidentId);
    const metadata = (await isolation(incidentId))?.evidence?.metadata as { foundIsolated?: string[] };
    expect(metadata.foundIsolated, 'premise: found isolated at the capture').toEqual([taskEni]);

    await expect(releaseContainment(deps(), { incidentId: taskIncident, by: 'anna', reason: 'pentest' })).rejects.toThrow(
      `relies on task network interface ${taskEni}`,
    );
    expect(await groupsOf(taskEni)).toEqual([isolationOf(await isolation(incidentId))]);
  });
  /**
   * The drain done, the run failed (here: the tasks not listable); then the container instance deregistered
   * (forced) and its cluster deleted. ListTasks is refused on every later run (ClusterNotFoundException: a
   * deleted cluster; a deregistered instance likewise), the raw error failing the step, NOT CONTAINED on every
   * run over nothing left on ECS's side. moto lists the tasks of an INACTIVE cluster and of a deregistered
   * instance alike, so the refusal is made by a middleware; DescribeContainerInstances, which confirms it, is
   * moto's (MISSING once deregistered). While the instance is registered the refusal still fails the step.
   */
  it('a container instance ECS no longer has is said plainly, the step done once a run read all its tasks; a refusal while it is registered still fails it', async () => {
    const { instanceId, cluster, taskEni, own } = await withTask();
    const incidentId = await record(instanceId);
    const { drained } = await neverRead(incidentId, cluster);
    const again = await isolation(incidentId);
    const step = again?.steps?.find((s) => s.name === 'task-interfaces');
    // readC21: no run read its tasks, and the task runs on, orphaned, its interface in its own groups: not done.
    const groupsOf = async (eni: string) =>
      (await c.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] }))).NetworkInterfaces?.[0]?.Groups?.map((g) => g.GroupId);
    expect(await groupsOf(taskEni), "premise: the task's interface never read, in its own group").toEqual([own]);
    expect([again?.status, step?.status, step?.code]).toEqual(['failed', 'failed', 'TasksNeverRead']);
    expect(step?.detail).toContain('NOT CONTAINED, maybe: no run read all the tasks of the container instance(s) ECS no longer has');
    expect(step?.detail).toContain(
      `container instance(s) ECS no longer has, no task of them to read or isolate: ${drained.arn} (ListTasks: ClusterNotFoundException; not registered in cluster`,
    );
    expect(step?.detail).toContain('(DescribeContainerInstances: MISSING): deregistered');
    // contain22: the way out after the search by hand, named as a command (test/unit/by-hand-records.test.ts records it).
    expect(step?.detail).toContain(`datalek contained ${incidentId} --action isolate-instance:${instanceId} --what "searched`);

    // A run read all its tasks (the step done), the isolation failed after it (the task interface's swap
    // refused once): gone since, the retry's step is done and the interface read before is isolated.
    const other = await withTask();
    const otherId = await record(other.instanceId);
    const swap = 'test-task-swap-refused';
    c.ec2.middlewareStack.add(
      (next, context) => async (args) => {
        const input = (args as { input: { NetworkInterfaceId?: string } }).input;
        if (context.commandName === 'ModifyNetworkInterfaceAttributeCommand' && input.NetworkInterfaceId === other.taskEni)
          throw Object.assign(new Error('UnauthorizedOperation (as EC2 answers)'), { name: 'UnauthorizedOperation' });
        return next(args);
      },
      { step: 'initialize', name: swap },
    );
    try {
      await runContainment(deps(), otherId);
    } finally {
      c.ec2.middlewareStack.remove(swap);
    }
    const failedAfter = await isolation(otherId);
    expect(
      [failedAfter?.status, failedAfter?.steps?.find((s) => s.name === 'task-interfaces')?.status],
      'premise: the tasks read, the isolation failed after',
    ).toEqual(['failed', 'done']);
    const [otherCi] = ((await isolation(otherId))?.evidence?.containerInstances ?? []) as { arn: string }[];
    await c.ecs.send(new DeregisterContainerInstanceCommand({ cluster: other.cluster, containerInstance: otherCi.arn, force: true }));
    await c.ecs.send(new DeleteClusterCommand({ cluster: other.cluster }));
    await runAnsweringListTasks(otherId, refuse('ClusterNotFoundException'));
    const after = await isolation(otherId);
    const otherStep = after?.steps?.find((s) => s.name === 'task-interfaces');
    expect([after?.status, otherStep?.status, otherStep?.detail]).toEqual(['done', 'done', expect.stringContaining('container instance(s) ECS no longer has')]);
    expect(await groupsOf(other.taskEni)).not.toContain(other.own);
  });
  /**
   * verify read only the task interfaces the record names: a task placed on the isolated instance after the
   * last run (ECS drains no standalone task, StartTask, the instance set ACTIVE a while) had its interface in
   * its own groups, and verify said in place. Now the drift read lists the container instance's tasks again.
   */
  it("verify lists the container instance's tasks again and names a task interface placed after the last run, and the instance registered again", async () => {
    const { instanceId, cluster, taskEni, own } = await withTask();
    const incidentId = await record(instanceId);
    await runContainment(deps(), incidentId);
    const containerDrift = async () =>
      (await checkContainment([(await store.getIncident(incidentId)) as Incident], reader, now())).resources
        .filter((r) => r.resource.startsWith('ECS container instance'))
        .map((r) => `${r.state}: ${r.actual}`);
    expect(await containerDrift(), 'premise: drained, the task interface isolated').toEqual(['in-place: DRAINING']);

    // Set ACTIVE a while (moto places RunTask's task on an ACTIVE instance only; ECS's StartTask names the instance),
    // a task placed, DRAINING again: the status reads as the record says.
    const [drained] = ((await isolation(incidentId))?.evidence?.containerInstances ?? []) as { arn: string }[];
    const setStatus = (status: 'ACTIVE' | 'DRAINING') =>
      c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [drained.arn], status }));
    await setStatus('ACTIVE');
    const late = await anotherTask(cluster, taskEni, own);
    await setStatus('DRAINING');
    expect(await containerDrift()).toEqual([
      `drifted: DRAINING; NOT CONTAINED: 1 task network interface(s) the record does not know: ${late.eni} of task ${late.taskArn.split('/').pop()} in ${own}`,
    ]);

    // contain22: registered in a cluster the record does not name (the isolated instance's identity document kept, any
    // credentials: the watch pages on none that an instance's metadata service delivered). Before, verify read the recorded cluster only.
    const registrations = async () =>
      (await checkContainment([(await store.getIncident(incidentId)) as Incident], reader, now())).resources
        .filter((r) => r.resource === `instance ${instanceId} (ECS registrations, every cluster of the region)`)
        .map((r) => `${r.state}: ${r.actual}`);
    expect(await registrations(), 'premise: registered only as the isolation found it').toEqual([
      'in-place: no container instance of it but those its isolation found',
    ]);
    const elsewhere = `elsewhere-${n}`;
    await c.ecs.send(new CreateClusterCommand({ clusterName: elsewhere }));
    const doc = JSON.stringify({ instanceId, region: REGION, accountId: ACCOUNT });
    const there = (await c.ecs.send(new RegisterContainerInstanceCommand({ cluster: elsewhere, instanceIdentityDocument: doc }))).containerInstance
      ?.containerInstanceArn as string;
    const notNamed = (arn: string, name: string) =>
      `drifted: NOT CONTAINED: registered in ECS since its isolation, as container instance(s) the record does not name: ${arn.split('/').pop()} in cluster ${name} (ACTIVE); ECS may place tasks on it, their interfaces in their own groups`;
    expect(await registrations()).toEqual([notNamed(there, elsewhere)]);
    await c.ecs.send(new DeregisterContainerInstanceCommand({ cluster: elsewhere, containerInstance: there, force: true }));

    // contain21 5: deregistered and the EC2 instance registered again in the same cluster (a new container instance, ACTIVE, no record names it).
    await c.ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance: drained.arn, force: true }));
    const again = (await c.ecs.send(new RegisterContainerInstanceCommand({ cluster, instanceIdentityDocument: doc }))).containerInstance
      ?.containerInstanceArn as string;
    expect(await registrations()).toEqual([notNamed(again, cluster)]);
  });

  /**
   * cont24: after TasksNeverRead on-call searches by hand and isolates the orphaned task's interface as in step 3 of
   * the runbook. Recorded with `--what` only, it was in no record: verify did not read it (put back in its own group,
   * nothing said so) and a release left it isolated. `--interface ENI=GROUP[+GROUP]` names it with its own groups:
   * read first through the read role (in the isolation group only, else refused, nothing written), then recorded as
   * the isolation's, so verify reads it and a release restores it.
   */
  it('an interface isolated by hand after the TasksNeverRead search, named with --interface, is read by verify and restored by the release', async () => {
    const { instanceId, cluster, taskEni, own } = await withTask();
    const incidentId = await record(instanceId);
    await neverRead(incidentId, cluster);
    const actionId = (await isolation(incidentId))?.id as string;
    const isolationGroup = isolationOf(await isolation(incidentId)) as string;
    const what = 'searched the VPC for branch interfaces; isolated the one orphaned task interface';
    const contained = (interfaces: string[], withReader = true) =>
      recordContainedByHand(
        { store, policy: DEFAULT_POLICY, now, ...(withReader ? { containmentReader: reader } : {}) },
        { incidentId, actionId, by: 'anna', what, interfaces },
      );
    const before = JSON.stringify(await store.getIncident(incidentId));

    // Not isolated yet: refused, nothing written.
    await expect(contained([`${taskEni}=${own}`])).rejects.toThrow(`--interface ${taskEni} is in ${own}, not in the isolation group ${isolationGroup} only`);
    await c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: taskEni, Groups: [isolationGroup] }));
    // Without a read of AWS (the embedded store), or an interface the record holds already: refused, nothing written.
    await expect(contained([`${taskEni}=${own}`], false)).rejects.toThrow('give --target aws');
    const metadata = (await isolation(incidentId))?.evidence?.metadata as { networkInterfaces: { id: string }[] };
    const ownInterface = metadata.networkInterfaces[0].id;
    await expect(contained([`${ownInterface}=${own}`])).rejects.toThrow(`--interface ${ownInterface} is in the record already`);
    await expect(contained([`${taskEni}`])).rejects.toThrow(`--interface ${taskEni}: give its own groups`);
    expect(JSON.stringify(await store.getIncident(incidentId)), 'nothing written').toBe(before);

    await contained([`${taskEni}=${own}`]);

    const action = await isolation(incidentId);
    expect([action?.status, action?.steps?.find((s) => s.name === `isolate-eni:${taskEni}`)?.status]).toEqual(['done', 'done']);
    expect(await drift(incidentId, taskEni)).toEqual([`in-place: in ${isolationGroup} only`]);
    const resources = (await checkContainment([(await store.getIncident(incidentId)) as Incident], reader, now())).resources.map((r) => r.resource);
    expect(resources).toContain(`network interface ${taskEni} of isolated by hand on ${instanceId}, its task not read`);
    // Put back in its own group (the attacker, or a person): verify says so.
    await c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: taskEni, Groups: [own] }));
    expect(await drift(incidentId, taskEni)).toEqual([expect.stringMatching(/^drifted: back in its own groups/)]);
    await c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: taskEni, Groups: [isolationGroup] }));

    await releaseContainment(deps(), { incidentId, by: 'anna', reason: 'pentest' });
    expect(await groupsOf(taskEni)).toEqual([own]);
  });

  /** Another instance in the subnet of `instanceId`, its own incident, isolated by datalek in the VPC's isolation group. */
  async function isolatedBeside(instanceId: string) {
    const described = await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const subnetId = described.Reservations?.[0]?.Instances?.[0]?.SubnetId as string;
    const imageId = await anImageId(c.ec2);
    const run = await c.ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', SubnetId: subnetId }));
    const otherInstance = run.Instances?.[0]?.InstanceId as string;
    await showOwnInterfaceGroups(c.ec2, [otherInstance]);
    const otherIncident = await record(otherInstance);
    await runContainment(deps(), otherIncident);
    const otherAction = (await isolation(otherIncident)) as Incident['actions'][number];
    const [otherEni] = (otherAction.evidence?.metadata as { networkInterfaces: { id: string; groups: string[] }[] } | undefined)?.networkInterfaces ?? [];
    return { otherIncident, otherAction, otherEni };
  }

  /**
   * red26: the search finds the VPC's isolation group holding interfaces, and "in the isolation group only" is
   * also what another incident's isolated instance looks like. Named with --interface, such an interface was
   * recorded as isolated by hand here, with whatever own groups were typed: this incident's release then put it
   * back in them, undoing the other incident's isolation with no refusal (its release refuses while another
   * open incident holds what it would undo, but no hold named an interface recorded so).
   */
  it("an interface another incident's isolation holds is refused by --interface, naming that incident; nothing is written", async () => {
    const { instanceId, cluster } = await withTask();
    const incidentId = await record(instanceId);
    await neverRead(incidentId, cluster);
    const actionId = (await isolation(incidentId))?.id as string;
    const { otherIncident, otherAction, otherEni } = await isolatedBeside(instanceId);
    expect([otherAction.status, await groupsOf(otherEni.id)]).toEqual(['done', [isolationOf(await isolation(incidentId))]]);
    const before = JSON.stringify(await store.getIncident(incidentId));

    await expect(
      recordContainedByHand(
        { store, policy: DEFAULT_POLICY, now, containmentReader: reader },
        { incidentId, actionId, by: 'anna', what: 'searched the VPC; isolated what was open', interfaces: [`${otherEni.id}=${otherEni.groups.join('+')}`] },
      ),
    ).rejects.toThrow(`--interface ${otherEni.id} is isolated by incident ${otherIncident} (${otherAction.id})`);
    expect(JSON.stringify(await store.getIncident(incidentId)), 'nothing written').toBe(before);
    expect(await groupsOf(otherEni.id)).toEqual([isolationOf(otherAction)]);
  });

  /**
   * red26 noted, red27: the own groups typed were checked for form only. A group that does not exist, or one of
   * another VPC, was recorded as what the release puts back; the release's restore then failed and left the
   * interface isolated. Each is read now (one DescribeSecurityGroups) and must be a group of the interface's VPC.
   */
  it('own groups named with --interface that are not groups of its VPC are refused, naming them; nothing is written', async () => {
    const { instanceId, cluster, taskEni, own } = await withTask();
    const incidentId = await record(instanceId);
    await neverRead(incidentId, cluster);
    const actionId = (await isolation(incidentId))?.id as string;
    await c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: taskEni, Groups: [isolationOf(await isolation(incidentId)) as string] }));
    const elsewhere = (await buildVpc(c)).vpcId;
    const foreign = (await c.ec2.send(new CreateSecurityGroupCommand({ GroupName: `elsewhere-${Date.now()}`, Description: 'x', VpcId: elsewhere })))
      .GroupId as string;
    const none = 'sg-0123456789abcdef0';
    const before = JSON.stringify(await store.getIncident(incidentId));
    await expect(
      recordContainedByHand(
        { store, policy: DEFAULT_POLICY, now, containmentReader: reader },
        { incidentId, actionId, by: 'anna', what: 'searched the VPC', interfaces: [`${taskEni}=${own}+${none}+${foreign}`] },
      ),
    ).rejects.toThrow(`--interface ${taskEni}: not a security group of its VPC: ${none} (not found), ${foreign} (of ${elsewhere})`);
    expect(JSON.stringify(await store.getIncident(incidentId)), 'nothing written').toBe(before);
    await recordContainedByHand(
      { store, policy: DEFAULT_POLICY, now, containmentReader: reader },
      { incidentId, actionId, by: 'anna', what: 'searched the VPC', interfaces: [`${taskEni}=${own}`] },
    );
    expect((await isolation(incidentId))?.steps?.find((s) => s.name === `isolate-eni:${taskEni}`)?.status).toBe('done');
  });

  /**
   * red26 noted, red27: the holders were read among open incidents only. A closed incident whose isolation was never
   * released still holds its interface (in the isolation group only, as the search finds it): named here, this
   * incident's release put it back in the groups typed while the closed record says it is isolated.
   */
  it("an interface a closed incident's unreleased isolation still holds is refused by --interface, naming that incident", async () => {
    const { instanceId, cluster } = await withTask();
    const incidentId = await record(instanceId);
    await neverRead(incidentId, cluster);
    const actionId = (await isolation(incidentId))?.id as string;
    const { otherIncident, otherAction, otherEni } = await isolatedBeside(instanceId);
    // Closed as its FG would once done with it: closing releases nothing.
    await changeIncident({ store, now, policy: DEFAULT_POLICY }, otherIncident, (draft) => {
      draft.state = 'closed';
      draft.closedAt = now();
      draft.closeReason = 'afgehandeld';
      return { entries: [{ at: now(), kind: 'closed', actor: 'FG', detail: { reason: 'afgehandeld' } }] };
    });
    const before = JSON.stringify(await store.getIncident(incidentId));
    await expect(
      recordContainedByHand(
        { store, policy: DEFAULT_POLICY, now, containmentReader: reader },
        { incidentId, actionId, by: 'anna', what: 'searched the VPC', interfaces: [`${otherEni.id}=${otherEni.groups.join('+')}`] },
      ),
    ).rejects.toThrow(`--interface ${otherEni.id} is isolated by incident ${otherIncident} (closed, not released; ${otherAction.id})`);
    expect(JSON.stringify(await store.getIncident(incidentId)), 'nothing written').toBe(before);
  });
});
