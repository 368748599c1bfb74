/** Builders for GuardDuty events in tests: a valid event by default, with the fields a test changes. */
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
      },
      severity: o.severity ?? 8,
      createdAt,
      updatedAt: o.updatedAt ?? createdAt,
      title: 'test finding',
      description: 'test finding',
    },
  };
}
