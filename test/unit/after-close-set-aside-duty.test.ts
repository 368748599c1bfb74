/**
 * review7 Y17 / Y14: facts recorded after closing can leave the closed incident needing a decision
 * again. Y17: facts that take the "encrypted" exception's ground away set the Art. 34 decision aside
 * (d3c6a75); a high-risk breach must then not end closed with no Art. 34 decision, unlisted: it is
 * closed with a duty (status lists it, the sweep reminds of it) until the FG records a new decision
 * after closing. Y14: facts that contradict the assessment in force (personal data under "no personal
 * data") make the closed incident closed with a duty, and its register row says the assessment
 * contradicts the facts, until the FG assesses again after closing.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { closedWithDuty } from '../../handlers/core/clocks.js';
import { assess, closeIncident, decideSubjects, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerRow } from '../../handlers/core/register.js';
import { dueItems, nextDueAt } from '../../handlers/core/schedule.js';
import { openIncidents } from '../../handlers/use-cases/queries.js';
import { incidentFixture, REGISTER_FACTS } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const NOW = '2026-11-28T12:00:00.000Z';
const LATER = '2026-12-05T12:00:00.000Z';
let t: ReturnType<typeof tempSqliteStore>;
let d: FgDeps;
const id = 'dl-after-close-duty';
const stored = async () => (await t.store.getIncident(id)) as Incident;
const listed = async () => (await openIncidents({ store: t.store, policy, now: () => NOW })).map((i) => i.id);

beforeEach(async () => {
  t = tempSqliteStore();
  d = { store: t.store, policy, now: () => NOW };
  await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
});
afterEach(async () => t.cleanup());

it('Y17: an Art. 34 decision set aside after closing is a duty: listed, reminded, until a new decision after closing', async () => {
  await recordFacts(d, { incidentId: id, by: 'FG', ...REGISTER_FACTS, nature: ['confidentiality'], unintelligible: 'yes' });
  await assess(d, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'gestolen laptop met dossiers', by: 'FG' });
  await recordReport(d, { incidentId: id, to: 'ap', reference: 'AP-1', by: 'FG' });
  await decideSubjects(d, { incidentId: id, decision: 'exception', exception: 'encrypted', reason: 'schijf versleuteld', by: 'FG' });
  await closeIncident(d, { incidentId: id, reason: 'afgehandeld', by: 'FG', followUpReason: 'de aanvulling ging per brief naar de AP' });
  expect(closedWithDuty(await stored(), policy)).toBe(false);
  expect(await listed()).toEqual([]);

  await recordFacts(d, { incidentId: id, by: 'FG', unintelligible: 'no', reason: 'sleutel zat bij de laptop' });
  let incident = await stored();
  expect(incident).toMatchObject({ state: 'closed', subjects: null });
  expect(closedWithDuty(incident, policy)).toBe(true);
  expect(await listed()).toEqual([id]);
  expect(nextDueAt(incident, policy)).not.toBeNull();
  expect(dueItems(incident, policy, LATER).map((i) => i.kind)).toContain('subjects-reminder');

  await decideSubjects(d, {
    incidentId: id,
    decision: 'inform',
    date: NOW,
    channel: 'brief',
    text: 'Uw gegevens zijn mogelijk ingezien.',
    reason: 'sleutel bij de laptop: informeren',
    by: 'FG',
    confirmAfterClose: true,
  });
  incident = await stored();
  expect(incident.subjects?.decision).toBe('inform');
  expect(closedWithDuty(incident, policy)).toBe(false);
  expect(await listed()).toEqual([]);
});

it('Y14: facts after closing that contradict the assessment are a duty: listed, reminded, marked in the register, until assessed again', async () => {
  const { categories: _c, specialCategories: _s, subjectsMin: _a, subjectsMax: _b, records: _r, ...neutral } = REGISTER_FACTS;
  await recordFacts(d, { incidentId: id, by: 'FG', ...neutral });
  await assess(d, { incidentId: id, personalData: 'no', risk: 'none', reason: 'alleen logbestanden', by: 'FG' });
  await closeIncident(d, { incidentId: id, reason: 'geen persoonsgegevens', by: 'FG' });
  expect(closedWithDuty(await stored(), policy)).toBe(false);

  await recordFacts(d, {
    incidentId: id,
    by: 'FG',
    categories: ['naam', 'BSN'],
    subjectsMin: 1000,
    subjectsMax: 5000,
    reason: 'na sluiten: export bevatte BSN',
  });
  let incident = await stored();
  expect(incident.state).toBe('closed');
  expect(closedWithDuty(incident, policy)).toBe(true);
  expect(await listed()).toEqual([id]);
  expect(dueItems(incident, policy, LATER).map((i) => i.kind)).toContain('contradiction-reminder');
  expect(registerRow(incident, policy, NOW).afterClose).toContain('assessment contradicts facts');

  await assess(d, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'BSN van duizenden', by: 'FG', confirmAfterClose: true });
  incident = await stored();
  expect(dueItems(incident, policy, LATER).map((i) => i.kind)).not.toContain('contradiction-reminder');
  expect(registerRow(incident, policy, NOW).afterClose).not.toContain('assessment contradicts facts');
});
