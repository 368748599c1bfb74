/**
 * NIS2 art. 23(4): a significant incident is reported to the CSIRT (and, under the Cbw, the
 * competent authority): an early warning within 24 hours, an incident notification within 72.
 * Closing an incident in datalek before those deadlines stops their clocks without a word on the
 * record. An assessment after closing that makes the breach notifiable reopens the AP clock (review5
 * A8) and the controller's and telecom clocks (review6 R3); it reopens a significant incident's NIS2
 * early warning and notification too: reminded, overdue, and recorded after closing with a reason.
 * An early warning overdue at closing was closed with its reason recorded (`--overdue-reason`): that
 * stands; the incident notification overdue at closing stays owed (law25).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { closedWithDuty } from '../../handlers/core/clocks.js';
import { assess, closeIncident, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { dueItems } from '../../handlers/core/schedule.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({
  organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } },
  clocks: { nis2: true },
});
const DETECTED = '2026-11-28T01:00:00.000Z';
const LATER = '2026-12-05T00:00:00.000Z';

describe('the NIS2 reports of a significant incident after closing', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let now: string;
  let deps: FgDeps;
  let id: string;
  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    now = '2026-11-28T03:00:00.000Z';
    deps = { store, policy, now: () => now };
    id = (await recordEvent({ ...deps, canEnforce: false }, findingEvent({ id: 'n-1', createdAt: DETECTED }))).incidentId as string;
    // Significant (the service was down for hours), no personal data.
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'storing, geen persoonsgegevens', by: 'FG', nis2Significant: true });
  });
  afterEach(async () => cleanup());

  const nis2Due = async (at: string) =>
    dueItems((await store.getIncident(id)) as Incident, policy, at).flatMap((d) => {
      const clock = (d as { clock?: string }).clock;
      return clock?.startsWith('nis2-') ? [clock] : [];
    });
  const notifiableAfterClosing = async () => {
    now = '2026-11-28T20:00:00.000Z';
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch klantgegevens', by: 'FG', confirmAfterClose: true });
  };
  const earlyWarning = (reason?: string) =>
    recordReport(deps, { incidentId: id, to: 'csirt', kind: 'early-warning', reference: 'CSIRT-1', by: 'FG', ...(reason ? { reason } : {}) });

  it('reopens the early warning and the notification that closing cut short before their deadlines', async () => {
    // Closed two hours after detection, the reports not yet made: closing needs its reason for that,
    // and their clocks keep running (review7 G9).
    await expect(closeIncident(deps, { incidentId: id, by: 'FG', reason: 'hersteld' })).rejects.toThrow(/--reports-pending-reason/);
    await closeIncident(deps, { incidentId: id, by: 'FG', reason: 'hersteld', reportsPendingReason: 'CSIRT belt terug' });
    expect(await nis2Due(LATER)).toEqual(expect.arrayContaining(['nis2-early-warning', 'nis2-notification']));

    await notifiableAfterClosing();
    expect(closedWithDuty((await store.getIncident(id)) as Incident, policy)).toBe(true);
    expect(await nis2Due(LATER)).toEqual(expect.arrayContaining(['nis2-early-warning', 'nis2-notification']));

    // Recorded after closing, with its reason.
    await expect(earlyWarning()).rejects.toThrow(/is closed: .*--reason/);
    const { report } = await earlyWarning('na heroverweging gemeld');
    expect(report).toMatchObject({ to: 'csirt', kind: 'early-warning', afterClose: true });
  });

  // law25: the incident notification (art. 23(1), (4)(b)) is owed for every significant incident; its
  // 72 hours passing does not end it, as a telecom provider's notification to the AP (61960886). Closing
  // with it overdue took --overdue-reason alone, and nothing reminded of it after: the CSIRT was never
  // notified, and the final report that runs from the notification (art. 23(4)(d)) never came due.
  // The early warning's purpose, early, is past then: its reason stands, the notification updates it.
  it('keeps the incident notification owed after closing when overdue at closing; the early warning’s reason stands', async () => {
    now = '2026-12-02T00:00:00.000Z';
    await expect(closeIncident(deps, { incidentId: id, by: 'FG', reason: 'hersteld', overdueReason: 'CSIRT op dag 1 telefonisch ingelicht' })).rejects.toThrow(
      /NIS2.*notification.*still to be made.*--reports-pending-reason/,
    );
    await closeIncident(deps, {
      incidentId: id,
      by: 'FG',
      reason: 'hersteld',
      overdueReason: 'CSIRT op dag 1 telefonisch ingelicht',
      reportsPendingReason: 'melding volgt na afstemming met de CSIRT',
    });
    expect(await nis2Due(LATER)).toEqual(['nis2-notification']);
    const { report } = await recordReport(deps, { incidentId: id, to: 'csirt', kind: 'notification', reference: 'CSIRT-2', by: 'FG', reason: 'alsnog gemeld' });
    expect(report).toMatchObject({ to: 'csirt', kind: 'notification', afterClose: true });
    // Made to both recipients, nothing of it is due any more.
    await recordReport(deps, { incidentId: id, to: 'authority', kind: 'notification', reference: 'AUT-2', by: 'FG', reason: 'alsnog gemeld' });
    expect(await nis2Due(LATER)).not.toContain('nis2-notification');
  });
});
