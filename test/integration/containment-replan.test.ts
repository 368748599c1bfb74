/**
 * The order findings come in never decides whether a resource is contained (review2 attack §3,
 * §13): an action an earlier, milder finding only planned is enforced when a later finding's rule
 * enforces it; a released action is contained again on new evidence.
 */
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { ISOLATION_GROUP } from '../../handlers/adapters/aws/containment/ec2.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import type { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { showObject, showText } from '../../handlers/cli/views.js';
import { runContainment } from '../../handlers/core/contain.js';
import { ISOLATION_LEAVES_OPEN } from '../../handlers/core/containment.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { containmentWorld } from '../support/containment-world.js';
import { buildScenario, showOwnInterfaceGroups } from '../support/ec2-scenario.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

const ACCOUNT = '123456789012';

/** A graded policy: isolation enforced for a backdoor or a miner, only planned for a port scan. */
const POLICY = parsePolicy({
  containment: {
    rules: [
      { action: 'contain-workload', findingTypes: ['Backdoor:EC2/*', 'CryptoCurrency:EC2/*'], mode: 'enforce' },
      { action: 'contain-workload', findingTypes: ['Recon:EC2/*'], involvement: 'acting', mode: 'plan' },
    ],
  },
});

const outbound = { action: { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { connectionDirection: 'OUTBOUND', blocked: false } } };

describe.skipIf(!MOTO_AVAILABLE)('containment planned again: upgraded and after a release, on moto', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  let c: ContainmentClients;
  let containment: AwsContainment;
  let minute = 0;
  /** A clock that moves a minute per reading: each finding comes after the last thing done. */
  const now = () => {
    minute += 1;
    return new Date(Date.parse('2026-11-29T08:00:00.000Z') + minute * 60_000).toISOString();
  };

  beforeAll(async () => {
    const { factory, ...world } = await containmentWorld(ACCOUNT);
    ({ moto, store, c } = world);
    containment = new AwsContainment(factory);
  });
  afterAll(async () => moto?.stop());

  const record = (id: string, type: string, instanceId: string, service?: Record<string, unknown>) => {
    const at = now();
    return recordEvent(
      { store, policy: POLICY, now: () => at, canEnforce: true },
      findingEvent({ id, type, accountId: ACCOUNT, createdAt: at, resource: instanceResource(instanceId), ...(service ? { service } : {}) }),
    );
  };
  const contain = (incidentId: string) => runContainment({ store, policy: POLICY, now, containment }, incidentId);
  const isolated = async (instanceId: string) => {
    const out = await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }));
    return (out.NetworkInterfaces ?? []).every((e) => (e.Groups ?? []).every((g) => g.GroupName === ISOLATION_GROUP));
  };

  it('a port scan first, then a backdoor: the backdoored instance is isolated, recorded as enforced for the backdoor finding', async () => {
    const s = await buildScenario(c);
    await showOwnInterfaceGroups(c.ec2, [s.instanceId]);
    const recon = await record('a0000000000000000000000000000001', 'Recon:EC2/Portscan', s.instanceId, outbound);
    const incidentId = recon.incidentId as string;
    expect((await contain(incidentId)).actions).toEqual([]);
    const backdoor = await record('a0000000000000000000000000000002', 'Backdoor:EC2/C&CActivity.B', s.instanceId);
    expect(backdoor).toMatchObject({ outcome: 'attached', incidentId, actions: [{ type: 'isolate-instance', status: 'planned' }] });

    const ran = await contain(incidentId);
    expect(ran.actions.map((a) => `${a.id} ${a.status}`)).toEqual([`isolate-instance:${s.instanceId} done`]);
    expect(await isolated(s.instanceId)).toBe(true);
    const incident = (await store.getIncident(incidentId)) as Incident;
    expect(incident.actions).toHaveLength(1);
    expect(incident.actions[0]).toMatchObject({ mode: 'enforce', status: 'done', findingId: 'a0000000000000000000000000000002' });
    // The planned reason is gone; done, the isolation says what it leaves open (the DNS resolver).
    expect(incident.actions[0].reason).toBe(ISOLATION_LEAVES_OPEN);
  });

  it('after a release, show says released, and a later finding on the instance contains it again', async () => {
    const s = await buildScenario(c);
    await showOwnInterfaceGroups(c.ec2, [s.instanceId]);
    const first = await record('b0000000000000000000000000000001', 'Backdoor:EC2/C&CActivity.B', s.instanceId);
    const incidentId = first.incidentId as string;
    await contain(incidentId);
    expect(await isolated(s.instanceId)).toBe(true);
    await releaseContainment({ store, policy: POLICY, now, containment }, { incidentId, by: 'anna', reason: 'looked like a false positive' });
    expect(await isolated(s.instanceId)).toBe(false);

    const released = (await store.getIncident(incidentId)) as Incident;
    const timeline = await store.getTimeline(incidentId);
    const shown = showObject(released, timeline, POLICY, now());
    expect(shown.actions).toEqual([
      expect.objectContaining({
        type: 'isolate-instance',
        status: 'released',
        released: expect.objectContaining({ by: 'anna', reason: 'looked like a false positive' }),
      }),
    ]);
    expect(showText(released, timeline, POLICY, now())).toMatch(/released +isolate-instance i-\S+: undone by anna at .*: looked like a false positive/);
    expect(showText(released, timeline, POLICY, now())).not.toMatch(/ done +isolate-instance/);

    const miner = await record('b0000000000000000000000000000002', 'CryptoCurrency:EC2/BitcoinTool.B', s.instanceId);
    expect(miner).toMatchObject({ outcome: 'attached', incidentId, actions: [{ type: 'isolate-instance', status: 'planned' }] });
    const ran = await contain(incidentId);
    expect(ran.actions.map((a) => `${a.id} ${a.status}`)).toEqual([`isolate-instance:${s.instanceId}#2 done`]);
    expect(await isolated(s.instanceId)).toBe(true);
    const again = (await store.getIncident(incidentId)) as Incident;
    expect(showObject(again, [], POLICY, now()).actions.map((a) => a.status)).toEqual(['released', 'done']);
    expect(again.actions[1]).toMatchObject({ mode: 'enforce', findingId: 'b0000000000000000000000000000002' });
  });
});
