/**
 * Incidents linked rather than merged (a finding named resources of both after the FG recorded on
 * one: record-finding.ts `notMergeable`) are the same attack recorded separately. Each incident's
 * page names the other with a link to it, in either language, and counts the ones not listed, so
 * the FG and on-call find the rest of the story (the CLI's `show` says "linked to" too).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { CHROMIUM_AVAILABLE, inBrowser, seriousViolations } from '../support/browser.js';
import { accessKeyResource, credentialSequenceEvent, findingEvent, instanceResource } from '../support/events.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const NOW = '2026-11-28T03:00:00.000Z';

describe('linked incidents on the web page', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let x: string;
  let y: string;
  let web: ReturnType<typeof inProcessWebApp>;

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    const d = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
    x = (await recordEvent(d, findingEvent({ id: 'f-i', createdAt: '2026-11-27T21:00:00.000Z', resource: instanceResource() }))).incidentId as string;
    const key = findingEvent({
      id: 'f-k',
      type: 'CredentialAccess:IAMUser/AnomalousBehavior',
      createdAt: '2026-11-27T19:30:00.000Z',
      resource: accessKeyResource(),
    });
    y = (await recordEvent(d, key)).incidentId as string;
    await recordFacts(d, { incidentId: x, by: 'FG', categories: ['contact details'], summary: 'klantbestand gekopieerd' });
    // The sequence names the key and the instance: X (facts recorded) is linked to Y, not merged.
    await recordEvent(d, credentialSequenceEvent());
    expect(((await store.getIncident(x)) as Incident).linked).toEqual([y]);
    expect(((await store.getIncident(y)) as Incident).linked).toEqual([x]);
    web = inProcessWebApp({ store, policy: DEFAULT_POLICY, now: () => NOW });
  });
  afterEach(async () => cleanup());

  it('names the other incident on each page, with a link to it, in either language', async () => {
    for (const [from, to] of [
      [x, y],
      [y, x],
    ]) {
      const nl = await (await web.get(`/incidents/${from}`, 'nl')).text();
      expect(nl).toContain(`<a href="/incidents/${to}">${to}</a>`);
      expect(pageText(nl)).toContain(`Gekoppeld aan ${to} (dezelfde aanval, apart vastgelegd; niet samengevoegd)`);
      const en = await (await web.get(`/incidents/${from}`, 'en')).text();
      expect(pageText(en)).toContain(`Linked to ${to} (the same attack, recorded separately; not merged)`);
    }
  });

  it('counts the linked incidents it does not list', async () => {
    const onX = (await store.getIncident(x)) as Incident;
    await store.commit({ incident: { ...onX, linkedNotListed: 3, revision: onX.revision + 1 }, expectedRevision: onX.revision, timeline: [], messages: [] });
    expect(pageText(await (await web.get(`/incidents/${x}`, 'en')).text())).toContain(
      `Linked to ${y} and 3 more, named in the timeline (the same attack, recorded separately; not merged)`,
    );
  });

  it.skipIf(!CHROMIUM_AVAILABLE)('the page with its links has no serious or critical accessibility violation', async () => {
    await inBrowser(web, `/incidents/${x}`, async (page) => {
      await page.click(`.attention a[href="/incidents/${y}"]`);
      expect(page.url()).toMatch(new RegExp(`/incidents/${y}$`));
      expect(await seriousViolations(page)).toEqual([]);
    });
  });
});
