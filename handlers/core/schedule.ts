/**
 * What falls due when: reminders of the AP deadline to the FG, of every other running clock (each
 * its own track and its own message), the nudge to notify once the assessment says notifiable, and
 * escalation pages until someone acknowledges. Each is sent once: an incident remembers the last due time it announced per track,
 * and when several have passed unseen (a sweep that did not run for a day, a replay of old events)
 * only the latest is sent, so nobody gets a burst of stale reminders.
 */
import { apInternalTarget, apLegalDeadline, withdrawnNotification } from './ap-verdict.js';
import {
  apClockRunning,
  apFollowUpLeftAtClosing,
  apFollowUpOwed,
  type ClockName,
  contradictedAfterClosing,
  dutyLeftAtClosing,
  owedAnew,
  riskFollowUpOwed,
  runningOtherClocks,
  subjectsDecisionNeeded,
  subscribersDecisionNeeded,
} from './clocks.js';
import {
  exposedAlertKey,
  exposedInterfaces,
  exposedSince,
  type Incident,
  initialReport,
  type PagerState,
  pagerAckByNoPerson,
  subscribersWithoutAp,
} from './incident.js';
import type { MessageKind } from './messages.js';
import type { Policy } from './policy.js';
import { EXPOSED_REPEAT_TRACK, LEFT_CHECK_TRACK } from './reminder-tracks.js';
import { severityBand } from './severity.js';
import { HOUR_MS, MINUTE_MS } from './time.js';

export interface DueItem {
  /** `ap`, `page`, or the key of another clock's reminders (`clock:nis2-early-warning`, `follow-up`, `follow-up-risk`, `subjects`, `subscribers`, `notify-nudge`, `review`). */
  track: string;
  kind: Extract<
    MessageKind,
    | 'ap-reminder'
    | 'ap-overdue'
    | 'ap-owed-anew'
    | 'page'
    | 'clock-reminder'
    | 'clock-overdue'
    | 'follow-up-reminder'
    | 'subjects-reminder'
    | 'notify-nudge'
    | 'review-reminder'
    | 'contradiction-reminder'
    | 'interface-exposed'
  >;
  /** For another clock: which one. */
  clock?: ClockName;
  dueAt: string;
  /** For pages: the escalation level, its channel and the round (0 is the first). */
  level?: string;
  channel?: 'fg' | 'on-call';
  round?: number;
  /** Held by quiet hours (never for a Critical incident): recorded, not sent. */
  held?: boolean;
  /** For `interface-exposed` (track `exposed`): the interface whose alert is raised again. */
  exposed?: string;
}

interface Track {
  track: string;
  clock?: ClockName;
  /** Whose it is, when not the FG's. */
  channel?: 'on-call';
  /** The latest scheduled time at or before `t`, with its kind; null when none. */
  latestAtOrBefore(t: number): { at: number; kind: DueItem['kind'] } | null;
  /** The first scheduled time strictly after `t`; null when none. */
  firstAfter(t: number): number | null;
  lastDueAt: string | null;
}

function deadlineTrack(
  key: string,
  deadlineIso: string,
  windowHours: number,
  policy: Policy,
  lastDueAt: string | null,
  kinds: { before: DueItem['kind']; overdue: DueItem['kind'] },
  clock?: ClockName,
  targetIso?: string,
): Track {
  const deadline = Date.parse(deadlineIso);
  const hours = policy.reminders.beforeDeadlineHours.filter((h) => h < windowHours);
  // An internal target before the deadline (the AP's, review12 S3): reminded before it and at it, then before the deadline.
  const target = targetIso === undefined ? null : Date.parse(targetIso);
  const points =
    target === null
      ? hours.map((h) => deadline - h * HOUR_MS)
      : [...hours.map((h) => target - h * HOUR_MS), target, ...hours.map((h) => deadline - h * HOUR_MS)];
  const before = [...new Set(points)].filter((x) => x < deadline).sort((a, b) => a - b);
  const step = policy.reminders.overdueEveryHours * HOUR_MS;
  return {
    track: key,
    clock,
    lastDueAt,
    latestAtOrBefore(t) {
      if (t >= deadline) return { at: deadline + Math.floor((t - deadline) / step) * step, kind: kinds.overdue };
      const past = before.filter((x) => x <= t);
      return past.length ? { at: past[past.length - 1], kind: kinds.before } : null;
    },
    firstAfter(t) {
      const next = before.find((x) => x > t);
      if (next !== undefined) return next;
      return t < deadline ? deadline : deadline + (Math.floor((t - deadline) / step) + 1) * step;
    },
  };
}

