/**
 * A decision form carries what its page showed of the decision it records (review 6, W2): a page
 * drawn before someone else recorded that decision again, or before a later finding asked for a
 * new assessment (Art. 33(5)), is refused with a clear message and a fresh form, and nothing is
 * recorded. Only the decision the form records counts: a new finding of a type the incident had,
 * new facts, or a decision of another kind do not refuse it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { assess, decideSubjects, recordFacts } from '../../handlers/core/fg-workflow.js';
import { type Incident, typeNotListedHash } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { reviewPending } from '../../handlers/core/schedule.js';
import { findingEvent } from '../support/events.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({
  organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } },
  clocks: { nis2: true },
});
const now = '2026-11-27T22:00:00.000Z';
const CHANGED = 'is gewijzigd sinds u deze pagina opende. Er is niets vastgelegd: het formulier bewaart wat u invulde';

describe('a decision form drawn before the decision changed is refused, never applied', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const id = 'dl-stale-decision';
  const deps = () => ({ store, policy, now: () => now });
  const incident = async (incidentId = id) => (await store.getIncident(incidentId)) as Incident;

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantnamen', by: 'FG' });
  });
  afterEach(async () => cleanup());

  /** An incident from a Backdoor finding on an instance, assessed "not notifiable". */
  const backdoorAssessed = async (findingId: string, instanceId: string) => {
    const fg = { store, policy, now: () => now, canEnforce: false };
    const first = await recordEvent(fg, findingEvent({ id: findingId, type: 'Backdoor:EC2/C&CActivity.B', instanceId, createdAt: '2026-11-27T21:00:00Z' }));
    const incidentId = first.incidentId as string;
    await assess(deps(), { incidentId, personalData: 'no', risk: 'none', reason: 'testserver', by: 'FG' });
    return { fg, incidentId };
  };

  /** A tab on the incident page; `post` presses a form of the page it drew, `from` one of another page of its. */
  const tab = async (incidentId = id) => {
    const web = inProcessWebApp({ store, policy, now: () => now });
    const html = await (await web.get(`/incidents/${incidentId}`)).text();
    const from = (page: string, form: string, fields: Record<string, string>) => {
      expect(page).toContain(`id="${form}"`);
      return web.post(`/incidents/${incidentId}/${form}`, { _csrf: csrfOf(page), ...formBase(page, form), ...fields });
    };
    return { html, from, post: (form: string, fields: Record<string, string>) => from(html, form, fields) };
  };

  it('refuses an assessment page drawn before another assessment, keeping what was entered beside the one recorded now', async () => {
    const { post, from } = await tab();
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'high', reason: 'ook BSN in de dump', by: 'Privacy officer' });
    const res = await post('assess', { 'personal-data': 'yes', risk: 'risk', reason: 'klantnamen; nagekeken' });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(pageText(page)).toContain(`De beoordeling is gewijzigd, of een nieuwe bevinding vraagt om een nieuwe beoordeling, sinds u deze pagina opende.`);
    expect((await incident()).assessment).toMatchObject({ risk: 'high', reason: 'ook BSN in de dump' });
    // The form keeps what she entered (the page shows the assessment recorded now), and sending it again records it.
    expect(/<form [^>]*id="assess"[\s\S]*?<option value="risk" selected=""/.test(page)).toBe(true);
    expect(page).toContain('klantnamen; nagekeken</textarea>');
    const again = await from(page, 'assess', { 'personal-data': 'yes', risk: 'high', reason: 'ook BSN; nagekeken' });
    expect(again.status).toBe(303);
    expect((await incident()).assessment).toMatchObject({ risk: 'high', reason: 'ook BSN; nagekeken' });
  });

  // fg14a: past the most an incident lists, a new type is kept only as a hash; the page compared the listed types alone.
  it('refuses an assessment page drawn before a finding of a type past the listed ones came', async () => {
    const pastCap = (...types: string[]) =>
      changeIncident(deps(), id, (draft) => {
        draft.findingTypesNotListed = { since: now, hashes: types.map(typeNotListedHash).sort() };
        return { entries: [] };
      });
    await pastCap('Recon:EC2/A100');
    const { post } = await tab();
    // As record-finding.ts keeps a further type past the cap: its hash, nothing listed.
    await pastCap('Recon:EC2/A100', 'Exfiltration:S3/AnomalousBehavior');
    const res = await post('assess', { 'personal-data': 'yes', risk: 'risk', reason: 'klantnamen; nagekeken' });
    expect(res.status).toBe(400);
    expect(pageText(await res.text())).toContain('een nieuwe bevinding vraagt om een nieuwe beoordeling, sinds u deze pagina opende.');
    expect((await incident()).assessment).toMatchObject({ reason: 'klantnamen' });
  });

  it('refuses an assessment page drawn before a finding of a new type asked for a new assessment', async () => {
    const { fg, incidentId } = await backdoorAssessed('w2-a', 'i-w2');
    const { post } = await tab(incidentId);
    await recordEvent(fg, findingEvent({ id: 'w2-b', type: 'Exfiltration:S3/AnomalousBehavior', instanceId: 'i-w2', createdAt: '2026-11-27T21:30:00Z' }));
    expect(reviewPending(await incident(incidentId))).toBe(true);
    const res = await post('assess', { 'personal-data': 'no', risk: 'none', reason: 'testserver, nagekeken' });
    expect(res.status).toBe(400);
    expect(reviewPending(await incident(incidentId))).toBe(true);
  });

  it('takes an assessment page drawn before unrelated changes: a finding of a type the incident had, new facts', async () => {
    const { fg, incidentId } = await backdoorAssessed('w2-c', 'i-w2c');
    const { post } = await tab(incidentId);
    const before = await incident(incidentId);
    await recordEvent(fg, findingEvent({ id: 'w2-d', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-w2c', createdAt: '2026-11-27T21:40:00Z' }));
    await recordFacts(deps(), { incidentId, by: 'FG', summary: 'testserver zonder klantgegevens' } as Parameters<typeof recordFacts>[1]);
    expect((await incident(incidentId)).revision).toBeGreaterThan(before.revision);
    const res = await post('assess', { 'personal-data': 'no', risk: 'none', reason: 'testserver, nagekeken' });
    expect(res.status).toBe(303);
    expect((await incident(incidentId)).assessment).toMatchObject({ reason: 'testserver, nagekeken' });
  });

  it('refuses the awareness, role, NIS2 and Art. 34 forms after their own decision changed, and takes them after another one did', async () => {
    let moved = 0;
    const cases: { form: string; fields: Record<string, string>; own: () => Promise<unknown>; what: string }[] = [
      {
        form: 'subjects',
        fields: {
          decision: 'inform',
          text: 'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
          reason: 'hoog risico, per brief',
          date: '2026-11-27T22:50',
          channel: 'brief',
        },
        own: () =>
          decideSubjects(deps(), {
            incidentId: id,
            decision: 'inform',
            text: 'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
            reason: 'hoog risico',
            by: 'Privacy officer',
            date: now,
            channel: 'brief',
          }),
        what: 'Het besluit over het informeren',
      },
      {
        form: 'aware',
        fields: { 'aware-at': '2026-11-27T22:40', 'aware-reason': 'de melding van de hoster' },
        own: () => assess(deps(), { incidentId: id, awareAt: `2026-11-27T21:${10 + moved++}:00.000Z`, awareReason: 'het ticket', by: 'Privacy officer' }),
        what: 'Het moment van bewustwording',
      },
      {
        form: 'nis2',
        fields: { 'nis2-significant': 'no', reason: 'geen dienstverstoring' },
        own: () => assess(deps(), { incidentId: id, nis2Significant: true, reason: 'zorgcontinuïteit geraakt', by: 'Privacy officer' }),
        what: 'Het NIS2-besluit',
      },
      {
        form: 'role',
        fields: { 'acting-as': 'controller', reason: 'eigen gegevens' },
        own: () => assess(deps(), { incidentId: id, actingAs: 'processor', reason: 'wij hosten voor de zorggroep', by: 'Privacy officer' }),
        what: 'Onze rol',
      },
    ];
    // High risk: the Art. 34 decision is owed, so its form is on the page.
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'high', reason: 'ook BSN', by: 'FG' });
    for (const c of cases) {
      // Another kind of decision recorded since the page was drawn: the form is taken.
      const other = await tab();
      await (c.form === 'aware' ? cases[2] : cases[1]).own();
      const taken = await other.post(c.form, c.fields);
      expect([c.form, taken.status, taken.status === 400 ? pageText(await taken.text()).slice(0, 500) : '']).toEqual([c.form, 303, '']);
      // Its own decision recorded since: refused, nothing recorded.
      const stale = await tab();
      await c.own();
      const revision = (await incident()).revision;
      const refused = await stale.post(c.form, c.fields);
      expect(refused.status).toBe(400);
      expect(pageText(await refused.text())).toContain(`${c.what} ${CHANGED}`);
      expect((await incident()).revision).toBe(revision);
    }
  });
});
