/**
 * Digests: signed statements, kept outside the store, of what the store held when `datalek anchor`
 * ran (the heads of its registry and of the incident ledgers that changed since the digest before).
 * Each names the one before it, so a chain of digests is a chain of roots (core/ledger.ts).
 *
 * `verify --digests` proves that the store still holds every head any digest anchored: an incident
 * edited and rechained after a digest no longer has the anchored hash at the anchored position, an
 * incident deleted is missing, a registry rewritten to hide a deletion no longer matches. What a
 * digest cannot prove: changes made after the last digest (anchor often: the AWS anchor runs with
 * every sweep), and anything by someone who holds both the store and the signing key.
 */
import type { DigestAlgorithm, DigestSigner, DigestStore, DigestVerifier } from '../ports/digests.js';
import { DatalekError } from './errors.js';
import { canonicalJson, sha256 } from './hash.js';
import { anchorRoot, type ChainHead, type IncidentHead } from './ledger.js';

export const DIGEST_FORMAT = 'datalek-digest/1';

/**
 * The format of a digest whose list and pins are in a left-out set (`leftOutSet`). Releases before
 * it read only DIGEST_FORMAT, and, given such a digest under that format, took its signature and
 * checked nothing of what its set pins, silently (readB20): `verify --digests` passed over a history
 * rewritten while it was left out, and `datalek anchor` continued from it with every pin dropped.
 * Under this format, and signed under it (statement), they refuse it by name instead.
 */
export const DIGEST_FORMAT_WITH_SET = 'datalek-digest/2';

export type DigestFormat = typeof DIGEST_FORMAT | typeof DIGEST_FORMAT_WITH_SET;

/** A digest's format this release reads: either. */
export function isDigestFormat(format: unknown): format is DigestFormat {
  return format === DIGEST_FORMAT || format === DIGEST_FORMAT_WITH_SET;
}