/** A reminder every `everyHours` from `fromIso` on, while something is left undone. */
function periodicTrack(key: string, fromIso: string, everyHours: number, lastDueAt: string | null, kind: DueItem['kind'], clock?: ClockName): Track {
  const from = Date.parse(fromIso);
  const step = everyHours * HOUR_MS;
  return {
    track: key,
    clock,
    lastDueAt,
    latestAtOrBefore(t) {
      return t < from + step ? null : { at: from + Math.floor((t - from) / step) * step, kind };
    },
    firstAfter(t) {
      return t < from + step ? from + step : from + (Math.floor((t - from) / step) + 1) * step;
    },
  };
}

/** One message at `atIso`, once. */
function onceTrack(key: string, atIso: string, lastDueAt: string | null, kind: DueItem['kind']): Track {
  const at = Date.parse(atIso);
  return {
    track: key,
    lastDueAt,
    latestAtOrBefore: (t) => (t >= at ? { at, kind } : null),
    firstAfter: (t) => (t < at ? at : null),
  };
}

function apTrack(incident: Incident, policy: Policy): Track | null {
  const legal = apLegalDeadline(incident);
  if (!apClockRunning(incident, policy) || !legal) return null;
  // Overdue from the law's deadline; an internal target is reminded before and at it (review12 S3).
  // A notification withdrawn and owed anew is neither approaching nor overdue: the AP had the first one,
  // which the verdict rests on, and Art. 33(4) gives the one anew no hours of its own. Its reminders keep
  // the track's times under a kind of their own, so the sweep's JSON, the message attribute and the
  // timeline never call it overdue (law28, s28).
  const kinds = owedAnew(incident, policy)
    ? ({ before: 'ap-owed-anew', overdue: 'ap-owed-anew' } as const)
    : ({ before: 'ap-reminder', overdue: 'ap-overdue' } as const);
  return deadlineTrack('ap', legal, Number.POSITIVE_INFINITY, policy, incident.reminders.lastDueAt, kinds, undefined, apInternalTarget(incident)?.at);
}

