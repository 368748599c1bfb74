/**
 * Review 5 F1: awareness stated after the AP was already notified (or after the data
 * subjects were informed). The organisation was aware at the latest when it notified the AP (Art.
 * 33(1): the notification follows awareness); datalek already refuses awareness after the moment
 * personal data was recorded as affected (fg-workflow.ts moveAwareness), but not after a report.
 * With the confirmation the rule for a deadline already passed asks for, a late initial report
 * (with its own delay reason) turned into "met". A stated awareness after any report to the AP or
 * the controller, or after a communication to the data subjects, is refused, naming it; and an
 * Art. 34 communication is not stated before the awareness.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, decideSubjects, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { registerRow } from '../../handlers/core/register.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe('awareness stated after the notification it must precede', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  let policy: Policy;
  const id = 'dl-f1';
  const stored = async () => (await t.store.getIncident(id)) as Incident;

  beforeEach(async () => {
    t = tempSqliteStore();
    policy = parsePolicy({ organisation: org });
    now = '2026-11-27T22:00:00.000Z'; // detected 2026-11-27T21:00Z, AP deadline 2026-11-30T21:00Z
    deps = { store: t.store, policy, now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  it('refuses awareness later than the initial AP report (before the deadline: no confirmation even asked)', async () => {
    now = '2026-11-29T20:00:00.000Z';
    // The assessment is entered late in the day; the AP was notified in the morning.
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    await recordReport(deps, { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', at: '2026-11-29T09:00:00Z', by: 'FG' });
    const before = (await stored()).revision;
    // Aware at 12:00, three hours after the AP had the notification.
    await expect(assess(deps, { incidentId: id, awareAt: '2026-11-29T12:00:00Z', awareReason: 'pas toen zeker', reason: 'herzien', by: 'FG' })).rejects.toThrow(
      /report|melding|Art\. 33/,
    );
    expect((await stored()).revision).toBe(before);
  });

  it('does not turn a late report (with its own delay reason) into "met" by moving awareness past it', async () => {
    now = '2026-12-01T10:00:00.000Z';
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    // Reported 2026-12-01T08:00Z: 11 hours late, with reasons for the delay.
    await recordReport(deps, {
      incidentId: id,
      to: 'ap',
      kind: 'initial',
      reference: 'M-2',
      at: '2026-12-01T08:00:00Z',
      delayReason: 'onderzoek duurde lang',
      by: 'FG',
    });
    expect(clocksOf(await stored(), policy, now).find((c) => c.name === 'ap')?.status).toBe('late');
    // The FG (or anyone holding the page) then states awareness an hour AFTER the report, confirming.
    const move = assess(deps, {
      incidentId: id,
      awareAt: '2026-12-01T09:00:00Z',
      awareReason: 'pas toen zeker',
      reason: 'herzien',
      confirmStatedTime: true,
      by: 'FG',
    });
    const result = await move.then(
      () => 'recorded',
      () => 'refused',
    );
    const row = registerRow(await stored(), policy, now);
    // The register keeps the verdict the report was made under.
    expect({ result, apInitialStatus: row.apInitialStatus }).toEqual({ result: 'refused', apInitialStatus: 'late' });
  });

  it('refuses an Art. 34 communication stated before awareness', async () => {
    now = '2026-11-29T20:00:00.000Z';
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'patiëntgegevens', by: 'FG' });
    await assess(deps, { incidentId: id, awareAt: '2026-11-28T12:00:00Z', awareReason: 'pas toen zeker', reason: 'herzien', by: 'FG' });
    const before = (await stored()).revision;
    await expect(
      decideSubjects(deps, {
        incidentId: id,
        decision: 'inform',
        text: 'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
        reason: 'brief',
        date: '2026-11-28T01:00:00Z',
        channel: 'brief',
        by: 'FG',
      }),
    ).rejects.toThrow(/before the awareness on record, 2026-11-28 13:00 CET \(2026-11-28T12:00:00\.000Z\)/);
    expect((await stored()).revision).toBe(before);
  });

  it('refuses awareness later than the data subjects were informed', async () => {
    now = '2026-11-29T20:00:00.000Z';
    await assess(deps, { incidentId: id, personalData: 'unknown', risk: 'high', reason: 'mogelijk patiëntgegevens', by: 'FG' });
    await decideSubjects(deps, {
      incidentId: id,
      decision: 'inform',
      text: 'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
      reason: 'brief',
      date: '2026-11-28T10:00:00Z',
      channel: 'brief',
      by: 'FG',
    });
    const before = (await stored()).revision;
    await expect(assess(deps, { incidentId: id, awareAt: '2026-11-28T12:00:00Z', awareReason: 'pas toen zeker', reason: 'herzien', by: 'FG' })).rejects.toThrow(
      /data subjects were informed.*2026-11-28T10:00:00\.000Z/,
    );
    expect((await stored()).revision).toBe(before);
    // Up to that moment it can still be stated.
    await assess(deps, { incidentId: id, awareAt: '2026-11-28T10:00:00Z', awareReason: 'pas toen zeker', reason: 'herzien', by: 'FG' });
    expect((await stored()).awareAt).toBe('2026-11-28T10:00:00.000Z');
  });

  it("refuses a processor's awareness later than its report to the controller", async () => {
    policy = parsePolicy({ organisation: { ...org, processor: true } });
    deps = { ...deps, policy };
    now = '2026-11-28T11:00:00.000Z';
    await recordReport(deps, { incidentId: id, to: 'controller', kind: 'initial', reference: 'C-1', at: '2026-11-28T09:00:00Z', by: 'FG' });
    await expect(assess(deps, { incidentId: id, awareAt: '2026-11-28T10:30:00Z', awareReason: 'pas toen zeker', reason: 'herzien', by: 'FG' })).rejects.toThrow(
      /C-1/,
    );
  });
});
