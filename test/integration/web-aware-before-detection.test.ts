/**
 * Review 7 G4 on the web page: the form for the moment of awareness takes one before GuardDuty's
 * detection (a customer called the day before) when the person confirms it; unconfirmed it is
 * refused in Dutch, naming the confirmation, and nothing is recorded.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const organisation = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe('the awareness form and a moment before the detection (G4)', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let policy: Policy;
  let web: ReturnType<typeof inProcessWebApp>;
  const id = 'dl-web-g4';
  const now = '2026-11-28T08:00:00.000Z';
  const stored = async () => (await store.getIncident(id)) as Incident;
  const html = async () => (await web.get(`/incidents/${id}`, 'nl')).text();
  const post = async (form: string, fields: Record<string, string>) => {
    const page = await html();
    return web.post(`/incidents/${id}/${form}`, { _csrf: csrfOf(page), ...formBase(page, form), ...fields }, 'nl');
  };

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    policy = parsePolicy({ organisation });
    // Detected 2026-11-27T21:00Z (22:00 in Amsterdam).
    await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    web = inProcessWebApp({ store, policy, now: () => now });
  });
  afterEach(async () => cleanup());

  it('refuses it unconfirmed, in Dutch, and records it confirmed', async () => {
    const called = { 'aware-at': '2026-11-26T22:00', 'aware-reason': 'een klant belde dat haar dossier online stond' };
    const refused = await post('aware', called);
    expect(refused.status).toBe(400);
    expect(pageText(await refused.text())).toContain('ligt vóór de detectie door GuardDuty');
    expect((await stored()).awareAt).toBe('2026-11-27T21:00:00.000Z');
    const res = await post('aware', { ...called, 'confirm-stated-time': 'on' });
    expect([res.status, res.status === 400 ? pageText(await res.text()).slice(0, 800) : '']).toEqual([303, '']);
    expect((await stored()).awareAt).toBe('2026-11-26T21:00:00.000Z');
  });
});

describe('the NIS2 form and the awareness of the significant incident (Y15)', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let web: ReturnType<typeof inProcessWebApp>;
  const id = 'dl-web-y15';
  const now = '2026-11-29T21:00:00.000Z';
  const html = async () => (await web.get(`/incidents/${id}`, 'nl')).text();

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    const policy = parsePolicy({ organisation, clocks: { nis2: true } });
    await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    web = inProcessWebApp({ store, policy, now: () => now });
  });
  afterEach(async () => cleanup());

  it('records it with the decision, and a page drawn before another NIS2 awareness was recorded records nothing', async () => {
    const page = await html();
    const fields = { 'nis2-significant': 'yes', 'nis2-aware-at': '2026-11-29T21:30', reason: 'onderzoek: dienst ligt stil' };
    const res = await web.post(`/incidents/${id}/nis2`, { _csrf: csrfOf(page), ...formBase(page, 'nis2'), ...fields }, 'nl');
    expect([res.status, res.status === 400 ? pageText(await res.text()).slice(0, 800) : '']).toEqual([303, '']);
    expect(((await store.getIncident(id)) as Incident).nis2AwareAt).toBe('2026-11-29T20:30:00.000Z');
    // The same old page again: the NIS2 decision changed since it was drawn.
    const stale = await web.post(
      `/incidents/${id}/nis2`,
      { _csrf: csrfOf(page), ...formBase(page, 'nis2'), ...fields, 'nis2-aware-at': '2026-11-29T21:00' },
      'nl',
    );
    expect(stale.status).toBe(400);
    expect(pageText(await stale.text())).toContain('Het NIS2-besluit is gewijzigd sinds u deze pagina opende.');
    expect(((await store.getIncident(id)) as Incident).nis2AwareAt).toBe('2026-11-29T20:30:00.000Z');
  });
});
