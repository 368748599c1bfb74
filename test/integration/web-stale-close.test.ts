/**
 * The close form's page is checked against the record like the decision forms' (W1/W2; review8
 * R5). Its page lists what closing decides on: the containment not carried out, the overdue
 * clocks, the reports still running, the assessment. The FG writes what became of the containment
 * she saw; when another action failed after her page was drawn, her text would be recorded as what
 * became of that one too (Art. 33(3)(d), (5)). Such a post is refused as out of date, before or
 * inside the use case's read and write, and keeps what she typed; sent again from the page that
 * told her, it is recorded.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { assess } from '../../handlers/core/fg-workflow.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, fieldText, formBase, pageText } from '../support/serve.js';
import { racing, tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const now = '2026-11-27T22:00:00.000Z';
const id = 'dl-stale-close';
const FIRST = 'i-0aaaaaaaaaaaaaaa1';
const SECOND = 'i-0bbbbbbbbbbbbbbb2';
const HER_TEXT = `${FIRST} met de hand geïsoleerd om 22:10`;

const failed = (target: string): ActionRecord => ({
  id: `isolate-instance:${target}`,
  type: 'isolate-instance',
  target,
  status: 'failed',
  mode: 'enforce',
  findingId: `f-${target}`,
  at: '2026-11-27T21:10:00.000Z',
  reason: 'isolate-eni:eni-1 failed (UnauthorizedOperation)',
  steps: [{ name: 'isolate-eni:eni-1', status: 'failed', at: '2026-11-27T21:10:00.000Z', code: 'UnauthorizedOperation' }],
});

describe('closing from a page drawn before another containment action failed', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const deps = () => ({ store, policy, now: () => now });
  const incident = async () => (await store.getIncident(id)) as Incident;
  // Another instance's isolation, planned by a new finding, failed.
  const secondFails = () =>
    changeIncident(deps(), id, (draft) => {
      draft.actions = [...draft.actions, failed(SECOND)];
      return { entries: [{ at: now, kind: 'containment-failed', detail: { target: SECOND } }] };
    });

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id, actions: [failed(FIRST)] }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'testomgeving', by: 'FG' });
  });
  afterEach(async () => cleanup());

  const tab = async () => {
    const race = racing(store, id);
    const web = inProcessWebApp({ store: race.raced, policy, now: () => now });
    const html = await (await web.get(`/incidents/${id}`)).text();
    expect(html).toContain('id="close"');
    const close = (page: string) =>
      web.post(`/incidents/${id}/close`, {
        _csrf: csrfOf(page),
        ...formBase(page, 'close'),
        reason: 'geen persoonsgegevens; afgerond',
        'containment-reason': HER_TEXT,
      });
    return { html, close, meanwhileBefore: race.meanwhileBefore };
  };

  const refusedKeepingHerText = async (res: Response) => {
    expect(res.status).toBe(400);
    const page = await res.text();
    const after = await incident();
    expect(after.state).not.toBe('closed');
    expect(after.containmentReason).toBeUndefined();
    expect(pageText(page)).toContain('sinds u deze pagina opende');
    expect(fieldText(page, 'close', 'containment-reason')).toBe(HER_TEXT);
    return page;
  };

  it('is refused, keeping what she typed; sent again from the page that shows both, it closes', async () => {
    const { html, close } = await tab();
    await secondFails();
    const page = await refusedKeepingHerText(await close(html));
    // The page now lists the action that failed since; she sends it again on purpose.
    expect(pageText(page)).toContain(SECOND);
    const again = await close(page);
    expect(again.status).toBe(303);
    expect(await incident()).toMatchObject({ state: 'closed', containmentReason: HER_TEXT });
  });

  it('is refused when the failure is committed inside the use case, after its own read and before its write', async () => {
    const { html, close, meanwhileBefore } = await tab();
    // The page handler's read is the first, the close use case's the second, closing's own (in its change) the third.
    meanwhileBefore(3, secondFails);
    await refusedKeepingHerText(await close(html));
    expect((await incident()).actions.map((a) => a.target)).toEqual([FIRST, SECOND]);
  });

  it('closes from a page that shows what the record holds', async () => {
    const { html, close } = await tab();
    expect((await close(html)).status).toBe(303);
    expect(await incident()).toMatchObject({ state: 'closed', containmentReason: HER_TEXT });
  });
});
