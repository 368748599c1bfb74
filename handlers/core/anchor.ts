/**
 * Use case: anchor the store (`datalek anchor`, and on AWS with every sweep): write a signed digest
 * of its root, outside the store, so that a later rewrite of what it held now is caught by
 * `verify --digests` (core/digest.ts).
 *
 * Primary course:
 * 1. Read where anchoring stands (the last digest, read and checked against the store's record of
 *    it) and look for digests written after it (one listing). One there that the store does not
 *    know of is either the anchor's own, written by a run that died before recording it (it
 *    continues the last digest and anchors nothing the store does not hold: adopted, and anchoring
 *    goes on after it), or the sign that the store went back behind its digests (a rollback,
 *    refused by name: RolledBackError).
 * 2. Read the incidents that moved since and the registry. The store's bookkeeping only says which
 *    incidents to look at: each head signed is the ledger's own. Where the store keeps every
 *    anchored head (SQLite), that set is believed only while it hashes to what the last digest
 *    says it left (`anchored`): otherwise (a row planted to keep history out of the digests, or
 *    removed to have the anchor forget what a digest anchored) every incident is read and held to
 *    the heads the signed digests anchored, read from them, the store's record is put back to
 *    them, and the mismatch reported.
 * 3. Audit what is about to be anchored: the registry, and each incident that moved. What does not
 *    verify is not anchored: signing it would bless the tampering. What does not audit is read
 *    again first (readAgainWhileProblems): a write in flight between two reads is no tampering.
 *    Nor one behind what the last digest anchored: a registry entry, or an incident's ledger entry
 *    at the head anchored before, that is gone or differs is a rollback. An incident that does not
 *    verify is left out of the digest, named, and stays marked (its head not recorded as anchored),
 *    so it is anchored once it verifies again, audited whole as every head is; the others are
 *    signed (review13 K3): withholding the whole digest let one loud tamper, for as long as its
 *    repair took, leave every other incident's new history anchored by nothing and rewritable. A
 *    registry shard that does not verify is carried on as the last digest anchored it, and the
 *    digest marks it as not renewed (`registryLeftOut`): its heads are in every digest, and
 *    withholding the digest for it let one registry item tampered stop all anchoring (the
 *    incidents' own proof too) until a person mended it. What is left out is pinned, not vouched
 *    for: the digest carries its head (`seen`, `registrySeen`) on until it verifies, and it
 *    is anchored again only while it holds that head (review14 K3: otherwise the history written
 *    while an old entry was kept broken could be rewritten, the byte put back, and signed). The
 *    head pinned is the newest entry as read (readHead): the hash its texts fold to beside the one
 *    stored, held to either, so a hash column flipped neither moves the pin below what was read
 *    (review15 K1: that entry, or a new incident whole, was then rewritable or deletable unnamed)
 *    nor keeps it out once put back (readB16 B1). A digest also lists what it left out
 *    (`leftOut`), and the next run reads each of those, marked or not (review15 K3).
 * 4. Build, sign and write the digest, never over an existing one; then record the heads as anchored.
 *
 * A person's release (`datalek anchor --release ID --by NAME --why TEXT`, a run with the signing
 * key; never the scheduled run, and never read from the store): the incident named is read first,
 * held to its own chain alone (refused, naming the break, when that does not verify, and refused
 * when it still holds every head pinned), its pinned heads that the store no longer holds are given
 * up in a signed `released` row, and it is anchored at its ledger head. A record put back from a copy
 * that lacks what a digest anchored or saw otherwise stayed left out, failing every run, for good.
 *
 * The claims on resources (which incident a finding on a resource joins) are in no ledger, so no
 * digest anchors them and signing does not bless them: `resourceClaimProblems` checks them as
 * `verify` does, and `datalek anchor` reports them beside the digest it writes. It does not refuse:
 * no datalek command removes a planted claim, and a refusal would let one claim stop the anchoring
 * of everything recorded after it, the window a rewrite needs. (The scheduled anchor on AWS does
 * not read them: they take a scan of the whole table, which no function of the stack may do;
 * `datalek verify --target aws` checks them.)
 */
import type { AnchorMark, AnchorState, AuditSource } from '../ports/audit-source.js';
import type { DigestSigner, DigestStore } from '../ports/digests.js';
import {
  type AuditProblem,
  auditIncident,
  auditRegistry,
  auditResourceClaims,
  describeProblem,
  type RawIncident,
  type RegistryRows,
  readAgainWhileProblems,
  registryHeads,
} from './audit.js';
import {
  anchoredSetHash,
  buildDigestBody,
  DIGEST_FORMAT,
  DIGEST_FORMAT_WITH_SET,
  type Digest,
  type DigestBody,
  DigestError,
  type DigestProblem,
  digestName,
  isDigestFormat,
  type LeftOutSetRef,
  type LoadedDigest,
  leftOutSetName,
  pinsReader,
  pinsToWrite,
  type RegistryReleasedRow,
  type RegistrySeenRow,
  type ReleasedRow,
  readDigests,
  type SeenHead,
  signDigest,
  statement,
  withHeads,
} from './digest.js';
import { sha256 } from './hash.js';
import { pseudonymKeyOfRecord, toldOutside } from './incident-pseudonyms.js';
import { anchorRoot, type ChainHead, chainHash, type IncidentHead, ledgerGenesis, registryGenesis, registryShardOf } from './ledger.js';

export interface AnchorResult {
  /** The digest written, or null when nothing changed that verifies. */
  written: (Digest & { name: string; location: string }) | null;
  /**
   * What does not verify. The incidents they name are left out of any digest written (`leftOut`),
   * the registry shards they name are not renewed in it (`registryLeftOut`). Either way the run has failed.
   */
  problems: AuditProblem[];
  /** The incidents that moved but do not verify: in no digest, still marked for the next run. */
  leftOut: string[];
  /**
   * The registry shards that do not verify: the digest written carries each as the last digest
   * anchored it, marked as not renewed (`registryLeftOut`), and signs the rest.
   */
  registryLeftOut: number[];
  unchanged: boolean;
  /** A digest found written but not recorded in the store (a run that died between the two), taken as written. */
  adopted: { sequence: number; name: string }[];
  /** The store's record of the heads already anchored did not match the last digest: every head was anchored again. */
  bookkeeping: string | null;
  /**
   * Incidents that moved beyond the heads one run takes (maxHeads), or not checked (stoppedOnBroken),
   * or whose marks the run did not reach (beyond the page it reads where marks can pile up): left marked for the next run.
   */
  remaining: number;
  /** The marks not reached were counted only so far: `remaining` is a lower bound. */
  remainingAtLeast: boolean;
  /**
   * The run stopped after maxBroken incidents that do not verify, with `remaining` not checked: the
   * digest written says where the next run goes on (`turn`).
   */
  stoppedOnBroken: boolean;
  /** The incidents a person released from their pinned heads in the digest written (its `released`). */
  released: ReleasedRow[];
  /**
   * Marks read that name no incident at all (DynamoDB: no record, ledger, timeline or message, no
   * registry entry, no head a digest anchored or saw): the pipeline never writes one, so each was
   * planted by whoever can write the table, or left by an incident deleted with its registry entry
   * before any digest anchored it; and stray marks (kept under another shard than their incident's,
   * where the pipeline never writes one), once the run read their incident. Cleared by this run, so
   * that they are not read again every run, for good.
   */
  unfoundedMarks: string[];
  /** The registry shards a person released in the digest written (its `registryReleased`). */
  registryReleased: RegistryReleasedRow[];
  /**
   * The incidents and registry shards the last digest before this run released (a person's
   * `anchor --release` or `--release-shard`): the scheduled run after a release names them in its
   * log, so the release is in the pipeline's logs too. Null when it released none.
   */
  releasedBefore: { sequence: number; incidents: string[]; shards: number[] } | null;
}

/**
 * The most ledger heads one run reads, audits, signs and marks: on AWS a run has two minutes (a
 * Query and a DeleteItem each), and a run that died after writing its digest leaves the next to
 * read every head of it again. After a storm the rest follow, 5 minutes apart. Incidents that do
 * not verify are read on top of these (review13 E1), at most MAX_BROKEN_PER_RUN of them: each run
 * reads them again and fails naming them.
 */
export const MAX_HEADS_PER_RUN = 500;

