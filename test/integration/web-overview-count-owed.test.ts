/**
 * review15 Sb: the overview lists a closed incident whose AP notification an assessment
 * after closing made owed, with its clock running, but its count line reads "0 open incidenten, 0 niet
 * opgepakt." and says nothing of it; `datalek status` says "; 1 closed with a duty still owed".
 * The FG reading the count line first is told there is nothing to do.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });

describe('the overview count with a closed incident that owes the AP notification', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let now: string;
  const id = 'dl-count';
  const deps = () => ({ store, policy, now: () => now });
  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    now = '2026-11-27T22:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver', by: 'FG' });
    await closeIncident(deps(), { incidentId: id, reason: 'geen datalek', by: 'FG' });
    now = '2026-11-28T08:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch klantdata', by: 'FG', confirmAfterClose: true });
  });
  afterEach(async () => cleanup());

  it('counts the listed incident whose duty is owed, as status does', async () => {
    const web = inProcessWebApp({ store, policy, now: () => now });
    const text = pageText(await (await web.get('/', 'en')).text());
    expect(text).toContain(`${id}`);
    // status: "0 open incidents, 0 not acknowledged; 1 closed with a duty still owed"
    expect(text).toContain('0 open incidents, 0 not acknowledged; 1 closed with a duty still owed.');
    const nl = pageText(await (await web.get('/', 'nl')).text());
    expect(nl).toContain('0 open incidenten, 0 niet opgepakt; 1 gesloten incident met een plicht die nog openstaat.');
  });
});
