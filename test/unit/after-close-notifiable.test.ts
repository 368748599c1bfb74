/**
 * review5 A8: an assessment changed after closing can make the breach notifiable (the server held
 * customer data after all). From then on the controller is aware, and Art. 33(1) asks the AP
 * notification within 72 hours of awareness, with the reasons for any delay; closing the incident in
 * datalek does not end that duty, nor the Art. 34 decision a high risk asks. The record said the AP
 * clock was running, but nothing reminded of it and the initial report was refused on the closed
 * incident. The incident stays closed (the register keeps it as it was closed, with what followed):
 * the AP deadline and the Art. 34 decision keep reminding, and the initial report is recorded after
 * closing with its reason.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { apClockRunning, assessedAfterClosing, clocksOf, closedWithDuty, dutiesAfterClosing } from '../../handlers/core/clocks.js';
import { assess, closeIncident, decideSubjects, type FgDeps, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { registerRow } from '../../handlers/core/register.js';
import { dueItems, nextDueAt } from '../../handlers/core/schedule.js';
import { sweep } from '../../handlers/core/sweep.js';
import { accessKeyResource, credentialSequenceEvent, findingEvent, instanceResource } from '../support/events.js';
import { REGISTER_FACTS } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = DEFAULT_POLICY;
// Detected (and, by default, aware) 01:00 UTC: the AP deadline is 72 hours later.
const DETECTED = '2026-11-28T01:00:00.000Z';
const DEADLINE = '2026-12-01T01:00:00.000Z';
const AFTER_DEADLINE = '2026-12-01T02:00:00.000Z';

describe('an assessment after closing that makes the breach notifiable (review5 A8)', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let now: string;
  let deps: FgDeps;
  let id: string;
  const stored = async () => (await store.getIncident(id)) as Incident;
  const kinds = async (at: string) => dueItems(await stored(), policy, at).map((d) => d.kind);

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    deps = { store, policy, now: () => now };
    now = '2026-11-28T03:00:00.000Z';
    id = (await recordEvent({ ...deps, canEnforce: false }, findingEvent({ id: 'f-1', createdAt: DETECTED }))).incidentId as string;
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver, geen klantdata', by: 'FG' });
    await closeIncident(deps, { incidentId: id, by: 'FG', reason: 'geen datalek' });
  });
  afterEach(async () => cleanup());

  /** The next morning it turns out the server held customer data after all. */
  const reassess = async (risk: 'risk' | 'high' | 'none' = 'high', personalData: 'yes' | 'no' = 'yes') => {
    now = '2026-11-29T08:00:00.000Z';
    await assess(deps, { incidentId: id, personalData, risk, reason: 'toch klantdata op de server', by: 'FG', confirmAfterClose: true });
  };

  it('keeps the AP deadline and the Art. 34 decision: reminders and overdue are due, and the sweep sends them', async () => {
    await reassess();
    const incident = await stored();
    expect(incident).toMatchObject({ state: 'closed', deadline: DEADLINE, assessment: { notifiable: true } });
    expect(apClockRunning(incident, policy)).toBe(true);
    expect(nextDueAt(incident, policy)).not.toBeNull();
    expect(await kinds(AFTER_DEADLINE)).toEqual(expect.arrayContaining(['ap-overdue', 'subjects-reminder']));

    now = AFTER_DEADLINE;
    const swept = await sweep({ store, policy, now: () => now });
    expect(swept.sent.map((s) => s.kind)).toEqual(expect.arrayContaining(['ap-overdue', 'subjects-reminder']));
    const overdue = (await store.listMessages(id)).find((m) => m.kind === 'ap-overdue');
    // It says the deadline passed, not "incident closed" (the AP line of a closed incident).
    expect(overdue?.body).toContain(`${id}`);
    expect(overdue?.body).not.toMatch(/incident (gesloten|closed)/);
  });

  it('records the initial AP report after closing, with its reason and the reasons for the delay; the incident stays closed', async () => {
    await reassess();
    now = AFTER_DEADLINE;
    const report = { incidentId: id, to: 'ap' as const, kind: 'initial', reference: 'AP-2026-1', by: 'FG' };
    // After closing, every entry gives its reason; a late notification the reasons for the delay (Art. 33(1)).
    await expect(recordReport(deps, report)).rejects.toThrow(/is closed: .*--reason/);
    await expect(recordReport(deps, { ...report, reason: 'gemeld na heroverweging' })).rejects.toThrow(/after the AP deadline.*--delay-reason/);
    const { incident } = await recordReport(deps, { ...report, reason: 'gemeld na heroverweging', delayReason: 'pas na sluiten bleek klantdata' });
    expect(incident.state).toBe('closed');
    expect(incident.reports?.at(-1)).toMatchObject({ kind: 'initial', reference: 'AP-2026-1', afterClose: true, reason: 'gemeld na heroverweging' });
    expect(apClockRunning(incident, policy)).toBe(false);
    expect(await kinds('2026-12-05T00:00:00.000Z')).not.toContain('ap-overdue');

    // The register: closed as it was, with what followed after closing and the notification late, with its reasons.
    const row = registerRow(incident, policy, now);
    expect(row).toMatchObject({
      state: 'closed',
      closeReason: 'geen datalek',
      notifiable: true,
      apReportedAt: AFTER_DEADLINE,
      delayReason: 'pas na sluiten bleek klantdata',
    });
    expect(row.afterClose).toMatch(/^assessment personal data yes, risk high at .*; ap:initial:AP-2026-1 at .*: gemeld na heroverweging$/);
  });

  it('records the Art. 34 decision after closing, which ends its reminders', async () => {
    await reassess();
    expect(await kinds(AFTER_DEADLINE)).toContain('subjects-reminder');
    now = '2026-11-29T10:00:00.000Z';
    const inform = {
      incidentId: id,
      decision: 'inform' as const,
      text: 'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
      date: now,
      channel: 'brief',
      reason: 'hoog risico',
      by: 'FG',
      confirmAfterClose: true,
    };
    await decideSubjects(deps, inform);
    expect(await kinds(AFTER_DEADLINE)).not.toContain('subjects-reminder');
  });

  it('takes the awareness with the assessment that makes it notifiable, and the AP deadline follows it (review6 R7)', async () => {
    // Found on the 29th at 07:30: the organisation became aware then (Art. 33(1), EDPB 9/2022), not at detection.
    now = '2026-11-29T08:00:00.000Z';
    const notifiable = {
      incidentId: id,
      personalData: 'yes' as const,
      risk: 'risk' as const,
      reason: 'toch klantdata op de server',
      by: 'FG',
      confirmAfterClose: true,
    };
    const aware = { awareAt: '2026-11-29T07:30:00.000Z', awareReason: 'pas bij forensisch onderzoek bleek klantdata op de server' };
    // Its own reason, as before closing.
    await expect(assess(deps, { ...notifiable, awareAt: aware.awareAt })).rejects.toThrow(/--aware-reason/);
    // Not with an assessment that leaves the breach not notifiable: no clock to start.
    await expect(assess(deps, { ...notifiable, personalData: 'no', risk: 'none', ...aware })).rejects.toThrow(/is closed; the register keeps it/);
    const incident = await assess(deps, { ...notifiable, ...aware });
    expect(incident).toMatchObject({ state: 'closed', awareAt: aware.awareAt, awareReason: aware.awareReason, deadline: '2026-12-02T07:30:00.000Z' });
    expect(apClockRunning(incident, policy)).toBe(true);
    // Not overdue on arrival: the first reminder lies ahead, none is due now.
    expect(await kinds(now)).toEqual([]);
    expect(await kinds('2026-12-02T08:00:00.000Z')).toContain('ap-overdue');
    expect(registerRow(incident, policy, now).afterClose).toMatch(/awareness 2026-11-29T07:30:00.000Z at .*: pas bij forensisch onderzoek/);
    // Not later than the personal data was recorded as affected (moveAwareness's rule holds after closing too).
    now = '2026-11-29T09:00:00.000Z';
    await expect(assess(deps, { ...notifiable, awareAt: '2026-11-29T08:30:00.000Z', awareReason: 'later' })).rejects.toThrow(/aware by then at the latest/);
  });

  it('a closed incident whose assessment in force says not notifiable takes no initial report, and nothing is due', async () => {
    const report = { incidentId: id, reference: 'AP-2026-1', reason: 'toch melden', by: 'FG' };
    await expect(recordReport(deps, report)).rejects.toThrow(/is closed; the register keeps it as it was closed/);
    expect(nextDueAt(await stored(), policy)).toBeNull();
    // Assessed again after closing, still not notifiable: the same.
    await reassess('none', 'no');
    await expect(recordReport(deps, report)).rejects.toThrow(/is closed; the register keeps it as it was closed/);
    expect(nextDueAt(await stored(), policy)).toBeNull();
  });
});

