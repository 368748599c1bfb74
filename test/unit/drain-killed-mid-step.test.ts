/**
 * attack16 K6: a contain run killed inside the ECS drain (after UpdateContainerInstancesState DRAINING,
 * before its step was recorded) keeps no progress. Its retry found the instance DRAINING and recorded
 * it "left as found", so the release never set it ACTIVE again: out of task placement for good. The
 * drain now marks the container instance with the incident (ecs.ts `DRAINED_BY`) before draining it;
 * a retry reads its own mark, and the release removes it. A mark the record does not say the run put
 * (contain17: anyone who may write ECS attributes can put it) is not taken for its drain.
 */
import { expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import {
  activateContainerInstances,
  DRAINED_BY,
  type DrainedContainerInstance,
  type DrainMarks,
  drainContainerInstance,
} from '../../handlers/adapters/aws/containment/ecs.js';

const CLUSTER = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';
const CI = 'arn:aws:ecs:eu-west-1:111122223333:container-instance/prod/0a1b2c3d';
const INSTANCE = 'i-0a1b2c3d4e5f6a7b8';

/** ECS as the drain and the release see it: one cluster, the instance's container instance ACTIVE, its custom attributes. */
function ecsWorld(status = 'ACTIVE', refused: Record<string, string> = {}) {
  const state = { status, attributes: new Map<string, string>() };
  type Attr = { name: string; value: string; targetId: string };
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const attrs = (command.input.attributes ?? []) as Attr[];
    const code = refused[command.constructor.name];
    if (code) throw Object.assign(new Error(`${code}: ${command.constructor.name} refused`), { name: code });
    switch (command.constructor.name) {
      case 'ListClustersCommand':
        return { clusterArns: [CLUSTER] };
      case 'ListContainerInstancesCommand':
        return { containerInstanceArns: [CI] };
      case 'DescribeContainerInstancesCommand': {
        const attributes = [...state.attributes].map(([name, value]) => ({ name, value }));
        return { containerInstances: [{ containerInstanceArn: CI, ec2InstanceId: INSTANCE, status: state.status, attributes }] };
      }
      case 'UpdateContainerInstancesStateCommand':
        state.status = String(command.input.status);
        return { failures: [] };
      case 'PutAttributesCommand':
        for (const a of attrs) if (a.targetId === CI) state.attributes.set(a.name, a.value);
        return {};
      case 'DeleteAttributesCommand':
        for (const a of attrs) if (a.targetId === CI && state.attributes.get(a.name) === a.value) state.attributes.delete(a.name);
        return {};
      default:
        throw new Error(`unexpected ${command.constructor.name}`);
    }
  };
  return { state, clients: { ecs: { send } } as unknown as ContainmentClients };
}

const drainedOf = (out: { evidence?: Record<string, unknown> }) => (out.evidence?.containerInstances ?? []) as DrainedContainerInstance[];

/** The record's marks (ecs.ts DrainMarks), kept across runs as the incident's record keeps them. */
function recordOf(): DrainMarks & { held: string[] } {
  const marks = {
    held: [] as string[],
    get recorded() {
      return marks.held;
    },
    record: async (arns: string[]) => {
      marks.held = [...arns];
    },
  };
  return marks;
}

it("a drain killed before its step was recorded is still this isolation's: the retry records it drained, the release sets it ACTIVE and removes the mark", async () => {
  const { state, clients } = ecsWorld();
  // Run 1 marks (the mark recorded before the drain), drains, then is killed before `step` records anything: its progress is lost with it.
  const record = recordOf();
  await drainContainerInstance(clients, INSTANCE, 'dl-0001', {}, undefined, record);
  expect(state.status, 'premise: datalek drained it').toBe('DRAINING');
  expect(record.held).toEqual([CI]);
  // The retry after the lease ran out, with no progress.
  const retry = await drainContainerInstance(clients, INSTANCE, 'dl-0001', {}, undefined, record);
  expect(drainedOf(retry)).toEqual([{ cluster: CLUSTER, arn: CI, before: 'ACTIVE', drainedBy: 'dl-0001' }]);
  expect(retry.detail).toContain(`1 found DRAINING with this incident's ${DRAINED_BY} mark`);
  await activateContainerInstances(clients, drainedOf(retry));
  expect([state.status, [...state.attributes.keys()]]).toEqual(['ACTIVE', []]);
});

// contain17 item 4: anyone who may write ECS attributes and knows the incident id can put the mark; the
// retry took it for its own drain, and the release set the instance ACTIVE. Only a mark the record holds counts.
it("this incident's mark on a DRAINING instance the record does not say it marked: not taken for its drain, named, and the release leaves it DRAINING", async () => {
  const { state, clients } = ecsWorld('DRAINING');
  state.attributes.set(DRAINED_BY, 'dl-0001');
  const out = await drainContainerInstance(clients, INSTANCE, 'dl-0001', {}, undefined, recordOf());
  expect(drainedOf(out)).toEqual([{ cluster: CLUSTER, arn: CI, before: 'DRAINING' }]);
  expect(out.detail).not.toContain('drained by an earlier run');
  expect(out.detail).toContain(`this incident's ${DRAINED_BY} mark found on ${CI} DRAINING, which the record does not say this isolation marked`);
  await activateContainerInstances(clients, drainedOf(out));
  expect(state.status).toBe('DRAINING');
});

