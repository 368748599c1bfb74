/**
 * Storage limitation of the raw findings (AVG Art. 5(1)(c) and (e)): the personal data a finding
 * carries as GuardDuty delivered it (IP addresses and where they are, user names, principal ids,
 * access key ids, user agents, domain names) is evidence while the incident is handled, and is
 * needed no longer once it has been closed for the retention period (policy
 * `retention.findingDetailDays`). `datalek minimise` then replaces those values in each stored
 * finding record of the closed incident with MINIMISED, and keeps everything else: the finding's
 * type, severity, times, counts, resource, what it did; the incident record (the register, Art.
 * 33(5): facts, effects, measures), its timeline and its messages are not touched.
 *
 * The minimised record is written as every change is, with a ledger entry: it holds the SHA-256 of
 * the minimised bytes (what verify checks the record against from then on) and `minimised.from`,
 * the hash the ledger recorded for the record before, which commits to what was removed; the
 * entries before it, and every digest that anchored them, stay as they were. A record that does
 * not match its ledger is never minimised: that would bless an edit. An open incident never is, nor
 * a closed one with something still due on it (a report or decision after closing).
 *
 * Primary course (per closed incident past the retention period, per finding record it holds):
 * 1. Read the record and the hash its ledger last wrote for it; refuse when they differ.
 * 2. Minimise its detail; one already minimised is left (idempotent).
 * 3. Commit the minimised record, the incident's `minimised` note and a `finding-minimised`
 *    timeline entry, under the revision read; a lost race reads again.
 */

import { isIPv6 } from 'node:net';
import type { AuditSource } from '../ports/audit-source.js';
import type { IncidentStore } from '../ports/incident-store.js';
import { findingWrites } from './audit.js';
import { markEnteredAt, settledConflict } from './change-incident.js';
import { backoffRetry, type ConflictRetry } from './conflict-retry.js';
import { ConflictError, IncidentNotFoundError, isLostRace, RefusedError, StoreError, StuckConflictError } from './errors.js';
import { type FindingKey, findingKeyString } from './finding.js';
import { isPseudonym } from './finding-resources.js';
import { sha256 } from './hash.js';
import { type ActionRecord, appendEntries, type FindingRecord, type Incident, incidentSalt, type TimelineEntry } from './incident.js';
import { errorToldOutside, OWN_PSEUDONYM, releaseNeedsItsNames, STORE_WIDE_PSEUDONYMS, withOwnPseudonyms } from './incident-pseudonyms.js';
import { storedText } from './ledger.js';
import { DEFAULT_POLICY, type Policy } from './policy.js';
import { holdByTimeline } from './retention-hold-timeline.js';
import { copyRecord, findingSalt, parseStoredFinding } from './stored-record.js';
import { localWithInstant } from './time.js';

/** What a minimised value reads as. */
export const MINIMISED = '(minimised)';

/**
 * The kinds of personal data minimising removes, each with the finding's fields that hold it and
 * its name in words (the incident page and the HTML report say which kinds were removed).
 */
const REMOVED_KINDS: { kind: string; fields: string[]; nl: string; en: string }[] = [
  { kind: 'ip-address', fields: ['ipAddressV4', 'ipAddressV6', 'ip', 'sourceIps'], nl: 'IP-adressen', en: 'IP addresses' },
  { kind: 'location', fields: ['city', 'geoLocation'], nl: 'locaties (stad, coördinaten)', en: 'locations (city, coordinates)' },
  { kind: 'user-name', fields: ['userName', 'username', 'user', 'userId', 'euid', 'sessionName'], nl: 'gebruikersnamen', en: 'user names' },
  // An e-mail address wherever it stood: free text, a tag's value (fg19), a field holding one (`freeTextKinds`).
  { kind: 'e-mail-address', fields: [], nl: 'e-mailadressen', en: 'e-mail addresses' },
  { kind: 'principal-id', fields: ['principalId'], nl: "principal-id's", en: 'principal ids' },
  { kind: 'access-key-id', fields: ['accessKeyId'], nl: "toegangssleutel-id's", en: 'access key ids' },
  { kind: 'user-agent', fields: ['userAgent', 'fullUserAgent'], nl: 'user agents', en: 'user agents' },
  { kind: 'domain-name', fields: ['domain', 'domainWithSuffix'], nl: 'domeinnamen', en: 'domain names' },
  // A malware scan's infected files (EBS `filePaths[]`, a backup's or S3 object's `itemPaths[]` and
  // `itemDetails[]`, and in the resource an infected S3 object's `key` and `objectArn`, S3_OBJECT_FIELDS): a path
  // under a home directory names its user, a file name can name a person.
  // Runtime Monitoring's process (`runtimeDetails.process`, its `lineage[]`, the context's modifying or
  // target process: ProcessDetails) and context (RuntimeContext): the executable, the working
  // directory, the script, library, module, socket and shell history a path under a home directory
  // names its user in, mounts, and the LD_PRELOAD value (a list of paths).
  {
    kind: 'file-path',
    fields: [
      'filePath',
      'fileName',
      'nestedItemPath',
      'itemPath',
      'executablePath',
      'pwd',
      'scriptPath',
      'libraryPath',
      'ldPreloadValue',
      'shellHistoryFilePath',
      'threatFilePath',
      'moduleFilePath',
      'socketPath',
      'runcBinaryPath',
      'releaseAgentPath',
      'mountSource',
      'mountTarget',
    ],
    nl: 'bestandspaden en -namen',
    en: 'file paths and names',
  },
  // A command line a process ran (`runtimeDetails.context.commandLineExample`): whatever a person typed, names and addresses included.
  { kind: 'command-line', fields: ['commandLineExample'], nl: 'opdrachtregels', en: 'command lines' },
];

/**
 * The fields of a GuardDuty finding whose value is a person's data, or points at a person, wherever
 * they sit in the detail (`remoteIpDetails`, `localIpDetails`, `accessKeyDetails`,
 * `awsApiCallAction`, `dnsRequestAction`, `domainDetails`, `kubernetesUserDetails`, an attack
 * sequence's actors and endpoints, Runtime Monitoring's process, RDS logins, a malware scan's
 * infected files): IP addresses and their city and coordinates, user names, principal ids, access
 * key ids, user agents, domain names asked, file paths and names. The country and the network's
 * organisation (ASN, ISP) stay: they say where an attack came from without pointing at a person. The organisation's own resources (instance ids, their private
 * addresses, bucket and function names) stay: they are what the measures acted on. So inside the
 * finding's `resource` only the user of a credential or login goes (RESOURCE_PERSONAL_FIELDS), and
 * the local side of a connection (LOCAL_SIDE: the instance's own address and port) stays whole.
 */
const PERSONAL_FIELDS = new Set(REMOVED_KINDS.flatMap((k) => k.fields));

/**
 * In the finding's `resource` (the organisation's), the fields that name the person holding a
 * credential or a login: an EKS caller's session name too (`kubernetesUserDetails.sessionName`, for
 * an SSO user the role session: often the e-mail address).
 */
const RESOURCE_PERSONAL_FIELDS = new Set(['userName', 'username', 'principalId', 'accessKeyId', 'user', 'userId', 'sessionName']);

/**
 * In an EKS caller's details (`resource.kubernetesDetails.kubernetesUserDetails`), its `uid` too: the
 * IAM principal's unique id (`aws-iam-authenticator:<account>:AIDA…`), as `principalId` is. Elsewhere
 * in the resource a `uid` is the organisation's (a pod's, `kubernetesWorkloadDetails.uid`).
 */
const KUBERNETES_USER_FIELDS = new Set([...RESOURCE_PERSONAL_FIELDS, 'uid']);

/**
 * In an infected S3 object's details (Malware Protection for S3: `resource.s3BucketDetails[].s3ObjectDetails[]`),
 * its `key` and `objectArn` (which repeats the key) too: the object is the infected file, and its name
 * can name a person (an upload `paspoort-j-jansen.pdf`), as an EBS scan's `fileName` can. The bucket,
 * the organisation's, stays; the version, ETag and hash name no one.
 */
const S3_OBJECT_FIELDS = new Set([...RESOURCE_PERSONAL_FIELDS, 'key', 'objectArn']);

