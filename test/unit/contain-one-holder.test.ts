/**
 * Two open incidents that plan containment of one resource before either carried it out (two
 * findings on one instance in two incidents, an attack sequence naming an instance another incident
 * plans): one holds it, the other records that it is held by the first (`heldBy`) and carries out
 * nothing. A second isolation would record the first's isolation group as the groups to restore.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { type ContainDeps, containmentDue, runContainment } from '../../handlers/core/contain.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { actionReasonLabel } from '../../handlers/core/labels.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { createContainHandler } from '../../handlers/lambda/contain.js';
import type { Containment, ExecutionContext } from '../../handlers/ports/containment.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { runCli } from '../support/cli.js';
import { incidentFixture, isolationAdapter, storeInstanceFinding } from '../support/incidents.js';
import { capturingLogger } from '../support/logs.js';
import { listingRefused, tempSqliteStore } from '../support/store.js';

const SHARED = 'i-0shared000000001';
const NOW = '2026-11-27T21:05:00.000Z';

const isolate = (incidentId: string): ActionRecord => ({
  id: `isolate-instance:${SHARED}`,
  type: 'isolate-instance',
  target: SHARED,
  status: 'planned',
  mode: 'enforce',
  findingId: `f-${incidentId}`,
  at: '2026-11-27T21:00:00.000Z',
});

/**
 * Opens an incident planning the isolation of SHARED, with the finding (on SHARED) that calls for it
 * stored in it. One incident holds SHARED's key; the other plans it as a linked incident would (an
 * attack sequence naming the instance, not merged with its holder).
 */
async function openIncident(store: IncidentStore, id: string, holdsKey: boolean): Promise<void> {
  const keyed = holdsKey ? { resource: { kind: 'ec2-instance' as const, resourceType: 'Instance', id: SHARED }, resourceKey: SHARED_KEY } : {};
  await store.commit({ incident: incidentFixture({ id, actions: [isolate(id)], ...keyed }), expectedRevision: null, timeline: [], messages: [] });
  await storeInstanceFinding(store, id, `f-${id}`, SHARED);
}

const SHARED_KEY = `ec2-instance:111122223333:eu-west-1:${SHARED}`;