/**
 * The most incidents that do not verify one run reads before it stops: each is read on top of the
 * heads taken, and the whole reading again up to AUDIT_READS times, so thousands kept broken pushed
 * the run past its two minutes, loud but proving nothing new. The run signs what verified, names how
 * many it did not check, and the next run goes on after the last one it read (the digest's `turn`).
 * Of the incidents the last digest listed as left out, too, a run reads this many (in id order
 * after the last one the run before read of them, `leftOutTurn`, wrapping around) and names the
 * rest without reading them: the list itself is not bounded (record19).
 */
export const MAX_BROKEN_PER_RUN = 100;

/**
 * The most digests written before the index of anchored heads was kept (digest.ts `indexed`) one
 * run reads and indexes: one GetObject each, and a PutObject per incident's newest head among them.
 */
export const MAX_INDEXED_DIGESTS_PER_RUN = 200;

/** The entry a problem names for an incident the last digest left out that this run did not read (past maxBroken of them). */
export const LEFT_OUT_NOT_READ = 'left out';

/** The store went back behind its digests: anchoring it would sign less than was anchored before. */
export class RolledBackError extends DigestError {}

/** A release refused: the incident is not pinned, or its own chain does not verify. Nothing is written. */
export class ReleaseRefusedError extends DigestError {}

/**
 * A person gives up an incident's pinned heads (`datalek anchor --release`): a record put back from
 * a copy that lacks what a digest anchored or saw (a restore from backup, a record mended by hand)
 * otherwise stays left out, and fails every run, for good. Only a run that signs can release, so
 * whoever can only write the store cannot: no request is ever read from the store.
 */
export interface ReleaseRequest {
  incidentId: string;
  /** Who releases, and why: signed in the digest, shown by `verify --digests` and the incident's timeline. */
  by: string;
  why: string;
}

/**
 * The same for a registry shard (`datalek anchor --release-shard N`): one put back from a copy, or
 * mended by hand, that no longer holds the head the digests carried or saw for it verifies on its
 * own, yet was left out (`registryLeftOut`) and failed every run, for good.
 */
export interface ShardReleaseRequest {
  shard: number;
  by: string;
  why: string;
}

interface Deps {
  source: AuditSource;
  signer: DigestSigner;
  digests: DigestStore;
  now: () => string;
  /** MAX_HEADS_PER_RUN unless given. */
  maxHeads?: number;
  /** MAX_BROKEN_PER_RUN unless given. */
  maxBroken?: number;
  /** The incidents a person releases in this run (`datalek anchor --release`); never the scheduled run. */
  releases?: ReleaseRequest[];
  /** The registry shards a person releases in this run (`datalek anchor --release-shard`); never the scheduled run. */
  shardReleases?: ShardReleaseRequest[];
}

/** The last digest, as the store records it: its hash, root, registry and the anchored set it left. */
interface Previous {
  sequence: number;
  hash: string;
  root: string;
  registry: [number, string][];
  anchored: string | undefined;
  /** The highest incident id it anchored: a bounded run starts after it (review7 Y10). */
  lastIncident?: string;
  /** The left-out incidents' and registry shards' heads as it saw them, not vouched for (review14 K3). */
  seen: Map<string, SeenHead>;
  /** The incidents it released (a person's `anchor --release`). */
  released: string[];
  /** The registry shards it released (`anchor --release-shard`). */
  registryReleased: number[];
  registrySeen: Map<number, RegistrySeenRow>;
  /** The incidents it left out: the next run reads each, marked or not (review15 K3). */
  leftOut: string[];
  /** The last of the list before it that its run read (digest.ts `leftOutTurn`): the next run reads the list on after it. */
  leftOutTurn?: string;
  /** Where it kept its list and pins past what a body carries (digest.ts `leftOutSet`): a run with the same writes none again. */
  leftOutSet?: LeftOutSetRef;
  /** Digests 1 to this one have every head they anchored in the location's index (digest.ts `indexed`). */
  indexed?: number;
}

