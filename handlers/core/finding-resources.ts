/**
 * What a finding is about: the affected resource, the resources and principals it names, and how
 * the resource took part. Read leniently: only the one block that the finding's `resourceType`
 * needs is required; every other block is read when it is usable and otherwise left alone (it stays
 * in the stored `detail` as delivered). An empty string counts as absent everywhere.
 *
 * Attack sequences (Extended Threat Detection, `resourceType: "AttackSequence"`) carry no resource
 * block at all: what they are about is under `service.detection.sequence` (signals, actors,
 * resources), read here into `AttackSequence`.
 */
import { createHmac } from 'node:crypto';
import { InvalidFindingError, StoreError } from './errors.js';
import type { Finding } from './finding.js';
import { randomText } from './random.js';

export type ResourceKind =
  | 'ec2-instance'
  | 'access-key'
  | 'iam-principal'
  | 's3-bucket'
  | 'eks-cluster'
  | 'ecs-cluster'
  | 'ecs-task'
  | 'container'
  | 'lambda-function'
  | 'rds-instance'
  | 'rds-cluster'
  | 'ebs-snapshot'
  | 'ec2-image'
  | 'recovery-point'
  | 'attack-sequence'
  /** Named by an attack sequence but nothing datalek correlates on or acts on (a VPC, a stack, …). */
  | 'other'
  | 'unknown';

/** A resource, by identifier only (no IP addresses). */
export interface AffectedResource {
  kind: ResourceKind;
  /** GuardDuty's own resource type (`Instance`, `S3Bucket`, or a sequence's `EC2_INSTANCE`), kept as delivered. */
  resourceType: string;
  /** The resource's identifier: instance id, access key id, bucket name, cluster name, ARN, … */
  id: string;
  /** Set when the resource lives in another account or region than the finding. */
  accountId?: string;
  region?: string;
  /** The id is a person's identifier (an IAM user name): kept in the record, left out of messages. */
  personal?: boolean;
}

export interface NetworkInterfaceRef {
  networkInterfaceId: string;
  vpcId?: string;
  securityGroupIds: string[];
}

export interface InstanceRef {
  instanceId: string;
  networkInterfaces: NetworkInterfaceRef[];
  tags: Record<string, string>;
}

/** `userName` is personal data for IAM users: used to act on the key, never put in a message. */
export interface AccessKeyRef {
  /** Null when the finding names a principal without a key (a console sign-in). */
  accessKeyId: string | null;
  userType: string | null;
  principalId: string | null;
  userName: string | null;
}

export interface S3ObjectRef {
  bucket: string;
  key: string;
  versionId: string | null;
}

/** An EBS snapshot, an AMI or an AWS Backup recovery point that Malware Protection scanned. */
export interface BackupRef {
  kind: 'ebs-snapshot' | 'ec2-image' | 'recovery-point';
  arn: string;
  backupVaultName: string | null;
}

export interface EcsRef {
  clusterName: string | null;
  clusterArn: string | null;
  taskArn: string | null;
  launchType: string | null;
}

/** One actor of an attack sequence. `userName` is personal data for IAM users. */
export interface SequenceActor {
  id: string | null;
  userType: string | null;
  userName: string | null;
  principalId: string | null;
  /** The access key the actor used (`credentialUid`), when the sequence names one. */
  accessKeyId: string | null;
  accountId: string | null;
}

/** An attack sequence (`service.detection.sequence`): what GuardDuty correlated, by identifier. */
export interface AttackSequence {
  uid: string | null;
  signals: { uid: string | null; type: string | null; name: string | null }[];
  actors: SequenceActor[];
  /** The resources the sequence names, mapped to datalek's kinds (unknown kinds as `other`). */
  resources: AffectedResource[];
  /**
   * How many resources the sequence names that `resources` leaves out: their id, account or region
   * is too long for a key (over MAX_ID_BYTES). Absent when none; counted on the incident as not listed.
   */
  notListed?: number;
}

/** How the affected resource took part in what the finding reports. */
export interface Involvement {
  /**
   * `acting`: it initiated the connection, made the DNS request or ran the process; `targeted`: it
   * was probed, scanned or brute-forced, or received the connection; `unknown`: the finding does not say.
   */
  role: 'acting' | 'targeted' | 'unknown';
  /** Why, in words, for the timeline. */
  basis: string;
}

export interface ResourceFacts {
  resource: AffectedResource;
  instance: InstanceRef | null;
  accessKey: AccessKeyRef | null;
  publicBuckets: string[];
  s3Objects: S3ObjectRef[];
  lambda: { functionName: string | null; functionArn: string | null } | null;
  rds: { dbInstanceIdentifier: string | null; dbClusterIdentifier: string | null } | null;
  ecs: EcsRef | null;
  eks: { clusterName: string | null; clusterArn: string | null } | null;
  backup: BackupRef | null;
  /** Malware Protection found malware on or in the resource. */
  malware: boolean;
  involvement: Involvement;
  sequence: AttackSequence | null;
  /** Every resource the finding names, the affected one first (an attack sequence's resources and credentials too). */
  related: AffectedResource[];
}

type Json = Record<string, unknown>;