export interface DigestBody {
  /** DIGEST_FORMAT_WITH_SET where it has a `leftOutSet`, DIGEST_FORMAT otherwise. */
  format: DigestFormat;
  sequence: number;
  /** SHA-256 of the previous digest's bytes; null for the first. */
  previous: string | null;
  at: string;
  /** Which store: `sqlite:/…` or `dynamodb:…`. */
  store: string;
  /** The registry heads, per shard: [entries, last hash]. */
  registry: [number, string][];
  /** The ledger heads anchored by this digest: [incident, entries, last hash]. */
  incidents: [string, number, string][];
  /** anchorRoot(previous digest's root, registry, incidents). */
  root: string;
  key: { id: string; algorithm: DigestAlgorithm };
  /**
   * Where the store keeps every anchored head (SQLite's `anchored` table): anchoredSetHash of that
   * set as this digest leaves it. The next anchor believes the store's "already anchored" only when
   * it still hashes to this. Absent from digests of stores that keep only pending marks (DynamoDB)
   * and from those written before it existed.
   */
  anchored?: string;
  /**
   * The registry shards that did not verify when this digest was written: their heads in `registry`
   * are the ones the digest before anchored (the genesis before any), carried on, not renewed. The
   * rest is signed all the same, so one shard tampered does not stop the anchoring of everything
   * else; this digest vouches for nothing of those shards beyond what the one before did. Absent
   * when every shard verified.
   */
  registryLeftOut?: number[];
  /**
   * The last incident the run read, where it stopped after as many incidents that do not verify as
   * one run reads (core/anchor.ts MAX_BROKEN_PER_RUN), or where the page of marks it read ended
   * with more marks past it (DynamoDB): the next run starts after it. Absent when
   * the run did not stop so (the next starts after the highest incident anchored).
   */
  turn?: string;
  /**
   * The incidents left out (they did not verify), each at its ledger head as the run read it
   * (SeenRow: its newest entry, the hash stored there and, where it differs, the hash its content
   * read folds to): seen, not vouched for. Signed beside the heads anchored, not
   * in the root. What an incident records while it is left out is pinned by it: a later digest
   * anchors that incident only when its ledger still holds this head (review14 K3: with nothing
   * pinning it, the tail written while an old entry was kept broken could be rewritten and the byte
   * put back, and the next digest signed the rewritten history). Carried on from digest to digest
   * until the incident is anchored again; a head read that does not extend the one seen before is
   * not taken, the older one stays. Absent when nothing is left out.
   */
  seen?: SeenRow[];
  /**
   * The same for the registry shards left out (`registryLeftOut`): each at its head as read
   * ([shard, entries, last hash, content read?]), seen, not vouched for; the shard is renewed only
   * when it still holds that entry.
   */
  registrySeen?: RegistrySeenRow[];
  /**
   * The incidents this digest left out (they did not verify), by id, every one (in digests written
   * before record19, at most as many as one run reads). The next run reads the first
   * MAX_BROKEN_PER_RUN of them (core/anchor.ts) whether or not the store marks it for the anchor, and
   * names the rest as left out and not read, so one leaves this list only by verifying and being
   * signed (review15 K3: one mark deleted on DynamoDB had the anchor stop reading it, and go quiet;
   * record19: a list bounded at that number was held by whoever kept that many broken), and one the
   * store no longer holds is named, by the anchor and by `verify --digests` (K1b). Absent when
   * nothing is left out, and from digests written before it was kept.
   */
  leftOut?: string[];
  /**
   * Where the run stopped reading the left-out list (`leftOut` of the digest before): the last
   * incident of it the run read, when the list held more than one run reads of it. The next run
   * reads on after it, wrapping around, so each incident listed is read within as many runs as the
   * list holds MAX_BROKEN_PER_RUN (record20: always the first of the list, in id order, had an
   * incident further down put right without a write, whose mark was gone on DynamoDB, stay listed
   * and unanchored until something wrote it, and whoever kept that many broken starved the rest).
   * Absent when the run read the whole list, and from digests written before it was kept.
   */
  leftOutTurn?: string;
  /**
   * Where more incidents are left out than a digest carries in its body (MAX_PINS_IN_BODY, in
   * `leftOut` or `seen`): both are in an object of their own beside the digests instead
   * (leftOutSetName(hash): its bytes' SHA-256, signed here, so the object is held to it), written
   * only when they change, and absent from this body; `incidents` and `seen` count its rows. Each
   * incident an attacker keeps broken otherwise grew every digest by a row or two, and verify
   * --digests, which holds every digest, failed first (record20). Absent while they fit in the body,
   * and from digests written before it was kept.
   */
  leftOutSet?: LeftOutSetRef;
  /**
   * Where the digests' location keeps an index of the heads anchored (an S3 bucket) and the store
   * keeps no anchored set (DynamoDB): every head digests 1 to this number anchored is indexed
   * (this digest's own, once it is written). Below this digest's number while older digests,
   * written before the index was kept, are still being indexed, a bounded batch a run. Absent
   * where no index is kept.
   */
  indexed?: number;
  /**
   * The pinned heads a person gave up (`datalek anchor --release ID --by NAME --why TEXT`), one row
   * per incident released: the head the digests anchored (`anchored`) and the head seen while it was
   * left out (`seen`), each only where the store no longer holds it; the head its ledger holds now,
   * whose own chain verified (`taken`); who, why and when. Signed like the rest: only whoever holds the
   * signing key can release, never whoever can write the store. The person's word, in the record:
   * `verify --digests` shows each release and no longer names the heads given up as rewritten. Absent
   * when nothing was released.
   */
  released?: ReleasedRow[];
  /**
   * The same for registry shards (`datalek anchor --release-shard N --by NAME --why TEXT`): one row
   * per shard released from the head the digests carried for it (`anchored`) and the head seen while
   * it was left out (`seen`), each only where the store no longer holds it; the shard's head now,
   * whose own chain verified (`taken`, anchored in this digest's `registry`); who, why and when.
   * Absent when no shard was released.
   */
  registryReleased?: RegistryReleasedRow[];
}

/** A digest's reference to its left-out set (`leftOutSet`): the object's hash and how many rows it holds. */
export interface LeftOutSetRef {
  hash: string;
  incidents: number;
  seen: number;
}

/**
 * The most incidents a digest lists in its body as left out (`leftOut`), and the most pinned heads
 * it carries there (`seen`): as many as a run reads of them (core/anchor.ts MAX_BROKEN_PER_RUN).
 * Past either, both go into the left-out set (`leftOutSet`).
 */
export const MAX_PINS_IN_BODY = 100;

export const LEFT_OUT_SET_FORMAT = 'datalek-left-out/1';

/** A left-out set's object name beside the digests (never listed as a digest: core reads digests by `digest-N.json`). */
export function leftOutSetName(hash: string): string {
  return `left-out-${hash}.json`;
}

