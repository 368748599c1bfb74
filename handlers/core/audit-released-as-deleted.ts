/**
 * A release recorded as of an IAM user deleted (`released.userDeleted`: `datalek release --user-deleted`,
 * core/release.ts, rel28) that `datalek verify` holds to its timeline. The record's word ends what
 * drift reads of the action for good, so a policy left on a user renamed would no longer be read:
 * planted on the record alone, the release's own `containment-released` entry does not say it. Read
 * from the stored text, as the other checks of core/audit.ts; named by place and type, never by the
 * target (a user's pseudonym).
 */
import { detailOf, type Row } from './audit-record.js';
import { withOwnPseudonyms } from './incident-pseudonyms.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Each action the record says was released as its user deleted must have a `containment-released` entry saying so; each problem goes to `add`. */
export function checkReleasedAsDeletedAgainstTimeline(record: Record<string, unknown>, timeline: readonly Row[], add: (problem: string) => void): void {
  const actions = Array.isArray(record.actions) ? record.actions : [];
  const key = typeof record.pseudonymKey === 'string' ? record.pseudonymKey : undefined;
  const given = new Set<string>();
  for (const row of timeline) {
    if (row.kind !== 'containment-released') continue;
    const d = detailOf(row);
    if (d?.userDeleted === true) given.add(`${String(d.action)} ${String(d.target)}`);
  }
  actions.forEach((a, i) => {
    if (!isObject(a) || !isObject(a.released) || a.released.userDeleted === undefined) return;
    if (a.released.userDeleted === true && given.has(`${String(a.type)} ${withOwnPseudonyms(key, String(a.target))}`)) return;
    add(
      `its containment action ${i + 1} (${String(a.type)}) reads released as its IAM user deleted, but its timeline gives no such release: it was changed behind the pipeline, and drift no longer reads what a user renamed may still hold`,
    );
  });
}
