/**
 * What follows after closing, on the web page (Art. 33(4)): a follow-up, correction or withdrawal
 * to the AP and a corrected fact, each with its reason, recorded through the same use cases as
 * `datalek reported … --reason` and `datalek facts … --reason`. The page refuses what the CLI
 * refuses, in the page's words beside the field, and records nothing then; the forms carry the
 * CSRF token, and the facts form what the page showed (`_base`), so an old page does not undo what
 * someone else corrected since.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, closeIncident, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { sessionCookieName } from '../../handlers/web/security.js';
import { REGISTER_FACTS as FACTS, incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp, WEB_PORT } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });

/** The error shown beside one field of a form on the page. */
function errorBeside(html: string, form: string, field: string): string | null {
  const m = new RegExp(`<p class="error" id="f-${form}-${field}-error">([^<]*)</p>`).exec(html);
  return m ? pageText(m[1]).trim() : null;
}

/** One form of a page, by its id. */
function formOf(html: string, id: string): string | null {
  return new RegExp(`<form [^>]*id="${id}"[^>]*>[\\s\\S]*?</form>`).exec(html)?.[0] ?? null;
}

describe('after closing, on the web page', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let web: ReturnType<typeof inProcessWebApp>;
  let now: string;
  const id = 'dl-after-close';
  const deps = () => ({ store, policy, now: () => now });
  const stored = async () => (await store.getIncident(id)) as Incident;
  const everything = async () => JSON.stringify({ incident: await stored(), timeline: await store.getTimeline(id) });
  const page = async (lang: 'nl' | 'en' = 'nl') => {
    const res = await web.get(`/incidents/${id}`, lang);
    expect(res.status).toBe(200);
    return res.text();
  };
  const post = async (form: string, fields: Record<string, string>, lang: 'nl' | 'en' = 'nl') => {
    const html = await page(lang);
    return web.post(`/incidents/${id}/${form}`, { _csrf: csrfOf(html), ...fields }, lang);
  };

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    now = '2026-11-28T08:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    await recordFacts(deps(), { incidentId: id, by: 'FG', ...FACTS });
    await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
    await closeIncident(deps(), { incidentId: id, reason: 'gemeld', by: 'FG', followUpReason: 'de aanvulling ging per brief naar de AP' });
    now = '2026-12-02T10:00:00.000Z';
    web = inProcessWebApp({ store, policy, now: () => now });
  });
  afterEach(async () => cleanup());

  it('offers only the two forms of what may follow, in Dutch and English, each with the CSRF token', async () => {
    for (const [lang, report, facts] of [
      ['nl', 'Na het sluiten: informatie aan de AP (art. 33(4))', 'Na het sluiten: feiten corrigeren (art. 33(4))'],
      ['en', 'After closing: information to the AP (Art. 33(4))', 'After closing: correct the facts (Art. 33(4))'],
    ] as const) {
      const html = await page(lang);
      const forms = [...html.matchAll(/<form class="action"[^>]*id="([^"]+)"/g)].map((m) => m[1]);
      // And the assessment and the Art. 34 decision (review 3 F1; test/integration/web-after-close-decisions.test.ts).
      expect(forms).toEqual(['after-close-report', 'after-close-facts', 'after-close-assess', 'after-close-subjects']);
      expect(pageText(formOf(html, 'after-close-report') ?? '')).toContain(report);
      expect(pageText(formOf(html, 'after-close-facts') ?? '')).toContain(facts);
      for (const f of forms) expect(formOf(html, f)).toContain(`name="_csrf" value="${web.session.csrf}"`);
    }
    const html = await page('nl');
    const report = formOf(html, 'after-close-report') ?? '';
    // After closing only information that follows the AP notification: no initial report, no other recipient.
    const kinds = [...(/<select id="f-after-close-report-kind"[\s\S]*?<\/select>/.exec(report)?.[0] ?? '').matchAll(/<option value="([^"]*)"/g)].map(
      (m) => m[1],
    );
    expect(kinds).toEqual(['', 'follow-up', 'correction', 'withdrawal']);
    expect(report).not.toContain('name="recipient"');
    expect(report).toMatch(/<textarea id="f-after-close-report-reason"[^>]*required/);
    const facts = formOf(html, 'after-close-facts') ?? '';
    expect(formBase(html, 'after-close-facts')._base).toBeDefined();
    expect(facts).toMatch(/<textarea id="f-after-close-facts-reason"[^>]*required/);
    // Marking the facts complete is not what follows after closing (the use case refuses it).
    expect(facts).not.toContain('name="complete"');
    expect(facts).not.toContain('name="unknown-reason"');
    expect(await (await web.get(`/incidents/${id}`)).text()).toContain('Het incident blijft gesloten');
  });

  it('links each fact still missing to its field in the form that can still record it', async () => {
    const html = await page();
    const missing = /<ul id="missing">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
    const anchors = [...missing.matchAll(/href="\/incidents\/[^#"]+#([^"]+)"/g)].map((m) => m[1]);
    expect(anchors.length).toBeGreaterThan(0);
    for (const anchor of anchors) expect(html, anchor).toContain(`id="${anchor}"`);
    expect(anchors.every((a) => a.startsWith('f-after-close-'))).toBe(true);
    // The AP draft and the notice link there too.
    for (const doc of ['draft', 'notice']) {
      const linked = [...(await (await web.get(`/incidents/${id}/${doc}?lang=nl`)).text()).matchAll(new RegExp(`href="/incidents/${id}#([^"]+)"`, 'g'))];
      expect(linked.length, doc).toBeGreaterThan(0);
      for (const [, anchor] of linked) expect(html, `${doc}: ${anchor}`).toContain(`id="${anchor}"`);
    }
  });

  it('records a correction to the AP with its reason; the incident stays closed', async () => {
    const res = await post('after-close-report', { reference: 'M-1', kind: 'correction', reason: 'meer records getroffen' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/incidents/${id}?done=after-close-report`);
    const incident = await stored();
    expect(incident.state).toBe('closed');
    expect(incident.reports?.at(-1)).toMatchObject({
      to: 'ap',
      kind: 'correction',
      reference: 'M-1',
      reason: 'meer records getroffen',
      afterClose: true,
      by: 'A. de Vries',
    });
    expect(incident.afterClose?.at(-1)).toMatchObject({ what: 'ap:correction:M-1', reason: 'meer records getroffen', by: 'A. de Vries' });
    const flash = await (await web.get(`/incidents/${id}?done=after-close-report`, 'en')).text();
    expect(pageText(flash)).toContain('Information to the AP after closing recorded; the incident stays closed.');
  });

  it('refuses, as the CLI does, a report without its reason, a withdrawal the assessment does not allow, and an initial report; nothing is recorded', async () => {
    const before = await everything();
    const noReason = await post('after-close-report', { reference: 'M-1', kind: 'follow-up' });
    expect(noReason.status).toBe(400);
    const html = await noReason.text();
    expect(errorBeside(html, 'after-close-report', 'reason')).toContain('wordt vastgelegd met een reden');
    // What was entered stays in the form.
    expect(formOf(html, 'after-close-report')).toMatch(/<option value="follow-up" selected/);

    const withdrawal = await post('after-close-report', { reference: 'M-1', kind: 'withdrawal', reason: 'toch niet' }, 'en');
    expect(withdrawal.status).toBe(400);
    expect(pageText(await withdrawal.text())).toContain('a withdrawal says the breach needed no notification after all');

    // Not offered, but sent anyway: the use case refuses it.
    const initial = await post('after-close-report', { reference: 'M-2', kind: 'initial', reason: 'opnieuw' }, 'en');
    expect(initial.status).toBe(400);
    expect(pageText(await initial.text())).toContain(`incident ${id} is closed`);
    expect(await everything()).toBe(before);
  });

  it('records a corrected fact with its reason: only what was changed on the page', async () => {
    const html = await page();
    const res = await web.post(`/incidents/${id}/after-close-facts`, {
      _csrf: csrfOf(html),
      ...formBase(html, 'after-close-facts'),
      records: '7000',
      categories: 'naam',
      subjects: '10-20',
      reason: 'nader onderzoek',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/incidents/${id}?done=after-close-facts`);
    const incident = await stored();
    expect(incident).toMatchObject({ state: 'closed', facts: expect.objectContaining({ records: 7000, categories: ['naam'] }) });
    expect((await store.getTimeline(id)).at(-1)).toMatchObject({
      kind: 'facts-recorded',
      actor: 'A. de Vries',
      detail: { records: 7000, reason: 'nader onderzoek', afterClose: true },
    });
    expect(incident.afterClose?.at(-1)).toMatchObject({ reason: 'nader onderzoek', by: 'A. de Vries' });
  });

  it('refuses a corrected fact without its reason, an old page, and a fact someone else corrected since; nothing is recorded', async () => {
    const html = await page();
    const base = formBase(html, 'after-close-facts');
    const before = await everything();
    const noReason = await web.post(`/incidents/${id}/after-close-facts`, { _csrf: csrfOf(html), ...base, records: '7000' });
    expect(noReason.status).toBe(400);
    expect(errorBeside(await noReason.text(), 'after-close-facts', 'reason')).toContain('wordt vastgelegd met een reden');
    const stale = await web.post(`/incidents/${id}/after-close-facts`, { _csrf: csrfOf(html), records: '7000', reason: 'r' });
    expect(stale.status).toBe(400);
    expect(pageText(await stale.text())).toContain('Dit formulier is verouderd of onvolledig');
    expect(await everything()).toBe(before);

    // A colleague corrects the number on the command line; the old page then changes it too.
    await recordFacts(deps(), { incidentId: id, by: 'B. Jansen', records: 9000, reason: 'telling' });
    const after = await everything();
    const conflict = await web.post(`/incidents/${id}/after-close-facts`, { _csrf: csrfOf(html), ...base, records: '7000', reason: 'nader onderzoek' });
    expect(conflict.status).toBe(400);
    expect(pageText(await conflict.text())).toContain('Gewijzigd door iemand anders sinds u deze pagina opende');
    expect(await everything()).toBe(after);
    expect((await stored()).facts?.records).toBe(9000);
  });

  it('refuses a POST without the CSRF token or from another origin, and records nothing', async () => {
    const before = await everything();
    const noCsrf = await web.post(`/incidents/${id}/after-close-report`, { reference: 'M-1', kind: 'correction', reason: 'r' });
    expect(noCsrf.status).toBe(403);
    const foreign = await web.appFor(WEB_PORT).request(`http://127.0.0.1:8733/incidents/${id}/after-close-report`, {
      method: 'POST',
      headers: {
        host: '127.0.0.1:8733',
        cookie: `${sessionCookieName(WEB_PORT)}=${web.session.token}`,
        origin: 'http://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ _csrf: web.session.csrf, reference: 'M-1', kind: 'correction', reason: 'r' }).toString(),
    });
    expect(foreign.status).toBe(403);
    expect(await everything()).toBe(before);
  });

  it('an open incident offers neither: what follows after closing is for a closed one', async () => {
    const openId = 'dl-still-open';
    await store.commit({ incident: incidentFixture({ id: openId }), expectedRevision: null, timeline: [], messages: [] });
    const html = await (await web.get(`/incidents/${openId}`)).text();
    expect(formOf(html, 'after-close-report')).toBeNull();
    expect(formOf(html, 'after-close-facts')).toBeNull();
    expect(formOf(html, 'facts')).not.toContain('name="reason"');
  });

  it('records a withdrawal, with its reason, of a notification the assessment in force no longer holds notifiable', async () => {
    // Notified, then assessed not notifiable and closed after a correction to the AP (closing allows either).
    const other = 'dl-withdrawn-later';
    now = '2026-11-28T08:00:00.000Z';
    await store.commit({ incident: incidentFixture({ id: other }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: other, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    await recordReport(deps(), { incidentId: other, reference: 'M-9', by: 'FG' });
    await assess(deps(), { incidentId: other, personalData: 'no', risk: 'none', reason: 'toch testgegevens', by: 'FG' });
    await recordReport(deps(), { incidentId: other, reference: 'M-9', kind: 'correction', reason: 'geen persoonsgegevens', by: 'FG' });
    await closeIncident(deps(), { incidentId: other, reason: 'geen datalek', by: 'FG' });
    now = '2026-12-02T10:00:00.000Z';
    const html = await (await web.get(`/incidents/${other}`)).text();
    const before = JSON.stringify(await store.getIncident(other));
    const noReason = await web.post(`/incidents/${other}/after-close-report`, { _csrf: csrfOf(html), reference: 'M-9', kind: 'withdrawal' });
    expect(noReason.status).toBe(400);
    expect(errorBeside(await noReason.text(), 'after-close-report', 'reason')).toBeTruthy();
    expect(JSON.stringify(await store.getIncident(other))).toBe(before);
    const res = await web.post(`/incidents/${other}/after-close-report`, {
      _csrf: csrfOf(html),
      reference: 'M-9',
      kind: 'withdrawal',
      reason: 'de AP heeft geen melding nodig',
    });
    expect(res.status).toBe(303);
    expect((await store.getIncident(other))?.reports?.at(-1)).toMatchObject({ kind: 'withdrawal', reason: 'de AP heeft geen melding nodig', afterClose: true });
  });
});
