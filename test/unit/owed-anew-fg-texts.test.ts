/**
 * law28 (s28) item 4: the FG's texts read end to end, as the FG must defend them before the AP, for a
 * notification M-1 made in time, withdrawn (the breach then assessed not notifiable), owed anew once
 * the breach was notifiable again after the 72 hours, and made anew as M-2.
 *
 * - The AP draft's "reasons for the delay" said "not applicable: within the deadline" for the
 *   notification anew drafted days after the deadline: true of M-1 alone, which it did not name. The
 *   AP, reading a notification made after its deadline, read a claim it could not check.
 * - The register's "reported" columns (apReportedAt, apReportRecordedAt, apReportEnteredLater; the
 *   Markdown's "Gemeld (vastgelegd)") gave M-2's time beside the verdict "met", which rests on M-1:
 *   a report after the deadline called in time; and nothing while M-1 was owed anew, beside "met".
 *   They now give the report the verdict rests on, M-1 (the references column keeps every report).
 * - Every list of reports (the register, `show`, the page) called M-2 "eerste melding" / "initial":
 *   the AP's first notification of this breach was M-1. M-2 is named as made anew after M-1's withdrawal.
 * - `show` gave the owed-anew AP clock "(due <deadline>)", a time long past, as if the notification
 *   anew were overdue by it: it is the deadline M-1 met, named so.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { showText } from '../../handlers/cli/views.js';
import { buildDraft, draftMarkdown } from '../../handlers/core/draft.js';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { reportHtml } from '../../handlers/core/report-html.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const organisation = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const policies = { nl: parsePolicy({ organisation }), en: parsePolicy({ organisation, language: 'en' }) };
const policy = policies.nl;
const id = 'dl-anew-texts';
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
let now: string;
const deps = (): FgDeps => ({ store, policy, now: () => now });
const stored = async () => (await store.getIncident(id)) as Incident;
const M1_AT = '2026-11-28T09:00:00.000Z';
const M2_AT = '2026-12-02T10:00:00.000Z';

beforeEach(async () => {
  ({ store, cleanup } = tempSqliteStore());
  // Detected 2026-11-27T21:00Z (the fixture): the AP deadline is 2026-11-30T21:00Z.
  await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  now = '2026-11-28T08:00:00.000Z';
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
  now = M1_AT;
  await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
  now = '2026-11-29T08:00:00.000Z';
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'none', reason: 'versleuteld', by: 'FG' });
  await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'withdrawal', reason: 'geen risico', by: 'FG' });
  now = '2026-12-02T08:00:00.000Z';
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'sleutel toch gelekt', by: 'FG' });
  now = '2026-12-02T09:00:00.000Z';
});
afterEach(async () => cleanup());

const delayLine = (incident: Incident, lang: 'nl' | 'en') =>
  draftMarkdown(buildDraft(incident, policies[lang], now, lang), policy.timeZone)
    .split('\n')
    .find((l) => l.includes(lang === 'nl' ? 'Reden voor vertraging' : 'Reasons for the delay')) as string;

describe.each([
  ['owed anew', async () => {}],
  [
    'made anew',
    async () => {
      now = M2_AT;
      await recordReport(deps(), { incidentId: id, reference: 'M-2', by: 'FG' });
      now = '2026-12-02T11:00:00.000Z';
    },
  ],
])('M-1 in time, withdrawn, %s after the deadline', (_state, then) => {
  beforeEach(then);

  it('the draft names M-1 as the notification made within the deadline, not the one drafted', async () => {
    const incident = await stored();
    expect(delayLine(incident, 'nl')).not.toMatch(/niet van toepassing: binnen de termijn$/);
    expect(delayLine(incident, 'nl')).toContain('de eerste melding van dit datalek, M-1 op 2026-11-28 10:00 CET');
    expect(delayLine(incident, 'nl')).toContain('binnen de termijn gedaan');
    expect(delayLine(incident, 'en')).toContain('the first notification of this breach, M-1 on 2026-11-28 10:00 CET');
    expect(delayLine(incident, 'en')).toContain('was made within the deadline');
  });

  it('the register gives the report the verdict rests on (M-1) beside "met"', async () => {
    const row = registerRow(await stored(), policy, now);
    expect(row.apInitialStatus).toBe('met');
    expect([row.apReportedAt, row.apReportRecordedAt, row.apReportEnteredLater]).toEqual([M1_AT, M1_AT, false]);
    const md = registerMarkdown([await stored()], policy, now, 'nl');
    expect(md).toContain('| 2026-11-28 10:00 CET (2026-11-28 10:00 CET) |');
  });
});

describe('M-2, made anew after the withdrawal of M-1', () => {
  beforeEach(async () => {
    now = M2_AT;
    await recordReport(deps(), { incidentId: id, reference: 'M-2', by: 'FG' });
    now = '2026-12-02T11:00:00.000Z';
  });

  it('is never listed as the first notification', async () => {
    const incident = await stored();
    const nl = registerMarkdown([incident], policy, now, 'nl');
    expect(nl).toContain('AP eerste melding M-1 2026-11-28 10:00 CET');
    expect(nl).not.toContain('AP eerste melding M-2');
    expect(nl).toContain('AP nieuwe melding na intrekking van M-1 M-2 2026-12-02 11:00 CET');
    const en = registerMarkdown([incident], policies.en, now, 'en');
    expect(en).not.toContain('AP initial notification M-2');
    expect(en).toContain('AP notification anew after the withdrawal of M-1 M-2 2026-12-02 11:00 CET');
    const shown = showText(incident, await store.getTimeline(id), policy, now);
    expect(shown).toMatch(/reported {7}ap initial M-1 at/);
    expect(shown).toMatch(/reported {7}ap initial M-2 \(notification anew after the withdrawal of M-1\) at/);
    const page = await (await inProcessWebApp({ store, policy, now: () => now }).get(`/incidents/${id}`, 'nl')).text();
    expect(page).toContain('AP · eerste melding · M-1 · ');
    expect(page).toContain('AP · nieuwe melding na intrekking van M-1 · M-2 · ');
    // The timelines too: the page's and the HTML report's.
    const timeline = await store.getTimeline(id);
    expect(page).toContain('Melding aan AP (nieuwe melding na intrekking van M-1) M-2, gedaan');
    expect(page).not.toContain('Melding aan AP (eerste melding) M-2');
    const report = reportHtml(incident, timeline, policy, now, 'nl');
    expect(report).toContain('Melding aan AP (nieuwe melding na intrekking van M-1) M-2, gedaan');
    expect(report).not.toContain('(eerste melding) M-2');
  });
});

it('the HTML report and the page give the owed-anew AP clock no time it is due by', async () => {
  const incident = await stored();
  const report = reportHtml(incident, await store.getTimeline(id), policy, now, 'nl');
  expect(report).toContain('opnieuw te melden, termijn 2026-11-30 22:00 CET');
  expect(report).not.toContain('opnieuw te melden, uiterlijk');
  const page = await (await inProcessWebApp({ store, policy, now: () => now }).get(`/incidents/${id}`, 'nl')).text();
  const row = /<tr><th scope="row">Melding AP[^<]*<\/th>([\s\S]*?)<\/tr>/.exec(page)?.[1] ?? '';
  expect(row).toContain('opnieuw te melden');
  // Its "due by" column: nothing is due by a time; the deadline M-1 met is in the summary and the note.
  expect(row).not.toMatch(/<td>[^<]*<time[^>]*>2026-11-30/);
  // The overview's AP line names the deadline as the one M-1 met, not a time the notification anew is due by.
  const overview = (await (await inProcessWebApp({ store, policy, now: () => now }).get('/', 'nl')).text()).replace(/<[^>]+>/g, '');
  expect(overview).toContain('opnieuw te melden, termijn 2026-11-30 22:00 CET');
  expect(overview).not.toContain('opnieuw te melden, uiterlijk');
});

it('show gives the owed-anew AP clock the deadline M-1 met, not a time it is due by', async () => {
  const shown = showText(await stored(), await store.getTimeline(id), policy, now);
  const clock = shown.split('\n').find((l) => l.includes('clock          AP notification')) as string;
  expect(clock).toContain('owed-anew (deadline 2026-11-30 22:00 CET)');
  expect(clock).not.toContain('(due ');
});

it('keeps the mark of a first notification entered after the deadline while it is owed anew', async () => {
  const other = 'dl-anew-marked';
  await store.commit({ incident: incidentFixture({ id: other }), expectedRevision: null, timeline: [], messages: [] });
  now = '2026-11-28T08:00:00.000Z';
  await assess(deps(), { incidentId: other, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
  // Stated before the deadline (2026-11-30T21:00Z), entered after it had passed: confirmed and marked.
  now = '2026-12-01T09:30:00.000Z';
  await recordReport(deps(), { incidentId: other, reference: 'M-1', at: '2026-11-30T09:00:00.000Z', confirmStatedTime: true, by: 'FG' });
  now = '2026-12-01T10:00:00.000Z';
  await assess(deps(), { incidentId: other, personalData: 'yes', risk: 'none', reason: 'versleuteld', by: 'FG', confirmStatedTime: true });
  await recordReport(deps(), { incidentId: other, reference: 'M-1', kind: 'withdrawal', reason: 'geen risico', by: 'FG' });
  now = '2026-12-02T08:00:00.000Z';
  await assess(deps(), { incidentId: other, personalData: 'yes', risk: 'risk', reason: 'sleutel toch gelekt', by: 'FG' });
  now = '2026-12-02T09:00:00.000Z';
  const owed = registerRow((await store.getIncident(other)) as Incident, policy, now);
  expect(owed.apClockStatus).toBe('owed-anew');
  // "met" rests on M-1's stated time, entered after the deadline: marked while owed anew as before and after it.
  expect(owed.enteredAfterDeadline).toBe(true);
  expect(owed.apClock).toContain('entered after the AP deadline had passed');
  now = '2026-12-02T10:00:00.000Z';
  await recordReport(deps(), { incidentId: other, reference: 'M-2', by: 'FG' });
  expect(registerRow((await store.getIncident(other)) as Incident, policy, now).enteredAfterDeadline).toBe(true);
});

it('never held overdue while owed anew: a later "not notifiable" needs no confirmation and carries no mark', async () => {
  // Owed anew since 2026-12-02 09:00 CET, M-1 made in time: the record held the notification owed anew, never overdue.
  now = '2026-12-02T12:00:00.000Z';
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'none', reason: 'toch versleuteld, sleutel apart bewaard', by: 'FG' });
  const incident = await stored();
  expect(incident.assessment?.notifiable).toBe(false);
  expect(incident.decisions?.at(-1)).not.toHaveProperty('enteredAfterDeadline');
  expect(registerRow(incident, policy, now).enteredAfterDeadline).toBe(false);
});