/** The other clocks' reminders, the follow-up while facts are incomplete, and the Art. 34 decision. */
function otherTracks(incident: Incident, policy: Policy): Track[] {
  // Closing ends them, except the Art. 34 decision (and the nudge to notify) of an assessment changed
  // after closing, and the telecom / NIS2 reports closing left running with its reason (review7 G9).
  const closed = incident.state === 'closed';
  if ((closed && !dutyLeftAtClosing(incident, policy)) || incident.sample) return [];
  const out: Track[] = [];
  // The clocks' status does not depend on `now` for what is running; any time gives the same list.
  for (const c of runningOtherClocks(incident, policy, incident.detectedAt)) {
    const key = `clock:${c.name}`;
    const window = c.startsAt && c.dueAt ? (Date.parse(c.dueAt) - Date.parse(c.startsAt)) / HOUR_MS : Number.POSITIVE_INFINITY;
    out.push(deadlineTrack(key, c.dueAt as string, window, policy, lastDue(incident, key), { before: 'clock-reminder', overdue: 'clock-overdue' }, c.name));
  }
  // The notification in force: none after a withdrawal, a notification made anew after one (review11 A2).
  const initial = initialReport(incident);
  // Until the AP has the complete facts (Art. 33(4)): facts completed in datalek alone leave the AP with the first phase.
  // Closed: only while the AP still holds a first phase made after closing (clocks.ts apFollowUpLeftAtClosing).
  const owed = apFollowUpOwed(incident, policy);
  // Art. 33(3)(c), (4): a high risk assessed after the AP's last report, not yet told to it nor reasoned away (law28).
  // One follow-up answers both: while it is owed, the first phase's track is not reminded beside it (the
  // reminder's text says both, messages.ts apFollowUpState), else the FG had two reminders a period.
  const raised = riskFollowUpOwed(incident, policy);
  if (!raised && initial && (closed ? owed && apFollowUpLeftAtClosing(incident) : !incident.facts?.complete || owed)) {
    out.push(periodicTrack('follow-up', initial.at, policy.reminders.followUpEveryHours, lastDue(incident, 'follow-up'), 'follow-up-reminder'));
  }
  if (raised) {
    out.push(periodicTrack('follow-up-risk', raised.raisedAt, policy.reminders.followUpEveryHours, lastDue(incident, 'follow-up-risk'), 'follow-up-reminder'));
  }
  if (subjectsDecisionNeeded(incident, policy) && !incident.subjects && incident.assessment) {
    out.push(
      periodicTrack('subjects', incident.assessment.at, policy.reminders.subjectsEveryHours, lastDue(incident, 'subjects'), 'subjects-reminder', 'subjects'),
    );
  }
  // An exception for unintelligible data without the AP's agreement settles nothing (Regulation 611/2013 art. 4(1)): reminded as no decision is.
  if (subscribersDecisionNeeded(incident, policy) && (!incident.subscribers || subscribersWithoutAp(incident.subscribers)) && incident.assessment) {
    out.push(
      periodicTrack(
        'subscribers',
        incident.assessment.at,
        policy.reminders.subjectsEveryHours,
        lastDue(incident, 'subscribers'),
        'subjects-reminder',
        'telecom-subscribers',
      ),
    );
  }
  // A finding of a new type came after the FG's assessment: the assessment may no longer hold
  // (Art. 33(1), 33(5)), and an AP clock it stopped may have to run again, from an awareness that
  // lies hours back. Reminded as often as an overdue clock, until an assessment is recorded after it.
  if (incident.reviewAsked && reviewPending(incident)) {
    out.push(periodicTrack('review', incident.reviewAsked.at, policy.reminders.overdueEveryHours, lastDue(incident, 'review'), 'review-reminder'));
  }
  // Facts recorded after closing contradict the assessment (review7 Y14): reminded as a review is,
  // from when the facts were last recorded, until the FG assesses again after closing.
  if (contradictedAfterClosing(incident)) {
    const since = incident.facts?.updatedAt ?? (incident.closedAt as string);
    out.push(periodicTrack('contradiction', since, policy.reminders.overdueEveryHours, lastDue(incident, 'contradiction'), 'contradiction-reminder'));
  }
  // Art. 33(1): "without undue delay"; the 72 hours are the limit. Once the assessment says
  // notifiable, a report is expected within a day; if none follows, the FG is nudged once. Not
  // after the internal target where the policy sets one (the organisation's choice, kept on
  // purpose, fg15): the target's own reminder, then the law's deadline's, take over from there.
  // Not once a notification was made and withdrawn (owed anew): its text, "no notification to the AP
  // is recorded yet", is then false, and the AP clock's owed-anew reminder asks for it (red27 #3).
  const notifiableSince = firstNotifiableAt(incident);
  const nudgeUntil = apInternalTarget(incident)?.at ?? incident.deadline;
  if (notifiableSince && apClockRunning(incident, policy) && nudgeUntil && !withdrawnNotification(incident)) {
    const nudgeAt = new Date(Date.parse(notifiableSince) + policy.reminders.notifyNudgeHours * HOUR_MS).toISOString();
    if (nudgeAt < nudgeUntil) out.push(onceTrack('notify-nudge', nudgeAt, lastDue(incident, 'notify-nudge'), 'notify-nudge'));
  }
  return out;
}

/** The last due time a clock's track announced (a function, not a closure made per call: see `Escalation`). */
function lastDue(incident: Incident, key: string): string | null {
  return incident.reminders.byClock?.[key] ?? null;
}

/**
 * Whether the FG was asked to review the assessment (a finding of a new type came after it) and
 * has recorded no assessment since. A closed or sample incident asks nothing.
 */
export function reviewPending(incident: Incident): boolean {
  const ask = incident.reviewAsked;
  if (!ask || incident.state === 'closed' || incident.sample) return false;
  return !(incident.decisions ?? []).slice(ask.decisions).some((d) => d.kind === 'assessment');
}

/** When an assessment first said the breach is notifiable. */
function firstNotifiableAt(incident: Incident): string | null {
  const first = (incident.decisions ?? []).find((d) => d.kind === 'assessment' && d.notifiable);
  if (first) return first.recordedAt;
  return incident.assessment?.notifiable ? incident.assessment.at : null;
}

