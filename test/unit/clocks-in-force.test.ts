/**
 * law27 (left by law26): the NIS2 and telecom clocks were read from today's policy. An organisation
 * that turned `clocks.telecom` (or `clocks.nis2`) on after closing a breach with personal data and no
 * AP report saw that closed record owe the telecom notification (Regulation 611/2013 art. 2) or a
 * significance decision, reminded of after `sweep --reindex` (fc715c9e reads the duty from the
 * record's state). The obligations of an incident are those in force when it was recorded: kept on
 * the incident (`clocksInForce`). A record from before: the policy's now while open; closed, only a
 * clock its record shows was running (the subscribers' or significance decision closing asked).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf, closedWithDuty, runningOtherClocks } from '../../handlers/core/clocks.js';
import { reindexDue } from '../../handlers/core/due-index.js';
import { assess, closeIncident, decideSubjects, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import { openIncidents } from '../../handlers/use-cases/queries.js';
import { findingEvent } from '../support/events.js';
import { REGISTER_FACTS } from '../support/incidents.js';
import { storeBeforeClocksKept } from '../support/old-record.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const DETECTED = '2026-11-27T21:00:00.000Z';
const CLOSED = '2026-11-28T10:00:00.000Z';
const LATER = '2026-12-10T10:00:00.000Z';
const before = parsePolicy({ organisation: org });

describe('the clocks in force when an incident was recorded', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let at = DETECTED;
  const deps = (policy: Policy): FgDeps => ({ store: t.store, policy, now: () => at });
  beforeEach(() => {
    t = tempSqliteStore();
    at = DETECTED;
  });
  afterEach(async () => t.cleanup());

  /** A breach with personal data, unlikely to result in a risk: no AP report under the GDPR (Art. 33(1)); recorded and closed under `policy`. */
  const closedBreach = async (policy: Policy): Promise<string> => {
    const id = (await recordEvent({ ...deps(policy), canEnforce: false }, findingEvent({ id: 'in-force', createdAt: DETECTED }))).incidentId as string;
    at = CLOSED;
    await recordFacts(deps(policy), { incidentId: id, by: 'FG', ...REGISTER_FACTS });
    await assess(deps(policy), { incidentId: id, personalData: 'yes', risk: 'none', reason: 'versleuteld op schijf', by: 'FG' });
    await closeIncident(deps(policy), { incidentId: id, by: 'FG', reason: 'afgehandeld' });
    return id;
  };

  /** What the FG and the sweep get of it under `policy`: other clocks, status's list, the reindex and the sweep's reminders. */
  const owed = async (incident: Incident, policy: Policy) => {
    const later = { store: t.store, policy, now: () => LATER };
    return {
      clocks: clocksOf(incident, policy, LATER).filter((c) => c.name.startsWith('telecom') || c.name.startsWith('nis2')).length,
      running: runningOtherClocks(incident, policy, LATER).map((c) => c.name),
      duty: closedWithDuty(incident, policy),
      reindexed: (await reindexDue(later)).map((r) => r.incidentId),
      listed: (await openIncidents(later)).map((i) => i.id),
      reminded: (await sweep(later)).sent.map((s) => `${s.kind} ${s.clock ?? ''}`),
    };
  };
  const nothing = { clocks: 0, running: [], duty: false, reindexed: [], listed: [], reminded: [] };

  for (const clocks of [{ telecom: true }, { nis2: true }]) {
    const name = Object.keys(clocks)[0];
    it(`${name} switched on after closing: a record in the old layout owes no ${name} report`, async () => {
      const id = await closedBreach(before);
      const old = await storeBeforeClocksKept(t.store, id);
      expect(old.clocksInForce).toBeUndefined();
      expect(await owed(old, parsePolicy({ organisation: org, clocks }))).toEqual(nothing);
    });

    it(`${name} switched on after closing: a record kept today owes none either`, async () => {
      const id = await closedBreach(before);
      const incident = (await t.store.getIncident(id)) as Incident;
      expect(incident.clocksInForce).toEqual({ nis2: false, telecom: false });
      expect(await owed(incident, parsePolicy({ organisation: org, clocks }))).toEqual(nothing);
    });
  }

  it('a record in the old layout closed (before 2c7b28d2) with no decision but a telecom reminder sent: the clock ran, the notification is owed', async () => {
    const id = await closedBreach(before);
    const old = await storeBeforeClocksKept(t.store, id);
    const reminded = { ...old, reminders: { ...old.reminders, byClock: { 'clock:telecom-initial': '2026-11-28T20:00:00.000Z' } } };
    const telecom = parsePolicy({ organisation: org, clocks: { telecom: true } });
    expect(runningOtherClocks(reminded, telecom, LATER).map((c) => [c.name, c.status])).toEqual([['telecom-initial', 'overdue']]);
  });

  it('telecom switched off after closing: the notification owed then is owed still (Regulation 611/2013 art. 2(1))', async () => {
    const telecom = parsePolicy({ organisation: org, clocks: { telecom: true } });
    const id = (await recordEvent({ ...deps(telecom), canEnforce: false }, findingEvent({ id: 'in-force', createdAt: DETECTED }))).incidentId as string;
    const incident = (await t.store.getIncident(id)) as Incident;
    expect(clocksOf(incident, before, LATER).map((c) => [c.name, c.status])).toContainEqual(['telecom-initial', 'overdue']);
  });

  it('switched off while an incident recorded under them is open: its NIS2 and subscribers decisions, which closing asks, are still taken', async () => {
    const both = parsePolicy({ organisation: org, clocks: { nis2: true, telecom: true } });
    const id = (await recordEvent({ ...deps(both), canEnforce: false }, findingEvent({ id: 'in-force', createdAt: DETECTED }))).incidentId as string;
    at = CLOSED;
    await assess(deps(before), { incidentId: id, personalData: 'yes', risk: 'none', reason: 'versleuteld op schijf', nis2Significant: false, by: 'FG' });
    const decided = await decideSubjects(deps(before), { incidentId: id, audience: 'subscribers', decision: 'not-required', reason: 'geen nadeel', by: 'FG' });
    expect([decided.nis2?.significant, decided.subscribers?.decision]).toEqual([false, 'not-required']);
    // Never recorded under them and off now: refused as before.
    const other = (await recordEvent({ ...deps(before), canEnforce: false }, findingEvent({ id: 'in-force-2', instanceId: 'i-0other', createdAt: DETECTED })))
      .incidentId as string;
    await expect(assess(deps(before), { incidentId: other, nis2Significant: false, reason: 'x', by: 'FG' })).rejects.toThrow(/runs no NIS2 clocks/);
  });

  it('NIS2 switched on while an incident recorded without it is open: closing asks no significance decision', async () => {
    const id = (await recordEvent({ ...deps(before), canEnforce: false }, findingEvent({ id: 'in-force', createdAt: DETECTED }))).incidentId as string;
    const nis2 = parsePolicy({ organisation: org, clocks: { nis2: true } });
    at = CLOSED;
    await recordFacts(deps(nis2), { incidentId: id, by: 'FG', ...REGISTER_FACTS });
    await assess(deps(nis2), { incidentId: id, personalData: 'yes', risk: 'none', reason: 'versleuteld op schijf', by: 'FG' });
    const closed = await closeIncident(deps(nis2), { incidentId: id, by: 'FG', reason: 'afgehandeld' });
    expect(closed.state).toBe('closed');
  });
});
