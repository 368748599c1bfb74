/**
 * A run that takes up a failed isolation again after a release touched it (the last read, L2): a
 * partial release restored one interface's groups and not another's (`partlyReleased`), or a
 * release crashed and its `releasing` mark ran out. The action's steps still read each interface
 * isolated (a release never rewrites them), so the run skipped the restored interface and could
 * record the action done while that interface was on the network. It re-checks them instead, and
 * isolates again what the release restored.
 */
import { DescribeNetworkInterfacesCommand, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import type { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { containmentWorld } from '../support/containment-world.js';
import { buildScenario, showOwnInterfaceGroups } from '../support/ec2-scenario.js';
import { incidentFixture, storeInstanceFinding } from '../support/incidents.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

const ACCOUNT = '111122223333';
const NOW = '2026-11-29T08:00:00.000Z';

describe.skipIf(!MOTO_AVAILABLE)('a failed isolation taken up again after a release touched it, on moto', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  let c: ContainmentClients;
  let deps: ContainDeps;
  let n = 0;

  beforeAll(async () => {
    const { factory, ...world } = await containmentWorld(ACCOUNT);
    ({ moto, store, c } = world);
    deps = { store, policy: DEFAULT_POLICY, now: () => NOW, containment: new AwsContainment(factory), forceEnforce: true };
  });
  afterAll(async () => moto?.stop());

  const groupsOf = async (eni: string) =>
    ((await c.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] }))).NetworkInterfaces?.[0].Groups ?? []).map((g) => g.GroupName);

  it.each([
    [
      'a partial release restored one interface',
      (a: ActionRecord, restored: string, kept: string) => {
        a.partlyReleased = { at: NOW, by: 'oncall', reason: 'vals positief', undone: [`isolate-eni:${restored}`], stillInEffect: [`isolate-eni:${kept}`] };
      },
    ],
    [
      'a release crashed after restoring one interface, its mark run out',
      (a: ActionRecord) => {
        a.releasing = { at: '2026-11-29T07:00:00.000Z', by: 'oncall', until: '2026-11-29T07:15:00.000Z' };
      },
    ],
  ])('%s: the run isolates it again before it records the action done', async (_, touch) => {
    n += 1;
    const id = `dl-l2-${n}`;
    const s = await buildScenario(c);
    await showOwnInterfaceGroups(c.ec2, [s.instanceId]);
    const action: ActionRecord = {
      id: `isolate-instance:${s.instanceId}`,
      type: 'isolate-instance',
      target: s.instanceId,
      status: 'planned',
      mode: 'enforce',
      findingId: `f-${id}`,
      at: NOW,
    };
    await store.commit({ incident: incidentFixture({ id, actions: [action] }), expectedRevision: null, timeline: [], messages: [] });
    await storeInstanceFinding(store, id, `f-${id}`, s.instanceId);
    await runContainment(deps, id);
    const isolated = (await store.getIncident(id)) as Incident;
    const enis = (isolated.actions[0].steps ?? []).filter((st) => st.name.startsWith('isolate-eni:')).map((st) => st.name.slice('isolate-eni:'.length));
    expect(enis).toHaveLength(2);
    const [restored, kept] = enis;
    expect(await groupsOf(restored)).toEqual(['datalek-isolation']);

    // As the record stands after: a later step failed (the action failed, so a run takes it up
    // again), and a release restored the first interface's own groups, not the second's.
    const metadata = isolated.actions[0].evidence?.metadata as { networkInterfaces: { id: string; groups: string[] }[] };
    const own = metadata.networkInterfaces.find((e) => e.id === restored)?.groups ?? [];
    await c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: restored, Groups: own }));
    await changeIncident(deps, id, (draft) => {
      const a = draft.actions[0];
      a.status = 'failed';
      a.steps = (a.steps ?? []).map((st) => (st.name === 'tag-instance' ? { ...st, status: 'failed' as const, code: 'Throttling', detail: 'throttled' } : st));
      touch(a, restored, kept);
      return { entries: [] };
    });
    expect(await groupsOf(restored)).not.toContain('datalek-isolation');

    await runContainment(deps, id);
    const after = ((await store.getIncident(id)) as Incident).actions[0];
    expect(await groupsOf(restored)).toEqual(['datalek-isolation']);
    expect(await groupsOf(kept)).toEqual(['datalek-isolation']);
    expect(after.status).toBe('done');
    // Wholly in effect again: no longer read as partly released.
    expect(after.partlyReleased).toBeUndefined();
  });
});
