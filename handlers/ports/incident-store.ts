import type { DuePolicyMark } from '../core/due-policy.js';
import type { FindingKey, FindingVersion } from '../core/finding.js';
import type { FindingRecord, Incident, OutboxMessage, TimelineEntry } from '../core/incident.js';
import type { DamagedMessageHandler, UnreadableHandler } from '../core/stored-record.js';

/**
 * One atomic change: the incident's new state, optionally one finding record, the timeline entries
 * it appends and the messages it queues. All of it is stored, or none of it.
 */
export interface IncidentChange {
  /** The incident as it is after the change; its `revision` is `expectedRevision + 1` (1 when created). */
  incident: Incident;
  /**
   * The revision the change was computed from. `null` creates the incident; that fails when the id
   * exists or when another open incident already holds the same resource.
   */
  expectedRevision: number | null;
  /**
   * A finding record to write: `expected: null` adds a new finding (fails if its key exists);
   * otherwise the stored version must still be `expected` (versions never go backwards).
   */
  finding?: { record: FindingRecord; expected: FindingVersion | null };
  /** Appended in order; entries are only ever added. */
  timeline: TimelineEntry[];
  /** Queued unless a message with the same id exists (ids are one per incident state change). */
  messages: OutboxMessage[];
  /**
   * Resource keys the incident starts to hold with this change, besides its own `resourceKey` (an
   * attack sequence names several resources). Each must be free, or held by an incident that this
   * same commit closes (`others`); otherwise the commit fails with `ConflictError`. They must also
   * be listed in the incident's `resourceKeys`. A closed incident holds nothing.
   */
  claims?: string[];
  /**
   * Other incidents changed in the same atomic commit (incidents merged into this one), applied
   * first. Their own `finding` and `claims` are ignored.
   */
  others?: IncidentChange[];
  /**
   * Messages of this change (or of `others`) that the committing process delivers as soon as the
   * commit returns: queued already claimed by it until `until`, as `claimMessages` would claim them
   * a moment later, which spares a store a transaction of their own. Only a message this commit
   * queues is claimed here (one queued by an earlier change is not); `CommitReceipt.claimed` names
   * them, and the sender claims the rest as usual. An adapter may claim none (and say so).
   */
  claim?: { ids: readonly string[]; until: string };
  /**
   * Set when `finding` is the minimised form of the record (core/minimise.ts): its ledger entry
   * says so, with `from`, the hash the ledger recorded for the record before, and who did it.
   */
  minimised?: { from: string; by: string };
  /**
   * Set when the change takes a person's data out of the incident record itself (core/minimise.ts
   * `unlinkPseudonyms`: the store-wide pseudonym and the incident's secret): a store that keeps
   * what a write frees in its files (SQLite) leaves none of the record before readable there, as
   * for `minimised`.
   */
  erasing?: true;
}

/** What a commit reports besides its success. */
export interface CommitReceipt {
  /** The messages of `IncidentChange.claim` queued claimed by this commit. */
  claimed: string[];
}

/** What deciding on one finding reads (see `IncidentStore.readForFinding`). */
export interface FindingReads {
  /** The finding's stored record, if it is known. */
  finding: FindingRecord | undefined;
  /** The open incident holding each of the resource keys asked about, in their order (undefined: none). */
  holders: (Incident | undefined)[];
  /** The incident stored under the id asked about, if any. */
  incident: Incident | undefined;
}

export interface IncidentFilter {
  /**
   * Called for each stored incident that cannot be read (damaged or edited bytes), which is then
   * left out of the list; without it such a row fails the whole list with `UnreadableRecordError`.
   */
  onUnreadable?: UnreadableHandler;
  /** Only incidents that are not closed. */
  openOnly?: boolean;
  /** Detected at or after this time. */
  from?: string;
  /** Detected before this time. */
  to?: string;
}

/**
 * Where incidents, their findings, timelines and outgoing messages live.
 *
 * Guarantees every adapter keeps (one contract suite checks them all):
 * - one incident per finding key, and at most one open incident per affected resource (its own
 *   `resourceKey` or one it claimed), even under concurrent writers: a losing `commit` throws
 *   `ConflictError` and stores nothing;
 * - a finding's stored version never goes backwards;
 * - timeline entries are only ever added, in sequence;
 * - a message id is queued at most once, and `claimMessage` hands it to one sender at a time;
 *   `releaseMessageClaims` gives back only the caller's own claim, never a later sender's;
 * - store failures surface as `StoreError` with the cause, never as "not found".
 */
