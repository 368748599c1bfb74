/**
 * Each Lambda function that commits an incident bounds its tries by its own invocation's time
 * (review7 K6 and its storm gaps): the record, sweep, acknowledge and link-apply functions take their
 * deadline from their Lambda context, through one rule (core/conflict-retry.ts untilDeadline), and
 * what they could not do in time is answered or left for the next run, never cut off by a timeout.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEEP_AFTER_COMMIT_MS, MAX_CONFLICT_ATTEMPTS } from '../../handlers/core/conflict-retry.js';
import { ConflictError } from '../../handlers/core/errors.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { createRecordHandler } from '../../handlers/lambda/record.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent } from '../support/events.js';
import { capturingLogger } from '../support/logs.js';
import { memoryIdempotency } from '../support/memory-idempotency.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = () => '2026-11-27T10:00:00.000Z';

/** A Lambda context with `ms` left, counted down by the clock (a fake one where the test fakes Date). */
const invocation = (ms: number) => {
  const end = Date.now() + ms;
  return { awsRequestId: 'req-1', functionName: 'fn', getRemainingTimeInMillis: () => end - Date.now() };
};

/** `store` with its commit refused as a lost race `times` times first (nothing written), the rest passed on. */
function losing(store: IncidentStore, times: number) {
  const counted = { commits: 0 };
  const proxy: IncidentStore = new Proxy(store, {
    get(target, prop) {
      if (prop === 'commit')
        return async (change: Parameters<IncidentStore['commit']>[0]) => {
          counted.commits += 1;
          if (counted.commits <= times) throw new ConflictError('another writer changed the incident first');
          return target.commit(change);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: proxy, counted };
}

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

const quiet = { notifier: { deliver: async () => {} }, publisher: { publish: async () => {} } };

describe('the record function', () => {
  it('near its deadline still makes the quick tries every function with a deadline makes (one rule, untilDeadline), instead of failing at its first lost race', async () => {
    const lines: string[] = [];
    const { store, counted } = losing(t.store, 3);
    const record = createRecordHandler({
      ...quiet,
      store,
      policy: DEFAULT_POLICY,
      now: NOW,
      logger: capturingLogger(lines),
      persistenceStore: memoryIdempotency(),
    });
    // Less left than the time kept after the commit: no pause fits.
    const summary = await record(findingEvent({ id: 'late' }), invocation(KEEP_AFTER_COMMIT_MS / 2));
    expect(summary.outcome).toBe('opened');
    expect(counted.commits).toBe(4);
    expect(counted.commits).toBeLessThanOrEqual(MAX_CONFLICT_ATTEMPTS);
  });
});
