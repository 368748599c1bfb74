/**
 * The read-back of containment beyond instances, on moto (core/drift.ts with the AWS reader): a
 * stopped Lambda function, a database made private, an IAM user's revocation. Each is read as in
 * place after containment, as drifted once changed behind the record's back, and as gone once
 * deleted; the reads change nothing. A database or an IAM user not found by the name containment
 * used may have been renamed and live on, its containment undone (review7 Z2): drifted, "renamed
 * or deleted", never "gone: find out who deleted it". A second access key made with the stolen one
 * before containment reached it (review12 K7) leaves the user NOT CONTAINED, its key Inactive, deleted
 * or not: the containment run says so itself, from the list it reads (review13 K1), and drift names
 * the key when the stolen one is deleted (K4); so do a console password and an MFA device made with
 * it, deleted or not (readA15 A4). A run that finds the stolen key Inactive or deleted already judges
 * the user's other keys from the list it read too (readA15 A1, A3), and a rerun clears no key made
 * after the deactivation while a key made with the stolen one still worked then (A2).
 */
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteUserPolicyCommand,
  EnableMFADeviceCommand,
  ListAccessKeysCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionConcurrencyCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { CreateDBInstanceCommand, DeleteDBInstanceCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainmentStateReader } from '../../handlers/adapters/aws/containment/drift.js';
import { revocationDocument } from '../../handlers/adapters/aws/containment/iam.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import type { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { runContainment } from '../../handlers/core/contain.js';
import { type ContainmentCheck, checkContainment, drifted, judge } from '../../handlers/core/drift.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { containmentWorld } from '../support/containment-world.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

/** A zip archive holding one empty file: moto takes it as a function's code. */
const CODE = Buffer.from(
  'UEsDBAoAAAAAAAAAIQAAAAAAAAAAAAAAAAAIABwAaW5kZXguanNVVAkAA0mLTGZJi0xmdXgLAAEE6AMAAAToAwAAUEsBAh4DCgAAAAAAAAAhAAAAAAAAAAAAAAAAAAgAGAAAAAAAAAAAAKSBAAAAAGluZGV4LmpzVVQFAANJi0xmdXgLAAEE6AMAAAToAwAAUEsFBgAAAAABAAEATgAAAEIAAAAAAA==',
  'base64',
);