describe('after closing, a merged incident (review6 R12)', () => {
  it('refuses an assessment, a report or a decision on the merged record, naming the survivor: one breach, one AP clock', async () => {
    const { store, cleanup } = tempSqliteStore();
    try {
      const deps = { store, policy, now: () => '2026-11-28T03:00:00.000Z', canEnforce: false };
      const x = (await recordEvent(deps, findingEvent({ id: 'f-i', createdAt: '2026-11-27T21:00:00.000Z', resource: instanceResource() })))
        .incidentId as string;
      const key = findingEvent({
        id: 'f-k',
        type: 'CredentialAccess:IAMUser/AnomalousBehavior',
        createdAt: '2026-11-27T19:30:00.000Z',
        resource: accessKeyResource(),
      });
      const y = (await recordEvent(deps, key)).incidentId as string;
      await recordEvent({ ...deps, now: () => '2026-11-28T09:10:00.000Z' }, credentialSequenceEvent({ createdAt: '2026-11-28T09:00:00.000Z' }));
      const merged = (await store.getIncident(x)) as Incident;
      expect(merged).toMatchObject({ state: 'closed', mergedInto: y });

      const later: FgDeps = { store, policy, now: () => '2026-11-28T10:00:00.000Z' };
      const survivor = new RegExp(`merged into ${y} .*record this on ${y}`);
      const assessed = { incidentId: x, personalData: 'yes' as const, risk: 'risk' as const, reason: 'klantdata', by: 'FG', confirmAfterClose: true };
      await expect(assess(later, assessed)).rejects.toThrow(survivor);
      await expect(recordReport(later, { incidentId: x, to: 'ap', kind: 'follow-up', reference: 'M-1', reason: 'aanvulling', by: 'FG' })).rejects.toThrow(
        survivor,
      );
      const inform = {
        incidentId: x,
        decision: 'inform' as const,
        text: 'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
        date: '2026-11-28T10:00:00.000Z',
        channel: 'brief',
        reason: 'hoog',
        by: 'FG',
        confirmAfterClose: true,
      };
      await expect(decideSubjects(later, inform)).rejects.toThrow(survivor);
      const after = (await store.getIncident(x)) as Incident;
      expect(after.revision).toBe(merged.revision);
      expect(apClockRunning(after, policy)).toBe(false);
      // The survivor takes it.
      expect((await assess(later, { ...assessed, incidentId: y, confirmAfterClose: undefined })).assessment?.notifiable).toBe(true);
    } finally {
      await cleanup();
    }
  });
});

