/**
 * After a release is recorded, `undoLeftMeanwhile` tells an incident that left the resource to the
 * releasing one while the release was being stored (planned again, its FG and on-call told). When
 * that commit lost the race at every try (a storm of findings on the other incident), the raw
 * conflict reached the person ("incident … changed since revision …"), which the CLI and the page
 * read as "nothing was recorded": yet the release was carried out in AWS and recorded. The error now
 * says what was recorded, which incident still says the resource is contained by this one while it
 * is not, and how to mend it (`datalek contain OTHER`, which takes up an action left to an incident
 * that let the resource go).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import type { ContainDeps } from '../../handlers/core/contain.js';
import { ActedNotRecordedError } from '../../handlers/core/errors.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentChange, IncidentStore } from '../../handlers/ports/incident-store.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const SHARED = 'i-0shared000000002';
const NOW = '2026-11-27T21:05:00.000Z';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

it('a storm on the incident that left the resource meanwhile: the error says the release is recorded, and who still says contained', async () => {
  const adapter: Containment = {
    canEnforce: true,
    execute: async () => {},
    release: async (_a, _incident, options) => {
      await options.record({ name: 'restore-groups', status: 'done', at: NOW, detail: 'restored' });
    },
  };
  await t.store.commit({
    incident: incidentFixture({ id: 'dl-holder', actions: [doneIsolation(SHARED)] }),
    expectedRevision: null,
    timeline: [],
    messages: [],
  });
  const planned: ActionRecord = {
    id: `isolate-instance:${SHARED}`,
    type: 'isolate-instance',
    target: SHARED,
    status: 'planned',
    mode: 'enforce',
    findingId: 'f-2',
    at: NOW,
  };
  await t.store.commit({ incident: incidentFixture({ id: 'dl-linked', actions: [planned] }), expectedRevision: null, timeline: [], messages: [] });

  // The holder's release commit lands; just after it, dl-linked's run leaves its action to the holder
  // (it read the holder before), and from then on every commit to dl-linked loses to another writer.
  let leftMeanwhile = false;
  const racing = new Proxy(t.store, {
    get(target, prop, receiver) {
      if (prop === 'commit')
        return async (change: IncidentChange) => {
          if (leftMeanwhile && change.incident.id === 'dl-linked')
            await changeIncident({ store: target, policy: DEFAULT_POLICY, now: () => NOW }, 'dl-linked', () => ({
              entries: [{ at: NOW, kind: 'other-writer' }],
            }));
          const out = await target.commit(change);
          if (!leftMeanwhile && change.incident.id === 'dl-holder' && change.incident.actions[0]?.released) {
            leftMeanwhile = true;
            await changeIncident({ store: target, policy: DEFAULT_POLICY, now: () => NOW }, 'dl-linked', (draft) => {
              Object.assign(draft.actions[0], { status: 'skipped', heldBy: 'dl-holder', reason: 'held by dl-holder' });
              return { entries: [] };
            });
          }
          return out;
        };
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as IncidentStore;
  const deps: ContainDeps = { store: racing, policy: DEFAULT_POLICY, now: () => NOW, containment: adapter, conflictRetry: { again: async (n) => n < 3 } };

  const err = await releaseContainment(deps, { incidentId: 'dl-holder', by: 'oncall', reason: 'vals positief' }).catch((e: unknown) => e);
  expect(leftMeanwhile).toBe(true);
  expect(err).toBeInstanceOf(ActedNotRecordedError);
  const message = (err as Error).message;
  expect(message).toContain(`the release of isolate-instance ${SHARED} (incident dl-holder) was carried out in AWS and recorded`);
  expect(message).toContain('incident dl-linked');
  expect(message).toContain('datalek contain dl-linked');
  expect(message).not.toMatch(/nothing was recorded|changed since revision/);
  const page = (err as ActedNotRecordedError).page;
  expect(page?.nl).toContain('is in AWS uitgevoerd en vastgelegd');
  expect(page?.nl).toContain('dl-linked');
  // What is recorded is as the error says: released on the holder, still left to it on the other.
  expect(((await t.store.getIncident('dl-holder')) as Incident).actions[0].released).toMatchObject({ by: 'oncall' });
  expect(((await t.store.getIncident('dl-linked')) as Incident).actions[0]).toMatchObject({ status: 'skipped', heldBy: 'dl-holder' });
});
