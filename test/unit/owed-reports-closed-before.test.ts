/**
 * law26 (issue left by law25): a telecom provider's notification to the AP (Regulation 611/2013 art.
 * 2(1), Telecommunicatiewet art. 11.3a) and a significant incident's NIS2 incident notification (NIS2
 * art. 23(1), (4)(b)) stay owed when overdue at closing (61960886, a49957bb). The after-close clocks
 * read that from a flag closing sets (`reportsPendingReason`): a record closed before those commits,
 * with `--overdue-reason` alone, has none, so the notification never made got no reminder, status
 * did not list it, and `sweep --reindex` found nothing to put back. The duty comes from the record's
 * state: the report not made, personal data not ruled out (telecom), the incident significant
 * (NIS2).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedWithDuty, runningOtherClocks } from '../../handlers/core/clocks.js';
import { reindexDue } from '../../handlers/core/due-index.js';
import { assess, decideSubjects, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { sweep } from '../../handlers/core/sweep.js';
import { openIncidents } from '../../handlers/use-cases/queries.js';
import { incidentFixture, REGISTER_FACTS } from '../support/incidents.js';
import { storeClosedBeforeOwedReports } from '../support/old-record.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
// Detected 2026-11-27T21:00Z (the fixture); closed four days later, past the 24 and 72 hours.
const DECIDED = '2026-11-27T22:00:00.000Z';
const CLOSED = '2026-12-01T10:00:00.000Z';
const LATER = '2026-12-03T10:00:00.000Z';
const id = 'dl-closed-before';

describe('a notification overdue at closing, on a record closed before it was kept owed', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let at = DECIDED;
  const deps = (policy: Policy): FgDeps => ({ store: t.store, policy, now: () => at });
  const later = (policy: Policy) => ({ store: t.store, policy, now: () => LATER });

  beforeEach(async () => {
    t = tempSqliteStore();
    at = DECIDED;
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  /** What the FG and the sweep get of it: the clocks owed, status's list, and the sweep's reminders, after the pass an upgrade runs. */
  const owed = async (policy: Policy, clock: string, make: (d: FgDeps) => Promise<unknown>) => {
    at = CLOSED;
    const old = await storeClosedBeforeOwedReports(t.store, policy, at, id);
    expect(runningOtherClocks(old, policy, CLOSED).map((c) => [c.name, c.status])).toEqual([[clock, 'overdue']]);
    expect(closedWithDuty(old, policy)).toBe(true);
    expect((await reindexDue(later(policy))).map((r) => r.incidentId)).toEqual([id]);
    expect((await openIncidents(later(policy))).map((i) => i.id)).toEqual([id]);
    const swept = await sweep(later(policy));
    expect(swept.sent.map((s) => `${s.incidentId} ${s.kind} ${s.clock ?? ''}`)).toContain(`${id} clock-overdue ${clock}`);
    // Taken after closing with its reason, as on a record closed with today's reason: then what follows it is owed.
    at = LATER;
    await make(deps(policy));
  };
  const stillOwed = async (policy: Policy) => runningOtherClocks((await t.store.getIncident(id)) as Incident, policy, LATER).map((c) => [c.name, c.status]);

  it('Regulation 611/2013 art. 2(1): the telecom notification to the AP never made is reminded of, listed and put back in the due index', async () => {
    const policy = parsePolicy({ organisation: org, clocks: { telecom: true } });
    await recordFacts(deps(policy), { incidentId: id, by: 'FG', ...REGISTER_FACTS });
    await assess(deps(policy), { incidentId: id, personalData: 'yes', risk: 'none', reason: 'alleen verkeersgegevens', by: 'FG' });
    await decideSubjects(deps(policy), { incidentId: id, audience: 'subscribers', decision: 'not-required', reason: 'geen nadeel', by: 'FG' });
    await owed(policy, 'telecom-initial', async (d) => {
      await recordReport(d, { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', reason: 'alsnog gemeld', by: 'FG' });
      // The complete notification runs from it (art. 2(3)): three days.
      expect(await stillOwed(policy)).toEqual([['telecom-complete', 'running']]);
    });
  });

  it('NIS2 art. 23(1), (4)(b): the incident notification never made is reminded of, listed and put back; the early warning’s reason stands', async () => {
    const policy = parsePolicy({ organisation: org, clocks: { nis2: true } });
    await assess(deps(policy), { incidentId: id, personalData: 'no', risk: 'none', reason: 'storing', nis2Significant: true, by: 'CISO' });
    await owed(policy, 'nis2-notification', async (d) => {
      for (const to of ['csirt', 'authority'] as const)
        await recordReport(d, { incidentId: id, to, kind: 'notification', reference: `N-${to}`, reason: 'alsnog gemeld', by: 'CISO' });
      // The final report runs from that notification (art. 23(4)(d)): still to come, not yet overdue.
      expect(await stillOwed(policy)).toEqual([['nis2-final', 'running']]);
    });
  });

  it('NIS2 art. 23(4)(d): so is the final report of a notification made, closed overdue before law26', async () => {
    const policy = parsePolicy({ organisation: org, clocks: { nis2: true } });
    await assess(deps(policy), { incidentId: id, personalData: 'no', risk: 'none', reason: 'storing', nis2Significant: true, by: 'CISO' });
    at = '2026-11-28T08:00:00.000Z';
    for (const to of ['csirt', 'authority'] as const)
      await recordReport(deps(policy), { incidentId: id, to, kind: 'notification', reference: `N-${to}`, by: 'CISO', at: '2026-11-28T07:00:00.000Z' });
    at = '2027-01-05T10:00:00.000Z';
    const old = await storeClosedBeforeOwedReports(t.store, policy, at, id);
    expect(runningOtherClocks(old, policy, at).map((c) => [c.name, c.status])).toEqual([['nis2-final', 'overdue']]);
    expect((await reindexDue({ store: t.store, policy, now: () => '2027-01-06T10:00:00.000Z' })).map((r) => r.incidentId)).toEqual([id]);
  });
});
