/**
 * The ledger: the audit trail of everything the store holds, kept so that someone with write
 * access to the store cannot rewrite the record unseen (CloudTrail's digest files and ledger
 * databases work this way).
 *
 * - Every change to an incident (its record with the legal fields, a finding's record, the
 *   timeline entries, the messages queued, a message marked sent) appends one entry to that
 *   incident's ledger. An entry holds the SHA-256 of the exact bytes the store wrote, and the hash
 *   of the entry before it, so an edited, removed, inserted or reordered row shows.
 * - Every new incident is also entered in the registry: a hash chain per shard (8 shards, by the
 *   incident id's hash, so that no single item takes every creation in a storm). An incident that
 *   is deleted whole, with its ledger, is still named there.
 * - The heads of these chains are what `datalek anchor` signs into digests kept outside the store:
 *   recomputing every hash after an edit (the "rechain") no longer matches a digest written before.
 *
 * The adapters store entries in the same transaction as the change; verification (core/audit.ts)
 * reads the stored bytes back, so a corrupt row is a finding of the audit, never a crash.
 */
import { ConflictError, StuckConflictError } from './errors.js';
import type { FindingKey } from './finding.js';
import { findingKeyString } from './finding.js';
import { canonicalJson, sha256 } from './hash.js';
import type { FindingRecord, Incident, OutboxMessage } from './incident.js';
import { storedIncident } from './stored-record.js';

/** What one ledger entry says was stored. */
export interface LedgerBody {
  incidentId: string;
  seq: number;
  /** When the store wrote it (the machine's clock). */
  at: string;
  /**
   * The incident record as stored: its revision and the SHA-256 of its bytes. `replaced`: the
   * SHA-256 of the stored bytes the commit wrote over, as it read them (DynamoDB), which must be the
   * `hash` the ledger recorded before (core/audit.ts): a record edited behind the pipeline and then
   * written on by a commit shows here for good.
   */
  incident?: { revision: number; hash: string; replaced?: string };
  /**
   * A finding record written: its key and the SHA-256 of its bytes. `replaced`: the SHA-256 of the
   * stored bytes it wrote over, as read (DynamoDB), which must be the `hash` the ledger recorded for
   * the record before (core/audit.ts), as `incident.replaced` for the incident's record (B2).
   */
  finding?: { key: string; hash: string; replaced?: string };
  /** The timeline's head after this change: the last entry's sequence number and hash. */
  timeline?: { seq: number; hash: string };
  /** Messages queued, each with the SHA-256 of its bytes. */
  messages?: { id: string; hash: string }[];
  /** A message marked sent, and when. */
  sent?: { id: string; at: string };
  /**
   * Set on the first entry of an incident adopted from a store written before the ledger existed:
   * it records what was found then (all findings, messages and sendings at once); the history
   * before it rests on the timeline's own chain alone.
   */
  adopted?: boolean;
  /** Adoption: the person who ran `datalek adopt` and so vouched for what was found. */
  by?: string;
  /** Adoption only: every finding record found. */
  findings?: { key: string; hash: string }[];
  /** Every message found sent, and when (adoption); or several sendings of the incident written at once (the embedded store). */
  sentMessages?: { id: string; at: string }[];
  /**
   * Set when `finding` is the minimised form of the record (core/minimise.ts): `from` is the hash
   * this ledger recorded for it before, which commits to what was removed; `by` who minimised it.
   */
  minimised?: { from: string; by: string };
}

/** One ledger entry as stored: its body as canonical JSON text, chained by hash. */
export interface LedgerEntry {
  incidentId: string;
  seq: number;
  data: string;
  prevHash: string;
  hash: string;
}

/** One entry of the registry of incidents: which incident was opened, in which shard, as number n. */
export interface RegistryEntry {
  shard: number;
  n: number;
  /** Canonical JSON of `{incidentId, at}`. */
  data: string;
  prevHash: string;
  hash: string;
}

/** The head of a chain: how many entries, and the last one's hash (the genesis hash when none). */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** An incident's ledger head, as anchored. */
export interface IncidentHead extends ChainHead {
  incidentId: string;
}

export const REGISTRY_SHARDS = 8;

/** Where an incident's ledger starts. */
export function ledgerGenesis(incidentId: string): string {
  return sha256(`datalek-ledger:${incidentId}`);
}

/** Where a registry shard's chain starts. */
export function registryGenesis(shard: number): string {
  return sha256(`datalek-registry:${shard}`);
}

export function registryShardOf(incidentId: string): number {
  return Number.parseInt(sha256(incidentId).slice(0, 8), 16) % REGISTRY_SHARDS;
}

/** The hash of a chained entry: its predecessor's hash and its stored text. */
export function chainHash(prevHash: string, data: string): string {
  return sha256(`${prevHash}\n${data}`);
}

/** The bytes a store writes for each record: the ledger hashes exactly these. */
export const storedText = {
  incident: (incident: Incident): string => JSON.stringify(storedIncident(incident)),
  finding: (record: FindingRecord): string => JSON.stringify(record),
  message: (message: OutboxMessage): string => JSON.stringify(message),
};

