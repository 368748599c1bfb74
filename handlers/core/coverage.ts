/**
 * What datalek does with each GuardDuty finding family under a policy: a synthetic finding of every
 * catalogued type (for each resource type and activity shape it comes in) is parsed as an event and
 * planned with the policy, at Medium and at High (attack sequences at Critical). The table in
 * runbooks/coverage.md is this function's output for the built-in policy, checked by a test.
 */
import { planContainment } from './containment.js';
import { type Finding, parseEvent } from './finding.js';
import { type ActivityShape, type CatalogueEntry, FINDING_CATALOGUE, familyOf } from './finding-catalogue.js';
import type { ActionRecord } from './incident.js';
import type { Policy } from './policy.js';
import { formatSeverity } from './severity.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const INSTANCE = 'i-0c0ffee0c0ffee000';
const NOW = '2026-01-01T00:00:00.000Z';

/** The credentials an IAM or S3 finding can show; each is contained differently. */
export type CredentialShape = 'long-term-key' | 'user-session' | 'console' | 'assumed-role' | 'federated' | 'root' | 'anonymous';

const CREDENTIAL_LABELS: Record<CredentialShape, string> = {
  'long-term-key': 'long-term key',
  'user-session': "IAM user's session",
  console: 'console sign-in',
  'assumed-role': 'assumed role',
  federated: 'federated user',
  root: 'root',
  anonymous: 'anonymous caller',
};

/** One way a finding type arrives: a resource type, the activity's shape and the credentials used. */
export interface Variant {
  entry: CatalogueEntry;
  resourceType: string;
  shape: Exclude<ActivityShape, 'either'>;
  credentials?: CredentialShape;
  /** How the table tells this variant from the type's others; empty when it has none. */
  label: string;
}

export function variantsOf(entry: CatalogueEntry): Variant[] {
  const shapes: { shape: Exclude<ActivityShape, 'either'>; label: string }[] =
    entry.shape === 'either'
      ? [
          { shape: 'out', label: 'it acted' },
          { shape: 'in', label: 'it was targeted' },
        ]
      : [{ shape: entry.shape, label: '' }];
  return entry.resources.flatMap((resourceType) => {
    const credentials: (CredentialShape | undefined)[] =
      resourceType === 'AccessKey'
        ? ['long-term-key', 'user-session', 'console', 'assumed-role', 'federated', 'root']
        : resourceType === 'S3Bucket'
          ? ['long-term-key', 'user-session', 'assumed-role', 'federated', 'root', 'anonymous']
          : [undefined];
    return shapes.flatMap(({ shape, label }) =>
      credentials.map((c) => ({
        entry,
        resourceType,
        shape,
        ...(c ? { credentials: c } : {}),
        label: [entry.resources.length > 1 ? (RESOURCE_LABELS[resourceType] ?? resourceType) : '', label, c ? CREDENTIAL_LABELS[c] : '']
          .filter(Boolean)
          .join(', '),
      })),
    );
  });
}

const RESOURCE_LABELS: Record<string, string> = {
  Instance: 'on an instance',
  ECSCluster: 'in an ECS task',
  EKSCluster: 'on an EKS node',
  RDSDBInstance: 'RDS instance',
  RDSLimitlessDB: 'Aurora Limitless',
};

/** A finding of this variant at this severity, parsed from an event as EventBridge would deliver it. */
export function syntheticFinding(v: Variant, severity: number): Finding {
  const detail = {
    schemaVersion: '2.0',
    accountId: ACCOUNT,
    region: REGION,
    partition: 'aws',
    // A finding id holds no "/" (its key joins account, region and id with one).
    id: `coverage-${v.entry.type.replaceAll('/', '_')}-${v.resourceType}-${v.shape}-${v.credentials ?? 'none'}`,
    type: v.entry.type,
    resource: resourceBlock(v),
    service: { serviceName: 'guardduty', archived: false, count: 1, ...serviceBlock(v) },
    severity,
    createdAt: NOW,
    updatedAt: NOW,
    title: v.entry.type,
  };
  const parsed = parseEvent({
    version: '0',
    id: 'coverage',
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: ACCOUNT,
    region: REGION,
    resources: [],
    detail,
  });
  if (parsed.kind !== 'finding') throw new Error(`synthetic ${v.entry.type} is not a finding`);
  return parsed.finding;
}

