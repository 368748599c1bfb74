/**
 * A GuardDuty finding as EventBridge delivers it, parsed into a typed `Finding`.
 *
 * The envelope is checked, the `detail` is validated field by field and kept whole: unknown fields
 * and unknown finding types are carried along, never rejected. A rejected event throws
 * `InvalidFindingError` naming the field path (`detail.severity`) and the reason.
 */

import { InvalidFindingError } from './errors.js';
import {
  type AccessKeyRef,
  type AffectedResource,
  type AttackSequence,
  type BackupRef,
  credentialSourceInstance,
  type EcsRef,
  type InstanceRef,
  type Involvement,
  overBytes,
  readResourceFacts,
  type S3ObjectRef,
  str,
} from './finding-resources.js';
import { type SeverityBand, severityBand } from './severity.js';
import { anyControl } from './text.js';
import { addHours, EARLIEST_PLAUSIBLE, type InstantRange, InvalidTimeError, instantOrNull, parseInstant, toUtc } from './time.js';
import * as z from './zod.js';

/** EventBridge rejects events above 256 KB; anything bigger did not come from EventBridge. */
export const MAX_EVENT_BYTES = 256 * 1024;

/**
 * Objects and arrays nested deeper than this are refused before anything else reads the event.
 * GuardDuty's deepest events nest about 10 levels; thousands of levels overflow the stack of every
 * recursive reader (JSON.stringify, the store, structuredClone), so the check comes first.
 */
export const MAX_EVENT_DEPTH = 64;

/**
 * The most a finding type may take, in UTF-8 bytes: it becomes part of a message's id, a DynamoDB
 * sort key (1,024 bytes at most) beside the incident id. GuardDuty's types are under 100 characters
 * (`UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS` is 68).
 */
export const MAX_TYPE_BYTES = 256;

/** How far ahead of the clock a finding's time may lie (clock skew between GuardDuty and us). */
const FUTURE_TOLERANCE_HOURS = 24;

/** A finding id its key can hold: no "/" (the key's separator), nothing unprintable. */
function keyableId(id: string): boolean {
  return !id.includes('/') && !anyControl([id]);
}

/**
 * An AWS region's name: eu-west-1, us-gov-west-1, ap-southeast-5, and the EU sovereign cloud's
 * eusc-de-east-1 (a four-letter prefix). test/unit/finding-region.test.ts checks it against every
 * region of the partitions the project's AWS SDK knows.
 */
const AWS_REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

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

export type {
  AccessKeyRef,
  AffectedResource,
  AttackSequence,
  BackupRef,
  EcsRef,
  InstanceRef,
  Involvement,
  NetworkInterfaceRef,
  ResourceKind,
  S3ObjectRef,
  SequenceActor,
} from './finding-resources.js';

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
  /** `ACTOR` when the resource did it, `TARGET` when it was done to the resource, as GuardDuty says. */
  resourceRole: string | null;
  /** Whether the resource acted or was acted on, from the connection's direction (see `Involvement`). */
  involvement: Involvement;
  archived: boolean;
  /** GuardDuty "generate sample findings": test data, never starts a clock or touches a resource. */
  sample: boolean;
  /** Buckets the finding shows as publicly accessible (effective permission PUBLIC). */
  publicBuckets: string[];
  /** The EC2 instance the finding names: the affected one, or an EKS worker node or ECS container instance. */
  instance: InstanceRef | null;
  /** The credentials the finding names: an IAM finding's, or the caller of an S3 finding. */
  accessKey: AccessKeyRef | null;
  /** S3 objects the finding names (Malware Protection for S3), with key and version. */
  s3Objects: S3ObjectRef[];
  lambda: { functionName: string | null; functionArn: string | null } | null;
  rds: { dbInstanceIdentifier: string | null; dbClusterIdentifier: string | null } | null;
  ecs: EcsRef | null;
  eks: { clusterName: string | null; clusterArn: string | null } | null;
  /** The snapshot, AMI or recovery point that Malware Protection for AWS Backup scanned. */
  backup: BackupRef | null;
  /** Malware Protection found malware on or in the resource. */
  malware: boolean;
  /** An attack sequence's signals, actors and resources (Extended Threat Detection). */
  sequence: AttackSequence | null;
  /** Every resource the finding names, the affected one first. */
  related: AffectedResource[];
  /** The finding's `detail` exactly as delivered, unknown fields included. */
  detail: Record<string, unknown>;
  /**
   * Each principal named by a person's name the finding keeps as a resource (a federated user, a
   * role session, an IAM user named by its user name alone), and the pseudonym it is named by there
   * (finding-resources.ts `withPseudonyms`, made with the store's secret when the finding is
   * recorded); absent until then, and when it names none. Never stored.
   */
  pseudonyms?: ReadonlyMap<string, string>;
}