/** The next ledger entry of an incident after `head` (null: its first). */
export function ledgerEntry(incidentId: string, head: ChainHead | null, body: Omit<LedgerBody, 'incidentId' | 'seq'>): LedgerEntry {
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? ledgerGenesis(incidentId);
  // Object.assign, not a spread: keys added after a spread are slow (incident.ts newIncident); the
  // canonical text sorts them anyway.
  const data = canonicalJson(Object.assign({}, body, { incidentId, seq }));
  return { incidentId, seq, data, prevHash, hash: chainHash(prevHash, data) };
}

/** The next registry entry of a shard after `head` (null: its first). */
export function registryEntry(shard: number, head: ChainHead | null, incidentId: string, at: string): RegistryEntry {
  const n = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? registryGenesis(shard);
  const data = canonicalJson({ incidentId, at });
  return { shard, n, data, prevHash, hash: chainHash(prevHash, data) };
}

/** What one incident's part of a commit stored, as the ledger records it. */
export interface StoredChange {
  incident: Incident;
  incidentText: string;
  /** `replaced`: the SHA-256 of the finding record's bytes this commit wrote over, as read (LedgerBody `finding.replaced`). */
  finding?: { key: FindingKey; text: string; replaced?: string };
  timelineHead?: ChainHead;
  messages: { id: string; text: string }[];
  /** `IncidentChange.minimised`: the finding written is a minimised record. */
  minimised?: { from: string; by: string };
  /** The SHA-256 of the record bytes this commit replaced, as read (LedgerBody `incident.replaced`). */
  replaced?: string;
}

/**
 * The hash of the incident record an entry's stored text says was written (`incident.hash`); null
 * when the entry wrote no record (a sending) or does not parse (the audit reports that).
 */
export function recordHashIn(data: string): string | null {
  try {
    const body = JSON.parse(data) as { incident?: { hash?: unknown } } | null;
    return typeof body?.incident?.hash === 'string' ? body.incident.hash : null;
  } catch {
    return null;
  }
}

/**
 * The refusal of a commit that would replace an incident record whose stored bytes are not the ones
 * its ledger last recorded (review12 K1): someone edited the record behind the pipeline, and the
 * commit, which reads the record as stored and hashes what it writes, would vouch for the edit from
 * then on. No race: every try is refused alike until the record is looked at.
 */
export function recordNotLedgered(incidentId: string): StuckConflictError {
  return new StuckConflictError(
    incidentId,
    new ConflictError(
      `the stored record of incident ${incidentId} is not the one its ledger recorded last: it was changed behind the pipeline, and writing on it would vouch for the change; datalek verify ${incidentId} names it`,
    ),
  );
}

/**
 * The refusal of a commit that would write over a finding record whose stored bytes are not the
 * ones the ledger last recorded for it (B2, as `recordNotLedgered` for the incident's record): the
 * finding's evidence was edited behind the pipeline, and its next version, hashed alone, would leave
 * the ledger vouching for a store from which the edit was gone. `vouchingId`: the incident whose
 * ledger wrote the record last (another than the committing one after a merge or a follow-up).
 */
export function findingNotLedgered(incidentId: string, findingKey: string, vouchingId: string): StuckConflictError {
  return new StuckConflictError(
    incidentId,
    new ConflictError(
      `the stored record of finding ${findingKey} is not the one the ledger recorded last: it was changed behind the pipeline, and writing its next version over it would vouch for the change; datalek verify ${vouchingId} names it`,
    ),
  );
}

function findingWritten(finding: NonNullable<StoredChange['finding']>): NonNullable<LedgerBody['finding']> {
  const written = { key: findingKeyString(finding.key), hash: sha256(finding.text) };
  return finding.replaced === undefined ? written : Object.assign(written, { replaced: finding.replaced });
}

/** The ledger body of a commit: hashes of the bytes stored. */
export function commitBody(change: StoredChange, at: string): Omit<LedgerBody, 'incidentId' | 'seq'> {
  return {
    at,
    incident: change.replaced
      ? { revision: change.incident.revision, hash: sha256(change.incidentText), replaced: change.replaced }
      : { revision: change.incident.revision, hash: sha256(change.incidentText) },
    ...(change.finding ? { finding: findingWritten(change.finding) } : {}),
    ...(change.timelineHead ? { timeline: change.timelineHead } : {}),
    ...(change.messages.length ? { messages: change.messages.map((m) => ({ id: m.id, hash: sha256(m.text) })) } : {}),
    ...(change.minimised && change.finding ? { minimised: change.minimised } : {}),
  };
}

/**
 * The root of what a digest anchors: the previous digest's root, the registry heads and the
 * incident heads it adds, hashed together. A chain of digests is a chain of roots.
 */
export function anchorRoot(previousRoot: string | null, registry: ChainHead[], incidents: IncidentHead[]): string {
  return sha256(
    `${previousRoot ?? 'datalek-anchor-genesis'}\n${canonicalJson({
      registry: registry.map((h) => [h.seq, h.hash]),
      incidents: [...incidents].sort((a, b) => (a.incidentId < b.incidentId ? -1 : 1)).map((h) => [h.incidentId, h.seq, h.hash]),
    })}`,
  );
}
