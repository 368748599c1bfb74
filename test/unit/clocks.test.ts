import { describe, expect, it } from 'vitest';
import { addMonths, clocksOf } from '../../handlers/core/clocks.js';
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
  it('runs NIS2, Telecommunicatiewet and processor clocks only when the policy asks', () => {
    expect(clocksOf(assessed(), parsePolicy({}), '2026-11-28T10:00:00Z').map((c) => c.name)).toEqual(['ap', 'subjects']);
    const all = parsePolicy({ clocks: { nis2: true, telecom: true, processorToControllerHours: 24 } });
    const clocks = clocksOf(assessed(), all, '2026-11-28T10:00:00Z');
    expect(Object.fromEntries(clocks.map((c) => [c.name, [c.dueAt, c.status]]))).toEqual({
      ap: ['2026-11-30T21:00:00.000Z', 'running'],
      'nis2-early-warning': ['2026-11-28T21:00:00.000Z', 'running'],
      'nis2-notification': ['2026-11-30T21:00:00.000Z', 'running'],
      'nis2-final': [null, 'running'],
      'telecom-initial': ['2026-11-28T21:00:00.000Z', 'running'],
      'telecom-complete': ['2026-11-30T21:00:00.000Z', 'running'],
      processor: ['2026-11-28T21:00:00.000Z', 'running'],
      subjects: [null, 'running'],
    });
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
    const incident = assessed({ reports: [report('early-warning', '2026-11-29T08:00:00.000Z'), report('notification', '2026-11-30T08:00:00.000Z')] });
    const clocks = Object.fromEntries(clocksOf(incident, policy, '2026-12-01T00:00:00Z').map((c) => [c.name, c]));
    expect(clocks['nis2-early-warning'].status).toBe('late');
    expect(clocks['nis2-notification'].status).toBe('met');
    expect(clocks['nis2-final'].dueAt).toBe('2026-12-30T08:00:00.000Z');
    expect(addMonths('2027-01-31T10:00:00.000Z', 1)).toBe('2027-02-28T10:00:00.000Z');
  });

  it('reminds of a running NIS2 clock and of an undecided Art. 34, but not for a financial undertaking', () => {
    const policy = parsePolicy({ clocks: { nis2: true } });
    const items = dueItems(assessed({ reminders: { lastDueAt: '2026-11-28T21:00:00.000Z' } }), policy, '2026-11-29T09:30:00Z');
    expect(items.map((i) => `${i.kind}:${i.clock ?? i.track}`).sort()).toEqual([
      'clock-overdue:nis2-early-warning',
      'clock-reminder:nis2-notification',
      'subjects-reminder:subjects',
    ]);
    const exempt = parsePolicy({ organisation: { financialUndertaking: true } });
    expect(dueItems(assessed({ reminders: { lastDueAt: '2026-11-28T21:00:00.000Z' } }), exempt, '2026-11-29T09:30:00Z')).toEqual([]);
    expect(clocksOf(assessed(), exempt, '2026-11-29T09:30:00Z').find((c) => c.name === 'subjects')).toMatchObject({
      status: 'not-needed',
      note: 'exempt: financial undertaking (UAVG art. 42)',
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