export type ParsedEvent =
  /**
   * `deliveredBy`: the envelope's account, the one whose EventBridge the event came from (a GuardDuty
   * administrator's for its members' findings; an account's own when another forwards its events).
   */
  | { kind: 'finding'; finding: Finding; deliveredBy?: string }
  /** A GuardDuty event of another detail-type (malware scan results, agent health, …). */
  | { kind: 'not-a-finding'; detailType: string };

/** A calendar-exact ISO 8601 time with a zone (core/time.ts); the range is checked once the clock is known. */
const isoTimestamp = z.string().check(
  z.superRefine((s, ctx) => {
    try {
      parseInstant(s);
    } catch (err) {
      if (!(err instanceof InvalidTimeError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.reason });
    }
  }),
);

const nonEmpty = z.string().check(z.minLength(1, { error: 'must not be empty' }));

/** An empty string counts as absent: `""` for a field the pipeline needs reads as "required". */
const blankAsAbsent = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** `value` through `before`, then checked by `schema` (classic zod's `preprocess`). */
const preprocess = <T extends z.ZodMiniType>(before: (value: unknown) => unknown, schema: T) => z.pipe(z.transform(before), schema);

/**
 * What the pipeline uses of `detail.service`, checked; everything else in it is carried as delivered.
 * A count that is not a whole number would make finding versions lie, so it is rejected.
 */
const serviceSchema = z.looseObject({
  archived: preprocess(blankAsAbsent, z.optional(z.boolean())),
  count: preprocess(blankAsAbsent, z.optional(z.number().check(z.int({ error: 'expected a whole number' }), z.gte(1)))),
});

/**
 * Parse leniently, decide strictly: the finding's id, type, severity, times, account and region are
 * required; the resource and the rest of the service block are read by `readResourceFacts`, which
 * requires only the block the resource type needs. Unknown and unused fields are never rejected.
 */
const findingDetailSchema = z.looseObject({
  accountId: preprocess(blankAsAbsent, z.optional(z.string().check(z.regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id' })))),
  region: preprocess(blankAsAbsent, z.optional(z.string())),
  // The finding's key joins account, region and id with "/": neither may hold one, nor anything unprintable.
  id: preprocess(
    blankAsAbsent,
    nonEmpty.check(z.maxLength(256, { error: 'must be at most 256 characters' }), z.refine(keyableId, { error: 'must not hold "/" or control characters' })),
  ),
  // A message's id holds the type, and a message is a DynamoDB item whose sort key may take 1,024 bytes.
  type: preprocess(
    blankAsAbsent,
    nonEmpty.check(
      z.refine((t: string) => !overBytes(t, MAX_TYPE_BYTES), {
        error: `must be at most ${MAX_TYPE_BYTES} bytes: the type becomes part of the record's keys (GuardDuty's are under 100 characters)`,
      }),
    ),
  ),
  service: preprocess((v) => v ?? {}, serviceSchema),
  severity: z
    .number({ error: (issue) => `expected a number, got ${describeValue(issue.input)}` })
    .check(z.gte(0, { error: 'must be between 0 and 10' }), z.lte(10, { error: 'must be between 0 and 10' })),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});

const envelopeSchema = z.looseObject({
  version: z.optional(z.string()),
  id: z.optional(z.string()),
  'detail-type': nonEmpty,
  source: nonEmpty,
  // moto's EventBridge delivery omits `account`; the finding's own `detail.accountId` is what counts.
  account: preprocess(blankAsAbsent, z.optional(z.string())),
  // The delivery time is not used (the finding's own times are): carried, never a reason to reject.
  region: preprocess(blankAsAbsent, z.optional(z.string())),
  resources: z.optional(z.array(z.unknown())),
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
  // The text's depth was checked: what JSON.parse made of it nests no deeper (a key given twice
  // keeps one value), so the decoded value is not walked again.
  return parseDecoded(value, options.now, bytes, text);
}

/** Parses an already-decoded event (as Lambda hands it over). Depth is checked before size. */
export function parseEvent(value: unknown, options: ParseOptions = {}): ParsedEvent {
  if (valueDepthExceeds(value, MAX_EVENT_DEPTH)) throw tooDeep();
  return parseDecoded(value, options.now, options.knownBytes);
}

/**
 * An event whose depth is known to be within `MAX_EVENT_DEPTH`; `knownBytes`: its size, when measured.
 * `text`: the JSON it was read from (else it is written here, to measure it).
 */
function parseDecoded(value: unknown, now: string | undefined, knownBytes: number | undefined, text?: string): ParsedEvent {
  const json = text ?? (knownBytes === undefined ? (JSON.stringify(value) ?? '') : undefined);
  const bytes = knownBytes ?? Buffer.byteLength(json ?? '', 'utf8');
  if (bytes > MAX_EVENT_BYTES) throw tooLarge(bytes);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidFindingError('', `expected an EventBridge event object, got ${describeValue(value)}`);
  }
  // A lone surrogate reaches a string only through a \uD800-\uDFFF escape (valid UTF-8 holds
  // none, and JSON.stringify escapes one), so text without such an escape is not walked.
  if (json === undefined || SURROGATE_ESCAPE.test(json)) refuseLoneSurrogatesInKeys(value as Record<string, unknown>);
  rejectKnownWrongShapes(value as Record<string, unknown>);

  const envelope = check(envelopeSchema, value, '');
  if (envelope.source !== GUARDDUTY_SOURCE) {
    throw new InvalidFindingError('source', `expected "${GUARDDUTY_SOURCE}", got another source: not a GuardDuty event`);
  }
  if (envelope['detail-type'] !== FINDING_DETAIL_TYPE) {
    return { kind: 'not-a-finding', detailType: envelope['detail-type'] };
  }
  const detail = check(findingDetailSchema, envelope.detail, 'detail');
  checkFindingTimes(detail, now ?? new Date().toISOString());
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
  if (!AWS_REGION.test(region)) {
    throw new InvalidFindingError(detail.region ? 'detail.region' : 'region', 'expected an AWS region such as eu-west-1');
  }
  const finding = toFinding(detail, envelope.detail, { accountId, region, eventId: envelope.id ?? null });
  return envelope.account ? { kind: 'finding', finding, deliveredBy: envelope.account } : { kind: 'finding', finding };
}

/**
 * A finding's times must be plausible: not before GuardDuty existed, not more than a day after the
 * clock (a year-9999 finding would sort as the most urgent incident forever), and not updated
 * before it was created.
 */
function checkFindingTimes(detail: { createdAt: string; updatedAt: string }, now: string): void {
  const range = { earliest: EARLIEST_PLAUSIBLE, latest: addHours(now, FUTURE_TOLERANCE_HOURS) };
  if (findingTime(detail, 'createdAt', range) > findingTime(detail, 'updatedAt', range))
    throw new InvalidFindingError('detail.updatedAt', 'lies before detail.createdAt: a finding is updated after it is created');
}

/**
 * One of a finding's times, in the range. (A function of its own, not a closure made per event: the
 * build's keepNames names each closure as it is made, a microsecond each.)
 */
function findingTime(detail: { createdAt: string; updatedAt: string }, field: 'createdAt' | 'updatedAt', range: InstantRange): string {
  try {
    return parseInstant(detail[field], range);
  } catch (err) {
    if (!(err instanceof InvalidTimeError)) throw err;
    throw new InvalidFindingError(`detail.${field}`, `${err.reason}: a finding's time lies between GuardDuty's first year and a day after now`);
  }
}

function tooLarge(bytes: number): InvalidFindingError {
  return new InvalidFindingError('', `event is ${bytes} bytes; EventBridge events are at most ${MAX_EVENT_BYTES} bytes (256 KB)`);
}

function tooDeep(): InvalidFindingError {
  return new InvalidFindingError('', `nested more than ${MAX_EVENT_DEPTH} levels deep; GuardDuty events nest about 10`);
}

/** A JSON escape of a UTF-16 surrogate, paired or not: where a lone one may be. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;
/** A surrogate without its pair (with the `u` flag a pair is one code point, outside the range). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The parts of an event whose strings become keys or indexed columns: the finding's id, type,
 * account and region (the envelope's too, which stand in for them), the affected resource and an
 * attack sequence's resources and actors.
 */
const KEY_PARTS: readonly (readonly string[])[] = [
  ['account'],
  ['region'],
  ['detail', 'id'],
  ['detail', 'type'],
  ['detail', 'accountId'],
  ['detail', 'region'],
  ['detail', 'resource'],
  ['detail', 'service', 'detection'],
];

/**
 * Refuses an event with a lone surrogate in a string or key of the parts that become keys
 * (`KEY_PARTS`), by its path: that is no Unicode text, and no store keeps it as it is in a key or
 * column (SQLite wrote U+FFFD for it in the resource key's column while the record's JSON kept the
 * escape, so verify called an untouched record altered; a DynamoDB key must be UTF-8). The same
 * rule as for bytes that are not UTF-8: refused, never replaced by guesswork. Elsewhere (a user
 * agent, a process's command line, a DNS name: text an attacker may write) it is kept as it came:
 * the record holds it in its JSON, escaped, so nothing alters it, and refusing the whole finding
 * for it would let whoever wrote that text keep the finding from being recorded and contained.
 * Walked without recursion.
 */
function refuseLoneSurrogatesInKeys(event: Record<string, unknown>): void {
  const stack: [unknown, PropertyKey[]][] = [];
  for (const part of KEY_PARTS) {
    let v: unknown = event;
    for (const key of part) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
    if (v !== undefined) stack.push([v, [...part]]);
  }
  while (stack.length) {
    const [v, path] = stack.pop() as [unknown, PropertyKey[]];
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) throw loneSurrogate(formatPath('', path), '');
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], [...path, i]]);
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        if (LONE_SURROGATE.test(key)) throw loneSurrogate(formatPath('', path), 'a key ');
        stack.push([child, [...path, key]]);
      }
    }
  }
}

