/**
 * nis17 items 2 and 4: a NIS2 "no" that keeps reports owed (readA16 A2) says so, and the duty it keeps
 * says why wherever the FG meets it.
 *
 * - Item 2: the "no"'s timeline entry said nothing of the final report and the requested intermediate
 *   report it left owed; the FG read "NIS2 significant: no" and later found them running. The entry
 *   now names them, since and until when, and why (the CSIRT was sent or asked them); `show`'s
 *   timeline names them too (stillOwed), the page and the HTML report say the sentence.
 * - Item 4: an incident recorded before A2 (a notification, then a "no", then closed) now shows a
 *   running final report, and closed it counts as duty left and is reminded of. The clock says why:
 *   "owed since the notification of …; a "no" does not end it (NIS2 art. 23(4)(d))", in `show`, on
 *   the page (the clock table) and in the reminder's text.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showText } from '../../handlers/cli/views.js';
import { clocksOf, closedWithDuty } from '../../handlers/core/clocks.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { TimelineEntry } from '../../handlers/core/incident.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { describeEntry } from '../../handlers/core/report-html.js';
import { dueItems } from '../../handlers/core/schedule.js';
import { incidentFixture } from '../support/incidents.js';
import { nis2NotifiedCase } from '../support/nis2-case.js';

const policy = parsePolicy({ organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { nis2: true } });
const id = 'dl-nis2-kept';
// Detected 2026-11-27T21:00Z, "yes" at 22:00, notified to both at 07:00 the next morning (nis2NotifiedCase).

describe('nis17 items 2 and 4: what a NIS2 "no" keeps owed, said where the FG meets it', () => {
  let c: Awaited<ReturnType<typeof nis2NotifiedCase>>;
  const lastDecided = async () => (await c.t.store.getTimeline(id)).filter((e) => e.kind === 'nis2-decided').at(-1) as TimelineEntry;

  beforeEach(async () => {
    c = await nis2NotifiedCase(policy, id);
  });
  afterEach(async () => c.t.cleanup());

  it('item 2: the "no" names the reports it keeps owed, and why, on its entry, in show and the report', async () => {
    c.clock.now = '2026-11-28T08:30:00.000Z';
    await assess(c.deps, { incidentId: id, nis2IntermediateDueAt: '2026-12-01T12:00:00.000Z', reason: 'CSIRT vraagt een tussentijds verslag', by: 'CISO' });
    c.clock.now = '2026-11-28T09:00:00.000Z';
    await c.decide(false, 'toch niet significant');
    const entry = await lastDecided();
    // Before the fix: { significant: false, reason } and nothing more.
    expect(entry.detail).toMatchObject({
      significant: false,
      stillOwed: ['intermediate', 'final'],
      finalOwedSince: '2026-11-28T07:00:00.000Z',
      finalDueAt: '2026-12-28T22:59:59.999Z',
      intermediateDueAt: '2026-12-01T12:00:00.000Z',
    });
    expect(describeEntry(entry, 'en', policy.timeZone)).toBe(
      'NIS2 significant: no; toch niet significant; the intermediate report asked (due 2026-12-01 13:00 CET) and the final report (owed since the notification of 2026-11-28 08:00 CET, due 2026-12-28 23:59 CET) stay owed: a "no" does not end what the CSIRT was sent or asked (NIS2 art. 23(4)(c), (d))',
    );
    expect(describeEntry(entry, 'nl', policy.timeZone)).toBe(
      'NIS2 significant: nee; toch niet significant; het gevraagde tussentijds verslag (uiterlijk 2026-12-01 13:00 CET) en het eindverslag (verschuldigd sinds de incidentmelding van 2026-11-28 08:00 CET, uiterlijk 2026-12-28 23:59 CET) blijven verschuldigd: een "nee" beëindigt niet wat de CSIRT is gemeld of heeft gevraagd (NIS2 art. 23(4)(c), (d))',
    );
    // Item 4: the clock of the request says why it still runs.
    expect(clocksOf(await c.stored(), policy, c.clock.now).find((c) => c.name === 'nis2-intermediate')?.note?.en).toBe(
      'asked on 2026-11-28 09:30 CET; a "no" does not end it (NIS2 art. 23(4)(c))',
    );
    const shown = showText(await c.stored(), await c.t.store.getTimeline(id), policy, c.clock.now);
    expect(shown).toMatch(/nis2-decided +significant=false stillOwed=\["intermediate","final"\]/);
  });

  it('item 2: a "no" before anything was sent or asked keeps nothing owed and says nothing of it', async () => {
    const bare = 'dl-nis2-bare';
    await c.t.store.commit({ incident: incidentFixture({ id: bare }), expectedRevision: null, timeline: [], messages: [] });
    await assess(c.deps, { incidentId: bare, nis2Significant: true, reason: 'uitval drinkwater', by: 'CISO' });
    await assess(c.deps, { incidentId: bare, nis2Significant: false, reason: 'toch niet significant', by: 'CISO' });
    const entry = (await c.t.store.getTimeline(bare)).filter((e) => e.kind === 'nis2-decided').at(-1) as TimelineEntry;
    expect(entry.detail).toEqual(expect.not.objectContaining({ stillOwed: expect.anything() }));
    expect(describeEntry(entry, 'en', policy.timeZone)).toBe('NIS2 significant: no; toch niet significant');
  });

  it('item 4: the final report a "no" kept owed on a closed incident says why, in show and the reminder', async () => {
    c.clock.now = '2026-11-28T09:00:00.000Z';
    await c.decide(false, 'toch niet significant');
    await assess(c.deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'storing, geen persoonsgegevens', by: 'FG' });
    c.clock.now = '2026-11-28T10:00:00.000Z';
    await closeIncident(c.deps, { incidentId: id, by: 'FG', reason: 'hersteld' });
    const incident = await c.stored();
    expect(closedWithDuty(incident, policy)).toBe(true);
    const final = clocksOf(incident, policy, c.clock.now).find((c) => c.name === 'nis2-final');
    const why = 'owed since the notification of 2026-11-28 08:00 CET; a "no" does not end it (NIS2 art. 23(4)(d))';
    // Before the fix: no note; the FG saw a running final report with no reason for it.
    expect(final?.note?.en).toBe(why);
    expect(final?.note?.nl).toBe('verschuldigd sinds de incidentmelding van 2026-11-28 08:00 CET; een "nee" beëindigt het niet (NIS2 art. 23(4)(d))');
    expect(showText(incident, await c.t.store.getTimeline(id), policy, c.clock.now)).toContain(why);
    // The sweep reminds of it (overdue after its month), and the reminder says why.
    c.clock.now = '2026-12-29T09:00:00.000Z';
    expect(dueItems(incident, policy, c.clock.now).map((d) => `${(d as { clock?: string }).clock}:${d.kind}`)).toContain('nis2-final:clock-overdue');
    const reminder = (language: 'nl' | 'en') =>
      composeMessage({
        incident,
        channel: 'fg',
        kind: 'clock-overdue',
        stateKey: 'clock:nis2-final',
        clock: 'nis2-final',
        now: c.clock.now,
        policy: { ...policy, language },
      }).body;
    expect(reminder('nl')).toContain('verschuldigd sinds de incidentmelding van 2026-11-28 08:00 CET; een "nee" beëindigt het niet (NIS2 art. 23(4)(d))');
    expect(reminder('en')).toContain(why);
  });
});