/** The personal fields inside the value at `at` (its key `key`), those of its parent being `personal`. */
function personalWithin(at: string, key: string, personal: Set<string>): Set<string> {
  if (at === 'resource') return RESOURCE_PERSONAL_FIELDS;
  if (personal === RESOURCE_PERSONAL_FIELDS && key === 's3ObjectDetails') return S3_OBJECT_FIELDS;
  return personal === RESOURCE_PERSONAL_FIELDS && key === 'kubernetesUserDetails' ? KUBERNETES_USER_FIELDS : personal;
}

/** The organisation's side of a connection or probe, wherever it sits: its own address and port, never a person's. */
const LOCAL_SIDE = new Set(['localIpDetails', 'localPortDetails']);

/**
 * Inside a personal field that is an object (an attack sequence's `user`, a `city`, a `userAgent`),
 * the values that identify: these are looked for elsewhere too (an ARN naming the user, a title
 * naming the address). Its `type` (`IAMUser`) and `account` are no person's.
 */
const IDENTIFYING = new Set([...PERSONAL_FIELDS, 'name', 'uid', 'credentialUid', 'cityName']);

/**
 * Free text of the finding is searched for IP and e-mail addresses no field above held (fg19): the
 * title and description ("198.51.100.7 is performing SSH brute force…"), and every other value
 * outside the finding's own identifiers, its resource and the local side of a connection, which
 * hold free text in many places: `service.additionalInfo` (what GuardDuty adds, its `value` a JSON
 * string), an attack sequence's and its signals' descriptions, a Kubernetes call's request URI and
 * parameters, `userFeedback`, fields GuardDuty adds later. In the resource, the organisation's, only
 * e-mail addresses are looked for (an owner's in a tag or a description): its IP addresses are the
 * organisation's own, what the measures acted on (OWN_IDENTIFIERS).
 */

/**
 * The finding's own identifiers at the top of its detail, and its resource: never a person's, kept
 * whatever a removed value matches (a user agent or domain the caller chose to read as the instance
 * id, a user name as the bucket's).
 */
const OWN_IDENTIFIERS = new Set(['schemaVersion', 'accountId', 'region', 'partition', 'id', 'arn', 'type', 'severity', 'createdAt', 'updatedAt', 'resource']);

const IPV4 = /(?<!\d|\d\.)(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)/g;

/**
 * An e-mail address in free text (a session name, a login, a contact the finding quotes); its
 * letters any script's (readB17: `josé@…`, `jan@bücher.de` stayed whole, `jürgen.müller@…` half).
 */
const EMAIL = /(?<![\p{L}\p{M}\p{N}._%+-])[\p{L}\p{M}\p{N}._%+-]+@[\p{L}\p{M}\p{N}-]+(?:\.[\p{L}\p{M}\p{N}-]+)*\.[\p{L}\p{M}]{2,}(?![\p{L}\p{M}\p{N}-])/gu;

/**
 * What may be an IPv6 address in free text: hex groups and colons (a mapped IPv4 tail, its dots),
 * not inside a word; `isIPv6` decides, so a time (`21:00:00`) stays. A full stop ending the sentence is not part of it.
 */
const IPV6_CANDIDATE = /(?<![0-9A-Za-z:._-])[0-9A-Fa-f:][0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?![0-9A-Za-z:_-])/g;

function scrubIpv6(text: string): string {
  return text.replace(IPV6_CANDIDATE, (found) => {
    const address = found.replace(/\.+$/, '');
    return /[0-9A-Fa-f]/.test(address) && isIPv6(address) ? `${MINIMISED}${found.slice(address.length)}` : found;
  });
}

/** Free text with the addresses it may name (IPv6, then IPv4: a mapped address whole) and e-mail addresses replaced. */
function scrubFreeText(text: string): string {
  return scrubIpv6(text).replace(IPV4, MINIMISED).replace(EMAIL, MINIMISED);
}

/**
 * The kinds of address the values at `paths` of `detail` (before minimising) held, found as the
 * free-text search finds them (readA19): an e-mail address is of no field's kind, and an IP address
 * in free text (`service.additionalInfo.value`, a title) neither, so `removedKinds` alone, which reads
 * the field's name, left both out of what the record says was removed.
 */
export function freeTextKinds(detail: Record<string, unknown>, paths: readonly string[]): string[] {
  const kinds = new Set<string>();
  for (const path of paths)
    for (const value of valuesAt(detail, path)) {
      // In the organisation's resource its IP addresses stay: only an e-mail address there is removed.
      if (!path.startsWith('resource.') && scrubIpv6(value).replace(IPV4, MINIMISED) !== value) kinds.add('ip-address');
      if (value.replace(EMAIL, MINIMISED) !== value) kinds.add('e-mail-address');
    }
  return [...kinds];
}

/** The strings at `path` (`a.b[].c`, as `minimiseDetail` writes it) in `node`. */
function valuesAt(node: unknown, path: string): string[] {
  let level: unknown[] = [node];
  for (const part of path.split('.')) {
    const key = part.replace(/(\[\])+$/, '');
    const depth = (part.length - key.length) / 2;
    level = level.flatMap((n) => (isObject(n) && key in n ? [n[key]] : []));
    for (let i = 0; i < depth; i++) level = level.flatMap((n) => (Array.isArray(n) ? n : []));
  }
  return level.filter((v): v is string => typeof v === 'string');
}