function loneSurrogate(path: string, what: string): InvalidFindingError {
  return new InvalidFindingError(
    path,
    `${what}holds a lone surrogate (an escape \\uD800 to \\uDFFF without its pair): not Unicode text, which no store keeps as it is`,
  );
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
  return resourceKeyOf(finding, finding.resource);
}

/** The correlation key of any resource the finding names (in the resource's own account and region when it says so). */
export function resourceKeyOf(finding: Finding, resource: AffectedResource): string {
  const { kind, id } = resource;
  const { findingId } = finding.key;
  const accountId = resource.accountId ?? finding.key.accountId;
  const region = resource.region ?? finding.key.region;
  // A resource of a kind this version does not know is correlated by the ARN it is named by, else not at all (atk29 A9).
  const unnamed = kind === 'other' || (kind === 'unknown' && !id.startsWith('arn:'));
  const scoped = unnamed ? `finding:${accountId}:${region}:${findingId}` : namedResourceKey(kind, id, accountId, region);
  return finding.sample ? `sample:${scoped}` : scoped;
}

/** The correlation key of a resource of a known kind, by its id, account and region (not a sample's). */
export function namedResourceKey(kind: string, id: string, accountId: string, region: string): string {
  return GLOBAL_KINDS.has(kind)
    ? `${kind}:${accountId}:${id}` // IAM keys and principals and bucket names are not regional
    : `${kind}:${accountId}:${region}:${id}`;
}

