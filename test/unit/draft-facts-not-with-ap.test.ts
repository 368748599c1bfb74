/**
 * The closing note's "Still left" (FG): for a notification made in phases (Art. 33(4)) the draft did
 * not say which facts the AP has not received. The follow-up draft read "vervolgmelding op M-1"
 * and then every fact as recorded now, so the FG had to work out herself what the first phase
 * lacked. Now each AP report keeps which Art. 33(3) facts it carried (a short hash per fact), and
 * the draft names those added or changed since the last report, and those still missing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const id = 'dl-not-with-ap';
let clock = '2026-11-27T22:00:00.000Z';

describe('the draft names the facts the AP has not received (Art. 33(4))', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const deps = () => ({ store, policy, now: () => clock });
  const notWithAp = async (lang: 'nl' | 'en') =>
    buildDraft((await store.getIncident(id)) as Incident, policy, clock, lang)
      .sections.flatMap((s) => s.fields)
      .find((f) => f.key === 'notWithAp');

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    clock = '2026-11-27T22:00:00.000Z';
    await store.commit({ incident: incidentFixture({ id, actions: [] }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'cliëntgegevens op de server', by: 'FG' });
    await recordFacts(deps(), { incidentId: id, by: 'FG', summary: 'Server gecompromitteerd', nature: ['confidentiality'], categories: ['naam'] });
  });
  afterEach(async () => cleanup());

  it('asks nothing of a first notification', async () => {
    expect(await notWithAp('nl')).toBeUndefined();
  });

  it('names the facts added or changed since the last report, and those still missing', async () => {
    clock = '2026-11-28T08:00:00.000Z';
    await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
    clock = '2026-11-29T10:00:00.000Z';
    await recordFacts(deps(), { incidentId: id, by: 'FG', categories: ['naam', 'adres'], records: 1200, cause: 'gestolen wachtwoord' });
    const en = await notWithAp('en');
    expect(en?.label).toBe('Not yet with the AP (Art. 33(4))');
    expect(en?.value).toMatch(
      /^added since M-1: The cause in your own words, Approximate number of records; changed since M-1: Categories of personal data; still missing: /,
    );
    expect((await notWithAp('nl'))?.value).toMatch(/^nieuw sinds M-1: .*; gewijzigd sinds M-1: .*; nog onbekend: /);
  });

  it('says the AP has every fact once a follow-up carried them', async () => {
    clock = '2026-11-28T08:00:00.000Z';
    await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
    await recordFacts(deps(), { incidentId: id, by: 'FG', records: 1200 });
    await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'follow-up', by: 'FG' });
    expect((await notWithAp('en'))?.value).toMatch(/^nothing added or changed since M-1 \(follow-up\); still missing: /);
  });
});
