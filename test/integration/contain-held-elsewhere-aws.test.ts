/**
 * An incident may plan the isolation of an instance another open incident isolated, without any
 * record that it did: the key's holder that noted it was closed (its note went with it), or the
 * isolating incident named the instance without holding its key (an attack sequence correlates on
 * 20 resources but plans every instance it names). The take then finds nothing and carries it out
 * (the last read, L1). On AWS it must not record the isolation group as the groups to restore: a
 * release of it would "restore" the isolation group (the instance stays cut while the record says
 * released), and the groups the instance had are only in the other record.
 */
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import type { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { containmentWorld } from '../support/containment-world.js';
import { buildScenario, showOwnInterfaceGroups } from '../support/ec2-scenario.js';
import { incidentFixture, storeInstanceFinding } from '../support/incidents.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

const ACCOUNT = '111122223333';
const NOW = '2026-11-29T08:00:00.000Z';

describe.skipIf(!MOTO_AVAILABLE)('an instance isolated under another incident the take cannot see, on moto', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  let c: ContainmentClients;
  let deps: ContainDeps;

  beforeAll(async () => {
    const { factory, ...world } = await containmentWorld(ACCOUNT);
    ({ moto, store, c } = world);
    deps = { store, policy: DEFAULT_POLICY, now: () => NOW, containment: new AwsContainment(factory), forceEnforce: true };
  });
  afterAll(async () => moto?.stop());

  const isolation = (instanceId: string, incidentId: string): ActionRecord => ({
    id: `isolate-instance:${instanceId}`,
    type: 'isolate-instance',
    target: instanceId,
    status: 'planned',
    mode: 'enforce',
    findingId: `f-${incidentId}`,
    at: NOW,
  });
  const open = async (id: string, instanceId: string, holdsKey: boolean) => {
    const keyed = holdsKey
      ? {
          resource: { kind: 'ec2-instance' as const, resourceType: 'Instance', id: instanceId },
          resourceKey: `ec2-instance:${ACCOUNT}:eu-west-1:${instanceId}`,
        }
      : {};
    await store.commit({
      incident: incidentFixture({ id, actions: [isolation(instanceId, id)], ...keyed }),
      expectedRevision: null,
      timeline: [],
      messages: [],
    });
    await storeInstanceFinding(store, id, `f-${id}`, instanceId);
  };
  const groupsOf = async (instanceId: string) => {
    const out = await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }));
    return (out.NetworkInterfaces ?? []).flatMap((e) => (e.Groups ?? []).map((g) => g.GroupName as string)).sort();
  };

  it('is not isolated again nor its isolation group recorded as groups to restore; the release of the incident holding it restores its own groups', async () => {
    const s = await buildScenario(c);
    await showOwnInterfaceGroups(c.ec2, [s.instanceId]);
    const own = await groupsOf(s.instanceId);
    // dl-linked isolated it without holding its key; dl-keyed holds the key and knows nothing of it.
    await open('dl-linked', s.instanceId, false);
    await runContainment(deps, 'dl-linked');
    expect(await groupsOf(s.instanceId)).toEqual(['datalek-isolation', 'datalek-isolation']);
    await open('dl-keyed', s.instanceId, true);

    await runContainment(deps, 'dl-keyed');
    const keyed = ((await store.getIncident('dl-keyed')) as Incident).actions[0];
    // Found isolated already: left to the incident whose record holds it (review7 Y13), not a failure to retry.
    expect(keyed).toMatchObject({ status: 'skipped', heldBy: 'dl-linked' });
    expect((keyed.steps ?? []).find((st) => st.status === 'failed')?.code).toBe('AlreadyIsolated');
    // Nothing of it can be released: no step was done.
    expect((keyed.steps ?? []).filter((st) => st.status === 'done').map((st) => st.name)).toEqual([]);
    expect(JSON.stringify(keyed.evidence ?? {})).not.toContain('datalek-isolation');

    // Left to dl-linked, dl-keyed's need of it now stops a release that does not name it.
    await expect(releaseContainment(deps, { incidentId: 'dl-linked', by: 'oncall', reason: 'vals positief' })).rejects.toThrow(/dl-keyed/);
    await releaseContainment(deps, { incidentId: 'dl-linked', by: 'oncall', reason: 'vals positief', undoFor: ['dl-keyed'] });
    expect(await groupsOf(s.instanceId)).toEqual(own);
    const handedBack = ((await store.getIncident('dl-keyed')) as Incident).actions[0];
    // Handed back: told it is no longer contained.
    expect(handedBack).toMatchObject({ status: 'planned' });
    expect(handedBack.heldBy).toBeUndefined();
  });
});
