/**
 * Review 7, G9: closing checked the GDPR AP report (notifiable) and the processor's report to its
 * controller, but not the notifications other clocks require: a public e-communications provider
 * closed a breach with personal data before its Telecommunicatiewet notification to the AP
 * (required for every personal data breach, whatever the risk: Regulation 611/2013 art. 2(1)), and a
 * NIS2 entity closed a significant incident before its early warning and notification, as long as
 * those clocks were not overdue yet; after closing, `status` and `sweep` showed and sent nothing.
 * Now closing waits for those reports, or the FG records why it is closed before them: the reason
 * is kept and shown in the register, and the clocks keep running after closing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedWithDuty, dutiesAfterClosing, runningOtherClocks } from '../../handlers/core/clocks.js';
import { assess, closeIncident, decideSubjects, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerCsv, registerRow } from '../../handlers/core/register.js';
import { openIncidents } from '../../handlers/use-cases/queries.js';
import { incidentFixture, REGISTER_FACTS } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Telco Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const NOW = '2026-11-27T23:00:00.000Z';

describe('G9: closing before the other clocks’ notifications are made', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const id = 'dl-g9';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  // detected 2026-11-27T21:00Z; all decisions within the first hours, no clock overdue yet
  const deps = (clocks: Record<string, boolean>): FgDeps => ({
    store: t.store,
    policy: parsePolicy({ organisation: org, clocks }),
    now: () => NOW,
  });
  const telecomReady = async (d: FgDeps) => {
    await assess(d, { incidentId: id, personalData: 'yes', risk: 'none', reason: 'alleen namen, geen risico', by: 'FG' });
    await recordFacts(d, { incidentId: id, by: 'FG', ...REGISTER_FACTS });
    await decideSubjects(d, { incidentId: id, audience: 'subscribers', decision: 'not-required', reason: 'geen nadelige gevolgen', by: 'FG' });
  };

  beforeEach(async () => {
    t = tempSqliteStore();
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  it('refuses to close a telecom provider’s breach with personal data before the AP has its Telecommunicatiewet notification', async () => {
    const d = deps({ telecom: true });
    await telecomReady(d);
    const before = (await stored()).revision;
    await expect(closeIncident(d, { incidentId: id, reason: 'afgehandeld', by: 'FG' })).rejects.toThrow(
      /Telecommunications Act: initial AP notification.*611\/2013.*--reports-pending-reason/,
    );
    expect((await stored()).revision).toBe(before);
  });

  it('refuses to close a significant NIS2 incident before its early warning and notification', async () => {
    const d = deps({ nis2: true });
    await assess(d, { incidentId: id, personalData: 'no', risk: 'none', reason: 'geen persoonsgegevens', nis2Significant: true, by: 'CISO' });
    await expect(closeIncident(d, { incidentId: id, reason: 'afgehandeld', by: 'CISO' })).rejects.toThrow(
      /NIS2 early warning.*NIS2 incident notification.*23\(4\)/,
    );
    // Once both recipients have the notification, nothing of NIS2 holds closing back.
    for (const to of ['csirt', 'authority'] as const) await recordReport(d, { incidentId: id, to, kind: 'notification', reference: `N-${to}`, by: 'CISO' });
    expect((await closeIncident(d, { incidentId: id, reason: 'afgehandeld', by: 'CISO' })).state).toBe('closed');
  });

  // Review 7 Y6: the final report (art. 23(4)(d)) comes a month after the notification, mostly after
  // closing; closing silenced its clock: no reminder, not listed by status, nothing on the close.
  it('keeps a significant incident’s NIS2 final report running after closing, without asking a reason, until it is made', async () => {
    const d = deps({ nis2: true });
    await assess(d, { incidentId: id, personalData: 'no', risk: 'none', reason: 'geen persoonsgegevens', nis2Significant: true, by: 'CISO' });
    for (const to of ['csirt', 'authority'] as const) await recordReport(d, { incidentId: id, to, kind: 'notification', reference: `N-${to}`, by: 'CISO' });
    const closed = await closeIncident(d, { incidentId: id, reason: 'afgehandeld', by: 'CISO' });
    expect(closed.reportsPendingReason ?? null).toBeNull();
    expect(runningOtherClocks(closed, d.policy, NOW).map((c) => c.name)).toEqual(['nis2-final']);
    expect(closedWithDuty(closed, d.policy)).toBe(true);
    expect((await t.store.getTimeline(id)).at(-1)?.detail.reportsKeptRunning).toEqual(['nis2-final']);
    expect((await openIncidents(d)).map((i) => i.id)).toEqual([id]);
    // Made to both: nothing is left.
    let after = closed;
    for (const to of ['csirt', 'authority'] as const)
      after = (await recordReport(d, { incidentId: id, to, kind: 'final', reference: `F-${to}`, reason: 'eindverslag na sluiten', by: 'CISO' })).incident;
    expect(runningOtherClocks(after, d.policy, NOW)).toEqual([]);
    expect(closedWithDuty(after, d.policy)).toBe(false);
    expect((await openIncidents(d)).map((i) => i.id)).toEqual([]);
  });

  it('closes before the report with a recorded reason: kept in the register, and status and the sweep still see the clock', async () => {
    const d = deps({ telecom: true });
    await telecomReady(d);
    const closed = await closeIncident(d, { incidentId: id, reason: 'afgehandeld', reportsPendingReason: 'melding gaat morgen via de AP-portal', by: 'FG' });
    expect(closed).toMatchObject({ state: 'closed', reportsPendingReason: 'melding gaat morgen via de AP-portal' });
    expect(closedWithDuty(closed, d.policy)).toBe(true);
    expect(runningOtherClocks(closed, d.policy, NOW).map((c) => c.name)).toEqual(['telecom-initial']);
    const row = registerRow(closed, d.policy, NOW);
    expect(row.reportsPendingReason).toBe('melding gaat morgen via de AP-portal');
    expect(registerCsv([row])).toContain('melding gaat morgen via de AP-portal');
    // What status lists: the due index holds the closed incident, and it is named beside the open ones.
    expect((await openIncidents(d)).map((i) => i.id)).toEqual([id]);
    // The initial notification made after closing: what is owed next is the complete one (art. 2(3)).
    const after = await recordReport(d, { incidentId: id, to: 'ap', kind: 'initial', reference: 'M-1', reason: 'na sluiten gemeld', by: 'FG' });
    expect(dutiesAfterClosing(after.incident, d.policy, NOW).map((c) => c.name)).toEqual(['telecom-complete']);
  });

  it('refuses a reason for closing before a report when no such report is outstanding', async () => {
    const d = deps({});
    await assess(d, { incidentId: id, personalData: 'no', risk: 'none', reason: 'geen persoonsgegevens', by: 'FG' });
    await expect(closeIncident(d, { incidentId: id, reason: 'klaar', reportsPendingReason: 'later', by: 'FG' })).rejects.toThrow(
      /--reports-pending-reason given, but no telecom or NIS2 report is still running/,
    );
  });
});
