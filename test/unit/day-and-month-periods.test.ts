/**
 * Review 7, G18: periods the law gives in days or months are counted as hours or without EU
 * Regulation 1182/71 art. 3(2)(b) and 3(4). Regulation 611/2013 art. 2(3) (Telecommunicatiewet):
 * the complete notification is due "within three days after the initial notification": the period
 * starts the day after and ends with the last hour of the third day; datalek counts 72 hours. NIS2
 * art. 23(4)(d): the final report "not later than one month after" the notification: a month that
 * ends on a Saturday, Sunday or public holiday ends with the next working day (art. 3(4)); datalek
 * ends it on the Sunday.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addCalendarMonths, addDays, clocksOf, dutchPublicHolidays, endOnWorkingDay } from '../../handlers/core/clocks.js';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const detected = { detectedAt: '2026-10-28T09:00:00.000Z', awareAt: '2026-10-28T09:00:00.000Z', deadline: '2026-10-31T09:00:00.000Z' };

describe('G18: periods in days and months', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  const id = 'dl-g18';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const deps = (policy: Policy): FgDeps => ({ store: t.store, policy, now: () => now });

  beforeEach(async () => {
    t = tempSqliteStore();
    await t.store.commit({
      incident: incidentFixture({ id, ...detected, openedAt: '2026-10-28T09:01:00.000Z' }),
      expectedRevision: null,
      timeline: [],
      messages: [],
    });
  });
  afterEach(async () => t.cleanup());

  it('ends the telecom complete notification with the third day after the initial one (Amsterdam), not 72 hours later', async () => {
    const policy = parsePolicy({ organisation: org, clocks: { telecom: true } });
    now = '2026-10-29T10:00:00.000Z'; // Thursday
    await assess(deps(policy), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    await recordReport(deps(policy), { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', by: 'FG' });
    const complete = clocksOf(await stored(), policy, now).find((c) => c.name === 'telecom-complete');
    // Days 30, 31 October and 1 November: ends at the end of Sunday 1 November, i.e. Monday 2 November (art. 3(4)).
    expect(complete?.dueAt).toBe('2026-11-02T22:59:59.999Z');
  });

  it('moves the end of the NIS2 final report month off a Sunday to the next working day', async () => {
    const policy = parsePolicy({ organisation: org, clocks: { nis2: true } });
    now = '2026-10-29T10:00:00.000Z';
    await assess(deps(policy), { incidentId: id, nis2Significant: true, reason: 'significant', by: 'CISO' });
    for (const to of ['csirt', 'authority'] as const) {
      await recordReport(deps(policy), { incidentId: id, to, kind: 'notification', reference: `N-${to}`, by: 'CISO' });
    }
    const final = clocksOf(await stored(), policy, now).find((c) => c.name === 'nis2-final');
    // One month after 29 October ends on Sunday 29 November: it ends with Monday 30 November.
    expect(final?.dueAt).toBe('2026-11-30T22:59:59.999Z');
  });
});

describe('Regulation 1182/71 art. 3 with the Dutch public holidays', () => {
  it('computes the holidays from Easter, King’s Day off a Sunday', () => {
    // Easter 2026: 5 April; 2027: 28 March. 27 April 2025 was a Sunday.
    expect([...dutchPublicHolidays(2026)].sort()).toEqual(['01-01', '04-06', '04-27', '05-05', '05-14', '05-25', '12-25', '12-26']);
    expect(dutchPublicHolidays(2027).has('03-29')).toBe(true);
    expect(dutchPublicHolidays(2025).has('04-26')).toBe(true);
    expect(dutchPublicHolidays(2025).has('04-27')).toBe(false);
  });

  it('rolls a period in days past Christmas and Easter Monday, in the zone’s summer time too', () => {
    // Wednesday 23 Dec 2026: days 24, 25, 26 (Saturday, Boxing Day), then Sunday: Monday 28 December.
    expect(addDays('2026-12-23T10:00:00.000Z', 3, 'Europe/Amsterdam')).toBe('2026-12-28T22:59:59.999Z');
    // Thursday 25 March 2027: days 26, 27, 28 (Easter Sunday, clocks go forward), Easter Monday: Tuesday 30 March, CEST.
    expect(addDays('2027-03-25T10:00:00.000Z', 3, 'Europe/Amsterdam')).toBe('2027-03-30T21:59:59.999Z');
    // Thursday 29 Oct 2026: Friday, Saturday, Sunday, moved to Monday 2 November (art. 3(4)), which holds two working days.
    expect(addDays('2026-10-29T10:00:00.000Z', 3, 'Europe/Amsterdam')).toBe('2026-11-02T22:59:59.999Z');
  });

  // Review 7 Y9: art. 3(5), "any period of two days or more shall include at least two working days".
  it('holds two working days in a period of days (art. 3(5)): from a Friday, or before a holiday weekend, to the Tuesday', () => {
    // Friday 27 Nov 2026: Saturday, Sunday, Monday hold one working day: the end of Tuesday 1 December.
    expect(addDays('2026-11-27T10:00:00.000Z', 3, 'Europe/Amsterdam')).toBe('2026-12-01T22:59:59.999Z');
    // Friday 30 Oct 2026 likewise: Tuesday 3 November.
    expect(addDays('2026-10-30T10:00:00.000Z', 3, 'Europe/Amsterdam')).toBe('2026-11-03T22:59:59.999Z');
    // Thursday 24 Dec 2026: Christmas, Boxing Day (Saturday), Sunday, then Monday 28 (art. 3(4)) is one working day: Tuesday 29.
    expect(addDays('2026-12-24T10:00:00.000Z', 3, 'Europe/Amsterdam')).toBe('2026-12-29T22:59:59.999Z');
  });

  it('leaves a month ending on a working day where it is', () => {
    expect(endOnWorkingDay(addCalendarMonths('2026-10-27T10:00:00.000Z', 1, 'Europe/Amsterdam'), 'Europe/Amsterdam')).toBe('2026-11-27T22:59:59.999Z');
  });
});
