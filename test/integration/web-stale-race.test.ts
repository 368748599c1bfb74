/**
 * A form's page drawn before someone else changed what it records is refused inside the use case's
 * own read and write (W1/W2 gap): a change committed after the page handler read the incident but
 * before the use case read it again is caught as well as one committed earlier. The refused form
 * keeps what the person typed, with the notice that the record changed, and sending it again on
 * purpose records it.
 *
 * The race is made exact: the store runs the colleague's change just before the use case's read of
 * the incident (the second read of the request; the first is the page handler's).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, fieldText, formBase, pageText } from '../support/serve.js';
import { racing, tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const now = '2026-11-27T22:00:00.000Z';
const id = 'dl-stale-race';

describe('a form raced by a change committed while it is recorded', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const deps = () => ({ store, policy, now: () => now });
  const incident = async () => (await store.getIncident(id)) as Incident;

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantnamen', by: 'FG' });
  });
  afterEach(async () => cleanup());

  const tab = async () => {
    const race = racing(store, id);
    const web = inProcessWebApp({ store: race.raced, policy, now: () => now });
    const html = await (await web.get(`/incidents/${id}`)).text();
    const post = (page: string, form: string, fields: Record<string, string>) =>
      web.post(`/incidents/${id}/${form}`, { _csrf: csrfOf(page), ...formBase(page, form), ...fields });
    return { html, post, meanwhileBefore: race.meanwhileBefore };
  };

  it('refuses an assessment when another one is recorded between the page handler’s read and the use case’s, and keeps what was typed', async () => {
    const { html, post, meanwhileBefore } = await tab();
    meanwhileBefore(2, () => assess(deps(), { incidentId: id, personalData: 'yes', risk: 'high', reason: 'ook BSN in de dump', by: 'Privacy officer' }));
    const res = await post(html, 'assess', { 'personal-data': 'no', risk: 'none', reason: 'klantnamen; nagekeken, geen echte gegevens' });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect((await incident()).assessment).toMatchObject({ risk: 'high', reason: 'ook BSN in de dump', by: 'Privacy officer' });
    expect(pageText(page)).toContain('De beoordeling is gewijzigd, of een nieuwe bevinding vraagt om een nieuwe beoordeling, sinds u deze pagina opende.');
    // What she typed is still there, her choices too.
    expect(fieldText(page, 'assess', 'reason')).toBe('klantnamen; nagekeken, geen echte gegevens');
    expect(/<form [^>]*id="assess"[\s\S]*?<option value="none" selected=""/.test(page)).toBe(true);
    // Sent again on purpose, from the page that told her, it is recorded.
    const again = await post(page, 'assess', { 'personal-data': 'no', risk: 'none', reason: 'klantnamen; nagekeken, geen echte gegevens' });
    expect(again.status).toBe(303);
    expect((await incident()).assessment).toMatchObject({ risk: 'none', by: 'A. de Vries' });
  });

  it('refuses a facts field a colleague changed in that gap, keeps the colleague’s, and keeps what was typed', async () => {
    await recordFacts(deps(), { incidentId: id, by: 'FG', cause: 'onbekend' } as Parameters<typeof recordFacts>[1]);
    const { html, post, meanwhileBefore } = await tab();
    meanwhileBefore(2, () =>
      recordFacts(deps(), { incidentId: id, by: 'Collega', cause: 'Gelekte API-sleutel in een openbare repository' } as Parameters<typeof recordFacts>[1]),
    );
    const res = await post(html, 'facts', { cause: 'Gestolen SSH-sleutel' });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect((await incident()).facts?.cause).toBe('Gelekte API-sleutel in een openbare repository');
    expect(pageText(page)).toMatch(/Gewijzigd door iemand anders sinds u deze pagina opende: "Oorzaak"/);
    expect(fieldText(page, 'facts', 'cause')).toBe('Gestolen SSH-sleutel');
  });
});
