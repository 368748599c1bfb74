import { describe, expect, it } from 'vitest';
import { addCalendarMonths, clocksOf } from '../../handlers/core/clocks.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { dueItems } from '../../handlers/core/schedule.js';
import { incidentFixture } from '../support/incidents.js';

const assessed = (over: Partial<Incident> = {}): Incident =>
  incidentFixture({
    state: 'assessed',
    assessment: { personalData: 'yes', risk: 'high', reason: 'r', by: 'FG', at: '2026-11-28T09:00:00.000Z', notifiable: true },
    paging: { firstPageAt: null, lastDueAt: null },
    ...over,
  });

describe('the other clocks', () => {
  it('runs NIS2 and Telecommunicatiewet clocks only when the policy asks, and NIS2 only for a significant incident', () => {
    expect(clocksOf(assessed(), parsePolicy({}), '2026-11-28T10:00:00Z').map((c) => c.name)).toEqual(['ap', 'subjects']);
    const all = parsePolicy({ clocks: { nis2: true, telecom: true, processorToControllerHours: 24 } });
    const significant = assessed({ nis2: { significant: true, reason: 'r', by: 'FG', at: '2026-11-28T09:00:00.000Z' } });
    const clocks = clocksOf(significant, all, '2026-11-28T10:00:00Z');
    expect(Object.fromEntries(clocks.map((c) => [c.name, [c.dueAt, c.status]]))).toEqual({
      ap: ['2026-11-30T21:00:00.000Z', 'running'],
      subjects: [null, 'running'],
      'nis2-significance': ['2026-11-28T21:00:00.000Z', 'met'],
      'nis2-early-warning': ['2026-11-28T21:00:00.000Z', 'running'],
      'nis2-notification': ['2026-11-30T21:00:00.000Z', 'running'],
      'nis2-final': [null, 'running'],
      'telecom-initial': ['2026-11-28T21:00:00.000Z', 'running'],
      'telecom-complete': [null, 'running'],
      'telecom-subscribers': [null, 'running'],
    });
    expect(clocksOf(assessed(), all, '2026-11-28T10:00:00Z').map((c) => c.name)).not.toContain('nis2-early-warning');
  });

  it('runs the clock to the controller for a processor, from the contract hours or 24', () => {
    const processor = parsePolicy({ organisation: { processor: true } });
    expect(clocksOf(assessed(), processor, '2026-11-28T10:00:00Z').find((c) => c.name === 'processor')?.dueAt).toBe('2026-11-28T21:00:00.000Z');
    const contract = parsePolicy({ organisation: { processor: true }, clocks: { processorToControllerHours: 8 } });
    expect(clocksOf(assessed(), contract, '2026-11-28T10:00:00Z').find((c) => c.name === 'processor')?.dueAt).toBe('2026-11-28T05:00:00.000Z');
    expect(clocksOf(assessed(), parsePolicy({ clocks: { processorToControllerHours: 8 } }), '2026-11-28T10:00:00Z').map((c) => c.name)).not.toContain(
      'processor',
    );
  });

  it('counts calendar months on the wall calendar of the time zone (Regulation 1182/71)', () => {
    // 31 January 00:30 CET is 30 January 23:30 UTC: the month ends when 28 February ends in Amsterdam.
    expect(addCalendarMonths('2027-01-30T23:30:00.000Z', 1, 'Europe/Amsterdam')).toBe('2027-02-28T22:59:59.999Z');
    // Across the start of summer time: 15 March 10:00 CET to the end of 15 April CEST.
    expect(addCalendarMonths('2027-03-15T09:00:00.000Z', 1, 'Europe/Amsterdam')).toBe('2027-04-15T21:59:59.999Z');
    expect(addCalendarMonths('2027-12-31T12:00:00.000Z', 2, 'UTC')).toBe('2028-02-29T23:59:59.999Z');
  });

  it('starts the NIS2 final report clock a month after the notification, and says which were met', () => {
    const policy = parsePolicy({ clocks: { nis2: true } });
    const report = (kind: string, at: string) => ({
      version: 1,
      to: 'csirt' as const,
      kind,
      reference: 'C-1',
      at,
      delayReason: null,
      by: 'FG',
      recordedAt: at,
    });
    const both = (kind: string, at: string) => [report(kind, at), { ...report(kind, at), to: 'authority' as const }];
    const incident = assessed({
      nis2: { significant: true, reason: 'r', by: 'FG', at: '2026-11-28T09:00:00.000Z' },
      reports: [...both('early-warning', '2026-11-29T08:00:00.000Z'), ...both('notification', '2026-11-30T08:00:00.000Z')],
    });
    const clocks = Object.fromEntries(clocksOf(incident, policy, '2026-12-01T00:00:00Z').map((c) => [c.name, c]));
    expect(clocks['nis2-early-warning'].status).toBe('late');
    expect(clocks['nis2-notification'].status).toBe('met');
    // 30 November 09:00 CET: the month ends when 30 December ends in Amsterdam.
    expect(clocks['nis2-final'].dueAt).toBe('2026-12-30T22:59:59.999Z');
  });

  it('reminds of a running NIS2 clock and of an undecided Art. 34, but not for a financial undertaking', () => {
    const policy = parsePolicy({ clocks: { nis2: true } });
    const items = dueItems(
      assessed({ reminders: { lastDueAt: '2026-11-28T21:00:00.000Z' }, nis2: { significant: true, reason: 'r', by: 'FG', at: '2026-11-28T09:00:00.000Z' } }),
      policy,
      '2026-11-29T09:30:00Z',
    );
    expect(items.map((i) => `${i.kind}:${i.clock ?? i.track}`).sort()).toEqual([
      'clock-overdue:nis2-early-warning',
      'clock-reminder:nis2-notification',
      'notify-nudge:notify-nudge',
      'subjects-reminder:subjects',
    ]);
    const exempt = parsePolicy({ organisation: { financialUndertaking: true } });
    const kinds = dueItems(assessed({ reminders: { lastDueAt: '2026-11-28T21:00:00.000Z' } }), exempt, '2026-11-29T09:30:00Z').map((i) => i.kind);
    expect(kinds).not.toContain('subjects-reminder');
    expect(clocksOf(assessed(), exempt, '2026-11-29T09:30:00Z').find((c) => c.name === 'subjects')).toMatchObject({
      status: 'not-needed',
      note: { en: 'exempt: financial undertaking (UAVG art. 42)' },
    });
  });

  it('stops the AP clock when the FG decides it is not notifiable', () => {
    const incident = assessed({
      assessment: { personalData: 'no', risk: 'none', reason: 'no personal data', by: 'FG', at: '2026-11-28T09:00:00.000Z', notifiable: false },
    });
    expect(clocksOf(incident, parsePolicy({}), '2026-12-05T00:00:00Z')[0]).toMatchObject({ name: 'ap', status: 'not-needed' });
    expect(dueItems(incident, parsePolicy({}), '2026-12-05T00:00:00Z')).toEqual([]);
  });
});