/** The organisation's resource with the e-mail addresses its strings hold (a tag's value, a description) replaced; `paths` gets each place. */
function scrubResourceEmail(node: unknown, path: string, paths: Set<string>): void {
  const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : isObject(node) ? Object.entries(node) : [];
  for (const [key, value] of entries) {
    const at = typeof key === 'number' ? `${path}[]` : `${path}.${key}`;
    if (typeof value !== 'string') scrubResourceEmail(value, at, paths);
    else if (value.replace(EMAIL, MINIMISED) !== value) {
      (node as Record<string | number, unknown>)[key] = value.replace(EMAIL, MINIMISED);
      paths.add(at);
    }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value worth removing: not empty, not already minimised. */
function holdsData(value: unknown): boolean {
  if (value === null || value === undefined || value === MINIMISED) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (isObject(value)) return Object.keys(value).length > 0;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/**
 * The parts of a removed identifier that name a person on their own, and that a finding repeats
 * alone (review15 Sa: "Credentials for alice.jansen@zorggroep.nl used from …"): an assumed role's
 * or federated user's session name after the colon of its principal id (`AROA…:alice@…`,
 * `123456789012:bob`; for an IAM Identity Center user, the person's e-mail address), and the last
 * part of an ARN (`…:assumed-role/ROLE/SESSION`, `…:user/NAME`). An EC2 instance's session name is
 * its instance id, the organisation's, and stays (as the resource does); the role's unique id before
 * the colon names no one.
 */
function identifyingParts(text: string): string[] {
  const parts: string[] = [];
  const session = /^(?:A[A-Z0-9]{8,}|\d{12}):(.+)$/.exec(text)?.[1];
  if (session) parts.push(session);
  if (text.startsWith('arn:') && text.includes('/')) parts.push(text.slice(text.lastIndexOf('/') + 1));
  return parts.filter((p) => !/^i-[0-9a-f]{8,17}$/.test(p));
}

/** The texts a removed value leaves behind elsewhere: its own text and its parts that name a person, or its identifying values. */
function textsOf(value: unknown, out: Set<string>): void {
  if (typeof value === 'string') {
    for (const text of [value, ...identifyingParts(value)]) if (text.trim().length >= 3 && text !== MINIMISED) out.add(text);
  } else if (Array.isArray(value)) {
    for (const v of value) textsOf(v, out);
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) if (IDENTIFYING.has(k)) textsOf(v, out);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The finding's detail with its personal data replaced by MINIMISED, and the paths of what was
 * replaced (`service.action.awsApiCallAction.remoteIpDetails.ipAddressV4`, `title`; `[]` for an
 * array's items), each once. A detail minimised already comes back unchanged, with no paths.
 */
export function minimiseDetail(detail: Record<string, unknown>, known: string[] = []): { detail: Record<string, unknown>; paths: string[] } {
  const out = copyRecord(detail);
  const paths = new Set<string>();
  const removed = new Set<string>();
  // What the incident says the finding named (`sessionNamesKnown`), looked for as a removed value is.
  for (const text of known) textsOf(text, removed);
  // 1. The personal fields, wherever they are (in the resource, the user of a credential or login).
  const walk = (node: unknown, path: string, personal: Set<string>): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, `${path}[]`, personal);
      return;
    }
    if (!isObject(node)) return;
    for (const key of Object.keys(node)) {
      const at = path ? `${path}.${key}` : key;
      if (LOCAL_SIDE.has(key)) continue;
      if (personal.has(key) && holdsData(node[key])) {
        textsOf(node[key], removed);
        node[key] = MINIMISED;
        paths.add(at);
      } else walk(node[key], at, personalWithin(at, key, personal));
    }
  };
  walk(out, '', PERSONAL_FIELDS);
  // 2. What they held, wherever else it is written (longest first: an address inside a longer text).
  const patterns = [...removed].sort((a, b) => b.length - a.length).map((t) => new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(t)}(?![A-Za-z0-9])`, 'g'));
  const scrub = (text: string): string => {
    let result = text;
    for (const p of patterns) result = result.replace(p, MINIMISED);
    // Free text names addresses the fields may not hold (the attacker's, in a title; a person's e-mail address).
    return scrubFreeText(result);
  };
  const rewrite = (node: unknown, path: string, topLevel: boolean): void => {
    const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : isObject(node) ? Object.entries(node) : [];
    for (const [key, value] of entries) {
      const at = typeof key === 'number' ? `${path}[]` : path ? `${path}.${key}` : key;
      if (typeof key === 'string' && ((topLevel && OWN_IDENTIFIERS.has(key)) || LOCAL_SIDE.has(key))) continue;
      if (typeof value === 'string') {
        const scrubbed = scrub(value);
        if (scrubbed !== value) {
          (node as Record<string | number, unknown>)[key] = scrubbed;
          paths.add(at);
        }
      } else rewrite(value, at, false);
    }
  };
  rewrite(out, '', true);
  // 3. In the organisation's resource, the e-mail addresses its free text holds (a tag's, a description's).
  scrubResourceEmail(out.resource, 'resource', paths);
  return { detail: out, paths: [...paths].sort() };
}

/**
 * The kinds of personal data (`REMOVED_KINDS`) that values were removed at, from `minimiseDetail`'s
 * paths, in that list's order; `known` (kinds removed before) included. A value removed where the
 * finding repeats it (its title, an ARN) is of a kind already named.
 */
export function removedKinds(paths: string[], known: string[] = []): string[] {
  // An EKS caller's uid is its principal id (KUBERNETES_USER_FIELDS); an infected S3 object's key or ARN its file name (S3_OBJECT_FIELDS).
  const fieldOf = (p: string) => (p.split('.').at(-1) ?? '').replace(/(\[\])+$/, '');
  const kindField = (p: string) =>
    p.endsWith('kubernetesUserDetails.uid') ? 'principalId' : /s3ObjectDetails\[\]\.(key|objectArn)$/.test(p) ? 'fileName' : fieldOf(p);
  const fields = new Set(paths.map(kindField));
  return REMOVED_KINDS.filter((k) => known.includes(k.kind) || k.fields.some((f) => fields.has(f))).map((k) => k.kind);
}

/**
 * The `finding-minimised` entries (by seq) of runs that minimised a record minimised before. Since fg20 each says
 * `again: true`; a run before it wrote its entry as a first removal, its `afterDays` the run's (the policy's when none
 * was given), never a period the findings were kept for: such an entry is known by its finding, which an earlier
 * entry of the same timeline minimised already (a finding record, once minimised, stays so: laterVersion).
 */
export function minimisedAgainEntries(timeline: TimelineEntry[]): Set<number> {
  const seen = new Set<string>();
  const again = new Set<number>();
  for (const e of timeline) {
    if (e.kind !== 'finding-minimised') continue;
    const finding = typeof e.detail.findingId === 'string' ? e.detail.findingId : '';
    if (e.detail.again === true || seen.has(finding)) again.add(e.seq);
    seen.add(finding);
  }
  return again;
}

/**
 * The incident's minimisation note as its timeline shows it. A run before fg20 that minimised records again wrote its
 * own time, name and `--after-days` over the note: show, the page and the report then gave a period the findings were
 * never kept for. When the note's time is such a run's and no first removal's, the note's first removal is the last
 * one before it on the timeline (its time, by whom, after how many days), and the run is said as a minimisation again.
 */
export function minimisedAsRecorded(incident: Incident, timeline: TimelineEntry[]): Incident['minimised'] {
  const m = incident.minimised;
  if (!m) return m;
  const again = minimisedAgainEntries(timeline);
  const removals = timeline.filter((e) => e.kind === 'finding-minimised');
  if (removals.some((e) => e.at === m.at && !again.has(e.seq))) return m;
  const overwrote = removals.find((e) => e.at === m.at && again.has(e.seq) && e.detail.again !== true);
  if (!overwrote) return m;
  const first = removals.filter((e) => e.seq < overwrote.seq && !again.has(e.seq)).at(-1);
  if (!first || typeof first.detail.afterDays !== 'number') return m;
  return { ...m, at: first.at, by: first.actor, afterDays: first.detail.afterDays, again: m.again ?? { at: overwrote.at, by: overwrote.actor } };
}

/**
 * What the incident page and the HTML report say of an incident's minimisation, in `lang`: when,
 * by whom, how long after closing, and which kinds of data were removed; null when it never was.
 * The note as its timeline shows it (`minimisedAsRecorded`).
 */
export function minimisedSummary(incident: Incident, timeline: TimelineEntry[], lang: 'nl' | 'en', local: (iso: string) => string): string | null {
  const m = minimisedAsRecorded(incident, timeline);
  if (!m) return null;
  const kinds = m.kinds ? REMOVED_KINDS.filter((k) => m.kinds?.includes(k.kind)).map((k) => k[lang]) : [];
  const which = kinds.length ? kinds.join(', ') : lang === 'nl' ? 'welke soorten is niet vastgelegd' : 'which kinds was not recorded';
  const again = m.again
    ? lang === 'nl'
      ? ` Opnieuw geminimaliseerd op ${local(m.again.at)} door ${m.again.by}: wat een eerdere minimalisatie liet staan in bevindingen die al geminimaliseerd waren.`
      : ` Minimised again at ${local(m.again.at)} by ${m.again.by}: what an earlier minimise left in finding records minimised before.`
    : '';
  return lang === 'nl'
    ? `Persoonsgegevens uit ${m.findings} ${m.findings === 1 ? 'bevinding' : 'bevindingen'} verwijderd op ${local(m.at)} door ${m.by}, ${m.afterDays} dagen na het sluiten (bewaartermijn): ${which}.${again}`
    : `Personal data removed from ${m.findings} finding record${m.findings === 1 ? '' : 's'} at ${local(m.at)} by ${m.by}, ${m.afterDays} days after closing (retention period): ${which}.${again}`;
}

/**
 * A retention hold (`datalek minimise ID --hold`, retention-hold.ts) in a sentence for the page and
 * the report, under the same heading: who keeps the findings past the retention period, since when
 * and why (Art. 5(1)(e), 5(2)); null without one.
 */
export function retentionHoldSummary(incident: Incident, lang: 'nl' | 'en', local: (iso: string) => string): string | null {
  const h = incident.retentionHold;
  if (!h) return null;
  return lang === 'nl'
    ? `De bevindingen worden langer bewaard dan de bewaartermijn, besloten door ${h.by} op ${local(h.at)}: ${h.reason}. Ze worden pas geminimaliseerd als dat besluit is opgeheven.`
    : `The findings are kept past the retention period, as ${h.by} decided on ${local(h.at)}: ${h.reason}. They are minimised only once that hold is released.`;
}

/** A hold on another incident that keeps findings this one holds or held (`holdsInherited`). */
export interface InheritedHold {
  incidentId: string;
  /**
   * `merged-in`: that incident was merged into this one; `merged-into`: this one into that; `follow-up-of`: this one follows it up;
   * `attached-from`: a finding of that closed incident, active again, joined this one (or that one keeps such an incident's findings).
   */
  as: 'merged-in' | 'merged-into' | 'follow-up-of' | 'attached-from';
  hold: NonNullable<Incident['retentionHold']>;
}

/**
 * The holds on other incidents that keep findings of this one's record (review10 S3, K2): on the
 * incident it was merged into or follows up (`holdingIncidents`), and on the incidents merged into
 * it (its timeline's `incidents-merged` entries), whose finding records are its evidence now.
 */
export async function holdsInherited(store: Pick<IncidentStore, 'getIncident'>, incident: Incident, timeline: TimelineEntry[]): Promise<InheritedHold[]> {
  const out: InheritedHold[] = [];
  for (const { incident: other, as } of await holdingIncidents(store, incident)) {
    if (as !== 'self' && other.retentionHold) out.push({ incidentId: other.id, as, hold: other.retentionHold });
  }
  const mergedIn = new Set(timeline.filter((e) => e.kind === 'incidents-merged' && typeof e.detail?.merged === 'string').map((e) => e.detail.merged as string));
  for (const id of mergedIn) {
    const other = await store.getIncident(id);
    if (other?.retentionHold) out.push({ incidentId: id, as: 'merged-in', hold: other.retentionHold });
  }
  // A closed incident's finding that joined this one (read11c C2): a hold on where it came from keeps it.
  const attachedFrom = new Set(timeline.filter((e) => e.kind === 'finding-attached' && typeof e.detail?.from === 'string').map((e) => e.detail.from as string));
  for (const id of attachedFrom) {
    const from = await store.getIncident(id);
    if (!from) continue;
    for (const { incident: held } of await holdingIncidents(store, from)) {
      if (held.retentionHold && !out.some((h) => h.incidentId === held.id)) out.push({ incidentId: held.id, as: 'attached-from', hold: held.retentionHold });
    }
  }
  return out;
}

/** An inherited hold in a sentence for the page, under the same heading as `retentionHoldSummary`. */
export function inheritedHoldSummary(h: InheritedHold, lang: 'nl' | 'en', local: (iso: string) => string): string {
  const whose = {
    'merged-in': {
      nl: `De bevindingen van incident ${h.incidentId}, dat in dit incident is samengevoegd,`,
      en: `The findings of incident ${h.incidentId}, merged into this one,`,
    },
    'merged-into': {
      nl: `De bevindingen van dit incident, samengevoegd in incident ${h.incidentId},`,
      en: `The findings of this incident, merged into incident ${h.incidentId},`,
    },
    'follow-up-of': {
      nl: `De bevindingen die van incident ${h.incidentId} naar dit vervolgincident zijn gegaan,`,
      en: `The findings that moved on from incident ${h.incidentId} to this follow-up`,
    },
    'attached-from': {
      nl: `De bevindingen die van incident ${h.incidentId} (of een incident waarvan het de bevindingen bewaart) naar dit incident zijn gegaan,`,
      en: `The findings that moved on from incident ${h.incidentId} (or an incident whose findings it keeps) to this one`,
    },
  }[h.as];
  return lang === 'nl'
    ? `${whose.nl} worden langer bewaard dan de bewaartermijn, besloten door ${h.hold.by} op ${local(h.hold.at)} bij incident ${h.incidentId}: ${h.hold.reason}. Ze worden pas geminimaliseerd als dat besluit daar is opgeheven.`
    : `${whose.en} are kept past the retention period, as ${h.hold.by} decided on ${local(h.hold.at)} on incident ${h.incidentId}: ${h.hold.reason}. They are minimised only once that hold is released there.`;
}

/** The heading above `minimisedSummary` on the page and in the report. */
export const MINIMISED_HEADING = { nl: 'Bewaartermijn', en: 'Retention period' } as const;

/** What a finding record says of its minimisation. */
export interface FindingMinimised {
  at: string;
  by: string;
  /**
   * The SHA-256 of the record's bytes before, as its ledger recorded them: it commits to what was
   * removed. For a later version written minimised (`laterVersion`), of the version as delivered.
   */
  from: string;
  /** Where values were removed (`minimiseDetail`'s paths). */
  removed: string[];
  /**
   * Of a finding naming an assumed role's session (`sessionPrincipal`): `looked-for` when its session
   * name was looked for in the rest of the finding (minimised since 8055538c, which takes the part
   * after the colon of the principal id; or again with the name the incident still holds);
   * `not-known` when the record was minimised before fg19 without this note, and nothing left says
   * what the session's name was: minimised before 8055538c, which removed the principal id whole, a
   * name that is no e-mail address may still be where the finding repeated it alone (its title, its
   * description); minimised from 8055538c on, it was looked for, but the record cannot tell which
   * (readA19). Absent otherwise, and on a record minimised before fg19 never minimised again.
   */
  sessionNames?: 'looked-for' | 'not-known';
}

/**
 * The principal id of an assumed role's session the finding's credential names (`AROA…:name`, the
 * name often a person's), MINIMISED when minimised; undefined when it names none.
 */
function sessionPrincipal(detail: Record<string, unknown>): string | undefined {
  const resource = isObject(detail.resource) ? detail.resource : {};
  const key = isObject(resource.accessKeyDetails) ? resource.accessKeyDetails : {};
  if (key.userType !== 'AssumedRole' || typeof key.principalId !== 'string') return undefined;
  return key.principalId === MINIMISED || key.principalId.includes(':') ? key.principalId : undefined;
}

/**
 * A record minimised before fg19 whose finding named a role session, without the note saying its
 * session name was looked for: before 8055538c the principal id was removed whole, so the name,
 * where the finding repeated it alone, was never looked for (from 8055538c on it was, unnoted: the
 * record cannot tell which, readA19).
 * Not an EC2 instance's credentials (`…/InstanceCredentialExfiltration.*`): their session is named
 * after the instance id, the organisation's, which stays.
 */
function sessionNameUnsearched(record: FindingRecord): boolean {
  if (record.minimised === undefined || record.minimised.sessionNames !== undefined) return false;
  return sessionPrincipal(record.detail) === MINIMISED && !/\/InstanceCredentialExfiltration\./.test(String(record.detail.type));
}

/**
 * The principals named by a person's name that the incident record keeps as they are, not by a
 * pseudonym: an incident recorded before fed16 holds a role session's or federated user's
 * principal id (`AROA…:name`, `account:name`) as its resource id. Minimise looks for them (and their
 * session part) in a record minimised before the session part was (`sessionNameUnsearched`).
 */
function sessionNamesKnown(incident: Pick<Incident, 'resource' | 'resources'>): string[] {
  const held = [incident.resource, ...(incident.resources ?? [])].filter((r) => r.kind === 'iam-principal' && !isPseudonym(r.id)).map((r) => r.id);
  return [...new Set(held.filter((id) => identifyingParts(id).length > 0 && !id.startsWith('arn:')))];
}

/**
 * The finding record minimised: its detail, and a note of when, by whom and from what. Its salt
 * goes with the personal data: the ledger's hash of the record before (`from`) was taken with it,
 * so without it no guess at the removed values gives that hash again. It gets a fresh one: should a
 * field be found personal later (as the EKS session name was), the ledger's hash of this record,
 * which still holds it, gives it back no more once minimising again removes that salt (read10a A4).
 */
export function minimisedRecord(record: FindingRecord, note: Omit<FindingMinimised, 'removed' | 'sessionNames'>, known: string[] = []): FindingRecord {
  const { detail, paths } = minimiseDetail(record.detail, known);
  // A role session's name is looked for wherever the finding repeats it, from its principal id or, minimised before that, from what the incident holds.
  const unsearched = sessionNameUnsearched(record);
  const sessionNames = unsearched ? (known.length ? 'looked-for' : 'not-known') : sessionPrincipal(record.detail) ? 'looked-for' : undefined;
  return { ...record, salt: findingSalt(), detail, minimised: { ...note, removed: paths, ...(sessionNames ? { sessionNames } : {}) } };
}

/**
 * The record of a later version of a finding (record-finding.ts `update`: archived, re-scored,
 * replayed, no new activity), minimised when the record it replaces was: the personal data once
 * removed never comes back with a later version while show and the register say it was removed.
 * Its note keeps who minimised; `from` is the hash of the version as delivered (never stored).
 */
export function laterVersion(record: FindingRecord, replaced: FindingRecord, at: string, holder: Pick<Incident, 'id' | 'minimised'>): FindingRecord {
  if (!replaced.minimised) return record;
  // Only minimise writes a finding minimised, and it notes so on the incident in the same commit,
  // whose record the ledger vouches for (review12 K1). A record saying so on an incident that says
  // nothing was minimised was edited behind the pipeline: taking its word would erase the finding's
  // evidence and vouch for it (read14b B2). (Reached through a merge, the note is on the incident merged.)
  if (replaced.incidentId === holder.id && !holder.minimised) throw findingMinimisedUnledgered(holder.id, findingKeyString(replaced.key));
  return minimisedRecord(record, { at, by: replaced.minimised.by, from: sha256(storedText.finding(record)) });
}

/** The refusal of a later version over a finding record that says it is minimised while its incident says nothing was (`laterVersion`): stuck, no race. */
function findingMinimisedUnledgered(incidentId: string, findingKey: string): StuckConflictError {
  return new StuckConflictError(
    incidentId,
    new ConflictError(
      `the stored record of finding ${findingKey} says it is minimised, but incident ${incidentId} records no minimising: it was changed behind the pipeline, and writing its next version minimised would erase the finding's evidence and vouch for the change; datalek verify ${incidentId} names it`,
    ),
  );
}

