/**
 * read12a A (34af86a): the AP clock of a notification still owed its follow-up reads "follow-up
 * owed", not "met" -- except when the incident's notification was once withdrawn. apFollowUpState
 * (clocks.ts) drops the follow-up whenever *any* AP withdrawal is on record, not only one after the
 * notification in force. README: "a breach found notifiable again is notified anew (--kind initial)".
 * That new notification, made with the facts incomplete, leaves the AP with the first phase (close is
 * refused naming Art. 33(4)), yet the register, show, page and report read "met" again: the lie
 * 34af86a set out to end. The follow-up reminder (schedule.ts) read the same "any withdrawal" and
 * stayed silent for M-2.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { apFollowUpOwed, clocksOf } from '../../handlers/core/clocks.js';
import { assess, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerRow } from '../../handlers/core/register.js';
import { dueItems } from '../../handlers/core/schedule.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const id = 'dl-a-renotified';
let clock = '2026-11-27T22:00:00.000Z';
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
const deps = () => ({ store, policy, now: () => clock });

beforeEach(async () => {
  ({ store, cleanup } = tempSqliteStore());
  await store.commit({ incident: incidentFixture({ id, actions: [] }), expectedRevision: null, timeline: [], messages: [] });
});
afterEach(async () => cleanup());

it('a notification made anew after a withdrawal, facts incomplete, reads follow-up owed, not met', async () => {
  clock = '2026-11-27T22:00:00.000Z';
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'cliëntgegevens op de server', by: 'FG' });
  clock = '2026-11-28T08:00:00.000Z';
  await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
  clock = '2026-11-28T09:00:00.000Z';
  await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'back-up bleek leeg', by: 'FG' });
  clock = '2026-11-28T10:00:00.000Z';
  await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'withdrawal', reason: 'geen persoonsgegevens', by: 'FG' });
  clock = '2026-11-28T11:00:00.000Z';
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch wel cliëntgegevens', by: 'FG' });
  clock = '2026-11-28T12:00:00.000Z';
  await recordReport(deps(), { incidentId: id, reference: 'M-2', kind: 'initial', by: 'FG' });

  const incident = (await store.getIncident(id)) as Incident;
  const now = '2026-11-28T13:00:00.000Z';
  // The record itself knows the AP holds only the first phase of M-2 (closing is refused for it).
  expect(apFollowUpOwed(incident, policy)?.reference).toBe('M-2');
  // ...but every place that shows the AP clock says "met".
  expect(clocksOf(incident, policy, now).find((c) => c.name === 'ap')?.followUp).toMatchObject({ state: 'owed', reference: 'M-2' });
  expect(registerRow(incident, policy, now).apClockStatus).toBe('follow-up-owed');
  // ...and the follow-up reminder runs for M-2 (every followUpEveryHours from its time).
  const later = new Date(Date.parse('2026-11-28T12:00:00.000Z') + policy.reminders.followUpEveryHours * 3_600_000).toISOString();
  expect(dueItems(incident, policy, later).map((d) => d.track)).toContain('follow-up');
});
