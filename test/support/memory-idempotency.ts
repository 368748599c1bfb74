import { CachePersistenceLayer } from '@aws-lambda-powertools/idempotency/cache';

/**
 * The record function's idempotency records in memory (Powertools' cache layer over a Map that
 * honours SET NX), for unit tests of the handler without DynamoDB. Expiry is not kept: a test's
 * invocations are minutes apart at most.
 */
export function memoryIdempotency(): CachePersistenceLayer {
  const items = new Map<string, string>();
  return new CachePersistenceLayer({
    client: {
      get: async (name: string) => items.get(name) ?? null,
      set: async (name: unknown, value: unknown, options?: unknown) => {
        const key = String(name);
        if ((options as { NX?: boolean } | undefined)?.NX && items.has(key)) return null;
        items.set(key, String(value));
        return 'OK';
      },
      del: async (keys: string[]) => keys.filter((k) => items.delete(k)).length,
    },
  });
}