const GLOBAL_KINDS = new Set(['access-key', 'iam-principal', 's3-bucket']);

/** Kinds a sequence's resource is correlated on: what an incident can be open on. */
const CORRELATED_KINDS = new Set([
  'ec2-instance',
  'access-key',
  'iam-principal',
  's3-bucket',
  'eks-cluster',
  'ecs-cluster',
  'ecs-task',
  'lambda-function',
  'rds-instance',
]);

/**
 * At most this many resources of one finding are correlated on (a sequence may name 400); the
 * rest are still named in the incident. Keeps a correlation inside one store transaction.
 */
export const MAX_CORRELATION_KEYS = 20;

/**
 * The resource keys a finding correlates on: its own resource; every bucket an S3 finding names (the
 * bucket read and the one written to are one breach); the instance whose role credentials it saw used
 * elsewhere (`credentialSourceInstance`: that instance's compromise, whose containment the finding
 * plans); and for an attack sequence every resource and credential it names. An incident opened or
 * joined by the finding holds all of them, so a later finding on any of them joins that incident
 * whatever order they arrive in (atk29 A2). Not the caller's key of an S3 finding, nor the instance
 * of an EKS or ECS finding's block: those name who acted or where, and stay named, not joined.
 */
export function correlationKeys(finding: Finding): string[] {
  const keys = [resourceKey(finding)];
  const source = finding.sequence ? null : credentialSourceInstance(finding.type, finding.accessKey);
  for (const r of finding.related) {
    const joins = finding.sequence ? CORRELATED_KINDS.has(r.kind) : r.kind === 's3-bucket' || (r.kind === 'ec2-instance' && r.id === source);
    if (!joins) continue;
    const key = resourceKeyOf(finding, r);
    if (!keys.includes(key)) keys.push(key);
  }
  return keys.slice(0, MAX_CORRELATION_KEYS);
}

