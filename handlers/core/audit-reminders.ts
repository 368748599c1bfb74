/**
 * What the sweep and the pipeline remember having told, held by `datalek verify` to what the ledger
 * and the timeline record told (tl29, atk28 F2 and F13): each reminder track's last due time
 * (`reminders.byClock`) and each announcement mark (`announced`). The schedule and the pipeline read
 * a mark as done: one planted on the record behind the pipeline, declared by one ledger entry
 * appended after the last digest, hashed true while that track's reminders, or a rise to Critical,
 * were told to nobody. Read from the stored text: nothing here trusts a row, and a row that does not
 * parse is skipped (the audit reports it on its own).
 */

import type { AuditProblem, RawIncident } from './audit.js';
import { detailOf, notBeyond, type Row, storedRecordOf } from './audit-record.js';
import { LEASE_SKEW_MS } from './lease-bound.js';
import { EXPOSED_REPEAT_TRACK, LEFT_CHECK_TRACK, LEFT_FAILED_PREFIX } from './reminder-tracks.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shown = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));

/**
 * The reminder track a 'notification-queued' entry of the sweep announced, or null: its message id is
 * `${incident}/${channel}/${track}:${kind}:${dueAt}` (core/sweep.ts). The exposed interfaces' repeat
 * the sweep named in its summary instead has the summary's id (or none): its entry says it by kind.
 */
function trackOf(d: Record<string, unknown>): string | null {
  if (typeof d.dueAt !== 'string') return null;
  const id = typeof d.messageId === 'string' ? d.messageId : '';
  const second = id.indexOf('/', id.indexOf('/') + 1);
  const stateKey = second > 0 ? id.slice(second + 1) : '';
  const tail = `:${String(d.messageKind)}:${d.dueAt}`;
  if (stateKey.length > tail.length && stateKey.endsWith(tail)) return stateKey.slice(0, -tail.length);
  return d.messageKind === 'interface-exposed' && d.exposed === undefined ? EXPOSED_REPEAT_TRACK : null;
}

/**
 * Each reminder track's last due time on the record (`reminders.byClock`: another clock's, the
 * follow-up, the Art. 34 decision, the nudge to notify, the review, the exposed interfaces' repeat)
 * must be no later than the last its timeline records queued: the sweep sets it only as it queues
 * that track's reminder, with a 'notification-queued' entry for each channel (core/sweep.ts). Marked
 * weeks ahead, the schedule finds nothing due on the track until then, and the incident's due time
 * agrees. Judged in the direction that silences; named by track and time, no personal data. The
 * sweep's check of the holders of actions left elsewhere writes no entry: judged by time
 * (`auditLeftCheck`); a holder's failure told (`left-failed:*`) by its 'containment-failed' entry.
 */
export function checkReminderTracksAgainstTimeline(record: Record<string, unknown>, timeline: readonly Row[], add: (problem: string) => void): void {
  const byClock = isObject(record.reminders) ? record.reminders.byClock : undefined;
  if (!isObject(byClock)) return;
  const last = new Map<string, string>();
  for (const row of timeline) {
    if (row.kind !== 'notification-queued') continue;
    const d = detailOf(row);
    const track = d ? trackOf(d) : null;
    if (!d || track === null) continue;
    const before = last.get(track);
    if (before === undefined || Date.parse(d.dueAt as string) > Date.parse(before)) last.set(track, d.dueAt as string);
  }
  for (const [track, mark] of Object.entries(byClock)) {
    if (track === LEFT_CHECK_TRACK) continue;
    if (track.startsWith(LEFT_FAILED_PREFIX)) {
      checkLeftFailed(record, timeline, track.slice(LEFT_FAILED_PREFIX.length), mark, add);
      continue;
    }
    const queued = last.get(track) ?? null;
    if (notBeyond(mark, queued)) continue;
    add(
      `its ${track} reminders are marked announced up to ${shown(mark)}, later than the last its timeline records queued (${queued ?? 'none'}): the sweep sends none of them until then. It was changed behind the pipeline`,
    );
  }
}

/**
 * A holder's failure of an action this incident left to it, marked told (core/contain.ts
 * tellFailedAtHolders): the sweep tells it once, with a 'containment-failed' entry giving the
 * failure's time (`failedAt`) that the mark holds. Planted at that time with no such entry, the
 * sweep reads the failure as told, and the resource left to a holder that failed it stays open untold.
 */
function checkLeftFailed(record: Record<string, unknown>, timeline: readonly Row[], actionId: string, mark: unknown, add: (problem: string) => void): void {
  const action = (Array.isArray(record.actions) ? record.actions : []).find((a) => isObject(a) && a.id === actionId);
  const type = isObject(action) ? String(action.type) : actionId.split(':')[0];
  const told = timeline.some((row) => {
    if (row.kind !== 'containment-failed') return false;
    const d = detailOf(row);
    return d !== null && d.failedAt === mark && d.action === type;
  });
  if (!told)
    add(
      `its holder's failure of a left action (${type}) is marked told at ${shown(mark)}, but no entry of its timeline tells one then: the sweep tells that failure to nobody, the resource left open. It was changed behind the pipeline`,
    );
}

