/**
 * The third FG review on the web page: after closing, a changed assessment and an Art. 34 decision
 * (F1), through the same use cases as `datalek assess` and `datalek subjects` on a closed incident;
 * and closing with containment failed (F6), which the close form refuses until it says what was done.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, closeIncident, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { REGISTER_FACTS as FACTS, incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });

const FAILED_KEY: ActionRecord = {
  id: 'deactivate-access-key:AKIAEXAMPLE',
  type: 'deactivate-access-key',
  target: 'AKIAEXAMPLE',
  status: 'failed',
  mode: 'enforce',
  findingId: 'f-dl-web3',
  at: '2026-11-27T21:02:00.000Z',
  reason: 'deactivate failed (AccessDenied)',
};

describe('after closing and closing, on the web page (review 3)', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let web: ReturnType<typeof inProcessWebApp>;
  let now: string;
  const id = 'dl-web3';
  const deps = () => ({ store, policy, now: () => now });
  const stored = async () => (await store.getIncident(id)) as Incident;
  const post = async (form: string, fields: Record<string, string>, lang: 'nl' | 'en' = 'nl') => {
    const html = await (await web.get(`/incidents/${id}`, lang)).text();
    return web.post(`/incidents/${id}/${form}`, { _csrf: csrfOf(html), ...formBase(html, form), ...fields }, lang);
  };

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id, actions: [FAILED_KEY] }), expectedRevision: null, timeline: [], messages: [] });
    now = '2026-11-28T08:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    await recordFacts(deps(), { incidentId: id, by: 'FG', ...FACTS });
    await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
    web = inProcessWebApp({ store, policy, now: () => now });
  });
  afterEach(async () => cleanup());

  it('refuses to close while containment failed, naming it, and closes with what was done by hand', async () => {
    const refused = await post('close', { reason: 'afgehandeld' });
    expect(refused.status).toBe(400);
    expect(pageText(await refused.text())).toMatch(/inperking niet uitgevoerd: .*AKIAEXAMPLE \(mislukt/);
    const res = await post('close', {
      reason: 'afgehandeld',
      'containment-reason': 'sleutel met de hand verwijderd',
      'follow-up-reason': 'de aanvulling ging per brief naar de AP',
    });
    expect(res.status).toBe(303);
    expect(await stored()).toMatchObject({ state: 'closed', containmentReason: 'sleutel met de hand verwijderd' });
  });

  describe('after closing', () => {
    beforeEach(async () => {
      await closeIncident(deps(), {
        incidentId: id,
        reason: 'gemeld',
        containmentReason: 'sleutel verwijderd',
        by: 'FG',
        followUpReason: 'de aanvulling ging per brief naar de AP',
      });
      now = '2026-12-02T10:00:00.000Z';
    });

    it('records a not-notifiable assessment, after which the withdrawal is taken; the incident stays closed', async () => {
      const html = await (await web.get(`/incidents/${id}`, 'en')).text();
      expect(pageText(html)).toContain('After closing: change the assessment (Art. 33(1), (4))');
      const res = await post('after-close-assess', { 'personal-data': 'yes', risk: 'none', reason: 'forensisch onderzoek', 'after-close': 'on' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/incidents/${id}?done=after-close-assess`);
      expect(await stored()).toMatchObject({ state: 'closed', assessment: expect.objectContaining({ notifiable: false }) });
      const withdrawal = await post('after-close-report', { reference: 'M-1', kind: 'withdrawal', reason: 'geen persoonsgegevens' });
      expect(withdrawal.status).toBe(303);
      const incident = await stored();
      expect(incident.state).toBe('closed');
      expect(incident.afterClose?.map((x) => x.what)).toEqual(['assessment personal data yes, risk none', 'ap:withdrawal:M-1']);
    });

    it('records an Art. 34 communication with its reason', async () => {
      const res = await post('after-close-subjects', {
        decision: 'inform',
        text: 'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
        date: '2026-12-02T09:00',
        channel: 'brief',
        reason: 'de AP eiste het (art. 34(4))',
        'after-close': 'on',
      });
      expect(res.status).toBe(303);
      const incident = await stored();
      expect(incident).toMatchObject({
        state: 'closed',
        subjects: expect.objectContaining({ decision: 'inform', text: 'Uw gegevens zijn gelekt; wijzig uw wachtwoord.', channel: 'brief' }),
      });
      expect(incident.afterClose?.at(-1)).toMatchObject({ reason: 'de AP eiste het (art. 34(4))', by: 'A. de Vries' });
    });
  });
});
