/**
 * A release that undid every containing state and then failed a later step (review6 R10): the AWS
 * adapter restores each interface's groups first and tags the instance (and attaches it to its Auto
 * Scaling group, registers its target groups, associates its profile) after. A denied tag after
 * the network is back is no reason to keep the record saying "isolated": the instance is open. It is
 * recorded as released, the failed steps named on the timeline and in the outcome, and on-call is
 * told to finish them by hand. A failure of a step that keeps the resource contained (an interface
 * not restored) stays "not released" (release-failed.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { carriedOutElsewhere, containmentStatus, containmentTaken, measuresTaken } from '../../handlers/core/breach-facts.js';
import type { ContainDeps } from '../../handlers/core/contain.js';
import { heldContainment } from '../../handlers/core/containment.js';
import type { ActionRecord, Incident, StepRecord } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T10:00:00.000Z';
const INSTANCE = 'i-0part000000000001';

const isolated = (): ActionRecord => ({
  id: `isolate-instance:${INSTANCE}`,
  type: 'isolate-instance',
  target: INSTANCE,
  status: 'done',
  mode: 'enforce',
  findingId: 'f-part',
  at: '2026-11-27T21:05:00.000Z',
  steps: [
    { name: 'isolate-eni:eni-0a', status: 'done', at: '2026-11-27T21:05:00.000Z' },
    { name: 'detach-from-asg', status: 'done', at: '2026-11-27T21:05:00.000Z' },
  ],
});

/** A release that records these steps, as the AWS adapter does (a failure is recorded, not thrown). */
const releasing = (steps: StepRecord[]): Containment => ({
  canEnforce: true,
  execute: async () => {},
  release: async (_a, _i, options) => {
    for (const step of steps) await options.record(step);
  },
});

