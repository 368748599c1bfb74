import { describe, expect, it } from 'vitest';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { dueItems, inQuietHours, nextDueAt } from '../../handlers/core/schedule.js';
import { addHours, formatLocal, timeLeft } from '../../handlers/core/time.js';
import { incidentFixture } from '../support/incidents.js';

function incident(over: Partial<Incident> = {}): Incident {
  return incidentFixture({ openedAt: '2026-11-27T21:05:00.000Z', timelineHead: { seq: 0, hash: 'x' }, ...over });
}

describe('the AP deadline in time', () => {
  it('is exactly 72 real hours across the end of daylight saving time', () => {
    // Aware on Friday 24 October 2025 at 12:00 CEST; clocks go back on Sunday the 26th.
    const deadline = addHours('2025-10-24T10:00:00.000Z', 72);
    expect(deadline).toBe('2025-10-27T10:00:00.000Z');
    expect(formatLocal('2025-10-24T10:00:00.000Z', 'Europe/Amsterdam')).toBe('2025-10-24 12:00 CEST');
    // 72 real hours later the wall clock in Amsterdam shows 11:00, not 12:00.
    expect(formatLocal(deadline, 'Europe/Amsterdam')).toBe('2025-10-27 11:00 CET');
  });

  it('says how much time is left, or how late it is', () => {
    expect(timeLeft('2026-11-30T21:00:00Z', '2026-11-28T19:40:00Z')).toBe('2d 1h left');
    expect(timeLeft('2026-11-30T21:00:00Z', '2026-11-30T23:05:00Z')).toBe('overdue by 2h 5m');
    expect(timeLeft('2026-11-30T21:00:00Z', '2026-11-30T20:15:00Z', 'nl')).toBe('nog 45m');
  });
});

describe('reminders and re-pages', () => {
  const policy = DEFAULT_POLICY;

  it('schedules the first reminder 48 hours before the deadline', () => {
    expect(nextDueAt(incident(), policy)).toBe('2026-11-28T21:00:00.000Z');
    expect(dueItems(incident(), policy, '2026-11-28T20:59:59Z')).toEqual([]);
    expect(dueItems(incident(), policy, '2026-11-28T21:00:00Z')).toEqual([{ track: 'ap', kind: 'ap-reminder', dueAt: '2026-11-28T21:00:00.000Z' }]);
  });

  it('sends only the latest of several missed reminders, then moves on', () => {
    const due = dueItems(incident(), policy, '2026-11-30T16:30:00Z'); // the 48, 24 and 12 h marks passed
    expect(due).toEqual([{ track: 'ap', kind: 'ap-reminder', dueAt: '2026-11-30T09:00:00.000Z' }]);
    const after = incident({ reminders: { lastDueAt: '2026-11-30T09:00:00.000Z' } });
    expect(dueItems(after, policy, '2026-11-30T16:59:00Z')).toEqual([]);
    expect(nextDueAt(after, policy)).toBe('2026-11-30T17:00:00.000Z'); // 4 h before
  });

  it('reminds at the deadline and every 12 hours after it', () => {
    expect(dueItems(incident({ reminders: { lastDueAt: '2026-11-30T20:00:00.000Z' } }), policy, '2026-11-30T21:00:00Z')[0]).toMatchObject({
      kind: 'ap-overdue',
      dueAt: '2026-11-30T21:00:00.000Z',
    });
    const overdue = incident({ reminders: { lastDueAt: '2026-11-30T21:00:00.000Z' } });
    expect(nextDueAt(overdue, policy)).toBe('2026-12-01T09:00:00.000Z');
    expect(dueItems(overdue, policy, '2026-12-03T10:00:00Z')).toEqual([{ track: 'ap', kind: 'ap-overdue', dueAt: '2026-12-03T09:00:00.000Z' }]);
  });

  it('runs no clock for samples or closed incidents', () => {
    expect(nextDueAt(incident({ sample: true, awareAt: null, deadline: null }), policy)).toBeNull();
    expect(nextDueAt(incident({ state: 'closed' }), policy)).toBeNull();
  });

  it('escalates level by level, round after round, each page once, until someone acknowledges', () => {
    const paged = (lastDueAt: string | null) =>
      incident({ paging: { firstPageAt: '2026-11-27T21:05:00.000Z', lastDueAt }, reminders: { lastDueAt: '2026-11-28T21:00:00.000Z' } });
    // Level 0 (on-call) was paged at 21:05 when the incident opened; secondary at +15, the FG at +30.
    expect(nextDueAt(paged(null), policy)).toBe('2026-11-27T21:20:00.000Z');
    expect(dueItems(paged(null), policy, '2026-11-27T21:19:59Z')).toEqual([]);
    expect(dueItems(paged(null), policy, '2026-11-27T21:20:00Z')).toEqual([
      { track: 'page', kind: 'page', dueAt: '2026-11-27T21:20:00.000Z', level: 'secondary', channel: 'on-call', round: 0, held: false },
    ]);
    expect(dueItems(paged('2026-11-27T21:20:00.000Z'), policy, '2026-11-27T21:35:00Z')).toEqual([
      { track: 'page', kind: 'page', dueAt: '2026-11-27T21:35:00.000Z', level: 'fg', channel: 'fg', round: 0, held: false },
    ]);
    // After the last level, 15 minutes later, the next round starts with on-call again.
    expect(nextDueAt(paged('2026-11-27T21:35:00.000Z'), policy)).toBe('2026-11-27T21:50:00.000Z');
    expect(dueItems(paged('2026-11-27T21:35:00.000Z'), policy, '2026-11-27T21:50:00Z')[0]).toMatchObject({ level: 'on-call', round: 1 });
    // A sweep that missed several pages sends the latest round's worth, in order.
    expect(dueItems(paged('2026-11-27T21:20:00.000Z'), policy, '2026-11-27T22:30:00Z').map((i) => `${i.round}:${i.level}`)).toEqual([
      '1:on-call',
      '1:secondary',
      '1:fg',
    ]);
    const acked = { ...paged(null), state: 'acknowledged' as const, acknowledgedBy: 'alice' };
    expect(dueItems(acked, policy, '2026-11-27T21:50:00Z')).toEqual([]);
    // Acknowledging stops the pages, never the AP clock.
    expect(nextDueAt(acked, policy)).toBe('2026-11-29T21:00:00.000Z');
  });

  it('holds the FG level in quiet hours, but never for a Critical incident', () => {
    const quiet = parsePolicy({ onCall: { quietHours: { from: '22:00', to: '07:00' } } });
    // 22:35 in Amsterdam (21:35 UTC): the FG level respects quiet hours, on-call levels do not.
    const at = (severity: number) =>
      dueItems(
        incident({
          severity,
          paging: { firstPageAt: '2026-11-27T21:05:00.000Z', lastDueAt: '2026-11-27T21:20:00.000Z' },
          reminders: { lastDueAt: '2026-11-28T21:00:00.000Z' },
        }),
        quiet,
        '2026-11-27T21:35:00Z',
      );
    expect(at(8)).toMatchObject([{ level: 'fg', held: true }]);
    expect(at(9.5)).toMatchObject([{ level: 'fg', held: false }]);
    expect(inQuietHours(Date.parse('2026-11-28T05:59:00Z'), quiet)).toBe(true); // 06:59 CET
    expect(inQuietHours(Date.parse('2026-11-28T06:00:00Z'), quiet)).toBe(false); // 07:00 CET
  });
});
