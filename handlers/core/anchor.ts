/**
 * Use case: anchor the store (`datalek anchor`, and on AWS with every sweep): write a signed digest
 * of its root, outside the store, so that a later rewrite of what it held now is caught by
 * `verify --digests` (core/digest.ts).
 *
 * Primary course:
 * 1. Read where anchoring stands (the last digest) and the ledger heads that moved since.
 * 2. Audit what is about to be anchored: the registry, and each incident that moved. A store that
 *    does not verify is not anchored: signing it would bless the tampering. What does not audit is
 *    read again first (readAgainWhileProblems): a write in flight between two reads is no tampering.
 * 3. Check the last digest is where the store says and has the bytes it says (a rolled-back store
 *    would otherwise start a second chain).
 * 4. Build, sign and write the digest, never over an existing one; then record the heads as anchored.
 *
 * The claims on resources (which incident a finding on a resource joins) are in no ledger, so no
 * digest anchors them and signing does not bless them: `resourceClaimProblems` checks them as
 * `verify` does, and `datalek anchor` reports them beside the digest it writes. It does not refuse:
 * no datalek command removes a planted claim, and a refusal would let one claim stop the anchoring
 * of everything recorded after it, the window a rewrite needs. (The scheduled anchor on AWS does
 * not read them: they take a scan of the whole table, which no function of the stack may do;
 * `datalek verify --target aws` checks them.)
 */
import type { AuditSource } from '../ports/audit-source.js';
import type { DigestSigner, DigestStore } from '../ports/digests.js';
import { type AuditProblem, auditIncident, auditRegistry, auditResourceClaims, type RawIncident, readAgainWhileProblems, registryHeads } from './audit.js';
import { buildDigestBody, type Digest, DigestError, digestName, signDigest } from './digest.js';
import { sha256 } from './hash.js';

export interface AnchorResult {
  /** The digest written, or null when nothing changed or the store did not verify. */
  written: (Digest & { name: string; location: string }) | null;
  /** Why nothing was written, when the store did not verify. */
  problems: AuditProblem[];
  unchanged: boolean;
}

export async function anchorStore(deps: { source: AuditSource; signer: DigestSigner; digests: DigestStore; now: () => string }): Promise<AnchorResult> {
  const { source, digests } = deps;
  const { state, candidates, shards, problems } = await readAgainWhileProblems(async () => {
    const state = await source.anchorState();
    const candidates = await source.anchorCandidates();
    const shards = await source.registry();
    const ids = await source.incidentIds();
    const problems: AuditProblem[] = auditRegistry(shards, new Set(ids)).problems;
    for (const head of candidates) problems.push(...auditIncident(await source.rawIncident(head.incidentId), () => true));
    return { state, candidates, shards, problems };
  });
  if (problems.length) return { written: null, problems, unchanged: false };

  const registry = registryHeads(shards);
  let previous: { hash: string; root: string; registry: [number, string][] } | null = null;
  if (state) {
    let bytes: Buffer;
    try {
      bytes = await digests.read(state.name);
    } catch (err) {
      throw new DigestError(`the store's last digest ${state.name} cannot be read from ${digests.describe()}: ${(err as Error).message}`, { cause: err });
    }
    if (sha256(bytes.toString('utf8')) !== state.digestHash) {
      throw new DigestError(`${state.name} in ${digests.describe()} is not the digest this store last wrote: refusing to continue another chain`);
    }
    previous = { hash: state.digestHash, root: state.root, registry: (JSON.parse(bytes.toString('utf8')) as Digest).registry };
  }
  const sameRegistry = previous !== null && JSON.stringify(previous.registry) === JSON.stringify(registry.map((h) => [h.seq, h.hash]));
  if (candidates.length === 0 && sameRegistry) return { written: null, problems: [], unchanged: true };

  const sequence = (state?.sequence ?? 0) + 1;
  const body = buildDigestBody({ sequence, previous, at: deps.now(), store: source.describe(), registry, incidents: candidates, signer: deps.signer });
  const { digest, bytes } = await signDigest(body, deps.signer);
  const name = digestName(sequence);
  await digests.create(name, bytes);
  await source.markAnchored(candidates);
  await source.saveAnchorState({ sequence, name, digestHash: sha256(bytes.toString('utf8')), root: body.root });
  return { written: { ...digest, name, location: digests.describe() }, problems: [], unchanged: false };
}

/**
 * The claims on resources, checked as `verify` checks them (audit.ts auditResourceClaims): each
 * claim against the record of the incident it names, and each resource an open incident's record
 * lists against the claims. `openIds`: the incidents the store lists as open. Read again while
 * something does not audit, as verify does: a commit in flight between two reads is no tampering.
 */
export async function resourceClaimProblems(source: AuditSource, openIds: () => Promise<string[]>): Promise<AuditProblem[]> {
  const { problems } = await readAgainWhileProblems(async () => {
    const claims = await source.resourceClaims();
    const raws = new Map<string, RawIncident>();
    for (const id of new Set([...claims.rows.map((r) => r.incidentId), ...(await openIds())])) raws.set(id, await source.rawIncident(id));
    return { problems: auditResourceClaims(claims, raws) };
  });
  return problems;
}