function toFinding(detail: FindingDetail, rawDetail: Record<string, unknown>, ctx: { accountId: string; region: string; eventId: string | null }): Finding {
  const service = (rawDetail.service ?? {}) as Record<string, unknown>;
  const facts = readResourceFacts(rawDetail, detail.id);
  return {
    key: { accountId: ctx.accountId, region: ctx.region, findingId: detail.id },
    version: { updatedAt: detail.updatedAt, count: detail.service.count ?? 1 },
    eventId: ctx.eventId,
    type: detail.type,
    severity: detail.severity,
    band: severityBand(detail.severity),
    title: str(rawDetail.title) ?? detail.type,
    createdAt: detail.createdAt,
    updatedAt: detail.updatedAt,
    resource: facts.resource,
    resourceRole: str(service.resourceRole)?.trim().toUpperCase() ?? null,
    involvement: facts.involvement,
    archived: detail.service.archived ?? false,
    sample: sampleFlagged(service.additionalInfo),
    publicBuckets: facts.publicBuckets,
    instance: facts.instance,
    accessKey: facts.accessKey,
    s3Objects: facts.s3Objects,
    lambda: facts.lambda,
    rds: facts.rds,
    ecs: facts.ecs,
    eks: facts.eks,
    backup: facts.backup,
    malware: facts.malware,
    sequence: facts.sequence,
    related: facts.related,
    detail: rawDetail,
  };
}

/** Whether GuardDuty's sample flag says so: `true` or `"true"`. */
function flagged(value: unknown): boolean {
  return value === true || value === 'true';
}

/**
 * Whether `service.additionalInfo` flags a sample finding: flat (`sample: true`, as EventBridge delivers it),
 * or inside `value`, the JSON string GuardDuty's API and console give (`{"value":"{\"sample\":true}",
 * "type":"default"}`), which a finding pasted into `open --finding` carries alone (atk29 A1). A value that
 * is no JSON object, or nests too deep to read safely, flags nothing.
 */
function sampleFlagged(additionalInfo: unknown): boolean {
  if (typeof additionalInfo !== 'object' || additionalInfo === null) return false;
  const info = additionalInfo as Record<string, unknown>;
  if (flagged(info.sample)) return true;
  if (typeof info.value !== 'string' || !info.value.includes('sample') || textDepthExceeds(info.value, MAX_EVENT_DEPTH)) return false;
  try {
    const value: unknown = JSON.parse(info.value);
    return typeof value === 'object' && value !== null && !Array.isArray(value) && flagged((value as Record<string, unknown>).sample);
  } catch {
    return false;
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

function check<T>(schema: z.ZodMiniType<T>, value: unknown, prefix: string): T {
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
  // JSON's 1e400 parses as Infinity: "expected a number, got a number" named nothing (red26).
  if (typeof value === 'number' && !Number.isFinite(value)) return 'a number out of range (past what a double holds)';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** When the finding's activity was last seen (`service.eventLastSeen`, else `updatedAt`). */
export function lastSeen(finding: Finding): string {
  const service = finding.detail.service as { eventLastSeen?: unknown } | undefined;
  // The strict parser: Date.parse read "0" as the year 2000 and a time without a zone in the machine's.
  return instantOrNull(service?.eventLastSeen) ?? toUtc(finding.updatedAt);
}