function serviceBlock(v: Variant): Record<string, unknown> {
  const connection = (connectionDirection: string) => ({ actionType: 'NETWORK_CONNECTION', networkConnectionAction: { connectionDirection, blocked: false } });
  switch (v.shape) {
    case 'out':
      return { resourceRole: 'ACTOR', action: connection('OUTBOUND') };
    case 'out-target':
      return { resourceRole: 'TARGET', action: connection('OUTBOUND') };
    case 'in':
      return { resourceRole: 'TARGET', action: connection('INBOUND') };
    case 'in-actor':
      return { resourceRole: 'ACTOR', action: connection('INBOUND') };
    case 'dns':
      return { resourceRole: 'ACTOR', action: { actionType: 'DNS_REQUEST', dnsRequestAction: { domain: 'example.invalid' } } };
    case 'probe':
      return { resourceRole: 'TARGET', action: { actionType: 'PORT_PROBE', portProbeAction: { blocked: false } } };
    case 'api':
      return { resourceRole: 'TARGET', action: { actionType: 'AWS_API_CALL', awsApiCallAction: { api: 'Example' } } };
    case 'runtime':
      return { resourceRole: 'ACTOR', featureName: 'RuntimeMonitoring', runtimeDetails: { process: { name: 'example' } } };
    case 'malware':
      return { resourceRole: 'TARGET', action: { actionType: 'MALWARE_SCAN' }, malwareScanDetails: { threats: [{ name: 'EICAR-Test-File' }] } };
    case 'login':
      return { resourceRole: 'TARGET', action: { actionType: 'RDS_LOGIN_ATTEMPT' } };
    case 'sequence':
      return { resourceRole: 'TARGET', featureName: 'Correlation', detection: { sequence: sequenceOf(familyOf(v.entry.type)) } };
  }
}

const instanceDetails = () => ({
  instanceId: INSTANCE,
  networkInterfaces: [{ networkInterfaceId: 'eni-0c0ffee0c0ffee000', vpcId: 'vpc-0c0ffee0', securityGroups: [{ groupId: 'sg-0c0ffee0', groupName: 'app' }] }],
  tags: [],
});

const CREDENTIALS: Record<CredentialShape, Record<string, string> | undefined> = {
  'long-term-key': { accessKeyId: 'AKIACOVERAGE00000001', principalId: 'AIDACOVERAGE00000001', userType: 'IAMUser', userName: 'coverage-user' },
  'assumed-role': { accessKeyId: 'ASIACOVERAGE00000001', principalId: 'AROACOVERAGE00000001:session', userType: 'AssumedRole', userName: 'coverage-role' },
  'user-session': { accessKeyId: 'ASIACOVERAGE00000002', principalId: 'AIDACOVERAGE00000001', userType: 'IAMUser', userName: 'coverage-user' },
  console: { accessKeyId: '', principalId: 'AIDACOVERAGE00000001', userType: 'IAMUser', userName: 'coverage-user' },
  federated: { accessKeyId: 'ASIACOVERAGE00000004', principalId: '111122223333:coverage-federated', userType: 'FederatedUser', userName: 'coverage-federated' },
  root: { accessKeyId: 'ASIACOVERAGE00000003', principalId: '111122223333', userType: 'Root', userName: 'Root' },
  anonymous: undefined,
};