describe.each([
  ['the first holds the key', 'dl-first'],
  ['the second holds the key', 'dl-second'],
])('one holder per resource (%s)', (_, keyHolder) => {
  let t: ReturnType<typeof tempSqliteStore>;
  const executed: string[] = [];
  let during: ((incidentId: string) => Promise<void>) | null = null;
  const adapter: Containment = {
    canEnforce: true,
    execute: async (a: ActionRecord, ctx: ExecutionContext) => {
      executed.push(`${ctx.incident.id} ${a.target}`);
      const hook = during;
      during = null;
      await hook?.(ctx.incident.id);
      await ctx.record({ name: 'isolate', status: 'done', at: NOW, detail: 'isolated' });
    },
    release: async () => {},
  };
  const deps = (): ContainDeps => ({ store: listingRefused(t.store), policy: DEFAULT_POLICY, now: () => NOW, containment: adapter, forceEnforce: true });
  const actionOf = async (id: string) => ((await t.store.getIncident(id)) as Incident).actions[0];

  beforeEach(async () => {
    t = tempSqliteStore();
    executed.length = 0;
    during = null;
    await openIncident(t.store, 'dl-first', keyHolder === 'dl-first');
    await openIncident(t.store, 'dl-second', keyHolder === 'dl-second');
  });
  afterEach(async () => t.cleanup());

  it('a run after the other incident carried it out leaves it to that one', async () => {
    // The second incident plans it only after the first carried it out (a later finding of its own).
    const planned = await actionOf('dl-second');
    await changeIncident(deps(), 'dl-second', (draft) => {
      draft.actions = [];
      return { entries: [] };
    });
    await runContainment(deps(), 'dl-first');
    await changeIncident(deps(), 'dl-second', (draft) => {
      draft.actions = [planned];
      return { entries: [] };
    });
    const second = await runContainment(deps(), 'dl-second');
    expect(executed).toEqual([`dl-first ${SHARED}`]);
    expect(await actionOf('dl-first')).toMatchObject({ status: 'done' });
    expect(await actionOf('dl-second')).toMatchObject({ status: 'skipped', heldBy: 'dl-first', reason: expect.stringContaining('incident dl-first') });
    expect(second.actions).toEqual([expect.objectContaining({ status: 'skipped', target: SHARED })]);
  });

  it('a run while the other incident is carrying it out leaves it to that one', async () => {
    during = async () => {
      await runContainment(deps(), 'dl-second');
    };
    await runContainment(deps(), 'dl-first');
    expect(executed).toEqual([`dl-first ${SHARED}`]);
    expect(await actionOf('dl-first')).toMatchObject({ status: 'done' });
    expect((await actionOf('dl-first')).heldBy).toBeUndefined();
    expect(await actionOf('dl-second')).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
  });

  // Only the key's holder is written by another's take: a linked incident's plan is found at its own run.
  it.runIf(keyHolder === 'dl-second')('the run that takes it up first marks the holder’s plan as left to it, in the same commit', async () => {
    let seen: ActionRecord | undefined;
    during = async () => {
      seen = await actionOf('dl-second');
    };
    await runContainment(deps(), 'dl-first');
    expect(seen).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
    const timeline = await t.store.getTimeline('dl-second');
    expect(timeline.at(-1)).toMatchObject({ kind: 'containment-skipped', detail: { action: 'isolate-instance', target: SHARED, heldBy: 'dl-first' } });
  });

  it.runIf(keyHolder === 'dl-second')(
    'a linked incident that took it up is noted on the holder: the holder’s later plan and a third linked incident leave it to that one',
    async () => {
      // The holder plans it only after the linked incident took it up (a later finding of its own).
      const planned = await actionOf('dl-second');
      await changeIncident(deps(), 'dl-second', (draft) => {
        draft.actions = [];
        return { entries: [] };
      });
      await openIncident(t.store, 'dl-third', false);
      await runContainment(deps(), 'dl-first');
      expect((await t.store.getIncident('dl-second'))?.containedBy).toEqual([
        { type: 'isolate-instance', target: SHARED, accountId: '111122223333', region: 'eu-west-1', incidentId: 'dl-first' },
      ]);
      await changeIncident(deps(), 'dl-second', (draft) => {
        draft.actions = [planned];
        return { entries: [] };
      });
      await runContainment(deps(), 'dl-second');
      await runContainment(deps(), 'dl-third');
      expect(executed).toEqual([`dl-first ${SHARED}`]);
      expect(await actionOf('dl-second')).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
      expect(await actionOf('dl-third')).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
    },
  );

  it.runIf(keyHolder === 'dl-second')(
    'a take recorded before the note existed (the holder’s plan left to it, no note) is still seen by a third linked incident',
    async () => {
      await runContainment(deps(), 'dl-first');
      // As a take before b5fae32 left it: the holder's plan left to dl-first, no note (the last read, L3).
      await changeIncident(deps(), 'dl-second', (draft) => {
        delete draft.containedBy;
        return { entries: [] };
      });
      expect(await actionOf('dl-second')).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
      await openIncident(t.store, 'dl-third', false);
      await runContainment(deps(), 'dl-third');
      expect(executed).toEqual([`dl-first ${SHARED}`]);
      expect(await actionOf('dl-third')).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
    },
  );

  it.runIf(keyHolder === 'dl-second')('a note naming an incident that holds it no more gives way: the holder takes it up', async () => {
    const planned = await actionOf('dl-second');
    await changeIncident(deps(), 'dl-second', (draft) => {
      draft.actions = [];
      return { entries: [] };
    });
    await runContainment(deps(), 'dl-first');
    await changeIncident(deps(), 'dl-first', (draft) => {
      draft.actions[0].released = { at: NOW, by: 'fg', reason: 'false positive' };
      return { entries: [] };
    });
    await changeIncident(deps(), 'dl-second', (draft) => {
      draft.actions = [planned];
      return { entries: [] };
    });
    await runContainment(deps(), 'dl-second');
    expect(executed).toEqual([`dl-first ${SHARED}`, `dl-second ${SHARED}`]);
    expect(await actionOf('dl-second')).toMatchObject({ status: 'done' });
    expect((await t.store.getIncident('dl-second'))?.containedBy).toBeUndefined();
  });
});