describe('after closing, an assessment from a clock a little behind the closing one (review6 R11)', () => {
  it('runs the AP clock it asks for: after closing is the order of recording, not of the stated times', async () => {
    const { store, cleanup } = tempSqliteStore();
    try {
      let now = '2026-11-28T03:00:00.000Z';
      const deps: FgDeps = { store, policy, now: () => now };
      const id = (await recordEvent({ ...deps, canEnforce: false }, findingEvent({ id: 'r11', createdAt: DETECTED }))).incidentId as string;
      await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver', by: 'FG' });
      // Closed at 10:00 by the server's clock; assessed after it from a laptop two minutes behind.
      now = '2026-11-28T10:00:00.000Z';
      await closeIncident(deps, { incidentId: id, by: 'FG', reason: 'geen datalek' });
      now = '2026-11-28T09:58:00.000Z';
      const incident = await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch klantdata', by: 'FG', confirmAfterClose: true });
      expect(incident.assessment).toMatchObject({ notifiable: true, at: now });
      expect((incident.assessment?.at as string) < (incident.closedAt as string)).toBe(true);
      expect(apClockRunning(incident, policy)).toBe(true);
      expect(nextDueAt(incident, policy)).not.toBeNull();
      const report = { incidentId: id, to: 'ap' as const, kind: 'initial', reference: 'AP-2026-2', reason: 'gemeld na heroverweging', by: 'FG' };
      expect((await recordReport(deps, report)).incident.reports?.at(-1)).toMatchObject({ kind: 'initial', afterClose: true });
    } finally {
      await cleanup();
    }
  });
});

