/**
 * The link page's name and note inputs take no more than the press accepts, and a press refused
 * for too long a text is announced and drawn again to retry (review 6, W6): on a phone at night,
 * on-call learns the limit while typing, and a screen reader announces the refusal (role=alert)
 * as every other refusal of the link pages; the text typed is kept to shorten.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { signAckLink } from '../../handlers/core/ack-link.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { createLinkApp } from '../../handlers/web/links.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const KEY = randomBytes(32);
const ORIGIN = 'http://127.0.0.1:8733';

/** The attributes of the element with this id. */
function attributesOf(html: string, id: string): Record<string, string> {
  const tag = new RegExp(`<(?:input|textarea)\\b[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0] ?? '';
  return Object.fromEntries([...tag.matchAll(/([a-z-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
}

describe('the link page takes what the press accepts', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const id = 'dl-0123456789abcdef0123456789abcdef';
  const now = '2026-11-27T21:10:00.000Z';
  const path = () => `/ack/${signAckLink(KEY, { incidentId: id, level: 'primary', round: 0, expiresAt: '2026-11-27T22:00:00.000Z' })}?lang=nl`;
  const app = () => createLinkApp({ store, policy, now: () => now, linkKey: async () => KEY, target: 'local', live: false });
  const press = (p: string, fields: Record<string, string>, origin = ORIGIN) =>
    app().request(`${ORIGIN}${p}`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => cleanup());

  it('draws the name and note with the lengths the press takes', async () => {
    const html = await (await app().request(`${ORIGIN}${path()}`)).text();
    expect(attributesOf(html, 'f-ack-by').maxlength).toBe('100');
    expect(attributesOf(html, 'f-ack-note').maxlength).toBe('1000');
  });

  it('a name too long is refused with an alert and the form again, the text kept; nothing acknowledged', async () => {
    const p = path();
    const long = 'x'.repeat(150);
    const res = await press(p, { by: long, note: 'ik kijk' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toMatch(/role="alert"[\s\S]*Naam of notitie is te lang/);
    expect(attributesOf(html, 'f-ack-by')).toMatchObject({ value: long, 'aria-invalid': 'true' });
    expect(attributesOf(html, 'f-ack-note').value).toBe('ik kijk');
    expect(((await store.getIncident(id)) as Incident).acknowledgedBy).toBeFalsy();
    // Shortened, the same form acknowledges.
    expect((await press(p, { by: 'Piet', note: 'ik kijk' })).status).toBe(200);
    expect(((await store.getIncident(id)) as Incident).acknowledgedBy).toContain('Piet');
  });

  it('a note too long is marked on the note', async () => {
    const html = await (await press(path(), { by: 'Piet', note: 'y'.repeat(1001) })).text();
    expect(attributesOf(html, 'f-ack-note')['aria-invalid']).toBe('true');
    expect(attributesOf(html, 'f-ack-by')['aria-invalid']).toBeUndefined();
  });

  it('a press from another site is refused with an alert', async () => {
    const res = await press(path(), { by: 'Piet' }, 'https://elsewhere.example');
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/<p class="problem" role="alert">Dit verzoek komt niet van deze pagina/);
  });
});