/**
 * An action left to another incident while that one took the resource up, and that one is then
 * closed with it not carried out (its isolation failed; the FG closed it with a containment reason
 * about its own breach). Nothing else contains the resource: the action is handed back, in the
 * closing's commit, to the incident that left it (review6 R5, the last read's L8). Its FG and
 * on-call are told, its next run carries it out, and closing it asks what became of it.
 */
describe('an action left to an incident closed with it not carried out', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const executed: string[] = [];
  let fail = true;
  /** Steps recorded done before the isolation's outcome, as ec2.ts records them before and beside the swaps. */
  let before: string[] = [];
  const isolation = isolationAdapter(executed, () => fail, NOW);
  const adapter: Containment = {
    ...isolation,
    execute: async (a, ctx) => {
      for (const name of before) await ctx.record({ name, status: 'done', at: NOW, detail: name });
      await isolation.execute(a, ctx);
    },
  };
  const deps = (now = NOW): ContainDeps => ({ store: t.store, policy: DEFAULT_POLICY, now: () => now, containment: adapter, forceEnforce: true });
  const fg = () => ({ store: t.store, policy: DEFAULT_POLICY, now: () => LATER });
  const LATER = '2026-11-27T22:00:00.000Z';
  const get = async (id: string) => (await t.store.getIncident(id)) as Incident;

  /** dl-first (linked) takes SHARED up, so the key holder's plan is left to it; then the FG closes dl-first. */
  async function firstTakesAndCloses(): Promise<void> {
    await runContainment(deps(), 'dl-first');
    expect((await get('dl-second')).actions[0]).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
    await assess(fg(), { incidentId: 'dl-first', personalData: 'no', risk: 'none', reason: 'dubbel, zie dl-second', by: 'FG' });
    const undone = fail ? { containmentReason: 'dubbel incident: de isolatie loopt onder dl-second' } : {};
    await closeIncident(fg(), { incidentId: 'dl-first', reason: 'afgehandeld onder dl-second', by: 'FG', ...undone });
  }

  beforeEach(async () => {
    t = tempSqliteStore();
    executed.length = 0;
    fail = true;
    before = [];
    await openIncident(t.store, 'dl-first', false);
    await openIncident(t.store, 'dl-second', true);
  });
  afterEach(async () => t.cleanup());

  it('is handed back when the holder is closed: told, and carried out by its own incident’s next run', async () => {
    await firstTakesAndCloses();
    const second = await get('dl-second');
    expect(second.actions[0].heldBy).toBeUndefined();
    expect(second.actions[0]).toMatchObject({ status: 'failed', mode: 'enforce', reason: expect.stringContaining('dl-first') });
    // The Dutch page says it in Dutch, never as an untranslated reason.
    expect(actionReasonLabel('nl', second.actions[0].reason)).toMatch(/^niet uitgevoerd: overgelaten aan incident dl-first, /);
    // Told twice: dl-first's failure in its own run (C3), then the hand-back at its closing.
    const told = (await t.store.listMessages('dl-second')).filter((m) => m.kind === 'containment-failed');
    expect(told.map((m) => `${m.channel} ${m.id.split('/')[2].split(':')[0]}`).sort()).toEqual([
      'fg failed-at-holder',
      'fg handed-back',
      'on-call failed-at-holder',
      'on-call handed-back',
    ]);
    expect((await t.store.getTimeline('dl-second')).at(-1)).toMatchObject({
      kind: 'containment-failed',
      detail: { heldBy: 'dl-first', closed: 'dl-first', target: SHARED },
    });

    fail = false;
    expect(containmentDue(await get('dl-second'))).toBe(true);
    await runContainment(deps(LATER), 'dl-second');
    expect(executed).toEqual([`dl-first ${SHARED}`, `dl-second ${SHARED}`]);
    expect((await get('dl-second')).actions[0].status).toBe('done');
  });

  // review7 Y1: the real adapter records these before any interface is swapped; they cut nothing.
  it('is handed back when the holder’s isolation failed after capturing and preparing (no interface cut)', async () => {
    before = ['capture-metadata', 'prepare-isolation-groups', 'detach-from-asg'];
    await firstTakesAndCloses();
    const second = await get('dl-second');
    expect(second.actions[0].heldBy).toBeUndefined();
    expect(second.actions[0].status).toBe('failed');
    expect(containmentDue(second)).toBe(true);
  });

  // review7 Y16: ec2.ts takes the instance profile off after the swaps whether or not one was cut.
  it('is handed back when the holder’s swaps all failed but its credentials step ran', async () => {
    before = ['capture-metadata', 'revoke-instance-credentials'];
    await firstTakesAndCloses();
    const second = await get('dl-second');
    expect(second.actions[0].heldBy).toBeUndefined();
    expect(containmentDue(second)).toBe(true);
  });

  it('stays left to the holder whose isolation cut one interface and failed on the rest', async () => {
    before = ['capture-metadata', 'prepare-isolation-groups', 'isolate-eni:eni-1'];
    await firstTakesAndCloses();
    expect((await get('dl-second')).actions[0]).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
  });

  // review7 Y2: the run read dl-second holding it; the FG closed dl-second before the run's leave was stored.
  it('is handed back when the holder is closed between the run’s read and its leave', async () => {
    await runContainment(deps(), 'dl-second');
    expect((await get('dl-second')).actions[0].status).toBe('failed');
    await assess(fg(), { incidentId: 'dl-second', personalData: 'no', risk: 'none', reason: 'dubbel, zie dl-first', by: 'FG' });
    let closed = false;
    const racing: IncidentStore = Object.create(t.store);
    racing.commit = async (change) => {
      if (!closed && change.incident.id === 'dl-first' && change.incident.actions.some((a) => a.heldBy === 'dl-second')) {
        closed = true;
        await closeIncident(fg(), { incidentId: 'dl-second', reason: 'afgehandeld onder dl-first', by: 'FG', containmentReason: 'loopt onder dl-first' });
      }
      return t.store.commit(change);
    };
    await runContainment({ ...deps(), store: racing }, 'dl-first');
    expect(closed).toBe(true);
    const first = await get('dl-first');
    expect(first.actions[0].heldBy).toBeUndefined();
    expect(first.actions[0]).toMatchObject({ status: 'failed', reason: expect.stringContaining('dl-second') });
    expect(containmentDue(first)).toBe(true);
    const told = (await t.store.listMessages('dl-first')).filter((m) => m.kind === 'containment-failed').map((m) => m.channel);
    expect(told.sort()).toEqual(['fg', 'on-call']);
  });

  it('closing the incident that left it asks what became of it', async () => {
    await firstTakesAndCloses();
    await assess(fg(), { incidentId: 'dl-second', personalData: 'no', risk: 'none', reason: 'testserver', by: 'FG' });
    await expect(closeIncident(fg(), { incidentId: 'dl-second', reason: 'afgehandeld', by: 'FG' })).rejects.toThrow(/isolate-instance/);
  });

  it('stays left to the holder when the holder carried it out: closing it leaves the resource contained', async () => {
    fail = false;
    await firstTakesAndCloses();
    expect((await get('dl-second')).actions[0]).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
    expect((await t.store.listMessages('dl-second')).filter((m) => m.kind === 'containment-failed')).toEqual([]);
  });

  /**
   * Review7 Y12: closed as a close before a06cbe5 left it (or in Y2's window), with no hand-back: the
   * action stayed left to the closed incident, not due, so no run took it up, nobody was told, and
   * show and status said nothing. The contain function now hands it back when it runs for the
   * incident (told, then carried out); show and status name it until then.
   */
  describe('closed without the hand-back (review7 Y12)', () => {
    async function firstTakesAndClosesWithoutHandBack(): Promise<void> {
      await runContainment(deps(), 'dl-first');
      expect((await get('dl-second')).actions[0]).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
      await changeIncident(deps(), 'dl-first', (draft) => {
        draft.state = 'closed';
        draft.closedAt = NOW;
        draft.closeReason = 'afgehandeld onder dl-second';
        return { entries: [{ at: NOW, kind: 'closed', actor: 'FG', detail: { reason: 'afgehandeld onder dl-second' } }] };
      });
    }
    const ENFORCE = parsePolicy({ containment: { rules: [{ action: 'isolate-instance', findingTypes: ['*'], mode: 'enforce' }] } });
    // The contain function on the next "Incident Updated" of dl-second.
    const containFunction = () =>
      createContainHandler({
        store: t.store,
        notifier: { deliver: async () => {} },
        publisher: { publish: async () => {} },
        policy: ENFORCE,
        logger: capturingLogger([]),
        now: () => LATER,
        containment: adapter,
      } as never)({ id: 'evt-update', detail: { incidentId: 'dl-second' } });
    const cli = (args: string[]) => runCli([...args, '--store', t.dir, '--now', LATER]);

    it('the contain function hands it back, tells, and carries it out', async () => {
      await firstTakesAndClosesWithoutHandBack();
      fail = false;
      await containFunction();
      expect(executed).toEqual([`dl-first ${SHARED}`, `dl-second ${SHARED}`]);
      const second = await get('dl-second');
      expect(second.actions[0]).toMatchObject({ status: 'done' });
      expect(second.actions[0].heldBy).toBeUndefined();
      const kinds = (await t.store.listMessages('dl-second')).map((m) => `${m.channel} ${m.kind}`).sort();
      // dl-first's failure (told in its run, C3), the hand-back, and the containment carried out.
      expect(kinds).toEqual([
        'fg containment-done',
        'fg containment-failed',
        'fg containment-failed',
        'on-call containment-done',
        'on-call containment-failed',
        'on-call containment-failed',
      ]);
      expect((await t.store.getTimeline('dl-second')).find((e) => e.kind === 'containment-failed' && e.detail.closed)).toMatchObject({
        detail: { heldBy: 'dl-first', closed: 'dl-first' },
      });
    });

    it('stays left to a closed incident that holds the resource contained', async () => {
      fail = false;
      await firstTakesAndClosesWithoutHandBack();
      await containFunction();
      expect(executed).toEqual([`dl-first ${SHARED}`]);
      expect((await get('dl-second')).actions[0]).toMatchObject({ status: 'skipped', heldBy: 'dl-first' });
    });

    it('show and status name it until a run takes it up', async () => {
      await firstTakesAndClosesWithoutHandBack();
      const shown = await cli(['show', 'dl-second']);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/left to incident dl-first, which is closed and does not hold it contained: NOT CONTAINED/);
      const json = JSON.parse((await cli(['show', 'dl-second', '--json'])).stdout);
      expect(json.leftToClosed).toEqual([{ type: 'isolate-instance', target: SHARED, heldBy: 'dl-first', closed: 'dl-first' }]);
      expect((await cli(['status'])).stdout).toMatch(
        /dl-second: isolate-instance i-0shared000000001 left to incident dl-first, which is closed .*NOT CONTAINED/,
      );
      const status = JSON.parse((await cli(['status', '--json'])).stdout) as { incidentId: string; leftToClosed?: unknown[] }[];
      expect(status.find((i) => i.incidentId === 'dl-second')?.leftToClosed).toHaveLength(1);
    });

    it('show and status say nothing of a closed holder while the holder is open', async () => {
      await runContainment(deps(), 'dl-first');
      // Its containment failed there: show says so (NOT CONTAINED, failed at dl-first), not that dl-first is closed.
      const shown = (await cli(['show', 'dl-second'])).stdout;
      expect(shown).not.toMatch(/which is closed/);
      expect(shown).toMatch(/left to incident dl-first, which took this resource up and whose containment of it failed at/);
      const status = JSON.parse((await cli(['status', '--json'])).stdout) as { incidentId: string; leftToClosed?: unknown[] }[];
      expect(status.find((i) => i.incidentId === 'dl-second')?.leftToClosed).toBeUndefined();
    });
  });
});
