/**
 * The repeat of exposed pages on the on-call topic had no bound across incidents (review6 R4): a
 * fleet-wide isolation failure paged on-call with one Critical page per incident every 15 minutes,
 * and the first sweep after deploying the repeat started it at once for every record with an
 * interface recorded open long ago (fixed by hand, never recorded). A sweep now sends at most
 * MAX_EXPOSED_REPEATS_PER_SWEEP repeats, and one summary page for the rest, saying how many it left
 * out and naming them; those left out follow in the next sweeps. A repeat that never went out and
 * fell due more than EXPOSED_REPEAT_STALE_MINUTES ago (a record from before the repeat, or sweeps
 * that did not run) is not paged on its own then: the summary names it, once, and it repeats from
 * then on like any other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../handlers/core/incident.js';
import { EXPOSED_REPEAT_MINUTES, EXPOSED_REPEAT_STALE_MINUTES, MAX_EXPOSED_REPEATS_PER_SWEEP } from '../../handlers/core/schedule.js';
import { sweep } from '../../handlers/core/sweep.js';
import { exposedFleet, FLEET_AT, ISOLATE_ON_SNS } from '../support/pager-incident.js';
import { tempSqliteStore } from '../support/store.js';

const T = FLEET_AT;
const SNS = ISOLATE_ON_SNS;
const N = MAX_EXPOSED_REPEATS_PER_SWEEP + 3;

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

/** N incidents, each acknowledged at minute 5 and with an interface left open at minute 10 (no sweep ran since). */
async function fleet() {
  const f = tempSqliteStore();
  cleanups.push(f.cleanup);
  const ids = await exposedFleet(f.store, N, 'r4-cap');
  /** The on-call exposed pages queued at minute `m`, of every incident. */
  const pagesAt = async (m: number) => {
    const all: OutboxMessage[] = [];
    for (const id of ids) all.push(...(await f.store.listMessages(id)).filter((x) => x.kind === 'interface-exposed' && x.createdAt === T(m)));
    return all;
  };
  const sweepAt = (m: number) => sweep({ store: f.store, policy: SNS, now: () => T(m) });
  return { ...f, ids, pagesAt, sweepAt };
}

const isRepeat = (m: OutboxMessage) => m.body.includes('REPEAT:');

describe('the exposed pages repeated on the on-call topic, across incidents', () => {
  it(`are at most ${MAX_EXPOSED_REPEATS_PER_SWEEP} a sweep, with one summary naming how many were left out and which; those follow in the next sweep`, async () => {
    const f = await fleet();
    await f.sweepAt(10 + EXPOSED_REPEAT_MINUTES);
    const first = await f.pagesAt(10 + EXPOSED_REPEAT_MINUTES);
    const repeats = first.filter(isRepeat);
    expect(repeats).toHaveLength(MAX_EXPOSED_REPEATS_PER_SWEEP);
    const summaries = first.filter((m) => !isRepeat(m));
    expect(summaries).toHaveLength(1);
    const summary = summaries[0];
    expect(summary.channel).toBe('on-call');
    expect(summary.attributes.band).toBe('Critical');
    const left = f.ids.filter((id) => !repeats.some((r) => r.incidentId === id));
    expect(left).toHaveLength(3);
    expect(summary.body).toContain(`3 incidents`);
    for (const id of left) expect(summary.body).toContain(id);
    for (const r of repeats) expect(summary.body).not.toContain(r.incidentId);

    // The next sweep sends the three left out, and needs no summary.
    await f.sweepAt(15 + EXPOSED_REPEAT_MINUTES);
    const next = await f.pagesAt(15 + EXPOSED_REPEAT_MINUTES);
    expect(next.every(isRepeat)).toBe(true);
    expect(next.map((m) => m.incidentId).sort()).toEqual([...left].sort());
  });

  it('of records left open long before their first repeat went out, are one summary on the first sweep, not a page each', async () => {
    const f = await fleet();
    const later = 30 * 24 * 60;
    expect(later).toBeGreaterThan(10 + EXPOSED_REPEAT_MINUTES + EXPOSED_REPEAT_STALE_MINUTES);
    const result = await f.sweepAt(later);
    const pages = await f.pagesAt(later);
    expect(pages).toHaveLength(1);
    expect(isRepeat(pages[0])).toBe(false);
    expect(pages[0].body).toContain(`${N} incidents`);
    for (const id of f.ids) expect(pages[0].body).toContain(id);
    expect(result.failed).toEqual([]);
    // A sweep five minutes later sends nothing; the repeat goes on from the next interval, bounded as always.
    await f.sweepAt(later + 5);
    expect(await f.pagesAt(later + 5)).toEqual([]);
    const step = EXPOSED_REPEAT_MINUTES;
    const nextDue = later + step - ((later - 10) % step);
    await f.sweepAt(nextDue);
    expect((await f.pagesAt(nextDue)).filter(isRepeat)).toHaveLength(MAX_EXPOSED_REPEATS_PER_SWEEP);
  });
});
