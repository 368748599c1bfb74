/**
 * The page's open form could not take a finding (`datalek open --finding FILE`, review9 S2/S3): a
 * finding the policy ignored that turns out to be a breach could only be opened on the command line,
 * and its later versions opened a second incident when it was opened on the page without it. The
 * form now takes the event as EventBridge delivered it (pasted JSON), parsed as replay parses it,
 * with the command's checks: a finding the policy opens, a sample or one recorded already is refused;
 * an awareness more than 24 hours after the finding needs its reason (`--aware-reason`); each
 * refusal stands beside its field in the page's words, and nothing is opened. The open form has no
 * stale-page protection to keep: it reads no incident, and the same form sent twice opens one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { findingEvent } from '../support/events.js';
import { csrfOf, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const now = '2026-11-28T08:00:00.000Z';
// Severity 2: below the policy's threshold, so the pipeline opened no incident for it.
const low = JSON.stringify(findingEvent({ id: 'low-web-1', severity: 2, instanceId: 'i-low', createdAt: '2026-11-26T08:00:00Z' }));

describe('the page’s open form takes a finding the policy ignored, as datalek open --finding does', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let web: ReturnType<typeof inProcessWebApp>;
  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
    web = inProcessWebApp({ store, policy, now: () => now });
  });
  afterEach(async () => cleanup());

  const send = async (fields: Record<string, string>) => {
    const html = await (await web.get('/open')).text();
    return web.post('/open', { _csrf: csrfOf(html), what: 'lage bevinding bleek een datalek', 'aware-at': '2026-11-28T07:15', ...fields });
  };

  it('offers the finding and the reason for the awareness time', async () => {
    const html = await (await web.get('/open')).text();
    expect(html).toContain('name="finding"');
    expect(html).toContain('name="aware-reason"');
  });

  it('needs the reason when awareness is more than 24 hours after the finding; with it, opens the incident holding the finding', async () => {
    const refused = await send({ finding: low });
    expect(refused.status).toBe(400);
    const text = pageText(await refused.text());
    expect(text).toContain('geef de reden waarom de organisatie pas toen bewust werd');
    expect(await store.listIncidents()).toEqual([]);

    const res = await send({ finding: low, 'aware-reason': 'pas na het telefoontje van de klant bleek het om persoonsgegevens te gaan' });
    expect(res.status).toBe(303);
    const opened = /^\/incidents\/(dl-[0-9a-f]+)\?done=open$/.exec(res.headers.get('location') ?? '')?.[1] as string;
    const incident = (await store.getIncident(opened)) as Incident;
    expect(incident.openedByHand?.finding).toMatchObject({ findingId: 'low-web-1', severity: 2 });
    expect(incident.awareAt).toBe('2026-11-28T06:15:00.000Z');
    expect((await store.getFinding({ accountId: '111122223333', region: 'eu-west-1', findingId: 'low-web-1' }))?.incidentId).toBe(opened);
    // Sent again: the finding is recorded already, on that incident.
    const again = await send({ finding: low, 'aware-reason': 'pas na het telefoontje van de klant bleek het om persoonsgegevens te gaan' });
    expect(again.status).toBe(400);
    expect(pageText(await again.text())).toContain(`Bevinding low-web-1 is al vastgelegd, bij incident ${opened}: leg het datalek daar vast.`);
  });

  it('refuses what is no finding, or one the policy opens itself, beside the field; opens nothing and echoes no value of it', async () => {
    const bad = await send({ finding: '{"detail": {"accountId": "111122223333", "ip": "198.51.100.7"' });
    expect(bad.status).toBe(400);
    const text = pageText(await bad.text());
    expect(text).toContain('Bevinding (de gebeurtenis als JSON): geen geldige gebeurtenis');
    expect(text.split('198.51.100.7').length).toBe(2); // only in the form kept for the person, never in the message
    const high = JSON.stringify(findingEvent({ id: 'high-web-1', severity: 8, instanceId: 'i-high', createdAt: '2026-11-28T06:00:00Z' }));
    const opens = await send({ finding: high });
    expect(opens.status).toBe(400);
    expect(pageText(await opens.text())).toContain('Het beleid opent een incident voor bevinding high-web-1');
    expect(await store.listIncidents()).toEqual([]);
  });
});
