/**
 * review8 R4: B's plan of an instance was left to A, which holds it isolated (B's action `skipped,
 * heldBy A`, as takeResource or a plan's heldElsewhere records it). A later finding spans both and
 * merges A into B (B detected first survives). The merge moved only A's actions whose id B had not,
 * so A's done isolation, with the groups to restore, stayed on the merged (closed) A: the survivor
 * held no containment of the instance (`release B` refused, "nothing carried out"), and the drift
 * check read it nowhere (A: "merged into B: read back there"; B: an action left to another incident
 * is not read). The survivor now takes over the isolation in effect, whatever its own copy said.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import type { ContainDeps } from '../../handlers/core/contain.js';
import { expectedContainment } from '../../handlers/core/drift.js';
import type { Incident } from '../../handlers/core/incident.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releasable, releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { instanceSequenceEvent } from '../support/events.js';
import { I_A, I_B, METADATA, T, twoIncidentsAIsolated } from '../support/merged-isolation.js';
import { ISOLATE_ON_SNS } from '../support/pager-incident.js';
import { tempSqliteStore } from '../support/store.js';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

it("a merge hands the survivor the absorbed incident's done isolation where the survivor's own copy was left to it", async () => {
  // A isolated its instance (the record as the contain function leaves it).
  const { deps, a, b, isolation } = await twoIncidentsAIsolated(t.store);
  // B (linked to A meanwhile) planned the same isolation, left to A, which holds it; B's note says so too.
  await changeIncident(deps(12), b, (draft) => {
    draft.actions = [
      ...draft.actions,
      { ...isolation, status: 'skipped', steps: [], evidence: {}, findingId: 'r-b', heldBy: a, reason: `contained by incident ${a}` },
    ];
    draft.containedBy = [{ type: 'isolate-instance', target: I_A, accountId: draft.accountId, region: draft.region, incidentId: a }];
    return { entries: [] };
  });

  // A finding naming both: A (nothing the FG recorded, nothing exposed, no run) is merged into B.
  await recordEvent(deps(20), instanceSequenceEvent('r-seq', [I_B, I_A], T(19)));
  const get = async (id: string) => (await t.store.getIncident(id)) as Incident;
  expect((await get(a)).mergedInto).toBe(b);
  const survivor = await get(b);
  const onA = survivor.actions.filter((x) => x.target === I_A);
  // One action on the instance, A's done one with the groups to restore; no note leaving it to the merged A.
  expect(onA).toHaveLength(1);
  expect(onA[0]).toMatchObject({ status: 'done', findingId: 'r-a', evidence: { metadata: METADATA } });
  expect(onA[0].heldBy).toBeUndefined();
  expect(survivor.containedBy ?? []).toEqual([]);
  // The survivor holds what it now answers for: releasable, and read back by the drift check.
  expect(releasable(survivor.actions).map((x) => x.target)).toContain(I_A);
  expect(expectedContainment(survivor, T(21)).checks.some((c) => c.actionId.endsWith(I_A))).toBe(true);

  // And its release undoes it from the groups A recorded.
  const restored: string[] = [];
  const containment: Containment = {
    canEnforce: true,
    execute: async () => {},
    release: async (action, _i, options) => {
      const groups = (action.evidence?.metadata as typeof METADATA | undefined)?.networkInterfaces[0].groups ?? [];
      restored.push(`${action.target} ${groups.join(',')}`);
      await options.record({ name: 'restore-eni:eni-1', status: 'done', at: T(30) });
    },
  };
  const contain: ContainDeps = { store: t.store, policy: ISOLATE_ON_SNS, now: () => T(30), containment };
  const out = await releaseContainment(contain, { incidentId: b, by: 'oncall', reason: 'onderzoek afgerond' });
  expect(out.released.map((r) => r.id)).toEqual([`isolate-instance:${I_A}`]);
  expect(restored).toEqual([`${I_A} sg-app`]);
});