/** A string, or undefined when absent, not a string or empty (an empty string counts as absent). */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/**
 * The most an identifier (a resource id or ARN, an account, a region, a principal) may take, in
 * UTF-8 bytes: each becomes part of a key (a resource lock is `RES#kind:account:region:id`, and
 * DynamoDB refuses a partition key over 2,048 bytes), so the same event would be refused by one
 * store and kept by the other. GuardDuty's longest are ARNs of a few hundred characters (an ECS
 * task's, with a cluster name of up to 255, about 340); three of these at the limit, with the
 * prefixes, still fit a key.
 */
export const MAX_ID_BYTES = 512;

/** Whether `value` is longer than `max` UTF-8 bytes (measured only when it could be). */
export function overBytes(value: string, max: number): boolean {
  return value.length * 3 > max && Buffer.byteLength(value, 'utf8') > max;
}

/**
 * `str`, for an identifier at `path`: one over MAX_ID_BYTES rejects the event, by the path and the
 * limit (never the value: it may be a person's name or an attacker's text).
 */
function idAt(value: unknown, path: string): string | undefined {
  const s = str(value);
  if (s !== undefined && overBytes(s, MAX_ID_BYTES)) {
    throw new InvalidFindingError(
      path,
      `must be at most ${MAX_ID_BYTES} bytes: an identifier becomes part of the record's keys (GuardDuty's are a few hundred at most)`,
    );
  }
  return s;
}

function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/**
 * The objects in a list. (Loops rather than flatMap here and below: in Node 20 flatMap costs about
 * a microsecond a call, and an event's resource is read with a dozen of them.)
 */
function objects(value: unknown): Json[] {
  const out: Json[] = [];
  if (Array.isArray(value)) for (const v of value) if (obj(v)) out.push(v as Json);
  return out;
}

/** The last part of an ARN's resource (`arn:aws:ec2:…:instance/i-0abc` → `i-0abc`), or the value itself. */
export function arnTail(value: string): string {
  if (!value.startsWith('arn:')) return value;
  const resource = value.split(':').slice(5).join(':');
  const slash = resource.lastIndexOf('/');
  return slash >= 0 ? resource.slice(slash + 1) : resource;
}

/**
 * GuardDuty's resource types and the block each needs. Malware Protection for AWS Backup's types
 * are matched under the spellings seen in the API's shapes; a resource type not in this table is
 * recognised by the block it carries, and failing that kept as `unknown` (never rejected).
 */
const RESOURCE_TYPES: Record<string, { block: string; kind: ResourceKind }> = {
  Instance: { block: 'instanceDetails', kind: 'ec2-instance' },
  AccessKey: { block: 'accessKeyDetails', kind: 'access-key' },
  S3Bucket: { block: 's3BucketDetails', kind: 's3-bucket' },
  S3Object: { block: 's3BucketDetails', kind: 's3-bucket' },
  EKSCluster: { block: 'eksClusterDetails', kind: 'eks-cluster' },
  ECSCluster: { block: 'ecsClusterDetails', kind: 'ecs-cluster' },
  Container: { block: 'containerDetails', kind: 'container' },
  Lambda: { block: 'lambdaDetails', kind: 'lambda-function' },
  RDSDBInstance: { block: 'rdsDbInstanceDetails', kind: 'rds-instance' },
  RDSLimitlessDB: { block: 'rdsLimitlessDbDetails', kind: 'rds-cluster' },
  EBSSnapshot: { block: 'ebsSnapshotDetails', kind: 'ebs-snapshot' },
  EbsSnapshot: { block: 'ebsSnapshotDetails', kind: 'ebs-snapshot' },
  EC2Image: { block: 'ec2ImageDetails', kind: 'ec2-image' },
  Ec2Image: { block: 'ec2ImageDetails', kind: 'ec2-image' },
  RecoveryPoint: { block: 'recoveryPointDetails', kind: 'recovery-point' },
  BackupRecoveryPoint: { block: 'recoveryPointDetails', kind: 'recovery-point' },
};

/** The resource types this version reads, for tests and the coverage table. */
export const KNOWN_RESOURCE_TYPES = [...Object.keys(RESOURCE_TYPES), 'AttackSequence'];