/**
 * A pinned head: [incident, entry, its stored hash, content read?]. The fourth is the hash folded
 * from the anchored head (or the genesis) over the stored texts of the entries past it, when it is
 * not the stored hash (review15 K1: a hash column flipped). The chain is taken to hold the pin when
 * it holds either: the entries as their hashes said, or as their texts were read.
 */
export type SeenRow = [string, number, string] | [string, number, string, string];
export type RegistrySeenRow = [number, number, string] | [number, number, string, string];

/** A pinned head as the anchor keeps it: `read` when the content read folds to another hash than the one stored. */
export interface SeenHead extends IncidentHead {
  read?: string;
}

/** A person's release of a chain's pinned heads, as a digest signs it: what was given up and taken on, who, why and when. */
interface PinsReleased {
  /** The head the digests anchored (for a shard: carried) that the store no longer holds: [entries, last hash]. */
  anchored?: [number, string];
  /** The head a digest saw while the chain was left out that the store no longer holds. */
  seen?: [number, string];
  /** The chain's head now, anchored from this digest on (a shard: renewed in its `registry`). */
  taken: [number, string];
  by: string;
  why: string;
  at: string;
}

/** One incident released from its pinned heads by a person (a digest's `released`). */
export interface ReleasedRow extends PinsReleased {
  incident: string;
}

/** One registry shard released from its pinned heads by a person (a digest's `registryReleased`). */
export interface RegistryReleasedRow extends PinsReleased {
  shard: number;
}

export interface Digest extends DigestBody {
  /** Base64 signature of `statement(body)`. */
  signature: string;
}

export class DigestError extends DatalekError {}

/**
 * What is signed: the digest's format and the SHA-256 of the canonical body (short enough for KMS).
 * A release before DIGEST_FORMAT_WITH_SET checks every signature under DIGEST_FORMAT, so a digest
 * with a left-out set does not verify there: its anchor refuses to continue from it.
 */
export function statement(body: DigestBody): Buffer {
  return Buffer.from(`${body.format}\n${sha256(canonicalJson(body))}`, 'utf8');
}

export function digestName(sequence: number): string {
  return `digest-${String(sequence).padStart(10, '0')}.json`;
}

export async function signDigest(body: DigestBody, signer: DigestSigner): Promise<{ digest: Digest; bytes: Buffer }> {
  const signature = (await signer.sign(statement(body))).toString('base64');
  const digest = { ...body, signature };
  return { digest, bytes: Buffer.from(digestText(digest), 'utf8') };
}

/** A digest as a file: one field per line, one anchored head per line. */
function digestText(digest: Digest): string {
  const fields = Object.entries(digest).map(([k, v]) => {
    const value = Array.isArray(v) && v.length ? `[\n    ${v.map((x) => JSON.stringify(x)).join(',\n    ')}\n  ]` : JSON.stringify(v);
    return `  ${JSON.stringify(k)}: ${value}`;
  });
  return `{\n${fields.join(',\n')}\n}\n`;
}

/** The hash of a set of anchored heads, in incident order (a digest's `anchored`). */
export function anchoredSetHash(heads: IncidentHead[]): string {
  const rows = [...heads].sort((a, b) => (a.incidentId < b.incidentId ? -1 : a.incidentId > b.incidentId ? 1 : 0)).map((h) => [h.incidentId, h.seq, h.hash]);
  return sha256(canonicalJson(rows));
}

/** Merges heads into an anchored set, as recording them does (each incident's row replaced). */
export function withHeads(set: IncidentHead[], heads: IncidentHead[]): IncidentHead[] {
  const byId = new Map(set.map((h) => [h.incidentId, h]));
  for (const h of heads) byId.set(h.incidentId, h);
  return [...byId.values()];
}

