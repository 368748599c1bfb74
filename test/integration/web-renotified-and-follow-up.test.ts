/**
 * law2 items 1 and 3, on the page (through the Hono app, in Dutch and English):
 * - The incident summary's AP deadline after a notification withdrawn (M-1) and made anew (M-2),
 *   and while it is owed anew: judged by M-1 as status and the register judge it (ap-verdict.ts
 *   apVerdictReport), naming the withdrawal and the notification anew; it showed the deadline
 *   alone, or while owed anew "overdue" against the deadline M-1 met.
 * - The reply to the assessment form after the risk was raised to high past the AP's last report
 *   says a follow-up to the AP is owed, as `datalek assess` does (clocks.ts riskFollowUpOwed).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { reportedCompleteAtRisk } from '../support/risk-raised.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const id = 'dl-page-renotified';
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
let now = '2026-11-28T08:00:00.000Z';
const deps = (): FgDeps => ({ store, policy, now: () => now });
const page = async (path: string, lang: 'nl' | 'en') => {
  const res = await inProcessWebApp({ store, policy, now: () => now }).get(path, lang);
  expect(res.status).toBe(200);
  return pageText(await res.text());
};
/** The incident summary alone (components.tsx IncidentSummary), not the clocks' table below it. */
const summary = async (lang: 'nl' | 'en') => {
  const res = await inProcessWebApp({ store, policy, now: () => now }).get(`/incidents/${id}`, lang);
  const html = await res.text();
  const start = html.indexOf('<dl class="summary">');
  expect(start).toBeGreaterThan(-1);
  return pageText(html.slice(start, html.indexOf('</dl>', start)));
};

beforeEach(async () => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

describe('the summary after a withdrawal', () => {
  beforeEach(async () => {
    now = '2026-11-28T08:00:00.000Z';
    await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
    now = '2026-12-01T08:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'testgegevens, leek het', by: 'FG' });
    await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'withdrawal', reason: 'geen persoonsgegevens', by: 'FG' });
    now = '2026-12-02T08:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch echte klantgegevens', by: 'FG' });
    now = '2026-12-02T09:00:00.000Z';
  });

  it('while owed anew: M-1 and its withdrawal, not overdue', async () => {
    const en = await summary('en');
    expect(en).toMatch(/notified as M-1 on 2026-11-28 09:00 CET; that notification was withdrawn on 2026-12-01 09:00 CET: notify anew/);
    expect(en).not.toMatch(/overdue/i);
    const nl = await summary('nl');
    expect(nl).toMatch(/gemeld als M-1 op 2026-11-28 09:00 CET; die melding is ingetrokken op 2026-12-01 09:00 CET/);
  });

  it("while owed anew, the clocks' table reads the AP clock owed anew, not overdue (law27)", async () => {
    const en = await page(`/incidents/${id}`, 'en');
    expect(en).toMatch(/AP notification \(72 hours, GDPR Art\. 33\)\s*owed anew/);
    expect(en).not.toMatch(/AP notification \(72 hours, GDPR Art\. 33\)\s*overdue/);
    const nl = await page(`/incidents/${id}`, 'nl');
    expect(nl).toMatch(/Melding AP \(72 uur, AVG art\. 33\)\s*opnieuw te melden/);
  });

  it('made anew: judged by M-1, the withdrawal and M-2 named', async () => {
    await recordReport(deps(), { incidentId: id, reference: 'M-2', by: 'FG' });
    const en = await summary('en');
    expect(en).toContain('judged by the first notification M-1 (2026-11-28 09:00 CET); it was withdrawn on 2026-12-01 09:00 CET and notified anew as M-2');
    const nl = await summary('nl');
    expect(nl).toContain('beoordeeld naar de eerste melding M-1 (2026-11-28 09:00 CET); die is ingetrokken op 2026-12-01 09:00 CET en opnieuw gemeld als M-2');
  });
});

it('withdrawn while not notifiable: the summary says nothing is to be notified anew (law27)', async () => {
  now = '2026-11-28T08:00:00.000Z';
  await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
  await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
  now = '2026-11-29T08:00:00.000Z';
  await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'testgegevens', by: 'FG' });
  await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'withdrawal', reason: 'geen persoonsgegevens', by: 'FG' });
  expect(await summary('en')).not.toMatch(/notify anew/);
  expect(await summary('nl')).not.toMatch(/meld opnieuw/);
});

it("the assessment's reply names the follow-up owed after the risk was raised to high (nl, en)", async () => {
  await reportedCompleteAtRisk(deps, id, (at) => {
    now = at;
  });
  now = '2026-11-29T08:00:00.000Z';
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'high', reason: 'ook medische gegevens', by: 'FG' });
  expect(await page(`/incidents/${id}?done=assess`, 'en')).toMatch(
    /Assessment recorded\. High risk after the last report to the AP \(M-1\): a follow-up to the AP is owed \(GDPR Art\. 33\(3\)\(c\), \(4\)\)/,
  );
  expect(await page(`/incidents/${id}?done=assess`, 'nl')).toMatch(
    /Beoordeling vastgelegd\. Hoog risico na de laatste melding aan de AP \(M-1\): een vervolgmelding aan de AP is nodig \(AVG art\. 33\(3\)\(c\), \(4\)\)/,
  );
});
