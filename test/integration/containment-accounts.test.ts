/**
 * Credentials of another account are contained there or not at all: never on a role of the same
 * name in the incident's account (review2 attack §1). Same-named roles in every account are the
 * norm with StackSets and Control Tower.
 */
import { CreateRoleCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainmentClientFactory, type ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { runContainment } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { bucketResource, findingEvent, sequenceDetection } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const HOME = '123456789012'; // moto's own account: the pipeline's and the incident's
const OTHER = '444455556666';
const ROLE = 'AppRole';
const EMPTY_TRUST = '{"Version":"2012-10-17","Statement":[]}';

/** An S3 exfiltration in HOME's bucket, made with the temporary credentials of OTHER's role AppRole. */
function remoteCallerEvent(id: string, bucket: string) {
  return findingEvent({
    id,
    accountId: HOME,
    type: 'Exfiltration:S3/MaliciousIPCaller',
    resource: {
      ...bucketResource(bucket, 'NOT_PUBLIC'),
      accessKeyDetails: { accessKeyId: 'ASIAOTHERACCOUNT0001', principalId: 'AROAOTHERACCOUNT0001:job', userType: 'AssumedRole', userName: ROLE },
    },
    service: {
      action: {
        actionType: 'AWS_API_CALL',
        awsApiCallAction: {
          api: 'GetObject',
          serviceName: 's3.amazonaws.com',
          callerType: 'Remote account',
          remoteAccountDetails: { accountId: OTHER, affiliated: true },
        },
      },
    },
  });
}

/** An attack sequence in HOME whose actor is OTHER's role AppRole. */
function sequenceEvent(id: string) {
  const detection = sequenceDetection();
  detection.sequence.actors = [
    {
      id: 'role:AppRole',
      user: { name: ROLE, uid: 'AROAOTHERACCOUNT0001:s', type: 'AssumedRole', credentialUid: 'ASIAOTHERACCOUNT0001', account: { uid: OTHER } },
      session: { mfaStatus: 'DISABLED' },
    },
  ];
  detection.sequence.resources = [];
  return findingEvent({
    id,
    accountId: HOME,
    type: 'AttackSequence:IAM/CompromisedCredentials',
    severity: 9,
    resource: { resourceType: 'AttackSequence' },
    service: { detection },
  });
}

describe.skipIf(!MOTO_AVAILABLE)('containment acts in the account the credentials belong to, on moto', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  let factory: ContainmentClientFactory;
  let home: ContainmentClients;

  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, moto.env);
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
    factory = new ContainmentClientFactory('eu-west-1', 'datalek-containment');
    home = await factory.clientsFor(HOME, 'eu-west-1', 'setup');
    // The namesake: a role of the same name in the incident's own account.
    await home.iam.send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: EMPTY_TRUST }));
    for (const Bucket of ['klantdossiers', 'facturen'])
      await home.s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  });
  afterAll(async () => moto?.stop());

  async function recordAndContain(event: unknown, policy: Policy): Promise<Incident> {
    const recorded = await recordEvent({ store, policy, now: () => new Date().toISOString(), canEnforce: true, forceEnforce: true }, event);
    // As `replay --target aws --enforce` runs it: the policy's plan modes enforced this run.
    const deps = { store, policy, now: () => new Date().toISOString(), containment: new AwsContainment(factory), forceEnforce: true };
    await runContainment(deps, recorded.incidentId as string);
    return (await store.getIncident(recorded.incidentId as string)) as Incident;
  }

  const namesakePolicies = async () => (await home.iam.send(new ListRolePoliciesCommand({ RoleName: ROLE }))).PolicyNames ?? [];
  const credentialAction = (incident: Incident) =>
    incident.actions.find((a) => a.target === ROLE || a.target === 'ASIAOTHERACCOUNT0001' || a.params?.action) as ActionRecord;

  it("an S3 caller of an account outside the policy's is a person's step with its runbook, and the namesake role is untouched", async () => {
    const incident = await recordAndContain(remoteCallerEvent(`${'f'.repeat(31)}1`, 'klantdossiers'), DEFAULT_POLICY);
    const action = credentialAction(incident);
    expect(action).toMatchObject({
      id: `contain-in-other-account:${ROLE}@${OTHER}`,
      type: 'contain-in-other-account',
      target: ROLE,
      accountId: OTHER,
      status: 'planned',
      mode: 'plan',
      person: true,
      params: { action: 'revoke-role-sessions', accountId: OTHER, runbook: 'runbooks/other-account.md' },
    });
    expect(incident.actions.some((a) => a.status === 'done' && a.type === 'revoke-role-sessions')).toBe(false);
    expect(await namesakePolicies()).toEqual([]);
  });

  it("an attack sequence's actor of another account is never contained on the namesake in the incident's account", async () => {
    const incident = await recordAndContain(sequenceEvent(`${'f'.repeat(31)}2`), DEFAULT_POLICY);
    expect(credentialAction(incident)).toMatchObject({ type: 'contain-in-other-account', accountId: OTHER, status: 'planned', person: true });
    expect(await namesakePolicies()).toEqual([]);
  });

  it("in a member account the policy lists, the sessions are revoked there: on that account's role, not the namesake", async () => {
    const other = await factory.clientsFor(OTHER, 'eu-west-1', 'setup');
    await other.iam.send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: EMPTY_TRUST }));
    const policy = parsePolicy({ containment: { memberAccounts: [OTHER] } });
    const incident = await recordAndContain(remoteCallerEvent(`${'f'.repeat(31)}3`, 'facturen'), policy);
    expect(credentialAction(incident)).toMatchObject({
      id: `revoke-role-sessions:${ROLE}@${OTHER}`,
      type: 'revoke-role-sessions',
      accountId: OTHER,
      status: 'done',
    });
    expect((await other.iam.send(new ListRolePoliciesCommand({ RoleName: ROLE }))).PolicyNames).toEqual([`datalek-revoke-${incident.id}`]);
    expect(await namesakePolicies()).toEqual([]);
  });
});
