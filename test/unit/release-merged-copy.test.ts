/**
 * review9 attack K3: a merge leaves the absorbed incident's containment in effect on BOTH records.
 * R4 (8f117ec) hands the survivor B the absorbed A's done isolation (with the groups to restore), but
 * the merged record A is closed as a copy (`closed = copyRecord(other)`) that still says the isolation
 * is done and not released. `datalek release A` is not refused for a merged incident: while B is
 * open it is refused only until `--undo-for B` is added; once B is closed (closing releases nothing)
 * it goes through unasked, restores the instance from A's copy, and B's record still says the
 * instance is isolated (show, register, AP draft: "measures taken"), with no word on B's timeline.
 * Regression test for review9 K3: releasing a merged incident is refused, naming the incident holding its containment.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import type { ContainDeps } from '../../handlers/core/contain.js';
import type { Incident } from '../../handlers/core/incident.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releasable, releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { incidentDetail } from '../../handlers/use-cases/queries.js';
import { instanceSequenceEvent } from '../support/events.js';
import { I_A, I_B, T, twoIncidentsAIsolated } from '../support/merged-isolation.js';
import { ISOLATE_ON_SNS } from '../support/pager-incident.js';
import { tempSqliteStore } from '../support/store.js';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

it("releasing the merged incident does not undo the survivor's containment behind its record", async () => {
  // A isolated its instance (the record as the contain function leaves it).
  const { deps, a, b } = await twoIncidentsAIsolated(t.store);
  // A finding naming both: A is merged into B, which takes over A's isolation.
  await recordEvent(deps(20), instanceSequenceEvent('r-seq', [I_B, I_A], T(19)));
  const get = async (id: string) => (await t.store.getIncident(id)) as Incident;
  expect((await get(a)).mergedInto).toBe(b);
  expect(releasable((await get(b)).actions).map((x) => x.target)).toContain(I_A);
  // B is closed with the instance still isolated (closing releases nothing), as close leaves it.
  await changeIncident(deps(40), b, (draft) => {
    draft.state = 'closed';
    draft.closedAt = T(40);
    return { entries: [] };
  });

  const restored: string[] = [];
  const containment: Containment = {
    canEnforce: true,
    execute: async () => {},
    release: async (action, _i, options) => {
      restored.push(action.target);
      await options.record({ name: 'restore-eni:eni-1', status: 'done', at: T(50) });
    },
  };
  const contain: ContainDeps = { store: t.store, policy: ISOLATE_ON_SNS, now: () => T(50), containment };
  // Refused, naming the survivor that holds the containment now; nothing restored, B's record unchanged.
  await expect(releaseContainment(contain, { incidentId: a, by: 'oncall', reason: 'opruimen' })).rejects.toThrow(
    `its containment is held by incident ${b} now: nothing was released. Release it there: datalek release ${b}`,
  );
  expect(restored).toEqual([]);
  const onB = (await get(b)).actions.find((x) => x.target === I_A);
  expect(onB?.released).toBeUndefined();
  expect(releasable((await get(a)).actions).length).toBeGreaterThan(0); // the copy still reads in effect: the refusal is what guards it
  // Its page and show offer nothing to release there (the page's Release form is not drawn); the survivor's do.
  expect((await incidentDetail(deps(50), await get(a), 'en')).releasable).toEqual([]);
  expect((await incidentDetail(deps(50), await get(b), 'en')).releasable.map((x) => x.target)).toContain(I_A);
});
