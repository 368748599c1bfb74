/**
 * contain17 item 1: a stolen key found deleted gets its sessions revoked as a key found Inactive does
 * (lfc16). A key deleted (by its owner, or by the attacker to hide it) still has the sessions made
 * with it (GetSessionToken, up to 36 hours): its user is still there, so the run puts the
 * `aws:TokenIssueTime` deny on it beside the failed deactivation; drift reads that deny back; a
 * release with --reactivate-key has no key to reactivate and removes the deny. The user deleted too:
 * the run says so plainly, and puts nothing. On moto.
 */
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetUserPolicyCommand,
  ListUserPoliciesCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainmentStateReader } from '../../handlers/adapters/aws/containment/drift.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import type { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { recordContainedByHand } from '../../handlers/core/by-hand.js';
import { runContainment } from '../../handlers/core/contain.js';
import { checkContainment } from '../../handlers/core/drift.js';
import type { Incident, StepRecord } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { containmentWorld } from '../support/containment-world.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

describe.skipIf(!MOTO_AVAILABLE)('a stolen key found deleted, on moto', () => {
  let moto: Moto;
  let c: ContainmentClients;
  let store: DynamoDbIncidentStore;
  let containment: AwsContainment;
  let reader: AwsContainmentStateReader;
  let n = 0;

  beforeAll(async () => {
    const { factory, ...world } = await containmentWorld(ACCOUNT, REGION);
    ({ moto, store, c } = world);
    containment = new AwsContainment(factory);
    reader = new AwsContainmentStateReader(factory);
  });
  afterAll(async () => moto?.stop());

  const now = () => new Date().toISOString();

  /** A user with one key, deleted before the run (and the user with it, when `userToo`); returns the incident the run left. */
  async function deletedBeforeTheRun(userName: string, principalId: string, userToo = false): Promise<{ stolen: string; incident: Incident }> {
    await c.iam.send(new CreateUserCommand({ UserName: userName }));
    const stolen = (await c.iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey?.AccessKeyId as string;
    await c.iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: stolen }));
    if (userToo) await c.iam.send(new DeleteUserCommand({ UserName: userName }));
    n += 1;
    const deps = { store, policy: DEFAULT_POLICY, now, canEnforce: true, forceEnforce: true };
    const event = findingEvent({
      id: `deleted-key-${Date.now()}-${n}`,
      accountId: ACCOUNT,
      type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
      resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: stolen, principalId, userType: 'IAMUser', userName } },
    });
    const recorded = await recordEvent(deps, event);
    await runContainment({ ...deps, containment }, recorded.incidentId as string);
    return { stolen, incident: (await store.getIncident(recorded.incidentId as string)) as Incident };
  }

  const policies = async (userName: string) => (await c.iam.send(new ListUserPoliciesCommand({ UserName: userName }))).PolicyNames ?? [];

  it('the user still there: its older sessions are denied, drift reads the deny, and release --reactivate-key removes it (nothing to reactivate)', async () => {
    const { stolen, incident } = await deletedBeforeTheRun('d.dekker', 'AIDAEXAMPLEDEKKER001');
    const [action] = incident.actions;
    expect(action.steps?.map((s) => `${s.name}: ${s.status}`)).toEqual(['deactivate-key: failed', 'revoke-key-sessions: done']);
    expect(action.steps?.[0]?.code).toBe('NoSuchEntity');
    const policyName = `datalek-revoke-${incident.id}-${stolen}`;
    const policy = await c.iam.send(new GetUserPolicyCommand({ UserName: 'd.dekker', PolicyName: policyName }));
    expect(JSON.parse(decodeURIComponent(policy.PolicyDocument as string)).Statement[0]).toMatchObject({
      Effect: 'Deny',
      Condition: { DateLessThan: { 'aws:TokenIssueTime': action.evidence?.issuedBefore } },
    });
    expect(JSON.stringify(action.steps)).not.toContain('dekker');

    // Drift reads the key as gone and the deny as in place.
    const read = (await checkContainment([incident], reader, now())).resources.map((r) => `${r.resource}: ${r.state}`);
    expect(read).toEqual([`access key ${stolen}: gone`, `inline policy ${policyName} on IAM user of ${stolen}: in-place`]);

    // A release without --reactivate-key keeps the deny (as it keeps a deactivated key's).
    const kept: StepRecord[] = [];
    await containment.release(action, incident, { reactivateKey: false, record: async (s) => void kept.push(s) });
    expect(kept.map((s) => `${s.name}: ${s.status}`)).toEqual(['reactivate-key: skipped']);
    expect(kept[0]?.detail).toContain('deleted');
    expect(await policies('d.dekker')).toEqual([policyName]);

    // With --reactivate-key: no key to reactivate, the deny removed.
    const steps: StepRecord[] = [];
    await containment.release(action, incident, { reactivateKey: true, record: async (s) => void steps.push(s) });
    expect(steps.map((s) => `${s.name}: ${s.status}`)).toEqual(['reactivate-key: skipped', 'remove-revocation: done']);
    expect(steps[0]?.detail).toContain('nothing to reactivate');
    expect(await policies('d.dekker')).toEqual([]);
  });

  it('the user deleted too: the run says so plainly, and puts no deny', async () => {
    const { stolen, incident } = await deletedBeforeTheRun('e.eems', 'AIDAEXAMPLEEEMS00001', true);
    const [action] = incident.actions;
    expect(action.status).toBe('failed');
    expect(action.steps?.map((s) => `${s.name}: ${s.status}`)).toEqual(['deactivate-key: failed', 'revoke-key-sessions: skipped']);
    const [deactivate, sessions] = action.steps ?? [];
    expect(deactivate?.code).toBe('NoSuchEntity');
    expect(deactivate?.detail).toContain(`the IAM user of ${stolen} not found`);
    expect(deactivate?.detail).toContain('DeleteUser');
    expect(sessions?.detail).toContain('no deny put');
    expect(JSON.stringify(action)).not.toContain('datalek-revoke-');
    expect(JSON.stringify(action.steps)).not.toContain('eems');
  });

  it('contain19: the user deleted after a run that failed naming a key made with it, the retry says so plainly: no raw NoSuchEntity, still NOT CONTAINED', async () => {
    const userName = 'f.fransen';
    await c.iam.send(new CreateUserCommand({ UserName: userName }));
    const stolen = (await c.iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey?.AccessKeyId as string;
    // A key made with the stolen one after the first activity: the run fails other-keys naming it (OtherKeyActive).
    const made = (await c.iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey?.AccessKeyId as string;
    n += 1;
    const deps = { store, policy: DEFAULT_POLICY, now, canEnforce: true, forceEnforce: true };
    const event = findingEvent({
      id: `deleted-user-later-${Date.now()}-${n}`,
      accountId: ACCOUNT,
      type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
      resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: stolen, principalId: 'AIDAEXAMPLEFRANSEN01', userType: 'IAMUser', userName } },
    });
    const id = (await recordEvent(deps, event)).incidentId as string;
    await runContainment({ ...deps, containment }, id);
    const first = (await store.getIncident(id)) as Incident;
    expect(
      first.actions[0]?.steps?.map((s) => `${s.name}: ${s.status}`),
      'premise: other-keys failed naming the key made with it',
    ).toEqual(['deactivate-key: done', 'revoke-key-sessions: done', 'other-keys: failed']);

    // The user deleted since (its keys and inline policies first, as IAM asks), then the run again.
    for (const key of [stolen, made]) await c.iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: key }));
    for (const policy of await policies(userName)) await c.iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: policy }));
    await c.iam.send(new DeleteUserCommand({ UserName: userName }));
    await runContainment({ ...deps, containment }, id);
    const [action] = ((await store.getIncident(id)) as Incident).actions;
    const otherKeys = action.steps?.filter((s) => s.name === 'other-keys').at(-1);
    expect(action.status).toBe('failed');
    expect(otherKeys).toMatchObject({ status: 'failed', code: 'NoSuchEntity' });
    expect(otherKeys?.detail).toContain(`the IAM user of ${stolen} not found under its recorded name`);
    expect(otherKeys?.detail).toContain('DeleteUser');
    expect(action.steps?.map((s) => s.name)).not.toContain('unexpected-error');
    expect(JSON.stringify([action.steps, action.reason])).not.toContain('fransen');
  });

  /**
   * A user with a stolen key and `more` keys made after it, the key's finding recorded and contained: with a key made
   * after it, the run fails other-keys naming it (OtherKeyActive); with none, the action is done. The incident and the keys.
   */
  async function keyContained(userName: string, principalId: string, more = 0): Promise<{ id: string; keys: string[] }> {
    await c.iam.send(new CreateUserCommand({ UserName: userName }));
    const keys: string[] = [];
    for (let i = 0; i <= more; i++) keys.push((await c.iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey?.AccessKeyId as string);
    n += 1;
    const event = findingEvent({
      id: `user-gone-recorded-${Date.now()}-${n}`,
      accountId: ACCOUNT,
      type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
      resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: keys[0], principalId, userType: 'IAMUser', userName } },
    });
    const id = (await recordEvent(keyDeps(), event)).incidentId as string;
    await runContainment({ ...keyDeps(), containment }, id);
    return { id, keys };
  }
  const failedOnAKeyMadeWithIt = (userName: string, principalId: string) => keyContained(userName, principalId, 1);
  const keyDeps = () => ({ store, policy: DEFAULT_POLICY, now, canEnforce: true, forceEnforce: true });
  const verified = async (id: string) =>
    (await checkContainment([(await store.getIncident(id)) as Incident], reader, now())).resources.map((r) => [r.state, r.actual, r.todo ?? '']);

  it("contain20: the user deleted after the run, a person records it with contained: verify shows the person's record beside what AWS shows, not a standing alarm", async () => {
    const userName = 'g.gerrits';
    const { id, keys } = await failedOnAKeyMadeWithIt(userName, 'AIDAEXAMPLEGERRITS01');
    for (const key of keys) await c.iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: key }));
    for (const policy of await policies(userName)) await c.iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: policy }));
    await c.iam.send(new DeleteUserCommand({ UserName: userName }));
    await runContainment({ ...keyDeps(), containment }, id);
    const before = await verified(id);
    expect(
      before.map(([state]) => state),
      'premise: read as renamed or deleted, NOT CONTAINED',
    ).toEqual(['drifted', 'drifted']);
    expect(before[0]?.[1]).toContain('not found under its recorded name: renamed or deleted');

    const [action] = ((await store.getIncident(id)) as Incident).actions;
    const what = 'user deleted: CloudTrail DeleteUser by the account admin, 2026-11-30';
    await recordContainedByHand(keyDeps(), { incidentId: id, actionId: action?.id as string, by: 'anna', what });

    const after = await verified(id);
    expect(after.map(([state]) => state)).toEqual(['in-place', 'in-place']);
    for (const [, actual] of after) {
      expect(actual).toContain('not found under its recorded name (renamed or deleted)');
      expect(actual).toContain(`as anna recorded (datalek contained) at`);
      expect(actual).toContain(what);
    }
    expect(JSON.stringify(after)).not.toContain('gerrits');
  });

  it('contain20: a record by a person made before the user was renamed does not cover the rename: still renamed or deleted, NOT CONTAINED', async () => {
    const userName = 'h.hendriks';
    const { id } = await failedOnAKeyMadeWithIt(userName, 'AIDAEXAMPLEHENDRIK01');
    const [action] = ((await store.getIncident(id)) as Incident).actions;
    await recordContainedByHand(keyDeps(), { incidentId: id, actionId: action?.id as string, by: 'anna', what: 'the other key deactivated by hand' });
    await c.iam.send(new UpdateUserCommand({ UserName: userName, NewUserName: 'h.hendriks-renamed' }));

    const after = await verified(id);
    expect(after[0]?.[0]).toBe('drifted');
    expect(after[0]?.[1]).toContain('not found under its recorded name: renamed or deleted');
  });
  // readC20: the record covers a user found gone, not one found again. A user made again under the recorded name
  // (a new principal, keys of its own, made since the first activity) is read as any user is, whatever was recorded.
  it('readC20: the user made again under its recorded name after the person recorded it deleted: read again, a new Active key NOT CONTAINED', async () => {
    const userName = 'i.ingen';
    const { id, keys } = await failedOnAKeyMadeWithIt(userName, 'AIDAEXAMPLEINGEN0001');
    for (const key of keys) await c.iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: key }));
    for (const policy of await policies(userName)) await c.iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: policy }));
    await c.iam.send(new DeleteUserCommand({ UserName: userName }));
    await runContainment({ ...keyDeps(), containment }, id);
    const [action] = ((await store.getIncident(id)) as Incident).actions;
    await recordContainedByHand(keyDeps(), { incidentId: id, actionId: action?.id as string, by: 'anna', what: 'user deleted: CloudTrail DeleteUser' });
    expect(
      (await verified(id)).map(([state]) => state),
      'premise: the record read in place',
    ).toEqual(['in-place', 'in-place']);

    await c.iam.send(new CreateUserCommand({ UserName: userName }));
    const made = (await c.iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey?.AccessKeyId as string;

    const after = await verified(id);
    expect(after.map(([state]) => state)).toEqual(['drifted', 'drifted']);
    expect(after[0]?.[1]).toContain(made);
    for (const [, actual] of after) expect(actual).not.toContain('as anna recorded');
  });

  it("contain20: on a key action datalek carried out, the user deleted since: contained --target aws reads it gone and records the person's finding; verify shows it beside what AWS shows", async () => {
    const userName = 'i.izaks';
    const {
      id,
      keys: [stolen],
    } = await keyContained(userName, 'AIDAEXAMPLEIZAKS0001');
    const [action] = ((await store.getIncident(id)) as Incident).actions;
    expect(action?.status, 'premise: datalek carried it out').toBe('done');
    await c.iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: stolen }));
    for (const policy of await policies(userName)) await c.iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: policy }));
    await c.iam.send(new DeleteUserCommand({ UserName: userName }));
    expect(
      (await verified(id)).map(([state]) => state),
      'premise: read as renamed or deleted',
    ).toEqual(['drifted', 'drifted']);

    const what = 'user deleted by the account admin (CloudTrail DeleteUser)';
    const input = { incidentId: id, actionId: action?.id as string, by: 'anna', what };
    // Without the read (the embedded path): refused as before, nothing recorded.
    await expect(recordContainedByHand(keyDeps(), input)).rejects.toThrow(/already done: datalek carried it out/);
    expect(((await store.getIncident(id)) as Incident).actions[0]?.userGone).toBeUndefined();

    await recordContainedByHand({ ...keyDeps(), containmentReader: reader }, input);

    const after = (await store.getIncident(id)) as Incident;
    expect([after.actions[0]?.status, after.actions[0]?.byHand, after.actions[0]?.userGone?.by]).toEqual(['done', undefined, 'anna']);
    expect((await store.getTimeline(id)).map((e) => e.kind)).toContain('key-user-gone-recorded');
    const read = await verified(id);
    expect(read.map(([state]) => state)).toEqual(['in-place', 'in-place']);
    for (const [, actual] of read) expect(actual).toContain(`as anna recorded (datalek contained) at`);
  });

  it('contain20: on a key action datalek carried out whose user is still there, contained --target aws records nothing', async () => {
    const { id } = await keyContained('j.jansen', 'AIDAEXAMPLEJANSEN01');
    const [action] = ((await store.getIncident(id)) as Incident).actions;
    await expect(
      recordContainedByHand({ ...keyDeps(), containmentReader: reader }, { incidentId: id, actionId: action?.id as string, by: 'anna', what: 'x' }),
    ).rejects.toThrow(/already done: datalek carried it out/);
    expect(((await store.getIncident(id)) as Incident).actions[0]?.userGone).toBeUndefined();
  });
});
