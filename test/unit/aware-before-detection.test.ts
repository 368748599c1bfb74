/**
 * Review 7 G4: the organisation can have become aware of a breach before GuardDuty saw it (a
 * customer's call on day 1, GuardDuty's first activity on day 2: EDPB Guidelines 9/2022), and the
 * breach can have begun before it. Such a moment was refused outright, even confirmed with a reason:
 * the AP clock started at the detection, a notification late by the real awareness read "met", and
 * the register documented a false awareness (Art. 33(1), (5)). Now it is recorded when the person
 * confirms it (`--confirm-stated-time`) with its reason, marked "before GuardDuty's detection" in the
 * record, the draft and the register, and the AP clock runs from it. Reports keep the lower bound
 * of the awareness on record (review11 S1: it was the detection).
 */
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { buildDraft } from '../../handlers/core/draft.js';
import type { RefusedError } from '../../handlers/core/errors.js';
import { assess, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { type FgCase, openCase } from '../support/fg-case.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
// The fixture: GuardDuty's detection (and first activity) 2026-11-27T21:00Z.
const CALLED = '2026-11-26T21:00:00.000Z';
const CALL_REASON = 'een klant belde op 26 november dat haar dossier online stond';

describe('G4: awareness and begin before GuardDuty detected the breach', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let policy: Policy;
  let now: string;
  let deps: FgDeps;
  const id = 'dl-g4';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const awareBefore = (over: { confirmStatedTime?: boolean; awareAt?: string } = {}) =>
    assess(deps, {
      incidentId: id,
      personalData: 'yes',
      risk: 'risk',
      reason: 'klantgegevens op internet',
      awareAt: over.awareAt ?? CALLED,
      awareReason: CALL_REASON,
      confirmStatedTime: over.confirmStatedTime ?? true,
      by: 'FG',
    });

  beforeEach(async () => {
    t = tempSqliteStore();
    policy = parsePolicy({ organisation: org });
    now = '2026-11-28T08:00:00.000Z';
    deps = { store: t.store, policy, now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  it('asks for the confirmation of an awareness before the detection, and refuses one before the AVG applied', async () => {
    await expect(awareBefore({ confirmStatedTime: false })).rejects.toThrow(/before GuardDuty's detection .*--confirm-stated-time/);
    await expect(awareBefore({ awareAt: '2018-05-24T12:00:00Z' })).rejects.toThrow(/2018-05-25.*AVG/);
    expect((await stored()).awareAt).toBe('2026-11-27T21:00:00.000Z');
  });

  it('records it confirmed, marked, and judges the AP report by it: late, with the reasons for the delay', async () => {
    await awareBefore();
    const incident = await stored();
    expect(incident.awareAt).toBe(CALLED);
    expect(incident.deadline).toBe('2026-11-29T21:00:00.000Z');
    expect(incident.decisions?.find((d) => d.kind === 'awareness')).toMatchObject({ to: CALLED, beforeDetection: true, hoursAfterDetection: -24 });
    // The 72 hours ended 29 Nov 21:00Z: the report of 30 Nov is late and needs its reasons (Art. 33(1)).
    now = '2026-11-30T20:00:00.000Z';
    const report = { incidentId: id, to: 'ap' as const, kind: 'initial' as const, reference: 'M-1', at: now, by: 'FG' };
    await expect(recordReport(deps, report)).rejects.toThrow(/delay/);
    await recordReport(deps, { ...report, delayReason: 'de melding van de klant is pas later doorgezet' });
    const reported = await stored();
    expect(clocksOf(reported, policy, now).find((c) => c.name === 'ap')?.status).toBe('late');
    // The draft and the register say the awareness lies before GuardDuty's detection.
    const aware = buildDraft(reported, policy, now, 'nl')
      .sections.flatMap((s) => s.fields)
      .find((f) => f.key === 'awareAt');
    expect(aware?.value).toContain('vóór de detectie door GuardDuty');
    expect(registerRow(reported, policy, now).awareBeforeDetection).toBe(true);
    expect(registerMarkdown([reported], policy, now, 'nl')).toContain('vóór de detectie door GuardDuty');
  });

  // Review11 S1: the lower bound for a report was the detection, even after a recorded awareness
  // before it, so a report made in time after the customer's call could only be entered at a later,
  // false time and read "late". The lower bound is now the awareness on record (report-before-detection.test.ts).
  it('keeps the lower bound for reports: the AP cannot have been notified before the awareness on record', async () => {
    await awareBefore();
    await expect(
      recordReport(deps, { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', at: '2026-11-26T20:00:00Z', by: 'FG', confirmStatedTime: true }),
    ).rejects.toThrow(/before the awareness on record/);
    // Without an awareness before the detection, the detection stays the lower bound.
    await t.store.commit({ incident: incidentFixture({ id: 'dl-g4-b' }), expectedRevision: null, timeline: [], messages: [] });
    await expect(
      recordReport(deps, { incidentId: 'dl-g4-b', to: 'ap', kind: 'initial', reference: 'M-2', at: '2026-11-27T08:00:00Z', by: 'FG', confirmStatedTime: true }),
    ).rejects.toThrow(/before the detection/);
  });

  // fgsec15 L1: the refusal of a begin or end before the detection said "the clocks run from it", in
  // both languages; no clock runs from the begin or the end (Art. 33(1): from awareness).
  it('says, when a begin or end before the detection waits for its confirmation, that the AP deadline does not move', async () => {
    const refusal = async (p: Promise<unknown>) => {
      const e = (await p.then(
        () => null,
        (err: unknown) => err,
      )) as RefusedError;
      return [e.message, e.page?.nl ?? ''];
    };
    const aware = await refusal(awareBefore({ confirmStatedTime: false }));
    expect(aware[0]).toMatch(/the clocks run from it/);
    expect(aware[1]).toMatch(/de termijnen lopen vanaf dat moment/);
    const began = await refusal(recordFacts(deps, { incidentId: id, by: 'FG', startedAt: '2026-11-20T09:00:00Z', startedReason: 'GitHub' }));
    await recordFacts(deps, { incidentId: id, by: 'FG', startedAt: '2026-11-20T09:00:00Z', startedReason: 'GitHub', confirmStatedTime: true });
    const ended = await refusal(recordFacts(deps, { incidentId: id, by: 'FG', endedAt: '2026-11-21T09:00:00Z' }));
    for (const [en, nl] of [began, ended]) {
      expect(en).toMatch(/lies before GuardDuty's detection .*the AP deadline does not move: it runs from awareness; .*--confirm-stated-time/);
      expect(en).not.toMatch(/clocks run from it/);
      expect(nl).toMatch(/de termijn voor de AP verschuift er niet door: die loopt vanaf de bewustwording/);
      expect(nl).not.toMatch(/termijnen lopen vanaf dat moment/);
    }
  });

  it('records the begin of the breach before the detection, confirmed with its reason, in the draft', async () => {
    const facts = { incidentId: id, by: 'FG', startedAt: '2026-11-20T09:00:00Z' };
    await expect(recordFacts(deps, { ...facts, startedReason: 'sleutel stond sinds 20 november op GitHub' })).rejects.toThrow(/--confirm-stated-time/);
    await expect(recordFacts(deps, { ...facts, confirmStatedTime: true })).rejects.toThrow(/--started-reason/);
    await recordFacts(deps, { ...facts, confirmStatedTime: true, startedReason: 'sleutel stond sinds 20 november op GitHub' });
    const incident = await stored();
    expect(incident.facts).toMatchObject({ startedAt: '2026-11-20T09:00:00.000Z', startedReason: 'sleutel stond sinds 20 november op GitHub' });
    const begin = buildDraft(incident, policy, now, 'nl')
      .sections.flatMap((s) => s.fields)
      .find((f) => f.key === 'startedAt');
    expect(begin?.label).not.toContain('eerste activiteit volgens GuardDuty');
    expect(begin?.value).toContain('vóór de detectie door GuardDuty');
    expect(begin?.value).toContain('sleutel stond sinds 20 november op GitHub');
    // The end cannot lie before the begin (nor the begin after the awareness: that moves later first, review11 S6).
    await assess(deps, {
      incidentId: id,
      personalData: 'yes',
      risk: 'risk',
      reason: 'klantgegevens op internet',
      awareAt: '2026-11-28T07:30:00Z',
      awareReason: 'pas om 07:30 bleek het om klantgegevens te gaan',
      by: 'FG',
    });
    await expect(recordFacts(deps, { incidentId: id, by: 'FG', startedAt: '2026-11-28T07:00:00Z', endedAt: '2026-11-28T06:00:00Z' })).rejects.toThrow(
      /before the begin/,
    );
  });
});

describe('G4 on the command line: assess --aware-at and facts --started-at before the detection', () => {
  let c: FgCase;
  afterEach(() => rmSync(c.dir, { recursive: true, force: true }));

  it('takes them confirmed, says the mark, and says a notification is late already', async () => {
    c = await openCase(); // GuardDuty created the finding 2025-11-27T21:00Z
    const now = '2025-11-30T10:00:00Z';
    const awareArgs = ['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantgegevens', '--by', 'FG'];
    const aware = [...awareArgs, '--aware-at', '2025-11-26T21:00:00Z', '--aware-reason', 'een klant belde op 26 november'];
    const refused = await c.cli(aware, now);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--confirm-stated-time');
    const moved = await c.cli([...aware, '--confirm-stated-time'], now);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toContain("Marked as before GuardDuty's detection.");
    expect(moved.stdout).toContain('The AP notification is late already: the AP deadline passed at 2025-11-29 22:00 CET (2025-11-29T21:00:00.000Z)');
    const begin = ['--started-at', '2025-11-20T09:00:00Z', '--started-reason', 'sleutel stond sinds 20 november op GitHub', '--by', 'FG'];
    const facts = await c.cli(['facts', c.id, ...begin, '--confirm-stated-time'], now);
    expect(facts.code, facts.stderr).toBe(0);
    expect((await c.json(['show', c.id], now)).facts.startedAt).toBe('2025-11-20T09:00:00.000Z');
  });
});