/** Where a stored finding record that says it is minimised still holds personal data (verify); none when it does not. */
export function personalDataLeft(data: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return []; // a damaged record is reported by the audit
  }
  if (!isObject(value) || !isObject(value.minimised) || !isObject(value.detail)) return [];
  return minimiseDetail(value.detail).paths;
}

/**
 * The actions of the incident's stored record (`recordData`) that keep the object's key (`objectKeysLeft`),
 * or with `left` an IAM user's name (`iamNamesLeft`), of a finding whose stored record (`findingData`,
 * under its key `account/region/id`) says it is minimised (verify): their ids, none when it is not minimised.
 */
export function objectKeysLeftMinimised(
  recordData: string | undefined,
  findingData: string,
  findingKey: string,
  left: (incident: Pick<Incident, 'actions'>, findingId: string) => ActionRecord[] = objectKeysLeft,
): string[] {
  const parse = (data: string | undefined): unknown => {
    try {
      return JSON.parse(data ?? 'null');
    } catch {
      return null; // a damaged record is reported by the audit
    }
  };
  const record = parse(recordData);
  const finding = parse(findingData);
  if (!isObject(record) || !Array.isArray(record.actions) || !isObject(finding) || !isObject(finding.minimised)) return [];
  return left({ actions: record.actions as ActionRecord[] }, keyOf(findingKey).findingId).map((a) => a.id);
}