export async function anchorStore(deps: Deps): Promise<AnchorResult> {
  const { source, digests } = deps;
  const { previous, adopted } = await catchUp(deps);
  const maxHeads = deps.maxHeads ?? MAX_HEADS_PER_RUN;
  const maxBroken = deps.maxBroken ?? MAX_BROKEN_PER_RUN;
  // What the digests anchored, read from them once, only when the store's record of it does not hold.
  let fromDigests: Promise<{ heads: IncidentHead[]; why: string }> | undefined;
  const releasing = new Map((deps.releases ?? []).map((r) => [r.incidentId, r]));
  const indexedHead = digests.anchoredHead?.bind(digests);
  // The incidents the last digest listed as left out, but those released now.
  const listedBefore = (previous?.leftOut ?? []).filter((id) => !releasing.has(id));
  // The ones this run reads of them, and, when that is not all of them, the last: where the next run reads on.
  const listedOnTurn = after(listedBefore, previous?.leftOutTurn).slice(0, maxBroken);
  const leftOutTurn = listedBefore.length > maxBroken ? listedOnTurn.at(-1) : undefined;
  const shardsReleasing = new Map((deps.shardReleases ?? []).map((r) => [r.shard, r]));
  // A shard release holds every incident the digests named to the store: read once, from the signed digests.
  const named = shardsReleasing.size ? await namedByDigests(deps, previous) : [];
  const { candidates, shards, anchoredSet, problems, bookkeeping, remaining, turn, heads, released, ...run } = await readAgainWhileProblems(async () => {
    // Where marks can pile up past a run (DynamoDB), a page of them from the turn on (the rest
    // counted, not read): read whole, enough planted ones pushed the run into its timeout, and it then signed nothing.
    const page = source.anchorCandidatePage ? await source.anchorCandidatePage(previous?.lastIncident, maxHeads + maxBroken) : null;
    const marked = page?.heads ?? (await source.anchorCandidates());
    // An incident's marks as read: its own, and any stray one (under another shard, where the pipeline writes none).
    const markOf = new Map<string, AnchorMark[]>();
    for (const m of marked) markOf.set(m.incidentId, [...(markOf.get(m.incidentId) ?? []), m]);
    const anchoredSet = await source.anchoredHeads();
    const shards = await source.registry();
    const ids = await source.incidentIds();
    const own = auditRegistry(shards, new Set(ids)).problems;
    // A shard a person releases is held to its own chain alone (shardReleaseOf refuses it otherwise): the heads pinned are given up.
    const registryReleased = [...shardsReleasing.values()].map((r) => shardReleaseOf(r, shards, own, previous, { named, held: new Set(ids) }, deps.now()));
    const pinned = [...registryBehind(previous, shards), ...registrySeenBehind(previous, shards)].filter((p) => !shardsReleasing.has(shardOf(p) ?? -1));
    const problems: AuditProblem[] = [...own, ...pinned];
    // The store's "already anchored", believed only while it is the set the last digest left.
    const believed =
      anchoredSet === null ||
      (anchoredSet.length === 0 && !previous) ||
      (previous?.anchored !== undefined && anchoredSetHash(anchoredSet) === previous.anchored);
    // Otherwise what was anchored is read from the signed digests (a row removed had the anchor
    // forget the head an older digest anchored, and sign that incident's history rewritten), and
    // the store's record is put back to it; every incident is read.
    if (!believed) fromDigests ??= anchoredByDigests(deps, previous);
    const derived = fromDigests && !believed ? await fromDigests : null;
    const bookkeeping =
      believed || previous?.anchored === undefined
        ? null
        : `the store's record of the heads already anchored is not the one digest ${previous.sequence} left (a row added, changed or removed behind the anchor): every incident was checked against the heads the digests anchored${derived?.why ?? ''}, and the record put back to them`;
    const anchored = derived ? derived.heads : (anchoredSet ?? []);
    const before = new Map(anchored.map((h) => [h.incidentId, h]));
    const candidates: IncidentHead[] = [];
    const settled: IncidentHead[] = [];
    const unfounded: AnchorMark[] = [];
    // A run takes a bounded number of the incidents that moved; the rest stay marked for the next.
    // It starts after the highest id the previous digest anchored and wraps around (review7 Y10): in
    // id order from the start each time, a storm moving 500 lower ids kept a higher one unanchored,
    // and rewritable, for as long as the storm lasted.
    const inTurn = believed ? after([...markOf.keys()], previous?.lastIncident) : ids;
    // A mark naming an incident the store does not list, or one a registry problem names (left
    // out whatever its ledger says), is read after the others (readB16 B3): marks planted in
    // thousands otherwise filled each run's maxBroken ahead of the sound incidents, and kept them
    // unanchored, and rewritable, for as many runs as the attacker planted marks.
    const namedByRegistry = new Set(problems.map((p) => p.incidentId));
    const held = new Set(ids);
    const known = (id: string) => held.has(id) && !namedByRegistry.has(id);
    for (const id of releasing.keys()) {
      if (!held.has(id)) throw new ReleaseRefusedError(`incident ${id} is not released: the store does not list it; nothing written`);
      if (namedByRegistry.has(id))
        throw new ReleaseRefusedError(
          `incident ${id} is not released: a registry problem names it (${describeProblem(problems.find((p) => p.incidentId === id) as AuditProblem)}), and a release gives up ledger heads only; nothing written`,
        );
    }
    // The incidents the last digest left out are read first, whether or not a mark names them
    // (review15 K3): on DynamoDB one mark deleted had the anchor stop reading an incident that does
    // not verify, and go quiet while it still did not; and one deleted whole while left out is named
    // (K1b). They leave the list only by verifying; at most maxBroken of them are read, on top of
    // the slice and its own maxBroken; the rest are named as not read (below). Read on from where the
    // run before stopped in the list (`leftOutTurn`), wrapping around (record20): from its start each
    // time, one further down put right without a write (its mark gone) was never read again.
    // One released is read as released, below.
    const listed = new Set(listedOnTurn);
    // The incidents released are read next, marked or not, and count as taken.
    const rest = [...inTurn.filter(known), ...inTurn.filter((id) => !known(id))].filter((id) => !releasing.has(id) && !listed.has(id));
    const moved = [...releasing.keys(), ...rest];
    const released: ReleasedRow[] = [];
    // An incident left out (it does not verify) does not count against the slice (review13 E1):
    // it stays marked and first in line, and a slice of only broken ones signed nothing and never
    // moved the turn, keeping every other moved incident out of every digest.
    // Nor are they read without end: after maxBroken the run stops, and the next goes on after the
    // last one read (`turn`), so a storm of broken ones cannot keep it from the sound rest.
    // An incident a registry problem names is left out too, so it counts as broken, not taken
    // (readB16 B2): as taken, a slice of only such ones signed nothing and wrote no `turn`.
    let taken = 0;
    let broken = 0;
    let read = 0;
    let turn: string | undefined;
    let stoppedOnBroken = false;
    // Each incident read, at its newest entry as read; `extends`: it still holds the head seen while it was left out.
    const heads = new Map<string, { head: SeenHead | null; extends: boolean }>();
    for (const id of [...listed, ...moved]) {
      const carried = listed.has(id);
      if (!carried && believed && taken >= maxHeads) break;
      if (!carried && believed && broken >= maxBroken) {
        turn = moved[read - 1];
        stoppedOnBroken = true;
        break;
      }
      if (!carried) read++;
      const raw = await source.rawIncident(id);
      // Where the store keeps no anchored set (DynamoDB), the incident's newest head the digests
      // anchored, from their location's index: nothing the store holds says it, so a ledger
      // rewritten whole (every hash recomputed) is held to it, not signed as it reads.
      const anchoredHead = before.get(id) ?? (anchoredSet === null && indexedHead ? ((await indexedHead(id)) ?? undefined) : undefined);
      const release = releasing.get(id);
      // The chain as read is folded on from the head anchored (up to it that head pins it), or from its genesis.
      const base = anchoredHead ?? { seq: 0, hash: ledgerGenesis(id) };
      if (release) released.push(releaseOf(raw, release, anchoredHead, previous?.seen.get(id), deps.now()));
      // A released incident is held to its own chain alone (releaseOf refused it otherwise): the heads pinned are given up.
      const behindSeen = release ? [] : ledgerSeenBehind(raw, previous?.seen.get(id), base);
      const own = [...auditIncident(raw, () => true), ...(release ? [] : ledgerBehind(raw, anchoredHead)), ...behindSeen];
      problems.push(...toldOfRecord(raw, own));
      // The head signed is the ledger's own, never what the bookkeeping names.
      const head = raw.ledger.reduce<RawIncident['ledger'][number] | undefined>((top, row) => (!top || row.seq > top.seq ? row : top), undefined);
      const moves = head && !(anchoredHead?.seq === head.seq && anchoredHead?.hash === head.hash);
      if (moves) candidates.push({ incidentId: id, seq: head.seq, hash: head.hash });
      // Marked, yet at the head the index says a digest anchored (a mark planted, or kept while it was left out): nothing to sign, the mark goes.
      else if (head && anchoredSet === null) settled.push({ incidentId: id, seq: head.seq, hash: head.hash });
      // A mark naming nothing at all: no item of the incident, no registry entry naming it, no head
      // a digest anchored or saw for it, not listed as left out. Each of those names a deleted
      // incident on every run without the mark (the registry, ledgerBehind, ledgerSeenBehind, the
      // list), so clearing it hides no deletion the run would name; kept, it was read every run, for good.
      // (Nothing at all has no ledger, so neither moves nor is settled.)
      const nothing = isUnfounded(raw, {
        listed: carried || Boolean(release) || held.has(id) || namedByRegistry.has(id),
        anchoredHead,
        seen: previous?.seen.get(id),
      });
      // A stray mark (record20), once its incident is read: whatever the run makes of the incident
      // (signed, settled, or left out and listed), the mark adds nothing, and kept it was read every run, for good.
      if (source.clearUnfoundedMarks) unfounded.push(...(markOf.get(id) ?? []).filter((m) => nothing || m.strayShard !== undefined));
      // Within a page of marks (which bounds the reading itself), a mark that gives nothing to sign
      // and verifies (one naming no incident: planted) takes no place of the heads: counted, a page
      // of them signed nothing and moved no turn, and the next run read the same page again, for good.
      if (carried) {
        // Counted by the list it came from, not against the slice.
      } else if (own.some((p) => !ofRegistry(p)) || namedByRegistry.has(id)) broken++;
      else if (moves || !page) taken++;
      // Seen only past the head anchored: up to it the anchored head pins it (a chain rewritten there and put back is renewed).
      // Pinned as read (review15 K1): its newest entry and what its texts fold to, whatever the hash columns claim.
      const top = readHead(ledgerRows(raw), base);
      const past = top ? { incidentId: id, seq: top.at, hash: top.hash, ...(top.read === top.hash ? {} : { read: top.read }) } : null;
      heads.set(id, { head: past, extends: behindSeen.length === 0 });
    }
    // A page read to its end with marks past it: the next run goes on after the page, not back at its start.
    if (read === moved.length && page?.notRead && inTurn.length) turn = inTurn.at(-1);
    const remaining = moved.length - read + (page?.notRead ?? 0);
    return {
      candidates,
      shards,
      anchoredSet: anchoredSet === null ? null : { heads: anchored, replace: !believed },
      problems,
      bookkeeping,
      remaining,
      remainingAtLeast: page?.atLeast ?? false,
      turn,
      stoppedOnBroken,
      heads,
      released,
      registryReleased,
      settled,
      unfounded,
    };
  });
  // The incidents the last digest listed as left out that this run did not read (past the maxBroken
  // of them a run reads): named, and listed again, so that each run's errors name every incident
  // left out. Listed up to a bound, whoever kept that many broken held the list, and one broken
  // after them was named only while its mark stood (on DynamoDB one DeleteItem hid it from the runs).
  for (const id of listedBefore)
    if (!heads.has(id))
      problems.push({
        incidentId: id,
        entry: LEFT_OUT_NOT_READ,
        problem: `was left out by digest ${previous?.sequence} because it did not verify, and is not read by this run: a run reads at most ${maxBroken} of the incidents left out, on top of the others, and names the rest (datalek verify names what does not verify)`,
      });
  // An incident that does not verify is left out (its mark kept); a registry shard that does not is
  // carried on as the last digest anchored it, not renewed, and marked so.
  // An incident a registry problem names (an entry naming it twice: opened again under its id) is left out too.
  const broken = new Set(problems.filter((p) => !ofRegistry(p) || !['(registry)', '(unreadable)'].includes(p.incidentId)).map((p) => p.incidentId));
  const leftOut = [...broken].sort();
  const signed = candidates.filter((h) => !broken.has(h.incidentId));
  // Already anchored at the head they hold, and verified: their marks cleared now, written or not.
  const settled = run.settled.filter((h) => !broken.has(h.incidentId));
  if (settled.length) await source.markAnchored(settled);
  if (run.unfounded.length) await source.clearUnfoundedMarks?.(run.unfounded);
  const registryLeftOut = shardsOf(problems.filter(ofRegistry), shards.length);
  const releasedBefore =
    previous?.released.length || previous?.registryReleased.length
      ? { sequence: previous.sequence, incidents: previous.released, shards: previous.registryReleased }
      : null;
  // Where the store keeps no anchored set, the heads signed go into the digests' index; digests
  // written before it was kept are indexed a batch a run, and the digest says how far (`indexed`).
  const index = anchoredSet === null && digests.anchoredHead && digests.recordAnchored ? await indexOlder(deps, previous, maxHeads) : null;
  const result = {
    adopted,
    bookkeeping: [bookkeeping, index?.why].filter(Boolean).join('; ') || null,
    remaining,
    remainingAtLeast: run.remainingAtLeast,
    leftOut,
    registryLeftOut,
    stoppedOnBroken: run.stoppedOnBroken,
    released,
    registryReleased: run.registryReleased,
    unfoundedMarks: [...new Set(run.unfounded.map((m) => m.incidentId))],
    releasedBefore,
  };

  const read = registryHeads(shards);
  const registry = read.map((head, shard) => (registryLeftOut.includes(shard) ? anchoredBefore(previous, shard) : head));
  const sameRegistry = previous !== null && JSON.stringify(previous.registry) === JSON.stringify(registry.map((h) => [h.seq, h.hash]));
  const seen = seenHeads(previous, heads, broken);
  const registrySeen = registrySeenHeads(previous, shards, registryLeftOut, registry);
  const listed = leftOutListed(leftOut);
  // What is left out is pinned as read, and listed: a run that saw either change writes a digest for that alone.
  const sameSeen =
    JSON.stringify(seen) === JSON.stringify([...(previous?.seen.values() ?? [])]) &&
    JSON.stringify(registrySeen) === JSON.stringify([...(previous?.registrySeen.values() ?? [])]) &&
    JSON.stringify(listed) === JSON.stringify(previous?.leftOut ?? []) &&
    leftOutTurn === previous?.leftOutTurn;
  // A run stopped on broken incidents writes its turn all the same: without it the next would read the same ones again.
  // So does one that indexed older digests: the next goes on after them. And one after a digest
  // written before `anchored` was kept, from a store that keeps the set: without a digest saying
  // what the set is, every run read every incident again, until something moved.
  const setUnsigned = anchoredSet !== null && previous !== null && previous.anchored === undefined;
  if (
    signed.length === 0 &&
    sameRegistry &&
    sameSeen &&
    !bookkeeping &&
    turn === undefined &&
    !index?.advanced &&
    !setUnsigned &&
    released.length === 0 &&
    run.registryReleased.length === 0
  )
    return { written: null, problems, unchanged: problems.length === 0, ...result };

  const sequence = (previous?.sequence ?? 0) + 1;
  // Past what a body carries, the list and pins go into a left-out set beside the digests (record20).
  const pins = pinsToWrite(listed, seen);
  const body = buildDigestBody({
    sequence,
    previous,
    at: deps.now(),
    store: source.describe(),
    registry,
    incidents: signed,
    signer: deps.signer,
    // What the store's record of anchored heads holds once this digest is recorded in it.
    ...(anchoredSet === null ? {} : { anchored: anchoredSetHash(withHeads(anchoredSet.heads, signed)) }),
    registryLeftOut,
    turn,
    ...('set' in pins ? { leftOutSet: pins.set.ref } : { seen: pins.seen, leftOut: pins.leftOut }),
    registrySeen,
    released,
    registryReleased: run.registryReleased,
    leftOutTurn,
    ...(index ? { indexed: index.upTo === (previous?.sequence ?? 0) ? sequence : index.upTo } : {}),
  });
  const { digest, bytes } = await signDigest(body, deps.signer);
  const name = digestName(sequence);
  // The left-out set first: a digest is never written before what it signs is there to read.
  if ('set' in pins && pins.set.ref.hash !== previous?.leftOutSet?.hash) await writeLeftOutSet(digests, pins.set.bytes, pins.set.ref);
  try {
    await digests.create(name, bytes);
  } catch (err) {
    // A release is in the digest this run writes or nowhere (never read from the store): no later run makes it.
    const asked = [...released.map((r) => `incident ${r.incident}`), ...run.registryReleased.map((r) => `registry shard ${r.shard}`)];
    throw new DigestError(
      `digest ${sequence} could not be written to ${digests.describe()}${name}: ${(err as Error).message}. If it exists, another anchor wrote it meanwhile: the next run checks it against the store and carries on after it${asked.length ? `; but the release of ${asked.join(' and ')} asked for is in no digest: run the release again` : ''}`,
      { cause: err },
    );
  }
  // Indexed before their marks go: a run that dies between the two leaves the marks, and the next adopts the digest and indexes it.
  if (index) await digests.recordAnchored?.(sequence, signed);
  // A record found changed behind the anchor is put back whole: the heads the digests anchored, and these.
  if (anchoredSet?.replace) await source.markAnchored(withHeads(anchoredSet.heads, signed), { replace: true });
  else await source.markAnchored(signed);
  await source.saveAnchorState({ sequence, name, digestHash: sha256(bytes.toString('utf8')), root: body.root });
  return { written: { ...digest, name, location: digests.describe() }, problems, unchanged: false, ...result };
}

