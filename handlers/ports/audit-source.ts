import type { ClaimRow, RawIncident, RegistryRows } from '../core/audit.js';
import type { DuePolicyMark } from '../core/due-policy.js';
import type { IncidentHead } from '../core/ledger.js';

/** Where the store's anchoring stands: the last digest written from it. */
export interface AnchorState {
  sequence: number;
  /** The digest's name where it was written (file or object key, without the folder or prefix). */
  name: string;
  /** SHA-256 of the digest's bytes: the next digest names it as `previous`. */
  digestHash: string;
  root: string;
}

/**
 * An anchor mark as read where marks are items of their own (DynamoDB): the head it names, its
 * incident the one its key names (never a field beside it: whoever writes the table sets that to
 * anything). `strayShard`: the mark is kept under another shard than its incident's, where the
 * pipeline never writes one, and this is the shard it is under (clearing it at its incident's own
 * key would miss it).
 */
export interface AnchorMark extends IncidentHead {
  strayShard?: number;
}

/**
 * What the audit (`datalek verify`) and the anchor (`datalek anchor`) read from a store: the stored
 * bytes of every table, as stored, and the anchor's bookkeeping. Every adapter of `IncidentStore`
 * keeps a ledger and a registry (core/ledger.ts) and implements this beside it.
 */
export interface AuditSource {
  /** For people and digests: `sqlite:/path/datalek.sqlite`, `dynamodb:datalek-incidents`. */
  describe(): string;
  /** The store's own consistency check (SQLite's quick_check); problems as lines, none when fine. */
  integrity(): Promise<string[]>;
  /** Every incident id with any trace in the store: a record, ledger, timeline or messages. */
  incidentIds(): Promise<string[]>;
  rawIncident(id: string): Promise<RawIncident>;
  /**
   * Where the store has indexes its readers take items from (DynamoDB): every item one holds as
   * another kind than it is (RawIncident `misindexed`), wherever it is, with the incident it belongs
   * to where it says. Read by verify of the whole store.
   */
  misindexedItems?(): Promise<({ incidentId: string | null } & NonNullable<RawIncident['misindexed']>[number])[]>;
  /**
   * The hash the newest entry of this incident's ledger that wrote the finding recorded, null when
   * none did. Reads the ledger from its newest entry back and stops there: the contain function
   * asks it on each run, so it must not read the whole partition (in a storm, per finding event).
   */
  lastFindingWrite(incidentId: string, findingKey: string): Promise<string | null>;
  /**
   * When the incident's ledger says the message was queued (the `at` of the entry that queued it),
   * null when no entry did. Read by the sweep only for a message another sender holds (none, as a rule).
   */
  messageQueuedAt(incidentId: string, messageId: string): Promise<string | null>;
  /**
   * The pseudonym secret as the store keeps it (base64, as `IncidentStore.pseudonymKey` made it),
   * null when it keeps none; read only, never made (verify: core/pseudonym-audit.ts).
   */
  storedPseudonymKey(): Promise<unknown>;
  /** The registry, one chain per shard, in order. */
  registry(): Promise<RegistryRows[]>;
  /**
   * Every claim the store keeps on a resource (which incident a finding on it joins), as stored;
   * `ownKeyClaimed` when an incident's own resource is among them (else it is a column of the record).
   */
  resourceClaims(): Promise<{ rows: ClaimRow[]; ownKeyClaimed: boolean }>;
  /**
   * Ledger heads changed since they were last anchored (all of them before the first digest), as
   * the store's own bookkeeping says: which incidents to look at, never what to sign (the anchor
   * takes each head from the ledger).
   */
  anchorCandidates(): Promise<IncidentHead[]>;
  /**
   * Where the marks can pile up past what one run reads (DynamoDB: whoever writes the table can
   * plant them by the million): at most `limit` of them, in id order from the first after `after`,
   * wrapping around; `notRead`, how many marks there are beside them (`atLeast`: counted only so
   * far, there are more). The anchor reads this page instead of every mark, so a flood of marks
   * delays some incidents' anchoring but cannot push the run into its timeout.
   */
  anchorCandidatePage?(after: string | undefined, limit: number): Promise<{ heads: AnchorMark[]; notRead: number; atLeast: boolean }>;
  /**
   * Every head the store records as anchored, where it keeps them all (SQLite's `anchored` table),
   * read after `anchorCandidates` in the same snapshot; null where it keeps only the pending marks
   * (DynamoDB). Each digest carries the hash of this set, so the next anchor checks it before
   * believing it.
   */
  anchoredHeads(): Promise<IncidentHead[] | null>;
  /**
   * Records that these heads are in a digest now. `replace`: these are every head anchored, and the
   * store's record of them (where it keeps one) becomes exactly these: a record found changed
   * behind the anchor is put back to what the digests anchored.
   */
  markAnchored(heads: IncidentHead[], options?: { replace?: boolean }): Promise<void>;
  /**
   * Where marks are items of their own (DynamoDB), clears marks the pipeline did not write (naming no
   * incident at all, or stray: kept under another shard than their incident's), each where it was
   * read and only while it is still the mark read (its head and hash): one a commit wrote
   * meanwhile, for an incident opened since, stays.
   */
  clearUnfoundedMarks?(marks: AnchorMark[]): Promise<void>;
  anchorState(): Promise<AnchorState | null>;
  /**
   * The policy the sweep last set every due time under, with its due settings (core/due-policy.ts);
   * null when no sweep has yet. Absent: the store keeps none, and verify judges without it.
   */
  duePolicyMark?(): Promise<DuePolicyMark | null>;
  saveAnchorState(state: AnchorState): Promise<void>;
}
