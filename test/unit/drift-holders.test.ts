/**
 * `show ID --target aws` reads one incident: an action it left to another incident (heldBy) is read
 * as that incident's record holds it, so the holder is read from the store (merges followed, each
 * incident once); `verify` passes every incident and reads none again.
 */
import { expect, it } from 'vitest';
import { holdersOf } from '../../handlers/cli/containment-check.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';

const left: ActionRecord = { ...doneIsolation('i-1'), status: 'skipped', steps: [], heldBy: 'dl-merged' };
const merged = { ...incidentFixture({ id: 'dl-merged', actions: [] }), state: 'closed' as const, mergedInto: 'dl-survivor' };
const survivor = incidentFixture({ id: 'dl-survivor', actions: [doneIsolation('i-1')] });
const stored: Record<string, Incident> = { 'dl-merged': merged, 'dl-survivor': survivor };
/** The store's point reads, each recorded. */
const storeReading = (reads: string[]) => ({
  getIncident: async (id: string) => {
    reads.push(id);
    return stored[id];
  },
});

it('reads the holder an action was left to from the store, following its merge, each once', async () => {
  const reads: string[] = [];
  const holderOf = await holdersOf(storeReading(reads), [incidentFixture({ id: 'dl-left', actions: [left] })]);
  expect(holderOf('dl-merged')?.id).toBe('dl-survivor');
  expect(reads).toEqual(['dl-merged', 'dl-survivor']);
});

it('reads nothing again for incidents it was given (verify)', async () => {
  const reads: string[] = [];
  const holderOf = await holdersOf(storeReading(reads), [incidentFixture({ id: 'dl-left', actions: [left] }), merged, survivor]);
  expect(holderOf('dl-merged')?.id).toBe('dl-survivor');
  expect(reads).toEqual([]);
});
