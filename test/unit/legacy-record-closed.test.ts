/**
 * An incident stored before the decision history (`decisions` absent, its one assessment in
 * `assessment`) and closed now stored `closedAfterDecisions = 0` (review7 Z3): the first decision
 * after closing makes the history from the legacy assessment (index 0) and appends, so the
 * assessment recorded before closing counted as recorded after it (0 >= 0), reopening its AP clock
 * and NIS2 duties. Closing counts the legacy assessment.
 */
import { expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { assessedAfterClosing } from '../../handlers/core/clocks.js';
import { assess, closeIncident, decideSubjects, type FgDeps } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

it('a legacy record closed now: a decision after closing does not make its old assessment "after closing"', async () => {
  const { store, cleanup } = tempSqliteStore();
  try {
    let t = Date.parse('2026-11-28T03:00:00.000Z');
    const deps: FgDeps = {
      store,
      policy: DEFAULT_POLICY,
      now: () => {
        t += 60_000;
        return new Date(t).toISOString();
      },
    };
    const id = (await recordEvent({ ...deps, canEnforce: false }, findingEvent({ id: 'z3', createdAt: '2026-11-28T02:00:00.000Z' }))).incidentId as string;
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'alleen testdata', by: 'FG' });
    // The record as stored before the decision history existed: its one assessment, no `decisions`.
    await changeIncident(deps, id, (draft) => {
      delete (draft as Partial<Incident>).decisions;
      return { entries: [{ at: deps.now(), kind: 'note', actor: 'test', detail: { note: 'legacy shape' } }] };
    });
    const legacy = (await store.getIncident(id)) as Incident;
    expect(legacy.decisions).toBeUndefined();
    const closed = await closeIncident(deps, { incidentId: id, by: 'FG', reason: 'afgehandeld' });
    expect(assessedAfterClosing(closed)).toBe(false);
    await decideSubjects(deps, { incidentId: id, decision: 'not-required', reason: 'geen persoonsgegevens', by: 'FG', confirmAfterClose: true });
    const after = (await store.getIncident(id)) as Incident;
    expect(after.decisions?.map((d) => d.kind)).toEqual(['assessment', 'subjects']);
    expect(after.closedAfterDecisions).toBe(1);
    // The only assessment was recorded before closing.
    expect(assessedAfterClosing(after)).toBe(false);
  } finally {
    await cleanup();
  }
});
