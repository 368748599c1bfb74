/**
 * contain20 item 3: a finding of a member account in a region other than the pipeline's central one
 * (eu-central-1, the pipeline in eu-west-1). Containment acts in the finding's account and region: the
 * member's containment role is assumed, and the instance is isolated and its container instance
 * drained there, not in the central region; the release puts both back there. On moto (the member
 * account reached by AssumeRole, as moto serves each account apart).
 */
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, DescribeContainerInstancesCommand, ListClustersCommand, RegisterContainerInstanceCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainmentClientFactory, type ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { runContainment } from '../../handlers/core/contain.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { anImageId, buildVpc, showOwnInterfaceGroups } from '../support/ec2-scenario.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const MEMBER = '444455556666';
const CENTRAL = 'eu-west-1';
const FINDING_REGION = 'eu-central-1';

describe.skipIf(!MOTO_AVAILABLE)("a member account's finding in another region than the central one, on moto", () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  let factory: ContainmentClientFactory;
  let member: ContainmentClients;
  let memberCentral: ContainmentClients;
  const policy = parsePolicy({ containment: { memberAccounts: [MEMBER] } });
  const now = () => new Date().toISOString();

  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, moto.env);
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
    factory = new ContainmentClientFactory(CENTRAL, 'datalek-containment');
    member = await factory.clientsFor(MEMBER, FINDING_REGION, 'setup');
    memberCentral = await factory.clientsFor(MEMBER, CENTRAL, 'setup');
  }, 120_000);
  afterAll(async () => moto?.stop());

  it('the instance is isolated and its container instance drained in the member account, in the finding region; the release puts it back there', async () => {
    const { subnetId } = await buildVpc(member);
    const run = await member.ec2.send(
      new RunInstancesCommand({ ImageId: await anImageId(member.ec2), MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', SubnetId: subnetId }),
    );
    const instanceId = run.Instances?.[0]?.InstanceId as string;
    await showOwnInterfaceGroups(member.ec2, [instanceId]);
    await member.ecs.send(new CreateClusterCommand({ clusterName: 'frankfurt' }));
    const doc = JSON.stringify({ instanceId, region: FINDING_REGION, accountId: MEMBER });
    const arn = (await member.ecs.send(new RegisterContainerInstanceCommand({ cluster: 'frankfurt', instanceIdentityDocument: doc }))).containerInstance
      ?.containerInstanceArn as string;
    expect(arn, 'premise: the container instance is of the member account, in the finding region').toContain(`:ecs:${FINDING_REGION}:${MEMBER}:`);
    expect((await memberCentral.ecs.send(new ListClustersCommand({}))).clusterArns, 'premise: nothing of it in the central region').toEqual([]);

    const event = findingEvent({
      id: `member-region-${Date.now()}`,
      accountId: MEMBER,
      type: 'Backdoor:EC2/C&CActivity.B',
      resource: instanceResource(instanceId),
    });
    Object.assign(event, { region: FINDING_REGION });
    Object.assign(event.detail, { region: FINDING_REGION, arn: `arn:aws:guardduty:${FINDING_REGION}:${MEMBER}:detector/d1/finding/${event.detail.id}` });
    const deps = { store, policy, now, containment: new AwsContainment(factory), forceEnforce: true };
    const incidentId = (await recordEvent({ ...deps, canEnforce: true }, event)).incidentId as string;
    await runContainment(deps, incidentId);

    const incident = (await store.getIncident(incidentId)) as Incident;
    const action = incident.actions.find((a) => a.type === 'isolate-instance');
    expect([incident.accountId, incident.region]).toEqual([MEMBER, FINDING_REGION]);
    expect(action?.steps?.map((s) => `${s.name}: ${s.status}`)).toContain('drain-container-instance: done');
    expect(action?.status).toBe('done');
    const status = async () =>
      (await member.ecs.send(new DescribeContainerInstancesCommand({ cluster: 'frankfurt', containerInstances: [arn] }))).containerInstances?.[0]?.status;
    expect(await status()).toBe('DRAINING');

    await releaseContainment(deps, { incidentId, by: 'anna', reason: 'false positive' });
    expect(await status()).toBe('ACTIVE');
  });
});
