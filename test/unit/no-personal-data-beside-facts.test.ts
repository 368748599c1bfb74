/**
 * Review 7 G16: "no personal data affected" (not notifiable, the AP clock stopped) was recorded
 * while the facts on the same record named categories of personal data (name, BSN), the BSN as a
 * special category, 1,000-5,000 data subjects and 5,000 records, in either order. The register then
 * contradicted itself (Art. 4(1), 33(1), (5)). The assessment is refused beside such facts, naming
 * them; facts learnt under it are recorded and the contradiction marked until it is changed (Y3).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, closeBlockers, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
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

  // Review 7 Y3: refused, the facts learnt under "no personal data" could only come in after an
  // assessment made before them; they are true, so they are recorded and the contradiction marked.
  it('records facts naming personal data under a standing "no personal data", marks the contradiction, and closing waits for a new assessment', async () => {
    await assess(deps, noPersonalData);
    const recorded = await recordFacts(deps, bsnFacts);
    expect(recorded.facts).toMatchObject({ categories: ['naam', 'BSN'], subjectsMax: 5000, records: 5000 });
    const entry = (await t.store.getTimeline(id)).at(-1);
    expect(entry?.detail.contradictsAssessment).toEqual([expect.stringMatching(/facts name personal data .*says no personal data is affected/)]);
    const now = '2026-11-28T12:00:00.000Z';
    expect(closeBlockers(recorded, deps.policy, now)).toContainEqual(
      expect.stringMatching(/^assessment contradicts facts: .*data subjects \(--subjects 1000-5000\).*datalek assess dl-g16 --personal-data yes\|unknown/),
    );
    const reassessed = await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch burgergegevens op de server', by: 'FG' });
    expect(closeBlockers(reassessed, deps.policy, now).filter((b) => b.startsWith('assessment contradicts facts'))).toEqual([]);
  });

  it('takes "no personal data" once the facts say there are none', async () => {
    await recordFacts(deps, { incidentId: id, by: 'FG', specialCategories: [], subjectsMin: 0, subjectsMax: 0, records: 0 });
    const assessed = await assess(deps, noPersonalData);
    expect(assessed.assessment).toMatchObject({ personalData: 'no', notifiable: false });
  });
});
