/**
 * Review 7 G16 and G2 on the page: the assessment form calls the same use case, so "no personal
 * data" beside facts that name personal data is refused beside the personal-data field, and "no
 * risk" beside special categories beside the risk field; the form offers the FG's confirmation
 * and its reason only while the facts name special categories not unintelligible.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });

/** The error the page shows beside field `name` of the assessment form, or undefined. */
const errorOf = (page: string, name: string) => new RegExp(`<p class="error" id="f-assess-${name}-error">([^<]*)`).exec(page)?.[1];

describe('the assessment form refuses what contradicts the facts, beside its field', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  const id = 'dl-web-g2';
  const now = '2026-11-28T08:00:00.000Z';

  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy, now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await recordFacts(deps, {
      incidentId: id,
      by: 'FG',
      categories: ['naam', 'BSN'],
      specialCategories: ['BSN'],
      unintelligible: 'no',
      subjectsMin: 1000,
      subjectsMax: 5000,
    });
  });
  afterEach(async () => t.cleanup());

  it('"no personal data" beside the personal-data field; "no risk" beside the risk field until confirmed with its reason', async () => {
    const web = inProcessWebApp({ store: t.store, policy, now: () => now });
    const html = await (await web.get(`/incidents/${id}`)).text();
    expect(html).toContain('name="confirm-special-categories"');
    const post = (fields: Record<string, string>) =>
      web.post(`/incidents/${id}/assess`, { _csrf: csrfOf(html), ...formBase(html, 'assess'), reason: 'beoordeeld', ...fields });

    const noData = await post({ 'personal-data': 'no', risk: 'none' });
    expect(noData.status).toBe(400);
    expect(errorOf(await noData.text(), 'personal-data')).toMatch(/Geen persoonsgegevens getroffen.*soorten persoonsgegevens \(naam, BSN\).*AVG art\. 4\(1\)/);

    const noRisk = await post({ 'personal-data': 'yes', risk: 'none' });
    expect(noRisk.status).toBe(400);
    expect(errorOf(await noRisk.text(), 'risk')).toMatch(/Geen risico.*bijzondere persoonsgegevens \(BSN;.*bevestig/);

    const confirmed = await post({
      'personal-data': 'yes',
      risk: 'none',
      'confirm-special-categories': 'on',
      'special-reason': 'versleutelde kopie, sleutel niet gelekt',
    });
    expect(confirmed.status).toBeLessThan(400);
    const stored = (await t.store.getIncident(id)) as Incident;
    expect(stored.assessment?.confirmedBesideSpecial).toMatchObject({ categories: ['BSN'], reason: 'versleutelde kopie, sleutel niet gelekt' });
  });

  it('does not offer the confirmation when the facts name no special categories not unintelligible', async () => {
    await recordFacts(deps, { incidentId: id, by: 'FG', unintelligible: 'yes' });
    const web = inProcessWebApp({ store: t.store, policy, now: () => now });
    const html = await (await web.get(`/incidents/${id}`)).text();
    expect(html).not.toContain('name="confirm-special-categories"');
  });
});
