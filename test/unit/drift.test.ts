import { describe, expect, it } from 'vitest';
import { deniesAll, deniesBefore } from '../../handlers/adapters/aws/containment/drift.js';
import { revocationDocument } from '../../handlers/adapters/aws/containment/iam.js';
import { DENY_ALL_DOCUMENT } from '../../handlers/adapters/aws/containment/iam-users.js';
import { type ContainmentCheck, checkContainment, drifted, expectedContainment, type Observation, unread } from '../../handlers/core/drift.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-28T10:00:00.000Z';

/** An isolation of i-1 with two interfaces, each done. */
function isolation(over: Partial<ActionRecord> = {}): ActionRecord {
  return doneIsolation('i-1', {
    steps: [
      { name: 'capture-metadata', status: 'done', at: NOW },
      { name: 'prepare-isolation-groups', status: 'done', at: NOW },
      { name: 'isolate-eni:eni-a', status: 'done', at: NOW },
      { name: 'isolate-eni:eni-b', status: 'done', at: NOW },
    ],
    evidence: {
      metadata: {
        instanceId: 'i-1',
        networkInterfaces: [
          { id: 'eni-a', groups: ['sg-app'] },
          { id: 'eni-b', groups: ['sg-db'] },
        ],
      },
      groups: { allTraffic: 'sg-all', isolation: 'sg-iso' },
    },
    ...over,
  });
}

/** A reader answering from a table, by the check's resource (AWS's answers in a test: no network). */
function reader(answers: (c: ContainmentCheck) => Observation) {
  const asked: ContainmentCheck[][] = [];
  return {
    asked,
    read: async (checks: readonly ContainmentCheck[]) => {
      asked.push([...checks]);
      return checks.map(answers);
    },
  };
}

const inPlace = (c: ContainmentCheck): Observation => {
  switch (c.expect.kind) {
    case 'interface':
      return { read: 'interface', groups: ['sg-iso'] };
    case 'instance':
      return { read: 'instance', state: 'running', interfaces: [] };
    case 'isolation-group':
      return { read: 'group-rules', inbound: 0, outbound: 0 };
    default:
      throw new Error(`not in this test: ${c.expect.kind}`);
  }
};