it("this incident's mark found on an ACTIVE instance the record does not hold: drained, and the mark recorded as this isolation's", async () => {
  const { state, clients } = ecsWorld('ACTIVE');
  state.attributes.set(DRAINED_BY, 'dl-0001');
  const record = recordOf();
  const out = await drainContainerInstance(clients, INSTANCE, 'dl-0001', {}, undefined, record);
  expect([state.status, record.held]).toEqual(['DRAINING', [CI]]);
  expect(drainedOf(out)).toEqual([{ cluster: CLUSTER, arn: CI, before: 'ACTIVE', drainedBy: 'dl-0001' }]);
});

it("found DRAINING with another incident's mark, or none: left as found, and the release leaves it DRAINING", async () => {
  for (const mark of ['dl-other', undefined]) {
    const { state, clients } = ecsWorld('DRAINING');
    if (mark) state.attributes.set(DRAINED_BY, mark);
    const out = await drainContainerInstance(clients, INSTANCE, 'dl-0001', {});
    expect(drainedOf(out)).toEqual([{ cluster: CLUSTER, arn: CI, before: 'DRAINING' }]);
    await activateContainerInstances(clients, drainedOf(out));
    expect(state.status).toBe('DRAINING');
  }
});

it("a member account's containment role from before the mark (PutAttributes denied, E2's case): drained unmarked, the refusal and the redeploy said, no mark to remove on release", async () => {
  const denied = 'AccessDeniedException';
  const { state, clients } = ecsWorld('ACTIVE', { PutAttributesCommand: denied, DeleteAttributesCommand: denied });
  const out = await drainContainerInstance(clients, INSTANCE, 'dl-0001', {});
  expect([out.status, state.status]).toEqual(['done', 'DRAINING']);
  expect(drainedOf(out)).toEqual([{ cluster: CLUSTER, arn: CI, before: 'ACTIVE' }]);
  expect(out.detail).toContain('AccessDeniedException on PutAttributes');
  expect(out.detail).toContain('redeploy');
  await activateContainerInstances(clients, drainedOf(out));
  expect(state.status).toBe('ACTIVE');
});

it("a container instance carrying ECS's 10 custom attributes (AttributeLimitExceededException on the mark): drained unmarked, the code said (readC16 C2)", async () => {
  const { state, clients } = ecsWorld('ACTIVE', { PutAttributesCommand: 'AttributeLimitExceededException' });
  const progress: Record<string, unknown> = {};
  const out = await drainContainerInstance(clients, INSTANCE, 'dl-0001', progress);
  expect([out.status, state.status, progress.drained]).toEqual(['done', 'DRAINING', [CI]]);
  expect(drainedOf(out)).toEqual([{ cluster: CLUSTER, arn: CI, before: 'ACTIVE' }]);
  expect(out.detail).toContain('AttributeLimitExceededException on PutAttributes');
});

it('a release whose removal of the mark is refused (DeleteAttributes denied) still reads ACTIVE done, the mark named as left (readC16 C2)', async () => {
  const { state, clients } = ecsWorld('ACTIVE', { DeleteAttributesCommand: 'AccessDeniedException' });
  const out = await drainContainerInstance(clients, INSTANCE, 'dl-0001', {});
  const said = await activateContainerInstances(clients, drainedOf(out));
  expect([state.status, state.attributes.get(DRAINED_BY)]).toEqual(['ACTIVE', 'dl-0001']);
  expect(said).toContain(`${DRAINED_BY} left on 1 ${CI} (AccessDeniedException on DeleteAttributes)`);
});

// readC17: the record is what the retry trusts, not the mark. A run killed after its drain (mark put and
// recorded) whose mark someone then deleted (ecs:DeleteAttributes, as they may put one) left the retry
// reading the instance "left as found" DRAINING: the release never set it ACTIVE, and drift stopped
// expecting it DRAINING, so an ACTIVE set later went unseen.
it('a drain the record says this isolation marked, found DRAINING with the mark deleted: still its own, released ACTIVE', async () => {
  const { state, clients } = ecsWorld();
  const record = recordOf();
  await drainContainerInstance(clients, INSTANCE, 'dl-0001', {}, undefined, record);
  expect([state.status, record.held], 'premise: drained, the mark recorded').toEqual(['DRAINING', [CI]]);
  state.attributes.delete(DRAINED_BY);
  const retry = await drainContainerInstance(clients, INSTANCE, 'dl-0001', {}, undefined, record);
  expect(drainedOf(retry)).toEqual([{ cluster: CLUSTER, arn: CI, before: 'ACTIVE' }]);
  expect(retry.detail).toContain(`the mark deleted since on ${CI}`);
  await activateContainerInstances(clients, drainedOf(retry));
  expect(state.status).toBe('ACTIVE');
});

// contain20: a retry whose progress names the instance as drained took it as drained, whatever it found. Set
// ACTIVE since (a release that undid part of the isolation sets ACTIVE what a failed drain step drained; or a
// person), it stayed ACTIVE under a record saying drained: ECS placing tasks on it, drift reading NOT CONTAINED.
it('a retry whose progress names the instance drained, found ACTIVE: drained again', async () => {
  const { state, clients } = ecsWorld('ACTIVE');
  const progress: Record<string, unknown> = { drained: [CI], drainedIn: { [CI]: CLUSTER } };
  const out = await drainContainerInstance(clients, INSTANCE, 'dl-0001', progress, undefined, recordOf());
  expect([out.status, state.status, progress.drained]).toEqual(['done', 'DRAINING', [CI]]);
  expect(drainedOf(out)).toEqual([{ cluster: CLUSTER, arn: CI, before: 'ACTIVE', drainedBy: 'dl-0001' }]);
});
