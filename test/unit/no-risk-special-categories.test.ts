/**
 * Review 7 G2: "unlikely to result in a risk" (risk none, not notifiable) was recorded beside
 * special categories of personal data (health data, Art. 9(1); the BSN, UAVG art. 46) of hundreds of
 * data subjects, not encrypted, in either order, without a word. EDPB Guidelines 9/2022 hold such a
 * breach likely to result in a risk, typically high. Now "no risk" beside them needs the FG's
 * explicit confirmation with a reason of its own, kept with the decision and marked in the register;
 * and special categories (or "not unintelligible") arriving under a standing unconfirmed "no risk"
 * are recorded (they are true), marked as contradicting it, and closing waits until the FG assesses
 * again or confirms (Y3).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, closeBlockers, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { REGISTER_COLUMNS, registerRow } from '../../handlers/core/register.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe('"no risk" beside special categories of personal data', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  const id = 'dl-g2';
  const now = '2026-11-28T12:20:00.000Z';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const health = {
    incidentId: id,
    by: 'FG',
    categories: ['naam', 'medisch dossier'],
    specialCategories: ['gezondheidsgegevens'],
    subjectsMin: 100,
    subjectsMax: 500,
    unintelligible: 'no' as const,
  };
  const noRisk = { incidentId: id, personalData: 'yes' as const, risk: 'none' as const, reason: 'alleen intern gezien', by: 'FG' };

  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy: parsePolicy({ organisation: org }), now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  it('refuses a bare "no risk" beside health data not unintelligible, naming the categories and the way to confirm', async () => {
    await recordFacts(deps, health);
    const before = (await stored()).revision;
    const refused = assess(deps, noRisk);
    await expect(refused).rejects.toThrow(
      /^incident dl-g2: --risk none .*\(gezondheidsgegevens, medisch dossier; Art\. 9\(1\).*--unintelligible no.*--confirm-special-categories.*--special-reason/,
    );
    expect((await stored()).revision).toBe(before);
  });

  // The refusal reaches the FG as one line of the command (exit 2), often from a script or a shell
  // history with several incidents: it named neither the incident it refused nor the command that
  // records either way out, where the refusal of "no personal data" beside the facts does both.
  it('names the incident it refused "no risk" for, and the commands that assess it again or confirm, with its id', async () => {
    await recordFacts(deps, health);
    const refused = await assess(deps, noRisk).catch((e: Error) => e);
    expect((refused as Error).message).toMatch(new RegExp(`^incident ${id}: --risk none `));
    expect((refused as Error).message).toContain(`datalek assess ${id} --personal-data yes --risk risk|high --reason TEXT`);
    expect((refused as Error).message).toContain(
      `datalek assess ${id} --personal-data yes --risk none --confirm-special-categories --special-reason TEXT --reason TEXT`,
    );
  });

  it('records a confirmed "no risk" with its own reason, kept with the decision and marked in the register', async () => {
    await recordFacts(deps, health);
    const incident = await assess(deps, { ...noRisk, confirmSpecialCategories: true, specialReason: 'één medewerker zag het, bevestigd gewist' });
    const confirmed = { categories: ['gezondheidsgegevens', 'medisch dossier'], unintelligible: 'no', reason: 'één medewerker zag het, bevestigd gewist' };
    expect(incident.assessment).toMatchObject({ risk: 'none', notifiable: false, confirmedBesideSpecial: confirmed });
    expect(incident.decisions?.at(-1)).toMatchObject({ kind: 'assessment', confirmedBesideSpecial: confirmed });
    const row = registerRow(incident, deps.policy, now);
    expect(row.noRiskBesideSpecial).toBe('gezondheidsgegevens, medisch dossier (unintelligible: no): één medewerker zag het, bevestigd gewist');
    expect(REGISTER_COLUMNS).toContain('noRiskBesideSpecial');
  });

  it('counts the BSN among the categories, and takes "no risk" without confirmation when the data was unintelligible', async () => {
    await recordFacts(deps, { incidentId: id, by: 'FG', categories: ['naam', 'BSN'] });
    await expect(assess(deps, noRisk)).rejects.toThrow(/special categories of personal data \(BSN;/);
    await recordFacts(deps, { incidentId: id, by: 'FG', unintelligible: 'yes' });
    expect((await assess(deps, noRisk)).assessment).toMatchObject({ risk: 'none' });
  });

  // law25: "sofinummer", the BSN's name before 2007 and still in older systems' field names, was not
  // read as the BSN: "no risk" beside it went through unconfirmed, and the draft did not ask it among
  // the special categories (UAVG art. 46); named there, the draft still asked it again.
  it('reads "sofinummer", the old name of the BSN, as the BSN', async () => {
    await recordFacts(deps, { incidentId: id, by: 'FG', categories: ['naam', 'sofinummer'] });
    await expect(assess(deps, noRisk)).rejects.toThrow(/special categories of personal data \(sofinummer;/);
    const warnings = async () => buildDraft(await stored(), deps.policy, now, 'en').warnings.filter((w) => /name the BSN/.test(w));
    expect(await warnings()).toHaveLength(1);
    await recordFacts(deps, { incidentId: id, by: 'FG', specialCategories: ['sofi-nummer'] });
    expect(await warnings()).toEqual([]);
  });

  it('refuses a confirmation with nothing to confirm, or without its reason', async () => {
    await expect(assess(deps, { ...noRisk, confirmSpecialCategories: true, specialReason: 'x' })).rejects.toThrow(/nothing to confirm/);
    await recordFacts(deps, health);
    await expect(assess(deps, { ...noRisk, confirmSpecialCategories: true })).rejects.toThrow(/go together/);
    await expect(assess(deps, { ...noRisk, risk: 'risk', confirmSpecialCategories: true, specialReason: 'x' })).rejects.toThrow(/says otherwise/);
  });

  // Review 7 Y3: refusing them trapped the FG whose "no risk" still stands with them: the facts were
  // refused until the assessment changed, and the confirmation refused until the facts named them,
  // so the only way through recorded a notifiable assessment she never made.
  it('records special categories, or "not unintelligible", learnt under a standing "no risk", marks the contradiction and holds closing until confirmed', async () => {
    await recordFacts(deps, { incidentId: id, by: 'FG', categories: ['naam'], specialCategories: ['gezondheidsgegevens'], unintelligible: 'yes' });
    await assess(deps, noRisk);
    const recorded = await recordFacts(deps, { incidentId: id, by: 'FG', unintelligible: 'no' });
    expect(recorded.facts?.unintelligible).toBe('no');
    const entry = (await t.store.getTimeline(id)).at(-1);
    expect(entry?.detail.contradictsAssessment).toEqual([expect.stringMatching(/special categories of personal data \(gezondheidsgegevens;.*"no risk"/)]);
    const blockers = closeBlockers(recorded, deps.policy, now);
    expect(blockers.some((b) => /^assessment contradicts facts: .*gezondheidsgegevens.*--confirm-special-categories/.test(b))).toBe(true);
    await recordFacts(deps, { incidentId: id, by: 'FG', categories: ['naam', 'BSN'], unintelligible: 'partly' });
    const confirmed = await assess(deps, { ...noRisk, confirmSpecialCategories: true, specialReason: 'ontvanger met geheimhoudingsplicht, bevestigd gewist' });
    expect(confirmed.decisions?.map((d) => (d.kind === 'assessment' ? d.risk : d.kind))).toEqual(['none', 'none']);
    expect(closeBlockers(confirmed, deps.policy, now).filter((b) => b.startsWith('assessment contradicts facts'))).toEqual([]);
  });

  it('takes special categories learnt under a "no risk" about facts without them, then their confirmation, with no other assessment between', async () => {
    await recordFacts(deps, { incidentId: id, by: 'FG', categories: ['naam', 'adres'], subjectsMin: 1, subjectsMax: 1 });
    await assess(deps, noRisk);
    await recordFacts(deps, { incidentId: id, by: 'FG', specialCategories: ['gezondheidsgegevens'] });
    const confirmed = await assess(deps, { ...noRisk, confirmSpecialCategories: true, specialReason: 'verkeerd geadresseerd aan een ziekenhuis, gewist' });
    expect(confirmed.assessment?.confirmedBesideSpecial?.categories).toEqual(['gezondheidsgegevens']);
    expect(confirmed.decisions?.every((d) => d.kind === 'assessment' && d.risk === 'none')).toBe(true);
  });

  it('marks special categories added under a "no risk" confirmed for others, and not those it covers', async () => {
    await recordFacts(deps, health);
    await assess(deps, { ...noRisk, confirmSpecialCategories: true, specialReason: 'gewist voordat iemand het zag' });
    const covered = await recordFacts(deps, { incidentId: id, by: 'FG', unintelligible: 'partly', records: 800 });
    expect(closeBlockers(covered, deps.policy, now).filter((b) => b.startsWith('assessment contradicts facts'))).toEqual([]);
    const added = await recordFacts(deps, { incidentId: id, by: 'FG', specialCategories: ['gezondheidsgegevens', 'strafrechtelijke gegevens'] });
    expect(closeBlockers(added, deps.policy, now).filter((b) => b.startsWith('assessment contradicts facts'))).toEqual([
      expect.stringMatching(/\(strafrechtelijke gegevens;/),
    ]);
  });
});
