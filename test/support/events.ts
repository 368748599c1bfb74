/** Builders for GuardDuty events in tests: a valid event by default, with the fields a test changes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';

export interface EventOptions {
  id?: string;
  type?: string;
  severity?: number | string;
  createdAt?: string;
  updatedAt?: string;
  count?: number;
  archived?: boolean;
  sample?: boolean;
  resourceRole?: 'ACTOR' | 'TARGET';
  instanceId?: string;
  resource?: Record<string, unknown>;
  accountId?: string;
  detailType?: string;
  /** Fields merged into `detail.service` (e.g. `action`, `detection`). */
  service?: Record<string, unknown>;
}

export function instanceResource(instanceId = 'i-0123456789abcdef0') {
  return {
    resourceType: 'Instance',
    instanceDetails: {
      instanceId,
      networkInterfaces: [
        { networkInterfaceId: 'eni-0aaa', vpcId: 'vpc-01', securityGroups: [{ groupId: 'sg-01', groupName: 'app' }] },
        { networkInterfaceId: 'eni-0bbb', vpcId: 'vpc-01', securityGroups: [{ groupId: 'sg-02', groupName: 'db' }] },
      ],
      tags: [{ key: 'DataClassificatie', value: 'Persoonlijk' }],
    },
  };
}

export function accessKeyResource(accessKeyId = 'AKIAEXAMPLE000000001', userType = 'IAMUser', userName = 'someone') {
  return { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId, principalId: 'AIDAEXAMPLE', userType, userName } };
}

/** A finding on an IAM user's long-term key (AKIA…) whose user is `userName`: containment plans deactivate-access-key with the name in its params. */
export function iamUserKeyEvent(userName: string, createdAt = '2026-11-27T21:00:00Z') {
  return findingEvent({
    id: 'iam-user-key',
    type: 'CredentialAccess:IAMUser/AnomalousBehavior',
    createdAt,
    resource: accessKeyResource('AKIAEXAMPLEJANSEN001', 'IAMUser', userName),
  });
}

export function bucketResource(name = 'klantdata', effectivePermission = 'PUBLIC') {
  return { resourceType: 'S3Bucket', s3BucketDetails: [{ name, publicAccess: { effectivePermission } }] };
}

