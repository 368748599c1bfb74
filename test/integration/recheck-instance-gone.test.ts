/**
 * readC20: recheck-interfaces (contain20) reads the instance again on every run. An instance gone (terminated
 * more than the hour or so EC2 still lists it) is not an empty answer but InvalidInstanceID.NotFound, on AWS as
 * on moto: the step failed with AWS's words, so a later run of an isolation whose other steps were all done
 * failed the action (on-call paged) over an instance with no interface left to isolate. Now skipped, said
 * plainly. On moto; the instance is read gone by a middleware on the EC2 client (moto lists a terminated
 * instance for good), the first run failed by a container instance read REGISTERING (as drain-mark-forged's).
 */
import { DescribeInstancesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, RegisterContainerInstanceCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import type { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { runContainment } from '../../handlers/core/contain.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { containmentWorld } from '../support/containment-world.js';
import { anImageId, buildVpc, showOwnInterfaceGroups } from '../support/ec2-scenario.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

describe.skipIf(!MOTO_AVAILABLE)('recheck-interfaces of an instance gone, on moto', () => {
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

  /** Runs `fn` with `hook` on the `client`'s calls, before each is sent (a throw: the call's answer). */
  async function withHook<T>(client: { middlewareStack: ContainmentClients['ec2']['middlewareStack'] }, hook: (command: string) => void, fn: () => Promise<T>) {
    const name = 'test-hook';
    client.middlewareStack.add(
      (next, context) => async (args) => {
        hook(context.commandName as string);
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      return await fn();
    } finally {
      client.middlewareStack.remove(name);
    }
  }

  it('a later run finds the instance gone: recheck-interfaces skipped, saying so, the action not failed over it', async () => {
    const { subnetId } = await buildVpc(c);
    const imageId = await anImageId(c.ec2);
    const run = await c.ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', SubnetId: subnetId }));
    const instanceId = run.Instances?.[0]?.InstanceId as string;
    await showOwnInterfaceGroups(c.ec2, [instanceId]);
    await c.ecs.send(new CreateClusterCommand({ clusterName: 'gone' }));
    const doc = JSON.stringify({ instanceId, region: REGION, accountId: ACCOUNT });
    const arn = (await c.ecs.send(new RegisterContainerInstanceCommand({ cluster: 'gone', instanceIdentityDocument: doc }))).containerInstance
      ?.containerInstanceArn as string;
    const recorded = await recordEvent(
      { store, policy: DEFAULT_POLICY, now, canEnforce: true, forceEnforce: true },
      findingEvent({ id: `recheck-gone-${Date.now()}`, accountId: ACCOUNT, type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource(instanceId) }),
    );
    const incidentId = recorded.incidentId as string;
    // The first run fails at the drain (a container instance read REGISTERING): the retry comes.
    c.ecs.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === 'DescribeContainerInstancesCommand') {
          const output = out.output as { containerInstances?: { containerInstanceArn?: string; status?: string }[] };
          for (const ci of output.containerInstances ?? []) if (ci.containerInstanceArn === arn) ci.status = 'REGISTERING';
        }
        return out;
      },
      { step: 'initialize', name: 'test-registering' },
    );
    try {
      await runContainment(deps(), incidentId);
    } finally {
      c.ecs.middlewareStack.remove('test-registering');
    }
    const isolation = async () => ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'isolate-instance');
    expect((await isolation())?.status, 'premise: the first run failed').toBe('failed');

    // Gone since: EC2 answers its id as it answers one it never had.
    const gone = (command: string) => {
      if (command === 'DescribeInstancesCommand')
        throw Object.assign(new Error(`The instance ID '${instanceId}' does not exist`), { name: 'InvalidInstanceID.NotFound' });
    };
    expect(
      await withHook(c.ec2, gone, () => c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })).catch((err: Error) => err.name)),
      'premise: read gone',
    ).toBe('InvalidInstanceID.NotFound');
    await withHook(c.ec2, gone, () => runContainment(deps(), incidentId));

    const action = await isolation();
    const recheck = action?.steps?.find((s) => s.name === 'recheck-interfaces');
    expect([recheck?.status, recheck?.detail]).toEqual([
      'skipped',
      `instance ${instanceId} not found (terminated and no longer listed by EC2): no interface to read`,
    ]);
    expect(action?.status).toBe('done');
  });
});
