/**
 * fgsec16 S4: a NIS2 "yes" taken back left the awareness given with it (`--nis2-aware-at`), and the
 * next "yes", given without one, ran its early warning and notification from that statement (whose
 * only reason on record was "the wrong incident"), not from the detection (runbook step 6).
 * The awareness belongs to the "yes" it was given with: a "no" ends it (the timeline and the
 * decisions keep it), so a later "yes" runs from its own awareness or the detection, and the
 * register shows only the awareness in force. One recorded on its own, before any "yes", stays.
 * The ended one still counts for the significance decision's own clock: the "no" that ends an
 * awareness stated before the detection does not make a first decision late against it on time, and
 * a later "yes" without its own runs from it, not from the later detection (readA16 A1).
 * Also: after no → yes → no the significance clock's note says the changes as they were.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showText } from '../../handlers/cli/views.js';
import { clocksOf, nis2AwarenessText } from '../../handlers/core/clocks.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerRow } from '../../handlers/core/register.js';
import { describeEntry } from '../../handlers/core/report-html.js';
import { findingEvent } from '../support/events.js';
import { type RecordedFinding, recordedFinding } from '../support/recorded-finding.js';

const policy = parsePolicy({
  organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } },
  clocks: { nis2: true },
});
const DETECTED = '2026-11-28T01:00:00.000Z';

describe('fgsec16 S4: the NIS2 awareness belongs to the "yes" it was given with', () => {
  let w: RecordedFinding;
  let id: string;
  beforeEach(async () => {
    w = await recordedFinding(policy, findingEvent({ id: 'n-withdrawn', createdAt: DETECTED }), '2026-11-28T03:00:00.000Z');
    id = w.id;
  });
  afterEach(async () => w.cleanup());
  const read = async () => (await w.store.getIncident(id)) as Incident;
  const clock = async (name: string) => clocksOf(await read(), policy, w.clock.now).find((c) => c.name === name);
  const decide = (significant: boolean, reason: string, extra: Partial<Parameters<typeof assess>[1]> = {}) =>
    assess(w.deps, { incidentId: id, by: 'FG', reason, nis2Significant: significant, ...extra });

  it('after closing: a "no" ends the awareness of the "yes" it takes back; the next "yes" runs from the detection', async () => {
    await assess(w.deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'storing, geen persoonsgegevens', by: 'FG', nis2Significant: false });
    w.clock.now = '2026-11-28T04:00:00.000Z';
    await closeIncident(w.deps, { incidentId: id, by: 'FG', reason: 'hersteld' });
    // A "yes" for what was in fact another incident, aware of it on Dec 1; taken back at once.
    w.clock.now = '2026-12-01T10:00:00.000Z';
    await decide(true, 'CSIRT meldt uitval', { nis2AwareAt: '2026-12-01T09:00:00.000Z', confirmAfterClose: true });
    w.clock.now = '2026-12-01T10:30:00.000Z';
    await decide(false, 'vergissing: ander incident', { confirmAfterClose: true });
    const back = await read();
    expect(back.nis2AwareAt ?? null).toBeNull();
    expect(registerRow(back, policy, w.clock.now).nis2AwareAt).toBeNull();
    // The timeline keeps the awareness the "no" ended; the decisions keep the statement itself.
    const no = (await w.store.getTimeline(id)).filter((e) => e.kind === 'nis2-decided').at(-1);
    expect(no?.detail).toMatchObject({ significant: false, awarenessEnded: '2026-12-01T09:00:00.000Z' });
    expect(describeEntry(no as NonNullable<typeof no>, 'nl', policy.timeZone)).toMatch(
      /het bewustwordingsmoment dat met het "ja" is gegeven \(2026-12-01 10:00 CET\) vervalt/,
    );
    expect(back.decisions?.some((d) => d.kind === 'nis2-awareness' && d.to === '2026-12-01T09:00:00.000Z')).toBe(true);
    // no → yes → no: the note says the changes as they were.
    const changed = await clock('nis2-significance');
    expect(changed?.note?.en).toBe('first decided not significant; changed to significant, then back to not significant');
    expect(changed?.note?.nl).toBe('eerst besloten: niet significant; gewijzigd in significant, daarna terug naar niet significant');
    // For this incident the CSIRT says it was significant after all; no awareness is stated.
    w.clock.now = '2026-12-01T12:00:00.000Z';
    await decide(true, 'CSIRT: ook hier uitval', { confirmAfterClose: true });
    // From the detection (Nov 28, 01:00 + 24 h): overdue; before the fix due Dec 2, 09:00 (the withdrawn statement), running.
    expect(await clock('nis2-early-warning')).toMatchObject({ dueAt: '2026-11-29T01:00:00.000Z', status: 'overdue' });
    // show and the page say which awareness it runs from, and that the withdrawn one ended.
    const said = nis2AwarenessText(await read(), policy.timeZone);
    expect(said?.en).toMatch(
      /^the NIS2 deadlines run from the detection \(.*\): no awareness recorded for this "yes"; the one given with the "yes" taken back .* ended with it$/,
    );
    expect(showText(await read(), [], policy, w.clock.now)).toContain(`  NIS2 aware     ${said?.en}`);
    expect(said?.nl).toMatch(
      /^de NIS2-termijnen lopen vanaf de detectie \(.*\): voor dit "ja" is geen bewustwordingsmoment vastgelegd; dat van het teruggenomen "ja" .* is ermee vervallen$/,
    );
  });

  it('the "no" that ends an awareness stated before the detection does not make a late first decision on time', async () => {
    // Aware since the day before the detection, decided 32 hours after it: the decision was late (art. 23(3)).
    w.clock.now = '2026-11-28T20:00:00.000Z';
    await decide(true, 'CSIRT waarschuwde gisteren al', { nis2AwareAt: '2026-11-27T12:00:00.000Z', confirmStatedTime: true });
    expect((await clock('nis2-significance'))?.status).toBe('late');
    w.clock.now = '2026-11-28T21:00:00.000Z';
    await decide(false, 'storing bij de leverancier', { confirmStatedTime: true });
    expect(await clock('nis2-significance')).toMatchObject({ dueAt: '2026-11-28T12:00:00.000Z', status: 'late' });
    // readA16 A1: "yes" again, with no awareness of its own: its 24 h and 72 h run from the ended
    // awareness, earlier than the detection (the stricter reading); before the fix from the detection.
    w.clock.now = '2026-11-28T22:00:00.000Z';
    await decide(true, 'toch significant', { confirmStatedTime: true });
    expect((await clock('nis2-early-warning'))?.dueAt).toBe('2026-11-28T12:00:00.000Z');
    expect((await clock('nis2-notification'))?.dueAt).toBe('2026-11-30T12:00:00.000Z');
    const said = nis2AwarenessText(await read(), 'UTC');
    expect(said?.en).toBe(
      'the NIS2 deadlines run from the awareness a "no" ended (2026-11-27 12:00 UTC), earlier than the detection (2026-11-28 01:00 UTC): no awareness recorded for this "yes", so the earlier one the record holds (the stricter reading)',
    );
    expect(said?.nl).toMatch(
      /^de NIS2-termijnen lopen vanaf het bewustwordingsmoment dat met een teruggenomen "ja" is vervallen \(2026-11-27 12:00 UTC\), eerder dan de detectie/,
    );
  });

  it('an awareness recorded on its own, before any "yes", stays through a "yes" taken back', async () => {
    await assess(w.deps, { incidentId: id, by: 'FG', reason: 'CSIRT belde over de uitval', nis2AwareAt: '2026-11-28T02:00:00.000Z' });
    await decide(true, 'productie ligt stil');
    w.clock.now = '2026-11-28T05:00:00.000Z';
    await decide(false, 'storing bij de leverancier');
    expect((await read()).nis2AwareAt).toBe('2026-11-28T02:00:00.000Z');
    w.clock.now = '2026-11-28T06:00:00.000Z';
    await decide(true, 'toch uitval bij klanten');
    expect((await clock('nis2-early-warning'))?.dueAt).toBe('2026-11-29T02:00:00.000Z');
    expect(nis2AwarenessText(await read(), policy.timeZone)?.en).toMatch(
      /^the NIS2 deadlines run from the awareness recorded \(.*\): CSIRT belde over de uitval$/,
    );
  });
});
