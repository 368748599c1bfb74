/**
 * A person's records on a containment action, on the core alone (no CLI process):
 * - a step the contain function tried and failed, finished by hand: `datalek contained` refused it
 *   ("closing records what was done by hand"), so closing asked a containment reason for a step the
 *   record could have held as done (closing note, "Still left").
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { recordContainedByHand } from '../../handlers/core/by-hand.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture, plannedIsolation } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const now = '2026-11-28T08:00:00.000Z';
const id = 'dl-by-hand-core';

describe('a failed step finished by hand', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const deps = () => ({ store, policy, now: () => now });

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    const failed = plannedIsolation('i-failed', {
      status: 'failed',
      reason: 'AccessDenied',
      steps: [{ name: 'isolate-eni:eni-1', status: 'failed', at: '2026-11-27T21:02:00.000Z' }],
    });
    await store.commit({ incident: incidentFixture({ id, actions: [failed] }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver zonder persoonsgegevens', by: 'FG' });
  });
  afterEach(async () => cleanup());

  it('is recorded as done by hand, and closing then asks no containment reason', async () => {
    await expect(closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG' })).rejects.toThrow(/containment/);
    await recordContainedByHand(deps(), {
      incidentId: id,
      actionId: 'isolate-instance:i-failed',
      by: 'on-call',
      what: 'de security groups in de console vervangen',
      at: '2026-11-28T07:00:00Z',
    });
    const action = ((await store.getIncident(id)) as Incident).actions[0];
    expect(action).toMatchObject({ status: 'done', byHand: { by: 'on-call', what: 'de security groups in de console vervangen' } });
    // The failure stays in the timeline's entry beside what was done by hand.
    expect((await store.getTimeline(id)).at(-1)).toMatchObject({ kind: 'containment-done-by-hand', detail: { afterFailure: 'AccessDenied' } });
    const closed = await closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    expect(closed.state).toBe('closed');
  });
});
