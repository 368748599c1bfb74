import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidFindingError } from '../../handlers/core/errors.js';
import { correlationKeys, type Finding, parseEvent, parseEventText, resourceKey } from '../../handlers/core/finding.js';
import { KNOWN_RESOURCE_TYPES } from '../../handlers/core/finding-resources.js';
import { accessKeyResource, findingEvent, instanceResource, RESOURCES, sequenceDetection } from '../support/events.js';

const ROOT = join(import.meta.dirname, '../..');

function finding(value: unknown): Finding {
  const parsed = parseEvent(value);
  if (parsed.kind !== 'finding') throw new Error(`expected a finding, got ${parsed.kind}`);
  return parsed.finding;
}

function rejection(value: unknown): InvalidFindingError {
  try {
    parseEvent(value);
  } catch (err) {
    if (err instanceof InvalidFindingError) return err;
    throw err;
  }
  throw new Error('expected the event to be rejected');
}

describe('parse leniently: only what the pipeline uses is required', () => {
  it('keeps a Critical finding whose unneeded blocks hold empty strings and odd values', () => {
    // Prepare: an Instance finding with empty strings in blocks its resource type does not need.
    const event = findingEvent({ severity: 9.2, resource: instanceResource() });
    Object.assign(event.detail.resource as Record<string, unknown>, {
      eksClusterDetails: { name: '' },
      accessKeyDetails: { accessKeyId: '', userName: '' },
      s3BucketDetails: [{ name: '' }],
      ecsClusterDetails: { name: '' },
      containerDetails: { id: '' },
      rdsDbInstanceDetails: { dbInstanceIdentifier: '' },
    });
    Object.assign(event.detail.service as Record<string, unknown>, { eventFirstSeen: '', eventLastSeen: '2026-11-27 21:00:00.000000000', resourceRole: '' });
    Object.assign(event.detail, { title: 42, schemaVersion: '' });
    (event as Record<string, unknown>).time = '';
    // Act
    const f = finding(event);
    // Assess
    expect(f.band).toBe('Critical');
    expect(f.resource).toEqual({ kind: 'ec2-instance', resourceType: 'Instance', id: 'i-0123456789abcdef0' });
    expect(f.accessKey).toBeNull();
    expect(f.resourceRole).toBeNull();
    expect(f.title).toBe(f.type);
    expect((f.detail.resource as Record<string, unknown>).eksClusterDetails).toEqual({ name: '' });
  });

  it('counts an empty string as absent in what the pipeline needs, and names the field', () => {
    const emptyInstance = findingEvent();
    (emptyInstance.detail.resource as { instanceDetails: { instanceId: string } }).instanceDetails.instanceId = '';
    expect(rejection(emptyInstance).message).toBe('detail.resource.instanceDetails.instanceId: required for resourceType Instance');
    const emptyId = findingEvent({ id: '' });
    expect(rejection(emptyId).message).toBe('detail.id: required (string)');
    const emptyAccount = findingEvent();
    emptyAccount.detail.accountId = '';
    expect(finding(emptyAccount).key.accountId).toBe('111122223333'); // from the envelope
  });

  it('keeps a finding with no resource type as unknown rather than rejecting it', () => {
    const event = findingEvent({ severity: 9.5, resource: { resourceType: '' } });
    const f = finding(event);
    expect(f.resource).toEqual({ kind: 'unknown', resourceType: '', id: 'f0000000000000000000000000000001' });
  });
});

