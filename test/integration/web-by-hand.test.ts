/**
 * The page's forms for what `datalek open` (review7 G12) and `datalek contained` (G15) record on the
 * command line: the FG and on-call work on the page, which had neither. Each form runs the same use
 * case with the same refusals as the command, in the page's words beside its field; the contained
 * form carries what its page showed of the containment and is refused, recording nothing, when a
 * run or a person changed it since; a form sent twice opens one incident.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { recordContainedByHand } from '../../handlers/core/by-hand.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture, plannedIsolation } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const now = '2026-11-28T08:00:00.000Z';
const id = 'dl-by-hand-web';
const PLANNED = 'isolate-instance:i-planned';
const ENFORCED = 'isolate-instance:i-enforced';

describe('the page records a planned step carried out by hand, or one that will not be, as datalek contained and not-done do', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let web: ReturnType<typeof inProcessWebApp>;

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    // One step the policy only plans (a person's), one the contain function is still to carry out.
    const actions = [plannedIsolation('i-planned', { mode: 'plan' }), plannedIsolation('i-enforced')];
    await store.commit({ incident: incidentFixture({ id, actions }), expectedRevision: null, timeline: [], messages: [] });
    web = inProcessWebApp({ store, policy, now: () => now });
  });
  afterEach(async () => cleanup());

  const page = async () => (await web.get(`/incidents/${id}`)).text();
  const send = (html: string, fields: Record<string, string>) =>
    web.post(`/incidents/${id}/contained`, { _csrf: csrfOf(html), ...formBase(html, 'contained'), ...fields });
  const stored = async () => (await store.getIncident(id)) as Incident;

  it('offers only the step a person may record, and records it with who, when and what', async () => {
    const html = await page();
    const form = /<form[^>]*id="contained"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
    expect(form).toContain(`value="${PLANNED}"`);
    // The contain function carries the enforced one out: datalek contained refuses it (review8 A2).
    expect(form).not.toContain(`value="${ENFORCED}"`);
    const res = await send(html, { action: PLANNED, what: 'in de console in quarantaine gezet', at: '2026-11-28T08:30' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/incidents/${id}?done=contained`);
    const action = (await stored()).actions.find((a) => a.id === PLANNED);
    // 08:30 in Amsterdam is 07:30 UTC; the page's person is who did it.
    expect(action).toMatchObject({ status: 'done', byHand: { by: 'A. de Vries', what: 'in de console in quarantaine gezet', at: '2026-11-28T07:30:00.000Z' } });
    expect(pageText(await (await web.get(`/incidents/${id}?done=contained`)).text())).toContain('Vastgelegd dat de stap met de hand is uitgevoerd.');
  });

  it('refuses what the command refuses, beside its field, and records nothing', async () => {
    const html = await page();
    const before = await stored();
    const noWhat = await send(html, { action: PLANNED, what: '' });
    expect(noWhat.status).toBe(400);
    expect(pageText(await noWhat.text())).toContain('Wat er met de hand is gedaan (verplicht) Dit veld is verplicht.');
    // The enforced step sent all the same (a hand-made post): the use case's refusal, in Dutch.
    const enforced = await send(html, { action: ENFORCED, what: 'met de hand' });
    expect(enforced.status).toBe(400);
    expect(pageText(await enforced.text())).toContain('wordt volgens het beleid automatisch uitgevoerd door de inperkingsfunctie');
    const future = await send(html, { action: PLANNED, what: 'x', at: '2026-11-28T12:00' });
    expect(future.status).toBe(400);
    expect(await stored()).toEqual(before);
  });

  it('refuses a page drawn before someone else recorded the step, and records nothing over it', async () => {
    const html = await page();
    await recordContainedByHand({ store, policy, now: () => now }, { incidentId: id, actionId: PLANNED, by: 'on-call', what: 'door on-call gedaan' });
    const before = await stored();
    const res = await send(html, { action: PLANNED, what: 'ook gedaan' });
    expect(res.status).toBe(400);
    expect(pageText(await res.text())).toContain('De inperking is gewijzigd sinds u deze pagina opende. Er is niets vastgelegd');
    expect(await stored()).toEqual(before);
    expect(before.actions.find((a) => a.id === PLANNED)?.byHand?.by).toBe('on-call');
  });

  it('offers the step a person may decide on, records who decided and why, and shows it; refuses one without its reason', async () => {
    const html = await (await web.get(`/incidents/${id}`)).text();
    const form = /<form[^>]*id="not-done"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
    expect(form).toContain(`value="${PLANNED}"`);
    expect(form).not.toContain(`value="${ENFORCED}"`);
    const send = (fields: Record<string, string>) => web.post(`/incidents/${id}/not-done`, { _csrf: csrfOf(html), ...formBase(html, 'not-done'), ...fields });
    const bare = await send({ action: PLANNED, reason: '' });
    expect(bare.status).toBe(400);
    expect(pageText(await bare.text())).toMatch(/Waarom niet \(verplicht\) [\s\S]*? Dit veld is verplicht\./);
    const res = await send({ action: PLANNED, reason: 'de server is al vervangen' });
    expect(res.status).toBe(303);
    const action = ((await store.getIncident(id)) as Incident).actions.find((a) => a.id === PLANNED);
    expect(action).toMatchObject({ status: 'skipped', notDone: { by: 'A. de Vries', reason: 'de server is al vervangen' } });
    const shown = pageText(await (await web.get(`/incidents/${id}?done=not-done`)).text());
    expect(shown).toContain('Vastgelegd dat de stap niet wordt uitgevoerd, met de reden.');
    expect(shown).toContain('wordt niet uitgevoerd (besloten door A. de Vries op 2026-11-28 09:00 CET): de server is al vervangen');
    // The same page sent again: what it showed changed, nothing is recorded over it.
    expect((await send({ action: PLANNED, reason: 'nog eens' })).status).toBe(400);
  });
});

describe('the page opens an incident by hand, as datalek open does', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let web: ReturnType<typeof inProcessWebApp>;

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    web = inProcessWebApp({ store, policy, now: () => now });
  });
  afterEach(async () => cleanup());

  it('links it from the overview and opens it: the AP clock from the awareness given, acknowledged by the page’s person', async () => {
    expect(await (await web.get('/')).text()).toContain('href="/open"');
    const html = await (await web.get('/open')).text();
    expect(pageText(html)).toContain('Incident met de hand openen');
    const fields = { _csrf: csrfOf(html), what: 'brief met cliëntgegevens naar een verkeerd adres', 'aware-at': '2026-11-28T07:15' };
    const res = await web.post('/open', fields);
    expect(res.status).toBe(303);
    const opened = /^\/incidents\/(dl-[0-9a-f]+)\?done=open$/.exec(res.headers.get('location') ?? '')?.[1] as string;
    const incident = (await store.getIncident(opened)) as Incident;
    expect(incident.openedByHand).toMatchObject({ by: 'A. de Vries', what: fields.what, awareAt: '2026-11-28T06:15:00.000Z' });
    expect(incident).toMatchObject({ awareAt: '2026-11-28T06:15:00.000Z', acknowledgedBy: 'A. de Vries', actions: [] });
    // Sent again (a double click, the back button): one incident, and the page says which.
    const again = await web.post('/open', fields);
    expect(again.status).toBe(400);
    expect(pageText(await again.text())).toContain(`Dit incident is al met de hand geopend: ${opened}.`);
  });

  it('refuses what the command refuses, beside its field, and opens nothing', async () => {
    const html = await (await web.get('/open')).text();
    const later = await web.post('/open', { _csrf: csrfOf(html), what: 'laptop kwijt', 'aware-at': '2026-11-28T12:00' });
    expect(later.status).toBe(400);
    const text = await later.text();
    expect(pageText(text)).toContain('"Bewust geworden op" ligt na nu');
    expect(text).toContain('laptop kwijt');
    const noWhat = await web.post('/open', { _csrf: csrfOf(html), what: ' ', 'aware-at': '2026-11-28T07:00' });
    expect(noWhat.status).toBe(400);
    expect(pageText(await noWhat.text())).toContain('Wat er gebeurde (verplicht) Dit veld is verplicht.');
    // Without the page's CSRF token nothing is read at all.
    expect((await web.post('/open', { what: 'x', 'aware-at': '2026-11-28T07:00' })).status).toBe(403);
    expect(await store.listIncidents()).toEqual([]);
  });
});
