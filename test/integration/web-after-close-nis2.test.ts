/**
 * On the web page, what `assess --after-close --nis2-significant yes` records on the command line:
 * a closed incident learned significant under NIS2 after closing (art. 23(3)); its early warning and
 * notification then run on the closed incident, and the page takes them after closing, with their
 * reason (art. 23(4)(a), (b)). Before, the closed page had no NIS2 form at all.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { nis2: true } });

describe('after closing, on the web page: a significant incident under NIS2 after all', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let now: string;
  const id = 'dl-web-nis2-after';
  const deps = () => ({ store, policy, now: () => now });
  const stored = async () => (await store.getIncident(id)) as Incident;
  let app: ReturnType<typeof inProcessWebApp>;
  const html = async () => (await app.get(`/incidents/${id}`, 'nl')).text();
  const post = async (form: string, fields: Record<string, string>) => {
    const page = await html();
    const res = await app.post(`/incidents/${id}/${form}`, { _csrf: csrfOf(page), ...formBase(page, form), ...fields }, 'nl');
    return [res.status, res.status === 400 ? pageText(await res.text()).slice(0, 800) : ''];
  };

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
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
    await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', nis2Significant: false, reason: 'storing, geen klantdata', by: 'FG' });
    await closeIncident(deps(), { incidentId: id, reason: 'hersteld', by: 'FG' });
    now = '2026-11-21T08:00:00.000Z';
    app = inProcessWebApp({ store, policy, now: () => now });
  });
  afterEach(async () => cleanup());

  it('records the significance after closing, then the NIS2 reports it owes', async () => {
    const page = await html();
    expect(page).toMatch(/<form [^>]*id="after-close-nis2"[\s\S]*?name="after-close"[\s\S]*?<\/form>/);
    expect(page).not.toContain('id="after-close-nis2-report"');
    expect(await post('after-close-nis2', { 'nis2-significant': 'yes', reason: 'CSIRT meldt uitval bij drie klanten', 'after-close': 'on' })).toEqual([
      303,
      '',
    ]);
    const decided = await stored();
    expect(decided).toMatchObject({ state: 'closed', nis2: { significant: true, afterClose: true } });
    expect(clocksOf(decided, policy, now).find((c) => c.name === 'nis2-early-warning')?.status).toBe('running');

    const after = await html();
    expect(after).not.toContain('id="after-close-nis2"');
    expect(after).toMatch(/<form [^>]*id="after-close-nis2-report"[\s\S]*?value="early-warning"[\s\S]*?<\/form>/);
    expect(await post('after-close-nis2-report', { recipient: 'csirt', kind: 'early-warning', reference: 'CSIRT-7', reason: 'na het besluit' })).toEqual([
      303,
      '',
    ]);
    expect((await stored()).reports?.at(-1)).toMatchObject({ to: 'csirt', kind: 'early-warning', reference: 'CSIRT-7', afterClose: true });
    // A "no" now would be refused (readD15 D1): the page does not offer it, and says why in its place.
    const reported = await html();
    expect(reported).not.toContain('id="after-close-nis2-back"');
    expect(pageText(reported)).toMatch(
      /Na het sluiten: toch geen significant incident \(NIS2 art\. 23\(3\)\) Dit kunt u niet meer vastleggen: sinds het "ja" van .* is vroegtijdige waarschuwing CSIRT-7 aan CSIRT vastgelegd/,
    );
  });

  // fgsec15 S2, attack15 K5: the closed page offered "yes" only, and no request for an intermediate report.
  it('takes the CSIRT\'s request for an intermediate report after closing, and that "yes" back while nothing went to the CSIRT', async () => {
    const yes = () => assess(deps(), { incidentId: id, nis2Significant: true, reason: 'CSIRT meldt uitval', by: 'FG', confirmAfterClose: true });
    await yes();
    const page = await html();
    expect(page).toMatch(/<form [^>]*id="after-close-nis2-intermediate"[\s\S]*?name="nis2-intermediate-due"[\s\S]*?<\/form>/);
    expect(page).toMatch(/<form [^>]*id="after-close-nis2-back"[\s\S]*?value="no"[\s\S]*?<\/form>/);
    const back = () => post('after-close-nis2-back', { 'nis2-significant': 'no', reason: 'vergissing: andere oorzaak', 'after-close': 'on' });
    expect(await back()).toEqual([303, '']);
    expect(await stored()).toMatchObject({ state: 'closed', nis2: { significant: false, afterClose: true } });
    const after = await html();
    expect(after).not.toContain('id="after-close-nis2-back"');
    expect(after).not.toContain('id="after-close-nis2-intermediate"');
    expect(after).toContain('id="after-close-nis2"');
    // Significant after all, and the CSIRT asks an intermediate report: a "no" would end it (readD15 D1).
    now = '2026-11-21T09:00:00.000Z';
    await yes();
    const before = await html();
    expect(before).toContain('id="after-close-nis2-back"');
    expect(
      await post('after-close-nis2-intermediate', {
        'nis2-intermediate-due': '2026-11-25T12:00',
        reason: 'CSIRT vraagt een tussentijds verslag',
        'after-close': 'on',
      }),
    ).toEqual([303, '']);
    expect((await stored()).nis2?.intermediateDueAt).toBe('2026-11-25T11:00:00.000Z');
    const asked = await html();
    expect(asked).not.toContain('id="after-close-nis2-back"');
    expect(pageText(asked)).toMatch(
      /Dit kunt u niet meer vastleggen: .*het verzoek om een tussentijds verslag uiterlijk .* vastgelegd; wat dat van de organisatie vraagt, blijft verschuldigd .* Legt u die verslagen vast bij "Na het sluiten: melding onder NIS2" en vermeldt u daarin dat het incident toch niet significant is, als dat zo blijkt\./,
    );
    // Sent all the same from the page drawn before the request, the use case refuses it.
    const res = await app.post(
      `/incidents/${id}/after-close-nis2-back`,
      { _csrf: csrfOf(before), ...formBase(before, 'after-close-nis2-back'), 'nis2-significant': 'no', reason: 'vergissing', 'after-close': 'on' },
      'nl',
    );
    expect(res.status).toBe(400);
    // readA16 A4: what is mentioned in them is said ("dat het incident toch niet significant is").
    expect(pageText(await res.text())).toMatch(
      /verzoek om een tussentijds verslag uiterlijk .*blijft verschuldigd.* vermeldt u daarin dat het incident toch niet significant is, als dat zo blijkt\./,
    );
    expect((await stored()).nis2).toMatchObject({ significant: true, afterClose: true });
  });

  // readD15 D3: a new CSIRT date for an overdue request was refused until confirmed, and the form had no box to confirm it.
  it('takes a new date for an overdue intermediate request, confirmed with the box its refusal names', async () => {
    await assess(deps(), { incidentId: id, nis2Significant: true, reason: 'CSIRT meldt uitval', by: 'FG', confirmAfterClose: true });
    await assess(deps(), { incidentId: id, nis2IntermediateDueAt: '2026-11-22T12:00:00.000Z', reason: 'CSIRT vraagt', by: 'FG', confirmAfterClose: true });
    now = '2026-11-23T08:00:00.000Z';
    const ask = (extra: Record<string, string> = {}) =>
      post('after-close-nis2-intermediate', {
        'nis2-intermediate-due': '2026-11-27T12:00',
        reason: 'CSIRT geeft een nieuwe datum',
        'after-close': 'on',
        ...extra,
      });
    const [status, text] = await ask();
    expect(status).toBe(400);
    expect(text).toContain('Ik bevestig het opgegeven tijdstip');
    // Within that form, not a later one's box.
    expect(await html()).toMatch(/<form [^>]*id="after-close-nis2-intermediate"(?:(?!<\/form>)[\s\S])*name="confirm-stated-time"/);
    expect(await ask({ 'confirm-stated-time': 'on' })).toEqual([303, '']);
    expect((await stored()).nis2?.intermediateDueAt).toBe('2026-11-27T11:00:00.000Z');
  });
});