describe("GuardDuty's resource types: one synthetic finding each", () => {
  const expected: Record<string, { kind: string; id: string }> = {
    Instance: { kind: 'ec2-instance', id: 'i-0123456789abcdef0' },
    AccessKey: { kind: 'access-key', id: 'AKIAEXAMPLE000000001' },
    S3Bucket: { kind: 's3-bucket', id: 'klantdata' },
    S3Object: { kind: 's3-bucket', id: 'uploads-klanten' },
    EKSCluster: { kind: 'eks-cluster', id: 'prod-eks' },
    ECSCluster: { kind: 'ecs-cluster', id: 'payments' },
    Container: { kind: 'container', id: 'c0ffee' },
    Lambda: { kind: 'lambda-function', id: 'arn:aws:lambda:eu-west-1:111122223333:function:export-klanten' },
    RDSDBInstance: { kind: 'rds-instance', id: 'klanten-db' },
    RDSLimitlessDB: { kind: 'rds-cluster', id: 'orders' },
    EBSSnapshot: { kind: 'ebs-snapshot', id: 'arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0' },
    EC2Image: { kind: 'ec2-image', id: 'arn:aws:ec2:eu-west-1::image/ami-0123456789abcdef0' },
    RecoveryPoint: { kind: 'recovery-point', id: 'arn:aws:backup:eu-west-1:111122223333:recovery-point:1EB3B5E7-9EB0-435A-9B6B-EXAMPLE' },
    AttackSequence: { kind: 'attack-sequence', id: 'f0000000000000000000000000000001' },
  };

  it('covers every resource type the parser knows', () => {
    expect(Object.keys(RESOURCES).sort()).toEqual(Object.keys(expected).sort());
    for (const type of Object.keys(RESOURCES)) expect(KNOWN_RESOURCE_TYPES).toContain(type);
  });

  it.each(Object.keys(expected))('%s: parsed into its kind and identifier', (type) => {
    const f = finding(findingEvent({ type: 'Test:Any/Finding', resource: RESOURCES[type]() }));
    expect({ kind: f.resource.kind, id: f.resource.id }).toEqual(expected[type]);
    expect(f.resource.resourceType).toBe(type);
  });

  it.each(Object.keys(expected).filter((t) => t !== 'AttackSequence'))('%s: rejected without the block its type needs, naming it', (type) => {
    const block = Object.keys(RESOURCES[type]()).find((k) => k !== 'resourceType' && k !== 'kubernetesDetails' && k !== 'rdsDbUserDetails') as string;
    const err = rejection(findingEvent({ resource: { resourceType: type } }));
    expect(err.path).toBe(`detail.resource.${block}`);
    expect(err.message).toMatch(new RegExp(`required for resourceType ${type}$`));
  });

  it('keeps the key and version of an S3 object with malware', () => {
    const f = finding(findingEvent({ type: 'Object:S3/MaliciousFile', resource: RESOURCES.S3Object(), service: { action: { actionType: 'MALWARE_SCAN' } } }));
    expect(f.s3Objects).toEqual([{ bucket: 'uploads-klanten', key: '2026/paspoort.pdf', versionId: 'v3' }]);
    expect(f.malware).toBe(true);
  });

  it('reads the scanned snapshot, AMI and recovery point of Malware Protection for AWS Backup', () => {
    expect(finding(findingEvent({ resource: RESOURCES.EBSSnapshot() })).backup).toEqual({
      kind: 'ebs-snapshot',
      arn: 'arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0',
      backupVaultName: null,
    });
    expect(finding(findingEvent({ resource: RESOURCES.EC2Image() })).backup?.kind).toBe('ec2-image');
    expect(finding(findingEvent({ resource: RESOURCES.RecoveryPoint() })).backup).toMatchObject({ kind: 'recovery-point', backupVaultName: 'dagelijks' });
    // A spelling of the resource type this version does not know is recognised by its block.
    const other = finding(
      findingEvent({ resource: { resourceType: 'EbsSnapshotV2', ebsSnapshotDetails: { snapshotArn: 'arn:aws:ec2:eu-west-1::snapshot/snap-1' } } }),
    );
    expect(other.resource.kind).toBe('ebs-snapshot');
  });

  it('reads the ECS task, the Lambda function and the RDS instance', () => {
    expect(finding(findingEvent({ resource: RESOURCES.ECSCluster() })).ecs).toEqual({
      clusterName: 'payments',
      clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/payments',
      taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/payments/0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      launchType: 'FARGATE',
    });
    expect(finding(findingEvent({ resource: RESOURCES.Lambda() })).lambda?.functionName).toBe('export-klanten');
    expect(finding(findingEvent({ resource: RESOURCES.RDSDBInstance() })).rds).toEqual({ dbInstanceIdentifier: 'klanten-db', dbClusterIdentifier: 'klanten' });
  });

  it('names the worker node of an EKS runtime finding beside the cluster', () => {
    const resource = { ...RESOURCES.EKSCluster(), instanceDetails: instanceResource('i-0eks').instanceDetails };
    const f = finding(findingEvent({ type: 'Execution:Runtime/ReverseShell', resource }));
    expect(f.resource.kind).toBe('eks-cluster');
    expect(f.instance?.instanceId).toBe('i-0eks');
    expect(f.related.map((r) => `${r.kind}:${r.id}`)).toEqual(['eks-cluster:prod-eks', 'ec2-instance:i-0eks']);
  });

  it('reads a console sign-in without an access key as the principal, an IAM user’s principal id as personal (fg19: recorded by its pseudonym)', () => {
    const f = finding(
      findingEvent({
        resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: '', principalId: 'AIDAX', userType: 'IAMUser', userName: 'someone' } },
      }),
    );
    expect(f.resource).toEqual({ kind: 'iam-principal', resourceType: 'AccessKey', id: 'AIDAX', personal: true });
  });
});

