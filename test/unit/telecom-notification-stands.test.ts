/**
 * law24: a provider of public electronic communications (`clocks.telecom`) notifies the AP of every
 * personal data breach, whatever the risk (Regulation 611/2013 art. 2, Telecommunicatiewet art.
 * 11.3a). After the FG assessed such a breach "personal data yes, risk none" (not notifiable under
 * Art. 33(1) of the AVG) and the provider notified the AP as that regulation asks, closing was
 * refused until the AP was told "with a withdrawal or a correction", and the withdrawal was accepted:
 * the record then said the breach needed no notification after all, which the law it was made under
 * says it did. Under the Telecommunicatiewet the notification stands while personal data is
 * affected; with no personal data (the telecom clocks stop) the AVG's rule applies as before.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runningOtherClocks } from '../../handlers/core/clocks.js';
import { assess, closeBlockers, closeIncident, decideSubjects, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { nextDueAt } from '../../handlers/core/schedule.js';
import { incidentFixture, REGISTER_FACTS } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Telco', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { telecom: true } });
const id = 'dl-tw-stands';
const now = '2026-11-28T10:00:00.000Z'; // detected 2026-11-27T21:00Z

describe('the AP notification of a telecom breach assessed "no risk"', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const deps = (): FgDeps => ({ store: t.store, policy, now: () => now });
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const withdrawal = { incidentId: id, to: 'ap' as const, kind: 'withdrawal' as const, reference: 'M-1', reason: 'geen risico', by: 'FG' };

  beforeEach(async () => {
    t = tempSqliteStore();
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'none', reason: 'alleen verkeersgegevens van een testaccount', by: 'FG' });
    await recordReport(deps(), { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', by: 'FG' });
  });
  afterEach(async () => t.cleanup());

  it('does not hold closing for a withdrawal or a correction', async () => {
    expect(closeBlockers(await stored(), policy, now).filter((b) => /withdrawal/.test(b))).toEqual([]);
  });

  it('is not withdrawn while personal data is affected, and is once the FG finds none', async () => {
    await expect(recordReport(deps(), withdrawal)).rejects.toThrow(/Regulation 611\/2013 art\. 2/);
    expect((await stored()).reports?.map((r) => r.kind)).toEqual(['initial']);
    await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'toch geen klantgegevens', by: 'FG' });
    expect((await recordReport(deps(), withdrawal)).report.kind).toBe('withdrawal');
  });
});

/**
 * law24: the same regulation's notification overdue and never made. Closed before it while its clock
 * ran, with a reason, the clock runs on after closing (reportsPendingReason); closed after its 24
 * hours had passed, the reason why it was overdue (--overdue-reason) alone closed the incident and
 * ended the duty: no reminder, status no longer listed it, and the AP was never notified of a breach
 * Regulation 611/2013 art. 2(1) says is notified, as the AVG's notification is never left so
 * (closing waits for the initial report). Overdue, it is owed all the more: it runs on as well.
 */
describe('a telecom breach closed with the AP notification overdue and not made', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let at = now;
  const deps = (): FgDeps => ({ store: t.store, policy, now: () => at });
  const stored = async () => (await t.store.getIncident(id)) as Incident;

  beforeEach(async () => {
    t = tempSqliteStore();
    at = now;
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await recordFacts(deps(), { incidentId: id, by: 'FG', ...REGISTER_FACTS });
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'none', reason: 'alleen verkeersgegevens van een testaccount', by: 'FG' });
    await decideSubjects(deps(), { incidentId: id, audience: 'subscribers', decision: 'not-required', reason: 'geen nadeel voor abonnees', by: 'FG' });
    at = '2026-11-29T10:00:00.000Z'; // the 24 hours ended 2026-11-28T21:00Z
  });
  afterEach(async () => t.cleanup());

  it('is not closed on the reason for the delay alone, and once closed its clock runs on', async () => {
    const close = { incidentId: id, reason: 'afgehandeld', overdueReason: 'de melding is vergeten', by: 'FG' };
    await expect(closeIncident(deps(), close)).rejects.toThrow(/Telecommunications Act: initial AP notification.*--reports-pending-reason/);
    const closed = await closeIncident(deps(), { ...close, reportsPendingReason: 'de melding volgt, het incident zelf is afgehandeld' });
    expect(closed.state).toBe('closed');
    expect(runningOtherClocks(closed, policy, at).map((c) => [c.name, c.status])).toEqual([['telecom-initial', 'overdue']]);
    expect(nextDueAt(await stored(), policy)).not.toBeNull();
  });
});