/** Reads what the pipeline uses of `detail.resource` and `detail.service`; throws only for the block the resource type needs. */
export function readResourceFacts(detail: Json, findingId: string): ResourceFacts {
  const resource = obj(detail.resource) ?? {};
  const service = obj(detail.service) ?? {};
  const declared = str(resource.resourceType);
  const instance = readInstance(resource.instanceDetails);
  const accessKey = readAccessKey(resource.accessKeyDetails);
  const buckets = objects(resource.s3BucketDetails).filter(
    (b, i) => idAt(b.name, `detail.resource.s3BucketDetails[${i}].name`) || idAt(b.arn, `detail.resource.s3BucketDetails[${i}].arn`),
  );
  const s3Objects: S3ObjectRef[] = [];
  for (const b of buckets) {
    const bucket = str(b.name) ?? arnTail(str(b.arn) as string);
    for (const o of objects(b.s3ObjectDetails)) {
      const key = str(o.key) ?? objectKeyFromArn(str(o.objectArn));
      if (key) s3Objects.push({ bucket, key, versionId: str(o.versionId) ?? null });
    }
  }
  const lambdaBlock = obj(resource.lambdaDetails);
  const lambda =
    lambdaBlock && (str(lambdaBlock.functionName) || str(lambdaBlock.functionArn))
      ? {
          functionName: idAt(lambdaBlock.functionName, 'detail.resource.lambdaDetails.functionName') ?? null,
          functionArn: idAt(lambdaBlock.functionArn, 'detail.resource.lambdaDetails.functionArn') ?? null,
        }
      : null;
  const rdsPath = obj(resource.rdsDbInstanceDetails) ? 'detail.resource.rdsDbInstanceDetails' : 'detail.resource.rdsLimitlessDbDetails';
  const rdsBlock = obj(resource.rdsDbInstanceDetails) ?? obj(resource.rdsLimitlessDbDetails);
  const rds = rdsBlock
    ? {
        dbInstanceIdentifier: idAt(rdsBlock.dbInstanceIdentifier, `${rdsPath}.dbInstanceIdentifier`) ?? null,
        dbClusterIdentifier:
          idAt(rdsBlock.dbClusterIdentifier, `${rdsPath}.dbClusterIdentifier`) ??
          idAt(rdsBlock.dbShardGroupIdentifier, `${rdsPath}.dbShardGroupIdentifier`) ??
          null,
      }
    : null;
  const ecsBlock = obj(resource.ecsClusterDetails);
  const task = obj(ecsBlock?.taskDetails);
  const ecs = ecsBlock
    ? {
        clusterName: idAt(ecsBlock.name, 'detail.resource.ecsClusterDetails.name') ?? null,
        clusterArn: idAt(ecsBlock.arn, 'detail.resource.ecsClusterDetails.arn') ?? null,
        taskArn: idAt(task?.arn, 'detail.resource.ecsClusterDetails.taskDetails.arn') ?? null,
        launchType: str(task?.launchType) ?? null,
      }
    : null;
  const eksBlock = obj(resource.eksClusterDetails);
  const eks = eksBlock
    ? {
        clusterName: idAt(eksBlock.name, 'detail.resource.eksClusterDetails.name') ?? null,
        clusterArn: idAt(eksBlock.arn, 'detail.resource.eksClusterDetails.arn') ?? null,
      }
    : null;
  const backup = readBackup(resource);

  const kind = kindOf(declared, resource);
  const primary = affected(kind, declared ?? '', resource, { instance, accessKey, buckets, lambda, rds, ecs, eks, backup }, findingId);
  const sequenceBlock = obj(obj(service.detection)?.sequence);
  const sequence = readSequence(sequenceBlock);
  const related = relatedResources(primary, sequence, { instance, accessKey, buckets, source: credentialSourceInstance(String(detail.type ?? ''), accessKey) });
  const publicBuckets: string[] = [];
  for (const b of buckets) if (str(obj(b.publicAccess)?.effectivePermission) === 'PUBLIC' && str(b.name)) publicBuckets.push(b.name as string);
  for (const name of publicSequenceBuckets(sequenceBlock)) if (!publicBuckets.includes(name)) publicBuckets.push(name);
  return {
    resource: primary,
    instance,
    accessKey,
    publicBuckets,
    s3Objects,
    lambda,
    rds,
    ecs,
    eks,
    backup,
    malware: isMalwareScan(service),
    involvement: involvementOf(String(detail.type ?? ''), service),
    sequence,
    related,
  };
}

function kindOf(declared: string | undefined, resource: Json): ResourceKind {
  if (declared === 'AttackSequence') return 'attack-sequence';
  if (declared && RESOURCE_TYPES[declared]) return RESOURCE_TYPES[declared].kind;
  // Unknown (or missing) resource type: recognise a backup scan by its block, otherwise keep it as unknown.
  if (obj(resource.ebsSnapshotDetails)) return 'ebs-snapshot';
  if (obj(resource.ec2ImageDetails)) return 'ec2-image';
  if (obj(resource.recoveryPointDetails)) return 'recovery-point';
  return 'unknown';
}

interface Blocks {
  instance: InstanceRef | null;
  accessKey: AccessKeyRef | null;
  buckets: Json[];
  lambda: { functionName: string | null; functionArn: string | null } | null;
  rds: { dbInstanceIdentifier: string | null; dbClusterIdentifier: string | null } | null;
  ecs: EcsRef | null;
  eks: { clusterName: string | null; clusterArn: string | null } | null;
  backup: BackupRef | null;
}

/**
 * The id the resource type needs, from its block, which must be there. (A function of its own, not
 * a closure in \`affected\`: a named closure made per event costs a microsecond in the build, whose
 * keepNames names each one as it is made.)
 */
function needId(resource: Json, resourceType: string, block: string, id: string | null | undefined, field: string): string {
  if (resource[block] === undefined || resource[block] === null) {
    throw new InvalidFindingError(`detail.resource.${block}`, `required for resourceType ${resourceType}`);
  }
  if (!id) throw new InvalidFindingError(`detail.resource.${block}.${field}`, `required for resourceType ${resourceType}`);
  return id;
}