/**
 * How far a sweep's clock may run ahead of verify's: a person's `--now` may lie a few minutes ahead of
 * the machine's clock (cli/context.ts NOW_SKEW_MINUTES), and machines' clocks differ (LEASE_SKEW_MS).
 */
const SWEEP_AHEAD_MS = 5 * 60_000 + LEASE_SKEW_MS;

/**
 * The sweep's last check of the holders of actions this incident left to others (`left-to-closed`,
 * core/schedule.ts leftCheckDueAt) is the sweep's own time, with no entry (a check that finds nothing
 * writes none): judged by time, as a containment lease is. Planted ahead (2099), a holder closed
 * without containing what was left to it is not found until then, and the resource stays open.
 */
export function auditLeftCheck(raw: RawIncident, now: string): AuditProblem[] {
  const record = storedRecordOf(raw);
  const byClock = isObject(record) && isObject(record.reminders) ? record.reminders.byClock : undefined;
  if (!isObject(byClock) || !(LEFT_CHECK_TRACK in byClock)) return [];
  const mark = byClock[LEFT_CHECK_TRACK];
  if (notBeyond(mark, new Date(Date.parse(now) + SWEEP_AHEAD_MS).toISOString())) return [];
  return [
    {
      incidentId: raw.id,
      entry: 'record',
      problem: `its last check of the holders of actions left to other incidents is marked at ${shown(mark)}, later than ${now} (this verify's clock, ${SWEEP_AHEAD_MS / 60_000} minutes' skew allowed): no sweep made it, it was set behind the pipeline; a holder closed without containing what was left to it is not found until long after`,
    },
  ];
}

/**
 * The kinds of message the pipeline queues for an announcement mark (core/record-finding.ts announce,
 * linkOn and the FG's messages beside them; core/open-by-hand.ts): each is queued as the mark
 * `${channel}:${stateKey}` is set, its id `${incident}/${channel}/${stateKey}` (core/messages.ts).
 */
const ANNOUNCING_KINDS = new Set([
  'opened',
  'severity-raised',
  'finding-added',
  'incident-linked',
  'not-done-held',
  'detection-moved-earlier',
  'finding-types-not-listed',
  'clock-running',
]);

/**
 * Every announcement mark on the record (`announced`, `channel:stateKey`) must have its message in the
 * ledger (atk28 F13): the pipeline sets a mark only as it queues that message, and reads a mark as told,
 * so one planted (`fg:band:Critical`) keeps a rise to Critical from the FG and on-call. The marks set
 * with no message of their own: opening by hand (`fg:opened`, `on-call:opened`: whoever opened it has
 * it), and on-call's mark of containment not planned, set beside the page that says so, which only an
 * incident whose record ran out of room for actions has (its 'containment-not-planned' entry). And
 * every announcement the timeline records queued must still be marked: taken off, the pipeline
 * announces it again, and a numbered one (`resources:N`) is queued under an id the ledger holds already.
 */
export function checkAnnouncedAgainstQueued(
  record: Record<string, unknown>,
  incidentId: string,
  queued: ReadonlyMap<string, unknown>,
  timeline: readonly Row[],
  add: (problem: string) => void,
): void {
  const marks = Array.isArray(record.announced) ? record.announced : [];
  const byHand = timeline.some((row) => row.kind === 'incident-opened-by-hand');
  const roomRanOut = timeline.some((row) => row.kind === 'containment-not-planned');
  for (const mark of marks) {
    const text = String(mark);
    const colon = text.indexOf(':');
    const id = `${incidentId}/${text.slice(0, colon)}/${text.slice(colon + 1)}`;
    if (typeof mark === 'string' && colon > 0 && queued.has(id)) continue;
    if (byHand && (mark === 'fg:opened' || mark === 'on-call:opened')) continue;
    if (roomRanOut && text.startsWith('on-call:not-planned:')) continue;
    add(
      `its announcement ${shown(mark)} is marked made, but no message ${id} was queued: the pipeline reads it as told and tells nobody of it. It was changed behind the pipeline`,
    );
  }
  const held = new Set(marks);
  for (const row of timeline) {
    if (row.kind !== 'notification-queued') continue;
    const d = detailOf(row);
    if (!d || !ANNOUNCING_KINDS.has(String(d.messageKind)) || typeof d.messageId !== 'string' || !d.messageId.startsWith(`${incidentId}/`)) continue;
    const [channel, ...stateKey] = d.messageId.slice(incidentId.length + 1).split('/');
    if (held.has(`${channel}:${stateKey.join('/')}`)) continue;
    add(
      `its message ${d.messageId} was queued (entry ${row.seq}), but the record no longer marks it announced: it was taken off behind the pipeline, and the pipeline would announce it again`,
    );
  }
}