export function buildDigestBody(input: {
  sequence: number;
  previous: { hash: string; root: string } | null;
  at: string;
  store: string;
  registry: ChainHead[];
  incidents: IncidentHead[];
  signer: Pick<DigestSigner, 'keyId' | 'algorithm'>;
  anchored?: string;
  registryLeftOut?: number[];
  turn?: string;
  seen?: SeenHead[];
  registrySeen?: RegistrySeenRow[];
  released?: ReleasedRow[];
  registryReleased?: RegistryReleasedRow[];
  leftOut?: string[];
  leftOutTurn?: string;
  leftOutSet?: LeftOutSetRef;
  indexed?: number;
}): DigestBody {
  return {
    format: input.leftOutSet ? DIGEST_FORMAT_WITH_SET : DIGEST_FORMAT,
    sequence: input.sequence,
    previous: input.previous?.hash ?? null,
    at: input.at,
    store: input.store,
    registry: input.registry.map((h) => [h.seq, h.hash]),
    incidents: headRows(input.incidents),
    root: anchorRoot(input.previous?.root ?? null, input.registry, input.incidents),
    key: { id: input.signer.keyId, algorithm: input.signer.algorithm },
    ...(input.anchored === undefined ? {} : { anchored: input.anchored }),
    ...(input.registryLeftOut?.length ? { registryLeftOut: input.registryLeftOut } : {}),
    ...(input.turn === undefined ? {} : { turn: input.turn }),
    ...(input.seen?.length && !input.leftOutSet ? { seen: seenRows(input.seen) } : {}),
    ...(input.registrySeen?.length ? { registrySeen: input.registrySeen } : {}),
    ...(input.released?.length ? { released: input.released } : {}),
    ...(input.registryReleased?.length ? { registryReleased: input.registryReleased } : {}),
    ...(input.leftOut?.length && !input.leftOutSet ? { leftOut: input.leftOut } : {}),
    ...(input.leftOutTurn === undefined ? {} : { leftOutTurn: input.leftOutTurn }),
    ...(input.leftOutSet ? { leftOutSet: input.leftOutSet } : {}),
    ...(input.indexed === undefined ? {} : { indexed: input.indexed }),
  };
}

/**
 * What a digest pins of what it left out, as its run would write it: in its body while each list fits
 * (MAX_PINS_IN_BODY), else as a left-out set, its bytes to write beside the digest and its reference.
 */
export function pinsToWrite(leftOut: string[], seen: SeenHead[]): { leftOut: string[]; seen: SeenHead[] } | { set: { bytes: Buffer; ref: LeftOutSetRef } } {
  if (leftOut.length <= MAX_PINS_IN_BODY && seen.length <= MAX_PINS_IN_BODY) return { leftOut, seen };
  const rows = seenRows(seen);
  const text = `{\n  "format": ${JSON.stringify(LEFT_OUT_SET_FORMAT)},\n  "leftOut": [${leftOut.map((id) => `\n    ${JSON.stringify(id)}`).join(',')}\n  ],\n  "seen": [${rows.map((r) => `\n    ${JSON.stringify(r)}`).join(',')}\n  ]\n}\n`;
  return { set: { bytes: Buffer.from(text, 'utf8'), ref: { hash: sha256(text), incidents: leftOut.length, seen: rows.length } } };
}

/** What a digest pins of what it left out: `leftOut` undefined in digests written before the list was kept. */
export interface Pins {
  leftOut?: string[];
  seen: SeenRow[];
}

/** A digest's pins, read (from its body, or its left-out set): or why they cannot be. */
export type PinsOf = (digest: Digest & { name: string }) => Promise<Pins & { problem?: string }>;

/** The pins a digest carries in its body; one with a left-out set is named as not read (pinsReader reads it). */
export const pinsInBody: PinsOf = async (d) =>
  d.leftOutSet
    ? { seen: [], problem: `its left-out set ${leftOutSetName(d.leftOutSet.hash)} is not read here: what it pinned is not checked` }
    : { leftOut: d.leftOut, seen: d.seen ?? [] };

/**
 * A digest's pins, its left-out set read from `store` where it has one and held to the hash the
 * digest signs (a set missing, damaged or written over is `problem`, and pins nothing). The last set
 * read is kept, so reading digests in order reads each set once while it does not change, and no
 * more than one is held.
 */
export function pinsReader(store: DigestStore): PinsOf {
  let last: { hash: string; pins: Pins } | undefined;
  return async (d) => {
    const ref = d.leftOutSet;
    if (!ref) return { leftOut: d.leftOut, seen: d.seen ?? [] };
    if (last?.hash === ref.hash) return last.pins;
    const name = leftOutSetName(ref.hash);
    let text: string;
    try {
      text = (await store.read(name)).toString('utf8');
    } catch (err) {
      return {
        seen: [],
        problem: `its left-out set ${name} cannot be read from ${store.describe()} (${(err as Error).message}): what it pinned of the incidents it left out is not checked`,
      };
    }
    const set = sha256(text) === ref.hash ? parseSet(text) : null;
    if (!set || set.leftOut.length !== ref.incidents || set.seen.length !== ref.seen)
      return {
        seen: [],
        problem: `its left-out set ${name} is not the one it signs (damaged or written over): what it pinned of the incidents it left out is not checked`,
      };
    last = { hash: ref.hash, pins: set };
    return set;
  };
}

