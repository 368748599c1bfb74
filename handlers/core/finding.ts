/**
 * A GuardDuty finding as EventBridge delivers it, parsed into a typed `Finding`.
 *
 * The envelope is checked, the `detail` is validated field by field and kept whole: unknown fields
 * and unknown finding types are carried along, never rejected. A rejected event throws
 * `InvalidFindingError` naming the field path (`detail.severity`) and the reason.
 */
import { z } from 'zod';
import { InvalidFindingError } from './errors.js';
import { type SeverityBand, severityBand } from './severity.js';
import { addHours, EARLIEST_PLAUSIBLE, InvalidTimeError, parseInstant } from './time.js';

/** EventBridge rejects events above 256 KB; anything bigger did not come from EventBridge. */
export const MAX_EVENT_BYTES = 256 * 1024;

/**
 * Objects and arrays nested deeper than this are refused before anything else reads the event.
 * GuardDuty's deepest events nest about 10 levels; thousands of levels overflow the stack of every
 * recursive reader (JSON.stringify, the store, structuredClone), so the check comes first.
 */
export const MAX_EVENT_DEPTH = 64;

/** How far ahead of the clock a finding's time may lie (clock skew between GuardDuty and us). */
const FUTURE_TOLERANCE_HOURS = 24;

export const GUARDDUTY_SOURCE = 'aws.guardduty';
export const FINDING_DETAIL_TYPE = 'GuardDuty Finding';

/** Identifies one finding for its whole life: GuardDuty folds new occurrences into the same id. */
export interface FindingKey {
  accountId: string;
  region: string;
  findingId: string;
}

/** Which occurrence of a finding this is: `updatedAt`, then `service.count`. */
export interface FindingVersion {
  updatedAt: string;
  count: number;
}

export type ResourceKind =
  | 'ec2-instance'
  | 'access-key'
  | 's3-bucket'
  | 'eks-cluster'
  | 'ecs-cluster'
  | 'container'
  | 'lambda-function'
  | 'rds-instance'
  | 'rds-cluster'
  | 'unknown';

/** The affected resource, by identifier only (no IP addresses, no user names). */
export interface AffectedResource {
  kind: ResourceKind;
  /** GuardDuty's own `resource.resourceType`, kept as delivered (new kinds appear). */
  resourceType: string;
  /** The resource's identifier: instance id, access key id, bucket name, cluster name, … */
  id: string;
}

export interface NetworkInterfaceRef {
  networkInterfaceId: string;
  vpcId?: string;
  securityGroupIds: string[];
}

export interface Finding {
  key: FindingKey;
  version: FindingVersion;
  /** The envelope's `id`: new for every delivery, so useless for deduplication; kept for tracing. */
  eventId: string | null;
  type: string;
  severity: number;
  band: SeverityBand;
  title: string;
  createdAt: string;
  updatedAt: string;
  resource: AffectedResource;
  /** `ACTOR` when the resource did it, `TARGET` when it was done to the resource. */
  resourceRole: string | null;
  archived: boolean;
  /** GuardDuty "generate sample findings": test data, never starts a clock or touches a resource. */
  sample: boolean;
  /** Buckets the finding shows as publicly accessible (effective permission PUBLIC). */
  publicBuckets: string[];
  instance: { instanceId: string; networkInterfaces: NetworkInterfaceRef[]; tags: Record<string, string> } | null;
  /** `userName` is personal data for IAM users: used to act on the key, never put in a message. */
  accessKey: { accessKeyId: string; userType: string | null; principalId: string | null; userName: string | null } | null;
  /** The finding's `detail` exactly as delivered, unknown fields included. */
  detail: Record<string, unknown>;
}

export type ParsedEvent =
  | { kind: 'finding'; finding: Finding }
  /** A GuardDuty event of another detail-type (malware scan results, agent health, …). */
  | { kind: 'not-a-finding'; detailType: string };

