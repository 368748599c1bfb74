/**
 * The operational fields of a stored incident record that `datalek verify` holds to its timeline
 * (tl28b, atk28), beside its clock, the FG's decisions, the facts and the containment
 * (core/audit.ts checkRecordAgainstTimeline, core/audit-record.ts). None of them is a legal field,
 * but each, edited behind the pipeline and declared by one ledger entry appended after the last
 * digest, silenced the sweep, split a breach or let evidence go with nothing on the timeline: the
 * retention hold (minimise then removes the held findings). Read from the stored text: nothing here
 * trusts a row, and a row that does not parse is skipped (the audit reports it on its own).
 */

import type { Row } from './audit-record.js';
import { canonicalJson } from './hash.js';
import { withOwnPseudonyms } from './incident-pseudonyms.js';
import { holdByTimeline } from './retention-hold.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Holds the record's operational fields to what its timeline gives; each problem found goes to `add`. */
export function checkOpsFieldsAgainstTimeline(record: Record<string, unknown>, timeline: readonly Row[], add: (problem: string) => void): void {
  const key = typeof record.pseudonymKey === 'string' ? record.pseudonymKey : undefined;
  checkRetentionHold(record, timeline, key, add);
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