function parseSet(text: string): { leftOut: string[]; seen: SeenRow[] } | null {
  try {
    const set = JSON.parse(text) as { format?: unknown; leftOut?: unknown; seen?: unknown };
    if (set.format !== LEFT_OUT_SET_FORMAT || !Array.isArray(set.leftOut) || !Array.isArray(set.seen)) return null;
    return { leftOut: set.leftOut as string[], seen: set.seen as SeenRow[] };
  } catch {
    return null;
  }
}

/** Pinned heads as a digest lists them, in incident order: the content read only where it is not the hash stored. */
function seenRows(heads: SeenHead[]): SeenRow[] {
  return [...heads]
    .sort((a, b) => (a.incidentId < b.incidentId ? -1 : 1))
    .map((h) => (h.read === undefined ? [h.incidentId, h.seq, h.hash] : [h.incidentId, h.seq, h.hash, h.read]));
}

/** Heads as a digest lists them: [incident, entries, last hash], in incident order. */
function headRows(heads: IncidentHead[]): [string, number, string][] {
  return [...heads].sort((a, b) => (a.incidentId < b.incidentId ? -1 : 1)).map((h) => [h.incidentId, h.seq, h.hash]);
}

/** A problem with the digests themselves, or with the store against them. */
export interface DigestProblem {
  digest: string;
  incidentId?: string;
  problem: string;
}

/**
 * The digests, read one at a time in order and checked (signature, chain, root), each yielded and
 * then let go: their problems go to `problems` as they are found. Nothing holds every digest
 * (record20: verify --digests held them all, and a long chain failed it before anything else did).
 * `versionsReported: false`: a name written over or hidden by a delete marker is not reported (its
 * first, locked version is read and checked all the same).
 */
export async function* readDigests(
  store: DigestStore,
  verifier: DigestVerifier,
  problems: DigestProblem[],
  options: { versionsReported?: boolean } = {},
): AsyncGenerator<LoadedDigest> {
  let previous: Pick<LoadedDigest, 'sequence' | 'bytesHash' | 'root'> | null = null;
  for (const { name, versionId } of await digestsToRead(store, options.versionsReported === false ? [] : problems)) {
    const d = await readOne(store, verifier, name, versionId, problems);
    if (!d) continue;
    if (previous === null) {
      if (d.sequence !== 1)
        problems.push({ digest: d.name, problem: `the first digest present is number ${d.sequence}: digests 1 to ${d.sequence - 1} are missing` });
    } else {
      if (d.sequence !== previous.sequence + 1) {
        problems.push({ digest: d.name, problem: `follows digest ${previous.sequence}: digests ${previous.sequence + 1} to ${d.sequence - 1} are missing` });
      }
      if (d.previous !== previous.bytesHash) problems.push({ digest: d.name, problem: `does not name digest ${previous.sequence} as the one before it` });
    }
    const registry = d.registry.map(([seq, hash]) => ({ seq, hash }));
    const incidents = d.incidents.map(([incidentId, seq, hash]) => ({ incidentId, seq, hash }));
    if (anchorRoot(previous?.root ?? null, registry, incidents) !== d.root)
      problems.push({ digest: d.name, problem: 'its root does not follow from its contents and the digest before it' });
    previous = { sequence: d.sequence, bytesHash: d.bytesHash, root: d.root };
    yield d;
  }
}

/** One digest read and its signature checked with the trusted key; null (a problem named) when it is not a signed digest of that key. */
async function readOne(
  store: DigestStore,
  verifier: DigestVerifier,
  name: string,
  versionId: string | undefined,
  problems: DigestProblem[],
): Promise<LoadedDigest | null> {
  const bytes = await store.read(name, versionId);
  let digest: Digest;
  try {
    digest = JSON.parse(bytes.toString('utf8')) as Digest;
  } catch {
    problems.push({ digest: name, problem: 'is not valid JSON: the digest was damaged' });
    return null;
  }
  const { signature, ...body } = digest;
  if (!isDigestFormat(body.format) || typeof signature !== 'string') {
    problems.push({ digest: name, problem: `is not a ${DIGEST_FORMAT} or ${DIGEST_FORMAT_WITH_SET} digest` });
    return null;
  }
  if (body.key?.id !== verifier.keyId) {
    problems.push({ digest: name, problem: `is signed by key ${body.key?.id}, not by the trusted key ${verifier.keyId}` });
    return null;
  }
  let valid = false;
  try {
    valid = verifier.verify(statement(body as DigestBody), Buffer.from(signature, 'base64'), body.key.algorithm);
  } catch {
    valid = false;
  }
  if (!valid) {
    problems.push({ digest: name, problem: 'its signature does not verify with the trusted key: the digest was forged or altered' });
    return null;
  }
  return { ...digest, name, bytesHash: sha256(bytes.toString('utf8')) };
}