/**
 * Writes a left-out set beside the digests, never over one: a set already there (the same list and
 * pins as a digest before, back again) is taken when it holds these bytes, which its name, their
 * hash, says; anything else there is refused by name, writing no digest.
 */
async function writeLeftOutSet(digests: DigestStore, bytes: Buffer, ref: LeftOutSetRef): Promise<void> {
  const name = leftOutSetName(ref.hash);
  try {
    await digests.create(name, bytes);
  } catch (err) {
    const there = await digests.read(name).catch(() => null);
    if (there && sha256(there.toString('utf8')) === ref.hash) return;
    // Its name is its hash, which whoever can write the location can work out and write first (readB20): said as that, not as a failed write.
    if (there)
      throw new DigestError(
        `the left-out set ${name} in ${digests.describe()} holds other bytes than this run's set: this anchor did not write them, so someone else can write where the digests are (treat it as tampering); no digest written. Keep a copy of that object and take it away (in the S3 bucket only the anchor's own role can write: someone used it), then run again`,
        { cause: err },
      );
    throw new DigestError(`the left-out set ${name} could not be written to ${digests.describe()}: ${(err as Error).message}; no digest written`, {
      cause: err,
    });
  }
}

/**
 * Every incident's head as the digests up to the last one anchored it (the newest digest naming the
 * incident), read from them and checked with the anchor's key: where the store keeps a record of
 * this set (SQLite's `anchored`), what the anchor uses when that record is not the one the last
 * digest left. `why` says what was off with the digests, if anything (empty when nothing was).
 */
async function anchoredByDigests(deps: Deps, previous: Previous | null): Promise<{ heads: IncidentHead[]; why: string }> {
  const verifier = deps.signer.verifier;
  if (!previous || !verifier) return { heads: [], why: previous ? " (none could be read: the anchor's key cannot check them)" : '' };
  const problems: DigestProblem[] = [];
  const heads = new Map<string, IncidentHead>();
  for await (const d of readDigests(deps.digests, verifier, problems))
    if (d.sequence <= previous.sequence) for (const [incidentId, seq, hash] of d.incidents) heads.set(incidentId, { incidentId, seq, hash });
  const set = [...heads.values()];
  const off = [
    ...problems.map((p) => `${p.digest} ${p.problem}`),
    ...(previous.anchored !== undefined && anchoredSetHash(set) !== previous.anchored
      ? [`the digests read do not add up to the set digest ${previous.sequence} left`]
      : []),
  ];
  return { heads: set, why: off.length ? ` (as far as they could be read: ${off.join('; ')}; datalek verify --digests shows it all)` : '' };
}

/**
 * Every incident the digests up to the last one named (anchored, saw, listed as left out or
 * released), read from them and checked with the anchor's key: what a shard release holds to the
 * store. Refused when they cannot all be read and checked: whoever can write the digest folder
 * could otherwise remove the one that named an incident deleted.
 */
