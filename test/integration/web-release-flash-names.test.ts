/**
 * rel28 "noticed": the page's release message said "Containment released; see the steps below." and
 * named none of the other incidents the release undid containment for (`--undo-for`) or handed an
 * action back to, which the command line names, each with what is true for it now and who is told.
 * Those incidents' on-call and FG are told, but the person who pressed the button was not. The page
 * now names each, as the CLI does, with the full command that carries a handed-back action out.
 * What the message names is what this incident's timeline says the release undid for: a URL naming
 * another incident makes the page say nothing of it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';
import { releasing } from '../support/release-steps.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const NOW = '2026-11-27T22:00:00.000Z';

describe("the page's release message names the other incidents (rel28)", () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const put = (incident: Incident) => t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });

  beforeEach(async () => {
    t = tempSqliteStore();
    await put(incidentFixture({ id: 'dl-s', actions: [doneIsolation('i-0shared')] }));
    await put(incidentFixture({ id: 'dl-closed', state: 'closed', closedAt: '2026-11-27T21:30:00.000Z', actions: [doneIsolation('i-0shared')] }));
    await put(incidentFixture({ id: 'dl-left', actions: [doneIsolation('i-0shared', { status: 'skipped', steps: undefined, heldBy: 'dl-s' })] }));
  });
  afterEach(async () => t.cleanup());

  const web = () =>
    inProcessWebApp({
      store: t.store,
      policy: DEFAULT_POLICY,
      now: () => NOW,
      containment: releasing([{ name: 'restore-groups', status: 'done', at: NOW, detail: 'restored' }]),
    });

  for (const [lang, undone, handed] of [
    [
      'en',
      'Undone for incident dl-closed: its containment recorded as released there; its FG and on-call are told.',
      'Handed back to incident dl-left: the action it left to this incident is not contained for it now: planned there again, not carried out (datalek contain dl-left --enforce --by NAME --reason TEXT --target aws carries it out); its FG and on-call are told.',
    ],
    [
      'nl',
      'Ook opgeheven voor incident dl-closed: de inperking staat daar als opgeheven; de FG en on-call daarvan zijn geïnformeerd.',
      'Teruggegeven aan incident dl-left: de actie die het aan dit incident overliet, is daar nu niet ingeperkt: opnieuw gepland, niet uitgevoerd (datalek contain dl-left --enforce --by NAAM --reason TEKST --target aws voert haar uit); de FG en on-call daarvan zijn geïnformeerd.',
    ],
  ] as const) {
    it(`names each incident undone for or handed back to, after the steps' message (${lang})`, async () => {
      const app = web();
      const html = await (await app.get('/incidents/dl-s', lang)).text();
      const res = await app.post(
        '/incidents/dl-s/release',
        { _csrf: csrfOf(html), ...formBase(html, 'release'), reason: 'vals positief, nagekeken', 'undo-for': 'dl-closed, dl-left' },
        lang,
      );
      expect(res.status, await res.clone().text()).toBe(303);
      const page = pageText(await (await app.get(res.headers.get('location') as string, lang)).text());
      expect(page).toContain(lang === 'en' ? 'Containment released; see the steps below.' : 'Inperking opgeheven; zie de stappen hieronder.');
      expect(page).toContain(undone);
      expect(page).toContain(handed);
    });
  }

  it('names no incident, and no word for one, the timeline does not give, whatever the URL says', async () => {
    const app = web();
    const html = await (await app.get('/incidents/dl-s', 'en')).text();
    const res = await app.post(
      '/incidents/dl-s/release',
      { _csrf: csrfOf(html), ...formBase(html, 'release'), reason: 'vals positief', 'undo-for': 'dl-closed, dl-left' },
      'en',
    );
    expect(res.status).toBe(303);
    // The words swapped, and an incident the release did nothing for.
    const page = pageText(await (await app.get('/incidents/dl-s?done=release&for=dl-closed:planned,dl-left:released,dl-other:released', 'en')).text());
    expect(page).toContain('Containment released; see the steps below.');
    expect(page).not.toContain('Handed back to incident dl-closed');
    expect(page).not.toContain('Undone for incident dl-left');
    expect(page).not.toContain('dl-other');
  });
});