/** A digest as read: its name and the SHA-256 of its bytes (what the next digest and the store's anchor state name). */
export type LoadedDigest = Digest & { name: string; bytesHash: string };

/**
 * Which digests to read. Where the location keeps versions, the first version of each name (the
 * one written with If-None-Match, kept by Object Lock) is read, and a name holding more than one
 * version (a digest written over) or hidden by a delete marker is reported: reading the latest
 * would let whoever wrote over a digest decide what verify compares with.
 */
async function digestsToRead(store: DigestStore, problems: DigestProblem[]): Promise<{ name: string; versionId?: string }[]> {
  if (!store.versions) return (await store.list()).sort().map((name) => ({ name }));
  const versions = (await store.versions()).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const v of versions) {
    if (v.versionIds.length > 1)
      problems.push({
        digest: v.name,
        problem: `has ${v.versionIds.length} versions: a digest is written once, so it was written over (the first version is the one checked)`,
      });
    if (v.deleted) problems.push({ digest: v.name, problem: 'is hidden by a delete marker: the digest was deleted (its locked version is the one checked)' });
  }
  return versions.map((v) => ({ name: v.name, versionId: v.versionIds[0] }));
}

/** What the store holds now, as the comparison needs it. */
export interface StoreChains {
  /** The hash of ledger entry `seq` of an incident; undefined when the incident or entry is missing. */
  ledgerHash(incidentId: string, seq: number): string | undefined;
  hasIncident(incidentId: string): boolean;
  /** The hash of registry entry `n` of a shard (n = 0: the shard's genesis). */
  registryHash(shard: number, n: number): string | undefined;
}

/** A release as `verify --digests` shows it: the row and the digest that signs it. */
export type ReleaseShown = ReleasedRow & { digest: string; sequence: number };

/** A registry shard's release as `verify --digests` shows it: the row and the digest that signs it. */
export type RegistryReleaseShown = RegistryReleasedRow & { digest: string; sequence: number };

/** Two heads ([entries, hash]) the same. */
const sameHead = (a: [number, string] | undefined, b: [number, string] | undefined) => a?.[0] === b?.[0] && a?.[1] === b?.[1];

/** A digest as the comparison keeps it of the one before: what a release in the next is held to. */
type Before = { digest: Digest & { name: string }; pins: Pins };

/**
 * The store against every digest, one digest at a time (`add`, in order; `problems` at the end):
 * each anchored registry head and ledger head must still be in it, at its position, with its hash,
 * and each head pinned while left out too. Only incidents in `only` are checked when it is given. A
 * head a later digest's release gave up is not named (the release is shown instead), so the problems
 * of a head wait, by digest number, until every digest is read; each release is held to what it gave
 * up and took on. It keeps the digest before the one added and what each incident's newest head is,
 * never every digest (record20).
 */
export class DigestComparison {
  /** Every release the digests sign, in order. */
  readonly releases: ReleaseShown[] = [];
  /** Every release of a registry shard the digests sign, in order. */
  readonly registryReleases: RegistryReleaseShown[] = [];
  private readonly ofReleases: DigestProblem[] = [];
  private readonly ofShardReleases: DigestProblem[] = [];
  /** A head's problem, named unless a later digest's release gives up that incident's (or shard's) heads. */
  private readonly ofHeads: { problem: DigestProblem; sequence: number; shard?: number }[] = [];
  private readonly ofPins: DigestProblem[] = [];
  /** Each incident's newest head the digests anchored (or a release took on): what a release gives up as anchored. */
  private readonly anchored = new Map<string, [number, string]>();
  /** An incident a digest left out, and the last digest that left it out (review15 K1b). */
  private readonly leftBy = new Map<string, Pick<Digest, 'sequence' | 'at'> & { name: string }>();
  private before: Before | undefined;

  constructor(
    private readonly store: StoreChains,
    private readonly only: Set<string> | undefined,
    private readonly pins: PinsOf,
  ) {}

  async add(d: Digest & { name: string }): Promise<void> {
    const pinned = await this.pins(d);
    this.releasesOf(d);
    if (!this.only) this.shardReleasesOf(d);
    this.headsOf(d, pinned);
    this.before = { digest: d, pins: pinned };
  }

