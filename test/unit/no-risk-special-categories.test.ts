/**
 * Review 7 G2: "unlikely to result in a risk" (risk none, not notifiable) was recorded beside
 * special categories of personal data (health data, Art. 9(1); the BSN, UAVG art. 46) of hundreds of
 * data subjects, not encrypted, in either order, without a word. EDPB Guidelines 9/2022 hold such a
 * breach likely to result in a risk, typically high. Now "no risk" beside them needs the FG's
 * explicit confirmation with a reason of its own, kept with the decision and marked in the register;
 * and special categories (or "not unintelligible") arriving under a standing unconfirmed "no risk"
 * are refused until the assessment is changed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
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
      /^--risk none .*\(gezondheidsgegevens, medisch dossier; Art\. 9\(1\).*--unintelligible no.*--confirm-special-categories.*--special-reason/,
    );
    expect((await stored()).revision).toBe(before);
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

  it('refuses a confirmation with nothing to confirm, or without its reason', async () => {
    await expect(assess(deps, { ...noRisk, confirmSpecialCategories: true, specialReason: 'x' })).rejects.toThrow(/nothing to confirm/);
    await recordFacts(deps, health);
    await expect(assess(deps, { ...noRisk, confirmSpecialCategories: true })).rejects.toThrow(/go together/);
    await expect(assess(deps, { ...noRisk, risk: 'risk', confirmSpecialCategories: true, specialReason: 'x' })).rejects.toThrow(/says otherwise/);
  });

  it('refuses special categories, or "not unintelligible", arriving under a standing unconfirmed "no risk"', async () => {
    await recordFacts(deps, { incidentId: id, by: 'FG', categories: ['naam'], specialCategories: ['gezondheidsgegevens'], unintelligible: 'yes' });
    await assess(deps, noRisk);
    const before = (await stored()).revision;
    await expect(recordFacts(deps, { incidentId: id, by: 'FG', unintelligible: 'no' })).rejects.toThrow(
      /^--unintelligible: the facts would name special categories of personal data \(gezondheidsgegevens;.*"no risk".*assess the risk again first/,
    );
    await expect(recordFacts(deps, { incidentId: id, by: 'FG', categories: ['naam', 'BSN'], unintelligible: 'partly' })).rejects.toThrow(
      /^--categories: .*\(gezondheidsgegevens, BSN;/,
    );
    expect((await stored()).revision).toBe(before);
  });

  it('refuses special categories added under a "no risk" confirmed for others, and takes those it covers', async () => {
    await recordFacts(deps, health);
    await assess(deps, { ...noRisk, confirmSpecialCategories: true, specialReason: 'gewist voordat iemand het zag' });
    await recordFacts(deps, { incidentId: id, by: 'FG', unintelligible: 'partly', records: 800 });
    await expect(recordFacts(deps, { incidentId: id, by: 'FG', specialCategories: ['gezondheidsgegevens', 'strafrechtelijke gegevens'] })).rejects.toThrow(
      /^--special: .*\(strafrechtelijke gegevens;/,
    );
  });
});
