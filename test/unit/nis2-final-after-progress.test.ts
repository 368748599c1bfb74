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
import { assess, closeIncident, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { dueItems } from '../../handlers/core/schedule.js';
import { nis2NotifiedCase } from '../support/nis2-case.js';

const policy = parsePolicy({ organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { nis2: true } });
const id = 'dl-nis2-progress';
// Notified to both at 2026-11-28T07:00Z (nis2NotifiedCase): the month ends with Monday 28 December, Amsterdam time.
const CLOSED = '2027-01-04T10:00:00.000Z';
// A month after Monday 4 January 2027 (11:00 in Amsterdam): the end of Thursday 4 February, Amsterdam time.
const MONTH_AFTER_CLOSING = '2027-02-04T22:59:59.999Z';

describe('NIS2 art. 23(4)(e): the final report after a progress report', () => {
  let c: Awaited<ReturnType<typeof nis2NotifiedCase>>;
  const final = (incident: Incident, at: string) => clocksOf(incident, policy, at).find((x) => x.name === 'nis2-final');

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
