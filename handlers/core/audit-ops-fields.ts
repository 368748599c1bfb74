/**
 * The operational fields of a stored incident record that `datalek verify` holds to its timeline
 * (tl28b, atk28), beside its clock, the FG's decisions, the facts and the containment
 * (core/audit.ts checkRecordAgainstTimeline, core/audit-record.ts). None of them is a legal field,
 * but each, edited behind the pipeline and declared by one ledger entry appended after the last
 * digest, silenced the sweep, split a breach or let evidence go with nothing on the timeline: the
 * retention hold (minimise then removes the held findings). Read from the stored text: nothing here
 * trusts a row, and a row that does not parse is skipped (the audit reports it on its own).
 */

import type { AuditProblem, RawIncident } from './audit.js';
import { detailOf, type Row, storedRecordOf } from './audit-record.js';
import { canonicalJson } from './hash.js';
import { withOwnPseudonyms } from './incident-pseudonyms.js';
import { leasePlanted, MAX_LEASE_MS } from './lease-bound.js';
import { holdByTimeline } from './retention-hold-timeline.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Holds the record's operational fields to what its timeline gives; each problem found goes to `add`. */
export function checkOpsFieldsAgainstTimeline(record: Record<string, unknown>, timeline: readonly Row[], add: (problem: string) => void): void {
  const key = typeof record.pseudonymKey === 'string' ? record.pseudonymKey : undefined;
  checkRetentionHold(record, timeline, key, add);
  checkTakenAt(record, timeline, add);
  checkResourceKeys(record, timeline, key, add);
}

/** The entries that say which resources an incident holds beside its own: the opening's, also none (tl29). */
const OPENINGS = new Set(['incident-opened', 'incident-opened-by-hand']);

/**
 * The resources an open incident holds beside its own (`resourceKeys`), which decide where a finding
 * on them goes, must be those its timeline claimed: the opening's `resourceKeys` and every later
 * entry's `claimedKeys` (record-finding.ts noteClaimed; no command gives one back while it is open).
 * Taken off the record with its claim, the next finding on it opened a second incident beside this
 * one, the breach's record split; planted, findings on another resource are captured (atk28 F17).
 * A record whose opening did not say them (written before) is not judged; a closed one holds nothing.
 * Named by count and kind, never by key (a key ends with a principal's pseudonym).
 */
function checkResourceKeys(record: Record<string, unknown>, timeline: readonly Row[], key: string | undefined, add: (problem: string) => void): void {
  if (record.state === 'closed') return;
  let given: Set<string> | null = null;
  for (const row of timeline) {
    const d = detailOf(row);
    if (!d) continue;
    if (OPENINGS.has(String(row.kind)) && Array.isArray(d.resourceKeys)) given = new Set(d.resourceKeys.map(String));
    else if (given && Array.isArray(d.claimedKeys)) for (const k of d.claimedKeys) given.add(String(k));
  }
  if (!given) return;
  const claimed = given;
  const held = new Set((Array.isArray(record.resourceKeys) ? record.resourceKeys : []).map((k) => withOwnPseudonyms(key, String(k))));
  const kinds = (keys: string[]) => [...new Set(keys.map((k) => k.split(':')[0]))].join(', ');
  const lost = [...claimed].filter((k) => !held.has(k));
  if (lost.length)
    add(
      `its timeline claimed resources the record no longer holds (${lost.length}: ${kinds(lost)}): taken off behind the pipeline, with no entry giving them back; a finding on them opens a second incident beside this one`,
    );
  const planted = [...held].filter((k) => !claimed.has(k));
  if (planted.length)
    add(
      `it holds resources its timeline never claimed (${planted.length}: ${kinds(planted)}): added behind the pipeline, with no entry claiming them; findings on them are captured by this incident`,
    );
}

const HOLD_FIELDS = ['at', 'by', 'reason'] as const;

/**
 * The retention hold must be the one the hold and release entries give (atk28 F8): taken off the
 * record alone, the next minimise run removed the findings the FG held for a court case.
 */
function checkRetentionHold(record: Record<string, unknown>, timeline: readonly Row[], key: string | undefined, add: (problem: string) => void): void {
  const given = holdByTimeline(timeline);
  const held = record.retentionHold;
  if (held === undefined || held === null) {
    if (given)
      add(
        `it holds no retention hold, but its timeline gives one (entry ${given.seq}): it was taken off behind the pipeline, and minimise would remove the findings the FG held`,
      );
    return;
  }
  if (!given) {
    add('it holds a retention hold, but its timeline gives none: it was placed behind the pipeline, with no entry saying who held the findings or why');
    return;
  }
  const own = withOwnPseudonyms(key, isObject(held) ? held : {});
  const differ = HOLD_FIELDS.filter((f) => canonicalJson(own[f] ?? null) !== canonicalJson(given[f]));
  if (differ.length)
    add(
      `its retention hold (${differ.join(', ')}) is not the one its timeline gives (entry ${given.seq}): it was changed behind the pipeline, with no entry saying who held the findings or why`,
    );
}

/**
 * When a person last took the repeated page of an interface left open (`exposedTakenAt`), or the
 * alerts of containment not planned (`notPlannedTakenAt`): each is set by an 'alert-acknowledged'
 * entry that names what it took (`interfaces`, `alerts`) at its time (acknowledge.ts). Planted ahead
 * (2099) on the record alone, the repeat stopped and those alerts no longer held a merge (atk28 F14).
 */
const TAKEN = [
  { field: 'exposedTakenAt', names: 'interfaces' },
  { field: 'notPlannedTakenAt', names: 'alerts' },
] as const;

function checkTakenAt(record: Record<string, unknown>, timeline: readonly Row[], add: (problem: string) => void): void {
  for (const { field, names } of TAKEN) {
    let given: string | null = null;
    for (const row of timeline) {
      if (row.kind !== 'alert-acknowledged') continue;
      const d = detailOf(row);
      if (d && Array.isArray(d[names])) given = String(row.at);
    }
    const held = record[field] ?? null;
    if (held !== given)
      add(
        `its ${field} (${held === null ? 'none' : String(held)}) is not the time its timeline gives (${given ?? 'none'}): it was set behind the pipeline, with no acknowledging entry, which stops a page repeated until a person takes it`,
      );
  }
}

/**
 * A containment lease that runs out later than any run could have made it at `now` (lease-bound.ts):
 * no run wrote it. Planted until 2099 behind the pipeline, every containment run of the incident and
 * the person's `contained` waited for it, its resource open (atk28 F14). A lease is not in the
 * timeline (taking one is not a change a person makes), so it is judged by time, as a message's claim is.
 */
export function auditContainmentLease(raw: RawIncident, now: string): AuditProblem[] {
  const record = storedRecordOf(raw);
  const lease = isObject(record) ? record.containmentLease : null;
  if (!isObject(lease) || !leasePlanted({ until: lease.until }, now)) return [];
  return [
    {
      incidentId: raw.id,
      entry: 'record',
      problem: `its containment lease runs until ${String(lease.until)}, longer than any containment run holds one (${MAX_LEASE_MS / 60_000} minutes from ${now}): no run wrote it, it was set behind the pipeline; every containment of the incident, a person's included, would wait for it`,
    },
  ];
}