/**
 * The escalation: the pages of every level and round after the opening page, until acknowledged.
 * Plain data read by `pageAt` and `pageAfter` (functions of their own rather than closures made per
 * call: the build's keepNames names each closure as it is made, a microsecond each).
 */
interface Escalation {
  levels: Policy['onCall']['escalation']['levels'];
  /** The opening page, in ms. */
  first: number;
  roundMs: number;
}

/**
 * Whether nobody took the incident yet: no person acknowledged it, and it is neither closed nor a
 * sample. The FG's state (assessed, reported) says nothing about it: the FG's assessment is the
 * legal side, not on-call's page (review12 K6: read as `state === 'open'`, an assessment before
 * anyone acknowledged ended the escalation, and `status` counted the incident as taken).
 */
export function awaitsAcknowledgement(incident: Incident): boolean {
  return !incident.acknowledgedBy && incident.state !== 'closed' && !incident.sample;
}

/** What the list of incidents `datalek status` and the web overview show holds, counted once for both. */
export interface ListedCounts {
  open: number;
  unacked: number;
  /** Closed incidents listed because a duty is still owed (core/clocks.ts closedWithDuty). */
  owed: number;
}

export function listedCounts(listed: readonly Incident[]): ListedCounts {
  const open = listed.filter((i) => i.state !== 'closed').length;
  return { open, unacked: listed.filter(awaitsAcknowledgement).length, owed: listed.length - open };
}

/**
 * The count line in English, without the closing full stop: the same words on the CLI and the page,
 * so that neither reads "0 open incidents" above a closed incident whose AP notification is owed
 * (review15 Sb). `which` follows the owed part (status: where to see the duty).
 */
export function countLine(c: ListedCounts, which = ''): string {
  const owed = c.owed ? `; ${c.owed} closed with a duty still owed${which}` : '';
  return `${c.open} open incident${c.open === 1 ? '' : 's'}, ${c.unacked} not acknowledged${owed}`;
}

function escalation(incident: Incident, policy: Policy): Escalation | null {
  // Pages run until a person acknowledges; sample incidents are paged once, as a test, and never nag.
  if (!awaitsAcknowledgement(incident) || !incident.paging.firstPageAt) return null;
  // The pager (PagerDuty, Opsgenie) escalates an alert it took: datalek's levels would page twice.
  // When it could not take it (`failed`), datalek's own levels page instead.
  if (pagerEscalates(incident)) return null;
  const { levels, repeatAfterMinutes } = policy.onCall.escalation;
  const first = Date.parse(incident.paging.firstPageAt);
  const roundMs = (levels[levels.length - 1].afterMinutes + repeatAfterMinutes) * MINUTE_MS;
  return { levels, first, roundMs };
}

/** Nominal page times in order: (round 0, level 1), …, (round 1, level 0), … */
function pageAt(e: Escalation, round: number, level: number): number {
  return e.first + round * e.roundMs + e.levels[level].afterMinutes * MINUTE_MS;
}

/** The first (round, level) strictly after t, skipping the opening page (round 0, level 0). */
function pageAfter(e: Escalation, t: number): { round: number; level: number } {
  let round = Math.max(0, Math.floor((t - e.first) / e.roundMs));
  for (;;) {
    for (let level = 0; level < e.levels.length; level++) {
      if ((round > 0 || level > 0) && pageAt(e, round, level) > t) return { round, level };
    }
    round += 1;
  }
}

function pageItems(incident: Incident, policy: Policy, now: number): DueItem[] {
  const e = escalation(incident, policy);
  if (!e) return [];
  const last = incident.paging.lastDueAt ? Date.parse(incident.paging.lastDueAt) : Number.NEGATIVE_INFINITY;
  const items: DueItem[] = [];
  // Only the last round can still be sent (see below): start there, however long ago `last` was.
  let next = pageAfter(e, Math.max(Number.isFinite(last) ? last : Number.MIN_SAFE_INTEGER, now - e.roundMs));
  while (pageAt(e, next.round, next.level) <= now) {
    const level = e.levels[next.level];
    const t = pageAt(e, next.round, next.level);
    const held = level.respectQuietHours && severityBand(incident.severity) !== 'Critical' && inQuietHours(t, policy);
    items.push({ track: 'page', kind: 'page', dueAt: new Date(t).toISOString(), level: level.name, channel: level.channel, round: next.round, held });
    next = pageAfter(e, t);
  }
  // A sweep that did not run for a long time sends one round's worth, the latest, not a backlog.
  return items.slice(-e.levels.length);
}

