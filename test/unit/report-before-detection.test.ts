/**
 * fgsec12 S1 (review11): since G4 an awareness before GuardDuty's detection is recorded when confirmed
 * (a customer's call on 23 November, GuardDuty's finding on 27 November), and the AP clock runs from
 * it. But the AP report made in that window (24 November, within the 72 hours) could not be recorded:
 * `reported --at` kept the detection as its lower bound even with --confirm-stated-time, so the FG had
 * to enter a later, false time and the record read "late", asking reasons for a delay that never
 * happened (Art. 5(2), 33(1), 33(5)). The same held for a communication to the data subjects (Art.
 * 34) and an NIS2 early warning after an NIS2 awareness before the detection. Now the lower bound of
 * a report or communication is that awareness: before the detection only confirmed, and marked;
 * before the awareness never.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showText } from '../../handlers/cli/views.js';
import { clocksOf } from '../../handlers/core/clocks.js';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, decideSubjects, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { registerCsv, registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
// The fixture: GuardDuty's detection (and first activity) 2026-11-27T21:00Z.
const CALLED = '2026-11-23T09:00:00.000Z'; // deadline 26 Nov 09:00Z, before GuardDuty saw anything
const REPORTED = '2026-11-24T15:00:00.000Z'; // within the 72 hours

describe('fgsec12 S1: a report or communication made after an awareness before the detection', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let policy: Policy;
  const now = '2026-11-28T08:00:00.000Z';
  let deps: FgDeps;
  const id = 'dl-s1';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const report = { incidentId: id, to: 'ap' as const, kind: 'initial', reference: 'M-1', by: 'FG' };
  beforeEach(async () => {
    t = tempSqliteStore();
    policy = parsePolicy({ organisation: org });
    deps = { store: t.store, policy, now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps, {
      incidentId: id,
      personalData: 'yes',
      risk: 'high',
      reason: 'klantgegevens op internet',
      awareAt: CALLED,
      awareReason: 'een klant belde op 23 november dat haar dossier online stond',
      confirmStatedTime: true,
      by: 'FG',
    });
  });
  afterEach(async () => t.cleanup());

  it('an AP report is recorded at the time it was made, confirmed and marked, and the AP clock reads met', async () => {
    await expect(recordReport(deps, { ...report, at: REPORTED })).rejects.toThrow(/before GuardDuty's detection .*--confirm-stated-time/);
    await recordReport(deps, { ...report, at: REPORTED, confirmStatedTime: true });
    const incident = await stored();
    expect(incident.reports?.[0]).toMatchObject({ at: REPORTED, beforeDetection: true, delayReason: null });
    expect(clocksOf(incident, policy, now).find((c) => c.name === 'ap')?.status).toBe('met');
    expect(registerMarkdown([incident], policy, now, 'nl')).toMatch(/M-1 [^;]*\(vóór de detectie door GuardDuty\)/);
    // `show` marks both as the draft and the register do: the awareness line too (it said only "entered later").
    const shown = showText(incident, await t.store.getTimeline(id), policy, now);
    expect(shown).toMatch(/ {2}aware {10}.*\(before GuardDuty's detection\)/);
    expect(shown).toMatch(/ {2}reported {7}ap initial M-1 at .* \(before GuardDuty's detection\) by FG/);
    // small13b: the register's CSV/JSON references (what the AP sees, Art. 33(5)) and the AP draft carry the mark too.
    const row = registerRow(incident, policy, now);
    expect(row.references).toBe(`ap:initial:M-1@${REPORTED} (before GuardDuty's detection)`);
    expect(registerCsv([row])).toContain(`ap:initial:M-1@${REPORTED} (before GuardDuty's detection)`);
    expect(buildDraft(incident, policy, now, 'nl').warnings.join('\n')).toMatch(/Melding M-1 [^\n]*vóór de detectie door GuardDuty/);
    expect(buildDraft(incident, policy, now, 'en').warnings.join('\n')).toMatch(/Report M-1 [^\n]*before GuardDuty's detection/);
  });

  it('the lower bound stays: no report before the awareness on record', async () => {
    const before = recordReport(deps, { ...report, at: '2026-11-23T08:00:00Z', confirmStatedTime: true });
    await expect(before).rejects.toThrow(/before the awareness on record, 2026-11-23 10:00 CET \(2026-11-23T09:00:00.000Z\)/);
    expect((await stored()).reports ?? []).toEqual([]);
  });

  it('a communication to the data subjects made the day of the call is recorded, confirmed and marked (Art. 34)', async () => {
    const inform = {
      incidentId: id,
      decision: 'inform' as const,
      reason: 'hoog risico',
      date: '2026-11-23T16:00:00Z',
      channel: 'e-mail',
      text: 'Uw dossier stond online.',
      by: 'FG',
    };
    await expect(decideSubjects(deps, inform)).rejects.toThrow(/--confirm-stated-time/);
    await decideSubjects(deps, { ...inform, confirmStatedTime: true });
    expect((await stored()).subjects).toMatchObject({ date: '2026-11-23T16:00:00.000Z', beforeDetection: true });
  });

  it("a processor's report to its controller the day of the call is recorded, confirmed and marked (Art. 33(2))", async () => {
    const processor = { ...deps, policy: parsePolicy({ organisation: { ...org, processor: true } }) };
    const toController = { incidentId: id, to: 'controller' as const, kind: 'initial', reference: 'VV-1', by: 'FG', at: '2026-11-23T12:00:00Z' };
    await expect(recordReport(processor, toController)).rejects.toThrow(/--confirm-stated-time/);
    await recordReport(processor, { ...toController, confirmStatedTime: true });
    expect((await stored()).reports?.find((r) => r.to === 'controller')).toMatchObject({ at: '2026-11-23T12:00:00.000Z', beforeDetection: true });
    const told = buildDraft(await stored(), processor.policy, now, 'en')
      .sections.flatMap((s) => s.fields)
      .find((f) => f.key === 'controllerInformedAt');
    expect(told?.value).toMatch(/VV-1; before GuardDuty's detection/);
  });

  it('an NIS2 early warning follows the NIS2 awareness, not the GDPR one', async () => {
    const nis2Policy = parsePolicy({ organisation: org, clocks: { nis2: true } });
    const nis2Deps = { ...deps, policy: nis2Policy };
    const warning = { incidentId: id, to: 'csirt' as const, kind: 'early-warning', reference: 'CSIRT-1', by: 'FG', confirmStatedTime: true };
    // No NIS2 awareness before the detection: the detection stays its lower bound.
    await expect(recordReport(nis2Deps, { ...warning, at: '2026-11-24T10:00:00Z' })).rejects.toThrow(/before the detection/);
    await assess(nis2Deps, {
      incidentId: id,
      nis2Significant: true,
      nis2AwareAt: '2026-11-24T09:00:00Z',
      reason: 'zorgverlening geraakt',
      confirmStatedTime: true,
      by: 'FG',
    });
    await recordReport(nis2Deps, { ...warning, at: '2026-11-24T10:00:00Z' });
    expect((await stored()).reports?.find((r) => r.to === 'csirt')).toMatchObject({ at: '2026-11-24T10:00:00.000Z', beforeDetection: true });
  });
});