function resourceBlock(v: Variant): Record<string, unknown> {
  const accessKeyDetails = v.credentials ? CREDENTIALS[v.credentials] : undefined;
  const withNode = v.shape === 'runtime' || v.shape === 'malware' ? { instanceDetails: instanceDetails() } : {};
  switch (v.resourceType) {
    case 'Instance':
      return { resourceType: 'Instance', instanceDetails: instanceDetails() };
    case 'AccessKey':
      return { resourceType: 'AccessKey', accessKeyDetails };
    case 'S3Bucket':
      return {
        resourceType: 'S3Bucket',
        s3BucketDetails: [{ name: 'coverage-bucket', publicAccess: { effectivePermission: 'NOT_PUBLIC' } }],
        accessKeyDetails,
      };
    case 'S3Object':
      return { resourceType: 'S3Object', s3BucketDetails: [{ name: 'coverage-bucket', s3ObjectDetails: [{ key: 'upload.bin', versionId: 'v1' }] }] };
    case 'ECSCluster':
      return {
        resourceType: 'ECSCluster',
        ecsClusterDetails: {
          name: 'coverage',
          arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/coverage`,
          taskDetails: { arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/coverage/0c0ffee`, launchType: 'FARGATE' },
        },
      };
    case 'EKSCluster':
      return { resourceType: 'EKSCluster', eksClusterDetails: { name: 'coverage', arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/coverage` }, ...withNode };
    case 'Container':
      return { resourceType: 'Container', containerDetails: { id: 'c0ffee', name: 'coverage' }, ...withNode };
    case 'Lambda':
      return { resourceType: 'Lambda', lambdaDetails: { functionName: 'coverage', functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:coverage` } };
    case 'RDSDBInstance':
      return { resourceType: 'RDSDBInstance', rdsDbInstanceDetails: { dbInstanceIdentifier: 'coverage-db', dbClusterIdentifier: 'coverage' } };
    case 'RDSLimitlessDB':
      return { resourceType: 'RDSLimitlessDB', rdsLimitlessDbDetails: { dbShardGroupIdentifier: 'coverage-shards', dbClusterIdentifier: 'coverage' } };
    case 'EBSSnapshot':
      return { resourceType: 'EBSSnapshot', ebsSnapshotDetails: { snapshotArn: `arn:aws:ec2:${REGION}::snapshot/snap-0c0ffee` } };
    case 'EC2Image':
      return { resourceType: 'EC2Image', ec2ImageDetails: { imageArn: `arn:aws:ec2:${REGION}::image/ami-0c0ffee` } };
    case 'RecoveryPoint':
      return {
        resourceType: 'RecoveryPoint',
        recoveryPointDetails: { recoveryPointArn: `arn:aws:ec2:${REGION}::snapshot/snap-0c0ffee1`, backupVaultName: 'coverage' },
      };
    default:
      return { resourceType: v.resourceType };
  }
}

/** What an attack sequence of this family typically names (GuardDuty's ResourceV2 shapes). */
function sequenceOf(family: string): Record<string, unknown> {
  const actor = {
    id: 'user:IAMUser:AIDACOVERAGE00000001:coverage-user',
    user: { name: 'coverage-user', uid: 'AIDACOVERAGE00000001', type: 'IAMUser', credentialUid: 'AKIACOVERAGE00000001', account: { uid: ACCOUNT } },
  };
  const resource = (resourceType: string, uid: string, name?: string) => ({ uid, name: name ?? uid, resourceType, accountId: ACCOUNT, region: REGION });
  const resources: Record<string, unknown[]> = {
    'AttackSequence:IAM': [],
    'AttackSequence:S3': [resource('S3_BUCKET', 'arn:aws:s3:::coverage-bucket', 'coverage-bucket')],
    'AttackSequence:EC2': [resource('EC2_INSTANCE', INSTANCE), resource('AUTOSCALING_AUTO_SCALING_GROUP', 'coverage-asg')],
    'AttackSequence:ECS': [
      resource('ECS_CLUSTER', `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/coverage`, 'coverage'),
      resource('ECS_TASK', `arn:aws:ecs:${REGION}:${ACCOUNT}:task/coverage/0c0ffee`),
    ],
    'AttackSequence:EKS': [resource('EKS_CLUSTER', `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/coverage`, 'coverage'), resource('EC2_INSTANCE', INSTANCE)],
  };
  return {
    uid: 'coverage-sequence',
    description: 'coverage',
    actors: [actor],
    resources: resources[family] ?? [],
    signals: [{ uid: 's1', type: 'FINDING', name: 'Example' }],
  };
}

/** The severities the table shows: Medium, and High (attack sequences are Critical). */
export function coverageSeverities(type: string): { medium: number; high: number } {
  return { medium: 5, high: type.startsWith('AttackSequence:') ? 9.5 : 8 };
}

/** The actions the policy plans for one variant at one severity (as on AWS: enforce shows as enforce). */
export function plannedFor(v: Variant, severity: number, policy: Policy): ActionRecord[] {
  return planContainment(syntheticFinding(v, severity), policy, [], { canEnforce: true, now: NOW });
}

