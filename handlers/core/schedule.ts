/**
 * What falls due when: reminders of the AP deadline to the FG, and re-pages to on-call until someone
 * acknowledges. Each is sent once: an incident remembers the last due time it announced per track,
 * and when several have passed unseen (a sweep that did not run for a day, a replay of old events)
 * only the latest is sent, so nobody gets a burst of stale reminders.
 */
import { clockRunning, type Incident } from './incident.js';
import type { MessageKind } from './messages.js';
import type { Policy } from './policy.js';
import { HOUR_MS, MINUTE_MS } from './time.js';

export interface DueItem {
  track: 'ap' | 'page';
  kind: Extract<MessageKind, 'ap-reminder' | 'ap-overdue' | 'repage'>;
  dueAt: string;
}

interface Track {
  track: DueItem['track'];
  /** The latest scheduled time at or before `t`, with its kind; null when none. */
  latestAtOrBefore(t: number): { at: number; kind: DueItem['kind'] } | null;
  /** The first scheduled time strictly after `t`; null when none. */
  firstAfter(t: number): number | null;
  lastDueAt: string | null;
}

function apTrack(incident: Incident, policy: Policy): Track | null {
  if (!clockRunning(incident) || !incident.deadline) return null;
  const deadline = Date.parse(incident.deadline);
  const before = [...policy.reminders.beforeDeadlineHours].sort((a, b) => b - a).map((h) => deadline - h * HOUR_MS);
  const step = policy.reminders.overdueEveryHours * HOUR_MS;
  return {
    track: 'ap',
    lastDueAt: incident.reminders.lastDueAt,
    latestAtOrBefore(t) {
      if (t >= deadline) return { at: deadline + Math.floor((t - deadline) / step) * step, kind: 'ap-overdue' };
      const past = before.filter((x) => x <= t);
      return past.length ? { at: past[past.length - 1], kind: 'ap-reminder' } : null;
    },
    firstAfter(t) {
      const next = before.find((x) => x > t);
      if (next !== undefined) return next;
      return t < deadline ? deadline : deadline + (Math.floor((t - deadline) / step) + 1) * step;
    },
  };
}

function pageTrack(incident: Incident, policy: Policy): Track | null {
  // Re-pages run until acknowledged; sample incidents are paged once, as a test, and never nag.
  if (incident.sample || incident.state !== 'open' || !incident.paging.firstPageAt) return null;
  const first = Date.parse(incident.paging.firstPageAt) + policy.onCall.ackTimeoutMinutes * MINUTE_MS;
  const step = policy.onCall.repageEveryMinutes * MINUTE_MS;
  return {
    track: 'page',
    lastDueAt: incident.paging.lastDueAt,
    latestAtOrBefore(t) {
      return t < first ? null : { at: first + Math.floor((t - first) / step) * step, kind: 'repage' };
    },
    firstAfter(t) {
      return t < first ? first : first + (Math.floor((t - first) / step) + 1) * step;
    },
  };
}

function tracks(incident: Incident, policy: Policy): Track[] {
  return [apTrack(incident, policy), pageTrack(incident, policy)].filter((t): t is Track => t !== null);
}

/** What is due at `now` and not yet announced: at most one item per track, the latest. */
export function dueItems(incident: Incident, policy: Policy, now: string): DueItem[] {
  const t = Date.parse(now);
  const out: DueItem[] = [];
  for (const track of tracks(incident, policy)) {
    const latest = track.latestAtOrBefore(t);
    const last = track.lastDueAt ? Date.parse(track.lastDueAt) : Number.NEGATIVE_INFINITY;
    if (latest && latest.at > last) out.push({ track: track.track, kind: latest.kind, dueAt: new Date(latest.at).toISOString() });
  }
  return out;
}

/** The earliest time anything falls due after what was already announced; null when nothing will. */
export function nextDueAt(incident: Incident, policy: Policy): string | null {
  let next: number | null = null;
  for (const track of tracks(incident, policy)) {
    const after = track.lastDueAt ? Date.parse(track.lastDueAt) : Number.NEGATIVE_INFINITY;
    const t = Number.isFinite(after) ? track.firstAfter(after) : firstEver(track);
    if (t !== null && (next === null || t < next)) next = t;
  }
  return next === null ? null : new Date(next).toISOString();
}

function firstEver(track: Track): number | null {
  // The earliest scheduled time: search from far in the past.
  return track.firstAfter(Number.MIN_SAFE_INTEGER);
}