/** The affected resource; the block its resource type needs must be there and name it. */
function affected(kind: ResourceKind, resourceType: string, resource: Json, b: Blocks, findingId: string): AffectedResource {
  switch (kind) {
    case 'ec2-instance':
      return { kind, resourceType, id: needId(resource, resourceType, 'instanceDetails', b.instance?.instanceId, 'instanceId') };
    case 'access-key': {
      const key = b.accessKey;
      // A console sign-in names the principal without a key.
      if (key && !key.accessKeyId && (key.principalId || key.userName)) {
        // A federated principal id is `account:name`, the name its caller chose (often a person's): personal, as a user name (fg15);
        // so is an assumed role's `roleId:session`, whose session name is often the person's (an SSO user's e-mail; fed16).
        return key.principalId
          ? { kind: 'iam-principal', resourceType, id: key.principalId, ...(pseudonymPrefix(key.userType, key.principalId) ? { personal: true } : {}) }
          : {
              kind: 'iam-principal',
              resourceType,
              id: key.userName as string,
              personal: key.userType === 'IAMUser' || key.userType === 'Root' || key.userType === 'FederatedUser',
            };
      }
      return { kind, resourceType, id: needId(resource, resourceType, 'accessKeyDetails', key?.accessKeyId, 'accessKeyId') };
    }
    case 's3-bucket': {
      if (!Array.isArray(resource.s3BucketDetails))
        throw new InvalidFindingError('detail.resource.s3BucketDetails', `required for resourceType ${resourceType}`);
      const first = b.buckets[0];
      if (!first) throw new InvalidFindingError('detail.resource.s3BucketDetails', `must name at least one bucket for resourceType ${resourceType}`);
      return { kind, resourceType, id: str(first.name) ?? arnTail(str(first.arn) as string) };
    }
    case 'eks-cluster':
      return {
        kind,
        resourceType,
        id: needId(resource, resourceType, 'eksClusterDetails', b.eks?.clusterName ?? (b.eks?.clusterArn ? arnTail(b.eks.clusterArn) : null), 'name'),
      };
    case 'ecs-cluster':
      return {
        kind,
        resourceType,
        id: needId(resource, resourceType, 'ecsClusterDetails', b.ecs?.clusterName ?? (b.ecs?.clusterArn ? arnTail(b.ecs.clusterArn) : null), 'name'),
      };
    case 'container': {
      const c = obj(resource.containerDetails);
      const id = idAt(c?.id, 'detail.resource.containerDetails.id') ?? idAt(c?.name, 'detail.resource.containerDetails.name');
      return { kind, resourceType, id: needId(resource, resourceType, 'containerDetails', id, 'id') };
    }
    case 'lambda-function':
      return { kind, resourceType, id: needId(resource, resourceType, 'lambdaDetails', b.lambda?.functionArn ?? b.lambda?.functionName, 'functionName') };
    case 'rds-instance':
      return { kind, resourceType, id: needId(resource, resourceType, 'rdsDbInstanceDetails', b.rds?.dbInstanceIdentifier, 'dbInstanceIdentifier') };
    case 'rds-cluster':
      return { kind, resourceType, id: needId(resource, resourceType, 'rdsLimitlessDbDetails', b.rds?.dbClusterIdentifier, 'dbClusterIdentifier') };
    case 'ebs-snapshot':
      return { kind, resourceType, id: needId(resource, resourceType, 'ebsSnapshotDetails', b.backup?.kind === kind ? b.backup.arn : null, 'snapshotArn') };
    case 'ec2-image':
      return { kind, resourceType, id: needId(resource, resourceType, 'ec2ImageDetails', b.backup?.kind === kind ? b.backup.arn : null, 'imageArn') };
    case 'recovery-point':
      return {
        kind,
        resourceType,
        id: needId(resource, resourceType, 'recoveryPointDetails', b.backup?.kind === kind ? b.backup.arn : null, 'recoveryPointArn'),
      };
    case 'attack-sequence':
      return { kind, resourceType, id: findingId };
    default:
      // A resource type this version does not know yet: keep the finding; named and correlated by an
      // ARN its block carries, else by the finding's own id (atk29 A9).
      return { kind: 'unknown', resourceType, id: blockArn(resource) ?? findingId };
  }
}

/** ARNs that name a person or a session (an IAM user's name, an assumed role's session), never a resource's id. */
const PRINCIPAL_ARN = /^arn:[^:]+:(iam|sts)::[^:]*:(user|assumed-role|federated-user)\//;

/**
 * The ARN a resource's own block gives it: a field `arn`, or `<name>Arn` where the block is named after that
 * name (`dynamoDbTableDetails.tableArn`). Another field's ARN (a KMS key, an owner) names something else, and
 * a principal's ARN names a person: neither is taken, and the finding's id stands in. Bounded as every
 * identifier (`idAt`).
 */
function blockArn(resource: Json): string | undefined {
  for (const [name, block] of Object.entries(resource)) {
    const fields = name.endsWith('Details') ? obj(block) : undefined;
    if (!fields) continue;
    const blockName = name.slice(0, -'Details'.length).toLowerCase();
    for (const [field, value] of Object.entries(fields)) {
      const own = /^(.*)arn$/i.exec(field)?.[1]?.toLowerCase();
      if (own === undefined || !blockName.endsWith(own) || typeof value !== 'string') continue;
      if (!value.startsWith('arn:') || PRINCIPAL_ARN.test(value)) continue;
      const arn = idAt(value, `detail.resource.${name}.${field}`);
      if (arn) return arn;
    }
  }
  return undefined;
}

function readInstance(value: unknown): InstanceRef | null {
  const block = obj(value);
  const instanceId = idAt(block?.instanceId, 'detail.resource.instanceDetails.instanceId');
  if (!block || !instanceId) return null;
  const networkInterfaces: InstanceRef['networkInterfaces'] = [];
  for (const n of objects(block.networkInterfaces)) {
    const networkInterfaceId = str(n.networkInterfaceId);
    if (!networkInterfaceId) continue;
    const securityGroupIds: string[] = [];
    for (const g of objects(n.securityGroups)) if (str(g.groupId)) securityGroupIds.push(g.groupId as string);
    networkInterfaces.push({ networkInterfaceId, vpcId: str(n.vpcId), securityGroupIds });
  }
  return { instanceId, networkInterfaces, tags: readTags(block.tags) };
}