/** Who hears of a finding at this severity: the same for every family, so it heads the column. */
function notification(severity: number, policy: Policy): string {
  const t = policy.thresholds;
  if (severity < t.openIncident) return 'ignored, below the threshold';
  // Below the FG's threshold the FG still hears, once, that the AP clock runs (record-finding.ts clockRunningMessage).
  const fg = severity >= t.notifyFg ? 'FG told' : 'FG told (AP clock running, no page)';
  return `incident, ${[fg, severity >= t.pageOnCall ? 'on-call paged' : ''].filter(Boolean).join(', ')}`;
}

function describeOutcome(v: Variant, severity: number, policy: Policy): string {
  const seen = new Set<string>();
  const actions: string[] = [];
  for (const a of plannedFor(v, severity, policy)) {
    if (a.status === 'skipped' || seen.has(a.type)) continue;
    seen.add(a.type);
    actions.push(a.person ? `person \`${a.type}\` ([runbook](${(a.params?.runbook ?? '').replace(/^runbooks\//, '')}))` : `${a.mode} \`${a.type}\``);
  }
  return actions.length ? actions.join(', ') : 'notify only';
}

/** What one finding type gets at each severity, each variant labelled when it has several. */
export function outcomesOf(entry: CatalogueEntry, policy: Policy): { medium: string; high: string } {
  const { medium, high } = coverageSeverities(entry.type);
  const at = (severity: number) => {
    const parts = variantsOf(entry).map((v) => ({ label: v.label, text: describeOutcome(v, severity, policy) }));
    if (new Set(parts.map((p) => p.text)).size === 1) return parts[0].text;
    return parts.map((p) => `${p.label}: ${p.text}`).join('<br>');
  };
  return { medium: at(medium), high: at(high) };
}

/** The coverage table as Markdown: one row per family and outcome, listing the finding types. */
export function coverageMarkdown(policy: Policy, source = 'the built-in policy'): string {
  const rows: { family: string; types: string[]; medium: string; high: string }[] = [];
  for (const entry of FINDING_CATALOGUE) {
    const family = familyOf(entry.type);
    const outcome = outcomesOf(entry, policy);
    const row = rows.find((r) => r.family === family && r.medium === outcome.medium && r.high === outcome.high);
    const name = entry.type.slice(family.length + 1);
    if (row) row.types.push(name);
    else rows.push({ family, types: [name], ...outcome });
  }
  rows.sort((a, b) => a.family.localeCompare(b.family));
  const t = policy.thresholds;
  const lines = [
    '# What datalek does with each GuardDuty finding family',
    '',
    `Generated from ${source} by \`npx datalek coverage\` (with \`--policy FILE\` for yours); \`test/unit/coverage.test.ts\``,
    'fails when this file no longer matches the built-in policy. Each finding type is planned as a',
    'synthetic finding parsed from an event, for every resource type and activity it comes with.',
    '',
    `- An incident with its AP clock opens from severity ${formatSeverity(t.openIncident)}; the FG is told from`,
    `  ${formatSeverity(t.notifyFg)} ("possible breach"), on-call is paged from ${formatSeverity(t.pageOnCall)} (the column heads say which applies).`,
    `  Below ${formatSeverity(t.notifyFg)} the FG still gets one lower-priority message at opening: the AP clock runs, until when.`,
    '- **notify only**: the incident and its messages, no containment step.',
    '- **plan** `action`: recorded with its steps, carried out on AWS only when the rule says `enforce`',
    '  (or with `datalek replay --target aws --enforce`, or for a recorded incident',
    '  `datalek contain ID --enforce --by NAME --reason TEXT --target aws`); **enforce** `action`: carried out on AWS.',
    '- **person** `step`: what only a person can do, with the runbook to follow; never automated.',
    "- A type GuardDuty adds later, at High, gets the policy's fallback step (`triage`).",
    '',
    `| family | finding types | at Medium (5.0): ${notification(5, policy)} | at High (8.0; attack sequences at Critical 9.5): ${notification(8, policy)} |`,
    '|---|---|---|---|',
    ...rows.map((r) => `| \`${r.family}\` | ${r.types.map((n) => `\`${n}\``).join(', ')} | ${r.medium} | ${r.high} |`),
    '',
  ];
  return lines.join('\n');
}
