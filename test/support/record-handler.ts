/**
 * The record function's handler (handlers/lambda/record.ts) on a test's store, its log lines
 * captured in `lines`, with an in-memory idempotency store: for what the function logs and throws.
 */
import type { Policy } from '../../handlers/core/policy.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { createRecordHandler } from '../../handlers/lambda/record.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { capturingLogger } from './logs.js';
import { memoryIdempotency } from './memory-idempotency.js';

export function loggedRecordHandler(store: IncidentStore, lines: string[], now: string, policy: Policy = DEFAULT_POLICY) {
  return createRecordHandler({
    store,
    notifier: { deliver: async () => {} },
    publisher: { publish: async () => {} },
    policy,
    now: () => now,
    logger: capturingLogger(lines),
    persistenceStore: memoryIdempotency(),
  });
}
