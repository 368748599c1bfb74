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
import type { AuditSource } from '../ports/audit-source.js';
import type { DigestStore, DigestVerifier } from '../ports/digests.js';
import {
  type AuditProblem,
  auditClaims,
  auditIncident,
  auditRegistry,
  auditResourceClaims,
  findingWrites,
  type RawIncident,
  type RegistryRows,
  readAgainWhileProblems,
} from './audit.js';
import { CLAIM_LEASE_MINUTES } from './deliver.js';
import { compareWithDigests, type DigestProblem, loadDigests } from './digest.js';
import { registryGenesis } from './ledger.js';

/** Clock skew allowed between the machine that claimed a message and the one that verifies. */
const CLAIM_SKEW_MINUTES = 5;

export interface VerifyResult {
  /** How many incidents were checked. */
  checked: number;
  /** Problems of the store as a whole (its own integrity check). */
  store: string[];
  /** Problems by incident and entry. */
  problems: AuditProblem[];
  digests?: { checked: number; last: { sequence: number; at: string } | null; problems: DigestProblem[] };
}

export function verifyOk(result: VerifyResult): boolean {
  return result.store.length === 0 && result.problems.length === 0 && (result.digests?.problems.length ?? 0) === 0;
}

export async function verifyStore(
  source: AuditSource,
  options: { only?: string; digests?: { store: DigestStore; verifier: DigestVerifier }; now?: string } = {},
): Promise<VerifyResult> {
  const store = await source.integrity();
  // Read again while something does not audit: a write in flight between two reads is no tampering.
  const { targets, shards, raws, problems } = await readAgainWhileProblems(async () => {
    const ids = await source.incidentIds();
    const shards = await source.registry();
    const registry = auditRegistry(shards, new Set(ids));
    const targets = options.only ? [options.only] : ids;
    const raws = new Map<string, RawIncident>();
    for (const id of targets) raws.set(id, await source.rawIncident(id));
    // A finding record that moved to the incident it was merged into is vouched for by that one's ledger.
    for (const raw of [...raws.values()]) {
      for (const f of raw.findings) if (f.incidentId !== raw.id && !raws.has(f.incidentId)) raws.set(f.incidentId, await source.rawIncident(f.incidentId));
    }
    const vouched = lastFindingWrites(raws);
    const problems: AuditProblem[] = [...registry.problems.filter((p) => !options.only || p.incidentId === options.only || p.incidentId === '(unreadable)')];
    for (const id of targets) {
      const raw = raws.get(id) as RawIncident;
      problems.push(...auditIncident(raw, (key, hash) => vouched.has(`${key}#${hash}`)));
      problems.push(...auditClaims(raw, options.now ?? new Date().toISOString(), CLAIM_LEASE_MINUTES, CLAIM_SKEW_MINUTES));
    }
    // Which incident holds which resource: not in the ledger, so judged against the records.
    problems.push(...auditResourceClaims(await source.resourceClaims(), raws, options.only));
    return { targets, shards, raws, problems };
  });
  const result: VerifyResult = { checked: targets.length, store, problems };
  if (options.digests) {
    const loaded = await loadDigests(options.digests.store, options.digests.verifier);
    const anchored = new Set(loaded.digests.flatMap((d) => d.incidents.map(([id]) => id)));
    // Incidents a digest names that the store no longer lists still need their ledger read (none).
    for (const id of anchored) if (!raws.has(id) && (!options.only || id === options.only)) raws.set(id, await source.rawIncident(id));
    const compared = compareWithDigests(loaded.digests, storeChains(raws, shards), options.only ? new Set([options.only]) : undefined);
    const last = loaded.digests.at(-1);
    result.digests = {
      checked: loaded.digests.length,
      last: last ? { sequence: last.sequence, at: last.at } : null,
      problems: [...loaded.problems, ...compared],
    };
  }
  return result;
}

/** Every finding key and hash that some ledger wrote last (a merge moves a record to another incident). */
function lastFindingWrites(raws: Map<string, RawIncident>): Set<string> {
  const out = new Set<string>();
  for (const raw of raws.values()) for (const [key, hash] of findingWrites(raw.ledger)) out.add(`${key}#${hash}`);
  return out;
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