describe('review6 R10: a release that put the network back and failed a later step', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());
  const put = (i: Incident) => t.store.commit({ incident: i, expectedRevision: null, timeline: [], messages: [] });
  const deps = (containment: Containment): ContainDeps => ({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW, containment });

  it('is recorded as released, with the failed steps named, and on-call told to finish them', async () => {
    await put(incidentFixture({ id: 'dl-part', actions: [isolated()] }));
    await put(incidentFixture({ id: 'dl-left', actions: [{ ...isolated(), status: 'skipped', steps: undefined, heldBy: 'dl-part' }] }));
    const adapter = releasing([
      { name: 'restore-eni:eni-0a', status: 'done', at: NOW, detail: 'eni-0a: groups sg-app restored' },
      { name: 'attach-to-asg', status: 'failed', at: NOW, detail: 'AccessDenied', code: 'AccessDenied' },
      { name: 'tag-released', status: 'failed', at: NOW, detail: 'AccessDenied', code: 'UnauthorizedOperation' },
    ]);
    const out = await releaseContainment(deps(adapter), {
      incidentId: 'dl-part',
      by: 'Bram',
      reason: 'vals alarm, server weer in gebruik',
      undoFor: ['dl-left'],
    });

    expect(out.failed).toEqual([]);
    expect(out.released.map((r) => r.id)).toEqual([`isolate-instance:${INSTANCE}`]);
    expect(out.released[0].unfinished).toEqual(['attach-to-asg', 'tag-released']);
    const incident = (await t.store.getIncident('dl-part')) as Incident;
    expect(incident.actions[0].released?.by).toBe('Bram');
    expect(heldContainment(incident)).toEqual([]);
    expect(containmentTaken(incident, 'en').join(' ')).not.toMatch(/isolat.*i-0part/i);
    const entry = (await t.store.getTimeline('dl-part')).find((e) => e.kind === 'containment-released');
    expect(entry?.detail.failedSteps).toEqual(['attach-to-asg', 'tag-released']);
    const told = (await t.store.listMessages('dl-part')).filter((m) => m.kind.startsWith('release'));
    expect(told.map((m) => `${m.kind}:${m.channel}`).sort()).toEqual(['release-incomplete:on-call', 'released:fg', 'released:on-call']);
    // The incident that left the instance to this one hears it is undone, and plans it again.
    expect(out.undoneFor).toEqual([{ incidentId: 'dl-left', actionId: `isolate-instance:${INSTANCE}`, now: 'planned' }]);
  });

  it('an interface not restored keeps it not released, even when another was', async () => {
    await put(incidentFixture({ id: 'dl-part', actions: [isolated()] }));
    const adapter = releasing([
      { name: 'restore-eni:eni-0a', status: 'failed', at: NOW, detail: 'not allowed', code: 'UnauthorizedOperation' },
      { name: 'tag-released', status: 'done', at: NOW, detail: 'tagged' },
    ]);
    const out = await releaseContainment(deps(adapter), { incidentId: 'dl-part', by: 'Bram', reason: 'vals alarm' });
    expect(out.released).toEqual([]);
    expect(out.failed.map((r) => r.id)).toEqual([`isolate-instance:${INSTANCE}`]);
  });

  it('a bookkeeping step failing with nothing undone is not a release', async () => {
    await put(incidentFixture({ id: 'dl-part', actions: [isolated()] }));
    const adapter = releasing([{ name: 'tag-released', status: 'failed', at: NOW, detail: 'AccessDenied', code: 'AccessDenied' }]);
    const out = await releaseContainment(deps(adapter), { incidentId: 'dl-part', by: 'Bram', reason: 'vals alarm' });
    expect(out.released).toEqual([]);
    expect(out.failed).toHaveLength(1);
  });

  it('one interface restored and another not: still held, and every measure says which interfaces are back', async () => {
    const two = isolated();
    two.steps = [
      { name: 'isolate-eni:eni-0a', status: 'done', at: '2026-11-27T21:05:00.000Z' },
      { name: 'isolate-eni:eni-0b', status: 'done', at: '2026-11-27T21:05:00.000Z' },
    ];
    await put(incidentFixture({ id: 'dl-part', actions: [two] }));
    await put(incidentFixture({ id: 'dl-left', actions: [{ ...isolated(), status: 'skipped', steps: undefined, heldBy: 'dl-part' }] }));
    const adapter = releasing([
      { name: 'restore-eni:eni-0a', status: 'done', at: NOW, detail: 'restored' },
      { name: 'restore-eni:eni-0b', status: 'failed', at: NOW, detail: 'not allowed', code: 'UnauthorizedOperation' },
      { name: 'tag-released', status: 'done', at: NOW, detail: 'tagged' },
    ]);
    const out = await releaseContainment(deps(adapter), { incidentId: 'dl-part', by: 'Bram', reason: 'vals alarm', undoFor: ['dl-left'] });

    expect(out.failed.map((r) => r.id)).toEqual([`isolate-instance:${INSTANCE}`]);
    const incident = (await t.store.getIncident('dl-part')) as Incident;
    expect(incident.actions[0].released).toBeUndefined();
    expect(incident.actions[0].partlyReleased).toMatchObject({ by: 'Bram', undone: ['restore-eni:eni-0a'], stillInEffect: ['restore-eni:eni-0b'] });
    expect(heldContainment(incident).map((h) => h.target)).toEqual([INSTANCE]);
    const words = containmentTaken(incident, 'en').join(' ');
    expect(words).toContain('interfaces restored: eni-0a; still isolated: eni-0b');
    expect(containmentTaken(incident, 'nl').join(' ')).toContain('interfaces hersteld: eni-0a; nog geïsoleerd: eni-0b');
    expect(containmentStatus(incident).join(' ')).toContain('still isolated: eni-0b');
    // The incident that left it to this one still leaves it (the instance is still partly isolated), and its measures say the same.
    const left = (await t.store.getIncident('dl-left')) as Incident;
    expect(left.actions[0]).toMatchObject({ status: 'skipped', heldBy: 'dl-part' });
    expect(measuresTaken(left, 'en', undefined, carriedOutElsewhere(left, [incident])).join(' ')).toContain('still isolated: eni-0b');

    // Released in full later: the record says released, not partly.
    await releaseContainment(deps(releasing([{ name: 'restore-eni:eni-0b', status: 'done', at: NOW, detail: 'restored' }])), {
      incidentId: 'dl-part',
      by: 'Bram',
      reason: 'vals alarm',
      undoFor: ['dl-left'],
    });
    const after = (await t.store.getIncident('dl-part')) as Incident;
    expect(after.actions[0].released?.by).toBe('Bram');
    expect(containmentTaken(after, 'en')).toEqual([]);
  });
});