/** A calendar-exact ISO 8601 time with a zone (core/time.ts); the range is checked once the clock is known. */
const isoTimestamp = z.string().superRefine((s, ctx) => {
  try {
    parseInstant(s);
  } catch (err) {
    if (!(err instanceof InvalidTimeError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.reason });
  }
});

const nonEmpty = z.string().min(1, { error: 'must not be empty' });

const tagList = z.array(z.looseObject({ key: z.string(), value: z.string().nullish() })).optional();

const networkInterface = z.looseObject({
  networkInterfaceId: z.string().optional(),
  vpcId: z.string().optional(),
  securityGroups: z.array(z.looseObject({ groupId: z.string().optional() })).optional(),
});

const instanceDetails = z.looseObject({
  instanceId: nonEmpty,
  networkInterfaces: z.array(networkInterface).nullish(),
  tags: tagList.nullable(),
});

const bucketDetails = z.looseObject({
  name: nonEmpty,
  publicAccess: z.looseObject({ effectivePermission: z.string().optional() }).nullish(),
});

const resourceSchema = z.looseObject({
  resourceType: nonEmpty,
  instanceDetails: instanceDetails.optional(),
  accessKeyDetails: z
    .looseObject({
      accessKeyId: nonEmpty,
      principalId: z.string().nullish(),
      userType: z.string().nullish(),
      userName: z.string().nullish(),
    })
    .optional(),
  s3BucketDetails: z.array(bucketDetails).optional(),
  eksClusterDetails: z.looseObject({ name: nonEmpty }).optional(),
  ecsClusterDetails: z.looseObject({ name: nonEmpty }).optional(),
  containerDetails: z.looseObject({ id: nonEmpty }).optional(),
  lambdaDetails: z.looseObject({ functionName: z.string().optional(), functionArn: z.string().optional() }).optional(),
  rdsDbInstanceDetails: z.looseObject({ dbInstanceIdentifier: nonEmpty }).optional(),
  rdsLimitlessDbDetails: z.looseObject({ dbClusterIdentifier: nonEmpty }).optional(),
});

const serviceSchema = z.looseObject({
  archived: z.boolean().optional(),
  count: z.number().int({ error: 'expected a whole number' }).min(1).optional(),
  resourceRole: z.string().nullish(),
  additionalInfo: z.looseObject({ sample: z.union([z.boolean(), z.string()]).optional() }).nullish(),
  eventFirstSeen: isoTimestamp.optional(),
  eventLastSeen: isoTimestamp.optional(),
});

const findingDetailSchema = z.looseObject({
  schemaVersion: z.string().optional(),
  accountId: z
    .string()
    .regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id' })
    .optional(),
  region: nonEmpty.optional(),
  id: nonEmpty,
  type: nonEmpty,
  resource: resourceSchema,
  service: serviceSchema,
  severity: z
    .number({ error: (issue) => `expected a number, got ${describeValue(issue.input)}` })
    .min(0, { error: 'must be between 0 and 10' })
    .max(10, { error: 'must be between 0 and 10' }),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
  title: z.string().optional(),
});

const envelopeSchema = z.looseObject({
  version: z.string().optional(),
  id: z.string().optional(),
  'detail-type': nonEmpty,
  source: nonEmpty,
  // moto's EventBridge delivery omits `account`; the finding's own `detail.accountId` is what counts.
  account: z.string().optional(),
  time: isoTimestamp.optional(),
  region: z.string().optional(),
  resources: z.array(z.unknown()).optional(),
  detail: z.record(z.string(), z.unknown(), { error: 'expected the finding as an object' }),
});

type FindingDetail = z.infer<typeof findingDetailSchema>;

export interface ParseOptions {
  /**
   * The clock of this run (ISO UTC): a finding's `createdAt` and `updatedAt` must lie between
   * GuardDuty's first year and a day after it. @default the system clock
   */
  now?: string;
  /** The event's size in bytes, when the caller measured it already. */
  knownBytes?: number;
}

