/**
 * What drift says of a console sign-in's deny-all the record does not hold in effect (release27 #3), by how its put was
 * recorded (rel28 item 2). Every case read "its put was recorded failed (a put whose answer was lost may have reached
 * IAM)": also with no deny-all step in the record at all (the run stopped after revoking the sessions), and when the
 * put failed because the IAM user was not found (NoSuchEntity: nothing was put, under any name), where the advice to
 * look for the policy on the renamed user sends on-call after what never existed. A deny-all recorded done whose user
 * is gone was told to "put it back with the same aws:TokenIssueTime date", which is the revocation's, not the deny-all's.
 */
import { describe, expect, it } from 'vitest';
import { type ContainmentCheck, checkContainment, type Observation } from '../../handlers/core/drift.js';
import type { ActionRecord, StepRecord } from '../../handlers/core/incident.js';
import { incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-28T10:00:00.000Z';
const DENY = 'datalek-deny-all-dl-test';

function consoleSignIn(steps: StepRecord[], over: Partial<ActionRecord> = {}): ActionRecord {
  return {
    id: 'revoke-user-sessions:iam-user:5f0c4e2a91b7d3e8',
    type: 'revoke-user-sessions',
    target: 'iam-user:5f0c4e2a91b7d3e8',
    status: 'failed',
    mode: 'enforce',
    findingId: 'f',
    at: NOW,
    params: { userName: 'j.jansen', denyAll: 'console-sign-in' },
    steps,
    evidence: { userName: 'j.jansen', policyName: 'datalek-revoke-dl-test', issuedBefore: NOW },
    ...over,
  };
}

const revoked: StepRecord = { name: 'revoke-user-sessions', status: 'done', at: NOW };
const timedOut: StepRecord = { name: 'deny-all', status: 'failed', at: NOW, code: 'TimeoutError', detail: 'socket hang up' };
const userNotFound: StepRecord = { name: 'deny-all', status: 'failed', at: NOW, code: 'NoSuchEntity', detail: 'The user with name x cannot be found.' };

/** The deny-all's line as drift gives it, AWS answering `deny` for it and the revocation in place. */
async function denyAllLine(action: ActionRecord, deny: Observation) {
  const read = async (checks: readonly ContainmentCheck[]) =>
    checks.map(
      (c): Observation => (c.expect.kind === 'revocation' && c.expect.policyName === DENY ? deny : { read: 'revocation', deniesBefore: NOW, deniesAll: false }),
    );
  const report = await checkContainment([incidentFixture({ id: 'dl-test', actions: [action] })], { read }, NOW);
  const line = report.resources.find((r) => r.resource.includes(DENY));
  expect(line, JSON.stringify(report.resources)).toBeDefined();
  return line as NonNullable<typeof line>;
}

const onUser: Observation = { read: 'revocation', deniesBefore: null, deniesAll: true };
const notOnUser: Observation = { read: 'missing', what: 'policy' };
const userMissing: Observation = { read: 'missing', what: 'IAM user', byName: true };

describe("drift's words for a deny-all the record does not hold in effect", () => {
  it('a put recorded failed says so, with its error', async () => {
    const line = await denyAllLine(consoleSignIn([revoked, timedOut]), onUser);
    expect(line.recorded).toBe('not in effect: its put was recorded failed (TimeoutError; a put whose answer was lost may have reached IAM)');
    expect(line.actual).toBe('denies every request, though its put was recorded failed');
  });

  it('no deny-all step in the record: says no put was recorded, not that one failed', async () => {
    const action = consoleSignIn([revoked]);
    for (const seen of [onUser, notOnUser, userMissing]) {
      const line = await denyAllLine(action, seen);
      expect(line.recorded).toBe('not in effect: no put of it was recorded (the run stopped before the deny-all step; a put it began may have reached IAM)');
      expect(`${line.actual} ${line.todo ?? ''}`).not.toMatch(/recorded failed|says the deny-all failed/);
    }
    const there = await denyAllLine(action, onUser);
    expect(there.state).toBe('in-place');
    expect(there.actual).toBe('denies every request, though no put of it was recorded');
    expect(there.todo).toMatch(/the record holds no deny-all step: the release of the incident removes it \(datalek release ID\)/);
  });

  it('a put that failed on the user not found: nothing was put, and the user renamed is what to look for', async () => {
    const action = consoleSignIn([{ ...revoked, status: 'failed', code: 'NoSuchEntity' }, userNotFound]);
    const line = await denyAllLine(action, userMissing);
    expect(line.recorded).toBe('not in effect: its put failed, the IAM user not found under its recorded name (NoSuchEntity): nothing was put');
    expect(line.actual).toBe('IAM user not found under its recorded name: renamed or deleted');
    expect(line.todo).not.toMatch(/look for datalek-deny-all/);
    expect(line.todo).toMatch(/nothing was put under any name: if the user was renamed \(CloudTrail: UpdateUser\), its console sign-in is not contained/);
    expect((await denyAllLine(action, notOnUser)).actual).toBe('not on the user: nothing to remove');
  });

  it('released with no put recorded, found on the user: drifted, and the todo does not say its put failed', async () => {
    const action = consoleSignIn([revoked], { released: { at: NOW, by: 'oncall', reason: 'vals positief' } });
    const line = await denyAllLine(action, onUser);
    expect(line.state).toBe('drifted');
    expect(line.todo).toMatch(/no put of this one was recorded/);
    expect(line.todo).not.toMatch(/recorded failed/);
  });

  it("a deny-all recorded done whose user is gone is told to check the deny-all under the new name, not the revocation's date", async () => {
    const done = consoleSignIn([revoked, { name: 'deny-all', status: 'done', at: NOW }], {
      status: 'done',
      evidence: { userName: 'j.jansen', policyName: 'datalek-revoke-dl-test', issuedBefore: NOW, denyAllPolicyName: DENY },
    });
    const line = await denyAllLine(done, userMissing);
    expect(line.state).toBe('drifted');
    expect(line.todo).not.toMatch(/TokenIssueTime/);
    expect(line.todo).toMatch(new RegExp(`if renamed, check that ${DENY} is on the user under its new name and still denies every request`));
  });
});
