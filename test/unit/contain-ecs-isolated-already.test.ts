/**
 * An ECS task is planned on no correlation key, so two incidents may both isolate it; the second
 * found its interface in datalek's isolation group and recorded that group as the one to restore
 * (the last read, L1: a release would keep it cut). Its capture now fails, naming the interface,
 * and nothing of the isolation group is recorded. (EC2 instances: contain-held-elsewhere-aws.test.ts.)
 */
import { expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { isolateEcsTask } from '../../handlers/adapters/aws/containment/ecs.js';
import type { StepRecord } from '../../handlers/core/incident.js';
import { incidentFixture } from '../support/incidents.js';

const TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/payments/0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const NOW = '2026-11-29T08:00:00.000Z';

it('an ECS task whose interface is in the isolation group already is not isolated again under another incident', async () => {
  const sent: string[] = [];
  const answer = (command: { constructor: { name: string } }) => {
    sent.push(command.constructor.name);
    if (command.constructor.name === 'DescribeTasksCommand')
      return {
        tasks: [{ taskArn: TASK, attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'networkInterfaceId', value: 'eni-0task' }] }] }],
      };
    if (command.constructor.name === 'DescribeNetworkInterfacesCommand')
      return { NetworkInterfaces: [{ NetworkInterfaceId: 'eni-0task', VpcId: 'vpc-1', Groups: [{ GroupId: 'sg-iso', GroupName: 'datalek-isolation' }] }] };
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
      record: async (step, evidence) => {
        recorded.push({ step, evidence });
      },
    },
    () => NOW,
  );
  expect(recorded).toEqual([{ step: expect.objectContaining({ name: 'capture-task', status: 'failed', code: 'AlreadyIsolated' }), evidence: undefined }]);
  expect(recorded[0].step.detail).toContain('eni-0task');
  expect(sent).toEqual(['DescribeTasksCommand', 'DescribeNetworkInterfacesCommand']);
});
