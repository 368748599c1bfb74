/**
 * review7 K6: a storm of findings on one resource (an EKS cluster's runtime findings, a bucket's
 * exfiltration findings), recorded by as many record invocations at once as the function's reserved
 * concurrency allows, all racing to commit the same incident. With ten tries in a row and no pause
 * some invocations used them up and failed (Lambda's retries, then the dead-letter queue); with
 * jittered pauses for as long as the invocation has time, every one is recorded the first time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEEP_AFTER_COMMIT_MS } from '../../handlers/core/conflict-retry.js';
import { ConflictError } from '../../handlers/core/errors.js';
import { createRecordHandler } from '../../handlers/lambda/record.js';
import { DEFAULT_RECORD_CONCURRENCY } from '../../infra/config.js';
import { type Pipeline, wirePipeline } from '../support/aws-pipeline.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

/** The record function's timeout (infra/response-stack.ts), or `ms`, counted down as Lambda does. */
const invocation = (ms = 5 * 60_000) => {
  const end = Date.now() + ms;
  return { awsRequestId: `req-${Math.random().toString(16).slice(2)}`, functionName: 'record', getRemainingTimeInMillis: () => end - Date.now() };
};

/** `target` with its method `name` replaced by `fn`. */
function replacing<T extends object>(target: T, name: string, fn: (...args: never[]) => unknown): T {
  return new Proxy(target, {
    get: (t, key) => {
      if (key === name) return fn;
      const value = Reflect.get(t, key, t);
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}

describe.skipIf(!MOTO_AVAILABLE)('a storm of findings on one incident', () => {
  let moto: Moto;
  let p: Pipeline;
  beforeAll(async () => {
    moto = await startMoto();
    p = await wirePipeline(moto);
  }, 600_000);
  afterAll(async () => moto?.stop());

  it('records every finding in its first invocation, however many race for the incident', async () => {
    const record = createRecordHandler({ ...p.deps, persistenceStore: p.persistence });
    const first = await record(findingEvent({ id: 'hot-0', instanceId: 'i-hot' }), invocation());
    const results = await Promise.allSettled(
      Array.from({ length: DEFAULT_RECORD_CONCURRENCY }, (_, i) =>
        record(findingEvent({ id: `hot-${i + 1}`, instanceId: 'i-hot', type: 'Backdoor:EC2/C&CActivity.B', severity: 5 }), invocation()),
      ),
    );
    const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    expect(failed).toEqual([]);
    expect(results.map((r) => (r as PromiseFulfilledResult<{ incidentId: string }>).value.incidentId)).toEqual(
      Array(DEFAULT_RECORD_CONCURRENCY).fill(first.incidentId),
    );
    const incident = await p.deps.store.getIncident(first.incidentId as string);
    expect(incident?.findings).toBe(DEFAULT_RECORD_CONCURRENCY + 1);
  });

  it('fails the invocation loudly when its time runs out before it wins, so Lambda retries it and then the dead-letter queue keeps it', async () => {
    const errors: string[] = [];
    const logger = replacing(p.deps.logger, 'error', (message: string) => errors.push(message));
    let commits = 0;
    // Another writer always got there first.
    const store = replacing(p.deps.store, 'commit', async () => {
      commits += 1;
      throw new ConflictError('another writer changed incident first');
    });
    const record = createRecordHandler({ ...p.deps, logger, store, persistenceStore: p.persistence });
    const event = findingEvent({ id: 'hot-lost', instanceId: 'i-hot-2' });
    await expect(record(event, invocation(KEEP_AFTER_COMMIT_MS + 1_000))).rejects.toThrow(ConflictError);
    expect(commits).toBeGreaterThan(1);
    expect(errors).toEqual([expect.stringMatching(/gave up recording a finding.*dead-letter queue/)]);
    // The failed run leaves no idempotency record: Lambda's retry records it.
    const again = await createRecordHandler({ ...p.deps, persistenceStore: p.persistence })(event, invocation());
    expect(again.outcome).toBe('opened');
  });
});
