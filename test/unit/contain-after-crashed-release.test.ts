/**
 * Y18: 5ec4b0c (Y8's fix) takes detach-from-asg / deregister-target-groups / revoke-instance-credentials
 * off the action when a *partial* release undid them (markPartlyReleased). A release that crashed after
 * attach-to-asg (its steps are only timeline entries) leaves them "done" on the action, with its
 * `releasing` mark; once the mark runs out the run re-checks the interfaces (83ad5ab) but skips
 * detach-from-asg as done, and records the action done while the instance is back in its ASG. The run
 * now does the side steps a release undoes again (review7 Y18).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { incidentFixture, storeInstanceFinding } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-29T08:00:00.000Z';
const TARGET = 'i-0crashed00000001';
let t: ReturnType<typeof tempSqliteStore>;
const done = (name: string) => ({ name, status: 'done' as const, at: '2026-11-29T06:00:00.000Z', detail: 'done' });
beforeEach(async () => {
  t = tempSqliteStore();
  // Isolated at 06:00 (tag-instance failed, so the action is failed and a run takes it up); a release
  // began at 07:00, restored eni-1, attached the instance to its ASG again, and its process died.
  const action: ActionRecord = {
    id: `isolate-instance:${TARGET}`,
    type: 'isolate-instance',
    target: TARGET,
    status: 'failed',
    mode: 'enforce',
    findingId: 'f-y18',
    at: NOW,
    startedAt: '2026-11-29T06:00:00.000Z',
    steps: [
      done('capture-metadata'),
      done('prepare-isolation-groups'),
      done('detach-from-asg'),
      done('isolate-eni:eni-1'),
      done('deregister-target-groups'),
      { name: 'tag-instance', status: 'failed', at: '2026-11-29T06:00:00.000Z', code: 'Throttling', detail: 'throttled' },
    ],
    releasing: { at: '2026-11-29T07:00:00.000Z', by: 'oncall', until: '2026-11-29T07:15:00.000Z' },
  } as ActionRecord;
  await t.store.commit({ incident: incidentFixture({ id: 'dl-y18', actions: [action] }), expectedRevision: null, timeline: [], messages: [] });
  await storeInstanceFinding(t.store, 'dl-y18', 'f-y18', TARGET);
});
afterEach(async () => t.cleanup());

it('Y18: after a crashed release ran attach-to-asg, the retry detaches the instance again before it records the action done', async () => {
  const redone: string[] = [];
  // As ec2.ts: each step is skipped when ctx.done has it.
  const containment: Containment = {
    canEnforce: true,
    execute: async (_a, ctx) => {
      for (const name of ['detach-from-asg', 'isolate-eni:eni-1', 'deregister-target-groups', 'tag-instance']) {
        if (ctx.done.has(name)) continue;
        redone.push(name);
        await ctx.record({ name, status: 'done', at: NOW, detail: 'done again' });
      }
    },
    release: async () => {},
  };
  const deps: ContainDeps = { store: t.store, policy: DEFAULT_POLICY, now: () => NOW, containment, forceEnforce: true };
  await runContainment(deps, 'dl-y18');
  const after = ((await t.store.getIncident('dl-y18')) as Incident).actions[0];
  expect(after.status).toBe('done');
  expect(redone).toContain('detach-from-asg');
  expect(redone).toContain('deregister-target-groups');
});