export interface MinimiseDeps {
  store: IncidentStore;
  audit: AuditSource;
  /** The run's clock (a CLI `--now`, or the machine's): which incidents are past the retention period, and when the minimisation is recorded. */
  now: () => string;
  /**
   * The machine's clock: a run whose `--now` lags it records a `clock-stated` entry saying when the
   * machine recorded the minimisation (change-incident.ts markEnteredAt), as a person's change does.
   * Absent on a drill copy.
   */
  machineNow?: () => string;
  conflictRetry?: ConflictRetry;
  /**
   * Its time zone gives the times the reasons for keeping findings name, as a person reads them
   * (time.ts localWithInstant). The CLI passes the policy it loaded.
   * @default the policy's default zone, Europe/Amsterdam (callers that load no policy: tests)
   */
  policy?: Pick<Policy, 'timeZone'>;
}

/** A time in minimise's reasons: the policy's local time with the instant beside it, never a bare ISO an FG reads as local (law28). */
function shownIn(deps: Pick<MinimiseDeps, 'policy'>): (iso: string) => string {
  const zone = deps.policy?.timeZone ?? DEFAULT_POLICY.timeZone;
  return (iso) => localWithInstant(iso, zone);
}

export interface MinimiseOptions {
  by: string;
  /** Days after closing (the policy's `retention.findingDetailDays`, or the person's override). */
  afterDays: number;
  /** Only this incident (an error when it is open, or not closed long enough and nothing minimised before to minimise again). */
  only?: string;
}

export interface MinimisedIncident {
  incidentId: string;
  closedAt: string;
  /** Finding records minimised by this run. */
  findings: number;
  /** Fields removed from them (one per place in a record, `FindingMinimised.removed`). */
  fields: number;
  /** Finding records found minimised already. */
  already: number;
  /** Why some of its finding records are kept: a retention hold on an incident they were recorded under before (read11c C1, C2). */
  held?: string;
  /**
   * Its finding records (`account/region/id`) minimised before fg19 without the note (before 8055538c,
   * or from it on: the record cannot tell which) whose role session's name nothing says any more (`FindingMinimised.sessionNames` `not-known`): minimised again now, and
   * marked so, but that name, where it is no e-mail address, may still be in their free text.
   */
  sessionNamesNotKnown?: string[];
  /**
   * Why its other findings are kept, when only records minimised before were minimised again (a
   * field since known personal removed) before the retention period: `findings` counts those.
   */
  kept?: string;
}

export interface MinimiseReport {
  /** Closed incidents looked at (past the retention period). */
  checked: number;
  minimised: MinimisedIncident[];
  /** Closed incidents not yet past the retention period, or with something still due on them, left as they are. */
  notYet: number;
  /** Items the listing of incidents passed by, being no incident records (an index entry the pipeline did not write): each named. */
  skipped?: string[];
}

const DAY_MS = 86_400_000;

/** How many merges deep the incident holding a merged incident's findings may lie (as contain.ts follows them). */
const MAX_MERGE_HOPS = 10;

/**
 * The incident that holds an incident's findings now: itself, or the one it was merged into (and so
 * on). A merged incident is closed, but its finding records still name it and are the survivor's
 * evidence (contain.ts `belongsTo`): they go by the survivor's closing, not by the merge.
 */
async function holderOf(store: IncidentStore, incident: Incident): Promise<Incident> {
  let holder = incident;
  for (let hops = 0; holder.mergedInto && hops < MAX_MERGE_HOPS; hops++) {
    const next = await store.getIncident(holder.mergedInto);
    if (!next) break;
    holder = next;
  }
  return holder;
}

/**
 * Why an incident's findings may not be minimised now (refused for a named incident), or null when
 * they may. `seen`: the incidents asked already, as follow-ups and linked incidents name each other.
 */
async function keptBecause(
  store: IncidentStore,
  incident: Incident,
  cutoff: string,
  afterDays: number,
  shown: (iso: string) => string,
  seen = new Set<string>(),
): Promise<string | null> {
  const holder = await holderOf(store, incident);
  seen.add(incident.id).add(holder.id);
  const via = viaOf(incident, holder);
  const held = await heldBack(store, incident, holder, via, shown);
  if (held) return held;
  if (holder.nextDueAt)
    return `incident ${holder.id} is closed, but something is still due on it at ${shown(holder.nextDueAt)} (a report or decision after closing)${via}: its findings are kept until that is done`;
  // The period counts from the last thing recorded on it (review9 S5): what is recorded after closing
  // (facts corrected on the AP's question, a follow-up report, an Art. 34 decision) shows it is being
  // looked at again, and the findings are the evidence that is asked about.
  const last = (holder.afterClose ?? []).reduce((latest, x) => (x.at > latest.at ? x : latest), { at: holder.closedAt as string, what: '' });
  if (last.at > cutoff)
    return `incident ${holder.id} was closed at ${shown(holder.closedAt as string)}${last.what ? ` and had ${last.what} recorded after closing at ${shown(last.at)}` : ''}, less than ${afterDays} days ago${via}: its findings are kept until ${shown(new Date(Date.parse(last.at) + afterDays * DAY_MS).toISOString())} (give --after-days to shorten the period for this run)`;
  // A follow-up of the same activity, or an incident a finding linked to it, compares against these
  // findings while it is handled (README "Why 180 days"): kept until it is closed as long as this.
  const related = [
    ...(holder.followUps ?? []).map((id) => ({ id, as: 'follow-up incident', what: ' (the same activity, active again after closing)' })),
    ...(holder.linked ?? []).map((id) => ({ id, as: 'linked incident', what: ' (a finding of the same breach recorded on both)' })),
  ];
  for (const { id, as, what } of related) {
    if (seen.has(id)) continue;
    const other = await store.getIncident(id);
    const why = other ? await keptBecause(store, other, cutoff, afterDays, shown, seen) : null;
    if (why) return `incident ${holder.id} is closed, but its ${as} ${id}${what} is still being handled${via}: ${why}`;
  }
  return null;
}

function viaOf(incident: Incident, holder: Incident): string {
  return holder.id === incident.id ? '' : ` (its findings are incident ${holder.id}'s, which it was merged into)`;
}

/** How many incidents a hold is looked for on, from one incident's finding records (merges and follow-ups). */
const MAX_HOLDING = 20;

/** An incident whose hold keeps another's finding records, and how the records go with it. */
export interface HoldingIncident {
  incident: Incident;
  /** `self`; `merged-into`: its records count in this one now; `follow-up-of`: its records came from this one. */
  as: 'self' | 'merged-into' | 'follow-up-of';
}

