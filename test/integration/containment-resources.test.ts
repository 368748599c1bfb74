/**
 * The containment of every resource type beyond EC2 instances, end to end on moto: a finding event
 * is recorded with enforcement, the incident's actions run step by step, and `release` undoes them.
 * Assessed on what the resources look like afterwards, not on which calls were made.
 */

import { BackupClient, ListTagsCommand } from '@aws-sdk/client-backup';
import {
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeImagesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSnapshotsCommand,
  DescribeTagsCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  ListTagsForResourceCommand as EcsListTags,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionUrlConfigCommand,
  PutFunctionConcurrencyCommand,
} from '@aws-sdk/client-lambda';
import { CreateDBInstanceCommand, DescribeDBInstancesCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { CreateBucketCommand, GetObjectTaggingCommand, GetPublicAccessBlockCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainmentStateReader } from '../../handlers/adapters/aws/containment/drift.js';
import { DRAINED_BY } from '../../handlers/adapters/aws/containment/ecs.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import type { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { runContainment } from '../../handlers/core/contain.js';
import { containAgain } from '../../handlers/core/contain-again.js';
import { checkContainment } from '../../handlers/core/drift.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releasable, releaseContainment } from '../../handlers/core/release.js';
import { containmentWorld } from '../support/containment-world.js';
import { anImageId, buildVpc, showOwnInterfaceGroups } from '../support/ec2-scenario.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

/** A zip archive holding one empty file: enough for moto to accept a function's code. */
const EMPTY_ZIP = Buffer.from(
  'UEsDBAoAAAAAAAAAIQAAAAAAAAAAAAAAAAAIABwAaW5kZXguanNVVAkAA0mLTGZJi0xmdXgLAAEE6AMAAAToAwAAUEsBAh4DCgAAAAAAAAAhAAAAAAAAAAAAAAAAAAgAGAAAAAAAAAAAAKSBAAAAAGluZGV4LmpzVVQFAANJi0xmdXgLAAEE6AMAAAToAwAAUEsFBgAAAAABAAEATgAAAEIAAAAAAA==',
  'base64',
);

describe.skipIf(!MOTO_AVAILABLE)('containment of every resource type, on moto', () => {
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

  // The incidents are recorded as `replay --enforce` records them; this is that replay's run.
  const deps = () => ({ store, policy: DEFAULT_POLICY, now: () => new Date().toISOString(), containment, forceEnforce: true });

  /** Records the finding with enforcement, runs its containment and returns the incident. */
  async function contain(type: string, resource: Record<string, unknown>, service: Record<string, unknown> = {}): Promise<Incident> {
    n += 1;
    const recorded = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => new Date().toISOString(), canEnforce: true, forceEnforce: true },
      findingEvent({ id: `resources-${Date.now()}-${n}`, accountId: ACCOUNT, type, resource, service }),
    );
    expect(recorded.outcome).toBe('opened');
    await runContainment(deps(), recorded.incidentId as string);
    return (await store.getIncident(recorded.incidentId as string)) as Incident;
  }

  /**
   * AWS Backup's tags of a resource. moto reads ListTags' ARN from a path ending in a slash, as
   * boto3 sends it; the JavaScript SDK sends none, so this reading client adds it.
   */
  async function listBackupTags(arn: string) {
    const reader = new BackupClient({ region: REGION });
    reader.middlewareStack.add(
      ((next: (a: { request: { path: string } }) => Promise<unknown>) => async (args: { request: { path: string } }) => {
        args.request.path = `${args.request.path}/`;
        return next(args);
      }) as never,
      { step: 'build', name: 'motoTrailingSlash' },
    );
    return (await reader.send(new ListTagsCommand({ ResourceArn: arn }))).Tags;
  }

  const action = (incident: Incident, type: string) => {
    const found = incident.actions.find((a) => a.type === type);
    if (!found) throw new Error(`no ${type} action in ${incident.actions.map((a) => a.type).join(', ')}`);
    return found;
  };

  it("revokes an IAM user's temporary credentials with a deny on older sessions, and releases it", async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 'j.jansen' }));
    const incident = await contain('UnauthorizedAccess:IAMUser/MaliciousIPCaller', {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: 'ASIAEXAMPLEUSER00001', principalId: 'AIDAEXAMPLEUSER00001', userType: 'IAMUser', userName: 'j.jansen' },
    });
    const revoke = action(incident, 'revoke-user-sessions');
    // Named by the pseudonym of the user's principal id (fg19), acting on the user in its params.
    expect(revoke).toMatchObject({ status: 'done', target: expect.stringMatching(/^iam-user:[0-9a-f]{16}$/) });
    const policy = await c.iam.send(new GetUserPolicyCommand({ UserName: 'j.jansen', PolicyName: `datalek-revoke-${incident.id}` }));
    const document = JSON.parse(decodeURIComponent(policy.PolicyDocument as string));
    expect(document.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { DateLessThan: { 'aws:TokenIssueTime': revoke.evidence?.issuedBefore } },
    });
    // The user name stays out of the step's words (it is in the evidence).
    expect(revoke.steps?.map((s) => s.detail).join(' ')).not.toContain('j.jansen');

    await releaseContainment(deps(), { incidentId: incident.id, by: 'anna', reason: 'the user was travelling' });
    expect((await c.iam.send(new ListUserPoliciesCommand({ UserName: 'j.jansen' }))).PolicyNames).toEqual([]);
  });

  /** A task in moto's ECS; moto 5.2.1 cannot run an `awsvpc` task (RunTask fails creating its interface), so it runs in bridge mode. */
  async function runTask(cluster: string): Promise<string> {
    const ecs = c.ecs;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'payments-api',
        networkMode: 'bridge',
        containerDefinitions: [{ name: 'api', image: 'example/api:1', memory: 512 }],
      }),
    );
    const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'payments-api', launchType: 'FARGATE' }));
    return run.tasks?.[0]?.taskArn as string;
  }

  const ecsFinding = (cluster: string, taskArn: string) =>
    [
      'Execution:Runtime/ReverseShell',
      {
        resourceType: 'ECSCluster',
        ecsClusterDetails: { name: cluster, arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`, taskDetails: { arn: taskArn, launchType: 'FARGATE' } },
      },
      { runtimeDetails: { process: { name: 'sh' } } },
    ] as const;

  it("isolates an ECS task's network interface with the same two-step swap, and releases it", async () => {
    // Prepare: the task's own interface, in a group of its own. Only the task's description is
    // completed here (moto cannot run an awsvpc task): the interface, the groups and the swap are moto's.
    const { vpcId, subnetId } = await buildVpc(c);
    const group = (await c.ec2.send(new CreateSecurityGroupCommand({ GroupName: `task-${Date.now()}`, Description: 'task', VpcId: vpcId }))).GroupId as string;
    const eniId = (await c.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [group] }))).NetworkInterface?.NetworkInterfaceId as string;
    const taskArn = await runTask('payments');
    const ecs = c.ecs;
    ecs.middlewareStack.add(
      ((next: (a: unknown) => Promise<{ output: { tasks?: { taskArn?: string; attachments?: unknown[] }[] } }>, context: { commandName?: string }) =>
        async (args: unknown) => {
          const result = await next(args);
          if (context.commandName === 'DescribeTasksCommand') {
            for (const t of result.output.tasks ?? []) {
              if (t.taskArn === taskArn)
                t.attachments = [{ type: 'ElasticNetworkInterface', status: 'ATTACHED', details: [{ name: 'networkInterfaceId', value: eniId }] }];
            }
          }
          return result;
        }) as never,
      { step: 'initialize', name: 'awsvpcTask' },
    );
    try {
      // Act
      const [type, resource, service] = ecsFinding('payments', taskArn);
      const incident = await contain(type, resource, service);
      // Assess: only the isolation group on the interface, the task tagged.
      const isolate = action(incident, 'isolate-ecs-task');
      expect(isolate.status).toBe('done');
      expect(isolate.steps?.map((s) => s.name)).toEqual(['capture-task', 'prepare-isolation-groups', `isolate-eni:${eniId}`, 'tag-task']);
      const groupsOf = async () =>
        ((await c.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }))).NetworkInterfaces?.[0]?.Groups ?? []).map((g) => g.GroupId);
      const isolation = (isolate.evidence as { groups: { isolation: string } }).groups.isolation;
      expect(await groupsOf()).toEqual([isolation]);
      expect((await ecs.send(new EcsListTags({ resourceArn: taskArn }))).tags).toContainEqual({ key: 'datalek:state', value: 'isolated' });

      await releaseContainment(deps(), { incidentId: incident.id, by: 'anna', reason: 'pentest' });
      expect(await groupsOf()).toEqual([group]);
    } finally {
      ecs.middlewareStack.remove('awsvpcTask');
    }
  });

  it('contain15: takes an isolated ECS container instance out of task placement (DRAINING), no other; release sets it ACTIVE again', async () => {
    // Prepare: two instances, each the container instance of a cluster of its own.
    const { subnetId } = await buildVpc(c);
    const imageId = await anImageId(c.ec2);
    const run = await c.ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 2, MaxCount: 2, InstanceType: 't3.micro', SubnetId: subnetId }));
    const [held, other] = (run.Instances ?? []).map((i) => i.InstanceId as string);
    await showOwnInterfaceGroups(c.ec2, [held, other]);
    const register = async (cluster: string, instanceId: string) => {
      await c.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
      const doc = JSON.stringify({ instanceId, region: REGION, accountId: ACCOUNT });
      const out = await c.ecs.send(new RegisterContainerInstanceCommand({ cluster, instanceIdentityDocument: doc }));
      return out.containerInstance?.containerInstanceArn as string;
    };
    const heldArn = await register('workers', held);
    const otherArn = await register('batch', other);
    const statusOf = async (cluster: string, arn: string) =>
      (await c.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }))).containerInstances?.[0]?.status;

    // Act
    const incident = await contain('Backdoor:EC2/C&CActivity.B', instanceResource(held));

    // Assess: drained after the cut, recorded with the status it had; the other cluster's instance untouched.
    const isolate = action(incident, 'isolate-instance');
    expect(isolate.status).toBe('done');
    expect(isolate.steps?.find((s) => s.name === 'drain-container-instance')?.status).toBe('done');
    expect(isolate.evidence?.containerInstances).toEqual([
      { cluster: expect.stringContaining('workers'), arn: heldArn, before: 'ACTIVE', drainedBy: incident.id },
    ]);
    expect(await statusOf('workers', heldArn)).toBe('DRAINING');
    // Marked as this incident's before the drain (attack16 K6: a retry after a killed run reads it); the release removes it.
    const markOf = async () =>
      (
        await c.ecs.send(new DescribeContainerInstancesCommand({ cluster: 'workers', containerInstances: [heldArn] }))
      ).containerInstances?.[0]?.attributes?.find((a) => a.name === DRAINED_BY)?.value;
    expect(await markOf()).toBe(incident.id);
    expect(await statusOf('batch', otherArn)).toBe('ACTIVE');
    // Drift reads it back (contain16): DRAINING in place; set ACTIVE again behind the record, NOT CONTAINED.
    const drain = async () =>
      (await checkContainment([incident], reader, new Date().toISOString())).resources.filter((r) => r.resource.startsWith('ECS container instance'));
    expect((await drain()).map((r) => `${r.resource}: ${r.state}: ${r.actual}`)).toEqual([
      `ECS container instance ${heldArn.split('/').pop()} of ${held}: in-place: DRAINING`,
    ]);
    await c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'workers', containerInstances: [heldArn], status: 'ACTIVE' }));
    const [active] = await drain();
    expect([active.state, active.actual]).toEqual(['drifted', expect.stringMatching(/^ACTIVE: NOT CONTAINED/)]);
    expect(active.todo).toContain(`--container-instances ${heldArn} --status DRAINING`);
    await c.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'workers', containerInstances: [heldArn], status: 'DRAINING' }));

    await releaseContainment(deps(), { incidentId: incident.id, by: 'anna', reason: 'pentest' });
    expect([await statusOf('workers', heldArn), await markOf()]).toEqual(['ACTIVE', undefined]);
  });

  it('review13 E2: where ECS cannot be read (an SCP denying ECS), an isolated instance reads the drain skipped, the reason named, not the isolation failed', async () => {
    const { subnetId } = await buildVpc(c);
    const imageId = await anImageId(c.ec2);
    const run = await c.ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', SubnetId: subnetId }));
    const held = run.Instances?.[0]?.InstanceId as string;
    await showOwnInterfaceGroups(c.ec2, [held]);
    c.ecs.middlewareStack.add(
      ((next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        if (context.commandName === 'ListClustersCommand')
          throw Object.assign(new Error('User is not authorized to perform: ecs:ListClusters with an explicit deny in a service control policy'), {
            name: 'AccessDeniedException',
          });
        return next(args);
      }) as never,
      { step: 'initialize', name: 'ecsDenied' },
    );
    try {
      const isolate = action(await contain('Backdoor:EC2/C&CActivity.B', instanceResource(held)), 'isolate-instance');
      expect(isolate.steps?.filter((s) => s.name.startsWith('isolate-eni:')).every((s) => s.status === 'done')).toBe(true);
      expect(isolate.status).toBe('done');
      const drain = isolate.steps?.find((s) => s.name === 'drain-container-instance');
      expect([drain?.status, drain?.detail]).toEqual(['skipped', expect.stringContaining('AccessDeniedException')]);
    } finally {
      c.ecs.middlewareStack.remove('ecsDenied');
    }
  });

  it('reports a task without a network interface of its own as not contained, naming what to isolate instead', async () => {
    const taskArn = await runTask('legacy');
    const [type, resource, service] = ecsFinding('legacy', taskArn);
    const incident = await contain(type, resource, service);
    const isolate = action(incident, 'isolate-ecs-task');
    expect(isolate.status).toBe('failed');
    expect(isolate.steps).toEqual([expect.objectContaining({ name: 'capture-task', status: 'failed', code: 'NoTaskNetworkInterface' })]);
    expect(isolate.reason).toMatch(/isolate its container instance/);
  });

  it('stops a Lambda function and closes its open URL, recording the old settings; release puts them back', async () => {
    const role = await c.iam.send(
      new CreateRoleCommand({
        RoleName: 'factuur-render-role',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const lambda = c.lambda;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'factuur-render',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: role.Role?.Arn,
        Code: { ZipFile: EMPTY_ZIP },
      }),
    );
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'factuur-render', ReservedConcurrentExecutions: 5 }));
    await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'factuur-render', AuthType: 'NONE' }));

    const incident = await contain('CryptoCurrency:Lambda/BitcoinTool.B', {
      resourceType: 'Lambda',
      lambdaDetails: { functionName: 'factuur-render', functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:factuur-render` },
    });
    const stop = action(incident, 'contain-lambda-function');
    expect(stop.status).toBe('done');
    expect(stop.evidence?.function).toMatchObject({ reservedConcurrency: 5, urlAuthType: 'NONE' });
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'factuur-render' }))).ReservedConcurrentExecutions).toBe(0);
    expect((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'factuur-render' }))).AuthType).toBe('AWS_IAM');

    await releaseContainment(deps(), { incidentId: incident.id, by: 'anna', reason: 'false positive' });
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'factuur-render' }))).ReservedConcurrentExecutions).toBe(5);
    expect((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'factuur-render' }))).AuthType).toBe('NONE');
  });

  it('makes a public RDS instance private and snapshots it, with a person step for the credentials; release makes it public again', async () => {
    const rds = c.rds;
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'patientdb',
        DBInstanceClass: 'db.t3.micro',
        Engine: 'postgres',
        AllocatedStorage: 20,
        MasterUsername: 'admin',
        MasterUserPassword: 'not-a-real-password-1',
        PubliclyAccessible: true,
      }),
    );
    const incident = await contain('CredentialAccess:RDS/MaliciousIPCaller.SuccessfulLogin', {
      resourceType: 'RDSDBInstance',
      rdsDbInstanceDetails: { dbInstanceIdentifier: 'patientdb', engine: 'postgres' },
    });
    expect(action(incident, 'restrict-rds-instance').status).toBe('done');
    expect(action(incident, 'review-database-access')).toMatchObject({ status: 'planned', person: true, mode: 'plan' });
    const db = async () => (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'patientdb' }))).DBInstances?.[0];
    expect((await db())?.PubliclyAccessible).toBe(false);
    const snapshots = await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: 'patientdb', SnapshotType: 'manual' }));
    expect(snapshots.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual([`datalek-${incident.id}-patientdb`]);

    await releaseContainment(deps(), { incidentId: incident.id, by: 'anna', reason: 'the login was the DBA' });
    expect((await db())?.PubliclyAccessible).toBe(true);
  });

  it("tags an infected S3 object version with the incident, keeps the owner's tags, never deletes it; release restores its tags", async () => {
    await c.s3.send(new CreateBucketCommand({ Bucket: 'uploads-klanten', CreateBucketConfiguration: { LocationConstraint: REGION } }));
    await c.s3.send(new PutBucketVersioningCommand({ Bucket: 'uploads-klanten', VersioningConfiguration: { Status: 'Enabled' } }));
    const put = await c.s3.send(new PutObjectCommand({ Bucket: 'uploads-klanten', Key: '2026/paspoort.pdf', Body: 'X5O!P%@AP', Tagging: 'afdeling=intake' }));
    const versionId = put.VersionId as string;
    const incident = await contain(
      'Object:S3/MaliciousFile',
      { resourceType: 'S3Object', s3BucketDetails: [{ name: 'uploads-klanten', s3ObjectDetails: [{ key: '2026/paspoort.pdf', versionId }] }] },
      { action: { actionType: 'MALWARE_SCAN' } },
    );
    const tag = action(incident, 'tag-s3-object');
    expect(tag.status).toBe('done');
    expect(tag.target).not.toContain('paspoort');
    expect(tag.evidence?.object).toMatchObject({ bucket: 'uploads-klanten', key: '2026/paspoort.pdf', versionId });
    const tags = async () =>
      (await c.s3.send(new GetObjectTaggingCommand({ Bucket: 'uploads-klanten', Key: '2026/paspoort.pdf', VersionId: versionId }))).TagSet;
    expect(await tags()).toEqual([
      { Key: 'afdeling', Value: 'intake' },
      { Key: 'datalek:incident', Value: incident.id },
      { Key: 'datalek:state', Value: 'malware-detected' },
    ]);

    await releaseContainment(deps(), { incidentId: incident.id, by: 'anna', reason: 'EICAR test file' });
    expect(await tags()).toEqual([{ Key: 'afdeling', Value: 'intake' }]);
  });

  it('tags an infected EBS snapshot, AMI and recovery point, and deletes none of them', async () => {
    const volume = await c.ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${REGION}a`, Size: 8 }));
    const snapshot = await c.ec2.send(new CreateSnapshotCommand({ VolumeId: volume.VolumeId }));
    const snapshotId = snapshot.SnapshotId as string;
    const snapshotIncident = await contain('Execution:EC2/MaliciousFile!Snapshot', {
      resourceType: 'EBSSnapshot',
      ebsSnapshotDetails: { snapshotArn: `arn:aws:ec2:${REGION}::snapshot/${snapshotId}` },
    });
    expect(action(snapshotIncident, 'tag-snapshot')).toMatchObject({ status: 'done', target: snapshotId });
    const tagsOf = async (id: string) =>
      Object.fromEntries(
        ((await c.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }))).Tags ?? []).map((t) => [t.Key, t.Value]),
      );
    expect(await tagsOf(snapshotId)).toMatchObject({ 'datalek:incident': snapshotIncident.id, 'datalek:state': 'malware-detected' });

    const backupArn = `arn:aws:backup:${REGION}:${ACCOUNT}:recovery-point:1EB3B5E7-9EB0-435A-9B6B-0123456789AB`;
    const pointIncident = await contain('Execution:S3/MaliciousFile!RecoveryPoint', {
      resourceType: 'RecoveryPoint',
      recoveryPointDetails: { recoveryPointArn: backupArn, backupVaultName: 'dagelijks' },
    });
    expect(action(pointIncident, 'tag-recovery-point').status).toBe('done');
    const pointTags = await listBackupTags(backupArn);
    expect(pointTags).toMatchObject({ 'datalek:incident': pointIncident.id, 'datalek:state': 'malware-detected' });

    await releaseContainment(deps(), { incidentId: snapshotIncident.id, by: 'anna', reason: 'cleaned copy restored elsewhere' });
    expect(await tagsOf(snapshotId)).toMatchObject({ 'datalek:incident': snapshotIncident.id, 'datalek:state': 'released' });

    const imageId = await anImageId(c.ec2);
    const imageIncident = await contain('Execution:EC2/MaliciousFile!AMI', {
      resourceType: 'EC2Image',
      ec2ImageDetails: { imageArn: `arn:aws:ec2:${REGION}::image/${imageId}` },
    });
    expect(action(imageIncident, 'tag-image')).toMatchObject({ status: 'done', target: imageId });
    expect(await tagsOf(imageId)).toMatchObject({ 'datalek:incident': imageIncident.id, 'datalek:state': 'malware-detected' });
    // Never deleted: the snapshot and the image are still there.
    expect((await c.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots).toHaveLength(1);
    expect((await c.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images).toHaveLength(1);
  });

  /**
   * Last read's L1 beyond instances and ECS tasks (d155fd0, 8b8e175 did those): a key, a public bucket,
   * a Lambda function or an infected object contained under an incident that closed is planned again by
   * the next incident on it (a later finding opens a new one), whose take sees no holder. It carried the
   * containment out again and recorded the contained state as the state to restore: its release
   * reactivated a key inactive before it, "restored" all four Block Public Access settings, put
   * concurrency 0 back, or the first incident's malware tags. Now a capture that finds datalek's
   * containment in place records nothing of it: the action is skipped as found contained already, and
   * the first incident's release still restores the state from before (asked to name the next incident,
   * which relies on it, and handing its action back: review8 R2). (An RDS database found private
   * is not made private, and its release restores nothing already: it only restores what it changed.)
   */
  describe('a resource held contained under a closed incident, planned by the next one', () => {
    /** Closes the incident as its FG would once done with it: its containment stays in place (closing releases nothing). */
    async function close(incidentId: string): Promise<void> {
      const now = () => new Date().toISOString();
      await changeIncident({ store, now, policy: DEFAULT_POLICY }, incidentId, (draft) => {
        draft.state = 'closed';
        draft.closedAt = now();
        draft.closeReason = 'afgehandeld';
        return { entries: [{ at: now(), kind: 'closed', actor: 'FG', detail: { reason: 'afgehandeld' } }] };
      });
    }

    /** Contains the resource under a first incident, closes it, and records a second finding on it; returns both incidents' `type` actions. */
    async function twice(type: string, resource: Record<string, unknown>, actionType: string, service: Record<string, unknown> = {}) {
      const first = await contain(type, resource, service);
      expect(action(first, actionType).status).toBe('done');
      await close(first.id);
      const second = await contain(type, resource, service);
      const again = action(second, actionType);
      // Found contained already: nothing of it recorded as done or to restore, nothing to release.
      expect(again.status).toBe('skipped');
      expect(again.reason).toContain('no open incident');
      // A key's user's older sessions are revoked all the same (lfc16): its release keeps the key Inactive.
      const key = actionType === 'deactivate-access-key';
      expect((again.steps ?? []).filter((st) => st.status === 'done').map((st) => st.name)).toEqual(key ? ['revoke-key-sessions'] : []);
      expect(again.steps?.find((st) => st.status === 'failed')?.code).toBe('AlreadyContained');
      expect(releasable(second.actions).map((a) => a.type)).toEqual(key ? [actionType] : []);
      return { first, again, second };
    }

    /**
     * Releases the first incident: refused while the second relies on its containment found in place
     * (review8 R2), then done naming it (--undo-for), which hands the second's action back.
     */
    async function releaseFirst(first: { id: string }, second: { id: string }, input: { by: string; reason: string; reactivateKey?: boolean }) {
      await expect(releaseContainment(deps(), { incidentId: first.id, ...input })).rejects.toThrow(second.id);
      const out = await releaseContainment(deps(), { incidentId: first.id, ...input, undoFor: [second.id] });
      expect(out.undoneFor.map((u) => [u.incidentId, u.now])).toEqual([[second.id, 'planned']]);
    }

    it('an access key: the next incident does not record it inactive as its own, and the first release reactivates it', async () => {
      await c.iam.send(new CreateUserCommand({ UserName: 'l1-key-user' }));
      const key = (await c.iam.send(new CreateAccessKeyCommand({ UserName: 'l1-key-user' }))).AccessKey?.AccessKeyId as string;
      const status = async () => (await c.iam.send(new ListAccessKeysCommand({ UserName: 'l1-key-user' }))).AccessKeyMetadata?.[0]?.Status;
      const { first, second } = await twice(
        'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
        { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: key, principalId: 'AIDAL1KEY', userType: 'IAMUser', userName: 'l1-key-user' } },
        'deactivate-access-key',
      );
      expect(await status()).toBe('Inactive');
      await releaseFirst(first, second, { by: 'anna', reason: 'the key was the CI', reactivateKey: true });
      expect(await status()).toBe('Active');
      // Handed back and contained again: deactivated, and its sessions revoked anew (those made while it was Active again).
      const before = action(second, 'deactivate-access-key').evidence?.issuedBefore;
      await containAgain(deps(), { incidentId: second.id, by: 'anna', reason: 'handed back', enforce: true });
      const again = action((await store.getIncident(second.id)) as Incident, 'deactivate-access-key');
      expect([await status(), again.status]).toEqual(['Inactive', 'done']);
      expect(String(again.evidence?.issuedBefore) > String(before)).toBe(true);
    });

    it('a public bucket: all four settings found on are not recorded as the settings to restore', async () => {
      await c.s3.send(new CreateBucketCommand({ Bucket: 'l1-klantdata', CreateBucketConfiguration: { LocationConstraint: REGION } }));
      const { first, again, second } = await twice(
        'Policy:S3/BucketBlockPublicAccessDisabled',
        { resourceType: 'S3Bucket', s3BucketDetails: [{ name: 'l1-klantdata', publicAccess: { effectivePermission: 'PUBLIC' } }] },
        'block-public-access',
      );
      expect(again.evidence?.previousPublicAccessBlock).toBeUndefined();
      await releaseFirst(first, second, { by: 'anna', reason: 'public on purpose' });
      await expect(c.s3.send(new GetPublicAccessBlockCommand({ Bucket: 'l1-klantdata' }))).rejects.toMatchObject({
        name: 'NoSuchPublicAccessBlockConfiguration',
      });
    });

    it('a Lambda function: concurrency 0 found is not recorded as the concurrency to restore', async () => {
      const role = await c.iam.send(new CreateRoleCommand({ RoleName: 'l1-fn-role', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }));
      await c.lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'l1-render',
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Role: role.Role?.Arn,
          Code: { ZipFile: EMPTY_ZIP },
        }),
      );
      await c.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'l1-render', ReservedConcurrentExecutions: 5 }));
      const { first, again, second } = await twice(
        'CryptoCurrency:Lambda/BitcoinTool.B',
        { resourceType: 'Lambda', lambdaDetails: { functionName: 'l1-render', functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:l1-render` } },
        'contain-lambda-function',
      );
      expect(again.evidence?.function).toBeUndefined();
      await releaseFirst(first, second, { by: 'anna', reason: 'false positive' });
      expect((await c.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'l1-render' }))).ReservedConcurrentExecutions).toBe(5);
    });

    it("an infected object: the first incident's malware tags are not recorded as the tags to restore", async () => {
      await c.s3.send(new CreateBucketCommand({ Bucket: 'l1-uploads', CreateBucketConfiguration: { LocationConstraint: REGION } }));
      await c.s3.send(new PutBucketVersioningCommand({ Bucket: 'l1-uploads', VersioningConfiguration: { Status: 'Enabled' } }));
      const put = await c.s3.send(new PutObjectCommand({ Bucket: 'l1-uploads', Key: 'scan.pdf', Body: 'X5O!P%@AP', Tagging: 'afdeling=intake' }));
      const VersionId = put.VersionId as string;
      const { first, second } = await twice(
        'Object:S3/MaliciousFile',
        { resourceType: 'S3Object', s3BucketDetails: [{ name: 'l1-uploads', s3ObjectDetails: [{ key: 'scan.pdf', versionId: VersionId }] }] },
        'tag-s3-object',
        { action: { actionType: 'MALWARE_SCAN' } },
      );
      const tags = async () => (await c.s3.send(new GetObjectTaggingCommand({ Bucket: 'l1-uploads', Key: 'scan.pdf', VersionId }))).TagSet;
      expect(await tags()).toContainEqual({ Key: 'datalek:incident', Value: first.id });
      await releaseFirst(first, second, { by: 'anna', reason: 'EICAR test file' });
      expect(await tags()).toEqual([{ Key: 'afdeling', Value: 'intake' }]);
    });
  });
});