function readTags(value: unknown): Record<string, string> {
  // Object.fromEntries makes each tag an own key (a tag named __proto__ included).
  const entries: [string, string][] = [];
  for (const t of objects(value)) if (str(t.key)) entries.push([t.key as string, typeof t.value === 'string' ? t.value : '']);
  return Object.fromEntries(entries);
}

function readAccessKey(value: unknown): AccessKeyRef | null {
  const block = obj(value);
  if (!block) return null;
  const key: AccessKeyRef = {
    accessKeyId: idAt(block.accessKeyId, 'detail.resource.accessKeyDetails.accessKeyId') ?? null,
    userType: str(block.userType) ?? null,
    principalId: idAt(block.principalId, 'detail.resource.accessKeyDetails.principalId') ?? null,
    userName: idAt(block.userName, 'detail.resource.accessKeyDetails.userName') ?? null,
  };
  return key.accessKeyId || key.principalId || key.userName ? key : null;
}

function readBackup(resource: Json): BackupRef | null {
  const snapshot = idAt(obj(resource.ebsSnapshotDetails)?.snapshotArn, 'detail.resource.ebsSnapshotDetails.snapshotArn');
  if (snapshot) return { kind: 'ebs-snapshot', arn: snapshot, backupVaultName: null };
  const image = idAt(obj(resource.ec2ImageDetails)?.imageArn, 'detail.resource.ec2ImageDetails.imageArn');
  if (image) return { kind: 'ec2-image', arn: image, backupVaultName: null };
  const point = obj(resource.recoveryPointDetails);
  const pointArn = idAt(point?.recoveryPointArn, 'detail.resource.recoveryPointDetails.recoveryPointArn');
  if (pointArn) return { kind: 'recovery-point', arn: pointArn, backupVaultName: str(point?.backupVaultName) ?? null };
  return null;
}

function objectKeyFromArn(arn: string | undefined): string | undefined {
  if (!arn?.startsWith('arn:')) return undefined;
  const resource = arn.split(':').slice(5).join(':');
  const slash = resource.indexOf('/');
  return slash >= 0 ? str(resource.slice(slash + 1)) : undefined;
}

function isMalwareScan(service: Json): boolean {
  return (
    str(obj(service.action)?.actionType) === 'MALWARE_SCAN' || obj(service.ebsVolumeScanDetails) !== undefined || obj(service.malwareScanDetails) !== undefined
  );
}

/**
 * Whether the resource acted or was acted on, from the connection's direction rather than from
 * `resourceRole` alone: GuardDuty reports some outbound activity (a Tor client) with the role
 * TARGET. Initiating a connection, asking DNS and running a process is acting; being probed is not.
 */