/**
 * Every incident whose retention hold keeps an incident's finding records (review10 S3, K2): the
 * incident itself, the one it was merged into (and on), and the closed incident a follow-up was
 * opened from, whose finding record moved on to it; and the same from each of those. A hold holds
 * every finding record the held incident ever held, wherever the record went since.
 */
export async function holdingIncidents(store: Pick<IncidentStore, 'getIncident'>, incident: Incident): Promise<HoldingIncident[]> {
  const out: HoldingIncident[] = [{ incident, as: 'self' }];
  const seen = new Set([incident.id]);
  for (let i = 0; i < out.length && out.length < MAX_HOLDING; i++) {
    const at = out[i].incident;
    for (const [id, as] of [
      [at.mergedInto, 'merged-into'],
      [at.followUpOf?.incidentId, 'follow-up-of'],
    ] as const) {
      if (!id || seen.has(id)) continue;
      seen.add(id);
      const next = await store.getIncident(id);
      if (next) out.push({ incident: next, as });
    }
  }
  return out;
}

/**
 * The finding records a retention hold keeps wherever they went since (read11c C1, C2), each with
 * why. A record leaves the incident it was found on in more ways than the incidents' links say: a
 * later version recorded through a merge names the survivor, and a closed incident's finding active
 * again joins the incident open on its resource (attach) with nothing linking the two. So this goes
 * by the ledgers: every finding key written under an incident whose findings a hold keeps
 * (`holdingIncidents`: the held one, one merged into it, a follow-up of it) is held, whichever
 * incident its record names now. It follows the links through every incident listed, with no limit
 * to run past (a loop ends at an incident seen before), and reads one ledger per incident a hold covers.
 */
