/**
 * Whether the store's pseudonym secret is still the one its incidents were recorded with (verify,
 * fgpseud17 item 2). A principal named by a person's name is kept by its keyed pseudonym
 * (finding-resources.ts `principalPseudonym`): a store that lost its secret makes a new one on the
 * next such finding, and from then on the principal's findings no longer join the incident open
 * on it, but open a second one, silently. So verify recomputes, under the secret the store keeps,
 * the pseudonym of each principal an incident's finding records name (not yet minimised: every
 * open incident's), and names an incident that holds that principal's kind of pseudonym but not
 * this one. What this reads is ledgered: the finding record and the incident record (which holds
 * the pseudonym as resource and keys), so hiding a replaced secret means rewriting those, which
 * verify names on its own; a minimised incident (closed, past retention) is not checked, as it
 * holds no principal any more, and no finding joins it.
 */
import type { AuditSource } from '../ports/audit-source.js';
import type { RawIncident } from './audit.js';
import {
  type AffectedResource,
  isStoreWidePseudonym,
  principalPseudonym,
  pseudonymisedPrincipals,
  readResourceFacts,
  storedPseudonymKey,
} from './finding-resources.js';
import type { Incident } from './incident.js';

/** One problem verify names: by incident and entry, as the audit's. */
interface PseudonymProblem {
  incidentId: string;
  entry: string;
  problem: string;
}

/** Where the secret is kept, for the problems' words. */
const KEPT = "the SQLite meta row 'pseudonym-key', the DynamoDB item META/PSEUDONYM-KEY";

/**
 * The problems of the incidents `targets` of `raws` with the store's pseudonym secret as `stored`
 * holds it (null: none stored; undefined: the store does not say, and nothing is checked).
 */
export function pseudonymKeyProblems(raws: ReadonlyMap<string, RawIncident>, targets: string[], stored: unknown, where: string): PseudonymProblem[] {
  if (stored === undefined) return [];
  let secret: Buffer | null = null;
  const problems: PseudonymProblem[] = [];
  if (stored !== null) {
    try {
      secret = storedPseudonymKey(stored, where);
    } catch {
      problems.push({
        incidentId: '(store)',
        entry: 'pseudonym key',
        problem: `the pseudonym secret the store keeps (${KEPT}) is not 32 bytes in base64: edited or damaged; no pseudonym can be checked or made with it, and every finding naming such a principal fails to be recorded. Restore it from a backup of the store`,
      });
    }
  }
  for (const id of targets) {
    const raw = raws.get(id);
    const held = raw ? heldIds(raw) : null;
    if (!raw || !held) continue;
    // An incident's own pseudonym (a minimised incident's, pseud21) needs no secret the store keeps.
    const pseudonyms = [...held].filter(isStoreWidePseudonym);
    if (pseudonyms.length === 0) continue;
    if (!secret) {
      // A closed incident whose findings are all minimised needs it no more: no finding joins it, and none is left to check (README: ending them).
      if (stored === null && needsSecret(raw))
        problems.push({
          incidentId: id,
          entry: 'record',
          problem: `names a principal by a keyed pseudonym, but the store keeps no pseudonym secret (${KEPT}): deleted or lost; the next finding naming such a principal makes a new secret and opens a second incident beside this one instead of joining it. Restore the secret from a backup of the store before the next finding`,
        });
      continue;
    }
    const other = otherSecretFinding(raw, held, pseudonyms, secret);
    if (other)
      problems.push({
        incidentId: id,
        entry: `finding ${other}`,
        problem: `names the principal of this finding by a pseudonym not made with the store's pseudonym secret (${KEPT}): the secret was replaced (lost and made again, or taken from another store); the principal's next finding opens a second incident beside this one instead of joining it. Restore the secret this incident was recorded with from a backup of the store`,
      });
  }
  return problems;
}

/** Whether the incident still needs the store's secret: open (the principal's next finding joins it), or holding a finding record not minimised. */
function needsSecret(raw: RawIncident): boolean {
  try {
    if ((JSON.parse(raw.record?.data ?? '{}') as { state?: unknown }).state !== 'closed') return true;
    return raw.findings.some((row) => row.incidentId === raw.id && (JSON.parse(row.data) as { minimised?: unknown }).minimised === undefined);
  } catch {
    return true; // a damaged record is named by the audit; this one is named too
  }
}

/** Every id the incident record holds a resource by (its resource, related resources, and the ids at the end of its keys); null when unreadable (the audit names it). */
function heldIds(raw: RawIncident): Set<string> | null {
  if (!raw.record) return null;
  let incident: { resource?: AffectedResource; resources?: AffectedResource[]; resourceKey?: string; resourceKeys?: string[] };
  try {
    incident = JSON.parse(raw.record.data);
  } catch {
    return null;
  }
  const out = new Set<string>();
  if (typeof incident?.resource?.id === 'string') out.add(incident.resource.id);
  for (const r of Array.isArray(incident?.resources) ? incident.resources : []) if (typeof r?.id === 'string') out.add(r.id);
  // A key ends with the resource's id (`kind:account:region:id`); a pseudonym's is its last two parts.
  for (const k of [incident?.resourceKey, ...(Array.isArray(incident?.resourceKeys) ? incident.resourceKeys : [])])
    if (typeof k === 'string') out.add(k.split(':').slice(-2).join(':'));
  return out;
}

/**
 * The key of a finding record of the incident, not minimised, naming a principal the incident holds
 * by a pseudonym of its kind but not by the one `secret` makes (nor, as a record written before
 * fed16 holds it, by the principal itself); undefined when there is none.
 */
function otherSecretFinding(raw: RawIncident, held: Set<string>, pseudonyms: string[], secret: Buffer): string | undefined {
  for (const row of raw.findings) {
    if (row.incidentId !== raw.id) continue;
    let record: { key?: { findingId?: unknown }; detail?: unknown; minimised?: unknown };
    try {
      record = JSON.parse(row.data);
    } catch {
      continue; // a damaged record is named by the audit
    }
    if (record?.minimised !== undefined || typeof record?.detail !== 'object' || record.detail === null) continue;
    let principals: Map<string, string>;
    try {
      principals = pseudonymisedPrincipals(readResourceFacts(record.detail as Record<string, unknown>, String(record.key?.findingId ?? '')));
    } catch {
      continue; // a finding refused as it is now was never pseudonymised
    }
    for (const [principal, prefix] of principals) {
      if (held.has(principal) || held.has(principalPseudonym(secret, principal, prefix))) continue;
      if (pseudonyms.some((p) => p.startsWith(`${prefix}:`))) return row.key;
    }
  }
  return undefined;
}

/**
 * `pseudonymKeyProblems` for the incidents `status` lists: only those naming someone by a pseudonym
 * are read as stored (none, as a rule), so status reads nothing more for every other incident.
 */
export async function pseudonymSecretProblems(
  audit: Pick<AuditSource, 'rawIncident' | 'storedPseudonymKey' | 'describe'>,
  incidents: Pick<Incident, 'id' | 'resource' | 'resources'>[],
): Promise<PseudonymProblem[]> {
  const named = incidents.filter((i) => isStoreWidePseudonym(i.resource.id) || (i.resources ?? []).some((r) => isStoreWidePseudonym(r.id)));
  if (named.length === 0) return [];
  const raws = new Map<string, RawIncident>();
  for (const i of named) raws.set(i.id, await audit.rawIncident(i.id));
  return pseudonymKeyProblems(
    raws,
    named.map((i) => i.id),
    await audit.storedPseudonymKey(),
    audit.describe(),
  );
}
