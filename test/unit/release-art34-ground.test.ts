/**
 * fgsec12 S5 (review11): the Art. 34(3)(b) exception "measures taken" ("later measures removed the
 * high risk") is accepted on containment carried out alone, and `facts` refuses to empty
 * --measures-taken while the exception rests on it. But `release` undid the containment the exception
 * rested on without a word: the instance back on the network, the record still saying the data
 * subjects need not be told, no measure in effect, nothing asking for a new decision (Art. 34(1),
 * (3)(b), 5(2)). Now the release is refused before anything is undone, naming Art. 34, as `facts`
 * refuses; with a measure the facts state in effect, or after a new Art. 34 decision, it goes through.
 *
 * The closing note's "Still left": the same check on another incident a release undoes containment
 * for (`--undo-for`) had no test, and read that incident before the commit that starts the release:
 * a decision recorded there in between slipped past it. It is now read in that commit.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { measuresTaken } from '../../handlers/core/breach-facts.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import type { ContainDeps } from '../../handlers/core/contain.js';
import { RELEASE_MARK_MS } from '../../handlers/core/containment.js';
import { assess, decideSubjects, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { doneIsolation, incidentFixture, storeInstanceFinding } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const NOW = '2026-11-28T08:00:00.000Z';
const TARGET = 'i-0s5isolated00001';

/** A containment that records which targets a release undid, in `undone`, and restores one interface. */
function recordingContainment(undone: string[]): Containment {
  return {
    canEnforce: true,
    execute: async () => {},
    release: async (action, _i, options) => {
      undone.push(action.target);
      await options.record({ name: 'restore-eni:eni-1', status: 'done', at: NOW });
    },
  };
}