async function namedByDigests(deps: Deps, previous: Previous | null): Promise<string[]> {
  const refused = (why: string) => new ReleaseRefusedError(`no registry shard is released: ${why}; nothing written`);
  const verifier = deps.signer.verifier;
  if (!previous) return [];
  if (!verifier) throw refused("the anchor's key cannot check the digests, and a shard release holds every incident they named to the store");
  // What they say is what counts: a name written over, or hidden by a delete marker, still has its
  // first version read and checked with the key (verify --digests reports it). Refused for that, no
  // shard was ever released again: the versions are kept under Object Lock for years (readD19).
  const problems: DigestProblem[] = [];
  const named = new Set<string>();
  const pins = pinsReader(deps.digests);
  let upTo = 0;
  for await (const d of readDigests(deps.digests, verifier, problems, { versionsReported: false })) {
    if (d.sequence > previous.sequence) continue;
    upTo++;
    const pinned = await pins(d);
    if (pinned.problem)
      throw refused(
        `${d.name} ${pinned.problem}, and a shard release holds every incident the digests named to the store: put it back from a copy, then release the shard`,
      );
    for (const [id] of d.incidents) named.add(id);
    for (const [id] of pinned.seen) named.add(id);
    for (const id of pinned.leftOut ?? []) named.add(id);
    for (const r of d.released ?? []) named.add(r.incident);
  }
  const missing = upTo !== previous.sequence ? [`${previous.sequence - upTo} of digests 1 to ${previous.sequence} not read`] : [];
  const off = [...problems.map((p) => `${p.digest} ${p.problem}`), ...missing];
  if (off.length)
    throw refused(
      `the digests cannot all be read and checked (${off.join('; ')}), and a shard release holds every incident they named to the store (datalek verify --digests shows it all): put the digests missing or damaged back from a copy, then release the shard`,
    );
  return [...named].sort();
}

/**
 * The release of one incident as the digest signs it: refused, naming why, when its own chain does
 * not verify (a release never vouches for a broken chain) or when it still holds every head pinned
 * (nothing to give up). The heads given up are those pinned that the ledger no longer holds.
 */
function releaseOf(raw: RawIncident, request: ReleaseRequest, anchored: IncidentHead | undefined, seen: SeenHead | undefined, at: string): ReleasedRow {
  const breaks = toldOfRecord(
    raw,
    auditIncident(raw, () => true),
  );
  if (breaks.length)
    throw new ReleaseRefusedError(
      `incident ${raw.id} is not released: its own chain does not verify (${breaks.map(describeProblem).join('; ')}), and a release never vouches for a chain that does not; nothing written`,
    );
  const head = raw.ledger.reduce<RawIncident['ledger'][number] | undefined>((top, row) => (!top || row.seq > top.seq ? row : top), undefined);
  if (!head) throw new ReleaseRefusedError(`incident ${raw.id} is not released: it has no ledger; nothing written`);
  const givenUp = (pin: IncidentHead | undefined, behind: (pin: IncidentHead) => AuditProblem[]): [number, string] | undefined =>
    pin && behind(pin).length ? [pin.seq, pin.hash] : undefined;
  const anchoredGone = givenUp(anchored, (pin) => ledgerBehind(raw, pin));
  // The seen head is held as it was read (ledgerSeenBehind), from the head anchored when it was seen.
  const seenGone = givenUp(seen, () => ledgerSeenBehind(raw, seen, anchored ?? { seq: 0, hash: ledgerGenesis(raw.id) }));
  const row: ReleasedRow = {
    incident: raw.id,
    ...(anchoredGone ? { anchored: anchoredGone } : {}),
    ...(seenGone ? { seen: seenGone } : {}),
    taken: [head.seq, head.hash],
    by: request.by,
    why: request.why,
    at,
  };
  if (!row.anchored && !row.seen)
    throw new ReleaseRefusedError(
      `incident ${raw.id} is not released: it still holds every head the digests pinned, so there is nothing to give up (it is anchored as it is once it verifies); nothing written`,
    );
  return row;
}

/**
 * The digests written before the index was kept (up to the last one, `previous.indexed` on), read
 * and indexed: at most MAX_INDEXED_DIGESTS_PER_RUN of them, and once the heads to write reach
 * `maxHeads` the run stops after that digest. Only the head the newest of them anchored is written
 * per incident (the index is read newest digest first). `upTo`: digests 1 to it are indexed now; `advanced`: it moved.
 */
async function indexOlder(deps: Deps, previous: Previous | null, maxHeads: number): Promise<{ upTo: number; advanced: boolean; why: string | null }> {
  const done = previous?.indexed ?? 0;
  if (!previous || done >= previous.sequence) return { upTo: previous?.sequence ?? 0, advanced: false, why: null };
  const newest = new Map<string, { head: IncidentHead; sequence: number }>();
  let upTo = done;
  let why: string | null = null;
  while (upTo < previous.sequence && upTo - done < MAX_INDEXED_DIGESTS_PER_RUN && newest.size < maxHeads) {
    const name = digestName(upTo + 1);
    let incidents: [string, number, string][];
    try {
      incidents = (JSON.parse((await deps.digests.read(name)).toString('utf8')) as Digest).incidents;
      if (!Array.isArray(incidents)) throw new Error('no incidents');
    } catch (err) {
      why = `${name} in ${deps.digests.describe()} cannot be read to index the heads it anchored (${(err as Error).message}): the index of digests before it holds up to digest ${upTo}, and incidents only later digests anchored are held to no anchored head (datalek verify --digests)`;
      break;
    }
    upTo++;
    // The newest digest naming an incident is the head it was last anchored at (the index is read newest digest first).
    for (const [incidentId, seq, hash] of incidents) newest.set(incidentId, { head: { incidentId, seq, hash }, sequence: upTo });
  }
  const bySequence = new Map<number, IncidentHead[]>();
  for (const { head, sequence } of newest.values()) bySequence.set(sequence, [...(bySequence.get(sequence) ?? []), head]);
  for (const [sequence, heads] of bySequence) await deps.digests.recordAnchored?.(sequence, heads);
  return { upTo, advanced: upTo > done, why };
}

/**
 * Whether a mark's incident is nothing at all: no item read (record, ledger, timeline, message,
 * finding), nothing that lists it (`listed`: left out by the last digest, released, in the store's
 * list, named by the registry), no head a digest anchored (the index) or saw for it. A commit writes
 * an incident's items and its mark in one transaction, and the mark is read before the items: a mark
 * of an incident just opened is never read with its items not yet there.
 */
function isUnfounded(raw: RawIncident, about: { listed: boolean; anchoredHead: IncidentHead | undefined; seen: SeenHead | undefined }): boolean {
  const empty = !raw.record && !raw.ledger.length && !raw.timeline.length && !raw.messages.length && !raw.findings.length;
  return empty && !about.listed && !about.anchoredHead && !about.seen;
}

/** A problem of the registry itself (an entry of its chain, or behind the last digest): its heads are in every digest. */
function ofRegistry(p: AuditProblem): boolean {
  return p.incidentId === '(registry)' || p.entry.startsWith('registry ');
}

/**
 * The registry shards the problems of the registry name (each names its entry as `registry
 * <shard>/<n>`), in order; every shard when one names none it can be told by, so that nothing
 * unverified is ever signed.
 */
function shardsOf(problems: AuditProblem[], count: number): number[] {
  const shards = new Set<number>();
  for (const p of problems) {
    const shard = shardOf(p);
    if (shard === undefined) return Array.from({ length: count }, (_, i) => i);
    shards.add(shard);
  }
  return [...shards].sort((x, y) => x - y);
}

/** The registry shard a problem names by its entry (`registry <shard>/<n>`); undefined when it names none. */
function shardOf(p: AuditProblem): number | undefined {
  const shard = /^registry (\d+)\//.exec(p.entry)?.[1];
  return shard === undefined ? undefined : Number(shard);
}

/**
 * The release of one registry shard as the digest signs it: refused, naming why, when the shard
 * does not exist, when its own chain does not verify (a release never vouches for a chain that does
 * not), when it still holds every head pinned (nothing to give up), or when it holds fewer entries
 * than a head given up: each registry entry names an incident, so entries gone mean incidents
 * deleted or no longer registered, which a release of the shard must never take out of the runs'
 * sight (a release gives up what entries read, never an incident). The heads given up are the head
 * the last digest carried for the shard and the one it saw while the shard was left out, each only
 * where the store no longer holds it; the head taken on is the shard's newest entry.
 */
