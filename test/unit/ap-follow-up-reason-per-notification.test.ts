/**
 * Review 12 (fgsec14) S6: `apFollowUpReason` ("no follow-up, because…", given at closing or with `close --after-close
 * --follow-up-reason`, 554447f) is one field on the incident, never tied to the notification it was
 * given for. A2 (e276935) made a notification made anew after a withdrawal owe its follow-up like any
 * other; but when the first notification had been closed with a reason for no follow-up, that reason
 * still ends the follow-up of the new one: M-1 made with the facts incomplete, closed with "de AP
 * vroeg geen vervolgmelding"; after closing the breach is found not notifiable, M-1 withdrawn; later
 * notifiable again and M-2 made, the facts still incomplete. The AP holds only M-2's first phase,
 * but the clock, the register and show read "met", no follow-up reminder runs and minimise does not
 * wait, on a reason given for another notification (Art. 33(4), 5(2)). Now the reason names the
 * notification it answers for (`apFollowUpReasonFor`), and a record from before holds it for one
 * recorded before the reason was given.
 *
 * read14a A5: the reason for M-2 given after closing was written over M-1's, the closing's: the
 * register (Art. 33(5)) no longer held why the incident was closed while the AP held M-1's first
 * phase, its `apFollowUpReason` column held another notification's reason, and no column said which
 * notification a reason answers for. The closing's reason now stays; M-2's is the after-close note
 * (the register's `afterClose`), honoured for M-2; `apFollowUpReasonFor` is the register's last column.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { apFollowUpState } from '../../handlers/core/clocks.js';
import { assess, closeIncident, recordFacts, recordNoFollowUp, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { REGISTER_COLUMNS, registerRow } from '../../handlers/core/register.js';
import { incidentFixture, REGISTER_FACTS } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const id = 'dl-stale-reason';
let clock = '2026-11-28T08:00:00.000Z';

describe('review12 S6: a reason for no follow-up answers for the notification it was given for', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const deps = () => ({ store, policy, now: () => clock });
  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    clock = '2026-11-28T08:00:00.000Z';
    await store.commit({ incident: incidentFixture({ id, actions: [] }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'cliëntgegevens', by: 'FG' });
    await recordFacts(deps(), { incidentId: id, by: 'FG', summary: 'Server gecompromitteerd', ...REGISTER_FACTS } as never);
    await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
    clock = '2026-11-29T08:00:00.000Z';
    await closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG', followUpReason: 'de AP vroeg geen vervolgmelding op M-1' });
  });
  afterEach(async () => cleanup());

  /** After closing: the breach found not notifiable and M-1 withdrawn, then notifiable again and M-2 made, the facts still incomplete. */
  const madeAnew = async () => {
    clock = '2026-12-01T08:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'none', reason: 'versleuteld, sleutel niet gelekt', by: 'FG', confirmAfterClose: true });
    await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'withdrawal', reason: 'geen risico', by: 'FG' });
    clock = '2026-12-03T08:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'sleutel toch gelekt', by: 'FG', confirmAfterClose: true });
    const args = { incidentId: id, reference: 'M-2', kind: 'initial', reason: 'opnieuw gemeld', delayReason: 'eerst niet meldplichtig geacht', by: 'FG' };
    await recordReport(deps(), args as never);
    return (await store.getIncident(id)) as Incident;
  };

  it('a notification made anew after closing, withdrawal and a new assessment is owed its follow-up', async () => {
    const incident = await madeAnew();
    expect(incident.reports?.map((r) => `${r.kind}:${r.reference}`)).toEqual(['initial:M-1', 'withdrawal:M-1', 'initial:M-2']); // premise
    expect(incident.facts?.complete).not.toBe(true); // premise: M-2 carried the facts incomplete
    expect(incident.apFollowUpReasonFor).toEqual({ reference: 'M-1', version: 1 }); // the reason names M-1
    // premise: without M-1's reason the record owes M-2's follow-up; the reason alone ended it
    expect(apFollowUpState({ ...incident, apFollowUpReason: undefined }, policy, clock)?.reference).toBe('M-2');
    expect(apFollowUpState(incident, policy, clock)?.reference).toBe('M-2');
    expect(registerRow(incident, policy, clock).apClockStatus).toBe('follow-up-owed');
  });

  it('a record from before the reason named its notification holds it for M-1 only', async () => {
    const incident = await madeAnew();
    const before = { ...incident, apFollowUpReasonFor: undefined };
    expect(apFollowUpState(before, policy, clock)?.reference).toBe('M-2');
    // M-1 in force, the same record reads the reason as answering for it, as it did.
    const m1Only = { ...before, reports: incident.reports?.slice(0, 1) };
    expect(apFollowUpState(m1Only, policy, clock)).toBeUndefined();
  });

  it('takes a reason for M-2 after closing (refused before: "a reason is recorded already"), which ends its follow-up', async () => {
    await madeAnew();
    clock = '2026-12-04T08:00:00.000Z';
    const incident = await recordNoFollowUp(deps(), { incidentId: id, reason: 'de AP vroeg geen vervolgmelding op M-2', by: 'FG', confirmAfterClose: true });
    expect(apFollowUpState(incident, policy, clock)).toBeUndefined();
    const row = registerRow(incident, policy, clock);
    expect(row.apClockStatus).not.toMatch(/follow-up/);
    // read14a A5: the closing's reason for M-1 stays, named; M-2's is kept beside it, with who and when.
    expect([row.apFollowUpReason, row.apFollowUpReasonFor]).toEqual(['de AP vroeg geen vervolgmelding op M-1', 'M-1 v1']);
    expect(row.afterClose).toContain('no follow-up to the AP (Art. 33(4)): M-2 at 2026-12-04T08:00:00.000Z by FG: de AP vroeg geen vervolgmelding op M-2');
    expect(REGISTER_COLUMNS.at(-3)).toBe('apFollowUpReasonFor');
    // A second reason for M-2 is refused: one is on record for it.
    await expect(recordNoFollowUp(deps(), { incidentId: id, reason: 'nogmaals', by: 'FG', confirmAfterClose: true })).rejects.toThrow(
      /no follow-up to the AP is owed/,
    );
  });

  it('a note for M-2 given before M-2 was made anew again does not answer for the new one', async () => {
    await madeAnew();
    clock = '2026-12-04T08:00:00.000Z';
    const incident = await recordNoFollowUp(deps(), { incidentId: id, reason: 'de AP vroeg geen vervolgmelding op M-2', by: 'FG', confirmAfterClose: true });
    const m2 = incident.reports?.at(-1);
    const anew = { ...incident, reports: [...(incident.reports ?? []).slice(0, -1), { ...m2, recordedAt: '2026-12-05T08:00:00.000Z' }] } as Incident;
    expect(apFollowUpState(anew, policy, '2026-12-05T09:00:00.000Z')?.reference).toBe('M-2');
  });
});
