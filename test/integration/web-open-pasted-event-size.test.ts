/**
 * read11c C4: the page's open form takes the finding the policy ignored, pasted as JSON. It was a
 * `longtext`, capped at 8000 characters (a reason's bound) and refused an ordinary pretty-printed
 * event as too long a text, advising to put it in the case file. The pasted event has the event's
 * own bound now; a paste larger than the form takes is refused naming `datalek open --finding FILE`.
 */
import { expect, it } from 'vitest';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { findingEvent } from '../support/events.js';
import { csrfOf } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const now = '2026-11-28T08:00:00.000Z';

it('opens an incident from a pasted low finding over 8000 characters', async () => {
  const { store, cleanup } = tempSqliteStore();
  try {
    const event = findingEvent({ id: 'low-probe-1', severity: 2, instanceId: 'i-low', createdAt: '2026-11-28T06:00:00Z' }) as unknown as {
      detail: { service: Record<string, unknown> };
    };
    // A port probe's details as GuardDuty lists them: one per probing address.
    event.detail.service.action = {
      actionType: 'PORT_PROBE',
      portProbeAction: {
        blocked: false,
        portProbeDetails: Array.from({ length: 12 }, (_, i) => ({
          localPortDetails: { port: 22, portName: 'SSH' },
          localIpDetails: { ipAddressV4: '10.0.1.15' },
          remoteIpDetails: {
            ipAddressV4: `198.51.100.${i + 1}`,
            organization: { asn: '64496', asnOrg: 'EXAMPLE-AS', isp: 'Example ISP', org: 'Example Org' },
            country: { countryName: 'Netherlands' },
            city: { cityName: 'Amsterdam' },
            geoLocation: { lat: 52.37, lon: 4.89 },
          },
        })),
      },
    };
    const pasted = JSON.stringify(event, null, 2);
    expect(pasted.length).toBeGreaterThan(8000);
    expect(pasted.length).toBeLessThan(20_000);
    const web = inProcessWebApp({ store, policy, now: () => now });
    const html = await (await web.get('/open')).text();
    const res = await web.post('/open', {
      _csrf: csrfOf(html),
      what: 'lage bevinding bleek een datalek',
      'aware-at': '2026-11-28T07:15',
      finding: pasted,
    });
    // On main: 400, "Deze tekst is … tekens lang; dit veld bewaart er hoogstens 8000".
    expect(
      res.status,
      await res
        .clone()
        .text()
        .then((t) => t.match(/tekens lang[^<]*/)?.[0] ?? ''),
    ).toBe(303);
    const opened = /\/incidents\/(dl-[0-9a-f]+)/.exec(res.headers.get('location') ?? '')?.[1] as string;
    expect(((await store.getIncident(opened)) as Incident).openedByHand?.finding).toMatchObject({ findingId: 'low-probe-1' });
  } finally {
    await cleanup();
  }
});

it('refuses a pasted event larger than the form takes, naming the command that takes it', async () => {
  const { store, cleanup } = tempSqliteStore();
  try {
    const web = inProcessWebApp({ store, policy, now: () => now });
    const html = await (await web.get('/open')).text();
    // The textarea lets the whole event through (a browser cuts a paste at maxlength, silently).
    expect(html).toMatch(/<textarea[^>]*name="finding"[^>]*maxlength="262144"/);
    const res = await web.post('/open', { _csrf: csrfOf(html), what: 'grote bevinding', 'aware-at': '2026-11-28T07:15', finding: 'x'.repeat(70_000) });
    expect(res.status).toBe(413);
    const text = await res.text();
    expect(text).toContain('datalek open --finding');
    expect(text).not.toContain('70000');
    expect(await store.listIncidents()).toEqual([]);
  } finally {
    await cleanup();
  }
});

it('answers a form over the limit with the open page in its language, what was typed kept but the paste (fgops12 4)', async () => {
  const { store, cleanup } = tempSqliteStore();
  try {
    const web = inProcessWebApp({ store, policy, now: () => now });
    for (const lang of ['nl', 'en'] as const) {
      const html = await (await web.get('/open', lang)).text();
      const typed = {
        what: 'Laptop met klantdossiers <b>gestolen</b> uit de auto',
        'aware-at': '2026-11-28T07:15',
        'aware-reason': 'de medewerker belde om 08:10',
      };
      const res = await web.post('/open', { _csrf: csrfOf(html), ...typed, finding: 'x'.repeat(70_000) }, lang);
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const page = await res.text();
      expect(page).toContain('<form');
      // What was typed is back in its fields (escaped), the paste is not: it is what the form cannot take.
      expect(page).toContain('Laptop met klantdossiers &lt;b&gt;gestolen&lt;/b&gt; uit de auto');
      expect(page).toContain('value="2026-11-28T07:15"');
      expect(page).toContain('de medewerker belde om 08:10');
      expect(page).not.toContain('x'.repeat(100));
      expect(page).toContain(lang === 'nl' ? 'groter dan 64 KB' : 'over 64 KB');
      expect(page).not.toContain(lang === 'nl' ? 'over 64 KB' : 'groter dan 64 KB');
      expect(page).toContain('datalek open --finding');
    }
    // Past what the page reads to give text back: still its page, saying nothing could be kept.
    const html = await (await web.get('/open', 'en')).text();
    const huge = await web.post('/open', { _csrf: csrfOf(html), what: 'kwijt', finding: 'x'.repeat(1_100_000) }, 'en');
    expect(huge.status).toBe(413);
    const page = await huge.text();
    expect(page).toContain('<form');
    expect(page).toContain('What you typed could not be given back');
    expect(await store.listIncidents()).toEqual([]);
  } finally {
    await cleanup();
  }
});