describe('after closing, the other clocks of a breach assessed notifiable (review6 R3)', () => {
  const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let now: string;
  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
  });
  afterEach(async () => cleanup());

  const closedThenNotifiable = async (p: Policy) => {
    const deps: FgDeps = { store, policy: p, now: () => now };
    now = '2026-11-28T03:00:00.000Z';
    const id = (await recordEvent({ ...deps, canEnforce: false }, findingEvent({ id: 'r3', createdAt: DETECTED }))).incidentId as string;
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver, geen klantdata', by: 'FG' });
    await closeIncident(deps, { incidentId: id, by: 'FG', reason: 'geen datalek' });
    now = '2026-11-28T08:00:00.000Z';
    await assess(deps, {
      incidentId: id,
      personalData: 'yes',
      risk: 'risk',
      reason: 'toch klantdata van een opdrachtgever',
      by: 'FG',
      confirmAfterClose: true,
    });
    return { id, deps };
  };

  it("reopens a processor's report to its controller: reminded, overdue, and recorded after closing with its reason", async () => {
    const processor = parsePolicy({ organisation: { ...org, processor: true }, clocks: { processorToControllerHours: 24 } });
    const { id, deps } = await closedThenNotifiable(processor);
    const incident = (await store.getIncident(id)) as Incident;
    expect(clocksOf(incident, processor, '2026-11-29T02:00:00.000Z').find((c) => c.name === 'processor')?.status).toBe('overdue');
    expect(closedWithDuty(incident, processor)).toBe(true);
    now = '2026-11-29T02:00:00.000Z';
    const swept = await sweep({ store, policy: processor, now: () => now });
    expect(swept.sent.filter((s) => s.kind === 'clock-overdue').length).toBeGreaterThan(0);

    const report = { incidentId: id, to: 'controller' as const, kind: 'initial', reference: 'C-1', by: 'FG', delayReason: 'pas na sluiten bleek klantdata' };
    await expect(recordReport(deps, report)).rejects.toThrow(/is closed: .*--reason/);
    const { incident: told } = await recordReport(deps, { ...report, reason: 'na heroverweging' });
    expect(told.reports?.at(-1)).toMatchObject({ to: 'controller', kind: 'initial', afterClose: true });
    expect(closedWithDuty(told, processor)).toBe(false);
    expect(nextDueAt(told, processor)).toBeNull();
    // Its follow-up to the controller stays closed, as before.
    await expect(recordReport(deps, { ...report, kind: 'follow-up', reference: 'C-2', reason: 'aanvulling' })).rejects.toThrow(
      /is closed; the register keeps it/,
    );
  });

  it("reopens a telecom provider's 24-hour report to the AP: reminded and overdue", async () => {
    const telecom = parsePolicy({ organisation: org, clocks: { telecom: true } });
    const { id } = await closedThenNotifiable(telecom);
    const incident = (await store.getIncident(id)) as Incident;
    expect(clocksOf(incident, telecom, '2026-11-29T02:00:00.000Z').find((c) => c.name === 'telecom-initial')?.status).toBe('overdue');
    now = '2026-11-29T02:00:00.000Z';
    const swept = await sweep({ store, policy: telecom, now: () => now });
    expect(swept.sent.filter((s) => (s as { clock?: string }).clock === 'telecom-initial').length).toBeGreaterThan(0);
  });
});

describe('an assessment and a close at the same stated time (review6 L4)', () => {
  it('is before closing when recorded before it: no clock reopens on the closed incident', async () => {
    const { store, cleanup } = tempSqliteStore();
    try {
      const telecom = parsePolicy({
        organisation: { name: 'Telco Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } },
        clocks: { telecom: true },
      });
      // One stated --now for the whole history (a replay, or entries typed in afterwards).
      const now = '2026-11-28T03:00:00.000Z';
      const deps: FgDeps = { store, policy: telecom, now: () => now };
      const id = (await recordEvent({ ...deps, canEnforce: false }, findingEvent({ id: 'l4', createdAt: DETECTED }))).incidentId as string;
      await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantdata', by: 'FG' });
      await recordFacts(deps, { incidentId: id, by: 'FG', ...REGISTER_FACTS });
      // The initial report; the complete one (Regulation 611/2013 art. 2(3)) is still to come.
      await recordReport(deps, { incidentId: id, to: 'ap', kind: 'initial', reference: 'AP-L4', by: 'FG' });
      await decideSubjects(deps, { incidentId: id, audience: 'subscribers', decision: 'not-required', reason: 'geen nadeel', by: 'FG' });
      // Closed before the complete notification, with its reason (review7 G9): that clock keeps running.
      const closed = await closeIncident(deps, {
        incidentId: id,
        by: 'FG',
        reason: 'afgehandeld',
        reportsPendingReason: 'volledige melding volgt',
        followUpReason: 'volledige melding volgt',
      });
      expect(closed.assessment?.at).toBe(closed.closedAt);

      // The assessment was recorded before the close: closing settled what it asked; only the
      // report closing named as still to come stays due, not the AP's or the initial notification.
      expect(assessedAfterClosing(closed)).toBe(false);
      expect(dutiesAfterClosing(closed, telecom, now).map((c) => c.name)).toEqual(['telecom-complete']);
      expect(dueItems(closed, telecom, '2026-12-05T00:00:00.000Z').map((d) => (d as { clock?: string }).clock)).toEqual(['telecom-complete']);
    } finally {
      await cleanup();
    }
  });
});
