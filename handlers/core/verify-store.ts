/**
 * Use case: verify a store (`datalek verify`), and optionally prove it against the digests written
 * by `datalek anchor`.
 *
 * Primary course:
 * 1. The store's own check (SQLite quick_check): damaged pages are a finding, not a crash.
 * 2. The registry: each shard's chain, and its incidents against those the store holds.
 * 3. Each incident: its ledger chain, then the record, findings, timeline and outbox against it.
 *    Then the claims on resources against the records: each held by an open incident listing it.
 * 4. With digests: each is checked (signature with the trusted key, chain, root), then every head
 *    any digest anchored must still be in the store, unchanged.
 */
import type { AnchorState, AuditSource } from '../ports/audit-source.js';
import type { DigestStore, DigestVerifier } from '../ports/digests.js';
import { anchoredEntries, movedSince } from './anchor.js';
import {
  type AuditProblem,
  auditClaims,
  auditIncident,
  auditRegistry,
  auditResourceClaims,
  findingsWrittenBy,
  type RawIncident,
  type RegistryRows,
  readAgainWhileProblems,
} from './audit.js';
import { auditContainmentLease } from './audit-ops-fields.js';
import { auditLeftCheck } from './audit-reminders.js';
import { CLAIM_LEASE_MINUTES } from './deliver.js';
import { DigestComparison, type DigestProblem, type LoadedDigest, pinsReader, type RegistryReleaseShown, type ReleaseShown, readDigests } from './digest.js';
import { dueIndexMisses } from './due-index.js';
import { type DuePolicyMark, duePolicyDigest, shortDigest, underSettings } from './due-policy.js';
import { UnreadableMarkError } from './due-policy-mark.js';
import { sha256 } from './hash.js';
import type { Incident } from './incident.js';
import { registryGenesis } from './ledger.js';
import { iamNamesLeft, objectKeysLeftMinimised, personalDataLeft } from './minimise.js';
import type { Policy } from './policy.js';
import { pseudonymKeyProblems } from './pseudonym-audit.js';

/** Clock skew allowed between the machine that claimed a message and the one that verifies. */
const CLAIM_SKEW_MINUTES = 5;

export interface VerifyResult {
  /** How many incidents were checked. */
  checked: number;
  /** Problems of the store as a whole (its own integrity check). */
  store: string[];
  /** Problems by incident and entry. */
  problems: AuditProblem[];
  digests?: {
    checked: number;
    last: { sequence: number; at: string } | null;
    problems: DigestProblem[];
    /** The pinned heads people gave up (`anchor --release`), as the digests sign them: shown, each the person's word. */
    released: ReleaseShown[];
    /** The registry shards people released (`anchor --release-shard`): shown, each the person's word (not with `verify ID`). */
    registryReleased: RegistryReleaseShown[];
  };
  /**
   * Incidents adopted from a store without a ledger (`datalek adopt`): their records were vouched
   * for as found then, by whom, not checked against what was written before. Not a problem, but
   * never passed over as if their whole history were ledgered.
   */
  adopted: { incidentId: string; at: string; by: string | null }[];
  /**
   * With a policy: the policy this verify loaded (the digest of its due settings, due-policy.ts), the
   * one the sweep last set every due time under (the store's mark), and the records whose due time
   * misses what the loaded policy gives because another policy set it (`dueTimeMissed`): a policy
   * change the next sweep follows, or a verify that did not load the pipeline's policy. Not problems.
   */
  duePolicy?: { loaded: string; swept: { digest: string; at: string } | null; changed: DueChanged[] };
}

/** A due time set under another policy than the one verify loaded, which misses what that one gives. */
export interface DueChanged {
  incidentId: string;
  /** The policy it was set under (the digest of its due settings). */
  dueUnder: string;
  nextDueAt: string | null;
  /** What falls due under the loaded policy, earlier. */
  due: string;
  /** Held to the policy that set it (the store keeps its settings): within them. Otherwise not judged. */
  judged: boolean;
}