describe('fgsec12 S5: a release that takes away the only measure an Art. 34(3)(b) exception rests on', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const undone: string[] = [];
  const containment = recordingContainment(undone);
  const fg = () => ({ store: t.store, policy, now: () => NOW }) as FgDeps;
  const release = () =>
    releaseContainment({ store: t.store, policy, now: () => NOW, containment } as ContainDeps, {
      incidentId: 'dl-s5',
      by: 'oncall',
      reason: 'instantie terug in productie',
    });
  const stored = async () => (await t.store.getIncident('dl-s5')) as Incident;
  beforeEach(async () => {
    t = tempSqliteStore();
    undone.length = 0;
    const isolated = doneIsolation(TARGET, { findingId: 'f-s5', mode: 'enforce' });
    await t.store.commit({ incident: incidentFixture({ id: 'dl-s5', actions: [isolated] }), expectedRevision: null, timeline: [], messages: [] });
    await storeInstanceFinding(t.store, 'dl-s5', 'f-s5', TARGET);
    await assess(fg(), { incidentId: 'dl-s5', personalData: 'yes', risk: 'high', reason: 'patiëntdossiers', by: 'FG' });
    await decideSubjects(fg(), {
      incidentId: 'dl-s5',
      decision: 'exception',
      exception: 'measures-taken',
      reason: 'de instantie is geïsoleerd: het hoge risico doet zich niet meer voor',
      by: 'FG',
    });
    expect(measuresTaken(await stored()).length).toBeGreaterThan(0); // premise: the isolation is the measure
  });
  afterEach(async () => t.cleanup());

  it('is refused naming Art. 34 before anything is undone, and the containment stays in effect', async () => {
    await expect(release()).rejects.toThrow(/Art\. 34 decision of incident dl-s5 rests on the measures taken .*Art\. 34\(3\)\(b\).*nothing was released/);
    expect(undone).toEqual([]);
    const after = await stored();
    expect(after.actions[0].released).toBeUndefined();
    expect(after.actions[0].releasing).toBeUndefined();
    expect(after.subjects?.exception).toBe('measures-taken');
  });

  it('goes through once a measure the facts state is in effect', async () => {
    await recordFacts(fg(), { incidentId: 'dl-s5', by: 'FG', measuresTaken: 'alle sleutels vervangen' });
    await release();
    expect(undone).toEqual([TARGET]);
    expect((await stored()).actions[0].released).toBeDefined();
  });

  it('goes through after a new Art. 34 decision', async () => {
    const inform = { decision: 'inform' as const, date: NOW, channel: 'brief', text: 'Uw gegevens zijn mogelijk ingezien.' };
    await decideSubjects(fg(), { incidentId: 'dl-s5', ...inform, reason: 'de instantie gaat terug in productie', by: 'FG' });
    await release();
    expect(undone).toEqual([TARGET]);
  });

  it('contain15: a "measures taken" exception recorded while the release undoes the containment it would rest on is refused (S5\'s window)', async () => {
    const inform = { decision: 'inform' as const, date: NOW, channel: 'brief', text: 'Uw gegevens zijn mogelijk ingezien.' };
    await decideSubjects(fg(), { incidentId: 'dl-s5', ...inform, reason: 'de instantie gaat terug in productie', by: 'FG' });
    let during: unknown;
    // The decision comes after the release's checked commit and before the commit that records it released: while AWS undoes it.
    const racing: Containment = {
      ...containment,
      release: async (action, incident, options) => {
        during = await decideSubjects(fg(), { incidentId: 'dl-s5', decision: 'exception', exception: 'measures-taken', reason: 'geïsoleerd', by: 'FG' }).catch(
          (err: unknown) => err,
        );
        await containment.release(action, incident, options);
      },
    };
    await releaseContainment({ store: t.store, policy, now: () => NOW, containment: racing } as ContainDeps, {
      incidentId: 'dl-s5',
      by: 'oncall',
      reason: 'instantie terug in productie',
    });
    expect(undone).toEqual([TARGET]);
    expect((await stored()).actions[0].released).toBeDefined();
    expect(String(during), 'the exception was recorded on a containment being undone').toMatch(/the exception "measures taken" needs the measures/);
    expect((await stored()).subjects?.exception).not.toBe('measures-taken');
  });
  it('contain16: a release mark the machine clock has run out is no release under way, however far back --now is stated', async () => {
    const inform = { decision: 'inform' as const, date: NOW, channel: 'brief', text: 'Uw gegevens zijn mogelijk ingezien.' };
    await decideSubjects(fg(), { incidentId: 'dl-s5', ...inform, reason: 'eerst informeren', by: 'FG' });
    // A release that crashed at NOW left its mark, run out at NOW + 15 minutes; the machine's clock is an hour on.
    const until = new Date(Date.parse(NOW) + RELEASE_MARK_MS).toISOString();
    await changeIncident({ store: t.store, policy, now: () => NOW }, 'dl-s5', (draft) => {
      draft.actions[0].releasing = { at: NOW, by: 'oncall', until };
      return { entries: [] };
    });
    const stated = new Date(Date.parse(NOW) + 5 * 60_000).toISOString();
    const machine = new Date(Date.parse(NOW) + 60 * 60_000).toISOString();
    await decideSubjects({ ...fg(), now: () => stated, machineNow: () => machine } as FgDeps, {
      incidentId: 'dl-s5',
      decision: 'exception',
      exception: 'measures-taken',
      reason: 'de instantie is geïsoleerd',
      by: 'FG',
    });
    expect((await stored()).subjects?.exception).toBe('measures-taken');
  });
});