function nextPageAt(incident: Incident, policy: Policy): number | null {
  const e = escalation(incident, policy);
  if (!e) return null;
  const last = incident.paging.lastDueAt ? Date.parse(incident.paging.lastDueAt) : Number.MIN_SAFE_INTEGER;
  const next = pageAfter(e, last);
  return pageAt(e, next.round, next.level);
}

/**
 * Whether the incident's own alert lives at the pager, whose escalation then replaces datalek's
 * levels: not before it was raised there (an exposed interface's alert is not it), not when the
 * pager failed it, nor once the alert there is resolved (an open incident nobody acknowledged then
 * pages again, and its next page asks the pager for a new alert), nor while it stands acknowledged
 * there by no person (the pager pages no more, and nobody took it: datalek pages through the topic).
 */
export function pagerEscalates(incident: Incident): boolean {
  const pager = incident.pager;
  return pager?.keys.includes(incident.id) === true && pager.state !== 'failed' && pager.state !== 'resolved' && !pagerAckByNoPerson(incident);
}

/**
 * When the page after `afterIso` goes out (a page held by quiet hours does not count): an
 * acknowledgement link is valid until then. Null when no further page will come (acknowledged,
 * closed, a sample, or escalated by the pager).
 */
export function nextPageAfter(incident: Incident, policy: Policy, afterIso: string): string | null {
  const e = escalation(incident, policy);
  if (!e) return null;
  let t = Date.parse(afterIso);
  // Bounded: a round has at most as many held levels as it has levels.
  for (let i = 0; i < e.levels.length * 2 + 2; i++) {
    const next = pageAfter(e, t);
    const at = pageAt(e, next.round, next.level);
    const level = e.levels[next.level];
    const held = level.respectQuietHours && severityBand(incident.severity) !== 'Critical' && inQuietHours(at, policy);
    if (!held) return new Date(at).toISOString();
    t = at;
  }
  return null;
}

/** The wall clock's HH:MM per time zone: made once (making one costs far more than formatting with it). */
const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** Whether `t` falls in the policy's quiet hours, read on the wall clock of its time zone. */
export function inQuietHours(t: number, policy: Policy): boolean {
  const quiet = policy.onCall.quietHours;
  if (!quiet) return false;
  let fmt = clockFormats.get(policy.timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-GB', { timeZone: policy.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    clockFormats.set(policy.timeZone, fmt);
  }
  const hm = fmt.format(new Date(t));
  const { from, to } = quiet;
  return from <= to ? hm >= from && hm < to : hm >= from || hm < to;
}

function tracks(incident: Incident, policy: Policy): Track[] {
  return [apTrack(incident, policy), ...otherTracks(incident, policy), exposedRepeatTrack(incident, policy)].filter((t): t is Track => t !== null);
}

/**
 * How often the sweep repeats an exposed interface's page on the on-call topic while nobody took
 * it: with SNS as the pager there is no alert to escalate, nor one the pager resolves on its own
 * for the sweep to raise again. Every sweep run (5 minutes) would bury on-call in pages; an
 * interface open to the internet cannot wait an hour: as long as the secondary's step in the
 * default escalation.
 */
export const EXPOSED_REPEAT_MINUTES = 15;

export { EXPOSED_REPEAT_TRACK, LEFT_CHECK_TRACK } from './reminder-tracks.js';

/**
 * Most repeated exposed pages one sweep sends, across incidents (core/sweep.ts): a fleet-wide
 * isolation failure would otherwise page on-call once per incident every EXPOSED_REPEAT_MINUTES.
 * The rest are named in one summary page, and follow in the next sweeps (one every 5 minutes).
 */
export const MAX_EXPOSED_REPEATS_PER_SWEEP = 5;

/**
 * A repeat that never went out and fell due longer ago than this is stale: a record from before
 * the repeat existed (an interface recorded open weeks ago, often closed by hand since), or sweeps
 * that did not run. It is not paged on its own: the sweep's summary names it once, and it repeats
 * from the next interval on. A sweep runs every 5 minutes, so a repeat of a live record is never
 * this late while sweeps run.
 */
