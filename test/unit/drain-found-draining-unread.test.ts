/**
 * review15 K5: an isolation that finds the instance's container instance DRAINING already (unmarked, or
 * marked by another incident) records it "left as found" (ecs.ts), and drift expected nothing of it
 * (`drainedExpectations` read back only those found ACTIVE). Whoever set it DRAINING before the isolation
 * (a member-account principal who saw the finding) set it ACTIVE once the isolation was done: ECS could
 * place tasks on the isolated instance again while `show`/`verify --target aws` read CONTAINED. What must
 * hold while isolated (DRAINING) does not depend on who drained it; only what the release undoes does
 * (test/integration/drain-mark-forged.test.ts, on moto). Failed before the fix: found DRAINING gave no check.
 */
import { describe, expect, it } from 'vitest';
import { type ContainmentCheck, expectedContainment, judge } from '../../handlers/core/drift.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-28T10:00:00.000Z';
const CLUSTER = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';
const CI = 'arn:aws:ecs:eu-west-1:111122223333:container-instance/prod/0a1b2c3d';
const INSTANCE = 'i-0a1b2c3d4e5f6a7b8';

/** An isolation as the AWS adapter records it, its drain having found the container instance `found` (ecs.ts evidence). */
function isolation(found: Record<string, unknown>, released = false): ActionRecord {
  return {
    id: `isolate-instance:${INSTANCE}`,
    type: 'isolate-instance',
    target: INSTANCE,
    status: 'done',
    mode: 'enforce',
    findingId: 'f-1',
    at: NOW,
    ...(released ? { released: { at: NOW, by: 'anna', reason: 'pentest' } } : {}),
    steps: [
      { name: 'isolate-eni:eni-a', status: 'done', at: NOW },
      { name: 'drain-container-instance', status: 'done', at: NOW, detail: '…' },
    ],
    evidence: {
      groups: { isolation: 'sg-iso' },
      metadata: { instanceId: INSTANCE, networkInterfaces: [{ id: 'eni-a', groups: ['sg-web'] }] },
      containerInstances: [{ cluster: CLUSTER, arn: CI, ...found }],
    },
  };
}

const containerChecks = (action: ActionRecord): ContainmentCheck[] =>
  expectedContainment(incidentFixture({ id: 'dl-0001', actions: [action] }), NOW).checks.filter((c) => c.expect.kind === 'container-instance');

describe('drift reads back every container instance the isolation found, whoever drained it', () => {
  it.each([
    ['drained by the isolation (premise)', { before: 'ACTIVE', drainedBy: 'dl-0001' }],
    ['found DRAINING, unmarked', { before: 'DRAINING' }],
    ["found DRAINING with another incident's mark (or a forged one: left as found)", { before: 'DRAINING' }],
    ['found DEREGISTERING', { before: 'DEREGISTERING' }],
  ])('%s: expected DRAINING while isolated', (_, found) => {
    const [check, ...more] = containerChecks(isolation(found));
    expect(more).toEqual([]);
    expect(check?.expect).toEqual({
      kind: 'container-instance',
      cluster: CLUSTER,
      arn: CI,
      instanceId: INSTANCE,
      known: ['eni-a'],
      isolation: 'sg-iso',
      recorded: [CI],
    });
    // Set ACTIVE afterwards: NOT CONTAINED, as when the isolation drained it.
    expect(judge(check, { read: 'container-instance', status: 'ACTIVE', tasks: [] })).toMatchObject({
      state: 'drifted',
      actual: expect.stringMatching(/^ACTIVE: NOT CONTAINED/),
    });
    expect(judge(check, { read: 'container-instance', status: 'DRAINING', tasks: [] })).toMatchObject({ state: 'in-place' });
  });

  it('a container instance whose registration failed holds (no task is placed on it); after the release nothing is expected', () => {
    const [check] = containerChecks(isolation({ before: 'REGISTRATION_FAILED' }));
    expect(judge(check, { read: 'container-instance', status: 'REGISTRATION_FAILED', tasks: [] })).toMatchObject({ state: 'in-place' });
    expect(containerChecks(isolation({ before: 'DRAINING' }, true))).toEqual([]);
  });

  it("a task interface on it the record does not know, in its own groups (a task placed after the last run), is NOT CONTAINED, named; one in the isolation group, or the record's, is not", () => {
    const [check] = containerChecks(isolation({ before: 'ACTIVE', drainedBy: 'dl-0001' }));
    const task = (id: string, groups: string[]) => ({ id, task: `arn:aws:ecs:eu-west-1:123456789012:task/c/${id}-task`, groups });
    expect(judge(check, { read: 'container-instance', status: 'DRAINING', tasks: [task('eni-a', ['sg-web']), task('eni-iso', ['sg-iso'])] })).toMatchObject({
      state: 'in-place',
    });
    expect(judge(check, { read: 'container-instance', status: 'DRAINING', tasks: [task('eni-new', ['sg-app'])] })).toMatchObject({
      state: 'drifted',
      actual: 'DRAINING; NOT CONTAINED: 1 task network interface(s) the record does not know: eni-new of task eni-new-task in sg-app',
    });
    expect(judge(check, { read: 'container-instance', status: 'DRAINING', tasks: [], tasksUnread: 'more tasks desired STOPPED than read' })).toMatchObject({
      state: 'drifted',
    });
  });
});

