/**
 * readA20 (after fg20 1e64fa33): a store minimised again before fg20. Such a run wrote its own time, name and
 * `--after-days` (the policy's 180, as the command gave none) over the incident's note, and its
 * `finding-minimised` entry as a first removal (`afterDays: 180`, no `again`). fg20 keeps the note from then on,
 * but on a store already so written `show`, the incident page and the HTML report still said the findings were
 * removed "180 days after closing" at a time 19 days after closing, and the report's and page's list of events
 * called the re-run a removal under a 180-day retention period: an FG defending the record before the AP would
 * show a period the data was never kept for. The timeline holds the truth (the first entry); these views read it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showObject, showText } from '../../handlers/cli/views.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import { appendEntries, type Incident } from '../../handlers/core/incident.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { reportHtml } from '../../handlers/core/report-html.js';
import { registerExport } from '../../handlers/use-cases/queries.js';
import { personalEvent } from '../support/personal-finding.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const FINDING = 'f0000000000000000000000000000001';
const CLOSED_AT = '2026-01-10T09:05:00.000Z';
const FIRST_AT = '2026-01-17T10:00:00.000Z';
const RERUN_AT = '2026-01-29T10:00:00.000Z';
const NOW = '2026-02-01T09:00:00.000Z';

describe('a note a run before fg20 wrote over, minimising again', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let id: string;
  beforeEach(async () => {
    t = tempSqliteStore();
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => CLOSED_AT, canEnforce: false };
    id = (await recordEvent(deps, personalEvent(FINDING))).incidentId as string;
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'geen persoonsgegevens geraakt', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    // The first removal, 7 days after closing.
    await minimiseClosed({ store: t.store, audit: t.store, now: () => FIRST_AT }, { by: 'FG Anna', afterDays: 7 });
    // A run before fg20 that minimised the record again (a field since known personal), as that code wrote it.
    const incident = (await t.store.getIncident(id)) as Incident;
    const draft = structuredClone(incident);
    draft.revision += 1;
    draft.minimised = { ...(incident.minimised as NonNullable<Incident['minimised']>), at: RERUN_AT, by: 'Functionaris', afterDays: 180 };
    const timeline = appendEntries(draft, [
      {
        at: RERUN_AT,
        kind: 'finding-minimised',
        actor: 'Functionaris',
        detail: { findingId: FINDING, fieldsRemoved: 1, afterDays: 180, kinds: ['ip-address'] },
      },
    ]);
    await t.store.commit({ incident: draft, expectedRevision: incident.revision, timeline, messages: [] });
  });
  afterEach(async () => t.cleanup());

  it('show, the report and the page give the first removal’s time and period, and the re-run as minimised again', async () => {
    const incident = (await t.store.getIncident(id)) as Incident;
    const timeline = await t.store.getTimeline(id);
    const shown = showText(incident, timeline, DEFAULT_POLICY, NOW);
    expect(shown).toMatch(/minimised {6}personal data removed from 1 finding record by FG Anna at .*, 7 days after closing/);
    expect(shown).toContain('minimised again at');
    expect(shown).not.toContain('180 days after closing');

    for (const lang of ['nl', 'en'] as const) {
      const report = reportHtml(incident, timeline, DEFAULT_POLICY, NOW, lang);
      expect(report).toContain(lang === 'nl' ? '7 dagen na het sluiten (bewaartermijn)' : '7 days after closing (retention period)');
      expect(report).toContain(lang === 'nl' ? 'Opnieuw geminimaliseerd op' : 'Minimised again at');
      expect(report).toContain(lang === 'nl' ? `uit bevinding ${FINDING} opnieuw verwijderd` : `removed again from finding ${FINDING}`);
      // Neither the retention section nor the list of events gives the re-run's 180 days as a retention period.
      expect(report).not.toContain(lang === 'nl' ? '180 dagen' : '180 days');
      const page = await (await inProcessWebApp({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW }).get(`/incidents/${id}`, lang)).text();
      expect(page).toContain(lang === 'nl' ? '7 dagen na het sluiten (bewaartermijn)' : '7 days after closing (retention period)');
      expect(page).toContain(lang === 'nl' ? `uit bevinding ${FINDING} opnieuw verwijderd` : `removed again from finding ${FINDING}`);
      expect(page).not.toContain(lang === 'nl' ? '180 dagen na het sluiten' : '180 days after closing');
    }
  });

  it('the register (csv, json, md) and show --json give the first removal’s time and period too, and the re-run as minimised again', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => NOW };
    const period = { from: '2026-01-01T00:00:00.000Z', to: NOW };
    const [row] = JSON.parse(await registerExport(deps, period, 'json'));
    expect(row.findingsMinimised).toMatch(/^1 finding record minimised at 2026-01-17T10:00:00.000Z by FG Anna, 7 days after closing; minimised again /);
    for (const format of ['csv', 'md'] as const) {
      const text = await registerExport(deps, period, format);
      expect(text, format).not.toMatch(/180 (days after closing|dagen na sluiten)/);
      expect(text, format).toMatch(/(7 days after closing|7 dagen na sluiten)/);
    }
    const shown = showObject((await t.store.getIncident(id)) as Incident, await t.store.getTimeline(id), DEFAULT_POLICY, NOW);
    expect(shown.minimised).toMatchObject({ at: FIRST_AT, by: 'FG Anna', afterDays: 7, again: { at: RERUN_AT, by: 'Functionaris' } });
  });

  it('a later first removal (another finding, the same time as the note) is taken as the note says', async () => {
    // The first removal at the note's own time: the note is that run's, as written, and stays so.
    const incident = (await t.store.getIncident(id)) as Incident;
    const draft = structuredClone(incident);
    draft.revision += 1;
    const later = '2026-01-30T10:00:00.000Z';
    draft.minimised = { ...(incident.minimised as NonNullable<Incident['minimised']>), at: later, by: 'FG Anna', afterDays: 20 };
    const timeline = appendEntries(draft, [
      { at: later, kind: 'finding-minimised', actor: 'FG Anna', detail: { findingId: 'f-other', fieldsRemoved: 2, afterDays: 20, kinds: ['ip-address'] } },
    ]);
    await t.store.commit({ incident: draft, expectedRevision: incident.revision, timeline, messages: [] });
    const shown = showText((await t.store.getIncident(id)) as Incident, await t.store.getTimeline(id), DEFAULT_POLICY, NOW);
    expect(shown).toContain('20 days after closing');
    expect(shown).not.toContain('minimised again');
  });
});
