/**
 * L9 on the web page: what the command line records after closing, the page records too.
 * - An assessment after closing that makes the breach notifiable takes the moment the organisation
 *   became aware of that (`assess --after-close --aware-at`): the AP clock it reopens then runs from
 *   there, instead of starting overdue from the old detection.
 * - A processor's incident assessed notifiable after closing owes its controller a report (Art.
 *   33(2)), recorded after closing with its reason (`reported --recipient controller --reason`).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { CHROMIUM_AVAILABLE, inBrowser, seriousViolations } from '../support/browser.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const organisation = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe('after closing, on the web page: awareness and the report to the controller (L9)', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let policy: Policy;
  let web: ReturnType<typeof inProcessWebApp>;
  let now: string;
  const id = 'dl-web-l9';
  const deps = () => ({ store, policy, now: () => now });
  const stored = async () => (await store.getIncident(id)) as Incident;
  const html = async () => (await web.get(`/incidents/${id}`, 'nl')).text();
  const post = async (form: string, fields: Record<string, string>) => {
    const page = await html();
    return web.post(`/incidents/${id}/${form}`, { _csrf: csrfOf(page), ...formBase(page, form), ...fields }, 'nl');
  };
  /** Detected 2026-11-20 21:00 UTC, assessed not notifiable and closed; a week later it turns out otherwise. */
  const closedLongAgo = async (org: Record<string, unknown> = {}) => {
    policy = parsePolicy({ organisation: { ...organisation, ...org } });
    await store.commit({
      incident: incidentFixture({
        id,
        detectedAt: '2026-11-20T21:00:00.000Z',
        awareAt: '2026-11-20T21:00:00.000Z',
        deadline: '2026-11-23T21:00:00.000Z',
        openedAt: '2026-11-20T21:01:00.000Z',
      }),
      expectedRevision: null,
      timeline: [],
      messages: [],
    });
    now = '2026-11-20T22:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver, geen klantdata', by: 'FG' });
    await closeIncident(deps(), { incidentId: id, reason: 'geen datalek', by: 'FG' });
    now = '2026-11-28T08:00:00.000Z';
    web = inProcessWebApp({ store, policy, now: () => now });
  };

  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
  });
  afterEach(async () => cleanup());

  it('takes the moment of awareness with an assessment after closing: the reopened AP clock runs from it, not overdue', async () => {
    await closedLongAgo();
    const page = await html();
    expect(page).toMatch(/<form [^>]*id="after-close-assess"[\s\S]*?name="aware-at"[\s\S]*?<\/form>/);
    const res = await post('after-close-assess', {
      'personal-data': 'yes',
      risk: 'risk',
      reason: 'toch klantdata op de server',
      'aware-at': '2026-11-28T08:30',
      'aware-reason': 'de hoster meldde vandaag dat de back-up klantdata bevatte',
      'after-close': 'on',
    });
    expect([res.status, res.status === 400 ? pageText(await res.text()).slice(0, 800) : '']).toEqual([303, '']);
    const incident = await stored();
    expect(incident.state).toBe('closed');
    expect(incident.awareAt).toBe('2026-11-28T07:30:00.000Z');
    expect(incident.deadline).toBe('2026-12-01T07:30:00.000Z');
    expect(clocksOf(incident, policy, now).find((c) => c.name === 'ap')?.status).not.toBe('overdue');
  });

  it('offers a processor the report to its controller after closing, and records it with its reason', async () => {
    await closedLongAgo({ processor: true });
    const assessed = await post('after-close-assess', {
      'personal-data': 'yes',
      risk: 'risk',
      reason: 'toch klantdata',
      'aware-at': '2026-11-28T08:30',
      'aware-reason': 'de hoster meldde vandaag dat de back-up klantdata bevatte',
      'after-close': 'on',
    });
    expect(assessed.status).toBe(303);
    const page = await html();
    expect(page).toContain('id="after-close-controller"');
    const refused = await post('after-close-controller', { reference: 'C-1' });
    expect(refused.status).toBe(400);
    const res = await post('after-close-controller', { reference: 'C-1', recipient: 'controller', reason: 'gemeld na heroverweging' });
    expect([res.status, res.status === 400 ? pageText(await res.text()).slice(0, 800) : '']).toEqual([303, '']);
    const incident = await stored();
    expect(incident.state).toBe('closed');
    expect(incident.reports?.at(-1)).toMatchObject({
      to: 'controller',
      kind: 'initial',
      reference: 'C-1',
      afterClose: true,
      reason: 'gemeld na heroverweging',
    });
    expect(await html()).not.toContain('id="after-close-controller"');
  });

  it.skipIf(!CHROMIUM_AVAILABLE)('the closed page with both forms has no serious or critical accessibility violation', async () => {
    await closedLongAgo({ processor: true });
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch klantdata', by: 'FG', confirmAfterClose: true });
    await inBrowser(web, `/incidents/${id}`, async (page) => {
      expect(await page.locator('form#after-close-assess [name="aware-at"]').count()).toBe(1);
      expect(await page.locator('form#after-close-controller').count()).toBe(1);
      expect(await seriousViolations(page)).toEqual([]);
    });
  });
});
