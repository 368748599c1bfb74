/**
 * Review 5 F6 (7a0f502) keeps a processor's hours with the incident so that a later
 * policy does not re-judge past and closed incidents; but the role itself is still read from the
 * policy in force (clocks.ts roleOf: `incident.role ?? policy.organisation.processor`). An
 * organisation that was processor when the breach happened, told its controller on time and closed
 * the incident (closing or not changes nothing here), and later sets `processor: false` (it now also acts as controller) sees that closed
 * incident re-judged as a controller's: an AP notification never made, overdue; its processor clock
 * (and the contract hours 7a0f502 kept) no longer read at all.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe("a processor's closed incident under a later policy (review6 R15)", () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
  });
  afterEach(async () => cleanup());

  it('keeps the role it had: no AP clock appears on it', async () => {
    const then = parsePolicy({ organisation: { ...org, processor: true }, clocks: { processorToControllerHours: 24 } });
    let now = '2026-11-27T22:00:00.000Z';
    const deps: FgDeps = { store, policy: then, now: () => now };
    const id = (await recordEvent({ ...deps, canEnforce: false }, findingEvent({ id: 'r15', createdAt: '2026-11-27T21:00:00.000Z' }))).incidentId as string;
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens van een opdrachtgever', by: 'FG' });
    now = '2026-11-28T08:00:00.000Z';
    await recordReport(deps, { incidentId: id, to: 'controller', kind: 'initial', reference: 'C-1', by: 'FG' });
    const incident = (await store.getIncident(id)) as Incident;
    const later = parsePolicy({ organisation: { ...org, processor: false } });
    const at = '2027-01-15T10:00:00.000Z';
    const ap = (p: typeof then) => clocksOf(incident, p, at).find((c) => c.name === 'ap')?.status;
    const processor = (p: typeof then) => clocksOf(incident, p, at).find((c) => c.name === 'processor')?.status;
    // Under the policy in force then: no AP duty, the controller told on time.
    expect(processor(then)).toBe('met');
    // A year on, the organisation is controller too: the same record must read the same.
    expect(ap(later)).toBe(ap(then));
    expect(processor(later)).toBe('met');
  });
});