describe('fgsec12 S5 for another incident the release undoes containment for (--undo-for)', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const undone: string[] = [];
  const containment = recordingContainment(undone);
  const fg = () => ({ store: t.store, policy, now: () => NOW }) as FgDeps;
  const measuresTakenException = () =>
    decideSubjects(fg(), {
      incidentId: 'dl-other',
      decision: 'exception',
      exception: 'measures-taken',
      reason: 'de instantie is geïsoleerd: het hoge risico doet zich niet meer voor',
      by: 'FG',
    });
  const release = (store: IncidentStore = t.store) =>
    releaseContainment({ store, policy, now: () => NOW, containment } as ContainDeps, {
      incidentId: 'dl-holder',
      by: 'oncall',
      reason: 'instantie terug in productie',
      undoFor: ['dl-other'],
    });
  const other = async () => (await t.store.getIncident('dl-other')) as Incident;
  const holder = async () => (await t.store.getIncident('dl-holder')) as Incident;
  beforeEach(async () => {
    t = tempSqliteStore();
    undone.length = 0;
    // Both incidents' records hold the isolation of TARGET: dl-other relies on it as its only measure.
    for (const id of ['dl-holder', 'dl-other']) {
      const isolated = doneIsolation(TARGET, { findingId: `f-${id}`, mode: 'enforce' });
      await t.store.commit({ incident: incidentFixture({ id, actions: [isolated] }), expectedRevision: null, timeline: [], messages: [] });
      await storeInstanceFinding(t.store, id, `f-${id}`, TARGET);
    }
    await assess(fg(), { incidentId: 'dl-other', personalData: 'yes', risk: 'high', reason: 'patiëntdossiers', by: 'FG' });
  });
  afterEach(async () => t.cleanup());

  it("is refused naming the other incident's Art. 34 decision, before anything is undone", async () => {
    await measuresTakenException();
    await expect(release()).rejects.toThrow(
      /Art\. 34 decision of incident dl-other rests on the measures taken .*held for it by incident dl-holder.*nothing was released/,
    );
    expect(undone).toEqual([]);
    expect((await other()).actions[0].released).toBeUndefined();
    const kept = (await holder()).actions[0];
    expect([kept.releasing, kept.released]).toEqual([undefined, undefined]);
  });

  it('is refused when that decision is recorded after the release read who holds the containment, before its first commit', async () => {
    // The FG records the decision on dl-other just after the release listed the incidents holding TARGET.
    let raced = false;
    const racing: IncidentStore = Object.create(t.store);
    racing.listIncidents = async (options) => {
      const listed = await t.store.listIncidents(options);
      if (!raced) {
        raced = true;
        await measuresTakenException();
      }
      return listed;
    };
    await expect(release(racing)).rejects.toThrow(/Art\. 34 decision of incident dl-other rests on the measures taken/);
    expect(undone).toEqual([]);
    expect((await other()).subjects?.exception).toBe('measures-taken');
    expect((await other()).actions[0].released).toBeUndefined();
    const kept = (await holder()).actions[0];
    expect([kept.releasing, kept.released]).toEqual([undefined, undefined]);
  });

  it('names the after-close way to a new decision when the other incident is closed, its containment held after closing', async () => {
    await measuresTakenException();
    await changeIncident(fg(), 'dl-other', (draft) => {
      draft.state = 'closed';
      draft.closedAt = NOW;
      return { entries: [{ at: NOW, kind: 'closed', actor: 'FG', detail: { reason: 'afgehandeld' } }] };
    });
    const refused = release();
    await expect(refused).rejects.toThrow(
      /Art\. 34 decision of incident dl-other .*datalek subjects dl-other --after-close\), or the measures in effect \(datalek facts dl-other --measures-taken --reason TEXT\), each after closing/,
    );
    await expect(refused).rejects.toMatchObject({ page: { nl: expect.stringContaining('na het sluiten: het incident is gesloten') } });
    expect(undone).toEqual([]);
    expect((await other()).actions[0].released).toBeUndefined();
  });

  it('goes through for both without such a decision', async () => {
    await release();
    expect(undone).toEqual([TARGET]);
    expect((await other()).actions[0].released).toBeDefined();
  });

  it('contain16: a "measures taken" exception recorded on the other incident while the release undoes its containment is refused', async () => {
    let during: unknown;
    // The decision comes after the release's checked commits and before the commit that records it undone: while AWS undoes it.
    const racing: Containment = {
      ...containment,
      release: async (action, incident, options) => {
        during = await measuresTakenException().catch((err: unknown) => err);
        await containment.release(action, incident, options);
      },
    };
    await releaseContainment({ store: t.store, policy, now: () => NOW, containment: racing } as ContainDeps, {
      incidentId: 'dl-holder',
      by: 'oncall',
      reason: 'instantie terug in productie',
      undoFor: ['dl-other'],
    });
    expect(undone).toEqual([TARGET]);
    expect(String(during), 'the exception was recorded on a containment being undone').toMatch(/the exception "measures taken" needs the measures/);
    const after = await other();
    expect(after.subjects?.exception).not.toBe('measures-taken');
    expect([after.actions[0].released !== undefined, after.actions[0].releasing]).toEqual([true, undefined]);
  });

  it('contain16: a release that fails takes its mark off the other incident too', async () => {
    const failing: Containment = {
      ...containment,
      release: async (action, _i, options) => {
        undone.push(action.target);
        await options.record({ name: 'restore-eni:eni-1', status: 'failed', at: NOW, code: 'UnauthorizedOperation' });
      },
    };
    await releaseContainment({ store: t.store, policy, now: () => NOW, containment: failing } as ContainDeps, {
      incidentId: 'dl-holder',
      by: 'oncall',
      reason: 'instantie terug in productie',
      undoFor: ['dl-other'],
    });
    const after = await other();
    expect([after.actions[0].released, after.actions[0].releasing]).toEqual([undefined, undefined]);
    await measuresTakenException();
    expect((await other()).subjects?.exception).toBe('measures-taken');
  });
});
