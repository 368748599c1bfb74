/**
 * A release and a containment run of the same incident never interleave on an action: what the run
 * isolated after the release would stay isolated under a record that says released, with nothing
 * left to release (review5 A16).
 * - A run holding the incident's containment lease: the release is refused, naming until when.
 * - A run that takes the lease once the release has begun leaves the actions being released alone.
 * - A run that stalled past its lease and records a step while the release runs: the action is not
 *   recorded as released (the release did not undo that step), and stays releasable.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releasable, releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();
const POLICY = parsePolicy({ containment: { rules: [{ action: 'contain-workload', findingTypes: ['Backdoor:*'], minSeverity: 1, mode: 'enforce' }] } });
const INPUT = { by: 'oncall', reason: 'false positive' };

let t: ReturnType<typeof tempSqliteStore>;
let id: string;
beforeEach(async () => {
  t = tempSqliteStore();
  const recorded = await recordEvent(
    { store: t.store, policy: POLICY, now: () => T(20), canEnforce: true },
    findingEvent({ id: 'a'.repeat(32), type: 'Backdoor:EC2/C&CActivity.B', severity: 8, createdAt: T(1), instanceId: 'i-0123456789abcdef0' }),
  );
  id = recorded.incidentId as string;
});
afterEach(async () => t.cleanup());

const isolation = async () => ((await t.store.getIncident(id)) as Incident).actions.find((a) => a.type === 'isolate-instance') as ActionRecord;
/** Restores each interface the action says is isolated, as it stood when the release began. */
const restoring = (restored: string[], during: () => Promise<void> = async () => {}): Containment['release'] =>
  async function release(action, _incident, options) {
    await during();
    for (const s of action.steps ?? []) {
      if (s.status !== 'done' || !s.name.startsWith('isolate-eni:')) continue;
      restored.push(s.name);
      await options.record({ name: `restore-${s.name.slice('isolate-'.length)}`, status: 'done', at: T(25) });
    }
  };
/** Interfaces the record says are isolated that no release restored. */
const leftIsolated = async (restored: string[]) =>
  ((await isolation()).steps ?? []).filter((s) => s.status === 'done' && s.name.startsWith('isolate-eni:') && !restored.includes(s.name)).map((s) => s.name);

it('refuses a release while a containment run holds the lease, naming until when; released after the run, nothing is left isolated', async () => {
  const restored: string[] = [];
  const deps = (containment: Containment): ContainDeps => ({ store: t.store, policy: POLICY, now: () => T(21), containment });
  let refusal = '';
  const containment: Containment = {
    canEnforce: true,
    async execute(_action, ctx) {
      await ctx.record({ name: 'isolate-eni:eni-1', status: 'done', at: T(21) });
      // On-call releases it now, a false positive, while the run goes on.
      refusal = await releaseContainment(deps(containment), { incidentId: id, ...INPUT }).then(
        () => 'released',
        (err: Error) => err.message,
      );
      await ctx.record({ name: 'isolate-eni:eni-2', status: 'done', at: T(22) });
    },
    release: restoring(restored),
  };
  await runContainment(deps(containment), id, { holder: 'event-1', deadline: Date.parse(T(36)) });

  expect(refusal).toMatch(new RegExp(`^containment of incident ${id} is running \\(its run holds the incident until .+\\): release once it has finished`));
  expect(refusal).toContain('nothing was released');
  expect((await isolation()).status).toBe('done');

  const result = await releaseContainment(deps(containment), { incidentId: id, ...INPUT });
  expect(result.released).toHaveLength(1);
  expect(await leftIsolated(restored)).toEqual([]);
  expect((await isolation()).releasing).toBeUndefined();
});

it('a run that takes the lease while the release runs leaves the action being released alone', async () => {
  // Partly carried out: eni-1 isolated, eni-2 failed; the contain function's retry comes while on-call releases it.
  await changeIncident({ store: t.store, policy: POLICY, now: () => T(21) }, id, (draft) => {
    const a = draft.actions.find((x) => x.type === 'isolate-instance') as ActionRecord;
    a.steps = [
      { name: 'isolate-eni:eni-1', status: 'done', at: T(21) },
      { name: 'isolate-eni:eni-2', status: 'failed', at: T(21), code: 'RequestLimitExceeded' },
    ];
    a.status = 'failed';
    return { entries: [] };
  });
  const restored: string[] = [];
  const executed: string[] = [];
  const deps = (containment: Containment): ContainDeps => ({ store: t.store, policy: POLICY, now: () => T(25), containment });
  const containment: Containment = {
    canEnforce: true,
    async execute(action, ctx) {
      executed.push(action.id);
      await ctx.record({ name: 'isolate-eni:eni-2', status: 'done', at: T(25) });
    },
    release: restoring(restored, async () => {
      await runContainment(deps(containment), id, { holder: 'retry', deadline: Date.parse(T(40)) });
    }),
  };

  const result = await releaseContainment(deps(containment), { incidentId: id, ...INPUT });

  expect(executed).toEqual([]);
  expect(result.released.map((r) => r.id)).toEqual([(await isolation()).id]);
  expect(await leftIsolated(restored)).toEqual([]);
});

it('a step a stalled run records while the release runs keeps the action releasable, not released, and on-call is told', async () => {
  const restored: string[] = [];
  const deps = (containment: Containment): ContainDeps => ({ store: t.store, policy: POLICY, now: () => T(25), containment });
  let result: Awaited<ReturnType<typeof releaseContainment>> | undefined;
  const containment: Containment = {
    canEnforce: true,
    async execute(_action, ctx) {
      await ctx.record({ name: 'isolate-eni:eni-1', status: 'done', at: T(21) });
      // The run stalls past its lease; on-call, seeing no run, releases it.
      await changeIncident({ store: t.store, policy: POLICY, now: () => T(24) }, id, (draft) => {
        draft.containmentLease = { holder: draft.containmentLease?.holder as string, until: T(24) };
        return { entries: [] };
      });
      result = await releaseContainment(
        {
          ...deps(containment),
          containment: {
            ...containment,
            // The stalled run wakes while the release restores eni-1, and isolates eni-2.
            release: restoring(restored, () => ctx.record({ name: 'isolate-eni:eni-2', status: 'done', at: T(25) }).catch(() => undefined)),
          },
        },
        { incidentId: id, ...INPUT },
      );
    },
    release: restoring(restored),
  };
  await runContainment(deps(containment), id, { holder: 'stalled', deadline: Date.parse(T(23)) });

  expect(result?.released).toEqual([]);
  const action = await isolation();
  expect(action.released).toBeUndefined();
  expect(releasable([action])).toHaveLength(1);
  expect(await leftIsolated(restored)).toEqual(['isolate-eni:eni-2']);
  const entry = (await t.store.getTimeline(id)).find((e) => e.kind === 'containment-release-failed');
  expect(entry?.detail).toMatchObject({ containedMeanwhile: ['isolate-eni:eni-2'] });
  expect((await t.store.listMessages(id)).filter((m) => m.kind === 'release-failed').map((m) => m.channel)).toEqual(['on-call']);
});