/**
 * Parses the text of one delivered event (as read from a file or a queue body).
 * Too large, too deeply nested, not JSON or not a finding event: `InvalidFindingError`. Size and
 * depth are checked on the text, before anything parses it.
 */
export function parseEventText(text: string, options: ParseOptions = {}): ParsedEvent {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_EVENT_BYTES) throw tooLarge(bytes);
  if (textDepthExceeds(text, MAX_EVENT_DEPTH)) throw tooDeep();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the input; the position is enough to find the mistake.
    const at = /position (\d+)/.exec((err as Error).message);
    throw new InvalidFindingError('', `not valid JSON${at ? ` (at character ${at[1]})` : ''}`, { cause: err });
  }
  return parseEvent(value, { ...options, knownBytes: bytes });
}

/** Parses an already-decoded event (as Lambda hands it over). Depth is checked before size. */
export function parseEvent(value: unknown, options: ParseOptions = {}): ParsedEvent {
  if (valueDepthExceeds(value, MAX_EVENT_DEPTH)) throw tooDeep();
  const bytes = options.knownBytes ?? Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  if (bytes > MAX_EVENT_BYTES) throw tooLarge(bytes);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidFindingError('', `expected an EventBridge event object, got ${describeValue(value)}`);
  }
  rejectKnownWrongShapes(value as Record<string, unknown>);

  const envelope = check(envelopeSchema, value, '');
  if (envelope.source !== GUARDDUTY_SOURCE) {
    throw new InvalidFindingError('source', `expected "${GUARDDUTY_SOURCE}", got another source: not a GuardDuty event`);
  }
  if (envelope['detail-type'] !== FINDING_DETAIL_TYPE) {
    return { kind: 'not-a-finding', detailType: envelope['detail-type'] };
  }
  const detail = check(findingDetailSchema, envelope.detail, 'detail');
  checkFindingTimes(detail, options.now ?? new Date().toISOString());
  const accountId = detail.accountId ?? envelope.account;
  if (!accountId) {
    throw new InvalidFindingError('detail.accountId', 'required (the envelope has no account either)');
  }
  if (!/^\d{12}$/.test(accountId)) {
    throw new InvalidFindingError('account', 'expected a 12-digit AWS account id');
  }
  const region = detail.region ?? envelope.region;
  if (!region) {
    throw new InvalidFindingError('detail.region', 'required (the envelope has no region either)');
  }
  return { kind: 'finding', finding: toFinding(detail, envelope.detail, { accountId, region, eventId: envelope.id ?? null }) };
}

/**
 * A finding's times must be plausible: not before GuardDuty existed, not more than a day after the
 * clock (a year-9999 finding would sort as the most urgent incident forever), and not updated
 * before it was created.
 */
function checkFindingTimes(detail: { createdAt: string; updatedAt: string }, now: string): void {
  const range = { earliest: EARLIEST_PLAUSIBLE, latest: addHours(now, FUTURE_TOLERANCE_HOURS) };
  const at = (field: 'createdAt' | 'updatedAt') => {
    try {
      return parseInstant(detail[field], range);
    } catch (err) {
      if (!(err instanceof InvalidTimeError)) throw err;
      throw new InvalidFindingError(`detail.${field}`, `${err.reason}: a finding's time lies between GuardDuty's first year and a day after now`);
    }
  };
  if (at('createdAt') > at('updatedAt'))
    throw new InvalidFindingError('detail.updatedAt', 'lies before detail.createdAt: a finding is updated after it is created');
}

function tooLarge(bytes: number): InvalidFindingError {
  return new InvalidFindingError('', `event is ${bytes} bytes; EventBridge events are at most ${MAX_EVENT_BYTES} bytes (256 KB)`);
}

