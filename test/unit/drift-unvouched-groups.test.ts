/**
 * The last note's "Still left" (containment): drift did not read the groups a groups step found
 * tagged as made for the incident that no record vouches for (`orphanGroups` with datalek's name,
 * `taggedGroups` without; network-isolation.ts). datalek never uses nor changes them, so nothing
 * looked at them again: someone who later put an interface in a killed run's group, or rules on it,
 * went unseen by `show`/`verify --target aws`. Drift now reads them, whatever became of the action,
 * and says plainly what to do: a killed run's group with an interface in it, or more rules than that
 * run left, is DRIFTED; unused, it is to be deleted; deleted, nothing is left to do. Someone else's
 * group carrying datalek's tags is never to be deleted: its tags are to be removed.
 */
import { expect, it } from 'vitest';
import { type ContainmentCheck, checkContainment, drifted, driftLines, type Observation } from '../../handlers/core/drift.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-28T10:00:00.000Z';
const incident = incidentFixture({
  id: 'dl-killed',
  actions: [
    doneIsolation('i-1', {
      evidence: {
        metadata: { instanceId: 'i-1', networkInterfaces: [{ id: 'eni-a', groups: ['sg-app'] }] },
        groups: { allTraffic: 'sg-all', isolation: 'sg-iso' },
        orphanGroups: ['sg-orphan-iso', 'sg-orphan-all'],
        taggedGroups: ['sg-prod'],
      },
      steps: [{ name: 'isolate-eni:eni-a', status: 'done', at: NOW }],
    }),
  ],
});

type Group = Extract<Observation, { read: 'unvouched-group' }>;
const group = (name: string, over: Partial<Group> = {}): Group => ({
  read: 'unvouched-group',
  name,
  inbound: 0,
  outbound: 1,
  interfaces: [],
  createdFor: 'dl-killed',
  ...over,
});
/** AWS as the test sets it: the incident's own containment in place, the unvouched groups as `groups` says. */
const reader = (groups: Record<string, Observation>) => ({
  read: async (checks: readonly ContainmentCheck[]): Promise<Observation[]> =>
    checks.map((c): Observation => {
      switch (c.expect.kind) {
        case 'unvouched-group':
          return groups[c.expect.groupId];
        case 'interface':
          return { read: 'interface', groups: ['sg-iso'] };
        case 'instance':
          return { read: 'instance', state: 'running', interfaces: [{ id: 'eni-a', groups: ['sg-iso'] }] };
        case 'isolation-group':
          return { read: 'group-rules', inbound: 0, outbound: 0 };
        default:
          return { read: 'error', code: 'NotInThisTest', message: c.expect.kind };
      }
    }),
});
const entry = (report: Awaited<ReturnType<typeof checkContainment>>, groupId: string) =>
  report.resources.find((r) => r.resource.startsWith(`security group ${groupId} `));

it('as the killed run left them: in place, each with what to do (delete the killed run’s, untag the other); verify passes', async () => {
  const report = await checkContainment(
    [incident],
    reader({
      'sg-orphan-iso': group('datalek-isolation'),
      'sg-orphan-all': group('datalek-all-traffic', { inbound: 1 }),
      'sg-prod': group('payments-db', { inbound: 3, outbound: 1, interfaces: ['eni-db'] }),
    }),
    NOW,
  );
  expect(entry(report, 'sg-orphan-iso')).toMatchObject({
    state: 'in-place',
    todo: expect.stringContaining('aws ec2 delete-security-group --group-id sg-orphan-iso'),
  });
  expect(entry(report, 'sg-orphan-all')).toMatchObject({ state: 'in-place' });
  // Someone else's group: its members are theirs, never "delete it".
  expect(entry(report, 'sg-prod')).toMatchObject({ state: 'in-place', todo: expect.stringContaining('remove the tags') });
  expect(entry(report, 'sg-prod')?.todo).toContain('do not delete the group');
  expect(drifted(report)).toBe(false);
  expect(driftLines(report, false).join('\n')).toContain('do:          delete it (aws ec2 delete-security-group --group-id sg-orphan-iso)');
});

it('an interface put in a killed run’s group, or rules added to one: DRIFTED, verify fails; deleted: nothing left to do', async () => {
  const report = await checkContainment(
    [incident],
    reader({
      'sg-orphan-iso': group('datalek-isolation', { inbound: 1, interfaces: ['eni-x'] }),
      'sg-orphan-all': group('datalek-all-traffic', { inbound: 2 }),
      'sg-prod': { read: 'missing', what: 'security group' },
    }),
    NOW,
  );
  expect(entry(report, 'sg-orphan-iso')).toMatchObject({
    state: 'drifted',
    actual: expect.stringContaining('eni-x'),
    todo: expect.stringContaining('CloudTrail'),
  });
  expect(entry(report, 'sg-orphan-all')).toMatchObject({ state: 'drifted', actual: expect.stringContaining('more than the run that made it left') });
  expect(entry(report, 'sg-prod')).toMatchObject({ state: 'in-place', actual: expect.stringContaining('deleted') });
  expect(drifted(report)).toBe(true);
});

it('an action left to the incident whose run found them: read once, under that incident, not again under the one that left it', async () => {
  const left = incidentFixture({
    id: 'dl-left',
    actions: [
      {
        id: 'isolate-instance:i-1',
        type: 'isolate-instance',
        target: 'i-1',
        status: 'skipped',
        mode: 'enforce',
        findingId: 'f-2',
        at: NOW,
        heldBy: 'dl-killed',
      },
    ],
  });
  const report = await checkContainment(
    [incident, left],
    reader({ 'sg-orphan-iso': group('datalek-isolation'), 'sg-orphan-all': group('datalek-all-traffic'), 'sg-prod': group('payments-db') }),
    NOW,
    (id) => (id === 'dl-killed' ? incident : undefined),
  );
  const groups = report.resources.filter((r) => r.resource.startsWith('security group '));
  expect(groups.map((r) => r.incidentId)).toEqual(['dl-killed', 'dl-killed', 'dl-killed']);
  // The instance itself is read under both.
  expect(report.resources.some((r) => r.incidentId === 'dl-left' && r.heldBy === 'dl-killed')).toBe(true);
});