export const EXPOSED_REPEAT_STALE_MINUTES = 60;

/**
 * The interfaces containment left open whose page went to the on-call topic (SNS as the pager, or
 * a pager that failed the incident or that interface's alert), and that nobody took since: nobody
 * acknowledged the incident after the step that left it open. Each with when that step was
 * recorded. (An acknowledgement from before is not of this page: the repeat goes on until the
 * record says the interface is isolated, or released.)
 */
export function exposedUntaken(incident: Incident, policy: Policy): { resource: string; at: string }[] {
  if (incident.sample || incident.state === 'closed') return [];
  const taken = [incident.acknowledgedAt, incident.exposedTakenAt].filter((t): t is string => typeof t === 'string');
  return exposedSince(incident).filter((e) => pagedOnTopic(incident, policy, e.resource) && !taken.some((t) => t >= e.at));
}

function pagedOnTopic(incident: Incident, policy: Policy, resource: string): boolean {
  if (policy.onCall.provider === 'sns' || incident.pager?.state === 'failed') return true;
  const key = exposedAlertKey(incident.id, resource);
  return incident.pager?.alerts?.some((a) => a.key === key && a.state === 'failed') === true;
}

/** When the first of these interfaces was left open (ISO times compare as text). */
export function openSince(open: readonly { at: string }[]): string {
  return open.map((e) => e.at).sort()[0];
}

/** Every EXPOSED_REPEAT_MINUTES from the earliest interface left open and not taken: one page for them all. */
function exposedRepeatTrack(incident: Incident, policy: Policy): Track | null {
  const open = exposedUntaken(incident, policy);
  if (open.length === 0) return null;
  const track = periodicTrack(EXPOSED_REPEAT_TRACK, openSince(open), EXPOSED_REPEAT_MINUTES / 60, lastDue(incident, EXPOSED_REPEAT_TRACK), 'interface-exposed');
  return { ...track, channel: 'on-call' };
}

/** What is due at `now` and not yet announced: at most one item per track, the latest. */
export function dueItems(incident: Incident, policy: Policy, now: string): DueItem[] {
  const t = Date.parse(now);
  const out: DueItem[] = [];
  for (const track of tracks(incident, policy)) {
    const latest = track.latestAtOrBefore(t);
    const last = track.lastDueAt ? Date.parse(track.lastDueAt) : Number.NEGATIVE_INFINITY;
    if (latest && latest.at > last) {
      out.push({
        track: track.track,
        kind: latest.kind,
        dueAt: new Date(latest.at).toISOString(),
        ...(track.clock ? { clock: track.clock } : {}),
        ...(track.channel ? { channel: track.channel } : {}),
      });
    }
  }
  out.push(...pageItems(incident, policy, t));
  out.push(...exposedAgainItems(incident, t));
  return out;
}

/**
 * Most exposed alerts one sweep raises again for one incident: each is a message and an entry of
 * its commit. The rest stay due, for the next sweep.
 */
export const MAX_EXPOSED_AGAIN = 10;

/**
 * The exposed interfaces' alerts the pager resolved on its own (core/pager.ts) that are to be
 * raised again: while the interface is still open to all traffic and the incident not closed.
 * (An interface isolated since, or an incident closed, has nothing left to page about.)
 */
export function exposedAgain(incident: Incident): NonNullable<PagerState['exposedAgain']> {
  const waiting = incident.pager?.exposedAgain;
  if (!waiting?.length || incident.sample || incident.state === 'closed') return [];
  const open = new Set(exposedInterfaces(incident));
  return waiting.filter((e) => open.has(e.resource));
}

/** An exposed interface keeps paging until a person handles it: each alert the pager resolved on its own is raised again, once. */
function exposedAgainItems(incident: Incident, now: number): DueItem[] {
  return exposedAgain(incident)
    .filter((e) => Date.parse(e.at) <= now)
    .slice(0, MAX_EXPOSED_AGAIN)
    .map((e) => ({ track: 'exposed', kind: 'interface-exposed' as const, dueAt: e.at, channel: 'on-call' as const, exposed: e.resource }));
}