function shardReleaseOf(
  request: ShardReleaseRequest,
  shards: RegistryRows[],
  own: AuditProblem[],
  previous: Previous | null,
  incidents: { named: string[]; held: ReadonlySet<string> },
  at: string,
): RegistryReleasedRow {
  const { shard } = request;
  const refused = (why: string) => new ReleaseRefusedError(`registry shard ${shard} is not released: ${why}; nothing written`);
  if (!Number.isInteger(shard) || shard < 0 || shard >= shards.length) throw refused(`the registry has shards 0 to ${shards.length - 1}`);
  const breaks = own.filter((p) => shardOf(p) === shard);
  if (breaks.length)
    throw refused(`its own chain does not verify (${breaks.map(describeProblem).join('; ')}), and a release never vouches for a chain that does not`);
  const base = anchoredBefore(previous, shard);
  const anchoredGone = registryBehind(previous, shards).some((p) => shardOf(p) === shard) ? base : undefined;
  const seen = previous?.registrySeen.get(shard);
  const seenGone = seen && !registrySeenHolds(shards, seen, base) ? { seq: seen[1], hash: seen[2] } : undefined;
  if (!anchoredGone && !seenGone)
    throw refused('it still holds every head the digests pinned, so there is nothing to give up (it is renewed as it is once it verifies)');
  const head = registryHeads(shards)[shard];
  const pinnedTo = Math.max(anchoredGone?.seq ?? 0, seenGone?.seq ?? 0);
  if (head.seq < pinnedTo)
    throw refused(
      `it holds ${head.seq} ${head.seq === 1 ? 'entry' : 'entries'}, fewer than the ${pinnedTo} a digest pinned: the incidents the missing entries named were deleted or are no longer registered, and a release of the shard gives up what its entries read, never an incident (put the missing entries back from a copy)`,
    );
  // The count alone does not hold them (readB19): an incident a digest named deleted whole, and a
  // later incident's entry put in its place, left the shard as long, verifying on its own.
  const gone = incidents.named.filter((id) => registryShardOf(id) === shard && !incidents.held.has(id));
  if (gone.length)
    throw refused(
      `the store no longer holds ${gone.length === 1 ? 'incident' : 'incidents'} ${gone.join(', ')}, which a digest anchored in the shard or left out: deleted, though the shard verifies on its own, and a release of the shard never takes an incident deleted out of the runs' sight (put the incident back from a copy; datalek verify --digests names it)`,
    );
  const strays = own.filter((p) => p.entry === 'registry' && registryShardOf(p.incidentId) === shard);
  if (strays.length)
    throw refused(
      `the registry and the store disagree on its incidents (${strays.map(describeProblem).join('; ')}), and a release of the shard never takes an incident deleted or inserted out of the runs' sight`,
    );
  return {
    shard,
    ...(anchoredGone ? { anchored: [anchoredGone.seq, anchoredGone.hash] as [number, string] } : {}),
    ...(seenGone ? { seen: [seenGone.seq, seenGone.hash] as [number, string] } : {}),
    taken: [head.seq, head.hash],
    by: request.by,
    why: request.why,
    at,
  };
}

/** A shard's head as the last digest anchored it (its genesis before any): what a digest carries on for a shard that does not verify. */
function anchoredBefore(previous: Pick<Previous, 'registry'> | null, shard: number): { seq: number; hash: string } {
  const [seq, hash] = previous?.registry[shard] ?? [0, registryGenesis(shard)];
  return { seq, hash };
}

/** Where the run after a digest starts: after its turn, where it stopped on broken incidents; else after the highest id it anchored. */
function turnOf(digest: Digest): string | undefined {
  return typeof digest.turn === 'string' ? digest.turn : digest.incidents.at(-1)?.[0];
}

/** The ids in order from the first after `last`, then from the start: none waits behind busier ones for ever. */
function after(ids: string[], last: string | undefined): string[] {
  const sorted = [...ids].sort();
  const start = last === undefined ? 0 : sorted.findIndex((id) => id > last);
  return start <= 0 ? sorted : [...sorted.slice(start), ...sorted.slice(0, start)];
}

/**
 * Step 1: the last digest the store records, checked, and any written after it: adopted when it is
 * this anchor's own, written from this store by a run that died before recording it; otherwise
 * the store is behind its digests, and nothing is written.
 */
async function catchUp(deps: Deps): Promise<{ previous: Previous | null; adopted: AnchorResult['adopted'] }> {
  const { source, digests } = deps;
  const state = await source.anchorState();
  let previous = state ? await lastDigest(deps, state) : null;
  const adopted: AnchorResult['adopted'] = [];
  for (const name of await digests.after(state?.name ?? null)) {
    const sequence = (previous?.sequence ?? 0) + 1;
    const last = previous ? `digest ${previous.sequence}` : 'no digest';
    const behind = (why: string) =>
      new RolledBackError(
        `the store is behind its digests: ${name} in ${digests.describe()} ${why}, while the store records ${last} as its last. The store was rolled back (a copy put back?), or another store writes digests here: no digest written; datalek verify --digests names what the store no longer holds`,
      );
    if (name !== digestName(sequence)) throw behind(`follows, but ${digestName(sequence)} is not there`);
    const bytes = await digests.read(name);
    const why = await notOwnNext(deps, bytes, previous, sequence);
    if (why) throw behind(why);
    // Written by a run that died before recording it: taken as written.
    const digest = JSON.parse(bytes.toString('utf8')) as Digest;
    const heads = digest.incidents.map(([incidentId, seq, hash]) => ({ incidentId, seq, hash }));
    // Its heads indexed as the run that wrote it would have, before their marks go.
    if (digest.indexed !== undefined) await digests.recordAnchored?.(sequence, heads);
    await source.markAnchored(heads);
    const hash = sha256(bytes.toString('utf8'));
    await source.saveAnchorState({ sequence, name, digestHash: hash, root: digest.root });
    previous = {
      sequence,
      hash,
      root: digest.root,
      registry: digest.registry,
      anchored: digest.anchored,
      lastIncident: turnOf(digest),
      indexed: digest.indexed,
      ...(await seenOf(digests, { ...digest, name })),
    };
    adopted.push({ sequence, name });
  }
  return { previous, adopted };
}

/**
 * The digest the store records as its last, read back and checked: a store pointing elsewhere would
 * start a second chain, and one signed with another key (the digest and the store's record of it are
 * both files whoever holds the machine can write) would have every later digest continue a chain
 * this anchor's key never signed.
 */
async function lastDigest(deps: Pick<Deps, 'digests' | 'signer'>, state: AnchorState): Promise<Previous> {
  const { digests } = deps;
  let bytes: Buffer;
  try {
    bytes = await digests.read(state.name);
  } catch (err) {
    throw new DigestError(`the store's last digest ${state.name} cannot be read from ${digests.describe()}: ${(err as Error).message}`, { cause: err });
  }
  if (sha256(bytes.toString('utf8')) !== state.digestHash) {
    throw new DigestError(`${state.name} in ${digests.describe()} is not the digest this store last wrote: refusing to continue another chain`);
  }
  let digest: Digest;
  try {
    digest = JSON.parse(bytes.toString('utf8')) as Digest;
  } catch {
    throw new DigestError(`${state.name} in ${digests.describe()}, the store's last digest, is not valid JSON: refusing to continue from it`);
  }
  const unsigned = notSignedByThisAnchor(deps.signer, digest);
  if (unsigned)
    throw new DigestError(
      `${state.name} in ${digests.describe()}, the store's last digest, ${unsigned}: refusing to continue from it (datalek verify --digests names what else differs)`,
    );
  // The number and root the chain goes on from are the signed digest's own: the store's copies of them are only a record.
  for (const field of ['sequence', 'root'] as const)
    if (state[field] !== digest[field])
      throw new DigestError(
        `${state.name} in ${digests.describe()}, the store's last digest: the store records its ${field} as ${state[field]}, the digest says ${digest[field]}. The store's record of its last digest was changed: refusing to continue from it (datalek verify --digests names what else differs)`,
      );
  return {
    sequence: state.sequence,
    hash: state.digestHash,
    root: state.root,
    registry: digest.registry,
    anchored: digest.anchored,
    lastIncident: turnOf(digest),
    indexed: digest.indexed,
    ...(await seenOf(digests, { ...digest, name: state.name })),
  };
}

