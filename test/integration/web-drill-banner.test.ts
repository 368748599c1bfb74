/**
 * atk29 A4 on the page: a drill copy's `serve` drew pages identical to the real store's (only the
 * verify view named the copy), so an FG with both open could record a practice decision in the real
 * record, or hand on a drill's draft, notice, register or report. Every page a drill's serve draws
 * now has a banner at its top and a title of its own, in Dutch and English; the downloads say so
 * too; the real store's pages carry none of it. The banner passes axe-core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { signAckLink } from '../../handlers/core/ack-link.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { CHROMIUM_AVAILABLE, inBrowser, seriousViolations } from '../support/browser.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const NOW = '2026-11-20T21:05:00.000Z';
const KEY = Buffer.alloc(32, 9);
const DRILL = { from: '/srv/datalek/store', at: '2026-12-01T09:00:00.000Z' };

describe("a drill copy's page says so on every page", () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let id: string;
  let drill: ReturnType<typeof inProcessWebApp>;
  let real: ReturnType<typeof inProcessWebApp>;

  beforeAll(async () => {
    ({ store, cleanup } = tempSqliteStore());
    const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
    id = (await recordEvent(deps, findingEvent({ createdAt: '2026-11-20T21:00:00Z' }))).incidentId as string;
    drill = inProcessWebApp({ store, policy: DEFAULT_POLICY, now: () => NOW, drill: DRILL, linkKey: async () => KEY });
    real = inProcessWebApp({ store, policy: DEFAULT_POLICY, now: () => NOW });
  });
  afterAll(async () => cleanup());

  const pages = () => [
    '/',
    '/closed',
    '/register',
    '/open',
    `/incidents/${id}`,
    `/incidents/${id}/draft`,
    `/incidents/${id}/notice`,
    '/runbooks/triage',
    '/nothing-here',
  ];

  it.each([
    ['nl', /<title>OEFENING \/ DRILL · /, /<p class="drill" role="note">OEFENING \/ DRILL: dit komt uit een oefenkopie van \/srv\/datalek\/store/],
    ['en', /<title>DRILL \/ OEFENING · /, /<p class="drill" role="note">DRILL \/ OEFENING: this comes from a drill copy of \/srv\/datalek\/store/],
  ] as const)('in %s: a banner and a title of its own on every page, none on the real store', async (lang, title, banner) => {
    for (const path of pages()) {
      const onDrill = await (await drill.get(path, lang)).text();
      expect(onDrill, path).toMatch(title);
      expect(onDrill, path).toMatch(banner);
      const onReal = await (await real.get(path, lang)).text();
      expect(onReal, path).not.toMatch(/OEFENING|DRILL/);
    }
  });

  it("a signed acknowledgement link's page on a drill's serve says so too", async () => {
    const token = signAckLink(KEY, { incidentId: id, level: 'primary', round: 0, expiresAt: '2026-11-20T23:00:00.000Z' });
    const res = await drill.get(`/ack/${token}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<p class="drill" role="note">OEFENING \/ DRILL: /);
  });

  it("the notice's whole text to copy is marked as a drill's", async () => {
    const html = await (await drill.get(`/incidents/${id}/notice`, 'nl')).text();
    expect(html).toMatch(/<h2 id="notice-title">OEFENING \/ DRILL: /);
  });

  it('the downloads say so: the HTML report and the register in every format', async () => {
    const report = await (await drill.get(`/incidents/${id}/report.html`)).text();
    expect(report).toMatch(/<title>OEFENING \/ DRILL: /);
    expect(await (await real.get(`/incidents/${id}/report.html`)).text()).not.toMatch(/OEFENING|DRILL/);
    const md = await (await drill.get('/register/export?format=md')).text();
    expect(md.split('\n')[0]).toMatch(/^# OEFENING \/ DRILL/);
    const json = JSON.parse(await (await drill.get('/register/export?format=json')).text()) as { drill?: unknown }[];
    expect(json.length).toBeGreaterThan(0);
    expect(json.every((r) => (r.drill as { from?: string }).from === DRILL.from)).toBe(true);
    const csv = await (await drill.get('/register/export?format=csv')).text();
    expect(csv.split('\n')[0].split(',').at(-1)).toBe('drill');
  });

  it.skipIf(!CHROMIUM_AVAILABLE)('the banner passes axe-core on the overview and the incident page', async () => {
    for (const path of ['/', `/incidents/${id}`]) {
      await inBrowser(drill, path, async (page) => {
        expect(await page.textContent('header .drill')).toMatch(/^OEFENING \/ DRILL/);
        expect(await seriousViolations(page), path).toEqual([]);
      });
    }
  });
});