  /** What the digests added say of the store: the releases' own problems first, then the heads' (but those a later release gave up), then the pins'. */
  problems(): DigestProblem[] {
    const releasedAfter = (incidentId: string, sequence: number) => this.releases.some((r) => r.incident === incidentId && r.sequence > sequence);
    const shardReleasedAfter = (shard: number, sequence: number) => this.registryReleases.some((r) => r.shard === shard && r.sequence > sequence);
    const heads = this.ofHeads
      .filter(({ problem, sequence, shard }) =>
        shard !== undefined ? !shardReleasedAfter(shard, sequence) : !(problem.incidentId && releasedAfter(problem.incidentId, sequence)),
      )
      .map(({ problem }) => problem);
    // An incident a digest left out that the store no longer holds: named by the last digest that left it out (review15 K1b).
    const deleted: DigestProblem[] = [];
    for (const [incidentId, d] of this.leftBy)
      if (!this.store.hasIncident(incidentId))
        deleted.push({
          digest: d.name,
          incidentId,
          problem: `was left out by digest ${d.sequence} (${d.at}) because it did not verify, and the store no longer holds it: the incident was deleted while it was left out`,
        });
    return [...this.ofReleases, ...this.ofShardReleases, ...heads, ...this.ofPins, ...deleted];
  }

  /**
   * Each release held to the digests before it and to the store: the heads it gave up must be the ones
   * those digests pinned (the newest head anchored for the incident, the head the digest just before
   * saw while it was left out), and the store must hold the head it took on. A release that names
   * another head than was pinned did not give up what the anchor held the incident to.
   */
  private releasesOf(d: Digest & { name: string }): void {
    const { store, only, anchored } = this;
    for (const r of d.released ?? []) {
      this.releases.push({ ...r, digest: d.name, sequence: d.sequence });
      if (only && !only.has(r.incident)) continue;
      const seen = this.before?.pins.seen.find(([id]) => id === r.incident);
      const pinnedSeen: [number, string] | undefined = seen ? [seen[1], seen[2]] : undefined;
      const fail = (problem: string) => this.ofReleases.push({ digest: d.name, incidentId: r.incident, problem });
      if (r.anchored && !sameHead(r.anchored, anchored.get(r.incident)))
        fail(
          `its release by ${r.by} gives up ledger entry ${r.anchored[0]} as anchored, which is not the head the digests before it anchored for the incident: the release does not name what was pinned`,
        );
      if (r.seen && !sameHead(r.seen, pinnedSeen))
        fail(
          `its release by ${r.by} gives up ledger entry ${r.seen[0]} as seen, which is not the head the digest before it saw while the incident was left out: the release does not name what was pinned`,
        );
      if (!r.anchored && !r.seen) fail(`its release by ${r.by} gives up no pinned head: it releases nothing`);
      if (!store.hasIncident(r.incident) || store.ledgerHash(r.incident, r.taken[0]) !== r.taken[1])
        fail(
          `ledger entry ${r.taken[0]}, the head its release by ${r.by} took on, ${store.hasIncident(r.incident) ? 'is missing or differs' : 'is missing: the incident was deleted'}: the record was rewritten after the release`,
        );
      anchored.set(r.incident, r.taken);
    }
    for (const [id, seq, hash] of d.incidents) anchored.set(id, [seq, hash]);
  }

  /**
   * Each shard's release held to the digest before it and to the store: the heads it gave up must be
   * the ones that digest pinned (the head it carried for the shard in `registry`, the head it saw
   * while the shard was left out), the digest must renew the shard at the head taken on, and the
   * store must hold that head.
   */
  private shardReleasesOf(d: Digest & { name: string }): void {
    const before = this.before?.digest;
    for (const r of d.registryReleased ?? []) {
      this.registryReleases.push({ ...r, digest: d.name, sequence: d.sequence });
      const what = `its release of registry shard ${r.shard} by ${r.by}`;
      const carried = before?.registry[r.shard];
      const seen = before?.registrySeen?.find(([shard]) => shard === r.shard);
      const fail = (problem: string) => this.ofShardReleases.push({ digest: d.name, problem: `${what} ${problem}` });
      if (r.anchored && !sameHead(r.anchored, carried))
        fail(`gives up entry ${r.anchored[0]} as anchored, which is not the head the digest before it carried: the release does not name what was pinned`);
      if (r.seen && !sameHead(r.seen, seen ? [seen[1], seen[2]] : undefined))
        fail(
          `gives up entry ${r.seen[0]} as seen, which is not the head the digest before it saw while the shard was left out: the release does not name what was pinned`,
        );
      if (!r.anchored && !r.seen) fail('gives up no pinned head: it releases nothing');
      if (!sameHead(d.registry[r.shard], r.taken) || d.registryLeftOut?.includes(r.shard))
        fail(`takes on entry ${r.taken[0]}, which the digest does not renew the shard at: the release is not what it anchored`);
      if (this.store.registryHash(r.shard, r.taken[0]) !== r.taken[1])
        fail(`took on entry ${r.taken[0]}, which the store no longer holds as it was: the registry was rewritten after the release`);
    }
  }

