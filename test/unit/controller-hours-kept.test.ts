/**
 * Review 5 F6: a processor's time to tell its controller (Art. 33(2), the contract's hours: policy
 * clocks.processorToControllerHours) was read from the policy in force when the record was read,
 * not kept with the incident as the AP deadline is (`deadlineHours`). A later policy (a new
 * contract, an edited policy file) re-judged every incident in the register, closed ones too: a
 * report to the controller 30 hours after awareness, late under the 24 hours in force, read "met"
 * under 48. The hours are kept with the incident when its processor clock begins: when it is
 * recorded for a processor organisation, or when the FG records acting as processor.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const contract = (processor: boolean, hours: number) => parsePolicy({ organisation: { ...org, processor }, clocks: { processorToControllerHours: hours } });

describe("the processor's hours to tell its controller, kept with the incident", () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  beforeEach(() => {
    t = tempSqliteStore();
    now = '2026-11-27T22:00:00.000Z'; // detected and aware 2026-11-27T21:00Z
  });
  afterEach(async () => t.cleanup());

  /** Records the finding under `then`, lets `act` decide, and reports to the controller 30 hours after awareness. */
  const lateReport = async (then: Policy, act: (deps: FgDeps, id: string) => Promise<unknown>) => {
    const id = (await recordEvent({ store: t.store, policy: then, now: () => now, canEnforce: false }, findingEvent({ id: 'f6' }))).incidentId as string;
    const deps: FgDeps = { store: t.store, policy: then, now: () => now };
    await act(deps, id);
    now = '2026-11-29T04:00:00.000Z';
    const at = '2026-11-29T03:00:00Z';
    await recordReport(deps, { incidentId: id, to: 'controller', kind: 'initial', reference: 'C-1', at, delayReason: 'contactpersoon onbereikbaar', by: 'FG' });
    const incident = (await t.store.getIncident(id)) as Incident;
    return (p: Policy) => clocksOf(incident, p, now).find((c) => c.name === 'processor')?.status;
  };

  it('keeps the verdict of the contract hours in force when the incident was recorded for a processor organisation', async () => {
    const then = contract(true, 24);
    const status = await lateReport(then, (deps, id) => assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' }));
    expect(status(then)).toBe('late');
    // A year later the policy carries a new contract's 48 hours.
    expect(status(contract(true, 48))).toBe('late');
  });

  it('keeps the hours in force when the FG recorded acting as processor for this incident', async () => {
    const then = contract(false, 24);
    const status = await lateReport(then, (deps, id) =>
      assess(deps, { incidentId: id, actingAs: 'processor', personalData: 'yes', risk: 'risk', reason: 'klantgegevens van een opdrachtgever', by: 'FG' }),
    );
    expect(status(then)).toBe('late');
    expect(status(contract(false, 48))).toBe('late');
  });
});
