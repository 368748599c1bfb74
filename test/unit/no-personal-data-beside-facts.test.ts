/**
 * Review 7 G16: "no personal data affected" (not notifiable, the AP clock stopped) was recorded
 * while the facts on the same record named categories of personal data (name, BSN), the BSN as a
 * special category, 1,000-5,000 data subjects and 5,000 records, in either order. The register then
 * contradicted itself (Art. 4(1), 33(1), (5)). Both orders are refused, naming the facts, and the
 * facts are taken once the assessment is changed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Gemeente Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe('"no personal data" beside facts that name personal data', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  const id = 'dl-g16';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const bsnFacts = {
    incidentId: id,
    by: 'FG',
    categories: ['naam', 'BSN'],
    specialCategories: ['BSN'],
    subjectsMin: 1000,
    subjectsMax: 5000,
    records: 5000,
  };
  const noPersonalData = { incidentId: id, personalData: 'no' as const, risk: 'none' as const, reason: 'geen persoonsgegevens', by: 'FG' };

  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy: parsePolicy({ organisation: org }), now: () => '2026-11-28T12:00:00.000Z' };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  it('refuses --personal-data no while the facts name categories, the BSN and numbers, naming each', async () => {
    await recordFacts(deps, bsnFacts);
    const before = (await stored()).revision;
    const refused = assess(deps, noPersonalData);
    await expect(refused).rejects.toThrow(/^--personal-data no contradicts the facts on record/);
    await expect(refused).rejects.toThrow(
      /--categories naam, BSN\); special categories \(--special BSN\); data subjects \(--subjects 1000-5000\); records \(--records 5000\) \(Art\. 4\(1\), 33\(1\), \(5\)\)/,
    );
    expect((await stored()).revision).toBe(before);
  });

  it('refuses facts naming personal data under a standing "no personal data", and takes them once it is changed', async () => {
    await assess(deps, noPersonalData);
    const before = (await stored()).revision;
    await expect(recordFacts(deps, bsnFacts)).rejects.toThrow(
      /these facts name personal data: .*the assessment in force .* says no personal data is affected .*assess again first/,
    );
    await expect(recordFacts(deps, { incidentId: id, by: 'FG', subjectsMin: 3, subjectsMax: 3 })).rejects.toThrow(/data subjects \(--subjects 3-3\)/);
    expect((await stored()).revision).toBe(before);
    // Facts that name no personal data are still recorded under it.
    await recordFacts(deps, { incidentId: id, by: 'FG', nature: ['availability'], summary: 'build-server onbereikbaar' });
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch burgergegevens op de server', by: 'FG' });
    const recorded = await recordFacts(deps, bsnFacts);
    expect(recorded.facts).toMatchObject({ categories: ['naam', 'BSN'], subjectsMax: 5000, records: 5000 });
  });

  it('takes "no personal data" once the facts say there are none', async () => {
    await recordFacts(deps, { incidentId: id, by: 'FG', specialCategories: [], subjectsMin: 0, subjectsMax: 0, records: 0 });
    const assessed = await assess(deps, noPersonalData);
    expect(assessed.assessment).toMatchObject({ personalData: 'no', notifiable: false });
  });
});
