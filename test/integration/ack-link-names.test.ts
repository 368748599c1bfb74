/**
 * The public acknowledgement-link page names no one (review 6, W3): whoever holds the link sees
 * it without a session (a mail scanner, a link preview, a chat it was forwarded to), and the link
 * pages carry identifiers only (core/ack-link.ts). A link to an incident acknowledged elsewhere, or
 * a link used already, says that and when, not by whom; the summary gives the time only. The
 * session's own incident page keeps the name.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { signAckLink } from '../../handlers/core/ack-link.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { createLinkApp } from '../../handlers/web/links.js';
import { incidentFixture } from '../support/incidents.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const KEY = randomBytes(32);

describe('the ack-link page names no one', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const id = 'dl-0123456789abcdef0123456789abcdef';
  const now = '2026-11-27T21:10:00.000Z';
  const link = () => signAckLink(KEY, { incidentId: id, level: 'primary', round: 0, expiresAt: '2026-11-27T22:00:00.000Z' });
  const app = () => createLinkApp({ store, policy, now: () => now, linkKey: async () => KEY, target: 'local', live: false });

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => cleanup());

  it('a link to an incident acknowledged elsewhere says when, not by whom', async () => {
    await acknowledge({ store, policy, now: () => now }, { incidentId: id, by: 'jan.jansen' });
    for (const [lang, said] of [
      ['en', 'This incident was acknowledged already at 2026-11-27 22:10'],
      ['nl', 'Dit incident is al opgepakt om 2026-11-27 22:10'],
    ] as const) {
      const text = pageText(await (await app().request(`http://127.0.0.1:8733/ack/${link()}?lang=${lang}`)).text());
      expect(text).toContain(said);
      expect(text).not.toContain('jan.jansen');
    }
    // The session's page keeps the name.
    const own = await inProcessWebApp({ store, policy, now: () => now }).get(`/incidents/${id}`, 'en');
    expect(pageText(await own.text())).toContain('jan.jansen');
  });

  it('a used link says it was used and when, not the name typed by whoever used it', async () => {
    const pressed = await app().request(`http://127.0.0.1:8733/ack/${link()}?lang=en`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ by: 'Piet Pietersen' }).toString(),
    });
    expect(pressed.status).toBe(200);
    const res = await app().request(`http://127.0.0.1:8733/ack/${link()}?lang=en`);
    expect(res.status).toBe(409);
    const text = pageText(await res.text());
    expect(text).toContain('This link was used already: acknowledged at 2026-11-27 22:10');
    expect(text).not.toContain('Piet Pietersen');
  });
});