function tooDeep(): InvalidFindingError {
  return new InvalidFindingError('', `nested more than ${MAX_EVENT_DEPTH} levels deep; GuardDuty events nest about 10`);
}

/** Whether JSON text nests objects and arrays deeper than `limit`, read without parsing it. */
export function textDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character; a quote ends the string.
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Whether a decoded value nests deeper than `limit`, measured without recursion. */
export function valueDepthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Finding versions in order: later `updatedAt` wins, then the higher `service.count`. */
export function compareVersions(a: FindingVersion, b: FindingVersion): number {
  const byTime = Date.parse(a.updatedAt) - Date.parse(b.updatedAt);
  if (byTime !== 0) return Math.sign(byTime);
  return Math.sign(a.count - b.count);
}

export function findingKeyString(key: FindingKey): string {
  return `${key.accountId}/${key.region}/${key.findingId}`;
}

/**
 * The correlation key of the affected resource: findings on the same resource while an incident
 * is open belong to that one incident (one breach, one AP clock). Sample findings correlate only
 * with other sample findings: their placeholder ids (`i-99999999`) must never join a real incident.
 */
export function resourceKey(finding: Finding): string {
  const { kind, id } = finding.resource;
  const { accountId, region, findingId } = finding.key;
  const scoped =
    kind === 'unknown'
      ? `finding:${accountId}:${region}:${findingId}`
      : kind === 'access-key' || kind === 's3-bucket'
        ? `${kind}:${accountId}:${id}` // IAM keys and bucket names are not regional
        : `${kind}:${accountId}:${region}:${id}`;
  return finding.sample ? `sample:${scoped}` : scoped;
}

function toFinding(detail: FindingDetail, rawDetail: Record<string, unknown>, ctx: { accountId: string; region: string; eventId: string | null }): Finding {
  const sampleFlag = detail.service.additionalInfo?.sample;
  const instance = detail.resource.instanceDetails;
  const accessKey = detail.resource.accessKeyDetails;
  return {
    key: { accountId: ctx.accountId, region: ctx.region, findingId: detail.id },
    version: { updatedAt: detail.updatedAt, count: detail.service.count ?? 1 },
    eventId: ctx.eventId,
    type: detail.type,
    severity: detail.severity,
    band: severityBand(detail.severity),
    title: detail.title ?? detail.type,
    createdAt: detail.createdAt,
    updatedAt: detail.updatedAt,
    resource: affectedResource(detail),
    resourceRole: detail.service.resourceRole ?? null,
    archived: detail.service.archived ?? false,
    sample: sampleFlag === true || sampleFlag === 'true',
    publicBuckets: (detail.resource.s3BucketDetails ?? []).filter((b) => b.publicAccess?.effectivePermission === 'PUBLIC').map((b) => b.name),
    instance: instance
      ? {
          instanceId: instance.instanceId,
          networkInterfaces: (instance.networkInterfaces ?? [])
            .filter((n) => n.networkInterfaceId)
            .map((n) => ({
              networkInterfaceId: n.networkInterfaceId as string,
              vpcId: n.vpcId,
              securityGroupIds: (n.securityGroups ?? []).flatMap((g) => (g.groupId ? [g.groupId] : [])),
            })),
          tags: Object.fromEntries((instance.tags ?? []).map((t) => [t.key, t.value ?? ''])),
        }
      : null,
    accessKey: accessKey
      ? {
          accessKeyId: accessKey.accessKeyId,
          userType: accessKey.userType ?? null,
          principalId: accessKey.principalId ?? null,
          userName: accessKey.userName ?? null,
        }
      : null,
    detail: rawDetail,
  };
}