export function findingEvent(o: EventOptions = {}) {
  const createdAt = o.createdAt ?? '2026-11-27T21:00:00.000Z';
  return {
    version: '0',
    id: `evt-${Math.random().toString(16).slice(2)}`,
    'detail-type': o.detailType ?? 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: o.accountId ?? ACCOUNT,
    time: createdAt,
    region: REGION,
    resources: [],
    detail: {
      schemaVersion: '2.0',
      accountId: o.accountId ?? ACCOUNT,
      region: REGION,
      partition: 'aws',
      id: o.id ?? 'f0000000000000000000000000000001',
      arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/d1/finding/${o.id ?? 'f1'}`,
      type: o.type ?? 'Backdoor:EC2/C&CActivity.B!DNS',
      resource: o.resource ?? instanceResource(o.instanceId),
      service: {
        serviceName: 'guardduty',
        detectorId: 'd1',
        action: { actionType: 'DNS_REQUEST', dnsRequestAction: { domain: 'c2.example', protocol: 'UDP', blocked: false } },
        resourceRole: o.resourceRole ?? 'ACTOR',
        additionalInfo: o.sample ? { sample: true } : { threatListName: 'x' },
        eventFirstSeen: createdAt,
        eventLastSeen: o.updatedAt ?? createdAt,
        archived: o.archived ?? false,
        count: o.count ?? 1,
        ...o.service,
      },
      severity: o.severity ?? 8,
      createdAt,
      updatedAt: o.updatedAt ?? createdAt,
      title: 'test finding',
      description: 'test finding',
    },
  };
}

/** One resource block per GuardDuty resource type, as documented (camelCase, as EventBridge delivers it). */
export const RESOURCES: Record<string, () => Record<string, unknown>> = {
  Instance: () => instanceResource(),
  AccessKey: () => accessKeyResource(),
  S3Bucket: () => bucketResource('klantdata', 'NOT_PUBLIC'),
  S3Object: () => ({
    resourceType: 'S3Object',
    s3BucketDetails: [
      {
        name: 'uploads-klanten',
        arn: 'arn:aws:s3:::uploads-klanten',
        type: 'Destination',
        s3ObjectDetails: [{ objectArn: 'arn:aws:s3:::uploads-klanten/2026/paspoort.pdf', key: '2026/paspoort.pdf', eTag: 'e1', hash: 'h1', versionId: 'v3' }],
      },
    ],
  }),
  EKSCluster: () => ({
    resourceType: 'EKSCluster',
    eksClusterDetails: { name: 'prod-eks', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eks', vpcId: 'vpc-01', status: 'ACTIVE' },
    kubernetesDetails: { kubernetesWorkloadDetails: { name: 'web', type: 'deployments', namespace: 'default' } },
  }),
  ECSCluster: () => ({
    resourceType: 'ECSCluster',
    ecsClusterDetails: {
      name: 'payments',
      arn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/payments',
      taskDetails: {
        arn: 'arn:aws:ecs:eu-west-1:111122223333:task/payments/0f1e2d3c4b5a69788796a5b4c3d2e1f0',
        definitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/payments-api:7',
        launchType: 'FARGATE',
        containers: [{ name: 'api', image: 'example/api:1.2' }],
      },
    },
  }),
  Container: () => ({ resourceType: 'Container', containerDetails: { id: 'c0ffee', name: 'worker', image: 'example/worker:3' } }),
  Lambda: () => ({
    resourceType: 'Lambda',
    lambdaDetails: { functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:export-klanten', functionName: 'export-klanten', functionVersion: '$LATEST' },
  }),
  RDSDBInstance: () => ({
    resourceType: 'RDSDBInstance',
    rdsDbInstanceDetails: {
      dbInstanceIdentifier: 'klanten-db',
      engine: 'aurora-postgresql',
      dbClusterIdentifier: 'klanten',
      dbInstanceArn: 'arn:aws:rds:eu-west-1:111122223333:db:klanten-db',
    },
    rdsDbUserDetails: { user: 'app', application: 'psql', database: 'klanten', ssl: 'true', authMethod: 'PASSWORD' },
  }),
  RDSLimitlessDB: () => ({
    resourceType: 'RDSLimitlessDB',
    rdsLimitlessDbDetails: { dbShardGroupIdentifier: 'shards-1', dbClusterIdentifier: 'orders', engine: 'aurora-postgresql' },
  }),
  EBSSnapshot: () => ({ resourceType: 'EBSSnapshot', ebsSnapshotDetails: { snapshotArn: 'arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0' } }),
  EC2Image: () => ({ resourceType: 'EC2Image', ec2ImageDetails: { imageArn: 'arn:aws:ec2:eu-west-1::image/ami-0123456789abcdef0' } }),
  RecoveryPoint: () => ({
    resourceType: 'RecoveryPoint',
    recoveryPointDetails: {
      recoveryPointArn: 'arn:aws:backup:eu-west-1:111122223333:recovery-point:1EB3B5E7-9EB0-435A-9B6B-EXAMPLE',
      backupVaultName: 'dagelijks',
    },
  }),
  AttackSequence: () => ({ resourceType: 'AttackSequence' }),
};

/** An attack sequence's `service.detection`, naming a credential, an instance, a bucket and a cluster. */
export function sequenceDetection(o: { accessKeyId?: string; instanceId?: string; bucket?: string; userName?: string } = {}) {
  const accessKeyId = o.accessKeyId ?? 'AKIAEXAMPLE000000001';
  const instanceId = o.instanceId ?? 'i-0123456789abcdef0';
  const bucket = o.bucket ?? 'klantdata';
  return {
    sequence: {
      uid: 'seq-0001',
      description: 'A sequence of actions involving credential access and data exfiltration.',
      actors: [
        {
          id: 'user:IAMUser:AIDAEXAMPLE:someone',
          user: { name: o.userName ?? 'someone', uid: 'AIDAEXAMPLE', type: 'IAMUser', credentialUid: accessKeyId, account: { uid: ACCOUNT } },
          session: { mfaStatus: 'DISABLED' },
        },
      ],
      resources: [
        { uid: instanceId, name: instanceId, accountId: ACCOUNT, resourceType: 'EC2_INSTANCE', region: REGION, service: 'EC2' },
        {
          uid: `arn:aws:s3:::${bucket}`,
          name: bucket,
          accountId: ACCOUNT,
          resourceType: 'S3_BUCKET',
          region: REGION,
          service: 'S3',
          data: { s3Bucket: { effectivePermission: 'NOT_PUBLIC' } },
        },
        { uid: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eks', name: 'prod-eks', accountId: ACCOUNT, resourceType: 'EKS_CLUSTER', region: REGION },
        { uid: 'vpc-0a1b2c3d', accountId: ACCOUNT, resourceType: 'EC2_VPC', region: REGION },
      ],
      signals: [
        { uid: 'sig-1', type: 'FINDING', name: 'Discovery:S3/AnomalousBehavior', severity: 2 },
        { uid: 'sig-2', type: 'CLOUD_TRAIL', name: 'GetObject', severity: 5 },
      ],
      sequenceIndicators: [{ key: 'ATTACK_TACTIC', values: ['Exfiltration'] }],
    },
  };
}

/**
 * Version `n` of an attack sequence (`seq-bucket`) on bucket testdata that, from version 2 on, also names
 * bucket patientdossiers (NOT_PUBLIC: no containment to plan), as GuardDuty updates a sequence that grows.
 */
export function sequenceGrowingToBucket(n: number) {
  const detection = sequenceDetection({ bucket: 'testdata' });
  if (n > 1) {
    const resources = detection.sequence.resources as unknown[];
    resources.push({
      uid: 'arn:aws:s3:::patientdossiers',
      name: 'patientdossiers',
      accountId: ACCOUNT,
      resourceType: 'S3_BUCKET',
      region: REGION,
      service: 'S3',
      data: { s3Bucket: { effectivePermission: 'NOT_PUBLIC' } },
    });
  }
  return asVersion(credentialSequenceEvent({ id: 'seq-bucket', detection }), n);
}

/** `event` as version `n` (1-9) of its finding: updated at n o'clock on 28 November, `service.count` n. */
export function asVersion<E extends { detail: { service: object } }>(event: E, n: number): E {
  Object.assign(event.detail, { updatedAt: `2026-11-28T0${n}:00:00.000Z` });
  Object.assign(event.detail.service, { count: n });
  return event;
}

/** A Critical `AttackSequence:IAM/CompromisedCredentials` whose detection is `sequenceDetection()`'s unless given. */
export function credentialSequenceEvent(o: { id?: string; createdAt?: string; detection?: ReturnType<typeof sequenceDetection> } = {}) {
  return findingEvent({
    id: o.id ?? 'seq-finding',
    type: 'AttackSequence:IAM/CompromisedCredentials',
    severity: 9.3,
    createdAt: o.createdAt ?? '2026-11-27T23:00:00.000Z',
    resource: { resourceType: 'AttackSequence' },
    resourceRole: 'TARGET',
    service: { featureName: 'Correlation', detection: o.detection ?? sequenceDetection() },
  });
}

/**
 * A Critical attack sequence whose detection names `more` resources besides `sequenceDetection()`'s
 * (a fleet of instances, every bucket of an account), for the storm bounds.
 */
export function largeSequenceEvent(o: { id: string; type: string; createdAt: string; more: Record<string, unknown>[] }) {
  const detection = sequenceDetection();
  (detection.sequence.resources as unknown[]).push(...o.more);
  return findingEvent({
    id: o.id,
    type: o.type,
    severity: 9.5,
    createdAt: o.createdAt,
    resource: { resourceType: 'AttackSequence' },
    resourceRole: 'TARGET',
    service: { featureName: 'Correlation', detection },
  });
}

/** A Critical attack sequence `id` naming the EC2 instances `instances` and nothing else. */
export function instanceSequenceEvent(id: string, instances: string[], createdAt = '2026-11-28T02:50:00.000Z') {
  const detection = sequenceDetection();
  (detection.sequence as { resources: unknown[] }).resources = instances.map((uid) => ({
    uid,
    name: uid,
    accountId: ACCOUNT,
    resourceType: 'EC2_INSTANCE',
    region: REGION,
    service: 'EC2',
  }));
  return findingEvent({
    id,
    type: 'AttackSequence:EC2/CompromisedInstanceGroup',
    severity: 9.5,
    createdAt,
    resource: { resourceType: 'AttackSequence' },
    resourceRole: 'TARGET',
    service: { featureName: 'Correlation', detection },
  });
}

/**
 * The Malware Protection for S3 sample (`events/35-s3-object-malware-upload.json`), its infected
 * object named `objectKey` (in the key and the object's ARN): an upload named after a person.
 */
export function s3MalwareUploadEvent(objectKey: string) {
  const event = JSON.parse(readFileSync(join(import.meta.dirname, '../../events/35-s3-object-malware-upload.json'), 'utf8'));
  const object = event.detail.resource.s3BucketDetails[0].s3ObjectDetails[0];
  object.key = objectKey;
  object.objectArn = `arn:aws:s3:::intake-uploads/${objectKey}`;
  return event;
}