describe('drift: the containment a record holds, against what AWS shows', () => {
  it('expects only what was done and is not undone: a failed interface, a released action, a restored interface are not read', () => {
    const incident = incidentFixture({
      actions: [
        isolation({
          steps: [
            { name: 'isolate-eni:eni-a', status: 'done', at: NOW },
            { name: 'isolate-eni:eni-b', status: 'failed', at: NOW, code: 'UnauthorizedOperation' },
          ],
        }),
        isolation({ id: 'isolate-instance:i-2', target: 'i-2', released: { at: NOW, by: 'anna', reason: 'false positive' } }),
        isolation({
          id: 'isolate-instance:i-3',
          target: 'i-3',
          partlyReleased: { at: NOW, by: 'anna', reason: 'r', undone: ['restore-eni:eni-a'], stillInEffect: ['restore-eni:eni-b'] },
        }),
        // Partly released, then isolated again by a containment run (contain.ts `recheck`).
        isolation({
          id: 'isolate-instance:i-4',
          target: 'i-4',
          steps: [
            { name: 'isolate-eni:eni-a', status: 'done', at: NOW },
            { name: 'isolate-eni:eni-a', status: 'done', at: '2026-11-28T11:00:00.000Z' },
          ],
          partlyReleased: { at: '2026-11-28T10:30:00.000Z', by: 'anna', reason: 'r', undone: ['restore-eni:eni-a'], stillInEffect: [] },
        }),
      ],
    });
    const { checks } = expectedContainment(incident, NOW);
    expect(checks.map((c) => `${c.actionId} ${c.expect.kind} ${'interfaceId' in c.expect ? c.expect.interfaceId : ''}`.trim())).toEqual([
      'isolate-instance:i-1 instance',
      'isolate-instance:i-1 interface eni-a',
      'isolate-instance:i-1 isolation-group',
      'isolate-instance:i-3 instance',
      'isolate-instance:i-3 interface eni-b',
      'isolate-instance:i-3 isolation-group',
      'isolate-instance:i-4 instance',
      'isolate-instance:i-4 interface eni-a',
      'isolate-instance:i-4 isolation-group',
    ]);
  });

  it('judges an interface in the isolation group only as in place, and anything else as drifted, the all-traffic group as OPEN', async () => {
    const incident = incidentFixture({ actions: [isolation()] });
    const groupsOf: Record<string, string[]> = { 'eni-a': ['sg-iso', 'sg-app'], 'eni-b': ['sg-all'] };
    const r = reader((c) => (c.expect.kind === 'interface' ? { read: 'interface', groups: groupsOf[c.expect.interfaceId] } : inPlace(c)));
    const report = await checkContainment([incident], r, NOW);
    const states = Object.fromEntries(report.resources.map((x) => [x.resource, `${x.state}: ${x.actual}`]));
    // Its isolation group beside another (as an emulator that adds the instance's groups shows it): not isolated.
    expect(states['network interface eni-a of i-1']).toBe('drifted: in sg-iso, sg-app: not isolated');
    expect(states['network interface eni-b of i-1']).toBe('drifted: OPEN: in the all-traffic group (sg-all)');
    expect(drifted(report)).toBe(true);
    // One read for the incident's checks together.
    expect(r.asked.length).toBe(1);
  });

  it('reports an interface attached behind the record’s back, not in the isolation group', async () => {
    const incident = incidentFixture({ actions: [isolation()] });
    const r = reader((c) =>
      c.expect.kind === 'instance'
        ? {
            read: 'instance',
            state: 'stopped',
            interfaces: [
              { id: 'eni-a', groups: ['sg-iso'] },
              { id: 'eni-new', groups: ['sg-open'] },
            ],
          }
        : inPlace(c),
    );
    const report = await checkContainment([incident], r, NOW);
    expect(report.resources.find((x) => x.resource === 'instance i-1')).toMatchObject({
      state: 'drifted',
      actual: '1 network interface(s) the record does not know attached: eni-new in sg-open',
    });
  });

  it('never takes a read that failed, or a reader that failed outright, for in place', async () => {
    const incident = incidentFixture({ actions: [isolation()] });
    const denied = reader(() => ({ read: 'error', code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' }));
    const report = await checkContainment([incident], denied, NOW);
    expect(report.resources.map((x) => x.state)).toEqual(['unreadable', 'unreadable', 'unreadable', 'unreadable']);
    expect(report.resources[1].todo).toBe('not known whether it is still in place: give the credentials ec2:DescribeNetworkInterfaces, or check it by hand');
    expect(unread(report)).toBe(true);
    expect(drifted(report)).toBe(false);
    const broken = {
      read: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
      },
    };
    const none = await checkContainment([incident], broken, NOW);
    expect(none.resources.every((x) => x.state === 'unreadable' && x.code === 'CredentialsProviderError')).toBe(true);
  });

  it('reads a revocation as in place only when it denies sessions from the recorded time', async () => {
    const action: ActionRecord = {
      id: 'revoke-role-sessions:app',
      type: 'revoke-role-sessions',
      target: 'app',
      status: 'done',
      mode: 'enforce',
      findingId: 'f',
      at: NOW,
      steps: [{ name: 'revoke-older-sessions', status: 'done', at: NOW }],
      evidence: { roleName: 'app', policyName: 'datalek-revoke-dl-test', issuedBefore: NOW },
    };
    const incident = incidentFixture({ actions: [action] });
    const answer = (deniesBefore: string | null) => reader(() => ({ read: 'revocation', deniesBefore }));
    expect((await checkContainment([incident], answer(NOW), NOW)).resources[0].state).toBe('in-place');
    // Moved back to an earlier time, sessions issued since are no longer denied.
    expect((await checkContainment([incident], answer('2026-11-01T00:00:00.000Z'), NOW)).resources[0]).toMatchObject({
      state: 'drifted',
      actual: 'denies sessions issued before 2026-11-01T00:00:00.000Z only',
    });
    const gone = await checkContainment(
      [incident],
      reader(() => ({ read: 'missing', what: 'role' })),
      NOW,
    );
    expect(gone.resources[0]).toMatchObject({ state: 'gone', actual: 'role not found' });
  });

  // cont (session 26): a console sign-in's deny-all on the user is read back beside the revocation; removed, or loosened, it is drifted.
  it("reads a console sign-in's deny-all on the IAM user as in place only when it denies everything", async () => {
    const action: ActionRecord = {
      id: 'revoke-user-sessions:iam-user:5f0c4e2a91b7d3e8',
      type: 'revoke-user-sessions',
      target: 'iam-user:5f0c4e2a91b7d3e8',
      status: 'done',
      mode: 'enforce',
      findingId: 'f',
      at: NOW,
      params: { userName: 'j.jansen', denyAll: 'console-sign-in' },
      steps: [
        { name: 'revoke-user-sessions', status: 'done', at: NOW },
        { name: 'deny-all', status: 'done', at: NOW },
      ],
      evidence: { userName: 'j.jansen', policyName: 'datalek-revoke-dl-test', issuedBefore: NOW, denyAllPolicyName: 'datalek-deny-all-dl-test' },
    };
    const incident = incidentFixture({ actions: [action] });
    const answer = (deniesAll: boolean) =>
      reader((c) =>
        c.expect.kind === 'revocation' && c.expect.policyName === 'datalek-deny-all-dl-test'
          ? { read: 'revocation', deniesBefore: null, deniesAll }
          : { read: 'revocation', deniesBefore: NOW, deniesAll: false },
      );
    const held = await checkContainment([incident], answer(true), NOW);
    expect(held.resources.map((r) => [r.resource, r.state, r.actual])).toEqual([
      ['inline policy datalek-revoke-dl-test on IAM user iam-user:5f0c4e2a91b7d3e8', 'in-place', `denies sessions issued before ${NOW}`],
      ['inline policy datalek-deny-all-dl-test on IAM user iam-user:5f0c4e2a91b7d3e8', 'in-place', 'denies every request'],
    ]);
    expect((await checkContainment([incident], answer(false), NOW)).resources[1]).toMatchObject({
      state: 'drifted',
      actual: 'the policy is there but is not the deny of everything',
    });
    const removed = reader((c) =>
      c.expect.kind === 'revocation' && c.expect.policyName === 'datalek-deny-all-dl-test'
        ? { read: 'missing', what: 'policy' }
        : { read: 'revocation', deniesBefore: NOW, deniesAll: false },
    );
    expect((await checkContainment([incident], removed, NOW)).resources[1]).toMatchObject({ state: 'drifted', actual: 'policy not found' });
    // Its release removed the deny-all and failed on the revocation: the revocation alone is read.
    const later = '2026-11-28T11:00:00.000Z';
    const partly = {
      ...action,
      partlyReleased: { at: later, by: 'on-call', reason: 'owner', undone: ['remove-deny-all'], stillInEffect: ['remove-revocation'] },
    };
    expect((await checkContainment([incidentFixture({ actions: [partly] })], answer(true), later)).resources.map((r) => r.resource)).toEqual([
      'inline policy datalek-revoke-dl-test on IAM user iam-user:5f0c4e2a91b7d3e8',
    ]);
    // The other way round (final read c #1): the revocation removed, the deny-all's removal failed. The
    // user is still denied everything, and the deny-all alone is read: it was read by no one.
    const other = {
      ...action,
      partlyReleased: { at: later, by: 'on-call', reason: 'owner', undone: ['remove-revocation'], stillInEffect: ['remove-deny-all'] },
    };
    expect((await checkContainment([incidentFixture({ actions: [other] })], removed, later)).resources).toEqual([
      expect.objectContaining({ resource: 'inline policy datalek-deny-all-dl-test on IAM user iam-user:5f0c4e2a91b7d3e8', state: 'drifted' }),
    ]);
  });

  it('takes a deny-all document apart as IAM returns it, and nothing looser for it', () => {
    expect(deniesAll(encodeURIComponent(DENY_ALL_DOCUMENT))).toBe(true);
    expect(deniesAll(revocationDocument(NOW))).toBe(false);
    expect(deniesAll(DENY_ALL_DOCUMENT.replace('"Action":"*"', '"Action":"s3:*"'))).toBe(false);
    expect(deniesAll(DENY_ALL_DOCUMENT.replace('"Deny"', '"Allow"'))).toBe(false);
  });

  it('takes the revocation document apart as IAM returns it (URL-encoded), and nothing looser for it', () => {
    expect(deniesBefore(encodeURIComponent(revocationDocument(NOW)))).toBe(NOW);
    expect(deniesBefore(revocationDocument(NOW))).toBe(NOW);
    const allow = revocationDocument(NOW).replace('"Deny"', '"Allow"');
    expect(deniesBefore(encodeURIComponent(allow))).toBeNull();
    const narrowed = revocationDocument(NOW).replace('"Action":"*"', '"Action":"s3:GetObject"');
    expect(deniesBefore(narrowed)).toBeNull();
    const twoStatements = JSON.stringify({
      Version: '2012-10-17',
      Statement: [JSON.parse(revocationDocument(NOW)).Statement[0], { Effect: 'Allow', Action: '*', Resource: '*' }],
    });
    expect(deniesBefore(twoStatements)).toBeNull();
  });
});

describe('drift: one record per containment', () => {
  it('leaves a merged incident’s copy of its actions to the survivor, which a release marks', () => {
    const merged = incidentFixture({ id: 'dl-merged', state: 'closed', mergedInto: 'dl-survivor', actions: [isolation()] });
    expect(expectedContainment(merged, NOW)).toEqual({
      checks: [],
      notChecked: [{ incidentId: 'dl-merged', actionId: 'isolate-instance:i-1', what: 'merged into dl-survivor: read back there' }],
      verdicts: [],
      open: [],
    });
    const leftToOther = incidentFixture({ actions: [isolation({ heldBy: 'dl-other' })] });
    expect(expectedContainment(leftToOther, NOW)).toEqual({ checks: [], notChecked: [], verdicts: [], open: [] });
  });
});

describe('drift: an isolated instance beyond its interfaces', () => {
  it('reads termination protection and shutdown behaviour, and the profile revoke-instance-credentials took off', async () => {
    const steps = [
      ...(isolation().steps ?? []),
      { name: 'protect-instance', status: 'done' as const, at: NOW },
      { name: 'revoke-instance-credentials', status: 'done' as const, at: NOW },
    ];
    const incident = incidentFixture({ actions: [isolation({ steps })] });
    const r = reader((c) => {
      if (c.expect.kind === 'protection') return { read: 'protection', terminationProtected: false, shutdownBehavior: 'terminate' };
      if (c.expect.kind === 'instance-profile') return { read: 'profiles', associated: ['arn:aws:iam::111122223333:instance-profile/web'] };
      return inPlace(c);
    });
    const report = await checkContainment([incident], r, NOW);
    const states = Object.fromEntries(report.resources.map((x) => [x.resource, `${x.state}: ${x.actual}`]));
    expect(states['instance i-1 (termination protection, shutdown behaviour)']).toBe('drifted: termination protection off, shutdown behaviour terminate');
    expect(states['instance i-1 (instance profile)']).toBe(
      'drifted: instance profile arn:aws:iam::111122223333:instance-profile/web associated again: the instance has credentials',
    );
    expect(report.notChecked).toEqual([{ incidentId: 'dl-test', actionId: 'isolate-instance:i-1', what: 'its role’s older sessions revoked' }]);
  });
});
