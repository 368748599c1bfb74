/**
 * review5 A8 on the web page: the form "Na het sluiten: beoordeling wijzigen" can make a closed
 * incident notifiable. The AP notification is then owed (Art. 33(1)): the page shows its deadline
 * running and offers the initial report after closing, which is recorded with its reason; the
 * incident stays closed, and the form is gone once the report is on the record.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { closedWithDuty } from '../../handlers/core/clocks.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { nextDueAt } from '../../handlers/core/schedule.js';
import { openClocks } from '../../handlers/use-cases/queries.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const INITIAL_FORM = 'Na het sluiten: eerste melding aan de AP (art. 33(1))';

describe('assessed notifiable after closing, on the web page (review5 A8)', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let web: ReturnType<typeof inProcessWebApp>;
  let now: string;
  const id = 'dl-web-a8';
  const deps = () => ({ store, policy, now: () => now });
  const stored = async () => (await store.getIncident(id)) as Incident;
  const page = async () => pageText(await (await web.get(`/incidents/${id}`, 'nl')).text());
  const post = async (form: string, fields: Record<string, string>) => {
    const html = await (await web.get(`/incidents/${id}`, 'nl')).text();
    return web.post(`/incidents/${id}/${form}`, { _csrf: csrfOf(html), ...formBase(html, form), ...fields }, 'nl');
  };

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    // Detected 2026-11-27 21:00 UTC: the AP deadline is 2026-11-30 21:00 UTC (22:00 in Amsterdam).
    await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    now = '2026-11-27T22:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver, geen klantdata', by: 'FG' });
    await closeIncident(deps(), { incidentId: id, reason: 'geen datalek', by: 'FG' });
    now = '2026-11-28T08:00:00.000Z';
    web = inProcessWebApp({ store, policy, now: () => now });
  });
  afterEach(async () => cleanup());

  it('offers the initial AP report after closing, reminds of its deadline, and records it with its reason', async () => {
    expect(await page()).not.toContain(INITIAL_FORM);
    const assessed = await post('after-close-assess', { 'personal-data': 'yes', risk: 'risk', reason: 'toch klantdata op de server', 'after-close': 'on' });
    expect(assessed.status).toBe(303);
    expect(nextDueAt(await stored(), policy)).not.toBeNull();
    expect(await page()).toContain(INITIAL_FORM);

    // Without its reason: refused beside the form, nothing written.
    const before = await stored();
    const refused = await post('after-close-initial', { reference: 'M-2026-0099' });
    expect(refused.status).toBe(400);
    expect(pageText(await refused.text())).toContain('wordt vastgelegd met een reden');
    expect((await stored()).revision).toBe(before.revision);

    const res = await post('after-close-initial', { reference: 'M-2026-0099', reason: 'gemeld na heroverweging' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/incidents/${id}?done=after-close-initial`);
    const incident = await stored();
    expect(incident.state).toBe('closed');
    expect(incident.reports?.at(-1)).toMatchObject({
      to: 'ap',
      kind: 'initial',
      reference: 'M-2026-0099',
      afterClose: true,
      reason: 'gemeld na heroverweging',
    });
    expect(incident.afterClose?.map((x) => x.what)).toEqual(['assessment personal data yes, risk risk', 'ap:initial:M-2026-0099']);
    // The AP clock is met; the follow-up with the complete facts is owed, reminded after closing too (read11c C3).
    expect(nextDueAt(incident, policy)).not.toBeNull();
    expect(closedWithDuty(incident, policy)).toBe(true);
    expect(openClocks(incident, policy, now)).toEqual([]);
    expect(await page()).not.toContain(INITIAL_FORM);
  });

  it('lists the closed incident on the overview while its AP notification is owed (review6 R1)', async () => {
    const overview = async () => (await web.get('/', 'nl')).text();
    expect(await overview()).not.toContain(`data-incident="${id}"`);
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch klantdata', by: 'FG', confirmAfterClose: true });
    const html = await overview();
    expect(html).toContain(`data-incident="${id}"`);
    // The count line counts it as `datalek status` does: it said "0 open incidenten, 0 niet opgepakt." (review15 Sb).
    expect(pageText(html)).toContain('0 open incidenten, 0 niet opgepakt; 1 gesloten incident met een plicht die nog openstaat.');
    expect(pageText(html)).toMatch(/gesloten AP : loopt , uiterlijk 2026-11-30 22:00 CET/);
    expect(pageText(await (await web.get('/', 'en')).text())).toContain('0 open incidents, 0 not acknowledged; 1 closed with a duty still owed.');
  });
});
