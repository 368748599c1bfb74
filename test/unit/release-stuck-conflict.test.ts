/**
 * The last note's "Still left" (storms): release kept its own lost-race answer. A release whose step
 * record the store refuses at every try while nobody else changed the incident (a timeline row
 * planted at the incident's next seq behind datalek: `StuckConflictError`) was told as a storm:
 * "other changes to the incident kept coming in ... Release it again once the changes calm down",
 * which fails the same way for ever. It now goes the shared lost-race way (cli/lost-race.ts): what
 * was carried out in AWS, the store's text, that running it again fails the same way, and
 * `datalek verify ID`. The same for `datalek contain`'s run (contain-again.ts).
 */

import { afterEach, beforeEach, expect, it } from 'vitest';
import { lostRaceText } from '../../handlers/cli/lost-race.js';
import type { ContainDeps } from '../../handlers/core/contain.js';
import { containAgain } from '../../handlers/core/contain-again.js';
import { ActedNotRecordedError, StuckConflictError } from '../../handlers/core/errors.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentChange, IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent } from '../support/events.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';
import { plantTimelineRow, tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-27T21:05:00.000Z';
let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

/** A row at the incident's next seq, put in behind datalek's back. */
const plant = (dir: string, id: string) => plantTimelineRow(dir, id, NOW);

it('a release whose record the store refuses for good (a planted row) is told as that, with verify, not as a storm', async () => {
  await t.store.commit({
    incident: incidentFixture({ id: 'dl-planted', actions: [doneIsolation('i-0planted0000001')] }),
    expectedRevision: null,
    timeline: [],
    messages: [],
  });
  // Behind datalek: a row at the incident's next seq. Nobody else writes after this.
  plant(t.dir, 'dl-planted');
  const acted: string[] = [];
  const adapter: Containment = {
    canEnforce: true,
    execute: async () => {},
    release: async (action, _incident, options) => {
      acted.push(action.id);
      await options.record({ name: 'restore-eni:eni-1', status: 'done', at: NOW });
    },
  };
  const deps: ContainDeps = { store: t.store, policy: DEFAULT_POLICY, now: () => NOW, containment: adapter, conflictRetry: { again: async (n) => n < 3 } };

  const err = await releaseContainment(deps, { incidentId: 'dl-planted', by: 'oncall', reason: 'vals positief' }).catch((e: unknown) => e);
  expect(acted).toHaveLength(1);
  expect(err).toBeInstanceOf(ActedNotRecordedError);
  expect((err as Error).cause).toBeInstanceOf(StuckConflictError);
  const text = lostRaceText('release', 'dl-planted', err as ActedNotRecordedError & { cause: StuckConflictError });
  expect(text).toContain('was carried out in AWS, wholly or in part (restore-eni:eni-1 done)');
  expect(text).toContain('no other writer got there first');
  expect(text).toContain('fails the same way');
  expect(text).toContain('datalek verify dl-planted');
  expect(text).not.toMatch(/kept coming in|calm down|storm/);
});

it('datalek contain: a run whose step records the store refuses for good is told as that, with verify, not as a storm', async () => {
  const recorded = await recordEvent(
    { store: t.store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false },
    findingEvent({ id: 'f-planted', instanceId: 'i-0planted0000002', createdAt: '2026-11-27T21:00:00.000Z' }),
  );
  const id = recorded.incidentId as string;
  // The row is planted once the person's request is recorded: the run's own records then fail for good.
  const planting = new Proxy(t.store, {
    get(target, prop, receiver) {
      if (prop === 'commit')
        return async (change: IncidentChange) => {
          const out = await target.commit(change);
          if (change.timeline.some((e) => e.kind === 'containment-requested')) plant(t.dir, id);
          return out;
        };
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as IncidentStore;
  const acted: string[] = [];
  const adapter: Containment = {
    canEnforce: true,
    execute: async (action, ctx) => {
      acted.push(action.id);
      await ctx.record({ name: 'isolate-eni:eni-1', status: 'done', at: NOW });
    },
    release: async () => {},
  };
  const deps: ContainDeps = { store: planting, policy: DEFAULT_POLICY, now: () => NOW, containment: adapter, conflictRetry: { again: async (n) => n < 3 } };
  const err = await containAgain(deps, { incidentId: id, by: 'oncall', reason: 'opnieuw', enforce: true }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ActedNotRecordedError);
  expect((err as Error).cause).toBeInstanceOf(StuckConflictError);
  const text = lostRaceText('contain', id, err as ActedNotRecordedError & { cause: StuckConflictError });
  expect(text).toContain(`containment of incident ${id} was started in AWS (isolate-instance i-0planted0000002)`);
  expect(acted).toEqual(['isolate-instance:i-0planted0000002']);
  expect(text).toContain('fails the same way');
  expect(text).toContain(`datalek verify ${id}`);
  expect(text).not.toMatch(/kept coming in|calm down|storm/);
  expect((err as ActedNotRecordedError).page?.en).not.toMatch(/storm|calm down/);
});
