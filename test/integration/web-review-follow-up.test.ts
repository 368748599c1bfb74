/**
 * What the FG must act on, where the FG looks first: a pending review request (a finding of a new
 * type came after the assessment) and the link between a closed incident and its follow-up, shown
 * with the clocks on the web page (through the Hono app, in Dutch and English) and in the HTML
 * report, not only in the timeline further down. The page with them has no serious or critical
 * accessibility violation (axe-core, headless Chromium).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { reportHtml } from '../../handlers/core/report-html.js';
import { backdoor, closedIncident } from '../support/after-close.js';
import { CHROMIUM_AVAILABLE, inBrowser, seriousViolations } from '../support/browser.js';
import { findingEvent } from '../support/events.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const EXFIL = 'Trojan:EC2/DNSDataExfiltration';

/** The page from its start to the heading that follows the clocks (the documents). */
const top = (html: string, after: RegExp) => html.slice(0, html.search(after));

describe('a pending review and a follow-up, beside the clocks', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const clock = { now: '' };
  let closed: Incident;
  let followUp: string;
  let web: ReturnType<typeof inProcessWebApp>;
  const get = async (path: string, lang: 'nl' | 'en') => {
    const res = await web.get(path, lang);
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    ({ store, cleanup } = tempSqliteStore());
    const deps = { store, policy: DEFAULT_POLICY, now: () => clock.now, canEnforce: false };
    // Closed as "no personal data"; the backdoor is active again: a follow-up, assessed, then exfiltration.
    closed = await closedIncident(store, clock);
    clock.now = '2026-11-27T10:05:00.000Z';
    followUp = (await recordEvent(deps, backdoor({ count: 57, updatedAt: '2026-11-27T10:00:00.000Z' }))).incidentId as string;
    clock.now = '2026-11-27T11:00:00.000Z';
    await assess(deps, { incidentId: followUp, personalData: 'no', risk: 'none', reason: 'miner', by: 'FG' });
    clock.now = '2026-11-27T12:05:00.000Z';
    await recordEvent(deps, findingEvent({ id: 'x-1', type: EXFIL, instanceId: 'i-0c10000000000001', createdAt: '2026-11-27T12:00:00.000Z' }));
    expect((await store.getIncident(followUp))?.reviewAsked).toMatchObject({ findingType: EXFIL, at: clock.now });
    clock.now = '2026-11-27T13:00:00.000Z';
    web = inProcessWebApp({ store, policy: DEFAULT_POLICY, now: () => clock.now });
  });
  afterAll(async () => cleanup());

  it('the follow-up page says, with the clocks, that the FG is asked to assess again and of which incident it follows up, linked', async () => {
    const en = top(await get(`/incidents/${followUp}`, 'en'), /<h2>Documents<\/h2>/);
    expect(pageText(en)).toMatch(
      /Review asked since 2026-11-27 13:05 CET ?, assess again ?: a finding of type Trojan:EC2\/DNSDataExfiltration came after the assessment/,
    );
    expect(en).toMatch(/<a href="#assess">assess again<\/a>/);
    expect(pageText(en)).toContain(`Follow-up of ${closed.id}`);
    expect(en).toContain(`<a href="/incidents/${closed.id}">${closed.id}</a>`);
    // Below the clocks, not above them: the clocks come first.
    expect(en.indexOf('Review asked since')).toBeGreaterThan(en.indexOf('<h2>Clocks</h2>'));

    const nl = top(await get(`/incidents/${followUp}`, 'nl'), /<h2>Documenten<\/h2>/);
    expect(pageText(nl)).toMatch(
      /Nieuwe beoordeling gevraagd sinds 2026-11-27 13:05 CET ?, beoordeel opnieuw ?: een bevinding van het type Trojan:EC2\/DNSDataExfiltration kwam na de beoordeling/,
    );
    expect(nl).toMatch(/<a href="#assess">beoordeel opnieuw<\/a>/);
    expect(pageText(nl)).toContain(`Vervolg op ${closed.id}`);
    expect(nl).toContain(`<a href="/incidents/${closed.id}">${closed.id}</a>`);
  });

  it('the closed incident names its follow-ups, linked, and asks nothing of it', async () => {
    const en = top(await get(`/incidents/${closed.id}`, 'en'), /<h2>Documents<\/h2>/);
    expect(pageText(en)).toContain(`Follow-ups: ${followUp}`);
    expect(en).toContain(`<a href="/incidents/${followUp}">${followUp}</a>`);
    expect(en).not.toContain('Review asked');
    const nl = top(await get(`/incidents/${closed.id}`, 'nl'), /<h2>Documenten<\/h2>/);
    expect(pageText(nl)).toContain(`Vervolgincidenten: ${followUp}`);
  });

  it('the HTML report says both with its clocks, in both languages', async () => {
    for (const [lang, before, review, of] of [
      ['en', /<h2>Assessment<\/h2>/, 'Review asked since 2026-11-27 13:05 CET: assess again', `Follow-up of ${closed.id}`],
      ['nl', /<h2>Beoordeling<\/h2>/, 'Nieuwe beoordeling gevraagd sinds 2026-11-27 13:05 CET: beoordeel opnieuw', `Vervolg op ${closed.id}`],
    ] as const) {
      const html = top(await get(`/incidents/${followUp}/report.html`, lang), before);
      expect(pageText(html)).toContain(review);
      expect(pageText(html)).toContain(of);
    }
    const incident = (await store.getIncident(closed.id)) as Incident;
    const report = reportHtml(incident, await store.getTimeline(closed.id), DEFAULT_POLICY, clock.now, 'en');
    expect(pageText(top(report, /<h2>Assessment<\/h2>/))).toContain(`Follow-ups: ${followUp}`);
  });

  it.skipIf(!CHROMIUM_AVAILABLE)('the follow-up page with both has no serious or critical accessibility violation', async () => {
    await inBrowser(web, `/incidents/${followUp}`, async (page) => {
      expect(await page.textContent('.attention')).toContain('beoordeel opnieuw');
      expect(await seriousViolations(page)).toEqual([]);
    });
  });
});
