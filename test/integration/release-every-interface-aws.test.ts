/**
 * A release whose every interface restore fails (the role denied it, throttled to the end): the
 * instance is still cut off the network. It went on with the steps after the undoing: attached the
 * instance to its Auto Scaling group again (whose health check then fails the isolated instance and
 * terminates it, with the evidence), registered it in its target groups, tagged it released; the
 * record took detach-from-asg and deregister-target-groups off (undone) while the action stayed
 * `done`, so no run did them again. Now such a release stops after the interfaces: the instance stays
 * out of its group and target groups, the record stays as it was (done, every step), and the release
 * reports failure; a release tried again does the rest.
 */
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeNetworkInterfacesCommand, DescribeTagsCommand } from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
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
import { buildScenario, type Scenario } from '../support/ec2-scenario.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

const ACCOUNT = '123456789012';
/** Interface restores refused while set, as AWS refuses a call the role may not make. */
let refuseRestores = false;

function refusingRestores(c: ContainmentClients): void {
  (c.ec2.middlewareStack as { add: (mw: unknown, o: { step: 'initialize'; name: string }) => void }).add(
    (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      if (refuseRestores && context.commandName === 'ModifyNetworkInterfaceAttributeCommand')
        throw Object.assign(new Error('You are not authorized to perform this operation.'), {
          name: 'UnauthorizedOperation',
          $metadata: { httpStatusCode: 403 },
        });
      return next(args);
    },
    { step: 'initialize', name: 'refusingRestores' },
  );
}

describe.skipIf(!MOTO_AVAILABLE)('a release failing on every interface, on moto', () => {
  let moto: Moto;
  let c: ContainmentClients;
  let store: DynamoDbIncidentStore;
  let containment: AwsContainment;

  beforeAll(async () => {
    const { factory, ...world } = await containmentWorld(ACCOUNT);
    ({ moto, store, c } = world);
    refusingRestores(c);
    containment = new AwsContainment(factory);
  });
  afterAll(async () => moto?.stop());

  const deps = () => ({ store, policy: DEFAULT_POLICY, now: () => new Date().toISOString(), containment, forceEnforce: true });
  const inAsg = async (s: Scenario) =>
    ((await c.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [s.asgName] }))).AutoScalingGroups?.[0]?.Instances ?? []).map(
      (i) => i.InstanceId,
    );
  const inTargetGroup = async (s: Scenario) =>
    ((await c.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: s.targetGroupArn }))).TargetHealthDescriptions ?? []).map((d) => d.Target?.Id);
  const stateTag = async (instanceId: string) =>
    (
      await c.ec2.send(
        new DescribeTagsCommand({
          Filters: [
            { Name: 'resource-id', Values: [instanceId] },
            { Name: 'key', Values: ['datalek:state'] },
          ],
        }),
      )
    ).Tags?.[0]?.Value;
  const groupsOf = async (instanceId: string) =>
    ((await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }))).NetworkInterfaces ?? [])
      .map((e) => (e.Groups ?? []).map((g) => g.GroupName).join(','))
      .sort();

  it('leaves the instance out of its group and target groups, the record as it was, and says the release failed', async () => {
    const s = await buildScenario(c);
    const recorded = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => new Date().toISOString(), canEnforce: true, forceEnforce: true },
      findingEvent({ id: `release-all-${Date.now()}`, type: 'Backdoor:EC2/C&CActivity.B', accountId: ACCOUNT, resource: instanceResource(s.instanceId) }),
    );
    const id = recorded.incidentId as string;
    await runContainment(deps(), id);
    const contained = ((await store.getIncident(id)) as Incident).actions[0];
    expect(contained.status).toBe('done');
    expect(await inAsg(s)).not.toContain(s.instanceId);

    refuseRestores = true;
    const outcome = await releaseContainment(deps(), { incidentId: id, by: 'oncall', reason: 'false positive' });
    expect(outcome.released).toEqual([]);
    expect(outcome.failed).toHaveLength(1);
    expect(await groupsOf(s.instanceId)).toEqual(['datalek-isolation', 'datalek-isolation']);
    // Still cut off: not back in the group whose health check would terminate it, nor behind the load balancer.
    expect(await inAsg(s)).not.toContain(s.instanceId);
    expect(await inTargetGroup(s)).not.toContain(s.instanceId);
    expect(await stateTag(s.instanceId)).not.toBe('released');
    const after = ((await store.getIncident(id)) as Incident).actions[0];
    expect(after.status).toBe('done');
    expect(after.released).toBeUndefined();
    expect(after.partlyReleased).toBeUndefined();
    expect((after.steps ?? []).map((st) => `${st.name}:${st.status}`).sort()).toEqual((contained.steps ?? []).map((st) => `${st.name}:${st.status}`).sort());

    // Tried again once the role may: released, and the rest done then.
    refuseRestores = false;
    const again = await releaseContainment(deps(), { incidentId: id, by: 'oncall', reason: 'false positive' });
    expect(again.released).toHaveLength(1);
    expect(await inAsg(s)).toContain(s.instanceId);
    expect(await inTargetGroup(s)).toContain(s.instanceId);
  });
});