/** Which resource the finding is about, by `resourceType`; the matching details block is required. */
function affectedResource(detail: FindingDetail): AffectedResource {
  const r = detail.resource;
  const resourceType = r.resourceType;
  const need = <T>(value: T | undefined, field: string): T => {
    if (value === undefined) {
      throw new InvalidFindingError(`detail.resource.${field}`, `required for resourceType ${resourceType}`);
    }
    return value;
  };
  switch (resourceType) {
    case 'Instance':
      return { kind: 'ec2-instance', resourceType, id: need(r.instanceDetails, 'instanceDetails').instanceId };
    case 'AccessKey':
      return { kind: 'access-key', resourceType, id: need(r.accessKeyDetails, 'accessKeyDetails').accessKeyId };
    case 'S3Bucket':
    case 'S3Object': {
      const buckets = need(r.s3BucketDetails, 's3BucketDetails');
      if (buckets.length === 0)
        throw new InvalidFindingError('detail.resource.s3BucketDetails', `must name at least one bucket for resourceType ${resourceType}`);
      return { kind: 's3-bucket', resourceType, id: buckets[0].name };
    }
    case 'EKSCluster':
      return { kind: 'eks-cluster', resourceType, id: need(r.eksClusterDetails, 'eksClusterDetails').name };
    case 'ECSCluster':
      return { kind: 'ecs-cluster', resourceType, id: need(r.ecsClusterDetails, 'ecsClusterDetails').name };
    case 'Container':
      return { kind: 'container', resourceType, id: need(r.containerDetails, 'containerDetails').id };
    case 'Lambda': {
      const fn = need(r.lambdaDetails, 'lambdaDetails');
      const id = fn.functionArn ?? fn.functionName;
      if (!id) throw new InvalidFindingError('detail.resource.lambdaDetails.functionName', 'required for resourceType Lambda');
      return { kind: 'lambda-function', resourceType, id };
    }
    case 'RDSDBInstance':
      return { kind: 'rds-instance', resourceType, id: need(r.rdsDbInstanceDetails, 'rdsDbInstanceDetails').dbInstanceIdentifier };
    case 'RDSLimitlessDB':
      return { kind: 'rds-cluster', resourceType, id: need(r.rdsLimitlessDbDetails, 'rdsLimitlessDbDetails').dbClusterIdentifier };
    default:
      // A resource type this version does not know yet: keep the finding, correlate on its own id.
      return { kind: 'unknown', resourceType, id: detail.id };
  }
}

/** Shapes people paste by mistake, rejected with a hint instead of a list of missing fields. */
function rejectKnownWrongShapes(value: Record<string, unknown>): void {
  const keys = Object.keys(value);
  if ('Findings' in value || (keys.some((k) => ['Severity', 'Type', 'Resource', 'Service'].includes(k)) && !('detail' in value))) {
    throw new InvalidFindingError(
      '',
      'this is GetFindings API or AWS CLI output (PascalCase fields such as "Findings", "Severity"), not an EventBridge event; events carry the finding in camelCase under "detail" (see events/README.md)',
    );
  }
  if (!('detail' in value) && 'severity' in value && 'resource' in value && 'type' in value) {
    throw new InvalidFindingError(
      'detail',
      'required: this is a finding\'s detail without its EventBridge envelope; wrap it as {"version":"0","id":…,"detail-type":"GuardDuty Finding","source":"aws.guardduty","account":…,"time":…,"region":…,"resources":[],"detail":{…}}',
    );
  }
}

function check<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // The first issue is the one we name; a person fixes one field at a time.
  const issue = result.error.issues[0];
  const path = formatPath(prefix, issue.path);
  throw new InvalidFindingError(path, describeIssue(issue.message), { cause: result.error });
}

export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** zod's wording, made to read like a person's: "required (a number)" rather than "received undefined". */
export function describeIssue(message: string): string {
  const text = message.replace(/^Invalid input: /, '');
  const missing = /^expected (\w+), received undefined$/.exec(text);
  if (missing) return `required (${missing[1]})`;
  return text.replace(/got nothing$/, 'required');
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  // Never the value itself: the reason goes to logs, and event values are personal data.
  if (typeof value === 'string') return 'a string';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
