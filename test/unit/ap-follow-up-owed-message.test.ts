/**
 * small13a 2: the register and `show` say an AP notification made in phases is still owed its
 * follow-up (Art. 33(4), `apFollowUpState`), but the FG's messages gave the AP line as "gedaan op …
 * (gehaald)" / "made on … (met)" as if nothing were left. The line now says the follow-up is owed,
 * or overdue, in Dutch and English.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { storeFirstPhaseOnly } from '../support/phased-report.js';
import { tempSqliteStore } from '../support/store.js';

const id = 'dl-phased-message';
const organisation = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const policies = {
  nl: parsePolicy({ organisation, language: 'nl' }),
  en: parsePolicy({ organisation, language: 'en' }),
};
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
let clock = '2026-11-27T22:00:00.000Z';
const deps = () => ({ store, policy: policies.nl, now: () => clock });

beforeEach(async () => {
  ({ store, cleanup } = tempSqliteStore());
  await storeFirstPhaseOnly(store, policies.nl, id);
});
afterEach(async () => cleanup());

const apLine = (incident: Incident, lang: 'nl' | 'en', now: string) => {
  const body = composeMessage({ incident, channel: 'fg', kind: 'opened', stateKey: 'test', now, policy: policies[lang] }).body;
  return body.split('\n').find((l) => l.startsWith(lang === 'nl' ? 'Melding AP: ' : 'AP notification: ')) as string;
};

it('the AP line says the follow-up is owed while the AP holds only the first phase, and overdue after its period', async () => {
  const owed = (await store.getIncident(id)) as Incident;
  expect(apLine(owed, 'nl', '2026-11-28T09:00:00.000Z')).toMatch(/gehaald\); vervolgmelding verschuldigd: de AP heeft alleen de eerste fase \(M-1\)/);
  expect(apLine(owed, 'en', '2026-11-28T09:00:00.000Z')).toMatch(/met\); follow-up owed: the AP holds only the first phase \(M-1\)/);

  clock = '2026-11-29T10:00:00.000Z';
  await recordFacts(deps(), { incidentId: id, by: 'FG', summary: 'Server gecompromitteerd', complete: true, unknownReason: 'nog niet vast te stellen' });
  const complete = (await store.getIncident(id)) as Incident;
  // followUpEveryHours is 24: overdue from 30 November 10:00 UTC.
  expect(apLine(complete, 'nl', '2026-11-30T10:01:00.000Z')).toMatch(/; vervolgmelding te laat: de AP heeft alleen de eerste fase \(M-1\)/);
  expect(apLine(complete, 'en', '2026-11-30T10:01:00.000Z')).toMatch(/; follow-up overdue: the AP holds only the first phase \(M-1\)/);

  clock = '2026-11-29T11:00:00.000Z';
  await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'follow-up', by: 'FG' });
  const done = (await store.getIncident(id)) as Incident;
  expect(apLine(done, 'nl', '2026-11-30T10:01:00.000Z')).not.toMatch(/vervolgmelding/);
  expect(apLine(done, 'en', '2026-11-30T10:01:00.000Z')).not.toMatch(/follow-up/);
});