/**
 * When containment outcomes a run recorded and did not tell (core/contain.ts `containmentUntold`:
 * the run stopped first, a timeout or a crash) fall to the sweep: once that run's lease has run out
 * (a run still holding it tells them itself when it ends); with no lease held, when the last of
 * them was recorded. Null when none are left untold.
 */
export function untoldOutcomesDueAt(incident: Incident): string | null {
  const untold = incident.containmentUntold;
  if (!untold?.length) return null;
  if (incident.containmentLease) return incident.containmentLease.until;
  const recorded = incident.actions.filter((a) => untold.includes(a.id)).map((a) => a.at);
  return recorded.sort().at(-1) ?? incident.detectedAt;
}

/**
 * How long after an action was left to another incident (and after each check since) the sweep reads
 * that incident (core/contain.ts `closedHolders`): a holder closed without containing it (a close
 * before the hand-back, or one racing the leave: review7 Y2, Y12) is then found within this time.
 */
export const LEFT_CHECK_MINUTES = 60;
/** The longest wait between two checks of the same holders (a closing hands back at once; the check is the fallback). */
export const LEFT_CHECK_MAX_MINUTES = 24 * 60;

/**
 * When the sweep is to check the holders of the incident's actions left to other incidents: once
 * LEFT_CHECK_MINUTES after the last was left, then each wait as long as the time from that leave to
 * the last check (1, 2, 4, 8 … hours after it), at most LEFT_CHECK_MAX_MINUTES: every check is a
 * write, and an hourly one on every open incident left to a live holder wrote for nothing. Null for
 * an incident whose containment no run carries out (closed, merged, a sample) or with nothing left elsewhere.
 */
export function leftCheckDueAt(incident: Incident): string | null {
  if (incident.sample || incident.mergedInto || incident.state === 'closed') return null;
  const left = incident.actions.filter((a) => a.status === 'skipped' && a.heldBy && !a.released && !a.person).map((a) => a.at);
  if (left.length === 0) return null;
  const lastLeft = Date.parse(left.sort().at(-1) as string);
  const checked = incident.reminders.byClock?.[LEFT_CHECK_TRACK];
  if (!checked || Date.parse(checked) < lastLeft) return new Date(lastLeft + LEFT_CHECK_MINUTES * MINUTE_MS).toISOString();
  const wait = Math.min(Math.max(Date.parse(checked) - lastLeft, LEFT_CHECK_MINUTES * MINUTE_MS), LEFT_CHECK_MAX_MINUTES * MINUTE_MS);
  return new Date(Date.parse(checked) + wait).toISOString();
}

/**
 * When the sweep tells the incidents that left a resource to this one what a stopped run owed them
 * (`leftUntold`, core/contain.ts `tellOwedLeavers`): once no run holds its lease; null when nothing is owed.
 */
export function owedLeaversDueAt(incident: Incident): string | null {
  if (!incident.leftUntold?.length || incident.state === 'closed') return null;
  return incident.containmentLease?.until ?? incident.detectedAt;
}

/** The earliest time anything falls due after what was already announced; null when nothing will. */
export function nextDueAt(incident: Incident, policy: Policy): string | null {
  let next: number | null = null;
  for (const track of tracks(incident, policy)) {
    const after = track.lastDueAt ? Date.parse(track.lastDueAt) : Number.NEGATIVE_INFINITY;
    const t = Number.isFinite(after) ? track.firstAfter(after) : firstEver(track);
    if (t !== null && (next === null || t < next)) next = t;
  }
  const page = nextPageAt(incident, policy);
  if (page !== null && (next === null || page < next)) next = page;
  const untold = untoldOutcomesDueAt(incident);
  if (untold !== null && (next === null || Date.parse(untold) < next)) next = Date.parse(untold);
  const left = leftCheckDueAt(incident);
  if (left !== null && (next === null || Date.parse(left) < next)) next = Date.parse(left);
  const owed = owedLeaversDueAt(incident);
  if (owed !== null && (next === null || Date.parse(owed) < next)) next = Date.parse(owed);
  for (const e of exposedAgain(incident)) if (next === null || Date.parse(e.at) < next) next = Date.parse(e.at);
  return next === null ? null : new Date(next).toISOString();
}

function firstEver(track: Track): number | null {
  // The earliest scheduled time: search from far in the past.
  return track.firstAfter(Number.MIN_SAFE_INTEGER);
}
