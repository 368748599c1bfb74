/**
 * NIS2 art. 23(3), (4): an FG who learns after closing that the incident was significant records it
 * after closing (`assess --after-close --nis2-significant yes --reason`), with who, when and why; the
 * early warning (24 h) and the incident notification (72 h) then run on the closed incident, read
 * overdue once their deadlines passed, and are listed, reminded and recorded after closing, as the
 * clocks an assessment after closing reopens are. Before, the decision was refused after closing and
 * no NIS2 clock could run again.
 *
 * read14a A3: the NIS2 awareness could be given in the same call only. Left out, it is the detection,
 * and the early warning reads overdue from it; a later `assess --after-close --nis2-aware-at --reason`
 * was refused ("is closed; the register keeps it as it was closed", not saying why), though on an open
 * incident the same correction is taken: the register kept, for good, an early warning overdue by
 * weeks that may have gone out within 24 hours of learning the significance (art. 23(4)(a)).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf, closedWithDuty, dutiesAfterClosing } from '../../handlers/core/clocks.js';
import { assess, closeIncident, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident, TimelineEntry } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerRow } from '../../handlers/core/register.js';
import { describeEntry } from '../../handlers/core/report-html.js';
import { dueItems } from '../../handlers/core/schedule.js';
import { openIncidents } from '../../handlers/use-cases/queries.js';
import { findingEvent } from '../support/events.js';
import { type RecordedFinding, recordedFinding } from '../support/recorded-finding.js';

const policy = parsePolicy({
  organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } },
  clocks: { nis2: true },
});
const DETECTED = '2026-11-28T01:00:00.000Z';

describe('the NIS2 significance decided after closing', () => {
  let w: RecordedFinding;
  let store: RecordedFinding['store'];
  let deps: RecordedFinding['deps'];
  let id: string;
  beforeEach(async () => {
    w = await recordedFinding(policy, findingEvent({ id: 'n-after', createdAt: DETECTED }), '2026-11-28T03:00:00.000Z');
    ({ store, deps, id } = w);
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'storing, geen persoonsgegevens', by: 'FG', nis2Significant: false });
    w.clock.now = '2026-11-28T04:00:00.000Z';
    await closeIncident(deps, { incidentId: id, by: 'FG', reason: 'hersteld' });
    w.clock.now = '2026-11-29T13:00:00.000Z';
  });
  afterEach(async () => w.cleanup());

  const read = async () => (await store.getIncident(id)) as Incident;
  const significantAfterClosing = (extra: Partial<Parameters<typeof assess>[1]> = {}) =>
    assess(deps, { incidentId: id, by: 'FG', reason: 'CSIRT meldt uitval bij drie klanten', nis2Significant: true, confirmAfterClose: true, ...extra });

  it('is recorded with who, when and why, and its NIS2 clocks run on the closed incident, overdue when they are', async () => {
    // A day and a half after the detection: the early warning (24 h) is overdue, the notification (72 h) runs.
    const now = w.clock.now;
    await significantAfterClosing();
    const incident = await read();
    expect(incident.state).toBe('closed');
    expect(incident.nis2).toMatchObject({ significant: true, by: 'FG', at: now, reason: 'CSIRT meldt uitval bij drie klanten' });
    expect(incident.afterClose?.at(-1)).toMatchObject({ at: now, by: 'FG', reason: 'CSIRT meldt uitval bij drie klanten' });
    expect(incident.afterClose?.at(-1)?.what).toMatch(/NIS2/);

    const clocks = new Map(clocksOf(incident, policy, now).map((c) => [c.name, c.status]));
    expect(clocks.get('nis2-early-warning')).toBe('overdue');
    expect(clocks.get('nis2-notification')).toBe('running');
    // Listed beside the open incidents (status, status --json), with the clocks still owed.
    expect(closedWithDuty(incident, policy)).toBe(true);
    expect(dutiesAfterClosing(incident, policy, now).map((c) => c.name)).toEqual(['nis2-early-warning', 'nis2-notification']);
    expect((await openIncidents(deps)).map((i) => i.id)).toContain(id);
    // The sweep reminds of both: the early warning as overdue.
    const due = dueItems(incident, policy, now).map((d) => `${(d as { clock?: string }).clock}:${d.kind}`);
    expect(due).toContain('nis2-early-warning:clock-overdue');
    // The register says it, in its after-close column and its clocks.
    const row = registerRow(incident, policy, now);
    expect(row.afterClose).toMatch(/NIS2 significant .*by FG: CSIRT meldt uitval bij drie klanten/);
    expect(row.otherClocks).toMatch(/nis2-early-warning: overdue; nis2-notification: running/);
    // The report's timeline says the decision came after closing.
    const decided = (await store.getTimeline(id)).filter((e) => e.kind === 'nis2-decided').at(-1) as TimelineEntry;
    expect(describeEntry(decided, 'en', policy.timeZone)).toMatch(/NIS2 significant: yes; CSIRT meldt uitval bij drie klanten; after closing$/);
    expect(describeEntry(decided, 'nl', policy.timeZone)).toMatch(/; na het sluiten$/);

    // The reports are recorded after closing, with their reason; then nothing is owed any more.
    for (const to of ['csirt', 'authority'] as const)
      await recordReport(deps, { incidentId: id, to, kind: 'notification', reference: `${to}-1`, by: 'FG', reason: 'na het besluit na sluiten' });
    const reported = await read();
    expect(clocksOf(reported, policy, now).find((c) => c.name === 'nis2-notification')?.status).toBe('met');
    // The final report, a month after the notification, runs on as for any significant incident closed.
    expect(dutiesAfterClosing(reported, policy, now).map((c) => c.name)).toEqual(['nis2-final']);
  });

  it('takes the NIS2 awareness with it, and only with --after-close', async () => {
    const now = w.clock.now;
    await expect(significantAfterClosing({ confirmAfterClose: undefined })).rejects.toThrow(/--after-close/);
    await significantAfterClosing({ nis2AwareAt: '2026-11-29T12:00:00.000Z' });
    const incident = await read();
    expect(incident.nis2AwareAt).toBe('2026-11-29T12:00:00.000Z');
    expect(new Map(clocksOf(incident, policy, now).map((c) => [c.name, c.status])).get('nis2-early-warning')).toBe('running');
  });

  it('is refused as "not significant" after closing on an incident not significant, and when the incident was significant already, saying why', async () => {
    await expect(significantAfterClosing({ nis2Significant: false })).rejects.toThrow(/is closed: .*"no" would decide nothing new/);
    await significantAfterClosing();
    await expect(significantAfterClosing()).rejects.toThrow(/is closed: .*"yes" would decide nothing new/);
  });

  // fgsec15 S2, attack15 K5: "no" after closing was refused as ending "the NIS2 clocks closing left
  // running", also when closing left none and the clocks were the after-close "yes"'s own: a "yes" on
  // the wrong incident, or one the CSIRT read otherwise, kept an early warning overdue and the incident
  // in status for good; the only way out was recording reports never made (Art. 5(2), 33(5)).
  it('takes "not significant" back after closing when the "yes" was itself given after closing, keeping both decisions', async () => {
    await significantAfterClosing();
    const yes = w.clock.now;
    expect(dutiesAfterClosing(await read(), policy, yes).map((c) => c.name)).toContain('nis2-early-warning');
    w.clock.now = '2026-11-29T14:00:00.000Z';
    const back = (extra: Partial<Parameters<typeof assess>[1]> = {}) =>
      significantAfterClosing({ nis2Significant: false, reason: 'vergissing: de uitval had een andere oorzaak (CSIRT bevestigt)', ...extra });
    await expect(back({ confirmAfterClose: undefined })).rejects.toThrow(/--after-close/);
    await expect(back({ reason: ' ' })).rejects.toThrow(/reason/);
    // It ends an early warning the record held overdue (reminders were due): confirmed and marked, as on an open incident.
    await expect(back()).rejects.toThrow(/NIS2 early warning deadline .*after that deadline had passed/);
    await back({ confirmStatedTime: true });
    const after = await read();
    expect(after).toMatchObject({ state: 'closed', nis2: { significant: false, by: 'FG', at: w.clock.now, afterClose: true } });
    expect(clocksOf(after, policy, w.clock.now).filter((c) => c.name.startsWith('nis2-') && c.status === 'overdue')).toEqual([]);
    expect(dutiesAfterClosing(after, policy, w.clock.now)).toEqual([]);
    expect(closedWithDuty(after, policy)).toBe(false);
    expect((await openIncidents(deps)).map((i) => i.id)).not.toContain(id);
    expect(dueItems(after, policy, w.clock.now).filter((d) => d.kind === 'clock-overdue')).toEqual([]);
    // The trail: the first decision, the "yes" and the "no", each with who and why; the register says both.
    const trail = (after.decisions ?? []).filter((d) => d.kind === 'nis2-significance');
    expect(trail.map((d) => [d.kind === 'nis2-significance' && d.significant, d.recordedAt])).toEqual([
      [false, '2026-11-28T03:00:00.000Z'],
      [true, yes],
      [false, w.clock.now],
    ]);
    expect(trail.at(-1)?.clocksEnteredAfterDeadline?.map((m) => m.clock)).toEqual(['nis2-early-warning']);
    const row = registerRow(after, policy, w.clock.now);
    expect(row.afterClose).toMatch(/NIS2 significant .* by FG: CSIRT meldt uitval bij drie klanten; NIS2 not significant .* by FG: vergissing/);
    expect(row.nis2Significant).toBe(false);
    const entry = (await store.getTimeline(id)).filter((e) => e.kind === 'nis2-decided').at(-1) as TimelineEntry;
    expect(describeEntry(entry, 'en', policy.timeZone)).toMatch(/NIS2 significant: no; vergissing.*; after closing$/);
    // Once back, "no" decides nothing new; a "yes" learned later is taken again.
    await expect(back({ confirmStatedTime: true })).rejects.toThrow(/"no" would decide nothing new/);
    await significantAfterClosing();
    expect((await read()).nis2?.significant).toBe(true);
  });

  // readD15 D1: once the CSIRT was notified and asked an intermediate report, "no" ended both reports
  // owed (art. 23(4)(c), (d)) with a reason alone: nothing reminded, the incident left status.
  it('refuses "not significant" after closing once a NIS2 report went out or was asked since that "yes", saying what is owed', async () => {
    await significantAfterClosing({ nis2AwareAt: '2026-11-29T12:00:00.000Z' });
    const no = () => significantAfterClosing({ nis2Significant: false, reason: 'toch niet significant' });
    await recordReport(deps, { incidentId: id, to: 'csirt', kind: 'notification', reference: 'CSIRT-1', by: 'FG', reason: 'melding' });
    await expect(no()).rejects.toThrow(/"no" would end the NIS2 reports owed .*incident notification CSIRT-1 to the CSIRT/);
    w.clock.now = '2026-11-29T15:00:00.000Z';
    await assess(deps, { incidentId: id, by: 'FG', reason: 'CSIRT vraagt', nis2IntermediateDueAt: '2026-12-03T12:00:00.000Z', confirmAfterClose: true });
    w.clock.now = '2026-11-30T09:00:00.000Z';
    await expect(no()).rejects.toThrow(/intermediate report by 2026-12-03T12:00:00.000Z.*record those reports after closing/);
    const kept = await read();
    expect(kept.nis2).toMatchObject({ significant: true, afterClose: true });
    expect(dutiesAfterClosing(kept, policy, w.clock.now).map((c) => c.name)).toEqual(expect.arrayContaining(['nis2-intermediate', 'nis2-final']));
  });

  it('keeps refusing "not significant" after closing when the significance was decided before closing', async () => {
    const c = await recordedFinding(policy, findingEvent({ id: 'n-before', createdAt: DETECTED }), '2026-11-28T03:00:00.000Z');
    try {
      await assess(c.deps, { incidentId: c.id, personalData: 'no', risk: 'none', reason: 'storing', by: 'FG', nis2Significant: true });
      for (const to of ['csirt', 'authority'] as const)
        await recordReport(c.deps, { incidentId: c.id, to, kind: 'notification', reference: `${to}-1`, by: 'FG' });
      c.clock.now = '2026-11-28T04:00:00.000Z';
      await closeIncident(c.deps, { incidentId: c.id, by: 'FG', reason: 'hersteld' });
      c.clock.now = '2026-11-29T13:00:00.000Z';
      const no = { incidentId: c.id, by: 'FG', reason: 'toch niet', nis2Significant: false, confirmAfterClose: true, confirmStatedTime: true };
      await expect(assess(c.deps, no)).rejects.toThrow(/"no" would end the NIS2 clocks closing left running/);
    } finally {
      await c.cleanup();
    }
  });

  // fgsec15 S2: the CSIRT's request for an intermediate report (art. 23(4)(c)) after closing, and the
  // report itself, were refused ("is closed; the register keeps it as it was closed"): the request,
  // its deadline and the report were nowhere in the record, and nothing reminded.
  it("takes the CSIRT's request for an intermediate report after closing, reminds of it, and takes the report", async () => {
    await significantAfterClosing();
    await recordReport(deps, { incidentId: id, to: 'csirt', kind: 'notification', reference: 'CSIRT-1', by: 'FG', reason: 'na het besluit na sluiten' });
    w.clock.now = '2026-11-29T15:00:00.000Z';
    const request = (extra: Partial<Parameters<typeof assess>[1]> = {}) =>
      assess(deps, {
        incidentId: id,
        by: 'FG',
        reason: 'CSIRT vraagt een tussentijds verslag',
        nis2IntermediateDueAt: '2026-12-03T12:00:00.000Z',
        confirmAfterClose: true,
        ...extra,
      });
    await expect(request({ confirmAfterClose: undefined })).rejects.toThrow(/--after-close/);
    await request();
    const asked = await read();
    expect(asked.nis2?.intermediateDueAt).toBe('2026-12-03T12:00:00.000Z');
    expect(asked.afterClose?.at(-1)).toMatchObject({
      by: 'FG',
      what: 'NIS2 intermediate report requested (art. 23(4)(c))',
      reason: 'CSIRT vraagt een tussentijds verslag',
    });
    expect(dutiesAfterClosing(asked, policy, w.clock.now).map((c) => c.name)).toContain('nis2-intermediate');
    w.clock.now = '2026-12-02T10:00:00.000Z';
    await recordReport(deps, { incidentId: id, to: 'csirt', kind: 'intermediate', reference: 'CSIRT-2', by: 'FG', reason: 'tussentijds verslag' });
    expect((await read()).reports?.at(-1)).toMatchObject({ kind: 'intermediate', reference: 'CSIRT-2', afterClose: true });
  });

  it('refuses a request for an intermediate report after closing on an incident not significant, saying why', async () => {
    await expect(
      assess(deps, { incidentId: id, by: 'FG', reason: 'CSIRT vraagt', nis2IntermediateDueAt: '2026-12-03T12:00:00.000Z', confirmAfterClose: true }),
    ).rejects.toThrow(/asked only of a significant incident/);
  });

  it('takes its NIS2 awareness in a later call too, under the same checks, as on an open incident (read14a A3)', async () => {
    await significantAfterClosing();
    // Premise: left out, the early warning runs from the detection and is overdue already.
    expect(clocksOf(await read(), policy, w.clock.now).find((c) => c.name === 'nis2-early-warning')?.status).toBe('overdue');
    w.clock.now = '2026-11-29T13:10:00.000Z';
    const correct = (extra: Partial<Parameters<typeof assess>[1]>) =>
      assess(deps, {
        incidentId: id,
        by: 'FG',
        reason: 'pas vandaag bleek de uitval significant (CSIRT, 29 november 12:00)',
        confirmAfterClose: true,
        ...extra,
      });
    // After the decision: the entity was aware by then at the latest (moveNis2Awareness).
    await expect(correct({ nis2AwareAt: '2026-11-29T13:05:00Z' })).rejects.toThrow(/decided significant at .* lies after it/);
    // It stops an early warning the record held overdue: confirmed and marked, as on an open incident.
    await expect(correct({ nis2AwareAt: '2026-11-29T12:00:00Z' })).rejects.toThrow(/after that deadline had passed/);
    await correct({ nis2AwareAt: '2026-11-29T12:00:00Z', confirmStatedTime: true });
    const after = await read();
    expect([after.state, after.nis2AwareAt]).toEqual(['closed', '2026-11-29T12:00:00.000Z']);
    expect(clocksOf(after, policy, w.clock.now).find((c) => c.name === 'nis2-early-warning')?.status).toBe('running');
    expect(after.afterClose?.at(-1)).toMatchObject({ at: w.clock.now, what: 'NIS2 awareness (art. 23(4)(a))' });
  });

  // readD15 D2: the bound was the first "yes" on record, the one taken back: the true "yes" a week
  // later could not state its awareness, and its early warning read overdue from the mistaken one's.
  it('bounds the NIS2 awareness by the "yes" in force, not by one taken back', async () => {
    await significantAfterClosing({ reason: 'verkeerd incident', nis2AwareAt: '2026-11-29T12:00:00.000Z' });
    w.clock.now = '2026-11-29T14:00:00.000Z';
    await significantAfterClosing({ nis2Significant: false, reason: 'vergissing: ander incident' });
    w.clock.now = '2026-12-05T10:00:00.000Z';
    const yes = (nis2AwareAt: string) => significantAfterClosing({ reason: 'CSIRT: wel significant', nis2AwareAt });
    await yes('2026-12-05T09:00:00.000Z');
    const incident = await read();
    expect(incident.nis2AwareAt).toBe('2026-12-05T09:00:00.000Z');
    expect(clocksOf(incident, policy, w.clock.now).find((c) => c.name === 'nis2-early-warning')?.status).toBe('running');
    // Still bounded by the "yes" in force: an awareness after it is refused.
    w.clock.now = '2026-12-05T11:00:00.000Z';
    await expect(assess(deps, { incidentId: id, by: 'FG', reason: 'later', nis2AwareAt: '2026-12-05T10:30:00.000Z', confirmAfterClose: true })).rejects.toThrow(
      /decided significant at 2026-12-05 11:00 CET \(2026-12-05T10:00:00.000Z\)/,
    );
  });

  // fgsec15 S3: the decision clock took the last decision's time, so "not significant" decided 2 hours
  // after the detection and changed after closing read "decided late" in show, the page, the register
  // and the FG's reminders, for good. It is met by the first decision; the change is said as one.
  it('reads the decision made in time as met after it is changed, and says the change', async () => {
    const decision = (i: Incident) => clocksOf(i, policy, w.clock.now).find((c) => c.name === 'nis2-significance');
    expect(decision(await read())?.status).toBe('met');
    await significantAfterClosing();
    const changed = decision(await read());
    expect(changed).toMatchObject({ status: 'met', doneAt: '2026-11-28T03:00:00.000Z' });
    expect(changed?.note?.en).toBe('first decided not significant; changed later, now significant');
    expect(changed?.note?.nl).toBe('eerst besloten: niet significant; later gewijzigd, nu significant');
    const row = registerRow(await read(), policy, w.clock.now);
    expect(row.otherClocks).toMatch(/nis2-significance: met \(first decided not significant; changed later, now significant\)/);
    expect(row.afterClose).toMatch(/NIS2 significant .*CSIRT meldt uitval/);
  });

  it('refuses a NIS2 awareness after closing on an incident not decided significant after closing, saying why', async () => {
    await expect(
      assess(deps, { incidentId: id, by: 'FG', reason: 'toch eerder', nis2AwareAt: '2026-11-29T12:00:00Z', confirmAfterClose: true }),
    ).rejects.toThrow(/is closed: after closing, --nis2-aware-at is taken only for a significance under NIS2 decided after closing/);
  });
});