/**
 * contain22: an isolated instance registered in ECS since, in the recorded cluster or any other (a kept identity
 * document, any instance's credentials: no page), read in every cluster of the region. Before, verify read the
 * recorded cluster only, and an isolation whose drain found no container instance read no cluster at all.
 */
describe("drift reads an isolated instance's registrations in every cluster of the region", () => {
  const registrationChecks = (action: ActionRecord): ContainmentCheck[] =>
    expectedContainment(incidentFixture({ id: 'dl-0001', actions: [action] }), NOW).checks.filter((c) => c.expect.kind === 'ecs-registration');
  const OTHER = 'arn:aws:ecs:eu-west-1:111122223333:container-instance/batch/9f8e7d6c';

  it('an isolation whose drain found none reads it too; one without the drain step in its record (before contain15) does not', () => {
    const none = isolation({ before: 'ACTIVE' });
    none.steps = [
      { name: 'isolate-eni:eni-a', status: 'done', at: NOW },
      { name: 'drain-container-instance', status: 'skipped', at: NOW, detail: 'not a container instance in any of the region’s 2 ECS cluster(s)' },
    ];
    delete none.evidence?.containerInstances;
    const [check, ...more] = registrationChecks(none);
    expect(more).toEqual([]);
    expect(check?.expect).toEqual({ kind: 'ecs-registration', instanceId: INSTANCE, recorded: [] });
    expect(judge(check, { read: 'ecs-registrations', found: [] })).toMatchObject({ state: 'in-place' });
    expect(
      judge(check, { read: 'ecs-registrations', found: [{ cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/batch', arn: OTHER, status: 'ACTIVE' }] }),
    ).toMatchObject({
      state: 'drifted',
      actual: expect.stringContaining(
        'NOT CONTAINED: registered in ECS since its isolation, as container instance(s) the record does not name: 9f8e7d6c in cluster batch (ACTIVE)',
      ),
    });
    expect(registrationChecks({ ...none, steps: [{ name: 'isolate-eni:eni-a', status: 'done', at: NOW }] })).toEqual([]);
  });

  it('the container instances the drain found are the record’s; one more of any status but INACTIVE, or clusters not read, is not in place', () => {
    const [check] = registrationChecks(isolation({ before: 'ACTIVE', drainedBy: 'dl-0001' }));
    expect(check?.expect).toEqual({ kind: 'ecs-registration', instanceId: INSTANCE, recorded: [CI] });
    expect(judge(check, { read: 'ecs-registrations', found: [{ cluster: CLUSTER, arn: CI, status: 'DRAINING' }] })).toMatchObject({ state: 'in-place' });
    expect(judge(check, { read: 'ecs-registrations', found: [{ cluster: CLUSTER, arn: OTHER, status: 'DRAINING' }] })).toMatchObject({ state: 'drifted' });
    expect(judge(check, { read: 'ecs-registrations', found: [], clustersUnread: 'the region has more than the 500 ECS cluster(s) read' })).toMatchObject({
      state: 'drifted',
      actual: 'NOT CONTAINED, maybe: the region has more than the 500 ECS cluster(s) read, not looked in',
    });
    expect(judge(check, { read: 'error', code: 'AccessDeniedException', message: 'not authorized to perform: ecs:ListClusters' })).toMatchObject({
      state: 'unreadable',
      todo: expect.stringContaining('ecs:ListClusters'),
    });
    expect(registrationChecks(isolation({ before: 'ACTIVE' }, true))).toEqual([]);
  });
});
