/**
 * nis17 item 1: the NIS2 final report a "no" kept owed (readA16 A2) and a later "yes".
 *
 * Art. 23(4)(d) asks the final report "not later than one month after the submission of the
 * incident notification under point (b)": the CSIRT got that notification under the "yes" taken back,
 * and the "no" did not end the final report it owes (A2). A later "yes" about the same incident does
 * not give a new month: its final report runs from that first notification until a final report
 * answers it (one report then answers both notifications). Before the fix the later "yes" ran its
 * final report from its own new notification (a month later than the CSIRT holds the entity to), and
 * refused a final report until that new notification was recorded.
 * Once a final report answered the first notification before the later "yes" (telling the CSIRT it
 * proved not significant), that chain is done: the later "yes" owes its own final report, a month
 * after its own notification, and the earlier final report does not meet it (before the fix it did:
 * "met" with no final report of the later "yes").
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { NIS2_CASE_NOTIFIED as NOTIFIED, nis2NotifiedCase } from '../support/nis2-case.js';

const policy = parsePolicy({ organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { nis2: true } });
const id = 'dl-nis2-final-again';
// Detected 2026-11-27T21:00Z, "yes" at 22:00, notified to both at 07:00 the next morning (nis2NotifiedCase).
const MONTH_AFTER = '2026-12-28T22:59:59.999Z'; // the end of Monday 28 December, Amsterdam time

describe('nis17 item 1: the final report a "no" kept owed runs on through a later "yes"', () => {
  let c: Awaited<ReturnType<typeof nis2NotifiedCase>>;
  const final = async () => clocksOf(await c.stored(), policy, c.clock.now).find((x) => x.name === 'nis2-final');

  beforeEach(async () => {
    c = await nis2NotifiedCase(policy, id);
    c.clock.now = '2026-11-28T09:00:00.000Z';
    await c.decide(false, 'toch niet significant');
  });
  afterEach(async () => c.t.cleanup());

  it('a later "yes" keeps the final report due a month after the first notification, and one final report answers both', async () => {
    c.clock.now = '2026-12-05T10:00:00.000Z';
    await c.decide(true, 'CSIRT: wel significant', { nis2AwareAt: '2026-12-05T09:00:00.000Z' });
    // Before the fix: startsAt null, dueAt null (nothing owed until the new notification).
    expect(await final()).toMatchObject({ startsAt: NOTIFIED, dueAt: MONTH_AFTER, status: 'running', doneAt: null });
    expect((await final())?.note?.en).toBe(
      'owed since the notification of 2026-11-28 08:00 CET, made under the "yes" taken back: the later "yes" does not start it again (NIS2 art. 23(4)(d))',
    );
    c.clock.now = '2026-12-05T13:00:00.000Z';
    await c.toBoth('notification', '2026-12-05T12:00:00.000Z');
    // Before the fix: from the new notification, due 5 January.
    expect(await final()).toMatchObject({ startsAt: NOTIFIED, dueAt: MONTH_AFTER, status: 'running' });
    c.clock.now = '2026-12-20T10:00:00.000Z';
    await c.toBoth('final', '2026-12-20T09:00:00.000Z');
    expect(await final()).toMatchObject({ status: 'met', doneAt: '2026-12-20T09:00:00.000Z' });
  });

  it('a final report is taken under the later "yes" before its own notification: it answers the first one', async () => {
    c.clock.now = '2026-12-05T10:00:00.000Z';
    await c.decide(true, 'CSIRT: wel significant', { nis2AwareAt: '2026-12-05T09:00:00.000Z' });
    c.clock.now = '2026-12-06T10:00:00.000Z';
    // Before the fix: refused ("follows the incident notification to the csirt made since the last "no"").
    await c.toBoth('final', '2026-12-06T09:00:00.000Z');
    expect(await final()).toMatchObject({ startsAt: NOTIFIED, status: 'met', doneAt: '2026-12-06T09:00:00.000Z' });
  });

  it('a final report made after the "no" ends that chain: the later "yes" owes its own, from its own notification', async () => {
    c.clock.now = '2026-11-29T09:00:00.000Z';
    await c.toBoth('final', '2026-11-29T08:00:00.000Z');
    c.clock.now = '2026-12-05T10:00:00.000Z';
    await c.decide(true, 'CSIRT: wel significant', { nis2AwareAt: '2026-12-05T09:00:00.000Z' });
    expect(await final()).toMatchObject({ startsAt: null, dueAt: null, doneAt: null });
    c.clock.now = '2026-12-05T13:00:00.000Z';
    await c.toBoth('notification', '2026-12-05T12:00:00.000Z');
    // Before the fix: "met" by the final report of 29 November, which answered the first notification.
    expect(await final()).toMatchObject({ startsAt: '2026-12-05T12:00:00.000Z', dueAt: '2027-01-05T22:59:59.999Z', status: 'running', doneAt: null });
  });
});
