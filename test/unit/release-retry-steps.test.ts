/**
 * Retrying a partly failed release: the steps an earlier try already did after undoing the
 * containment (attach to the Auto Scaling group, associate the instance profile, register the target
 * groups, tag) are not sent again: AWS refuses a second attach or association, and the retry would
 * fail on the step the first try did, never becoming a release. The adapter's release step
 * (adapters/aws/containment/steps.ts releaseStep) records them as skipped, done before. Those that
 * undid a containment step (the attach undid the detach) take that step off the record instead, so
 * the adapter does not undo it again.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { releaseStep } from '../../handlers/adapters/aws/containment/steps.js';
import type { ContainDeps } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T10:00:00.000Z';
const INSTANCE = 'i-0retry00000000001';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

it('a second release does not redo the attach an earlier, failed one did', async () => {
  const action: ActionRecord = {
    id: `isolate-instance:${INSTANCE}`,
    type: 'isolate-instance',
    target: INSTANCE,
    status: 'done',
    mode: 'enforce',
    findingId: 'f-retry',
    at: NOW,
    steps: ['isolate-eni:eni-0a', 'isolate-eni:eni-0b', 'detach-from-asg'].map((name) => ({ name, status: 'done' as const, at: NOW })),
  };
  await t.store.commit({ incident: incidentFixture({ id: 'dl-retry', actions: [action] }), expectedRevision: null, timeline: [], messages: [] });
  // AWS as it is: eni-0b's restore is denied until the role is fixed; a second attach is refused.
  let roleFixed = false;
  let attached = false;
  const aws: Containment = {
    canEnforce: true,
    execute: async () => {},
    release: async (a, _i, options) => {
      const attempt = releaseStep(options, () => NOW);
      await attempt('restore-eni:eni-0a', async () => 'restored');
      await attempt('restore-eni:eni-0b', async () => {
        if (!roleFixed) throw Object.assign(new Error('not allowed'), { name: 'UnauthorizedOperation' });
        return 'restored';
      });
      // As ec2.ts: attached again only when the record says it was detached.
      if (a.steps?.some((s) => s.name === 'detach-from-asg' && s.status === 'done'))
        await attempt('attach-to-asg', async () => {
          if (attached) throw Object.assign(new Error('instance is already part of the group'), { name: 'ValidationError' });
          attached = true;
          return 'attached';
        });
      await attempt('tag-released', async () => 'tagged');
    },
  };
  const deps: ContainDeps = { store: t.store, policy: DEFAULT_POLICY, now: () => NOW, containment: aws };
  const input = { incidentId: 'dl-retry', by: 'Bram', reason: 'vals alarm' };

  expect((await releaseContainment(deps, input)).failed).toHaveLength(1);
  // Attached again, the record no longer says detached (review7 Y8): a containment run detaches it again.
  const partly = ((await t.store.getIncident('dl-retry')) as Incident).actions[0];
  expect(partly.steps?.map((s) => s.name)).not.toContain('detach-from-asg');
  roleFixed = true;
  const second = await releaseContainment(deps, input);

  expect(second.failed).toEqual([]);
  expect(second.released[0].unfinished).toBeUndefined();
  expect(second.released[0].steps.map((s) => `${s.name}:${s.status}`)).toEqual(['restore-eni:eni-0a:done', 'restore-eni:eni-0b:done', 'tag-released:skipped']);
  expect(((await t.store.getIncident('dl-retry')) as Incident).actions[0].released?.by).toBe('Bram');
});