export async function heldFindingKeys(
  audit: Pick<AuditSource, 'rawIncident'>,
  incidents: Incident[],
  shown: (iso: string) => string,
): Promise<Map<string, string>> {
  const byId = new Map(incidents.map((i) => [i.id, i]));
  const keys = new Map<string, string>();
  for (const incident of incidents) {
    const seen = new Set<string>();
    let hold: string | null = null;
    for (const queue = [incident]; queue.length && !hold; ) {
      const at = queue.shift() as Incident;
      if (seen.has(at.id)) continue;
      seen.add(at.id);
      const h = at.retentionHold;
      if (h)
        hold = `incident ${at.id}${at.id === incident.id ? '' : ` (which incident ${incident.id}'s findings go with)`} is held by ${h.by} since ${shown(h.at)} (${h.reason}); the record was written under incident ${incident.id}`;
      for (const id of [at.mergedInto, at.followUpOf?.incidentId]) {
        const next = id ? byId.get(id) : undefined;
        if (next) queue.push(next);
      }
    }
    if (!hold) continue;
    for (const key of findingWrites((await audit.rawIncident(incident.id)).ledger).keys()) if (!keys.has(key)) keys.set(key, hold);
  }
  return keys;
}

/** Why no finding of the incident holding them is minimised, not even one minimised before: it is open, or held. */
async function heldBack(store: IncidentStore, incident: Incident, holder: Incident, via: string, shown: (iso: string) => string): Promise<string | null> {
  if (holder.state !== 'closed' || !holder.closedAt)
    return `incident ${holder.id} is open${via}: the findings of an open incident are never minimised (they are the evidence it is handled on)`;
  const holding = await holdingIncidents(store, incident);
  // Past the limit a hold further on is not looked for: kept, never removed for want of looking.
  if (holding.length >= MAX_HOLDING)
    return `incident ${incident.id} is linked (merged, followed up) to ${MAX_HOLDING} or more incidents: a retention hold further on is not looked for, so its findings are kept until a person minimises them with a shorter chain`;
  for (const { incident: held, as } of holding) {
    // The timeline too (atk28 F8): a hold taken off the record alone, behind the pipeline, still holds.
    const onTimeline = held.retentionHold ? null : holdByTimeline(await store.getTimeline(held.id));
    const hold = held.retentionHold ?? onTimeline;
    if (!hold) continue;
    const how =
      as === 'self'
        ? ''
        : ` (incident ${incident.id}'s findings go with it: ${as === 'merged-into' ? 'merged into it' : 'a follow-up of it'}, directly or through another)`;
    const taken = onTimeline
      ? `; the record holds none, its timeline does: it was taken off behind the pipeline (datalek verify names it), so nothing is removed`
      : '';
    return `incident ${held.id} is held by ${hold.by} since ${shown(hold.at)} (${hold.reason})${how}: the findings it holds or held are kept until the hold is released (datalek minimise ${held.id} --release-hold --reason TEXT --by NAME)${taken}`;
  }
  return null;
}

/**
 * Why a finding record minimised before may not be minimised again now, or null. The retention
 * period protects the first removal; a record that says it is minimised and still holds a field
 * since known personal (an EKS session name) is only made to say what it says, whatever was
 * recorded after closing: else verify names it until the period has passed again (read10a A3).
 */
async function heldBackAgain(store: IncidentStore, incident: Incident, shown: (iso: string) => string): Promise<string | null> {
  const holder = await holderOf(store, incident);
  return heldBack(store, incident, holder, viaOf(incident, holder), shown);
}

/** The closed incidents past the retention period minimised, each of their finding records that is not yet. */
export async function minimiseClosed(deps: MinimiseDeps, options: MinimiseOptions): Promise<MinimiseReport> {
  const cutoff = new Date(Date.parse(deps.now()) - options.afterDays * DAY_MS).toISOString();
  const unreadable: { incidentId: string; reason: string }[] = [];
  const skipped: string[] = [];
  const all = await deps.store.listIncidents({
    onUnreadable: (p) => void (p.notAnIncident ? skipped.push(`incident ${p.incidentId}: ${p.reason}`) : unreadable.push(p)),
  });
  // A hold on an incident that cannot be read cannot be seen, nor where its records went since: removing nothing beats erasing what it holds.
  // (An item that is no incident record hides none: it is passed by, and the report names it.)
  if (unreadable.length) throw new RefusedError(unreadableText(unreadable));
  let candidates: Incident[];
  if (options.only) {
    const incident = await deps.store.getIncident(options.only);
    if (!incident) throw new IncidentNotFoundError(options.only);
    candidates = [incident];
  } else {
    candidates = all.filter((i) => i.state === 'closed' && i.closedAt);
  }
  const shown = shownIn(deps);
  const held = await heldFindingKeys(deps.audit, all, shown);
  const report: MinimiseReport = { checked: 0, minimised: [], notYet: 0, ...(skipped.length ? { skipped } : {}) };
  for (const incident of candidates) {
    // A closed incident with something still due (a notification an assessment after closing made
    // due, a telecom or NIS2 report left running at closing), merged into one that is open or
    // closed too recently, or with a follow-up or linked incident still handled: not yet.
    const kept = await keptBecause(deps.store, incident, cutoff, options.afterDays, shown);
    if (kept) {
      // Its records minimised before are minimised again where they still hold a field since known personal.
      const again = (await heldBackAgain(deps.store, incident, shown)) ? null : await minimiseIncident(deps, incident, options, true, held);
      if (options.only && !again?.findings) throw new RefusedError(kept);
      if (again?.findings) report.minimised.push({ ...again, kept });
      report.notYet += 1;
      continue;
    }
    report.checked += 1;
    const seen = { ownNamed: false };
    const done = await minimiseIncident(deps, incident, options, false, held, seen);
    // Every finding it holds minimised: nothing it keeps needs the person any more, nor a name that ties it to them (pseud21).
    if (!done.held) await unlinkPseudonyms(deps, incident.id, options.by, seen.ownNamed);
    if (options.only && !done.findings && done.held) throw new RefusedError(done.held);
    if (done.findings > 0 || options.only) report.minimised.push(done);
  }
  return report;
}

/**
 * The incident's record and join index (SQLite `incidents.resource_key`, DynamoDB `resourceKey`) name
 * each principal by the incident's own pseudonym, as its chained timeline and its messages already
 * do, and its pseudonym secret is deleted (core/incident-pseudonyms.ts, pseud21): no secret the store
 * keeps makes those names from a person's name any more, and nothing else in the store names them
 * by the store-wide one. Said on the timeline (`pseudonyms-unlinked`). Only once every finding it
 * holds is minimised, and while no step of it is in effect (`releaseNeedsItsNames`: its release still needs the name its
 * parameters keep: the next minimise after the release unlinks it), and only one that names someone
 * by a pseudonym (`ownNamed`: its timeline or messages do). A record written before pseud21 has no
 * secret of its own: its chained entries name the principal by the store-wide pseudonym, and it is
 * left as it is (README, "Recorded before pseud21: pseudonymised, not anonymous").
 */
async function unlinkPseudonyms(deps: MinimiseDeps, incidentId: string, by: string, ownNamed: boolean): Promise<void> {
  let first: number | undefined;
  for (let attempt = 1; ; attempt++) {
    const incident = await deps.store.getIncident(incidentId);
    // Closed past the retention period, every finding it holds minimised (the caller's): one whose findings went with a merge or a follow-up too.
    if (!incident?.pseudonymKey || incident.state !== 'closed') return;
    first ??= incident.revision;
    if (incident.actions.some(releaseNeedsItsNames)) return;
    const held = new Set(JSON.stringify(incident).match(STORE_WIDE_PSEUDONYMS) ?? []);
    // One that never named anyone by a pseudonym is left as it is: its secret makes nothing the store keeps.
    if (held.size === 0 && !ownNamed) return;
    const draft = withOwnPseudonyms(incident.pseudonymKey, copyRecord(incident));
    delete draft.pseudonymKey;
    draft.revision = incident.revision + 1;
    // The ledger keeps a hash of the record before, which named the principal by the store-wide pseudonym: its salt goes with it.
    draft.salt = incidentSalt();
    const at = deps.now();
    const timeline = appendEntries(
      draft,
      markEnteredAt(draft, [{ at, kind: 'pseudonyms-unlinked', actor: by, detail: { pseudonyms: held.size, secretDeleted: true } }], deps),
    );
    try {
      // What the record held is not left readable in the store's files (SQLite's freed bytes and log).
      await deps.store.commit({ incident: draft, expectedRevision: incident.revision, timeline, messages: [], erasing: true });
      return;
    } catch (err) {
      // The monthly run's output (cron mails it) outlives the unlinking: a store's words by the incident's own pseudonym.
      if (!isLostRace(err) || !(await (deps.conflictRetry ?? backoffRetry()).again(attempt)))
        throw errorToldOutside(await settledConflict(deps.store, [incidentId], [first], err), incident.pseudonymKey);
    }
  }
}

/**
 * Whether every finding the incident's ledger wrote went on to another incident (a follow-up, a
 * merge) and is minimised there (verify's PSEUDONYMISED line, fg22). Nothing of it is left for
 * minimise to remove, yet minimise never writes a note on it: it holds no finding of its own. Since
 * 5a7b5e6d minimise unlinks such an incident; one recorded before pseud21 keeps the store-wide
 * pseudonym, as minimised as one with a note. False for one whose findings cannot be read as such.
 */
export async function minimisedElsewhere(audit: Pick<AuditSource, 'rawIncident'>, incidentId: string): Promise<boolean> {
  const raw = await audit.rawIncident(incidentId);
  const written = new Set(findingWrites(raw.ledger).keys());
  if (written.size === 0) return false;
  const rows = new Map(raw.findings.map((f) => [f.key, f]));
  return [...written].every((key) => {
    const row = rows.get(key);
    if (!row || row.incidentId === incidentId) return false;
    try {
      const finding = JSON.parse(row.data) as unknown;
      return isObject(finding) && isObject(finding.minimised);
    } catch {
      return false;
    }
  });
}

/** How many unreadable incidents minimise's refusal names; the rest are counted. */
const NAMED_UNREADABLE = 5;

/** Why minimise removed nothing: the incidents it could not read, each with why, and what to do. */
function unreadableText(unreadable: { incidentId: string; reason: string }[]): string {
  const named = unreadable
    .slice(0, NAMED_UNREADABLE)
    .map((u) => `incident ${u.incidentId} cannot be read (${u.reason}; datalek verify ${u.incidentId} says more)`);
  const more = unreadable.length - named.length;
  return `minimise removed nothing: ${named.join('; ')}${more ? `; and ${more} other incident${more === 1 ? '' : 's'}` : ''}. A retention hold on an incident that cannot be read cannot be seen, and it keeps the findings recorded under that incident wherever they went since; minimise runs once every incident reads again (restore or repair the record)`;
}

/** Each finding record the incident holds, minimised in a commit of its own. */
async function minimiseIncident(
  deps: MinimiseDeps,
  incident: Incident,
  options: MinimiseOptions,
  againOnly: boolean,
  held: Map<string, string>,
  seen?: { ownNamed: boolean },
): Promise<MinimisedIncident> {
  const done: MinimisedIncident = { incidentId: incident.id, closedAt: incident.closedAt as string, findings: 0, fields: 0, already: 0 };
  const raw = await deps.audit.rawIncident(incident.id);
  // Whether its timeline or messages name someone by the incident's own pseudonym (`unlinkPseudonyms`).
  if (seen) seen.ownNamed = [...raw.timeline, ...raw.messages].some((row) => OWN_PSEUDONYM.test(JSON.stringify(row)));
  const keys: FindingKey[] = [];
  for (const row of raw.findings) {
    if (row.incidentId !== incident.id) continue; // moved on to another incident (a follow-up, a merge): that one's to keep or minimise
    // Held where it was before (read11c C1, C2): the hold goes with the record, not with the incident it names now.
    const holdBy = held.get(row.key);
    if (holdBy) {
      done.held = `${done.held ? `${done.held}; ` : ''}finding ${row.key} is kept: ${holdBy}`;
      continue;
    }
    keys.push(parseStoredFinding(row.data, keyOf(row.key)).key);
  }
  for (const key of keys) {
    const outcome = await minimiseFinding(deps, incident.id, key, options, againOnly);
    if (outcome === 'already') done.already += 1;
    else if (typeof outcome === 'number') {
      done.findings += 1;
      done.fields += outcome;
    } else if (typeof outcome === 'object') {
      done.findings += 1;
      done.fields += outcome.fields;
      done.sessionNamesNotKnown = [...(done.sessionNamesNotKnown ?? []), findingKeyString(key)];
    }
  }
  return done;
}

/**
 * The finding's tag-s3-object actions that keep the infected S3 object's key (containment.ts
 * malwareSteps: the target shows a digest, the key is in `params` and, once tagged, in
 * `evidence.object`), which minimising the finding removes: the file's name can name a person, as
 * in the finding (review11 A1). A tag datalek may still release (`releaseNeedsItsNames`) keeps its
 * key: releasing it (malware.ts releaseS3Object) tags that object, and a tag no one can take off
 * again would leave the object marked for ever. One carried out by hand only does not (fg22): datalek
 * has nothing to release it by, so it kept the key for good. Verify names those of a minimised
 * finding: minimise from f787210 to 3784915 left them, and before fg22 one carried out by hand.
 */
export function objectKeysLeft(incident: Pick<Incident, 'actions'>, findingId: string): ActionRecord[] {
  return incident.actions.filter((action) => {
    if (action.type !== 'tag-s3-object' || action.findingId !== findingId || releaseNeedsItsNames(action)) return false;
    const object = action.evidence?.object as Record<string, unknown> | undefined;
    return (action.params?.key !== undefined && action.params.key !== MINIMISED) || (typeof object?.key === 'string' && object.key !== MINIMISED);
  });
}

/** Replaces with MINIMISED the object's key in each of `objectKeysLeft`; returns how many actions it took the key out of. */
function minimiseObjectKeys(draft: Incident, findingId: string): number {
  const left = objectKeysLeft(draft, findingId);
  for (const action of left) {
    if (action.params?.key !== undefined) action.params = { ...action.params, key: MINIMISED };
    const object = action.evidence?.object as Record<string, unknown> | undefined;
    if (object && typeof object.key === 'string') action.evidence = { ...action.evidence, object: { ...object, key: MINIMISED } };
  }
  return left.length;
}

/**
 * Where an action keeps an IAM user's name or a federated principal ("often a person's"), by type
 * (containment.ts credentialStep): in `params`, and once carried out in `evidence`.
 */
const IAM_NAME_FIELDS: Partial<Record<ActionRecord['type'], string>> = {
  'deactivate-access-key': 'userName',
  'revoke-user-sessions': 'userName',
  'contain-federated-user': 'principalId',
};

/**
 * The finding's actions that keep an IAM user's name or a federated principal which minimising the
 * finding removes (review12 S5): planned (every local replay, every policy in plan mode), failed,
 * skipped, released or carried out by hand only. One datalek may still release
 * (`releaseNeedsItsNames`) keeps it: reactivating a key or taking a user's revocation policy off
 * again needs the user's name, as a tag in place keeps its object key.
 */
export function iamNamesLeft(incident: Pick<Incident, 'actions'>, findingId: string): ActionRecord[] {
  const held = (v: unknown) => typeof v === 'string' && v !== MINIMISED;
  return incident.actions.filter((action) => {
    const field = IAM_NAME_FIELDS[action.type];
    if (!field || action.findingId !== findingId || releaseNeedsItsNames(action)) return false;
    return held(action.params?.[field]) || held(action.evidence?.[field]);
  });
}

/** Replaces with MINIMISED the name in each of `iamNamesLeft`; returns how many actions it took a name out of. */
function minimiseIamNames(draft: Incident, findingId: string): number {
  const left = iamNamesLeft(draft, findingId);
  for (const action of left) {
    const field = IAM_NAME_FIELDS[action.type] as string;
    if (action.params?.[field] !== undefined) action.params = { ...action.params, [field]: MINIMISED };
    if (action.evidence?.[field] !== undefined) action.evidence = { ...action.evidence, [field]: MINIMISED };
  }
  return left.length;
}

/**
 * Takes out of a minimised finding's actions what they kept only while in effect (an object's key, an
 * IAM user's name), once released (release.ts): minimising kept it for the release alone (read14b B4).
 */
export function minimiseReleased(draft: Incident, findingId: string): number {
  const removed = minimiseObjectKeys(draft, findingId) + minimiseIamNames(draft, findingId);
  if (removed) draft.salt = incidentSalt();
  return removed;
}

/** Whether the stored record of the action's finding says it is minimised; read only for an incident that records minimising. */
export async function releasedFindingMinimised(store: IncidentStore, incident: Incident, action: ActionRecord): Promise<boolean> {
  if (!incident.minimised) return false;
  const key = { accountId: action.findingAccountId ?? incident.accountId, region: action.findingRegion ?? incident.region, findingId: action.findingId };
  return (await store.getFinding(key))?.minimised !== undefined;
}

/** The finding's actions holding personal data minimising removes: an S3 object's key, an IAM user's name. */
export function actionsHoldingPersonalData(incident: Pick<Incident, 'actions'>, findingId: string): ActionRecord[] {
  return [...objectKeysLeft(incident, findingId), ...iamNamesLeft(incident, findingId)];
}

/** A finding key from its stored string (`account/region/id`), only to name it in an error. */
function keyOf(key: string): FindingKey {
  const [accountId = '', region = '', ...rest] = key.split('/');
  return { accountId, region, findingId: rest.join('/') };
}

/**
 * Minimises one finding record; the number of fields removed, `already`, `moved` when it no longer
 * belongs to the incident, or `kept` when `againOnly` and it was never minimised.
 */
async function minimiseFinding(
  deps: MinimiseDeps,
  incidentId: string,
  key: FindingKey,
  options: MinimiseOptions,
  againOnly: boolean,
): Promise<number | { fields: number; sessionNameNotKnown: true } | 'already' | 'moved' | 'kept'> {
  let first: number | undefined;
  for (let attempt = 1; ; attempt++) {
    const incident = await deps.store.getIncident(incidentId);
    if (!incident) throw new IncidentNotFoundError(incidentId);
    first ??= incident.revision;
    const record = await deps.store.getFinding(key);
    if (!record || record.incidentId !== incidentId) return 'moved';
    // One minimised before a field was known personal (an EKS session name), or before its object's key left its actions
    // (f787210 to 3784915), is minimised again, or verify names it for ever.
    // One minimised before its role session's name was looked for (before 8055538c) is minimised again: with the name the incident
    // still holds, or to say that nothing does (fg19).
    const unsearched = sessionNameUnsearched(record);
    const known = unsearched ? sessionNamesKnown(incident) : [];
    if (record.minimised && !unsearched && minimiseDetail(record.detail).paths.length === 0 && actionsHoldingPersonalData(incident, key.findingId).length === 0)
      return 'already';
    if (againOnly && !record.minimised) return 'kept';
    const kept = record.minimised
      ? await heldBackAgain(deps.store, incident, shownIn(deps))
      : await keptBecause(deps.store, incident, new Date(Date.parse(deps.now()) - options.afterDays * DAY_MS).toISOString(), options.afterDays, shownIn(deps));
    if (kept) throw new RefusedError(kept);
    const keyText = findingKeyString(key);
    const ledgered = await deps.audit.lastFindingWrite(incidentId, keyText);
    const from = sha256(storedText.finding(record));
    if (ledgered !== from)
      throw new StoreError(
        `the finding record ${keyText} of incident ${incidentId} does not match what its ledger recorded: minimising it would vouch for an edit; datalek verify ${incidentId} shows what changed`,
      );
    // The run's clock, as every change records (a replayed history's minimisation lies in it); a stated one is marked below.
    const at = deps.now();
    const minimised = minimisedRecord(record, { at, by: options.by, from }, known);
    const fields = minimised.minimised?.removed.length ?? 0;
    // Minimised again: the note lists every place removed, the first time's too, and the record counts once.
    if (record.minimised && minimised.minimised)
      minimised.minimised.removed = [...new Set([...record.minimised.removed, ...minimised.minimised.removed])].sort();
    const draft = copyRecord(incident);
    draft.revision = incident.revision + 1;
    const before = incident.minimised;
    // The infected object's key the finding held is in its tag-s3-object actions too (review11 A1).
    const keysRemoved = minimiseObjectKeys(draft, key.findingId);
    // So is an IAM user's name or a federated principal in its credential actions (review12 S5).
    const namesRemoved = minimiseIamNames(draft, key.findingId);
    // The ledger keeps a hash of the record before, which held them: its salt goes with them (fed16).
    draft.salt = incidentSalt();
    // What the free text held (an e-mail address, an IP address in additionalInfo): no field's name says it (readA19).
    const actionKinds = [
      ...(keysRemoved ? ['file-path'] : []),
      ...(namesRemoved ? ['user-name'] : []),
      ...freeTextKinds(record.detail, minimised.minimised?.removed ?? []),
    ];
    const kinds = removedKinds(minimised.minimised?.removed ?? [], actionKinds);
    const allKinds = removedKinds(minimised.minimised?.removed ?? [], [...(before?.kinds ?? []), ...actionKinds]);
    // Minimising a record again (a field since known personal, fg19's session names, a name left in an action) is no removal under a retention
    // period: the run's --after-days, often the policy's because the command named none, is not the period the findings
    // were kept for, nor its time the one they were removed at (fg20). The note keeps those; the run is noted apart.
    const again = Boolean(record.minimised && before);
    draft.minimised =
      again && before
        ? { ...before, kinds: allKinds, again: { at, by: options.by } }
        : {
            at,
            by: options.by,
            afterDays: options.afterDays,
            findings: (before?.findings ?? 0) + (record.minimised ? 0 : 1),
            kinds: allKinds,
            ...(before?.again ? { again: before.again } : {}),
          };
    const timeline = appendEntries(
      draft,
      markEnteredAt(
        draft,
        [
          {
            at,
            kind: 'finding-minimised',
            actor: options.by,
            detail: {
              findingId: key.findingId,
              fieldsRemoved: fields,
              ...(again ? { again: true } : { afterDays: options.afterDays }),
              kinds,
              ...(keysRemoved ? { objectKeysRemoved: keysRemoved } : {}),
              ...(namesRemoved ? { userNamesRemoved: namesRemoved } : {}),
            },
          },
        ],
        deps,
      ),
    );
    try {
      await deps.store.commit({
        incident: draft,
        expectedRevision: incident.revision,
        finding: { record: minimised, expected: record.version },
        timeline,
        messages: [],
        minimised: { from, by: options.by },
      });
      return minimised.minimised?.sessionNames === 'not-known' ? { fields, sessionNameNotKnown: true } : fields;
    } catch (err) {
      // A lost race only when the incident moved meanwhile; else the store refuses it for good (StuckConflictError: verify says why).
      // Told by the incident's own pseudonym: the run's output (cron mails it) outlives minimise.
      if (!isLostRace(err) || !(await (deps.conflictRetry ?? backoffRetry()).again(attempt)))
        throw errorToldOutside(await settledConflict(deps.store, [incidentId], [first], err), incident.pseudonymKey);
    }
  }
}
