/**
 * Review 12 (fgsec14) S3: G17 keeps `apDeadlineHours` below 72 allowed as "a shorter internal
 * target", but the hours were the AP clock itself. With a target of 48 hours, a first notification
 * 60 hours after awareness (within Art. 33(1)'s 72) was refused without "the reasons for the delay",
 * and once a reason was typed the clock, the register and the draft said "late": the register the AP
 * may ask for (Art. 33(5)) stated a breach of Art. 33(1) that did not happen, with reasons for a delay
 * that was none (Art. 5(2)). Now the verdict, the delay reasons and the register's deadline follow the
 * law's 72 hours; the target stays a target: its reminders, and "internal target missed" beside the
 * verdict (the register's `apInternalTarget*` columns).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerRow } from '../../handlers/core/register.js';
import { dueItems } from '../../handlers/core/schedule.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
// The organisation's own target: notify within 48 hours (G17 allows it).
const policy = parsePolicy({ organisation: org, apDeadlineHours: 48 });
const id = 'dl-target';
// Aware 2026-11-27 21:00Z, counted with the policy's 48 hours (as record-finding does): the target
// falls 2026-11-29 21:00Z, the law's deadline 2026-11-30 21:00Z.
const TARGET = '2026-11-29T21:00:00.000Z';
const LEGAL = '2026-11-30T21:00:00.000Z';
const AT_60_HOURS = '2026-11-30T09:00:00.000Z';

describe('review12 S3: an internal target shorter than 72 hours is not the law', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now = AT_60_HOURS;
  let deps: FgDeps;
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  beforeEach(async () => {
    t = tempSqliteStore();
    now = AT_60_HOURS;
    deps = { store: t.store, policy, now: () => now };
    const incident = incidentFixture({ id, deadline: TARGET, deadlineHours: 48 });
    await t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
  });
  afterEach(async () => t.cleanup());

  it('takes a first report 60 hours after awareness without reasons for a delay, and calls it met', async () => {
    await recordReport(deps, { incidentId: id, reference: 'M-1', by: 'FG' });
    const row = registerRow(await stored(), policy, now);
    expect(row.apInitialStatus).toBe('met');
    expect(row.delayReason).toBeNull();
    // The register's deadline is the law's; the target beside it, missed.
    expect([row.apDeadline, row.apDeadlineHours]).toEqual([LEGAL, 72]);
    expect([row.apInternalTarget, row.apInternalTargetHours, row.apInternalTargetMissed]).toEqual([TARGET, 48, true]);
    expect(row.apClock).toContain('internal target 48 hours: missed');
  });

  it('refuses reasons for a delay that is none, naming the target as the organisation’s own', async () => {
    await expect(recordReport(deps, { incidentId: id, reference: 'M-1', by: 'FG', delayReason: 'later dan ons doel' } as never)).rejects.toThrow(
      /within the AP deadline \(2026-11-30 22:00 CET \(2026-11-30T21:00:00.000Z\)\): there is no delay to explain .*internal target of 48 hours/,
    );
  });

  it('still asks the reasons for a report after the 72 hours, and reads it late', async () => {
    now = '2026-12-01T09:00:00.000Z';
    await expect(recordReport(deps, { incidentId: id, reference: 'M-1', by: 'FG' })).rejects.toThrow(
      /after the AP deadline \(2026-11-30 22:00 CET \(2026-11-30T21:00:00.000Z\)\)/,
    );
    await recordReport(deps, { incidentId: id, reference: 'M-1', by: 'FG', delayReason: 'forensisch onderzoek' } as never);
    expect(registerRow(await stored(), policy, now).apInitialStatus).toBe('late');
  });

  it('runs the clock to the 72 hours, reminding at the target but overdue only after the law’s deadline', async () => {
    const incident = await stored();
    const ap = clocksOf(incident, policy, AT_60_HOURS).find((c) => c.name === 'ap');
    expect(ap?.label.en).toBe('AP notification (72 hours, GDPR Art. 33)');
    expect([ap?.dueAt, ap?.status, ap?.internalTarget]).toEqual([LEGAL, 'running', { at: TARGET, hours: 48, missed: true }]);
    const ap2 = (at: string) => dueItems(incident, policy, at).find((d) => d.track === 'ap');
    expect(ap2(TARGET)).toMatchObject({ kind: 'ap-reminder', dueAt: TARGET });
    expect(ap2(AT_60_HOURS)?.kind).toBe('ap-reminder');
    expect(ap2(LEGAL)).toMatchObject({ kind: 'ap-overdue', dueAt: LEGAL });
  });
});
