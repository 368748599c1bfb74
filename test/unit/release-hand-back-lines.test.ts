/**
 * What `datalek release` tells the engineer of the other incidents it changed (rel28 item 4). An action an open
 * incident left to the released one (or skipped on finding it contained by it) is handed back, planned there again
 * and carried out by no one: the line read "Undone for incident X: … planned again there, not carried out", which
 * said neither that X's resource is not contained now, nor what carries it out, nor that X's FG and on-call are told;
 * and where the released action cut nothing (handed back unasked) nothing was undone for X at all.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { releaseLines } from '../../handlers/cli/commands/release.js';
import type { ContainDeps } from '../../handlers/core/contain.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';
import { releasing } from '../support/release-steps.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-27T22:00:00.000Z';
const TARGET = 'i-0shared00000028';

let t: ReturnType<typeof tempSqliteStore>;
const put = (incident: Incident) => t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
const deps = (): ContainDeps => ({
  store: t.store,
  policy: DEFAULT_POLICY,
  now: () => NOW,
  containment: releasing([{ name: 'isolate-eni:eni-1', status: 'done', at: NOW, detail: 'restored' }]),
});

beforeEach(async () => {
  t = tempSqliteStore();
  await put(incidentFixture({ id: 'dl-s', actions: [doneIsolation(TARGET)] }));
  await put(incidentFixture({ id: 'dl-left', actions: [doneIsolation(TARGET, { status: 'skipped', steps: undefined, heldBy: 'dl-s' })] }));
});
afterEach(async () => t.cleanup());

it('says an action handed back is not contained for that incident now, what carries it out, and who is told', async () => {
  const out = await releaseContainment(deps(), { incidentId: 'dl-s', by: 'oncall', reason: 'vals positief', undoFor: ['dl-left'] });
  expect(out.undoneFor).toEqual([{ incidentId: 'dl-left', actionId: `isolate-instance:${TARGET}`, now: 'planned' }]);
  const lines = releaseLines(out);
  const back = lines.find((l) => l.includes('dl-left'));
  expect(back).toBe(
    `Handed back to incident dl-left: isolate-instance:${TARGET}, which it left to this incident or found contained by it, is not contained for it now: planned there again, not carried out (datalek contain dl-left --enforce --by NAME --reason TEXT --target aws carries it out); its FG and on-call are told`,
  );
});

it('says an action released for another incident too is released there, and who is told', async () => {
  await put(incidentFixture({ id: 'dl-holder', actions: [doneIsolation(TARGET)] }));
  const out = await releaseContainment(deps(), { incidentId: 'dl-s', by: 'oncall', reason: 'vals positief', undoFor: ['dl-holder', 'dl-left'] });
  expect(releaseLines(out)).toContain(`Undone for incident dl-holder: isolate-instance:${TARGET} recorded as released there; its FG and on-call are told`);
});

it('the refusal says what --undo-for does to an action left to this incident: planned there again, not that its containment is undone', async () => {
  const refused = await releaseContainment(deps(), { incidentId: 'dl-s', by: 'oncall', reason: 'vals positief' }).catch((err: Error) => err);
  expect(refused).toBeInstanceOf(Error);
  const message = (refused as Error).message;
  expect(message).toMatch(/incident dl-left \(open\): isolate-instance i-0shared00000028 \(left to dl-s, which holds it\)/);
  expect(message).not.toMatch(/that record then says the containment was undone/);
  expect(message).toContain(
    'add --undo-for dl-left; its action left to dl-s is then planned there again and carried out by no one (datalek contain dl-left --enforce --by NAME --reason TEXT --target aws does), and its FG and on-call are told.',
  );
});