/**
 * What an item an index holds as another kind than it is (RawIncident `misindexed`) would be taken
 * for: the pipeline writes none such, and an incident's record handed to the senders as a message
 * would send what it holds.
 */
const MISREAD: Record<NonNullable<RawIncident['misindexed']>[number]['kind'], (partition: string) => string> = {
  pending: (p) => `is among the messages the senders send (index partition ${p}), but it is no message: an index entry the pipeline did not write`,
  due: (p) => `is among the incidents the sweep reads when due (index partition ${p}), but it is no incident record: an index entry the pipeline did not write`,
  incident: (p) =>
    `is among the incidents status and the register list (index partition ${p}), but it is no incident record: an index entry the pipeline did not write`,
};

/**
 * The due time a record stores (`nextDueAt`, which the sweep finds it by) is no entry's: every commit
 * computes it from the record and the policy (schedule.ts nextDueAt), names that policy on the record
 * (`dueUnder`, due-policy.ts), and a sweep with nothing to send moves it on without an entry. One later
 * than what falls due on the record, or none, keeps the sweep from the incident's reminders and pages
 * (an earlier one only has the sweep read it sooner). Judged under the policy that set it:
 * - set under the policy this verify loaded: a later one was moved or taken off behind the pipeline;
 * - the sweep set every due time under the loaded policy (the store's mark) and the record, missing
 *   what that policy gives, names another (or none): written since under another policy, or changed
 *   behind the pipeline. Named either way: the sweep reads it late;
 * - set under the policy the sweep last set every due time under, another than the loaded one: held
 *   to that policy's settings (the mark keeps them); within them, a policy change the next sweep
 *   follows, said as such (`changed`), not as a problem;
 * - set under a policy neither loaded nor marked: not judged, said as such;
 * - a record stored before records named their policy: judged under the loaded policy, as before
 *   they did (red27 #2), and the problem says it.
 * Not judged without a policy, and read from the record as stored: one that does not parse is the audit's problem.
 */