/** What a digest saw of the incidents and registry shards it left out (none in digests written before it was kept). */
async function seenOf(
  digests: DigestStore,
  digest: Digest & { name: string },
): Promise<Pick<Previous, 'seen' | 'registrySeen' | 'released' | 'registryReleased' | 'leftOut' | 'leftOutTurn' | 'leftOutSet'>> {
  // Past what a body carries, the list and pins are in its left-out set: without them the run cannot know what is pinned, and refuses.
  const pinned = await pinsReader(digests)(digest);
  if (pinned.problem)
    throw new DigestError(`${digest.name} in ${digests.describe()}: ${pinned.problem}. Refusing to continue from it: put the set back from a copy`);
  const seen = new Map<string, SeenHead>(
    pinned.seen.map(([incidentId, seq, hash, read]) => [incidentId, { incidentId, seq, hash, ...(read === undefined ? {} : { read }) }]),
  );
  return {
    released: (digest.released ?? []).map((r) => r.incident),
    registryReleased: (digest.registryReleased ?? []).map((r) => r.shard),
    seen,
    registrySeen: new Map((digest.registrySeen ?? []).map((row) => [row[0], row])),
    // A digest written before it listed them: the incidents it pinned are the ones it left out that it names.
    leftOut: pinned.leftOut ?? [...seen.keys()],
    ...(typeof digest.leftOutTurn === 'string' ? { leftOutTurn: digest.leftOutTurn } : {}),
    ...(digest.leftOutSet ? { leftOutSet: digest.leftOutSet } : {}),
  };
}

/**
 * The incidents a digest lists as left out (review15 K3): every one left out now, in id order (the
 * ones the last digest listed and this run did not read are left out now too: they leave the list
 * only by being read and verifying). Not bounded: a run reads at most maxBroken of them and names
 * the rest without reading them, so the list costs a run no read beyond that bound.
 */
function leftOutListed(leftOut: string[]): string[] {
  return leftOut.filter((id) => !id.startsWith('(')).sort();
}

/**
 * The left-out incidents' heads this digest sees (review14 K3): the ones the last digest saw, but
 * for those read now that verify (they held it, and are anchored now or were at that head), and
 * for those read now and left out again, the newest entry as read (readHead), unless it does not extend the one seen
 * before (then that one stays: the rewrite is named on every run, never taken as the new pin).
 */
function seenHeads(previous: Pick<Previous, 'seen'> | null, heads: Map<string, { head: SeenHead | null; extends: boolean }>, leftOut: Set<string>): SeenHead[] {
  const seen = new Map(previous?.seen);
  for (const [id, { head, extends: holds }] of heads) {
    if (!leftOut.has(id)) seen.delete(id);
    else if (head && holds) seen.set(id, head);
  }
  return [...seen.values()].sort((a, b) => (a.incidentId < b.incidentId ? -1 : 1));
}

/**
 * The same for the registry shards: a shard renewed drops out; one left out is seen at its newest
 * entry as read (readHead) while it holds the one seen before, and only past the head carried as anchored (`anchored`):
 * up to there the anchored head pins it, and a shard rewritten there and put back is renewed.
 */
function registrySeenHeads(
  previous: Pick<Previous, 'registrySeen'> | null,
  shards: RegistryRows[],
  leftOut: number[],
  anchored: ChainHead[],
): RegistrySeenRow[] {
  const seen = new Map(previous?.registrySeen);
  for (const [shard, rows] of shards.entries()) {
    const before = seen.get(shard);
    const base = anchored[shard] ?? { seq: 0, hash: registryGenesis(shard) };
    const top = readHead(registryRows(rows), base);
    if (!leftOut.includes(shard)) seen.delete(shard);
    else if (top && (!before || registrySeenHolds(shards, before, base)))
      seen.set(shard, top.read === top.hash ? [shard, top.at, top.hash] : [shard, top.at, top.hash, top.read]);
  }
  return [...seen.values()].sort((a, b) => a[0] - b[0]);
}

/** A chain's entries as readHead takes them: position, stored text, stored hash, in order. */
type ReadRow = { at: number; data: string; hash: string };

function ledgerRows(raw: RawIncident): ReadRow[] {
  return raw.ledger.map((r) => ({ at: r.seq, data: r.data, hash: r.hash })).sort((x, y) => x.at - y.at);
}

function registryRows(rows: RegistryRows): ReadRow[] {
  return rows.map((r) => ({ at: r.n, data: r.data, hash: r.hash })).sort((x, y) => x.at - y.at);
}

/**
 * What the anchor read of a chain past `base` (the head anchored, or the genesis), up to entry
 * `upTo`: the newest entry, its stored hash, and `read`, the hash its stored texts fold to from
 * base (chainHash over each entry's text), whatever the hash and prevHash columns say (review15
 * K1). Pinned so, a hash column flipped neither moves the pin below the entry (leaving it, or a new
 * incident whole, rewritable or deletable unnamed) nor keeps the chain out once put back (readB16
 * B1); any text changed, removed or reordered does not fold to it. Undefined when nothing is past base.
 */
function readHead(rows: ReadRow[], base: ChainHead, upTo = Number.POSITIVE_INFINITY): { at: number; hash: string; read: string } | undefined {
  let top: { at: number; hash: string; read: string } | undefined;
  for (const row of rows) if (row.at > base.seq && row.at <= upTo) top = { at: row.at, hash: row.hash, read: chainHash(top?.read ?? base.hash, row.data) };
  return top;
}

/**
 * A chain holds a pin when its texts, read as the pin was, fold to the same at the same entry: to
 * the content then read, or to the hash then stored (what the entries said before a text was
 * edited, and was put back). The hash columns alone prove nothing of the texts.
 */
function holdsPin(rows: ReadRow[], base: ChainHead, pin: { seq: number; hash: string; read?: string }): boolean {
  const now = readHead(rows, base, pin.seq);
  return now?.at === pin.seq && (now.read === pin.hash || now.read === pin.read);
}

function registrySeenHolds(shards: RegistryRows[], [shard, n, hash, read]: RegistrySeenRow, base: ChainHead): boolean {
  return holdsPin(registryRows(shards[shard] ?? []), base, { seq: n, hash, read });
}

/** Registry entries a digest saw while their shard was left out that the store no longer holds: the shard stays left out. */
function registrySeenBehind(previous: Pick<Previous, 'registrySeen' | 'registry'> | null, shards: RegistryRows[]): AuditProblem[] {
  return [...(previous?.registrySeen.values() ?? [])]
    .filter((row) => !registrySeenHolds(shards, row, anchoredBefore(previous, row[0])))
    .map(([shard, n]) => ({
      incidentId: '(registry)',
      entry: `registry ${shard}/${n}`,
      problem: `is gone or differs from what the last digest saw while the shard did not verify (seen, not vouched for): the registry was rewritten while it was left out, and is not renewed`,
    }));
}

/**
 * Why a digest found after the last one is not this anchor's next, written from this store as it
 * is (null when it is): signed with this key, numbered and chained after the last, of this store,
 * and anchoring only what the store still holds (each registry and ledger head at its position,
 * and the anchored set it left).
 */
async function notOwnNext(deps: Deps, bytes: Buffer, previous: Previous | null, sequence: number): Promise<string | null> {
  let digest: Digest;
  try {
    digest = JSON.parse(bytes.toString('utf8')) as Digest;
  } catch {
    return 'is not valid JSON';
  }
  const { signature: _signature, ...body } = digest;
  if (!isDigestFormat(body.format) || body.sequence !== sequence || !Array.isArray(body.incidents) || !Array.isArray(body.registry))
    return `is not a ${DIGEST_FORMAT} or ${DIGEST_FORMAT_WITH_SET} digest numbered ${sequence}`;
  const unsigned = notSignedByThisAnchor(deps.signer, digest);
  if (unsigned) return unsigned;
  if (body.previous !== (previous?.hash ?? null)) return `does not continue ${previous ? `digest ${previous.sequence}` : 'from the start'}`;
  if (body.store !== deps.source.describe()) return `was written from another store (${body.store})`;
  const registry = body.registry.map(([seq, hash]) => ({ seq, hash }));
  const incidents = body.incidents.map(([incidentId, seq, hash]) => ({ incidentId, seq, hash }));
  if (anchorRoot(previous?.root ?? null, registry, incidents) !== body.root) return 'has a root that does not follow from its contents';
  // A shard it carried on without renewing is not what it says the store holds (the digest before it says that).
  const gone = registryBehind({ registry: body.registry }, await deps.source.registry(), body.registryLeftOut)[0];
  if (gone) return `anchors ${gone.entry}, which the store does not hold as it anchored it`;
  for (const head of incidents) {
    const stored = (await deps.source.rawIncident(head.incidentId)).ledger.find((row) => row.seq === head.seq);
    if (stored?.hash !== head.hash)
      return `anchors incident ${head.incidentId} at ledger entry ${head.seq}, which the store ${stored ? 'holds otherwise' : 'does not hold'}`;
  }
  if (body.anchored !== undefined) {
    const set = await deps.source.anchoredHeads();
    if (set === null || anchoredSetHash(withHeads(set, incidents)) !== body.anchored)
      return "leaves another record of the anchored heads than the store's would be";
  }
  return null;
}

