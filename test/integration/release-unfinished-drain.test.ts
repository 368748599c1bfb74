/**
 * contain20 item 1: a drain step that failed part way, then released. The drain sets each container
 * instance of the EC2 instance DRAINING in turn and keeps those it did in its progress; when a later one
 * fails (found REGISTERING; a call whose answer is lost), the step fails. The release undid only a
 * finished drain step, so the instances the failed step had set DRAINING stayed out of task placement
 * after the release, though the record named them. Now the release sets ACTIVE again every instance
 * this isolation drained, finished step or not, and names those it could not. On moto; a container
 * instance is read REGISTERING, or a call's answer lost, by a middleware on the test's ECS client (moto
 * registers every container instance ACTIVE and answers every call).
 */
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeContainerInstancesCommand,
  RegisterContainerInstanceCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { DRAIN_MARKED, DRAINED_BY } from '../../handlers/adapters/aws/containment/ecs.js';
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

describe.skipIf(!MOTO_AVAILABLE)('releasing a drain that failed part way, on moto', () => {
  let moto: Moto;
  let c: ContainmentClients;
  let store: DynamoDbIncidentStore;
  let containment: AwsContainment;
  let n = 0;

  beforeAll(async () => {
    const { factory, ...world } = await containmentWorld(ACCOUNT, REGION);
    ({ moto, store, c } = world);
    containment = new AwsContainment(factory);
  }, 120_000);
  afterAll(async () => moto?.stop());

  const now = () => new Date().toISOString();
  const deps = () => ({ store, policy: DEFAULT_POLICY, now, containment, forceEnforce: true });

  /** An instance in a VPC, registered as a container instance with each of `clusters`; its id and each one's ARN. */
  async function containerInstances(clusters: string[]): Promise<{ instanceId: string; arns: string[] }> {
    const { subnetId } = await buildVpc(c);
    const imageId = await anImageId(c.ec2);
    const run = await c.ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', SubnetId: subnetId }));
    const instanceId = run.Instances?.[0]?.InstanceId as string;
    await showOwnInterfaceGroups(c.ec2, [instanceId]);
    const doc = JSON.stringify({ instanceId, region: REGION, accountId: ACCOUNT });
    const arns: string[] = [];
    for (const cluster of clusters) {
      await c.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
      const out = await c.ecs.send(new RegisterContainerInstanceCommand({ cluster, instanceIdentityDocument: doc }));
      arns.push(out.containerInstance?.containerInstanceArn as string);
    }
    return { instanceId, arns };
  }

  async function record(instanceId: string): Promise<string> {
    n += 1;
    const recorded = await recordEvent(
      { store, policy: DEFAULT_POLICY, now, canEnforce: true, forceEnforce: true },
      findingEvent({
        id: `unfinished-drain-${Date.now()}-${n}`,
        accountId: ACCOUNT,
        type: 'Backdoor:EC2/C&CActivity.B',
        resource: instanceResource(instanceId),
      }),
    );
    return recorded.incidentId as string;
  }

  const described = async (cluster: string, arn: string) =>
    (await c.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }))).containerInstances?.[0];
  const state = async (cluster: string, arn: string) => {
    const ci = await described(cluster, arn);
    return [ci?.status, ci?.attributes?.find((a) => a.name === DRAINED_BY)?.value ?? 'no mark'];
  };
  /** Releases the incident; its `activate-container-instance` step. */
  const releasedActivation = async (incidentId: string) =>
    (await releaseContainment(deps(), { incidentId, by: 'anna', reason: 'false positive' })).released
      .flatMap((r) => r.steps)
      .find((s) => s.name === 'activate-container-instance');
  const isolation = async (incidentId: string) => ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'isolate-instance');

  /**
   * Runs `fn` with `hook` on the ECS client's calls: `output` undefined before the call is sent (a throw then: the call
   * never made), then with moto's answer (a throw then: the call made, its answer lost).
   */
  async function withHook<T>(
    name: string,
    hook: (command: string, input: Record<string, unknown>, output?: Record<string, unknown>) => void,
    fn: () => Promise<T>,
  ) {
    c.ecs.middlewareStack.add(
      (next, context) => async (args) => {
        hook(context.commandName as string, args.input as Record<string, unknown>);
        const out = await next(args);
        hook(context.commandName as string, args.input as Record<string, unknown>, out.output as unknown as Record<string, unknown>);
        return out;
      },
      { step: 'initialize', name },
    );
    try {
      return await fn();
    } finally {
      c.ecs.middlewareStack.remove(name);
    }
  }
  const readRegistering = (arn: string) => (command: string, _input: Record<string, unknown>, output?: Record<string, unknown>) => {
    if (command !== 'DescribeContainerInstancesCommand' || !output) return;
    for (const ci of (output.containerInstances ?? []) as { containerInstanceArn?: string; status?: string }[])
      if (ci.containerInstanceArn === arn) ci.status = 'REGISTERING';
  };
  /** The drain of `arn` times out: made and its answer lost (`made`), or never sent. */
  const drainTimesOut = (arn: string, made: boolean) => (command: string, input: Record<string, unknown>, output?: Record<string, unknown>) => {
    if (command === 'UpdateContainerInstancesStateCommand' && (input.containerInstances as string[])[0] === arn && made === (output !== undefined))
      throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
  };

  it('one drained, the next found REGISTERING (the step failed): the release sets the drained one ACTIVE again and removes its mark', async () => {
    const { instanceId, arns } = await containerInstances(['part-a', 'part-b']);
    const [drainedArn, registeringArn] = arns as [string, string];
    const incidentId = await record(instanceId);
    await withHook('test-part-registering', readRegistering(registeringArn), () => runContainment(deps(), incidentId));
    const action = await isolation(incidentId);
    const drain = action?.steps?.filter((s) => s.name === 'drain-container-instance').at(-1);
    expect([drain?.status, drain?.code], 'premise: the drain failed part way').toEqual(['failed', 'ContainerInstanceRegistering']);
    expect(await state('part-a', drainedArn), 'premise: the first one drained, marked').toEqual(['DRAINING', incidentId]);

    const activate = await releasedActivation(incidentId);
    expect([activate?.status, activate?.detail]).toEqual([
      'done',
      `the drain step did not finish: 1 ECS container instance(s) set ACTIVE again (tasks may be placed on it), ${DRAINED_BY} removed from 1`,
    ]);
    expect(await state('part-a', drainedArn)).toEqual(['ACTIVE', 'no mark']);
    expect(await state('part-b', registeringArn), 'never drained nor marked: as it was').toEqual(['ACTIVE', 'no mark']);
  });

  it('the drain made and its answer lost (the step failed, the progress not naming it): the release reads it DRAINING with its recorded mark and sets it ACTIVE', async () => {
    const { instanceId, arns } = await containerInstances(['lost']);
    const [lostArn] = arns as [string];
    const incidentId = await record(instanceId);
    await withHook('test-lost-answer', drainTimesOut(lostArn, true), () => runContainment(deps(), incidentId));
    const action = await isolation(incidentId);
    expect(action?.steps?.filter((s) => s.name === 'drain-container-instance').at(-1)?.status, 'premise: the drain failed').toBe('failed');
    expect(action?.evidence?.[DRAIN_MARKED], 'premise: the mark recorded').toEqual([lostArn]);
    expect(await state('lost', lostArn), 'premise: drained, marked').toEqual(['DRAINING', incidentId]);

    const activate = await releasedActivation(incidentId);
    expect([activate?.status, activate?.detail]).toEqual([
      'done',
      `the drain step did not finish: 1 ECS container instance(s) set ACTIVE again (tasks may be placed on it), ${DRAINED_BY} removed from 1`,
    ]);
    expect(await state('lost', lostArn)).toEqual(['ACTIVE', 'no mark']);
  });

  it('marked and its drain never made (the step failed): the release leaves it ACTIVE and removes the mark', async () => {
    const { instanceId, arns } = await containerInstances(['unsent']);
    const [markedArn] = arns as [string];
    const incidentId = await record(instanceId);
    await withHook('test-unsent', drainTimesOut(markedArn, false), () => runContainment(deps(), incidentId));
    expect(await state('unsent', markedArn), 'premise: marked, not drained').toEqual(['ACTIVE', incidentId]);

    const activate = await releasedActivation(incidentId);
    expect([activate?.status, activate?.detail]).toEqual([
      'done',
      `the drain step did not finish: no ECS container instance set ACTIVE again; ${DRAINED_BY} removed from ${markedArn}, found ACTIVE (marked, never drained)`,
    ]);
    expect(await state('unsent', markedArn)).toEqual(['ACTIVE', 'no mark']);
  });

  // readC20: one deregistered since was named 'not set ACTIVE again, out of task placement still', the release step
  // failed, and the command it gave to set it ACTIVE by hand is one ECS refuses as it refused the release.
  it('one it drained deregistered since: the release names it deregistered, nothing to set ACTIVE, and sets the others ACTIVE', async () => {
    const { instanceId, arns } = await containerInstances(['gone-a', 'gone-b', 'gone-c']);
    const [goneArn, keptArn, registeringArn] = arns as [string, string, string];
    const incidentId = await record(instanceId);
    await withHook('test-gone-registering', readRegistering(registeringArn), () => runContainment(deps(), incidentId));
    expect([await state('gone-a', goneArn), await state('gone-b', keptArn)], 'premise: two drained').toEqual([
      ['DRAINING', incidentId],
      ['DRAINING', incidentId],
    ]);
    await c.ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'gone-a', containerInstance: goneArn, force: true }));

    const activate = await releasedActivation(incidentId);
    expect([activate?.status, activate?.detail]).toEqual([
      'done',
      `the drain step did not finish: 1 ECS container instance(s) set ACTIVE again (tasks may be placed on it), ${DRAINED_BY} removed from 1; deregistered since, so no task is placed on it and nothing to set ACTIVE: ${goneArn} (CloudTrail: DeregisterContainerInstance says who)`,
    ]);
    expect(await state('gone-b', keptArn)).toEqual(['ACTIVE', 'no mark']);
  });

  it('one ECS refuses to set ACTIVE (denied): the release step fails naming it, with the command to do it by hand, and still sets the others ACTIVE', async () => {
    const { instanceId, arns } = await containerInstances(['deny-a', 'deny-b', 'deny-c']);
    const [deniedArn, keptArn, registeringArn] = arns as [string, string, string];
    const incidentId = await record(instanceId);
    await withHook('test-deny-registering', readRegistering(registeringArn), () => runContainment(deps(), incidentId));
    const denied = (command: string, input: Record<string, unknown>, output?: Record<string, unknown>) => {
      if (command === 'UpdateContainerInstancesStateCommand' && input.status === 'ACTIVE' && (input.containerInstances as string[])[0] === deniedArn && !output)
        throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    };

    const activate = await withHook('test-deny', denied, () => releasedActivation(incidentId));
    expect(activate?.status).toBe('failed');
    expect(activate?.detail).toContain(
      `1 ECS container instance(s) datalek set DRAINING not set ACTIVE again, out of task placement still: ${deniedArn} (AccessDeniedException; by hand: aws ecs update-container-instances-state`,
    );
    expect(activate?.detail).toContain('1 ECS container instance(s) set ACTIVE again');
    expect(await state('deny-a', deniedArn)).toEqual(['DRAINING', incidentId]);
    expect(await state('deny-b', keptArn)).toEqual(['ACTIVE', 'no mark']);
  });
});
