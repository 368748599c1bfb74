/**
 * read12a A (2557560): each AP report keeps which Art. 33(3) facts it carried (`factsSent`), and the
 * draft's "Nog niet bij de AP" lists what was added or changed since. factsSent is taken from the
 * facts as they are when the report is *entered*, not as they were at its stated time (`--at`). An
 * FG who submitted M-1 at 08:00, then learned the cause and the number of records (recorded at
 * 09:00), and entered the report at 10:00 with --at 08:00, is told by the draft that nothing was
 * added since M-1: the AP never receives the cause (Art. 33(4)), and the record says it did.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const id = 'dl-a-backdated';
let clock = '2026-11-27T22:00:00.000Z';
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
const deps = () => ({ store, policy, now: () => clock });

beforeEach(async () => {
  ({ store, cleanup } = tempSqliteStore());
  await store.commit({ incident: incidentFixture({ id, actions: [] }), expectedRevision: null, timeline: [], messages: [] });
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'cliëntgegevens op de server', by: 'FG' });
  await recordFacts(deps(), { incidentId: id, by: 'FG', summary: 'Server gecompromitteerd', nature: ['confidentiality'], categories: ['naam'] });
});
afterEach(async () => cleanup());

it('a report entered after facts recorded since its stated time does not count those facts as sent', async () => {
  // 08:00 the FG submits M-1 at the AP's form with what was known then; 09:00 the cause and the number of records are recorded.
  clock = '2026-11-28T09:00:00.000Z';
  await recordFacts(deps(), { incidentId: id, by: 'FG', cause: 'gestolen wachtwoord', records: 1200 });
  // 10:00 she enters the report, at the time it was made.
  clock = '2026-11-28T10:00:00.000Z';
  await recordReport(deps(), { incidentId: id, reference: 'M-1', at: '2026-11-28T08:00:00.000Z', by: 'FG' });
  const draft = buildDraft((await store.getIncident(id)) as Incident, policy, clock, 'en');
  const notWithAp = draft.sections.flatMap((s) => s.fields).find((f) => f.key === 'notWithAp');
  // The cause and the records were recorded after M-1 was made: the AP does not have them.
  expect(notWithAp?.value).toMatch(/The cause in your own words/);
  // Its times in the policy's zone with the ISO beside, as the draft gives every time (fg27).
  expect(notWithAp?.value).toContain(
    'Not known: the facts were recorded at 2026-11-28 10:00 CET (2026-11-28T09:00:00.000Z), after the time of M-1, 2026-11-28 09:00 CET (2026-11-28T08:00:00.000Z). Compare with what the AP holds: ',
  );
  // The report keeps when the facts were recorded, not facts it may not have carried, nor that it carried them complete.
  const report = ((await store.getIncident(id)) as Incident).reports?.at(-1);
  expect(report).toMatchObject({ reference: 'M-1', factsAfter: '2026-11-28T09:00:00.000Z', factsComplete: false });
  expect(report?.factsSent).toBeUndefined();
});