export interface IncidentStore {
  getFinding(key: FindingKey): Promise<FindingRecord | undefined>;
  getIncident(id: string): Promise<Incident | undefined>;
  /** The open incident holding this resource key (as its own resource or a claimed one), if any. */
  findOpenIncident(resourceKey: string): Promise<Incident | undefined>;
  /**
   * Everything deciding on one finding reads, at once: its record, the open incident holding each
   * of `resourceKeys`, and the incident stored under `incidentId` (the id a new incident for the
   * finding would take). The same answers as `getFinding`, `findOpenIncident` and `getIncident`,
   * in as few round trips as the store allows; a commit decided on them still checks each one.
   */
  readForFinding(key: FindingKey, resourceKeys: string[], incidentId: string): Promise<FindingReads>;
  listIncidents(filter?: IncidentFilter): Promise<Incident[]>;
  /**
   * Only the incidents with something due at or before `now`: reads grow with what is due, not with
   * history. An incident that cannot be read is reported to `onUnreadable` (and left out), or fails
   * the list when there is none.
   */
  listDue(now: string, onUnreadable?: UnreadableHandler): Promise<Incident[]>;
  /**
   * The policy the sweep last set every due time under (core/due-policy.ts), null before any; and
   * keeping it, once a sweep has (due-index.ts `resetForPolicy`). A store without them: the sweep does
   * not set due times again on a policy change (`datalek sweep --reindex` does).
   */
  duePolicyMark?(): Promise<DuePolicyMark | null>;
  markDuePolicy?(mark: DuePolicyMark): Promise<void>;
  getTimeline(incidentId: string): Promise<TimelineEntry[]>;
  /**
   * The store's own secret for keyed pseudonyms (finding-resources.ts `principalPseudonym`): 32
   * random bytes, made on the first call and kept in the store from then on, the same for every
   * process and after every restart (two writers making it at once agree on the one stored first).
   * Not derived from anything else the store keeps: without it, no guessed name is confirmed by
   * hashing it. Whoever reads the store reads it too, as the finding records' salts.
   */
  pseudonymKey(): Promise<Buffer>;
  /**
   * Stores the change atomically, or throws `ConflictError` when a condition no longer holds,
   * `StoreRefusedError` when the store refuses this change as it is (and would again), and
   * `StoreError` when the store cannot be written; none of the change is stored then. The
   * receipt tells what `change.claim` claimed; an adapter that claims nothing at commit returns none.
   */
  commit(change: IncidentChange): Promise<CommitReceipt | undefined>;
  /**
   * For a store whose own files keep what a write frees until a checkpoint (SQLite's log): empties
   * them of what minimisations (`IncidentChange.minimised`, `erasing`) wrote over. Returns null
   * once nothing is left, else the file that still holds it because another process kept it from
   * being emptied. A store without such files leaves this out.
   */
  emptyLog?(): Promise<string | null>;
  /** Messages not yet sent, oldest first. */
  pendingMessages(): Promise<OutboxMessage[]>;
  /**
   * The incident's messages, oldest first. A row whose stored text cannot be read is left out of the
   * list and given to `onDamaged` by its id (a reader lists it as damaged: atk29 A13); verify names it too.
   */
  listMessages(incidentId: string, onDamaged?: DamagedMessageHandler): Promise<OutboxMessage[]>;
  /**
   * Takes a pending message for sending until `leaseUntil`; false when it was sent or another
   * sender holds a lease that has not run out. A crashed sender's lease runs out, so a message is
   * never lost, and is only sent twice if a sender dies between sending and `markSent`.
   */
  claimMessage(id: string, now: string, leaseUntil: string): Promise<boolean>;
  /** `claimMessage` for each of `ids`, in as few round trips as the store allows; the ids it took. */
  claimMessages(ids: string[], now: string, leaseUntil: string): Promise<string[]>;
  /**
   * Gives back claims a sender no longer needs (their delivery failed), so that the next sender may
   * take them at once instead of when the lease runs out. A claim is cleared only while the message
   * is pending and still claimed until exactly `leaseUntil`, the lease the caller took: one sent
   * meanwhile, or claimed again by another sender after that lease ran out (a later lease, whose
   * delivery may be in flight), is left as it is. The lease tells the claims apart: a message can
   * be claimed again only once `leaseUntil <= now`, so every later claim runs to a later lease.
   * Not recorded in the ledger: a claim is no change to the record. Returns the ids it cleared.
   */
  releaseMessageClaims(ids: string[], leaseUntil: string): Promise<string[]>;
  markSent(id: string, at: string): Promise<void>;
  /** `markSent` for each of `ids` (each recorded once in its incident's ledger), in as few round trips as the store allows. */
  markAllSent(ids: string[], at: string): Promise<void>;
  /**
   * Optional, for a process that sends as fast as it records (`datalek replay`): from now on
   * `markAllSent` may write its marks with the store's next write, at the latest `withinMs` later
   * or when the store is read or closed. Meanwhile the messages stay claimed by this process. A
   * store without it writes each mark at once.
   */
  deferSentMarks?(withinMs: number): void;
  /**
   * Optional, for a process that records many events in a row (`datalek replay` on the embedded
   * store): from `beginGroup` until `endGroup`, commits are written in one transaction of the
   * store, each still atomic on its own (a failed one leaves the others), and none of them is
   * durable, nor seen by another process, until `endGroup` returns. The caller reports nothing of
   * them (lines, messages) before then. `endGroup` throws `StoreError` when the group could not be
   * committed: then none of its commits was stored.
   */
  beginGroup?(): void;
  endGroup?(): void;
  close(): Promise<void>;
}
