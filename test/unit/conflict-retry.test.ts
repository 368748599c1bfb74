/**
 * review7 K6: a commit that lost the race for its incident pauses before it tries again, for a
 * random time under a ceiling that doubles with each lost try, so writers racing for one incident
 * spread out instead of meeting again. With a time budget (the record function's invocation) it
 * goes on while a pause fits; without one, MAX_CONFLICT_ATTEMPTS tries.
 */
import { describe, expect, it } from 'vitest';
import { backoffRetry, FIRST_PAUSE_MS, MAX_CONFLICT_ATTEMPTS, MAX_PAUSE_MS, pauseCeiling, untilDeadline } from '../../handlers/core/conflict-retry.js';

/** A retry whose pauses are recorded, with `random` fixed, and a clock the pauses advance. */
function recorded(o: { random: number; budgetMs?: number }) {
  const pauses: number[] = [];
  let elapsed = 0;
  const retry = backoffRetry({
    random: () => o.random,
    sleep: async (ms) => {
      pauses.push(ms);
      elapsed += ms;
    },
    ...(o.budgetMs === undefined ? {} : { timeLeft: () => (o.budgetMs as number) - elapsed }),
  });
  return { retry, pauses };
}

async function triesUntilGivenUp(retry: { again(attempt: number): Promise<boolean> }, limit = 10_000): Promise<number> {
  for (let attempt = 1; attempt < limit; attempt++) if (!(await retry.again(attempt))) return attempt;
  return limit;
}

describe('trying a commit again after a conflict', () => {
  it('pauses under a ceiling that doubles from FIRST_PAUSE_MS up to MAX_PAUSE_MS', async () => {
    expect([1, 2, 3, 4].map(pauseCeiling)).toEqual([FIRST_PAUSE_MS, 2 * FIRST_PAUSE_MS, 4 * FIRST_PAUSE_MS, 8 * FIRST_PAUSE_MS]);
    expect(pauseCeiling(60)).toBe(MAX_PAUSE_MS);
    const { retry, pauses } = recorded({ random: 0.5 });
    await triesUntilGivenUp(retry);
    expect(pauses.slice(0, 3)).toEqual([FIRST_PAUSE_MS / 2, FIRST_PAUSE_MS, 2 * FIRST_PAUSE_MS].map(Math.floor));
    expect(Math.max(...pauses)).toBeLessThanOrEqual(MAX_PAUSE_MS);
  });

  it('pauses a random share of the ceiling: writers that lost together do not meet again', async () => {
    const low = recorded({ random: 0.1 });
    const high = recorded({ random: 0.9 });
    await low.retry.again(5);
    await high.retry.again(5);
    expect(low.pauses[0]).toBeLessThan(high.pauses[0]);
  });

  it('without a time budget, gives up after MAX_CONFLICT_ATTEMPTS tries', async () => {
    expect(await triesUntilGivenUp(recorded({ random: 0.5 }).retry)).toBe(MAX_CONFLICT_ATTEMPTS);
  });

  it('with a time budget, tries on past MAX_CONFLICT_ATTEMPTS while a pause fits, and then gives up', async () => {
    const budgetMs = 60_000;
    const { retry, pauses } = recorded({ random: 0.99, budgetMs });
    const tries = await triesUntilGivenUp(retry);
    expect(tries).toBeGreaterThan(MAX_CONFLICT_ATTEMPTS);
    expect(pauses.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(budgetMs);
  });

  it('with a time budget and a number of tries (the sweep), stops at whichever runs out first', async () => {
    const { retry } = recorded({ random: 0.5, budgetMs: 60_000 });
    const bounded = backoffRetry({ random: () => 0.5, sleep: async () => {}, timeLeft: () => 60_000, maxAttempts: MAX_CONFLICT_ATTEMPTS });
    expect(await triesUntilGivenUp(bounded)).toBe(MAX_CONFLICT_ATTEMPTS);
    expect(await triesUntilGivenUp(retry)).toBeGreaterThan(MAX_CONFLICT_ATTEMPTS);
  });

  it('with a deadline already too near for a pause, still makes the tries of a run without one (e198656 gave up at the first lost race: never-left-open failed)', async () => {
    expect(await triesUntilGivenUp(untilDeadline(Date.now()))).toBe(MAX_CONFLICT_ATTEMPTS);
  });
});
