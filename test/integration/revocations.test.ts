/**
 * Each incident's session revocation is its own inline policy (review2 S4), on moto: two stolen
 * sessions of one role are two incidents (access-key incidents are keyed by the key id), and
 * releasing the first must not lift the revocation the second relies on. A revocation recorded
 * under the one name every revocation had before is released under that name.
 *
 * A console sign-in someone else made knows the IAM user's password (cont, session 26): the deny on older sessions
 * signs that session out, and the password signs in anew with every permission the user has. AWS's incident-response
 * samples put an explicit deny-all inline policy on the user; the revocation of a console sign-in does too, its own per
 * incident, and its release removes exactly that policy and the revocation, nothing else of the user's.
 */
import {
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainmentClientFactory, type ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainmentStateReader } from '../../handlers/adapters/aws/containment/drift.js';
import { LEGACY_REVOKE_POLICY_NAME, revocationDocument } from '../../handlers/adapters/aws/containment/iam.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import { checkContainment } from '../../handlers/core/drift.js';
import type { ActionRecord, Incident, StepRecord } from '../../handlers/core/incident.js';
import { incidentFixture } from '../support/incidents.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const ACCOUNT = '123456789012';

describe.skipIf(!MOTO_AVAILABLE)('session revocations, one per incident', () => {
  let moto: Moto;
  let c: ContainmentClients;
  let containment: AwsContainment;
  let reader: AwsContainmentStateReader;

  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, moto.env);
    const factory = new ContainmentClientFactory('eu-west-1', 'datalek-containment');
    c = await factory.clientsFor(ACCOUNT, 'eu-west-1', 'setup');
    containment = new AwsContainment(factory);
    reader = new AwsContainmentStateReader(factory);
  });
  afterAll(async () => moto?.stop());

  const incident = (id: string): Incident => incidentFixture({ id, accountId: ACCOUNT });

  /** Carries out `action` for `incidentId`: the steps and evidence it recorded. */
  async function carryOut(incidentId: string, action: ActionRecord): Promise<{ steps: StepRecord[]; evidence: Record<string, unknown> }> {
    const steps: StepRecord[] = [];
    const evidence: Record<string, unknown> = {};
    await containment.execute(action, {
      incident: incident(incidentId),
      // A retry takes no step recorded done again, as the contain function does.
      done: new Set((action.steps ?? []).filter((s) => s.status === 'done').map((s) => s.name)),
      evidence: {},
      recordedGroups: async () => new Map(),
      record: async (step, more) => {
        steps.push(step);
        Object.assign(evidence, more ?? {});
      },
    });
    return { steps, evidence };
  }

  /** Carries out `action` for `incidentId`, every step done; returns the action as the record then holds it (steps, evidence). */
  async function revoke(incidentId: string, action: ActionRecord): Promise<ActionRecord> {
    const { steps, evidence } = await carryOut(incidentId, action);
    expect(steps.every((s) => s.status === 'done')).toBe(true);
    const kept = (action.steps ?? []).filter((s) => !steps.some((t) => t.name === s.name));
    return { ...action, status: 'done', steps: [...kept, ...steps], evidence: { ...action.evidence, ...evidence } };
  }

  async function release(incidentId: string, action: ActionRecord): Promise<StepRecord[]> {
    const steps: StepRecord[] = [];
    await containment.release(action, incident(incidentId), { reactivateKey: false, record: async (s) => void steps.push(s) });
    return steps;
  }

  const action = (type: string, target: string, params?: Record<string, string>): ActionRecord => ({
    id: `${type}:${target}`,
    type,
    target,
    status: 'planned',
    mode: 'enforce',
    findingId: `f-${target}`,
    at: '2026-11-28T10:00:00.000Z',
    ...(params ? { params } : {}),
  });

  const rolePolicies = async (RoleName: string) => ((await c.iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames ?? []).sort();
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [] });

  it('releasing one incident’s revocation of a role leaves the one another incident relies on', async () => {
    await c.iam.send(new CreateRoleCommand({ RoleName: 'web', AssumeRolePolicyDocument: trust }));
    // Incident A (session ASIA…1) and incident B (session ASIA…2) of the same role.
    const a = await revoke('dl-revokea0001', action('revoke-role-sessions', 'web'));
    const b = await revoke('dl-revokeb0001', action('revoke-role-sessions', 'web'));
    expect(a.evidence?.policyName).not.toEqual(b.evidence?.policyName);
    expect(await rolePolicies('web')).toEqual([a.evidence?.policyName, b.evidence?.policyName].sort());

    expect((await release('dl-revokea0001', a)).map((s) => `${s.name}:${s.status}`)).toEqual(['remove-revocation:done']);
    expect(await rolePolicies('web')).toEqual([b.evidence?.policyName]);
    const left = await c.iam.send(new GetRolePolicyCommand({ RoleName: 'web', PolicyName: b.evidence?.policyName as string }));
    expect(decodeURIComponent(left.PolicyDocument as string)).toContain('aws:TokenIssueTime');
  });

  it('releases a revocation recorded under the old fixed name, and only that one', async () => {
    await c.iam.send(new CreateRoleCommand({ RoleName: 'api', AssumeRolePolicyDocument: trust }));
    // Written before revocations were per incident: the record's evidence names the old policy.
    await c.iam.send(
      new PutRolePolicyCommand({ RoleName: 'api', PolicyName: LEGACY_REVOKE_POLICY_NAME, PolicyDocument: revocationDocument('2026-11-20T10:00:00.000Z') }),
    );
    const old: ActionRecord = {
      ...action('revoke-role-sessions', 'api'),
      status: 'done',
      evidence: { roleName: 'api', policyName: LEGACY_REVOKE_POLICY_NAME, issuedBefore: '2026-11-20T10:00:00.000Z' },
    };
    const recent = await revoke('dl-revokec0001', action('revoke-role-sessions', 'api'));
    expect(await rolePolicies('api')).toEqual([LEGACY_REVOKE_POLICY_NAME, recent.evidence?.policyName].sort());

    const steps = await release('dl-revokeold01', old);
    expect(steps.map((s) => `${s.name}:${s.status}`)).toEqual(['remove-revocation:done']);
    expect(steps[0].detail).toContain(LEGACY_REVOKE_POLICY_NAME);
    expect(await rolePolicies('api')).toEqual([recent.evidence?.policyName]);
  });

  it('does the same for an IAM user’s sessions', async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 'k.klaassen' }));
    const userPolicies = async () => ((await c.iam.send(new ListUserPoliciesCommand({ UserName: 'k.klaassen' }))).PolicyNames ?? []).sort();
    const a = await revoke('dl-revoked0001', action('revoke-user-sessions', 'AIDAEXAMPLEUSER1', { userName: 'k.klaassen' }));
    const b = await revoke('dl-revokee0001', action('revoke-user-sessions', 'AIDAEXAMPLEUSER1', { userName: 'k.klaassen' }));
    expect(await userPolicies()).toHaveLength(2);
    await release('dl-revoked0001', a);
    expect(await userPolicies()).toEqual([b.evidence?.policyName]);
  });
  const userPolicies = async (UserName: string) => ((await c.iam.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames ?? []).sort();
  const userDocument = async (UserName: string, PolicyName: string) =>
    JSON.parse(decodeURIComponent((await c.iam.send(new GetUserPolicyCommand({ UserName, PolicyName }))).PolicyDocument as string));
  // The record's target is the user's pseudonym; the name is in params alone.
  const consoleSignIn = (userName: string) => action('revoke-user-sessions', 'iam-user:5f0c4e2a91b7d3e8', { userName, denyAll: 'console-sign-in' });
  const named = (steps: StepRecord[] | undefined) => (steps ?? []).map((s) => `${s.name}:${s.status}`);

  it("puts an unconditional Deny of everything on a console sign-in's user, beside the revocation, and its release removes only those two", async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 'p.pietersen' }));
    const own = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    await c.iam.send(new PutUserPolicyCommand({ UserName: 'p.pietersen', PolicyName: 'owner-reads', PolicyDocument: own }));

    const a = await revoke('dl-console0001', consoleSignIn('p.pietersen'));
    const b = await revoke('dl-console0002', consoleSignIn('p.pietersen'));

    expect(named(a.steps)).toEqual(['revoke-user-sessions:done', 'deny-all:done']);
    expect(a.evidence?.denyAllPolicyName).toBe('datalek-deny-all-dl-console0001');
    // The revocation's policy stays the one the record names as `policyName` (drift reads it back).
    expect(a.evidence?.policyName).toBe('datalek-revoke-dl-console0001');
    expect(await userDocument('p.pietersen', 'datalek-deny-all-dl-console0001')).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'DatalekDenyAll', Effect: 'Deny', Action: '*', Resource: '*' }],
    });
    // The user name is personal data: the step names the principal by the record's target.
    expect(a.steps?.[1].detail).not.toContain('p.pietersen');
    // show / verify --target aws read both back as they are in IAM.
    const read = await checkContainment([{ ...incident('dl-console0001'), actions: [a] }], reader, '2026-11-28T11:00:00.000Z');
    expect(read.resources.map((r) => `${r.resource}: ${r.state}, ${r.actual}`)).toEqual([
      expect.stringMatching(/^inline policy datalek-revoke-dl-console0001 on IAM user iam-user:\S+: in-place, denies sessions issued before /),
      expect.stringMatching(/^inline policy datalek-deny-all-dl-console0001 on IAM user iam-user:\S+: in-place, denies every request$/),
    ]);

    expect(named(await release('dl-console0001', a))).toEqual(['remove-revocation:done', 'remove-deny-all:done']);
    // The other incident's revocation and deny-all, and the user's own policy, stay.
    expect(await userPolicies('p.pietersen')).toEqual(['datalek-deny-all-dl-console0002', 'datalek-revoke-dl-console0002', 'owner-reads']);
    expect(named(await release('dl-console0002', b))).toEqual(['remove-revocation:done', 'remove-deny-all:done']);
    expect(await userPolicies('p.pietersen')).toEqual(['owner-reads']);
  });

  it('puts no deny-all for a revocation that did not ask for it; a release removes the deny-all the plan asked for though its put was recorded failed', async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 's.smit' }));
    const session = await revoke('dl-session0001', action('revoke-user-sessions', 'iam-user:0a1b2c3d4e5f6a7b', { userName: 's.smit' }));
    expect(named(session.steps)).toEqual(['revoke-user-sessions:done']);
    expect(await userPolicies('s.smit')).toEqual(['datalek-revoke-dl-session0001']);
    expect(named(await release('dl-session0001', session))).toEqual(['remove-revocation:done']);

    await c.iam.send(new CreateUserCommand({ UserName: 'd.dekker' }));
    const a = await revoke('dl-console0003', consoleSignIn('d.dekker'));
    const steps = a.steps ?? [];
    const failed: ActionRecord = {
      ...a,
      status: 'failed',
      steps: [steps[0], { name: 'deny-all', status: 'failed', at: steps[1].at, detail: 'AccessDenied', code: 'AccessDenied' }],
    };
    // A deny-all under this incident's name left on the user keeps them locked out after the release, whoever put it.
    expect(named(await release('dl-console0003', failed))).toEqual(['remove-revocation:done', 'remove-deny-all:done']);
    expect(await userPolicies('d.dekker')).toEqual([]);
  });

  /**
   * The deny-all's PutUserPolicy reached IAM and its answer did not reach the contain function (a timeout): the step
   * was recorded failed, and the user was denied everything all the same. A release removed only a deny-all recorded
   * done, and drift read only that one: the user stayed locked out, with nothing recording or reading it (release27 #3).
   */
  describe('a deny-all whose put was recorded failed', () => {
    const timedOut = (a: ActionRecord): ActionRecord => {
      const steps = a.steps ?? [];
      return {
        ...a,
        status: 'failed',
        steps: [steps[0], { name: 'deny-all', status: 'failed', at: steps[1].at, detail: 'socket hang up', code: 'TimeoutError' }],
        evidence: { ...a.evidence, denyAllPolicyName: undefined },
      };
    };
    const lines = async (incidentId: string, a: ActionRecord) =>
      (await checkContainment([{ ...incident(incidentId), actions: [a] }], reader, '2026-11-28T11:00:00.000Z')).resources
        .filter((r) => r.resource.includes('deny-all'))
        .map((r) => `${r.state}: ${r.actual}${r.todo ? ` | ${r.todo}` : ''}`);

    it('is read back while the incident holds it failed, and the release removes it', async () => {
      await c.iam.send(new CreateUserCommand({ UserName: 't.tijmens' }));
      const failed = timedOut(await revoke('dl-console0004', consoleSignIn('t.tijmens')));
      expect(await userPolicies('t.tijmens')).toEqual(['datalek-deny-all-dl-console0004', 'datalek-revoke-dl-console0004']);

      expect(await lines('dl-console0004', failed)).toEqual([
        expect.stringMatching(/^in-place: denies every request, though its put was recorded failed \| .*datalek release ID/),
      ]);
      const steps = await release('dl-console0004', failed);
      expect(named(steps)).toEqual(['remove-revocation:done', 'remove-deny-all:done']);
      expect(await userPolicies('t.tijmens')).toEqual([]);
      // Released: read back all the same, and nothing is on the user.
      const released = { ...failed, released: { at: '2026-11-28T10:30:00.000Z', by: 'oncall', reason: 'vals positief' } };
      expect(await lines('dl-console0004', released)).toEqual([expect.stringMatching(/^in-place: not on the user/)]);
    });

    it('that never reached IAM: nothing to remove, recorded so, and the release goes on', async () => {
      await c.iam.send(new CreateUserCommand({ UserName: 'n.nooit' }));
      const failed = timedOut(await revoke('dl-console0005', consoleSignIn('n.nooit')));
      await c.iam.send(new DeleteUserPolicyCommand({ UserName: 'n.nooit', PolicyName: 'datalek-deny-all-dl-console0005' }));
      expect(await lines('dl-console0005', failed)).toEqual([expect.stringMatching(/^in-place: not on the user/)]);
      const steps = await release('dl-console0005', failed);
      expect(named(steps)).toEqual(['remove-revocation:done', 'remove-deny-all:skipped']);
      expect(steps[1].detail).toContain('nothing to remove');
      expect(await userPolicies('n.nooit')).toEqual([]);
    });

    it('left on the user by a release before: verify names the user locked out with nothing recording it', async () => {
      await c.iam.send(new CreateUserCommand({ UserName: 'l.laat' }));
      const failed = timedOut(await revoke('dl-console0006', consoleSignIn('l.laat')));
      await c.iam.send(new DeleteUserPolicyCommand({ UserName: 'l.laat', PolicyName: 'datalek-revoke-dl-console0006' }));
      const released = { ...failed, released: { at: '2026-11-28T10:30:00.000Z', by: 'oncall', reason: 'vals positief' } };
      expect(await lines('dl-console0006', released)).toEqual([
        expect.stringMatching(/^drifted: denies every request: .*released.* \| .*aws iam delete-user-policy .*--policy-name datalek-deny-all-dl-console0006/),
      ]);
    });

    /**
     * A merge moves the action to the survivor, and the put was under the merged incident's id (red27 #4): the
     * release and the read-back looked for `datalek-deny-all-<survivor>`, and the survivor's retry put a second one
     * under that name and wrote it over the first in the evidence, so the first was never removed or read.
     */
    it("moved by a merge: the survivor's retry, release and read-back use the name planned in the merged incident", async () => {
      await c.iam.send(new CreateUserCommand({ UserName: 'm.merk' }));
      // As the merge leaves it: the name its incident planned it under, carried in the action.
      const planned = consoleSignIn('m.merk');
      const moved = { ...planned, params: { ...planned.params, denyAllPolicyName: 'datalek-deny-all-dl-merged0008' } };
      const failed = timedOut(await revoke('dl-merged0008', consoleSignIn('m.merk')));
      const kept = { ...moved, status: failed.status, steps: failed.steps, evidence: failed.evidence };
      expect(await lines('dl-survivor08', kept)).toEqual([
        expect.stringMatching(/^in-place: denies every request, though its put was recorded failed \| .*datalek release ID/),
      ]);
      // Retried by the survivor's run: the same policy, not a second one.
      const retried = await revoke('dl-survivor08', kept);
      expect(retried.evidence?.denyAllPolicyName).toBe('datalek-deny-all-dl-merged0008');
      expect(await userPolicies('m.merk')).toEqual(['datalek-deny-all-dl-merged0008', 'datalek-revoke-dl-merged0008']);
      expect(named(await release('dl-survivor08', retried))).toEqual(['remove-revocation:done', 'remove-deny-all:done']);
      expect(await userPolicies('m.merk')).toEqual([]);
    });

    /** The run stopped after revoking the sessions and before recording the deny-all (rel28 item 2): no step, no failure. */
    it('with no deny-all step in the record: the release says no put was recorded, not that one failed', async () => {
      await c.iam.send(new CreateUserCommand({ UserName: 'g.geen' }));
      const done = await revoke('dl-console0009', consoleSignIn('g.geen'));
      const stopped: ActionRecord = { ...done, status: 'failed', steps: [(done.steps ?? [])[0]], evidence: { ...done.evidence, denyAllPolicyName: undefined } };
      expect(await lines('dl-console0009', stopped)).toEqual([expect.stringMatching(/^in-place: denies every request, though no put of it was recorded \| /)]);
      const removed = await release('dl-console0009', stopped);
      expect(named(removed)).toEqual(['remove-revocation:done', 'remove-deny-all:done']);
      expect(removed[1].detail).toBe(
        'inline policy datalek-deny-all-dl-console0009 removed from IAM user iam-user:5f0c4e2a91b7d3e8 (no put of it was recorded, yet it was on the user)',
      );

      const again = await revoke('dl-console0010', consoleSignIn('g.geen'));
      await c.iam.send(new DeleteUserPolicyCommand({ UserName: 'g.geen', PolicyName: 'datalek-deny-all-dl-console0010' }));
      const none = await release('dl-console0010', {
        ...again,
        status: 'failed',
        steps: [(again.steps ?? [])[0]],
        evidence: { ...again.evidence, denyAllPolicyName: undefined },
      });
      expect(named(none)).toEqual(['remove-revocation:done', 'remove-deny-all:skipped']);
      expect(none[1].detail).toBe(
        'inline policy datalek-deny-all-dl-console0010 is not on IAM user iam-user:5f0c4e2a91b7d3e8: nothing to remove (no put of it was recorded)',
      );
      expect(await userPolicies('g.geen')).toEqual([]);
    });

    it('keeps the name of the policy it tried in the record when the put fails', async () => {
      const { steps, evidence } = await carryOut('dl-console0007', consoleSignIn('niemand'));
      expect(named(steps)).toEqual(['revoke-user-sessions:failed', 'deny-all:failed']);
      expect(evidence.denyAllPolicyName).toBe('datalek-deny-all-dl-console0007');
    });
  });

  /**
   * The principal or its policy gone since the revocation (rel28 item 2: the IAM user is gone). IAM answers NoSuchEntity
   * for both, and the release failed on it for ever ("still in effect … release again"), while the policy was not there:
   * removed outside datalek, or gone with a deleted role. A policy not on a principal that is there is nothing to remove
   * (as an interface deleted since its isolation has nothing to restore); a role is never renamed, so one not found is
   * deleted, its policies with it. A user not found may have been renamed (its policies with it): that stays a failure,
   * and says so.
   */
  describe('a revocation whose policy or principal is gone since', () => {
    it('its policy removed from the user outside datalek: nothing to remove, and the release finishes', async () => {
      await c.iam.send(new CreateUserCommand({ UserName: 'w.weg' }));
      const a = await revoke('dl-gone0001', consoleSignIn('w.weg'));
      await c.iam.send(new DeleteUserPolicyCommand({ UserName: 'w.weg', PolicyName: 'datalek-revoke-dl-gone0001' }));
      await c.iam.send(new DeleteUserPolicyCommand({ UserName: 'w.weg', PolicyName: 'datalek-deny-all-dl-gone0001' }));
      const steps = await release('dl-gone0001', a);
      expect(named(steps)).toEqual(['remove-revocation:skipped', 'remove-deny-all:skipped']);
      expect(steps[0].detail).toBe(
        'inline policy datalek-revoke-dl-gone0001 is not on IAM user iam-user:5f0c4e2a91b7d3e8: nothing to remove (removed since, not by a release: CloudTrail DeleteUserPolicy says who)',
      );
    });

    it('the role deleted since: its policies went with it, nothing to remove', async () => {
      await c.iam.send(new CreateRoleCommand({ RoleName: 'gone', AssumeRolePolicyDocument: trust }));
      const a = await revoke('dl-gone0002', action('revoke-role-sessions', 'gone'));
      await c.iam.send(new DeleteRolePolicyCommand({ RoleName: 'gone', PolicyName: 'datalek-revoke-dl-gone0002' }));
      await c.iam.send(new DeleteRoleCommand({ RoleName: 'gone' }));
      const steps = await release('dl-gone0002', a);
      expect(named(steps)).toEqual(['remove-revocation:skipped']);
      expect(steps[0].detail).toBe('role gone not found: deleted since (a role is never renamed), its inline policies with it: nothing to remove');
    });

    it('the user not found under its recorded name: still a failure, saying renamed or deleted and what to do', async () => {
      await c.iam.send(new CreateUserCommand({ UserName: 'v.verdwenen' }));
      const a = await revoke('dl-gone0003', consoleSignIn('v.verdwenen'));
      for (const p of await userPolicies('v.verdwenen')) await c.iam.send(new DeleteUserPolicyCommand({ UserName: 'v.verdwenen', PolicyName: p }));
      await c.iam.send(new DeleteUserCommand({ UserName: 'v.verdwenen' }));
      const steps = await release('dl-gone0003', a);
      expect(named(steps)).toEqual(['remove-revocation:failed', 'remove-deny-all:failed']);
      expect(steps[0].code).toBe('NoSuchEntity');
      expect(steps[0].detail).toBe(
        'IAM user iam-user:5f0c4e2a91b7d3e8 not found under its recorded name: renamed or deleted (CloudTrail: UpdateUser, DeleteUser). Renamed, it keeps inline policy datalek-revoke-dl-gone0003: remove it under the new name by hand (aws iam delete-user-policy). Deleted, its policies went with it and nothing is in effect: datalek release dl-gone0003 --by NAME --reason TEXT --user-deleted --target aws records it so (IAM must still not find the user)',
      );
    });
  });
});