function dueTimeMissed(raw: RawIncident, policy: Policy, mark: DuePolicyMark | null): { problems: AuditProblem[]; changed: DueChanged[] } {
  const none = { problems: [], changed: [] };
  let record: Incident;
  try {
    record = JSON.parse(raw.record?.data ?? 'null') as Incident;
  } catch {
    return none;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return none;
  const loaded = duePolicyDigest(policy);
  let due: string | null;
  let underMark: string | null = null;
  const under = typeof record.dueUnder === 'string' ? record.dueUnder : null;
  try {
    due = dueIndexMisses(record, policy);
    if (due !== null && under !== null && under !== loaded && under === mark?.digest && mark.digest !== loaded)
      underMark = dueIndexMisses(record, underSettings(policy, mark.settings));
  } catch {
    return none; // a record the schedule cannot read is not one the pipeline wrote: the audit names what is wrong in it
  }
  if (due === null) return none;
  const stored = typeof record.nextDueAt === 'string' ? record.nextDueAt : null;
  const shown = record.nextDueAt ?? 'none';
  const problem = (text: string) => ({ problems: [{ incidentId: raw.id, entry: 'record', problem: text }], changed: [] });
  if (under === loaded)
    return problem(
      `its due time (${shown}) is later than what falls due on its record under the policy it was set under (${due}, policy ${shortDigest(loaded)}, the one this verify loaded): the sweep, which finds an incident by its due time, would not remind or page it until then. It was moved or taken off behind the pipeline`,
    );
  if (mark?.digest === loaded)
    return problem(
      under === null
        ? `its due time (${shown}) is later than what falls due on its record under the policy this verify loaded (${due}, policy ${shortDigest(loaded)}), which the sweep set every due time under at ${mark.at}, and it names no policy it was set under: the sweep, which finds an incident by its due time, would not remind or page it until then. Written since by a release before records named their policy, or moved or taken off behind the pipeline; datalek sweep --reindex sets it again`
        : `its due time (${shown}) is later than what falls due on its record under the policy this verify loaded (${due}, policy ${shortDigest(loaded)}), which the sweep set every due time under at ${mark.at}, but it says it was set under policy ${shortDigest(under)}: the sweep, which finds an incident by its due time, would not remind or page it until then. Written since by a command that loaded another policy than the pipeline's (--policy, DATALEK_POLICY), or moved or taken off behind the pipeline; datalek sweep --reindex sets it again`,
    );
  if (under === null)
    return problem(
      `its due time (${shown}) is later than what falls due on its record under the policy (${due}), and the record was stored before records named the policy their due time was set under: the sweep, which finds an incident by its due time, would not remind or page it until then. If the policy changed since it was stored (a reminder added, a clock switched on), this verify loaded another policy than the pipeline's (--policy, DATALEK_POLICY) or the record was stored before the code owed it, that is no tampering: the sweep sets it again under the policy in force; named still after a sweep under the pipeline's policy, it was moved or taken off behind the pipeline`,
    );
  if (underMark !== null && mark)
    return problem(
      `its due time (${shown}) is later than what falls due on its record under the policy it was set under (${underMark}, policy ${shortDigest(mark.digest)}, the one the sweep last set every due time under): the sweep, which finds an incident by its due time, would not remind or page it until then. It was moved or taken off behind the pipeline`,
    );
  return { problems: [], changed: [{ incidentId: raw.id, dueUnder: under, nextDueAt: stored, due, judged: under === mark?.digest }] };
}

export function verifyOk(result: VerifyResult): boolean {
  return result.store.length === 0 && result.problems.length === 0 && (result.digests?.problems.length ?? 0) === 0;
}

export async function verifyStore(
  source: AuditSource,
  options: { only?: string; digests?: { store: DigestStore; verifier: DigestVerifier }; now?: string; policy?: Policy } = {},
): Promise<VerifyResult> {
  const store = await source.integrity();
  // The policy the sweep last set every due time under (due-policy.ts): read once, before the records.
  let mark: DuePolicyMark | null = null;
  try {
    mark = options.policy ? ((await source.duePolicyMark?.()) ?? null) : null;
  } catch (err) {
    if (!(err instanceof UnreadableMarkError)) throw err;
    // Read as none: each due time is judged under the policy loaded, and the next sweep writes it anew.
    store.push(
      `the policy the sweep last set every due time under cannot be read (${err.message}): it was changed behind the pipeline; due times are judged under the policy loaded, and the next sweep writes it anew`,
    );
  }
  let changed: DueChanged[] = [];
  // Read again while something does not audit: a write in flight between two reads is no tampering.
  const { targets, shards, raws, problems } = await readAgainWhileProblems(async () => {
    const ids = await source.incidentIds();
    const shards = await source.registry();
    const registry = auditRegistry(shards, new Set(ids));
    const targets = options.only ? [options.only] : ids;
    const raws = new Map<string, RawIncident>();
    for (const id of targets) raws.set(id, await source.rawIncident(id));
    // A finding record that moved (to the incident it was merged into, a follow-up, the incident
    // that took a closed incident's finding) is vouched for by that one's ledger; a follow-up and
    // the incident it follows are read together, the finding having moved between them.
    for (const raw of [...raws.values()]) {
      const linked = [...raw.findings.map((f) => f.incidentId), ...(options.only ? followUpLinks(raw) : [])];
      for (const id of linked) if (id !== raw.id && !raws.has(id)) raws.set(id, await source.rawIncident(id));
    }
    const newest = newestFindingWrites(raws);
    let writes: WritesByKey | undefined;
    changed = [];
    const problems: AuditProblem[] = [...registry.problems.filter((p) => !options.only || p.incidentId === options.only || p.incidentId === '(unreadable)')];
    for (const id of targets) {
      const raw = raws.get(id) as RawIncident;
      problems.push(...auditIncident(raw, (key, hash) => newest.get(key)?.hashes.has(hash) === true));
      problems.push(...rolledBack(raw, newest));
      problems.push(...carriedOn(raw, () => (writes ??= writesByKey(raws))));
      problems.push(...minimisations(raw));
      problems.push(...(raw.misindexed ?? []).map((m) => ({ incidentId: raw.id, entry: m.entry, problem: MISREAD[m.kind](m.partition) })));
      problems.push(...auditClaims(raw, options.now ?? new Date().toISOString(), CLAIM_LEASE_MINUTES, CLAIM_SKEW_MINUTES));
      problems.push(...auditContainmentLease(raw, options.now ?? new Date().toISOString()));
      problems.push(...auditLeftCheck(raw, options.now ?? new Date().toISOString()));
      if (options.policy) {
        const due = dueTimeMissed(raw, options.policy, mark);
        problems.push(...due.problems);
        changed.push(...due.changed);
      }
    }
    // Items an index holds as what they are not, beyond the incidents read (a resource lock among the messages to send).
    for (const m of options.only ? [] : ((await source.misindexedItems?.()) ?? [])) {
      if (m.incidentId && raws.get(m.incidentId)?.misindexed?.some((x) => x.entry === m.entry && x.kind === m.kind)) continue;
      problems.push({ incidentId: m.incidentId ?? '(store)', entry: m.entry, problem: MISREAD[m.kind](m.partition) });
    }
    // Which incident holds which resource: not in the ledger, so judged against the records.
    problems.push(...auditResourceClaims(await source.resourceClaims(), raws, options.only));
    // The pseudonym secret the incidents were recorded with, still the store's (fgpseud17 item 2).
    problems.push(...pseudonymKeyProblems(raws, targets, await source.storedPseudonymKey(), source.describe()));
    return { targets, shards, raws, problems };
  });
  const result: VerifyResult = {
    checked: targets.length,
    store,
    problems,
    adopted: adoptions(targets, raws),
    ...(options.policy ? { duePolicy: { loaded: duePolicyDigest(options.policy), swept: mark ? { digest: mark.digest, at: mark.at } : null, changed } } : {}),
  };
  if (options.digests) {
    // The marks before the digests: the anchor clears a mark only after writing the digest that signed it (anchor.ts movedUnanchored).
    const marked = new Set((await source.anchorCandidates()).map((h) => h.incidentId));
    // The digests read one at a time, in order, none held after it is compared (record20): each
    // incident a digest names that the store no longer lists has its ledger read (none) before.
    const problems: DigestProblem[] = [];
    const only = options.only;
    const pins = pinsReader(options.digests.store);
    const comparison = new DigestComparison(storeChains(raws, shards), only ? new Set([only]) : undefined, pins);
    const anchoredAt = new Map<string, number>();
    const state = await source.anchorState();
    let last: LoadedDigest | undefined;
    let recorded: LoadedDigest | undefined;
    let checked = 0;
    for await (const d of readDigests(options.digests.store, options.digests.verifier, problems)) {
      const pinned = await pins(d);
      const named = [
        ...d.incidents.map(([id]) => id),
        ...pinned.seen.map(([id]) => id),
        ...(pinned.leftOut ?? []),
        ...(d.released ?? []).map((r) => r.incident),
      ];
      for (const id of named) if (!raws.has(id) && (!only || id === only)) raws.set(id, await source.rawIncident(id));
      await comparison.add(d);
      anchoredEntries(anchoredAt, d);
      if (d.sequence === state?.sequence) recorded = d;
      last = d;
      checked++;
    }
    result.digests = {
      checked,
      last: last ? { sequence: last.sequence, at: last.at } : null,
      released: comparison.releases.filter((r) => !only || r.incident === only),
      registryReleased: only ? [] : comparison.registryReleases,
      problems: [
        ...problems,
        ...comparison.problems(),
        ...missingDigests(state, recorded, options.digests.store.describe()),
        // A move no digest anchored and no mark waits for (review12 K4).
        ...movedSince(last, anchoredAt, new Map(targets.map((id) => [id, raws.get(id) as RawIncident])), marked),
      ],
    };
  }
  return result;
}

/**
 * The digest the store records as its last written must be among those read, with the bytes it
 * records: the newest digests deleted, or a wrong (empty) location, would otherwise pass, proving
 * the store against fewer digests than were written. (Whoever also edits the store's anchor state
 * hides this; the digests elsewhere, locked, remain the defence.)
 */
function missingDigests(state: AnchorState | null, found: LoadedDigest | undefined, location: string): DigestProblem[] {
  if (!state) return [];
  if (!found)
    return [
      {
        digest: state.name,
        problem: `is the digest ${state.sequence} the store says it wrote last (hash ${state.digestHash}), and it is not in ${location}: deleted, or the wrong location`,
      },
    ];
  if (found.bytesHash !== state.digestHash)
    return [{ digest: found.name, problem: `is not the digest ${state.sequence} the store says it wrote (hash ${state.digestHash}): it was replaced` }];
  return [];
}

/** Where a finding's newest write is: its hash (two, should two ledgers write it in one millisecond) and the ledger. */
interface NewestWrite {
  at: string;
  hashes: Set<string>;
  incidentId: string;
}

/**
 * For each finding key, the write of it that is newest across the ledgers read: within a ledger
 * the last, between ledgers the one written last (the entry's `at`). A finding record moves
 * between incidents (a merge's survivor, a follow-up, an incident open on its resource taking a
 * closed incident's finding), and each ledger it passed through still names what it wrote then:
 * only the newest write vouches for the record, or the record rolled back to a version an older
 * ledger wrote would verify. (Writes of one finding follow each other, one version after the
 * other, events apart: two in one millisecond, on clocks a millisecond apart, are both taken.)
 */
function newestFindingWrites(raws: Map<string, RawIncident>): Map<string, NewestWrite> {
  const newest = new Map<string, NewestWrite>();
  for (const raw of raws.values()) {
    for (const [key, { hash, at }] of lastWritesAt(raw)) {
      const known = newest.get(key);
      if (!known || at > known.at) newest.set(key, { at, hashes: new Set([hash]), incidentId: raw.id });
      else if (at === known.at) known.hashes.add(hash);
    }
  }
  return newest;
}

/** The finding records a ledger wrote, each with the hash it last wrote and when (as `findingWrites` reads them). */
function lastWritesAt(raw: RawIncident): Map<string, { hash: string; at: string }> {
  const out = new Map<string, { hash: string; at: string }>();
  for (const w of findingWritesAt(raw)) out.set(w.key, { hash: w.hash, at: w.at });
  return out;
}

/** Each finding record a ledger wrote, in its order: the key, the hash, when, and (a single write) the hash it wrote over, as read. */
function findingWritesAt(raw: RawIncident): { key: string; hash: string; at: string; seq: number; replaced?: string }[] {
  const out: { key: string; hash: string; at: string; seq: number; replaced?: string }[] = [];
  for (const row of raw.ledger) {
    let body: unknown;
    try {
      body = JSON.parse(row.data);
    } catch {
      continue; // a damaged entry is reported by the audit
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) continue;
    const entry = body as { at?: unknown; finding?: unknown; findings?: unknown };
    const at = typeof entry.at === 'string' ? entry.at : '';
    for (const f of [entry.finding, ...(Array.isArray(entry.findings) ? entry.findings : [])]) {
      if (typeof f !== 'object' || f === null || Array.isArray(f)) continue;
      const { key, hash, replaced } = f as { key?: unknown; hash?: unknown; replaced?: unknown };
      out.push({ key: String(key), hash: String(hash), at, seq: row.seq, ...(f === entry.finding && typeof replaced === 'string' ? { replaced } : {}) });
    }
  }
  return out;
}

/** A finding's writes across the ledgers read, by key: which ledger, the hash, when. */
type WritesByKey = Map<string, { incidentId: string; hash: string; at: string }[]>;

function writesByKey(raws: Map<string, RawIncident>): WritesByKey {
  const out: WritesByKey = new Map();
  for (const raw of raws.values())
    for (const w of findingWritesAt(raw)) {
      const known = out.get(w.key) ?? [];
      known.push({ incidentId: raw.id, hash: w.hash, at: w.at });
      out.set(w.key, known);
    }
  return out;
}

/**
 * A commit that wrote over a finding record another incident's ledger wrote (a merge's survivor, a
 * follow-up) said what it wrote over (`finding.replaced`, DynamoDB): that must be what the ledger
 * that wrote the finding last before it recorded, or the record was edited behind the pipeline and
 * the commit carried the edit on (readC15 C1). The audit holds `replaced` to the incident's own
 * ledger; this, to the others read (a finding its own ledger wrote before is the audit's).
 */
function carriedOn(raw: RawIncident, writes: () => WritesByKey): AuditProblem[] {
  const problems: AuditProblem[] = [];
  const own = new Set<string>();
  for (const w of findingWritesAt(raw)) {
    if (w.replaced !== undefined && !own.has(w.key)) {
      let before: { incidentId: string; hash: string; at: string } | undefined;
      for (const x of writes().get(w.key) ?? []) if (x.incidentId !== raw.id && x.at < w.at && (!before || x.at >= before.at)) before = x;
      if (before && before.hash !== w.replaced)
        problems.push({
          incidentId: raw.id,
          entry: `ledger ${w.seq}`,
          seq: w.seq,
          problem: `wrote over a record of finding ${w.key} that is not the one incident ${before.incidentId}'s ledger recorded last: the finding (evidence) was edited behind the pipeline before this commit, which carried the edit on`,
        });
    }
    own.add(w.key);
  }
  return problems;
}

/**
 * A finding record that says it belongs to this incident, with the bytes this incident's ledger
 * wrote, while another incident's ledger wrote the finding later: the record was rolled back to
 * an older version (and incident) behind the pipeline.
 */
function rolledBack(raw: RawIncident, newest: Map<string, NewestWrite>): AuditProblem[] {
  const problems: AuditProblem[] = [];
  let own: Map<string, { hash: string }> | undefined;
  for (const row of raw.findings) {
    const last = newest.get(row.key);
    if (row.incidentId !== raw.id || !last || last.incidentId === raw.id) continue;
    const hash = sha256(row.data);
    // Other bytes than this ledger wrote are an edit, which the audit reports as such.
    own ??= lastWritesAt(raw);
    if (last.hashes.has(hash) || own.get(row.key)?.hash !== hash) continue;
    problems.push({
      incidentId: raw.id,
      entry: `finding ${row.key}`,
      problem: `is an older version than the one incident ${last.incidentId}'s ledger wrote last (at ${last.at}): the finding record was rolled back`,
    });
  }
  return problems;
}

/**
 * A minimisation (core/minimise.ts) replaces a finding record with its minimised form in a ledger
 * entry of its own, which verify then checks the record against as any write. That entry must
 * continue what the ledger wrote before: its `from` is the hash this ledger last recorded for the
 * record, so the entries before it, and every digest that anchored them, still prove the original.
 * And a record that says it is minimised must hold none of the personal data minimising removes.
 */
function minimisations(raw: RawIncident): AuditProblem[] {
  const problems: AuditProblem[] = [];
  const last = new Map<string, string>();
  for (const row of raw.ledger) {
    let body: { finding?: { key?: unknown; hash?: unknown }; findings?: unknown; minimised?: { from?: unknown } };
    try {
      body = JSON.parse(row.data);
    } catch {
      continue; // a damaged entry is reported by the audit
    }
    if (typeof body !== 'object' || body === null) continue;
    if (body.minimised !== undefined) {
      const key = body.finding ? String(body.finding.key) : '(none)';
      const before = last.get(key);
      if (before === undefined || before !== body.minimised?.from)
        problems.push({
          incidentId: raw.id,
          entry: `ledger ${row.seq}`,
          seq: row.seq,
          problem: `minimises the finding ${key}, but not the record this ledger wrote before (${before ?? 'none'}): a minimisation the pipeline did not write`,
        });
    }
    for (const [key, hash] of findingsWrittenBy(row.data)) last.set(key, hash);
  }
  for (const row of raw.findings) {
    if (row.incidentId !== raw.id) continue;
    const left = personalDataLeft(row.data);
    if (left.length)
      problems.push({
        incidentId: raw.id,
        entry: `finding ${row.key}`,
        // Most often left by an earlier release, before minimise looked there (798548b3: every free text): the run minimises it again.
        problem: `says it is minimised, but it still holds personal data at ${left.join(', ')}: left by an earlier release's minimise, which did not look there, unless put back since (then the ledger differs from what the digests anchored: verify --digests); datalek minimise ${raw.id} --by NAME minimises it again`,
      });
    // Minimised from f787210 to 3784915: the infected object's key stayed in the incident's actions.
    const actions = objectKeysLeftMinimised(raw.record?.data, row.data, row.key);
    if (actions.length)
      problems.push({
        incidentId: raw.id,
        entry: `finding ${row.key}`,
        problem: `says it is minimised, but the incident's action ${actions.join(', ')} still holds the infected object's key (not shown here): datalek minimise ${raw.id} --by NAME removes it`,
      });
    // Minimised before review12 S5: an IAM user's name (or a federated principal) stayed in the credential actions not in effect (before readA21, in one carried out by hand only).
    const named = objectKeysLeftMinimised(raw.record?.data, row.data, row.key, iamNamesLeft);
    if (named.length)
      problems.push({
        incidentId: raw.id,
        entry: `finding ${row.key}`,
        problem: `says it is minimised, but the incident's action ${named.join(', ')} still holds an IAM user's name or principal (not shown here): datalek minimise ${raw.id} --by NAME removes it`,
      });
  }
  return problems;
}

/** The incidents a follow-up and the incident it follows name of each other. */
function followUpLinks(raw: RawIncident): string[] {
  try {
    const record = JSON.parse(raw.record?.data ?? 'null') as { followUps?: unknown; followUpOf?: { incidentId?: unknown } } | null;
    const ids = [...(Array.isArray(record?.followUps) ? record.followUps : []), record?.followUpOf?.incidentId];
    return ids.filter((id): id is string => typeof id === 'string');
  } catch {
    return []; // a damaged record is reported by the audit
  }
}

function storeChains(raws: Map<string, RawIncident>, shards: RegistryRows[]) {
  return {
    hasIncident: (id: string) => {
      const raw = raws.get(id);
      return Boolean(raw && (raw.record || raw.ledger.length));
    },
    ledgerHash: (id: string, seq: number) => raws.get(id)?.ledger.find((l) => l.seq === seq)?.hash,
    registryHash: (shard: number, n: number) => (n === 0 ? registryGenesis(shard) : shards[shard]?.find((r) => r.n === n)?.hash),
  };
}

/** The adoption entries of the incidents checked (the first of a ledger, when it was adopted). */
function adoptions(targets: string[], raws: Map<string, RawIncident>): VerifyResult['adopted'] {
  const out: VerifyResult['adopted'] = [];
  for (const id of targets) {
    const first = raws.get(id)?.ledger.find((e) => e.seq === 1);
    if (!first) continue;
    let body: { adopted?: unknown; at?: unknown; by?: unknown };
    try {
      body = JSON.parse(first.data);
    } catch {
      continue; // an unreadable entry is the audit's problem, reported there
    }
    if (body.adopted === true) out.push({ incidentId: id, at: String(body.at), by: typeof body.by === 'string' ? body.by : null });
  }
  return out;
}
