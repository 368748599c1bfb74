/**
 * review10 "also seen": a closed incident's page still lists what the AP draft lacks ("Ontbreekt
 * nog"), which closing did not require; without a word it reads as if closing was premature. The
 * page says the register has what closing asked, and that the draft's gaps can still be filled.
 */
import { expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { closedAfterReport, incidentFixture } from '../support/incidents.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

it('says on a closed incident that what the draft still lacks was not needed to close it', async () => {
  const t = tempSqliteStore();
  try {
    const now = '2026-11-28T08:00:00.000Z';
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => now };
    for (const id of ['dl-open', 'dl-closed']) await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await closedAfterReport(deps, 'dl-closed');
    const web = inProcessWebApp(deps);
    const page = async (id: string, lang: 'nl' | 'en') => pageText(await (await web.get(`/incidents/${id}`, lang)).text());
    const closed = await page('dl-closed', 'nl');
    expect(closed).toContain('Ontbreekt nog');
    expect(closed).toContain('Het incident is gesloten: het register heeft wat het sluiten vroeg (AVG art. 33(5)).');
    expect(await page('dl-closed', 'en')).toContain('The incident is closed: the register holds what closing asked for (Art. 33(5)).');
    const open = await page('dl-open', 'nl');
    expect(open).toContain('Ontbreekt nog');
    expect(open).not.toContain('Het incident is gesloten');
  } finally {
    await t.cleanup();
  }
});