/** Why `digest` is not signed by this anchor's key (null when it is): another key's id, or a signature the key did not make. */
function notSignedByThisAnchor(signer: DigestSigner, digest: Digest): string | null {
  const { signature, ...body } = digest;
  if (body.key?.id !== signer.keyId) return `is signed by key ${body.key?.id}, not this anchor's ${signer.keyId}`;
  const verifier = signer.verifier;
  if (verifier && !safeVerify(() => verifier.verify(statement(body as DigestBody), Buffer.from(String(signature), 'base64'), body.key.algorithm)))
    return "carries a signature this anchor's key did not make";
  return null;
}

function safeVerify(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

/** Registry entries the last digest anchored that the store no longer holds as anchored: the registry went back. */
function registryBehind(previous: Pick<Previous, 'registry'> | null, shards: RegistryRows[], carried: number[] = []): AuditProblem[] {
  const problems: AuditProblem[] = [];
  for (const [shard, [n, hash]] of (previous?.registry ?? []).entries()) {
    if (carried.includes(shard)) continue;
    const stored = n === 0 ? registryGenesis(shard) : shards[shard]?.find((r) => r.n === n)?.hash;
    if (stored !== hash)
      problems.push({
        incidentId: '(registry)',
        entry: `registry ${shard}/${n}`,
        problem: `${stored === undefined ? 'is gone' : 'differs'} from what the last digest anchored: the registry was rolled back or rewritten behind its digests`,
      });
  }
  return problems;
}

/** The incident's ledger no longer holds the head a digest anchored (as the store records it): it was rolled back. */
function ledgerBehind(raw: RawIncident, head: IncidentHead | undefined): AuditProblem[] {
  if (!head) return [];
  const stored = raw.ledger.find((row) => row.seq === head.seq);
  if (stored?.hash === head.hash) return [];
  return [
    {
      incidentId: raw.id,
      entry: `ledger ${head.seq}`,
      seq: head.seq,
      problem: `${stored ? 'differs from' : 'is gone, yet'} the head a digest anchored: the incident was rolled back behind its digests (datalek verify --digests names the digest)`,
    },
  ];
}

/**
 * The incident's ledger no longer reads, up to the head the last digest saw while it was left out,
 * as it read then (holdsPin, folded on from `base`): what it recorded then was rewritten or removed
 * (review14 K3, review15 K1), or the incident deleted whole (K1b), and it stays left out.
 */
function ledgerSeenBehind(raw: RawIncident, pin: SeenHead | undefined, base: ChainHead): AuditProblem[] {
  if (!pin || holdsPin(ledgerRows(raw), base, pin)) return [];
  const stored = raw.ledger.some((row) => row.seq === pin.seq);
  return [
    {
      incidentId: raw.id,
      entry: `ledger ${pin.seq}`,
      seq: pin.seq,
      problem: `${stored ? 'does not read as' : 'is gone, yet was'} the head the last digest saw while the incident did not verify (seen, not vouched for): ${raw.ledger.length ? 'what it recorded while it was left out was rewritten, so it is not anchored' : 'the incident was deleted while it was left out'} (datalek verify --digests names the digest)`,
    },
  ];
}

/**
 * The claims on resources, checked as `verify` checks them (audit.ts auditResourceClaims): each
 * claim against the record of the incident it names, and each resource an open incident's record
 * lists against the claims. `openIds`: the incidents the store lists as open. Read again while
 * something does not audit, as verify does: a commit in flight between two reads is no tampering.
 */
/**
 * The incidents whose ledger moved before the last digest was written, though no digest anchored
 * that move and nothing marks the incident for the next anchor (review12 K4): on DynamoDB the
 * anchor takes the incidents to sign from their marks alone, so a mark deleted kept a late
 * acknowledgement out of every later digest, rewritable for as long as the incident was not written
 * again. A commit marks its incident in its own transaction, and the anchor clears only the marks
 * of heads it signed, so a move the digests lack while no mark waits for it was hidden. When the
 * move was written does not matter, and is not asked: the entry's own `at` is what a rewrite of it
 * sets (read14b B7). `marked` must be read before the digests (verify-store.ts): the anchor writes a
 * digest before it clears the marks of what it signed, so a mark gone by then is in a digest read.
 *
 * Judged where the digests and every incident's ledger are read already (`verify --digests`): no
 * read more. The scheduled anchor does not judge it: it reads only the marked incidents (a full
 * pass over a big table every five minutes would read every ledger each time), and the digests,
 * which hold what was anchored per incident, are not read by it.
 */
export function movedUnanchored(digests: LoadedDigest[], raws: Map<string, RawIncident>, marked: ReadonlySet<string>): DigestProblem[] {
  const anchored = new Map<string, number>();
  for (const d of digests) anchoredEntries(anchored, d);
  return movedSince(digests.at(-1), anchored, raws, marked);
}

/** Folds one digest, in order, into each incident's newest ledger entry the digests anchored (what movedSince takes). */
export function anchoredEntries(anchored: Map<string, number>, d: Pick<Digest, 'released' | 'incidents'>): void {
  // A release anchors the incident at the head it took on, below the one given up.
  for (const r of d.released ?? []) anchored.set(r.incident, r.taken[0]);
  for (const [id, seq] of d.incidents) anchored.set(id, Math.max(seq, anchored.get(id) ?? 0));
}

/** movedUnanchored from the last digest and each incident's newest entry anchored (anchoredEntries), the digests read one at a time. */
export function movedSince(
  last: Pick<LoadedDigest, 'name' | 'sequence' | 'at'> | undefined,
  anchored: ReadonlyMap<string, number>,
  raws: Map<string, RawIncident>,
  marked: ReadonlySet<string>,
): DigestProblem[] {
  if (!last) return [];
  const problems: DigestProblem[] = [];
  for (const [id, raw] of raws) {
    if (marked.has(id)) continue;
    const since = anchored.get(id) ?? 0;
    const first = raw.ledger.find((row) => row.seq > since);
    if (!first) continue;
    const at = writtenAt(first.data);
    problems.push({
      digest: last.name,
      incidentId: id,
      problem: `ledger entry ${first.seq} (written ${at === null ? 'when it does not say' : `${at}, as it says`}) is in no digest, though digest ${last.sequence} (${last.at}) is the last, and nothing marks the incident for the next anchor: an anchor mark was removed, and what changed since ${since ? `entry ${since}` : 'it was opened'} could be rewritten unseen`,
    });
  }
  return problems;
}

/** When a ledger entry's stored text says it was written; null when it does not say (the audit reports a damaged entry). */
function writtenAt(data: string): string | null {
  try {
    const at = (JSON.parse(data) as { at?: unknown } | null)?.at;
    return typeof at === 'string' ? at : null;
  } catch {
    return null;
  }
}

export async function resourceClaimProblems(source: AuditSource, openIds: () => Promise<string[]>): Promise<AuditProblem[]> {
  const { problems } = await readAgainWhileProblems(async () => {
    const claims = await source.resourceClaims();
    const raws = new Map<string, RawIncident>();
    for (const id of new Set([...claims.rows.map((r) => r.incidentId), ...(await openIds())])) raws.set(id, await source.rawIncident(id));
    return { problems: auditResourceClaims(claims, raws).flatMap((p) => toldOfRecord(raws.get(p.incidentId) ?? { record: null }, [p])) };
  });
  return problems;
}

/**
 * An incident's problems as the anchor's log and error, and `datalek anchor`'s stderr, tell them:
 * a principal by the incident's own pseudonym, under the secret its record (`raw`) keeps
 * (incident-pseudonyms.ts `toldOutside`), withheld where it keeps none or cannot be read. A problem can
 * quote a value (a column altered, a claim's resource key): by the store-wide pseudonym, the
 * function's log (kept past minimise) and the store's secret found the incident once unlinked.
 */
function toldOfRecord(raw: Pick<RawIncident, 'record'>, problems: AuditProblem[]): AuditProblem[] {
  if (!problems.length) return problems;
  const key = pseudonymKeyOfRecord(raw.record?.data);
  return problems.map((p) => ({ ...p, entry: toldOutside(key, p.entry), problem: toldOutside(key, p.problem) }));
}