describe.skipIf(!MOTO_AVAILABLE)('containment read back from AWS, beyond instances, on moto', () => {
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
  async function contain(type: string, resource: Record<string, unknown>): Promise<Incident> {
    n += 1;
    const deps = { store, policy: DEFAULT_POLICY, now, canEnforce: true, forceEnforce: true };
    const recorded = await recordEvent(deps, findingEvent({ id: `drift-res-${Date.now()}-${n}`, accountId: ACCOUNT, type, resource }));
    await runContainment({ ...deps, containment }, recorded.incidentId as string);
    return (await store.getIncident(recorded.incidentId as string)) as Incident;
  }
  const read = async (incident: Incident) => (await checkContainment([incident], reader, now())).resources.map((r) => `${r.resource}: ${r.state}: ${r.actual}`);
  /** The read-back of a key's containment, the deny of its sessions aside (one test reads it: attack16 K2). */
  const readKey = async (incident: Incident) => (await read(incident)).filter((line) => line.startsWith('access key '));

  it('a stopped function: in place; its concurrency removed and URL opened: drifted; deleted: gone', async () => {
    const role = await c.iam.send(new CreateRoleCommand({ RoleName: 'rapport-role', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }));
    await c.lambda.send(
      new CreateFunctionCommand({ FunctionName: 'rapport', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: role.Role?.Arn, Code: { ZipFile: CODE } }),
    );
    await c.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'rapport', AuthType: 'NONE' }));
    const incident = await contain('CryptoCurrency:Lambda/BitcoinTool.B', {
      resourceType: 'Lambda',
      lambdaDetails: { functionName: 'rapport', functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:rapport` },
    });
    expect(incident.actions[0]).toMatchObject({ type: 'contain-lambda-function', status: 'done' });
    expect(await read(incident)).toEqual([
      'function rapport (reserved concurrency): in-place: reserved concurrency 0',
      'function rapport (function URL): in-place: auth AWS_IAM',
    ]);

    await c.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'rapport' }));
    await c.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'rapport', AuthType: 'NONE' }));
    expect(await read(incident)).toEqual([
      'function rapport (reserved concurrency): drifted: no reserved concurrency: it runs again',
      'function rapport (function URL): drifted: function URL auth NONE: open to anyone',
    ]);
    // The read changed nothing.
    expect((await c.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'rapport' }))).ReservedConcurrentExecutions).toBeUndefined();

    await c.lambda.send(new DeleteFunctionCommand({ FunctionName: 'rapport' }));
    expect(await read(incident)).toEqual([
      'function rapport (reserved concurrency): gone: function not found',
      'function rapport (function URL): in-place: auth none: the function has no URL any more',
    ]);
  });

  it('a database made private: in place; public again: drifted; renamed or deleted: drifted, not gone', async () => {
    // A retry of a create whose answer came late (a loaded machine) finds it made: that is the database.
    const created = c.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'ledendb',
        DBInstanceClass: 'db.t3.micro',
        Engine: 'postgres',
        AllocatedStorage: 20,
        MasterUsername: 'admin',
        MasterUserPassword: 'not-a-real-password-2',
        PubliclyAccessible: true,
      }),
    );
    await created.catch((err: Error) => {
      if (err.name !== 'DBInstanceAlreadyExistsFault') throw err;
    });
    const incident = await contain('CredentialAccess:RDS/MaliciousIPCaller.SuccessfulLogin', {
      resourceType: 'RDSDBInstance',
      rdsDbInstanceDetails: { dbInstanceIdentifier: 'ledendb', engine: 'postgres' },
    });
    expect(await read(incident)).toEqual(['database ledendb: in-place: not publicly accessible']);
    await c.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'ledendb', PubliclyAccessible: true, ApplyImmediately: true }));
    expect(await read(incident)).toEqual(['database ledendb: drifted: publicly accessible']);
    const renamedOrDeleted = ['database ledendb: drifted: database not found under its recorded name: renamed or deleted'];
    await c.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'ledendb', NewDBInstanceIdentifier: 'ledendb2', ApplyImmediately: true }));
    expect(await read(incident)).toEqual(renamedOrDeleted);
    const report = await checkContainment([incident], reader, now());
    expect(report.resources[0].todo).toContain('(CloudTrail: ModifyDBInstance with a new identifier, DeleteDBInstance)');
    expect(drifted(report)).toBe(true);
    await c.rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'ledendb2', SkipFinalSnapshot: true }));
    expect(await read(incident)).toEqual(renamedOrDeleted);
  });

  it("an IAM user's revocation: in place; moved to an earlier time: drifted; deleted: drifted, not gone", async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 'p.pietersen' }));
    const incident = await contain('UnauthorizedAccess:IAMUser/MaliciousIPCaller', {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: 'ASIAEXAMPLEDRIFT0001', principalId: 'AIDAEXAMPLEDRIFT0001', userType: 'IAMUser', userName: 'p.pietersen' },
    });
    const policy = `datalek-revoke-${incident.id}`;
    // The user by the pseudonym of its principal id (fg19), as the step's target.
    const label = `inline policy ${policy} on IAM user ${incident.actions[0].target}`;
    expect(incident.actions[0].target).toMatch(/^iam-user:[0-9a-f]{16}$/);
    const issuedBefore = incident.actions[0].evidence?.issuedBefore as string;
    expect(await read(incident)).toEqual([`${label}: in-place: denies sessions issued before ${issuedBefore}`]);

    const earlier = '2026-01-01T00:00:00.000Z';
    await c.iam.send(new PutUserPolicyCommand({ UserName: 'p.pietersen', PolicyName: policy, PolicyDocument: revocationDocument(earlier) }));
    expect(await read(incident)).toEqual([`${label}: drifted: denies sessions issued before ${earlier} only`]);
    await c.iam.send(new DeleteUserPolicyCommand({ UserName: 'p.pietersen', PolicyName: policy }));
    const report = await checkContainment([incident], reader, now());
    expect(report.resources.map((r) => `${r.state}: ${r.actual}`)).toEqual(['drifted: policy not found']);
    // The user's name is personal data: no word of the report holds it.
    expect(JSON.stringify(report)).not.toContain('pietersen');
    expect(JSON.stringify(report)).not.toContain('AIDAEXAMPLEDRIFT0001');
  });

  it("an IAM user renamed and its deny deleted: drifted, 'renamed or deleted', not 'gone: find out who deleted it'", async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 'q.quist' }));
    const incident = await contain('UnauthorizedAccess:IAMUser/MaliciousIPCaller', {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: 'ASIAEXAMPLEZ2RENAME1', principalId: 'AIDAEXAMPLEZ2RENAME1', userType: 'IAMUser', userName: 'q.quist' },
    });
    const policy = `datalek-revoke-${incident.id}`;
    expect((await checkContainment([incident], reader, now())).resources.map((r) => r.state)).toEqual(['in-place']);
    // Renamed, then the deny deleted: the user's sessions work again under its new name.
    await c.iam.send(new UpdateUserCommand({ UserName: 'q.quist', NewUserName: 'q.quist2' }));
    await c.iam.send(new DeleteUserPolicyCommand({ UserName: 'q.quist2', PolicyName: policy }));
    const report = await checkContainment([incident], reader, now());
    const r = report.resources[0];
    expect(`${r.state}: ${r.actual}`).toBe('drifted: IAM user not found under its recorded name: renamed or deleted');
    expect(r.todo).toContain('renamed or deleted (CloudTrail: UpdateUser, DeleteUser)');
    expect(r.todo).not.toContain('who deleted it');
    expect(drifted(report)).toBe(true);
    expect(JSON.stringify(report)).not.toContain('quist');
  });

  /** A user's stolen key, a second key the attacker made with it, and the stolen key's incident, contained. */
  async function secondKeyMade(userName: string, principalId: string): Promise<{ stolen: string; second: string; incident: Incident }> {
    await c.iam.send(new CreateUserCommand({ UserName: userName }));
    const stolen = (await c.iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey?.AccessKeyId as string;
    // The attacker, with the stolen key, before GuardDuty's finding (first activity: the fixture's, days back) reaches containment.
    const second = (await c.iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey?.AccessKeyId as string;
    const incident = await contain('UnauthorizedAccess:IAMUser/MaliciousIPCaller', {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: stolen, principalId, userType: 'IAMUser', userName },
    });
    return { stolen, second, incident };
  }

  it('a second access key made with the stolen one: the run records and tells NOT CONTAINED, drift too, until it is Inactive too', async () => {
    const { stolen, second, incident } = await secondKeyMade('r.ruiter', 'AIDAEXAMPLERUITER001');
    const [action] = incident.actions;
    // The run's own list judged as drift judges it (review13 K1): the key is Inactive, the action is not contained.
    expect(action).toMatchObject({ type: 'deactivate-access-key', status: 'failed' });
    expect(action.steps?.map((s) => `${s.name}: ${s.status}`)).toEqual(['deactivate-key: done', 'revoke-key-sessions: done', 'other-keys: failed']);
    expect(action.reason).toContain(`${stolen} Inactive, but NOT CONTAINED: the key's user has another Active key made since the first activity`);
    expect(action.reason).toContain(second);
    // Said once which step failed and why, not "other-keys failed (OtherKeyActive): other-keys failed (OtherKeyActive): …".
    expect(action.reason).toMatch(new RegExp(`^other-keys failed \\(OtherKeyActive\\): ${stolen} `));
    // The record: the user's other key, from the list containment made anyway.
    expect(action.evidence?.otherKeys).toEqual([{ id: second, status: 'Active', created: expect.any(String) }]);
    // The FG and on-call are told it failed, naming the key, as for any failed step; never the user's name.
    const told = await store.listMessages(incident.id);
    const failed = told.filter((m) => m.kind === 'containment-failed');
    expect(failed.map((m) => m.channel).sort()).toEqual(['fg', 'on-call']);
    for (const m of failed) expect(m.body).toMatch(new RegExp(`(NOT CONTAINED|NIET INGEPERKT)[^\\n]*${second}`));
    expect(told.map((m) => m.kind)).not.toContain('containment-done');
    expect(JSON.stringify({ told, reason: action.reason, steps: action.steps })).not.toContain('ruiter');
    const report = await checkContainment([incident], reader, now());
    const [r] = report.resources;
    expect(`${r.resource}: ${r.state}`, r.actual).toBe(`access key ${stolen}: drifted`);
    expect(r.actual).toContain(`NOT CONTAINED: the key's user has another Active key made since the first activity`);
    expect(r.actual).toContain(second);
    expect(r.todo).toContain('CreateAccessKey');
    expect(drifted(report)).toBe(true);
    expect(JSON.stringify(report)).not.toContain('ruiter');
    // Deactivated too: in place, and the next run, reading the list again, finds the action done.
    await c.iam.send(new UpdateAccessKeyCommand({ UserName: 'r.ruiter', AccessKeyId: second, Status: 'Inactive' }));
    expect(await read(incident)).toEqual([
      `access key ${stolen}: in-place: Inactive`,
      // The key's user's older sessions revoked with it (attack16 K2): a session made with the key outlives its deactivation.
      `inline policy datalek-revoke-${incident.id}-${stolen} on IAM user of ${stolen}: in-place: denies sessions issued before ${action.evidence?.issuedBefore}`,
    ]);
    await runContainment({ store, policy: DEFAULT_POLICY, now, forceEnforce: true, containment }, incident.id);
    const again = ((await store.getIncident(incident.id)) as Incident).actions[0];
    expect(again.status, again.reason).toBe('done');
    expect(again.steps?.map((s) => `${s.name}: ${s.status}`)).toEqual(['deactivate-key: done', 'revoke-key-sessions: done', 'other-keys: done']);
  });

  it('a rerun finds the stolen key set Active again since its deactivation: deactivated again, not read done (contain16)', async () => {
    const { stolen, second, incident } = await secondKeyMade('v.visser', 'AIDAEXAMPLEVISSER001');
    expect(incident.actions[0].status).toBe('failed');
    const deactivatedAt = incident.actions[0].steps?.find((s) => s.name === 'deactivate-key')?.at;
    // The attacker, with the second key, sets the stolen one Active again; on-call deactivates the second, as the failure said.
    await c.iam.send(new UpdateAccessKeyCommand({ UserName: 'v.visser', AccessKeyId: stolen, Status: 'Active' }));
    await c.iam.send(new UpdateAccessKeyCommand({ UserName: 'v.visser', AccessKeyId: second, Status: 'Inactive' }));
    await runContainment({ store, policy: DEFAULT_POLICY, now, forceEnforce: true, containment }, incident.id);
    const after = (await store.getIncident(incident.id)) as Incident;
    const again = after.actions[0];
    // Read as it is, not taken as the earlier run left it: set Inactive again, and said so with when it had been deactivated.
    const step = again.steps?.find((s) => s.name === 'deactivate-key');
    expect(step?.detail).toContain(`${stolen} found Active again (deactivated at ${deactivatedAt};`);
    expect(step?.detail).toContain('CloudTrail: UpdateAccessKey');
    const keys = (await c.iam.send(new ListAccessKeysCommand({ UserName: 'v.visser' }))).AccessKeyMetadata ?? [];
    expect(keys.find((k) => k.AccessKeyId === stolen)?.Status).toBe('Inactive');
    expect(again.status, again.reason).toBe('done');
    expect(await readKey(after)).toEqual([`access key ${stolen}: in-place: Inactive`]);
    // Its user's sessions revoked again with it (attack16 K2): the key may have made new ones while Active.
    expect(String(again.evidence?.issuedBefore) > String(incident.actions[0].evidence?.issuedBefore)).toBe(true);
    expect(JSON.stringify({ steps: again.steps, reason: again.reason })).not.toContain('visser');
  });

  it('a rerun that may not list the keys (AccessDenied) names the code, and reads no key made since the first activity Inactive unread (contain16)', async () => {
    const { second, incident } = await secondKeyMade('v.vos', 'AIDAEXAMPLEVOS000001');
    expect(incident.actions[0].status).toBe('failed');
    c.iam.middlewareStack.add(
      ((next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        if (context.commandName === 'ListAccessKeysCommand')
          throw Object.assign(new Error('User is not authorized to perform: iam:ListAccessKeys with an explicit deny'), { name: 'AccessDenied' });
        return next(args);
      }) as never,
      { step: 'initialize', name: 'iamListDenied' },
    );
    try {
      await runContainment({ store, policy: DEFAULT_POLICY, now, forceEnforce: true, containment }, incident.id);
    } finally {
      c.iam.middlewareStack.remove('iamListDenied');
    }
    const denied = ((await store.getIncident(incident.id)) as Incident).actions[0];
    const other = denied.steps?.find((s) => s.name === 'other-keys');
    expect([denied.status, other?.status, other?.code]).toEqual(['failed', 'failed', 'AccessDenied']);
    expect(other?.detail).toContain('AccessDenied on ListAccessKeys');
    expect(other?.detail).toContain(second);
  });

  it('the stolen key deleted after containment: its second key stays NOT CONTAINED, named (review13 K4)', async () => {
    const { stolen, second, incident } = await secondKeyMade('u.uil', 'AIDAEXAMPLEUIL000001');
    // The attacker, with the second key, deletes the stolen one (Inactive, of no use to them any more).
    await c.iam.send(new DeleteAccessKeyCommand({ UserName: 'u.uil', AccessKeyId: stolen }));
    const [r] = (await checkContainment([incident], reader, now())).resources;
    expect(`${r.resource}: ${r.state}`, r.actual).toBe(`access key ${stolen}: drifted`);
    expect(r.actual).toContain('not found, but NOT CONTAINED');
    expect(r.actual).toContain(second);
    expect(r.todo).toContain('CreateAccessKey');
    // The second key Inactive too: the stolen key is gone, nothing of the user's open.
    await c.iam.send(new UpdateAccessKeyCommand({ UserName: 'u.uil', AccessKeyId: second, Status: 'Inactive' }));
    expect(await readKey(incident)).toEqual([`access key ${stolen}: gone: access key not found`]);
  });

  /** What the run told on-call and the FG of the incident, each message as channel/kind and body. */
  const toldOf = async (incident: Incident) => (await store.listMessages(incident.id)).map((m) => `${m.channel}/${m.kind}: ${m.body}`);

  it('a key found Inactive already beside a key made since the first activity: failed, NOT CONTAINED naming it, on-call told (readA15 A1)', async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 's.smit' }));
    const stolen = (await c.iam.send(new CreateAccessKeyCommand({ UserName: 's.smit' }))).AccessKey?.AccessKeyId as string;
    // The attacker made a second key with the stolen one; then the owner (or a closed incident) set the stolen key Inactive.
    const second = (await c.iam.send(new CreateAccessKeyCommand({ UserName: 's.smit' }))).AccessKey?.AccessKeyId as string;
    await c.iam.send(new UpdateAccessKeyCommand({ UserName: 's.smit', AccessKeyId: stolen, Status: 'Inactive' }));
    const incident = await contain('UnauthorizedAccess:IAMUser/MaliciousIPCaller', {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: stolen, principalId: 'AIDAEXAMPLESMIT00001', userType: 'IAMUser', userName: 's.smit' },
    });
    const [action] = incident.actions;
    // Not "found contained, left": the key made with it works (it was skipped so until readA15 A1).
    expect(action).toMatchObject({ type: 'deactivate-access-key', status: 'failed' });
    expect(action.heldBy).toBeUndefined();
    // Its user's older sessions revoked all the same (lfc16): a session made with the key outlives its deactivation.
    expect(action.steps?.map((s) => `${s.name}: ${s.status}`)).toEqual(['deactivate-key: failed', 'revoke-key-sessions: done']);
    expect(action.reason).toContain(`${stolen} Inactive, but NOT CONTAINED: the key's user has another Active key made since the first activity`);
    expect(action.reason).toContain(second);
    // The list the step read to find it Inactive holds the other key: recorded, with the first activity known.
    expect(action.evidence?.otherKeys).toEqual([{ id: second, status: 'Active', created: expect.any(String) }]);
    expect(action.evidence?.otherKeysSince).toBe(incident.firstActivityAt ?? incident.detectedAt);
    const told = await toldOf(incident);
    const failed = told.filter((m) => m.includes('/containment-failed: '));
    expect(failed.map((m) => m.split('/')[0]).sort()).toEqual(['fg', 'on-call']);
    for (const m of failed) expect(m).toMatch(new RegExp(`(NOT CONTAINED|NIET INGEPERKT)[^\\n]*${second}`));
    expect(told.join('\n')).not.toMatch(/containment-(left|done)/);
    const report = await checkContainment([incident], reader, now());
    const [r] = report.resources;
    expect(`${r.resource}: ${r.state}`, r.actual).toBe(`access key ${stolen}: drifted`);
    expect(r.actual).toContain(`NOT CONTAINED: the key's user has another Active key made since the first activity`);
    expect(r.actual).toContain(second);
    expect(JSON.stringify({ report, told })).not.toContain('smit');
    // The second key Inactive too: the next run finds the stolen key contained, as found (left, nothing to hold).
    await c.iam.send(new UpdateAccessKeyCommand({ UserName: 's.smit', AccessKeyId: second, Status: 'Inactive' }));
    await runContainment({ store, policy: DEFAULT_POLICY, now, forceEnforce: true, containment }, incident.id);
    const again = ((await store.getIncident(incident.id)) as Incident).actions[0];
    expect(again.status, again.reason).toBe('skipped');
  });

  it("a key found Inactive already: the run revokes its user's older sessions all the same, drift reads the deny, and a release never reactivates the key (lfc16)", async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 'k.kok' }));
    const stolen = (await c.iam.send(new CreateAccessKeyCommand({ UserName: 'k.kok' }))).AccessKey?.AccessKeyId as string;
    // Set Inactive by its owner (or a closed incident) before the run: a session made with it may still work.
    await c.iam.send(new UpdateAccessKeyCommand({ UserName: 'k.kok', AccessKeyId: stolen, Status: 'Inactive' }));
    const incident = await contain('UnauthorizedAccess:IAMUser/MaliciousIPCaller', {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: stolen, principalId: 'AIDAEXAMPLEKOK000001', userType: 'IAMUser', userName: 'k.kok' },
    });
    const [action] = incident.actions;
    expect(action.status, action.reason).toBe('skipped');
    expect(action.steps?.map((s) => `${s.name}: ${s.status}`)).toEqual(['deactivate-key: failed', 'revoke-key-sessions: done']);
    const policy = `datalek-revoke-${incident.id}-${stolen}`;
    expect(await read(incident)).toEqual([
      `access key ${stolen}: in-place: Inactive`,
      `inline policy ${policy} on IAM user of ${stolen}: in-place: denies sessions issued before ${action.evidence?.issuedBefore}`,
    ]);
    // Released with --reactivate-key: the key was not deactivated under this incident, so it stays Inactive, and so does the deny.
    const steps: string[] = [];
    await containment.release(action, incident, { reactivateKey: true, record: async (s) => void steps.push(`${s.name}: ${s.status}`) });
    expect(steps).toEqual(['reactivate-key: skipped']);
    const keys = (await c.iam.send(new ListAccessKeysCommand({ UserName: 'k.kok' }))).AccessKeyMetadata ?? [];
    expect(keys.find((k) => k.AccessKeyId === stolen)?.Status).toBe('Inactive');
  });

  it('the stolen key deleted before the run reaches it: the key list it read is kept, and a key made since reads NOT CONTAINED (readA15 A3)', async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 'w.wever' }));
    const stolen = (await c.iam.send(new CreateAccessKeyCommand({ UserName: 'w.wever' }))).AccessKey?.AccessKeyId as string;
    const second = (await c.iam.send(new CreateAccessKeyCommand({ UserName: 'w.wever' }))).AccessKey?.AccessKeyId as string;
    // The attacker, with the second key, deletes the stolen one before containment reaches it.
    await c.iam.send(new DeleteAccessKeyCommand({ UserName: 'w.wever', AccessKeyId: stolen }));
    const incident = await contain('UnauthorizedAccess:IAMUser/MaliciousIPCaller', {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: stolen, principalId: 'AIDAEXAMPLEWEVER0001', userType: 'IAMUser', userName: 'w.wever' },
    });
    const [action] = incident.actions;
    expect(action.status).toBe('failed');
    expect(action.evidence?.otherKeys).toEqual([{ id: second, status: 'Active', created: expect.any(String) }]);
    expect(action.reason).toContain(`${stolen} access key not found, but NOT CONTAINED`);
    expect(action.reason).toContain('DeleteAccessKey');
    const failed = (await toldOf(incident)).filter((m) => m.includes('/containment-failed: '));
    expect(failed.map((m) => m.split('/')[0]).sort()).toEqual(['fg', 'on-call']);
    for (const m of failed) expect(m).toContain(second);
    expect(JSON.stringify(failed)).not.toContain('wever');
  });

  it('a rerun after the named key was rotated (stolen key deleted, a key made with the named one, it deleted): not done (readA15 A2)', async () => {
    const { stolen, second, incident } = await secondKeyMade('x.xander', 'AIDAEXAMPLEXANDER001');
    expect(incident.actions[0].status).toBe('failed');
    // The attacker, with the second key: the stolen key deleted (a free slot), a third made with the second, the second deleted.
    await c.iam.send(new DeleteAccessKeyCommand({ UserName: 'x.xander', AccessKeyId: stolen }));
    const third = (await c.iam.send(new CreateAccessKeyCommand({ UserName: 'x.xander' }))).AccessKey?.AccessKeyId as string;
    await c.iam.send(new DeleteAccessKeyCommand({ UserName: 'x.xander', AccessKeyId: second }));
    await runContainment({ store, policy: DEFAULT_POLICY, now, forceEnforce: true, containment }, incident.id);
    const after = (await store.getIncident(incident.id)) as Incident;
    const again = after.actions[0];
    expect(again.status, again.reason).toBe('failed');
    const step = again.steps?.find((s) => s.name === 'other-keys');
    expect(step?.status).toBe('failed');
    // The stolen key is named as not found, never as Inactive; the third key as NOT CONTAINED.
    expect(step?.detail).toContain(`${stolen} access key not found, but NOT CONTAINED`);
    expect(step?.detail).toContain(third);
    const [r] = (await checkContainment([after], reader, now())).resources;
    expect(`${r.state}: ${r.actual}`).toMatch(/^drifted: access key not found, but NOT CONTAINED/);
    expect(r.actual).toContain(third);
    expect(r.actual).not.toContain('so not with it');
  });

  it('a console password made with the stolen key, the key deleted after containment: still NOT CONTAINED, named (readA15 A4)', async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 'y.ypma' }));
    const stolen = (await c.iam.send(new CreateAccessKeyCommand({ UserName: 'y.ypma' }))).AccessKey?.AccessKeyId as string;
    await c.iam.send(new CreateLoginProfileCommand({ UserName: 'y.ypma', Password: 'Not-a-real-password-4!' }));
    const incident = await contain('UnauthorizedAccess:IAMUser/MaliciousIPCaller', {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: stolen, principalId: 'AIDAEXAMPLEYPMA00001', userType: 'IAMUser', userName: 'y.ypma' },
    });
    // The attacker, signed in to the console with that password, deletes the stolen key.
    await c.iam.send(new DeleteAccessKeyCommand({ UserName: 'y.ypma', AccessKeyId: stolen }));
    const [r] = (await checkContainment([incident], reader, now())).resources;
    expect(`${r.state}: ${r.actual}`).toMatch(/^drifted: access key not found, but NOT CONTAINED: the key's user has a console password made since/);
    expect(r.todo).toContain('aws iam delete-login-profile');
    await c.iam.send(new DeleteLoginProfileCommand({ UserName: 'y.ypma' }));
    expect(await readKey(incident)).toEqual([`access key ${stolen}: gone: access key not found`]);
  });

  it('a console password and an MFA device made with the stolen key: NOT CONTAINED until both are gone', async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 't.tuin' }));
    const stolen = (await c.iam.send(new CreateAccessKeyCommand({ UserName: 't.tuin' }))).AccessKey?.AccessKeyId as string;
    // The attacker, with the stolen key: a console password and an MFA device of their own. (moto answers
    // GetLoginProfile's CreateDate with the user's, made just before: here the same window either way.)
    await c.iam.send(new CreateLoginProfileCommand({ UserName: 't.tuin', Password: 'Not-a-real-password-3!' }));
    const serial = (await c.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 't.tuin' }))).VirtualMFADevice?.SerialNumber as string;
    await c.iam.send(new EnableMFADeviceCommand({ UserName: 't.tuin', SerialNumber: serial, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }));
    const incident = await contain('UnauthorizedAccess:IAMUser/MaliciousIPCaller', {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: stolen, principalId: 'AIDAEXAMPLETUIN00001', userType: 'IAMUser', userName: 't.tuin' },
    });
    expect(incident.actions[0]).toMatchObject({ type: 'deactivate-access-key', status: 'done' });
    const report = await checkContainment([incident], reader, now());
    const [r] = report.resources;
    expect(`${r.resource}: ${r.state}`, r.actual).toBe(`access key ${stolen}: drifted`);
    expect(r.actual).toContain("NOT CONTAINED: the key's user has a console password made and an MFA device enabled since the first activity");
    expect(r.todo).toContain('aws iam delete-login-profile');
    expect(drifted(report)).toBe(true);
    // The device's serial number carries the name it was given (here the user's): never in the report.
    expect(JSON.stringify(report)).not.toContain('tuin');
    await c.iam.send(new DeleteLoginProfileCommand({ UserName: 't.tuin' }));
    await c.iam.send(new DeactivateMFADeviceCommand({ UserName: 't.tuin', SerialNumber: serial }));
    expect(await readKey(incident)).toEqual([`access key ${stolen}: in-place: Inactive`]);
  });

  it("a key's user not found by its recorded name: drifted, renamed or deleted", async () => {
    const check: ContainmentCheck = {
      incidentId: 'inc-z2',
      actionId: 'a1',
      accountId: ACCOUNT,
      region: REGION,
      type: 'deactivate-access-key',
      expect: { kind: 'access-key', accessKeyId: 'AKIAEXAMPLEZ2RENAME2', userName: 'z2-renamed-user' },
    };
    const [seen] = await reader.read([check]);
    expect(seen).toEqual({ read: 'missing', what: 'IAM user of the key', byName: true });
    const verdict = judge(check, seen);
    expect(verdict.state).toBe('drifted');
    expect(verdict.todo).toContain('(CloudTrail: UpdateUser, DeleteUser;');
  });
});
