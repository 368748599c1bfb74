/**
 * Review 7 G20 on the page: the Art. 34 form calls the same use case, so "inform" without the text
 * of the communication is refused beside the text field, and with it the text is kept.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, type FgDeps } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { MAX_SENT_TEXT_CHARS } from '../../handlers/use-cases/fields.js';
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

  /** The Art. 34 form sent with "inform" and what it needs besides `fields`, from the page `html`. */
  const inform = (web: ReturnType<typeof inProcessWebApp>, html: string, fields: Record<string, string>) =>
    web.post(`/incidents/${id}/subjects`, {
      _csrf: csrfOf(html),
      ...formBase(html, 'subjects'),
      decision: 'inform',
      reason: 'hoog risico',
      date: '2026-11-28T08:30',
      channel: 'e-mail',
      ...fields,
    });

  it('refuses "inform" without the text beside the text field, and keeps the text given', async () => {
    const web = inProcessWebApp({ store: t.store, policy, now: () => now });
    const html = await (await web.get(`/incidents/${id}`)).text();
    const post = (fields: Record<string, string>) => inform(web, html, fields);
    const refused = await post({});
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/<p class="error" id="f-subjects-text-error">Informeren vraagt wat de betrokkenen is verteld[^<]*AVG art\. 34\(2\)/);
    const text = 'Beste klant, uw wachtwoord is mogelijk bekend bij een onbevoegde. Wijzig het.';
    expect((await post({ text })).status).toBe(303);
    expect(((await t.store.getIncident(id)) as Incident).subjects).toMatchObject({ decision: 'inform', text });
  });

  it('takes a notice longer than a text field as the CLI does, and keeps the whole of it (review7 Y5, fgops12 6)', async () => {
    const web = inProcessWebApp({ store: t.store, policy, now: () => now });
    const html = await (await web.get(`/incidents/${id}`)).text();
    // The textarea lets a notice as long as datalek drafts through (a browser cuts a paste at maxlength, silently).
    expect(html).toMatch(new RegExp(`<textarea[^>]*name="text"[^>]*maxlength="${MAX_SENT_TEXT_CHARS}"`));
    // As long as the notice datalek drafts from long facts: over the 8,000 characters a text field keeps.
    const notice = `Beste klant,\n\n${'Uw gegevens zijn mogelijk ingezien door een onbevoegde; wij hebben de toegang ingetrokken. '.repeat(120)}\nMet vriendelijke groet`;
    expect([...notice].length).toBeGreaterThan(8000);
    const res = await inform(web, html, { text: notice });
    expect(res.status).toBe(303);
    // The record keeps its beginning, length and SHA-256 (its room is bounded); the timeline the whole text, as sent.
    const kept = (((await t.store.getIncident(id)) as Incident).subjects?.text ?? '') as string;
    expect([...kept].length).toBeLessThanOrEqual(8000);
    expect(kept).toContain(`${[...notice].length} characters in all, SHA-256 ${createHash('sha256').update(notice, 'utf8').digest('hex')}`);
    const entry = (await t.store.getTimeline(id)).find((e) => e.kind === 'subjects-decided');
    expect(entry?.detail?.text).toBe(notice);
  });

  it('takes a notice past 64 KB as the form sends it, as the text field does (review11 A4)', async () => {
    const web = inProcessWebApp({ store: t.store, policy, now: () => now });
    const html = await (await web.get(`/incidents/${id}`)).text();
    // 86,000 characters with accents and line breaks: well over 64 KB URL-encoded, within the field's bound.
    const notice = `Beste cliënt,\n\n${'Uw gegevens zijn mogelijk ingezien; wij hebben de toegang ingetrokken (één account).\n'.repeat(1000)}Met vriendelijke groet`;
    expect([...notice].length).toBeLessThanOrEqual(MAX_SENT_TEXT_CHARS);
    expect(new URLSearchParams({ text: notice }).toString().length).toBeGreaterThan(64 * 1024);
    const res = await inform(web, html, { text: notice });
    expect(res.status).toBe(303);
    const entry = (await t.store.getTimeline(id)).find((e) => e.kind === 'subjects-decided');
    expect(entry?.detail?.text).toBe(notice);
  });
});
