/**
 * law26: NIS2 art. 23(4)(e): "in the event of an ongoing incident at the time of the submission of the
 * final report …, a progress report at that time and a final report within one month of their
 * handling of the incident". datalek moves the final report to a month after the end the FG records
 * (`facts --ended-at`). It moved it only while no final report was made: once made, in time for that
 * later month, the clock fell back to the first month and read it "late".
 *
 * While no end is recorded the final report has no deadline. Closed so, the incident was handled by
 * its closing at the latest, yet the final report kept none: no reminder ever, nothing said it was
 * past due, while the record held it owed. Closing now stands for the end of the handling when no
 * end is recorded: the final report is due a month after it, and reminded of.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf, closedWithDuty, runningOtherClocks } from '../../handlers/core/clocks.js';
import { assess, closeIncident, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { dueItems } from '../../handlers/core/schedule.js';
import { incidentFixture } from '../support/incidents.js';
import { nis2NotifiedCase } from '../support/nis2-case.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { nis2: true } });
const id = 'dl-nis2-progress';
// Notified to both at 2026-11-28T07:00Z (nis2NotifiedCase): the month ends with Monday 28 December, Amsterdam time.
const CLOSED = '2027-01-04T10:00:00.000Z';
const final = (incident: Incident, at: string) => clocksOf(incident, policy, at).find((x) => x.name === 'nis2-final');
// A month after Monday 4 January 2027 (11:00 in Amsterdam): the end of Thursday 4 February, Amsterdam time.
const MONTH_AFTER_CLOSING = '2027-02-04T22:59:59.999Z';

describe('NIS2 art. 23(4)(e): the final report after a progress report', () => {
  let c: Awaited<ReturnType<typeof nis2NotifiedCase>>;

  beforeEach(async () => {
    c = await nis2NotifiedCase(policy, id);
    c.clock.now = '2026-11-28T09:00:00.000Z';
    await assess(c.deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'storing, geen persoonsgegevens', by: 'FG' });
    c.clock.now = '2026-12-28T12:00:00.000Z';
    await c.toBoth('progress', '2026-12-28T11:00:00.000Z');
  });
  afterEach(async () => c.t.cleanup());

  it('closed with no end recorded: due a month after the closing, and reminded of after it', async () => {
    c.clock.now = CLOSED;
    const closed = await closeIncident(c.deps, { incidentId: id, by: 'CISO', reason: 'hersteld' });
    expect(final(closed, CLOSED)).toMatchObject({ dueAt: MONTH_AFTER_CLOSING, status: 'running' });
    expect(final(closed, CLOSED)?.note?.en).toBe(
      'progress report made; final report a month after the incident was handled: closed on 2027-01-04 11:00 CET with no end recorded',
    );
    expect(runningOtherClocks(closed, policy, CLOSED).map((x) => x.name)).toEqual(['nis2-final']);
    expect(closedWithDuty(closed, policy)).toBe(true);
    expect(closed.nextDueAt).not.toBeNull();
    expect(dueItems(closed, policy, '2027-02-05T09:00:00.000Z').map((d) => `${d.clock}:${d.kind}`)).toContain('nis2-final:clock-overdue');
  });

  it('an end recorded keeps the final report a month after it, as before', async () => {
    c.clock.now = '2027-01-02T10:00:00.000Z';
    await recordFacts(c.deps, { incidentId: id, by: 'CISO', endedAt: '2027-01-02T09:00:00.000Z' });
    c.clock.now = CLOSED;
    const closed = await closeIncident(c.deps, { incidentId: id, by: 'CISO', reason: 'hersteld' });
    expect(final(closed, CLOSED)).toMatchObject({ dueAt: '2027-02-02T22:59:59.999Z' });
    expect(final(closed, CLOSED)?.note?.en).toBe('progress report made; final report a month after the incident ended');
  });

  it('a final report made within that month is met, not late against the month the progress report answered', async () => {
    c.clock.now = '2027-01-02T10:00:00.000Z';
    await recordFacts(c.deps, { incidentId: id, by: 'CISO', endedAt: '2027-01-02T09:00:00.000Z' });
    c.clock.now = '2027-01-20T10:00:00.000Z';
    await c.toBoth('final', '2027-01-20T09:00:00.000Z');
    expect(final(await c.stored(), c.clock.now)).toMatchObject({ dueAt: '2027-02-02T22:59:59.999Z', doneAt: '2027-01-20T09:00:00.000Z', status: 'met' });
  });
});

/**
 * Art. 23(4)(e) gives an incident still ongoing when the final report is due more time: a final
 * report a month after its handling. It never gives less than (d)'s month after the notification. A
 * progress report moved the final report to a month after the end, which lies earlier when the
 * notification came late, after the incident ended: a final report made within (d)'s month read
 * "late" (and recording it asked to confirm a time "after the deadline").
 */
describe('NIS2 art. 23(4)(e): a progress report on an incident that ended before its late notification', () => {
  const t = { store: undefined as unknown as ReturnType<typeof tempSqliteStore> };
  let now = '2026-11-27T22:00:00.000Z';
  const deps = () => ({ store: t.store.store, policy, now: () => now });
  const toBoth = async (kind: string, at: string) => {
    for (const to of ['csirt', 'authority'] as const) await recordReport(deps(), { incidentId: id, to, kind, reference: `${kind}-${to}`, by: 'CISO', at });
  };
  beforeEach(async () => {
    t.store = tempSqliteStore();
    await t.store.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, nis2Significant: true, reason: 'uitval drinkwater', by: 'CISO' });
  });
  afterEach(async () => t.store.cleanup());

  it('keeps the month after the notification, and a final report within it is met', async () => {
    // Notified late, on 1 December: (d)'s month ends with Friday 1 January, a holiday: Monday 4 January.
    now = '2026-12-01T10:00:00.000Z';
    await toBoth('notification', '2026-12-01T09:00:00.000Z');
    await recordFacts(deps(), { incidentId: id, by: 'CISO', endedAt: '2026-11-28T10:00:00.000Z' });
    now = '2026-12-20T10:00:00.000Z';
    await toBoth('progress', '2026-12-20T09:00:00.000Z');
    now = '2026-12-31T10:00:00.000Z';
    await toBoth('final', '2026-12-31T09:00:00.000Z');
    const incident = (await t.store.store.getIncident(id)) as Incident;
    expect(final(incident, now)).toMatchObject({ dueAt: '2027-01-04T22:59:59.999Z', status: 'met' });
  });
});
