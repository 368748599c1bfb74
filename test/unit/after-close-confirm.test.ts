/**
 * A changed assessment or an Art. 34 decision after closing (Art. 33(4), 34(4): the AP can require
 * the communication after reading the notification) stays possible, but only when the person says
 * they mean the closed incident: a run with a mistyped id would otherwise write an after-close
 * change into another incident's record. The CLI asks `--after-close`, the page a confirmation that
 * names the incident and when it was closed; without it nothing is written.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, decideSubjects, type FgDeps } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { closedAfterReport, incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });

describe('a change after closing is confirmed as meant for the closed incident', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  const id = 'dl-closed';
  const stored = async () => (await t.store.getIncident(id)) as Incident;

  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy, now: () => now };
    now = '2026-11-28T08:00:00.000Z';
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await closedAfterReport(deps, id);
    now = '2026-12-02T10:00:00.000Z';
  });
  afterEach(async () => t.cleanup());

  it('assess without the confirmation is refused, naming the incident and its closing date; nothing is written', async () => {
    const before = await stored();
    const change = { incidentId: id, personalData: 'yes' as const, risk: 'none' as const, reason: 'forensisch onderzoek', by: 'FG' };
    await expect(assess(deps, change)).rejects.toThrow(/incident dl-closed was closed on 2026-11-28 09:00 CET \(2026-11-28T08:00:00.000Z\).*--after-close/);
    await expect(assess(deps, change)).rejects.toMatchObject({
      page: { nl: expect.stringMatching(/Incident dl-closed is gesloten op 2026-11-28 09:00 CET.*bevestig/) },
    });
    expect((await stored()).revision).toBe(before.revision);
    const after = await assess(deps, { ...change, confirmAfterClose: true });
    expect(after).toMatchObject({ state: 'closed', assessment: { notifiable: false } });
  });

  it('subjects without the confirmation is refused; with it the Art. 34(4) communication is recorded', async () => {
    const before = await stored();
    const inform = {
      incidentId: id,
      decision: 'inform' as const,
      text: 'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
      date: '2026-12-01T09:00:00Z',
      channel: 'brief',
      reason: 'AP eiste het',
      by: 'FG',
    };
    await expect(decideSubjects(deps, inform)).rejects.toThrow(/incident dl-closed was closed on .*--after-close/);
    expect((await stored()).revision).toBe(before.revision);
    const after = await decideSubjects(deps, { ...inform, confirmAfterClose: true });
    expect(after).toMatchObject({ state: 'closed', subjects: { decision: 'inform' } });
  });

  it('the confirmation on an open incident is refused: it says the incident is closed', async () => {
    now = '2026-12-02T10:00:00.000Z';
    await t.store.commit({ incident: incidentFixture({ id: 'dl-open' }), expectedRevision: null, timeline: [], messages: [] });
    await expect(assess(deps, { incidentId: 'dl-open', personalData: 'yes', risk: 'risk', reason: 'x', by: 'FG', confirmAfterClose: true })).rejects.toThrow(
      /dl-open is not closed.*--after-close/,
    );
  });

  it('on the page: the after-close forms ask the confirmation, naming the incident and its closing date', async () => {
    const web = inProcessWebApp({ store: t.store, policy, now: () => now });
    const html = await (await web.get(`/incidents/${id}`, 'nl')).text();
    expect(pageText(html)).toContain(`Ik bevestig dat ik incident ${id}, gesloten op 2026-11-28 09:00 CET`);
    expect(html).toContain('id="f-after-close-assess-after-close"');
    expect(html).toContain('id="f-after-close-subjects-after-close"');
    const fields = { _csrf: csrfOf(html), ...formBase(html, 'after-close-assess'), 'personal-data': 'yes', risk: 'none', reason: 'forensisch onderzoek' };
    const refused = await web.post(`/incidents/${id}/after-close-assess`, fields);
    expect(refused.status).toBe(400);
    expect(pageText(await refused.text())).toContain(`Incident ${id} is gesloten op 2026-11-28 09:00 CET`);
    expect((await stored()).assessment?.notifiable).toBe(true);
    const ok = await web.post(`/incidents/${id}/after-close-assess`, { ...fields, 'after-close': 'on' });
    expect(ok.status).toBe(303);
    expect((await stored()).assessment?.notifiable).toBe(false);
  });
});
