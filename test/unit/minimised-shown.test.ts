/**
 * fgmin10 item 3 (G11): `show` and the register said when the personal data of an incident's
 * findings was minimised, but the incident page and the HTML report the FG defends the record with
 * before the AP did not: a finding shown there without its IP address or user name read as
 * evidence lost. Both now say when, by whom, after how many days and which kinds of data were
 * removed, in the page's (or report's) language; the report's list of events names the
 * minimisation in words.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident, TimelineEntry } from '../../handlers/core/incident.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { reportHtml } from '../../handlers/core/report-html.js';
import { formatLocal } from '../../handlers/core/time.js';
import { personalEvent } from '../support/personal-finding.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const MINIMISED_AT = '2026-09-01T08:00:00.000Z';
const NOW = '2026-09-01T09:00:00.000Z';
const when = formatLocal(MINIMISED_AT, DEFAULT_POLICY.timeZone);
const SAID = {
  nl: `Persoonsgegevens uit 1 bevinding verwijderd op ${when} door FG Anna, 180 dagen na het sluiten (bewaartermijn): IP-adressen, locaties (stad, coördinaten), gebruikersnamen, principal-id's, toegangssleutel-id's, user agents, domeinnamen.`,
  en: `Personal data removed from 1 finding record at ${when} by FG Anna, 180 days after closing (retention period): IP addresses, locations (city, coordinates), user names, principal ids, access key ids, user agents, domain names.`,
};
const ENTRY = {
  nl: 'Persoonsgegevens uit bevinding f0000000000000000000000000000001 verwijderd (bewaartermijn, 180 dagen na het sluiten)',
  en: 'Personal data removed from finding f0000000000000000000000000000001 (retention period, 180 days after closing)',
};
const html = (text: string) => text.replaceAll('&', '&amp;').replaceAll("'", '&#39;');

describe('a minimisation is shown on the incident page and in the HTML report', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let incident: Incident;
  let timeline: TimelineEntry[];
  beforeEach(async () => {
    t = tempSqliteStore();
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => '2026-01-10T09:05:00.000Z', canEnforce: false };
    const id = (await recordEvent(deps, personalEvent('f0000000000000000000000000000001'))).incidentId as string;
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'geen persoonsgegevens geraakt', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    // Run with a --now an hour behind the machine's clock: the minimisation is recorded at the time
    // the run states, as every change is, and the timeline says when the machine recorded it.
    await minimiseClosed({ store: t.store, audit: t.store, now: () => MINIMISED_AT, machineNow: () => NOW }, { by: 'FG Anna', afterDays: 180 });
    incident = (await t.store.getIncident(id)) as Incident;
    timeline = await t.store.getTimeline(id);
  });
  afterEach(async () => t.cleanup());

  it('the HTML report says when, by whom and which kinds, and names the entry in words', () => {
    for (const lang of ['nl', 'en'] as const) {
      const report = reportHtml(incident, timeline, DEFAULT_POLICY, NOW, lang);
      expect(report).toContain(html(SAID[lang]));
      expect(report).toContain(html(ENTRY[lang]));
      expect(report).not.toContain('>finding-minimised<');
      // What the incident record never held (its resource, the access key and its user, it does: README).
      for (const value of ['203.0.113.45', 'Utrecht', 'Mozilla/5.0 (jan)', 'evil-jan.example']) expect(report).not.toContain(value);
    }
  });

  it('records the run’s clock (--now), not the machine’s, and says when the machine recorded it', async () => {
    expect(incident.minimised?.at).toBe(MINIMISED_AT);
    const [mark, entry] = timeline.slice(-2);
    expect(entry).toMatchObject({ kind: 'finding-minimised', at: MINIMISED_AT, actor: 'FG Anna' });
    expect(mark).toMatchObject({ kind: 'clock-stated', at: MINIMISED_AT, detail: { enteredAt: NOW, entries: ['finding-minimised'] } });
    expect(incident.statedClock?.at(-1)).toMatchObject({ at: MINIMISED_AT, enteredAt: NOW, by: 'FG Anna', entries: ['finding-minimised'] });
    const record = await t.store.getFinding({ accountId: incident.accountId, region: incident.region, findingId: 'f0000000000000000000000000000001' });
    expect(record?.minimised?.at).toBe(MINIMISED_AT);
  });

  it('the incident page says it, in Dutch and English', async () => {
    const web = inProcessWebApp({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW });
    for (const lang of ['nl', 'en'] as const) {
      const page = await (await web.get(`/incidents/${incident.id}`, lang)).text();
      expect(page).toContain(html(SAID[lang]));
    }
  });
});