  /** The digest's own heads, anchored and pinned, against the store. */
  private headsOf(d: Digest & { name: string }, pinned: Pins & { problem?: string }): void {
    const { store, only } = this;
    const when = `digest ${d.sequence} (${d.at})`;
    const name = (problem: DigestProblem, shard?: number) => this.ofHeads.push({ problem, sequence: d.sequence, ...(shard === undefined ? {} : { shard }) });
    if (!only) {
      for (const [shard, [n, hash]] of d.registry.entries()) {
        // A shard the digest carried on without renewing it: the digest that anchored that head is checked for it.
        if (d.registryLeftOut?.includes(shard)) continue;
        if (store.registryHash(shard, n) !== hash)
          name(
            {
              digest: d.name,
              problem: `registry shard ${shard} no longer holds entry ${n} as ${when} anchored it: the registry was rewritten (an incident deleted and the chain recomputed?)`,
            },
            shard,
          );
      }
      for (const [shard, n, hash, read] of d.registrySeen ?? [])
        if (!pinHeld(store.registryHash(shard, n), hash, read))
          name(
            {
              digest: d.name,
              problem: `registry shard ${shard} no longer holds entry ${n} as ${when} saw it while the shard did not verify (seen, not vouched for): the registry was rewritten while it was left out`,
            },
            shard,
          );
    }
    for (const [incidentId, seq, hash] of d.incidents) {
      if (only && !only.has(incidentId)) continue;
      if (!store.hasIncident(incidentId)) {
        name({ digest: d.name, incidentId, problem: `is missing from the store, but ${when} anchored it at ledger entry ${seq}: the incident was deleted` });
        continue;
      }
      const stored = store.ledgerHash(incidentId, seq);
      if (stored !== hash)
        name({
          digest: d.name,
          incidentId,
          problem: `ledger entry ${seq} ${stored === undefined ? 'is missing' : 'differs'} from ${when}: the record was rewritten after it was anchored (every hash recomputed, or entries removed)`,
        });
    }
    // Its pins, one digest's at a time (a left-out set is read from beside the digests: record20).
    if (pinned.problem) this.ofPins.push({ digest: d.name, problem: pinned.problem });
    for (const id of pinned.leftOut ?? []) if (!only || only.has(id)) this.leftBy.set(id, { name: d.name, sequence: d.sequence, at: d.at });
    for (const [incidentId, seq, hash, read] of pinned.seen) {
      if (only && !only.has(incidentId)) continue;
      const stored = store.hasIncident(incidentId) ? store.ledgerHash(incidentId, seq) : undefined;
      if (!pinHeld(stored, hash, read))
        name({
          digest: d.name,
          incidentId,
          problem: `ledger entry ${seq} ${stored === undefined ? 'is missing' : 'differs'} from what ${when} saw while the incident did not verify (seen, not vouched for): its history was rewritten while it was left out`,
        });
    }
  }
}

/** The store against digests already in hand (DigestComparison over them). */
export async function compareWithDigests(
  digests: (Digest & { name: string })[],
  store: StoreChains,
  only?: Set<string>,
  pins: PinsOf = pinsInBody,
): Promise<DigestProblem[]> {
  const comparison = new DigestComparison(store, only, pins);
  for (const d of digests) await comparison.add(d);
  return comparison.problems();
}

/**
 * Whether the stored hash at a pinned position is the pin's: the hash stored when it was seen, or
 * the content read then (`read`), which the chain holds once its hashes are recomputed or put back.
 * (The stored text itself is checked by the audit: a hash that does not recompute does not verify.)
 */
function pinHeld(stored: string | undefined, hash: string, read: string | undefined): boolean {
  return stored !== undefined && (stored === hash || stored === read);
}
