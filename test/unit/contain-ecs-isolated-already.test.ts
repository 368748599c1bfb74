/**
 * An ECS task is planned on no correlation key, so two incidents may both isolate it; the second
 * found its interface in datalek's isolation group and recorded that group as the one to restore
 * (the last read, L1: a release would keep it cut). Its capture now fails, naming the interface,
 * and nothing of the isolation group is recorded. (EC2 instances: contain-held-elsewhere-aws.test.ts.)
 * The isolation group is datalek's by its tag, the record of the incident that tag names, and its lack
 * of rules, never by its name (review8 R1) nor by its tags alone (anyone may tag a group so).
 */
import { expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { isolateEcsTask } from '../../handlers/adapters/aws/containment/ecs.js';
import type { StepRecord } from '../../handlers/core/incident.js';
import { incidentFixture } from '../support/incidents.js';

const TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/payments/0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const NOW = '2026-11-29T08:00:00.000Z';
const DATALEK_ISOLATION = {
  GroupId: 'sg-iso',
  GroupName: 'datalek-isolation',
  VpcId: 'vpc-1',
  Tags: [
    { Key: 'datalek:role', Value: 'datalek-isolation' },
    { Key: 'datalek:created-for', Value: 'dl-first' },
  ],
};
/** What the store's records say: dl-first made (and used) sg-iso; no other incident names a group. */
const RECORDED: Record<string, ReadonlyMap<string, 'allTraffic' | 'isolation'>> = { 'dl-first': new Map([['sg-iso', 'isolation']]) };

/** Captures the task whose one interface is in `group`, with `tagged` the pipeline's groups EC2 finds by tag; what the steps recorded, and the calls sent. */
async function capture(group: { GroupId: string; GroupName: string }, tagged: object[]) {
  const sent: string[] = [];
  const answer = (command: { constructor: { name: string } }) => {
    sent.push(command.constructor.name);
    if (command.constructor.name === 'DescribeTasksCommand')
      return {
        tasks: [{ taskArn: TASK, attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'networkInterfaceId', value: 'eni-0task' }] }] }],
      };
    if (command.constructor.name === 'DescribeNetworkInterfacesCommand')
      return { NetworkInterfaces: [{ NetworkInterfaceId: 'eni-0task', VpcId: 'vpc-1', Groups: [group] }] };
    if (command.constructor.name === 'DescribeSecurityGroupsCommand') return { SecurityGroups: tagged };
    throw new Error(`not expected: ${command.constructor.name}`);
  };
  const c = { ecs: { send: async (x: never) => answer(x) }, ec2: { send: async (x: never) => answer(x) } } as unknown as ContainmentClients;
  const recorded: { step: StepRecord; evidence?: Record<string, unknown> }[] = [];
  const action = {
    id: `isolate-ecs-task:${TASK}`,
    type: 'isolate-ecs-task',
    target: TASK,
    status: 'planned' as const,
    mode: 'enforce' as const,
    findingId: 'f-1',
    at: NOW,
    params: { cluster: 'payments' },
  };
  await isolateEcsTask(
    c,
    action,
    incidentFixture({ id: 'dl-second' }),
    {
      incident: incidentFixture({ id: 'dl-second' }),
      done: new Set(),
      evidence: {},
      recordedGroups: async (id) => RECORDED[id] ?? new Map(),
      record: async (step, evidence) => {
        recorded.push({ step, evidence });
      },
    },
    () => NOW,
  );
  return { recorded, sent };
}

it('an ECS task whose interface is in the isolation group already is not isolated again under another incident', async () => {
  const { recorded, sent } = await capture(DATALEK_ISOLATION, [{ ...DATALEK_ISOLATION, IpPermissions: [], IpPermissionsEgress: [] }]);
  // What it found stays on the record (the capture's progress), for the drift check to read back under this incident.
  expect(recorded).toEqual([
    {
      step: expect.objectContaining({ name: 'capture-task', status: 'failed', code: 'AlreadyIsolated' }),
      evidence: { 'progress:capture-task': { foundIsolated: [{ id: 'eni-0task', group: DATALEK_ISOLATION.GroupId }] } },
    },
  ]);
  expect(recorded[0].step.detail).toContain('eni-0task');
  expect(sent).toEqual(['DescribeTasksCommand', 'DescribeNetworkInterfacesCommand', 'DescribeSecurityGroupsCommand']);
});

it('an ECS task whose interface is in a group merely NAMED datalek-isolation is taken up, that group recorded as its own', async () => {
  // No datalek tag: the attacker's group (or anyone's), and the VPC has none of datalek's yet.
  const { recorded } = await capture({ GroupId: 'sg-fake', GroupName: 'datalek-isolation' }, []);
  expect(recorded[0]).toMatchObject({ step: { name: 'capture-task', status: 'done' } });
  expect((recorded[0].evidence?.task as { networkInterfaces: unknown } | undefined)?.networkInterfaces).toEqual([{ id: 'eni-0task', groups: ['sg-fake'] }]);
});

it("an ECS task in datalek's isolation group with a rule in it is not isolated: taken up, not left as found", async () => {
  const opened = { ...DATALEK_ISOLATION, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], IpPermissionsEgress: [] };
  const { recorded } = await capture(DATALEK_ISOLATION, [opened]);
  expect(recorded[0]).toMatchObject({ step: { name: 'capture-task', status: 'done' } });
});

it("an ECS task whose interface is in a group TAGGED as datalek's isolation group, but named by no record, is taken up", async () => {
  // The attacker's: tagged as datalek tags its groups, naming a real incident whose record holds another group, without rules.
  const selfTagged = { ...DATALEK_ISOLATION, GroupId: 'sg-self-tagged', IpPermissions: [], IpPermissionsEgress: [] };
  const { recorded } = await capture(selfTagged, [selfTagged]);
  expect(recorded[0]).toMatchObject({ step: { name: 'capture-task', status: 'done' } });
  expect((recorded[0].evidence?.task as { networkInterfaces: unknown } | undefined)?.networkInterfaces).toEqual([
    { id: 'eni-0task', groups: ['sg-self-tagged'] },
  ]);
});