function involvementOf(type: string, service: Json): Involvement {
  const action = obj(service.action) ?? {};
  const actionType = str(action.actionType);
  // GuardDuty writes ACTOR and TARGET; read case-insensitively, empty counts as not given (atk29 A8).
  const role = str(service.resourceRole)?.trim().toUpperCase();
  if (obj(service.runtimeDetails) || /^[A-Za-z]+:Runtime\//.test(type)) return { role: 'acting', basis: 'a process ran on it (Runtime Monitoring)' };
  if (actionType === 'DNS_REQUEST') return { role: 'acting', basis: 'it made the DNS request' };
  if (actionType === 'PORT_PROBE') return { role: 'targeted', basis: 'it was probed' };
  if (actionType === 'NETWORK_CONNECTION') {
    const direction = str(obj(action.networkConnectionAction)?.connectionDirection);
    if (direction === 'OUTBOUND') return { role: 'acting', basis: 'it initiated the connection (OUTBOUND)' };
    if (direction === 'INBOUND') {
      if (role === 'ACTOR') return { role: 'acting', basis: 'an INBOUND connection with resource role ACTOR (it serves the activity)' };
      // Without the role an INBOUND connection does not say which side the resource is on (an instance
      // brute-forcing others is reported INBOUND with ACTOR): read as acting, fail-safe, since leaving an
      // actor open costs data and isolating a target costs availability, which a person restores (atk29 A8).
      if (role === undefined)
        return { role: 'acting', basis: 'an INBOUND connection, resource role not given: read as acting (fail-safe: an actor is not left open)' };
      return { role: 'targeted', basis: 'it received the connection (INBOUND)' };
    }
  }
  if (role === 'ACTOR') return { role: 'acting', basis: 'resource role ACTOR' };
  if (role === 'TARGET') return { role: 'targeted', basis: 'resource role TARGET' };
  return { role: 'unknown', basis: 'the finding does not say' };
}

/** GuardDuty's resource type names in a sequence (ResourceV2) and datalek's kinds. */
const SEQUENCE_KINDS: Record<string, ResourceKind> = {
  EC2_INSTANCE: 'ec2-instance',
  S3_BUCKET: 's3-bucket',
  S3_OBJECT: 's3-bucket',
  ACCESS_KEY: 'access-key',
  EKS_CLUSTER: 'eks-cluster',
  ECS_CLUSTER: 'ecs-cluster',
  ECS_TASK: 'ecs-task',
  CONTAINER: 'container',
  EC2_IMAGE: 'ec2-image',
};

/** Where an attack sequence is in the event, for the path of a field that is refused. */
const SEQUENCE = 'detail.service.detection.sequence';

function readSequence(block: Json | undefined): AttackSequence | null {
  if (!block) return null;
  const actors: SequenceActor[] = objects(block.actors).map((a, i) => {
    const user = obj(a.user) ?? {};
    const at = `${SEQUENCE}.actors[${i}].user`;
    return {
      id: str(a.id) ?? null,
      userType: str(user.type) ?? null,
      userName: idAt(user.name, `${at}.name`) ?? null,
      principalId: idAt(user.uid, `${at}.uid`) ?? null,
      accessKeyId: idAt(user.credentialUid, `${at}.credentialUid`) ?? null,
      accountId: idAt(obj(user.account)?.uid, `${at}.account.uid`) ?? null,
    };
  });
  const resources: AffectedResource[] = [];
  let notListed = 0;
  for (const r of objects(block.resources)) {
    const resource = sequenceResource(r);
    if (resource === 'too-long') notListed++;
    else if (resource) resources.push(resource);
  }
  return {
    uid: str(block.uid) ?? null,
    signals: objects(block.signals).map((s) => ({ uid: str(s.uid) ?? null, type: str(s.type) ?? null, name: str(s.name) ?? null })),
    actors,
    resources,
    ...(notListed ? { notListed } : {}),
  };
}

/**
 * One resource of a sequence, by the id datalek keeps for it; `too-long` when that id, its account
 * or its region is over MAX_ID_BYTES (they become part of a resource lock's key). Only those are
 * bounded: a `name` or `uid` is free to be longer when it is not what is kept (an S3_OBJECT's is
 * the object key, up to 1,024 bytes and chosen by whoever writes to the bucket; the id kept is the
 * bucket). A resource too long is left out rather than the finding refused: the sequence stays on
 * record with the resources it names that fit, and counts the others (`notListed`).
 */
function sequenceResource(r: Json): AffectedResource | 'too-long' | null {
  const type = str(r.resourceType) ?? 'unknown';
  const name = str(r.name);
  const uid = str(r.uid) ?? name;
  if (!uid) return null;
  const kind = SEQUENCE_KINDS[type] ?? 'other';
  let id = kind === 'ecs-task' || kind === 'ec2-image' ? uid : arnTail(uid);
  if (type === 'S3_BUCKET') id = name ?? bucketFromArn(uid);
  if (type === 'S3_OBJECT') id = bucketFromArn(uid);
  if (type === 'EKS_CLUSTER' || type === 'ECS_CLUSTER') id = name ?? arnTail(uid);
  const accountId = str(r.accountId);
  const region = str(r.region);
  if (tooLongId(id) || tooLongId(accountId) || tooLongId(region)) return 'too-long';
  const out: AffectedResource = { kind, resourceType: type, id };
  if (accountId) out.accountId = accountId;
  if (region) out.region = region;
  if (kind === 'access-key' && str(obj(obj(r.data)?.accessKey)?.userName) === id) out.personal = true;
  return out;
}

function tooLongId(value: string | undefined): boolean {
  return value !== undefined && overBytes(value, MAX_ID_BYTES);
}

/** Buckets an attack sequence shows as public (effective permission PUBLIC, or public access ALLOWED). */
function publicSequenceBuckets(block: Json | undefined): string[] {
  return objects(block?.resources).flatMap((r) => {
    if (str(r.resourceType) !== 'S3_BUCKET') return [];
    const data = obj(obj(r.data)?.s3Bucket) ?? {};
    const isPublic = str(data.effectivePermission) === 'PUBLIC' || str(data.publicReadAccess) === 'ALLOWED' || str(data.publicWriteAccess) === 'ALLOWED';
    const uid = str(r.uid) ?? str(r.name);
    const name = uid ? (str(r.name) ?? bucketFromArn(uid)) : undefined;
    // One too long for a key is left out, as `sequenceResource` leaves it out of the resources.
    return isPublic && name && !tooLongId(name) ? [name] : [];
  });
}

function bucketFromArn(value: string): string {
  if (!value.startsWith('arn:')) return value.split('/')[0];
  const resource = value.split(':').slice(5).join(':');
  return resource.split('/')[0];
}

/**
 * The instance whose role credentials GuardDuty saw used elsewhere (`InstanceCredentialExfiltration.*`): EC2 names
 * the session of an instance profile's credentials after the instance, so the finding names it by its id. Only on
 * that finding type: elsewhere a session's name is its caller's choice, and names nothing.
 */
export function credentialSourceInstance(type: string, key: AccessKeyRef | null): string | null {
  if (key?.userType !== 'AssumedRole' || !/\/InstanceCredentialExfiltration\./.test(type)) return null;
  return /:(i-[0-9a-f]{8}(?:[0-9a-f]{9})?)$/.exec(key.principalId ?? '')?.[1] ?? null;
}

/**
 * The affected resource, then what else the finding names: its further buckets (an S3 finding may name
 * the bucket read and the one written to), the instance whose credentials leaked (`source`), the
 * instance and credentials of its blocks, a sequence's resources and its actors' credentials.
 */
function relatedResources(
  primary: AffectedResource,
  sequence: AttackSequence | null,
  b: { instance: InstanceRef | null; accessKey: AccessKeyRef | null; buckets: Json[]; source: string | null },
): AffectedResource[] {
  const out: AffectedResource[] = [primary];
  if (primary.kind === 's3-bucket')
    for (const bucket of b.buckets.slice(1))
      addResource(out, { kind: 's3-bucket', resourceType: primary.resourceType, id: str(bucket.name) ?? arnTail(str(bucket.arn) as string) });
  if (b.source) addResource(out, { kind: 'ec2-instance', resourceType: 'Instance', id: b.source });
  if (primary.kind !== 'ec2-instance' && b.instance) addResource(out, { kind: 'ec2-instance', resourceType: 'Instance', id: b.instance.instanceId });
  if (primary.kind !== 'access-key' && primary.kind !== 'iam-principal' && b.accessKey?.accessKeyId) {
    addResource(out, { kind: 'access-key', resourceType: 'AccessKey', id: b.accessKey.accessKeyId });
  }
  if (sequence) {
    for (const r of sequence.resources) addResource(out, r);
    for (const a of sequence.actors) {
      if (a.accessKeyId)
        addResource(out, { kind: 'access-key', resourceType: 'ACCESS_KEY', id: a.accessKeyId, ...(a.accountId ? { accountId: a.accountId } : {}) });
      const principal = a.principalId ?? a.userName;
      if (principal) {
        const r: AffectedResource = { kind: 'iam-principal', resourceType: a.userType ?? 'Actor', id: principal };
        if ((!a.principalId && (a.userType === 'IAMUser' || a.userType === 'Root')) || pseudonymPrefix(a.userType, principal)) r.personal = true;
        if (a.accountId) r.accountId = a.accountId;
        addResource(out, r);
      }
    }
  }
  return out;
}

/** Adds a resource not named yet (a function of its own rather than a closure: see `needId`). */
function addResource(out: AffectedResource[], r: AffectedResource): void {
  if (!out.some((x) => x.kind === r.kind && x.id === r.id && x.accountId === r.accountId)) out.push(r);
}

/**
 * A finding whose channel is DNS: `Trojan:EC2/DNSDataExfiltration` and the types GuardDuty marks
 * `!DNS` (`Backdoor:EC2/C&CActivity.B!DNS`, `CryptoCurrency:EC2/BitcoinTool.B!DNS`, a Runtime
 * finding's `…!DNS`): what GuardDuty saw went through the VPC's DNS resolver, which no security
 * group or network ACL filters, so isolating the instance leaves that very channel open.
 */
export interface DnsChannel {
  /**
   * The domain the finding names (`service.action.dnsRequestAction.domain`), lower case, without a
   * trailing dot; null when it names none. Attacker-chosen text (the queried name can carry the
   * exfiltrated data): it stays out of messages, like an IP address.
   */
  domain: string | null;
}

export function dnsChannelOf(type: string, detail: Json): DnsChannel | null {
  if (!/!DNS$/.test(type) && !/^Trojan:[A-Za-z0-9]+\/DNSDataExfiltration$/.test(type)) return null;
  const service = obj(detail.service) ?? {};
  const domain = str(obj(obj(service.action)?.dnsRequestAction)?.domain)
    ?.trim()
    .toLowerCase()
    .replace(/\.$/, '');
  return { domain: domain || null };
}

/** How many random bytes a store's pseudonym secret is (`IncidentStore.pseudonymKey`). */
const PSEUDONYM_KEY_BYTES = 32;

/** A new pseudonym secret, as a store keeps it (base64). */
export function newPseudonymKey(): string {
  return randomText(PSEUDONYM_KEY_BYTES, 'base64');
}

/** The pseudonym secret a store keeps (`newPseudonymKey`), or a StoreError naming `where` when what it keeps is none. */
export function storedPseudonymKey(value: unknown, where: string): Buffer {
  const secret = typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
  if (secret.length !== PSEUDONYM_KEY_BYTES)
    throw new StoreError(
      `${where}: the pseudonym secret it keeps is not ${PSEUDONYM_KEY_BYTES} bytes in base64 (edited?); a principal's findings named by a pseudonym (a federated user, a role session, an IAM user by name) cannot be correlated without the one they were recorded with (restore it from a backup)`,
    );
  return secret;
}

/**
 * What the pseudonym of a principal named by a name a person chose starts with, by its user type:
 * a federated user's (`account:name`), an assumed role session's (`roleId:session`, the session's
 * name often the person's: an SSO user's e-mail address), an IAM user's when the finding names it
 * by its user name alone (no principal id; a user name is often the person's name or
 * e-mail address) or by its unique id (`AIDA…`, fg19: it names no one by itself, but it identifies
 * one person's account, links that person across incidents, and AWS resolves it to the user name:
 * personal data, AVG art. 4(1), as the name is). Null for any other principal (a role's unique id
 * names a role, no person).
 */
function pseudonymPrefix(userType: string | null, principal: string): string | null {
  if (userType === 'FederatedUser') return 'federated-user';
  if (userType === 'IAMUser') return 'iam-user';
  return userType === 'AssumedRole' && principal.includes(':') ? 'role-session' : null;
}

/**
 * Whether `target` is a principal's pseudonym: a containment step's target that stands for a person.
 * The store-wide one (`principalPseudonym`) or an incident's own (`kind:~` and 16 hex,
 * core/incident-pseudonyms.ts): its record names the principal so once minimised.
 */
export function isPseudonym(target: string): boolean {
  return /^(federated-user|role-session|iam-user):~?[0-9a-f]{16}$/.test(target);
}

/** Whether `target` is a store-wide pseudonym (`principalPseudonym`): one the store's secret makes from the principal's name. */
export function isStoreWidePseudonym(target: string): boolean {
  return /^(federated-user|role-session|iam-user):[0-9a-f]{16}$/.test(target);
}

/**
 * A principal's pseudonym (fed16): its kind (`federated-user:`, `role-session:`: `pseudonymPrefix`)
 * and 16 hex of an HMAC-SHA256 of the principal under the store's own secret
 * (`IncidentStore.pseudonymKey`). The same principal gets the same pseudonym in that store, whichever
 * process records it and after every restart, so its findings still correlate; no one without the
 * secret confirms a guessed name by hashing it, as anyone could 9d20192's unkeyed SHA-256. It stands
 * for the principal in what minimise does not clear (the incident's resource id and correlation key,
 * the hash-chained timeline, a federated user's containment step's target); the principal itself is
 * kept only in the finding record and the step's `params`, which minimise clears.
 */
export function principalPseudonym(secret: Buffer, principal: string, prefix: string): string {
  return `${prefix}:${createHmac('sha256', secret).update(`datalek-${prefix}\n${principal}`).digest('hex').slice(0, 16)}`;
}

/**
 * The principals named by a name their caller chose that the finding keeps as a resource, each with
 * its pseudonym's prefix (`pseudonymPrefix`): a console sign-in's principal (no key: the affected
 * resource), an attack sequence's actors (a related resource each). By the id GuardDuty gives, or a
 * federated or IAM user's name when it gives none. A session key is named by its key id: that stays.
 */
export function pseudonymisedPrincipals(finding: Pick<Finding, 'accessKey' | 'resource' | 'sequence'>): Map<string, string> {
  const out = new Map<string, string>();
  const key = finding.accessKey;
  const primary = key && !key.accessKeyId && finding.resource.kind === 'iam-principal' ? pseudonymPrefix(key.userType, finding.resource.id) : null;
  if (primary) out.set(finding.resource.id, primary);
  for (const a of finding.sequence?.actors ?? []) {
    const principal = a.principalId ?? a.userName;
    const prefix = principal ? pseudonymPrefix(a.userType, principal) : null;
    if (principal && prefix && !out.has(principal)) out.set(principal, prefix);
  }
  return out;
}

/**
 * The principals `withPseudonyms` names by a pseudonym, each with its prefix: those the finding keeps
 * as a resource (`pseudonymisedPrincipals`), and an IAM user's principal id behind a session key
 * (fg19): the key is the resource (a key id stays), but the step revoking the user's sessions is
 * named by the principal id's pseudonym. That one is no resource, so it is not among what verify's
 * pseudonym check reads (`pseudonymisedPrincipals`). Empty: the finding needs no pseudonym secret.
 */
export function principalsToPseudonymise(finding: Pick<Finding, 'accessKey' | 'resource' | 'sequence'>): Map<string, string> {
  const principals = pseudonymisedPrincipals(finding);
  const key = finding.accessKey;
  if (key?.userType === 'IAMUser' && key.principalId && !principals.has(key.principalId)) principals.set(key.principalId, 'iam-user');
  return principals;
}

/**
 * The finding with each principal it keeps as a resource by a name its caller chose
 * (`pseudonymisedPrincipals`) named by its pseudonym under `secret` (`principalPseudonym`): the
 * affected resource, the related ones, and so every correlation key made of them. `pseudonyms`
 * holds principal → pseudonym for containment (a federated user's step's target, an IAM user's
 * `revoke-user-sessions` target when named by its user name) and for reading
 * old records, which hold the principal itself (`formerKeys`). The finding's `detail` and
 * credentials keep the principal: what minimise clears.
 */
export function withPseudonyms(finding: Finding, secret: Buffer): Finding {
  const principals = principalsToPseudonymise(finding);
  if (principals.size === 0) return finding;
  const pseudonyms = new Map([...principals].map(([p, prefix]) => [p, principalPseudonym(secret, p, prefix)]));
  const named = (r: AffectedResource): AffectedResource => {
    const pseudonym = r.kind === 'iam-principal' ? pseudonyms.get(r.id) : undefined;
    return pseudonym ? { ...r, id: pseudonym } : r;
  };
  const resource = named(finding.resource);
  return { ...finding, resource, related: finding.related.map((r) => (r === finding.resource ? resource : named(r))), pseudonyms };
}

/**
 * Of the finding's correlation keys (`keys`, made of its pseudonyms: `withPseudonyms`), each as a
 * record written before fed16 holds it, with the principal itself in place of its pseudonym;
 * undefined where it is the same. An open incident opened before holds those: a new finding for the
 * same principal still joins it.
 */
export function formerKeys(finding: Pick<Finding, 'pseudonyms'>, keys: string[]): (string | undefined)[] {
  const pairs = [...(finding.pseudonyms ?? new Map<string, string>())];
  return keys.map((k) => {
    for (const [principal, pseudonym] of pairs) if (k.endsWith(`:${pseudonym}`)) return `${k.slice(0, -pseudonym.length)}${principal}`;
    return undefined;
  });
}
