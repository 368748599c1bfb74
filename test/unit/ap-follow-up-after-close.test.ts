/**
 * read11c C3: an AP notification made after closing (an assessment after closing said notifiable)
 * with the facts incomplete owes the AP the rest (Art. 33(4)). Close ran before any report, so its
 * gate never saw one; the follow-up reminder ended at closing. Now it runs on a closed incident while
 * `apFollowUpOwed` holds and no `apFollowUpReason` was recorded: nextDueAt is set (the sweep, and
 * minimise waits), status lists it (closedWithDuty), the register says it is owed, and a follow-up
 * with the complete facts ends it. Core, SQLite.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { apFollowUpOwed, closedWithDuty } from '../../handlers/core/clocks.js';
import { assess, closeIncident, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { registerMarkdown } from '../../handlers/core/register.js';
import { dueItems, nextDueAt } from '../../handlers/core/schedule.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const DETECTED = '2026-11-28T01:00:00.000Z';
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
let now: string;
let deps: FgDeps;
let id: string;

beforeEach(async () => {
  ({ store, cleanup } = tempSqliteStore());
  deps = { store, policy, now: () => now };
  now = '2026-11-28T03:00:00.000Z';
  id = (await recordEvent({ ...deps, canEnforce: false }, findingEvent({ id: 'f-1', createdAt: DETECTED }))).incidentId as string;
  await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver, geen klantdata', by: 'FG' });
  await closeIncident(deps, { incidentId: id, by: 'FG', reason: 'geen datalek' });
  now = '2026-11-29T08:00:00.000Z';
  await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch klantdata op de server', by: 'FG', confirmAfterClose: true });
  now = '2026-11-29T12:00:00.000Z';
  // Phase 1, after closing, with what is known: no facts recorded yet.
  const { report } = await recordReport(deps, {
    incidentId: id,
    to: 'ap',
    kind: 'initial',
    reference: 'AP-2026-1',
    by: 'FG',
    reason: 'gemeld na heroverweging',
  });
  expect(report.factsComplete).toBe(false);
});
afterEach(async () => cleanup());

it('keeps reminding of the AP follow-up owed by an initial report made after closing with the facts incomplete', async () => {
  const incident = (await store.getIncident(id)) as Incident;
  expect(incident.state).toBe('closed');
  expect(apFollowUpOwed(incident, policy)?.reference).toBe('AP-2026-1');
  // On main: nothing is due; no follow-up reminder ever (schedule.ts: `&& !closed`).
  expect(nextDueAt(incident, policy)).not.toBeNull();
  expect(incident.nextDueAt).not.toBeNull(); // the stored record: the sweep finds it, minimise waits for it
  expect(dueItems(incident, policy, '2026-12-10T00:00:00.000Z').map((d) => d.kind)).toContain('follow-up-reminder');
  expect(closedWithDuty(incident, policy)).toBe(true); // status lists it
  expect(registerMarkdown([incident], policy, now)).toContain(
    'vervolgmelding aan de AP nog verschuldigd (AVG art. 33(4)): de AP heeft alleen de eerste fase AP-2026-1',
  );
});

it('stops reminding once the follow-up with the complete facts is recorded after closing', async () => {
  now = '2026-11-30T10:00:00.000Z';
  await recordFacts(deps, {
    incidentId: id,
    by: 'FG',
    summary: 'Server met klantgegevens gecompromitteerd',
    nature: ['confidentiality'],
    cause: 'gestolen beheerderswachtwoord',
    breachType: 'hacking-malware-phishing',
    categories: ['naam', 'adres'],
    specialCategories: [],
    subjectGroups: ['klanten'],
    subjectsMin: 10,
    subjectsMax: 100,
    records: 100,
    consequences: 'identiteitsfraude',
    measuresTaken: 'server van het netwerk gehaald',
    unintelligible: 'no',
    crossBorder: false,
    otherParty: 'none',
    consequencesFor: 'confidentiality',
    harm: ['immaterial'],
    harmSeverity: 'medium',
    complete: true,
    reason: 'aangevuld na de melding',
  });
  now = '2026-11-30T11:00:00.000Z';
  const { report } = await recordReport(deps, { incidentId: id, to: 'ap', kind: 'follow-up', reference: 'AP-2026-1', by: 'FG', reason: 'vervolgmelding' });
  expect(report.factsComplete).toBe(true);
  const incident = (await store.getIncident(id)) as Incident;
  expect(apFollowUpOwed(incident, policy)).toBeUndefined();
  expect(dueItems(incident, policy, '2026-12-10T00:00:00.000Z').map((d) => d.kind)).not.toContain('follow-up-reminder');
  expect(registerMarkdown([incident], policy, now)).not.toContain('nog verschuldigd');
});