describe('attack sequences', () => {
  const event = () =>
    findingEvent({
      type: 'AttackSequence:IAM/CompromisedCredentials',
      severity: 9.1,
      resource: { resourceType: 'AttackSequence' },
      resourceRole: 'TARGET',
      service: { featureName: 'Correlation', detection: sequenceDetection() },
    });

  it('reads the signals, actors and resources under service.detection.sequence', () => {
    const f = finding(event());
    expect(f.resource.kind).toBe('attack-sequence');
    expect(f.sequence?.uid).toBe('seq-0001');
    expect(f.sequence?.signals.map((s) => s.name)).toEqual(['Discovery:S3/AnomalousBehavior', 'GetObject']);
    expect(f.sequence?.actors).toEqual([
      {
        id: 'user:IAMUser:AIDAEXAMPLE:someone',
        userType: 'IAMUser',
        userName: 'someone',
        principalId: 'AIDAEXAMPLE',
        accessKeyId: 'AKIAEXAMPLE000000001',
        accountId: '111122223333',
      },
    ]);
  });

  it('names every affected principal, key, bucket, instance and cluster', () => {
    const f = finding(event());
    expect(f.related.map((r) => `${r.kind}:${r.id}`)).toEqual([
      'attack-sequence:f0000000000000000000000000000001',
      'ec2-instance:i-0123456789abcdef0',
      's3-bucket:klantdata',
      'eks-cluster:prod-eks',
      'other:vpc-0a1b2c3d',
      'access-key:AKIAEXAMPLE000000001',
      'iam-principal:AIDAEXAMPLE',
    ]);
  });

  it('correlates on each of them, so findings on any of them join one incident', () => {
    const f = finding(event());
    expect(correlationKeys(f)).toEqual([
      resourceKey(f),
      'ec2-instance:111122223333:eu-west-1:i-0123456789abcdef0',
      's3-bucket:111122223333:klantdata',
      'eks-cluster:111122223333:eu-west-1:prod-eks',
      'access-key:111122223333:AKIAEXAMPLE000000001',
      'iam-principal:111122223333:AIDAEXAMPLE',
    ]);
    // The same key as a finding on that resource has.
    expect(correlationKeys(f)).toContain(resourceKey(finding(findingEvent({ resource: accessKeyResource() }))));
  });
});

describe('direction, not only resourceRole, says whether an instance acted', () => {
  const involvement = (action: Record<string, unknown>, resourceRole: 'ACTOR' | 'TARGET', type = 'UnauthorizedAccess:EC2/TorClient') =>
    finding(findingEvent({ type, resourceRole, service: { action } })).involvement.role;

  it('an OUTBOUND connection is the instance acting, whatever resourceRole says', () => {
    expect(involvement({ actionType: 'NETWORK_CONNECTION', networkConnectionAction: { connectionDirection: 'OUTBOUND' } }, 'TARGET')).toBe('acting');
  });
  it('a DNS request and a process on it are acting', () => {
    expect(involvement({ actionType: 'DNS_REQUEST', dnsRequestAction: { domain: 'x.example' } }, 'TARGET')).toBe('acting');
    expect(involvement({ actionType: 'NETWORK_CONNECTION' }, 'TARGET', 'Execution:Runtime/ReverseShell')).toBe('acting');
  });
  it('being probed or brute-forced (INBOUND) is being targeted', () => {
    expect(involvement({ actionType: 'PORT_PROBE', portProbeAction: { blocked: false } }, 'ACTOR')).toBe('targeted');
    expect(
      involvement(
        { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { connectionDirection: 'INBOUND' } },
        'TARGET',
        'UnauthorizedAccess:EC2/SSHBruteForce',
      ),
    ).toBe('targeted');
  });
});

describe('every event file parses, or is rejected on purpose', () => {
  const files = readdirSync(join(ROOT, 'events')).filter((f) => f.endsWith('.json'));

  it.each(files)('events/%s', (file) => {
    const text = readFileSync(join(ROOT, 'events', file), 'utf8');
    const values: unknown[] = (() => {
      try {
        const v = JSON.parse(text);
        return Array.isArray(v) ? v : [v];
      } catch {
        return [text];
      }
    })();
    for (const value of values) {
      const parse = () => (typeof value === 'string' ? parseEventText(value) : parseEvent(value));
      if (file.includes('malformed')) expect(parse).toThrow(InvalidFindingError);
      else expect(['finding', 'not-a-finding']).toContain(parse().kind);
    }
  });

  const FIXTURES = join(ROOT, '../shared/fixtures/guardduty');
  const fixtures = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => f.endsWith('.json')) : [];
  it.skipIf(fixtures.length === 0).each(fixtures)('../shared/fixtures/guardduty/%s', (file) => {
    const value = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Record<string, unknown>;
    const wrapped = (detail: Record<string, unknown>, region?: string) => ({
      version: '0',
      id: 'x',
      'detail-type': 'GuardDuty Finding',
      source: 'aws.guardduty',
      account: (detail.accountId as string | undefined) ?? '123456789012',
      region: (detail.region as string | undefined) ?? region,
      resources: [],
      detail,
    });
    if (file.startsWith('getfindings-')) {
      expect(() => parseEvent(value)).toThrow(/GetFindings API or AWS CLI output/);
    } else if (file.startsWith('detail-')) {
      expect(() => parseEvent(value)).toThrow(/without its EventBridge envelope/);
      expect(parseEvent(wrapped(value)).kind).toBe('finding');
    } else if (file.startsWith('partial-envelope-')) {
      expect(parseEvent(wrapped(value.detail as Record<string, unknown>, value.region as string)).kind).toBe('finding');
    } else {
      expect(parseEvent(value).kind).toBe('finding');
    }
  });
});
