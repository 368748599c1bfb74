/**
 * fg19 (closing note of stop 17, left for a decision): after a NIS2 "yes", a notification, a "no" and a
 * later "yes" that states its own, later awareness, the later "yes" owes a new early warning and
 * notification (art. 23(4)(a), (b): from becoming aware of the significant incident; reports made
 * before that awareness answer the "yes" taken back only), while its final report stays due a month
 * after the first notification (art. 23(4)(d): "one month after the submission of the incident
 * notification"; the "no" did not end it, readA16 A2, and the later "yes" is the same incident, nis17).
 * Decided: that is what the law asks (runbooks/fg-assessment.md says why). Where that month ends
 * before the incident is handled, art. 23(4)(e) asks a progress report then and the final report a
 * month after the incident ended: the clock follows it, also when the month ends before the later
 * "yes"'s own notification is due. This pins the whole course, as the FG meets it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { recordFacts } from '../../handlers/core/fg-workflow.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { NIS2_CASE_NOTIFIED as NOTIFIED, nis2NotifiedCase } from '../support/nis2-case.js';

const policy = parsePolicy({ organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { nis2: true } });
const id = 'dl-nis2-later-awareness';
// Notified to both at 2026-11-28T07:00Z (nis2NotifiedCase): the month ends with Monday 28 December, Amsterdam time.
const MONTH_AFTER = '2026-12-28T22:59:59.999Z';
const AWARE_AGAIN = '2026-12-24T09:00:00.000Z';

describe('fg19: a later NIS2 "yes" with its own, later awareness', () => {
  let c: Awaited<ReturnType<typeof nis2NotifiedCase>>;
  const clocks = async () => clocksOf(await c.stored(), policy, c.clock.now);
  const named = async (name: string) => (await clocks()).find((x) => x.name === name);

  beforeEach(async () => {
    c = await nis2NotifiedCase(policy, id);
    c.clock.now = '2026-11-28T09:00:00.000Z';
    await c.decide(false, 'toch niet significant');
    c.clock.now = '2026-12-24T10:00:00.000Z';
    await c.decide(true, 'nieuwe uitval: toch significant', { nis2AwareAt: AWARE_AGAIN });
  });
  afterEach(async () => c.t.cleanup());

  it('owes a new early warning and notification from its awareness; the final report stays due a month after the first notification', async () => {
    expect(await named('nis2-early-warning')).toMatchObject({ startsAt: AWARE_AGAIN, dueAt: '2026-12-25T09:00:00.000Z', doneAt: null, status: 'running' });
    expect(await named('nis2-notification')).toMatchObject({ startsAt: AWARE_AGAIN, dueAt: '2026-12-27T09:00:00.000Z', doneAt: null, status: 'running' });
    expect(await named('nis2-final')).toMatchObject({ startsAt: NOTIFIED, dueAt: MONTH_AFTER, doneAt: null });
    expect((await named('nis2-final'))?.note?.en).toMatch(/owed since the notification of 2026-11-28 08:00 CET, made under the "yes" taken back/);
  });

  it('still handled when that month ends: a progress report then moves the final report to a month after the incident ended (art. 23(4)(e))', async () => {
    c.clock.now = '2026-12-24T12:00:00.000Z';
    await c.toBoth('early-warning', '2026-12-24T11:00:00.000Z');
    c.clock.now = '2026-12-26T12:00:00.000Z';
    await c.toBoth('notification', '2026-12-26T11:00:00.000Z');
    expect(await named('nis2-early-warning')).toMatchObject({ status: 'met' });
    expect(await named('nis2-notification')).toMatchObject({ status: 'met' });
    // The new notification gives no new month: still due 28 December.
    expect(await named('nis2-final')).toMatchObject({ startsAt: NOTIFIED, dueAt: MONTH_AFTER });
    c.clock.now = '2026-12-28T12:00:00.000Z';
    await c.toBoth('progress', '2026-12-28T11:00:00.000Z');
    expect(await named('nis2-final')).toMatchObject({ dueAt: null, status: 'running' });
    expect((await named('nis2-final'))?.note?.en).toBe('progress report made; final report a month after the incident ends (end not recorded yet)');
    c.clock.now = '2027-01-10T12:00:00.000Z';
    await recordFacts(c.deps, { incidentId: id, by: 'CISO', endedAt: '2027-01-09T16:00:00.000Z' });
    expect(await named('nis2-final')).toMatchObject({ dueAt: '2027-02-09T22:59:59.999Z', status: 'running' });
  });
});
