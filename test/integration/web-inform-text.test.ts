/**
 * Review 7 G20 on the page: the Art. 34 form calls the same use case, so "inform" without the text
 * of the communication is refused beside the text field, and with it the text is kept.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, type FgDeps } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });

describe('the Art. 34 form asks what the data subjects were told', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const id = 'dl-web-g20';
  const now = '2026-11-28T08:00:00.000Z';

  beforeEach(async () => {
    t = tempSqliteStore();
    const deps: FgDeps = { store: t.store, policy, now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'wachtwoorden gelekt', by: 'FG' });
  });
  afterEach(async () => t.cleanup());

  it('refuses "inform" without the text beside the text field, and keeps the text given', async () => {
    const web = inProcessWebApp({ store: t.store, policy, now: () => now });
    const html = await (await web.get(`/incidents/${id}`)).text();
    const post = (fields: Record<string, string>) =>
      web.post(`/incidents/${id}/subjects`, {
        _csrf: csrfOf(html),
        ...formBase(html, 'subjects'),
        decision: 'inform',
        reason: 'hoog risico',
        date: '2026-11-28T08:30',
        channel: 'e-mail',
        ...fields,
      });
    const refused = await post({});
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/<p class="error" id="f-subjects-text-error">Informeren vraagt wat de betrokkenen is verteld[^<]*AVG art\. 34\(2\)/);
    const text = 'Beste klant, uw wachtwoord is mogelijk bekend bij een onbevoegde. Wijzig het.';
    expect((await post({ text })).status).toBe(303);
    expect(((await t.store.getIncident(id)) as Incident).subjects).toMatchObject({ decision: 'inform', text });
  });
});
