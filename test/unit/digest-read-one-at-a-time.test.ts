/**
 * record20: verify --digests (and a shard release, and the anchor's check of its own record) read
 * every digest into memory before comparing any, so a long chain failed verify before anything
 * else. The digests are now read one at a time, in order, each compared and let go before the next
 * is read.
 */
import { afterEach, expect, it } from 'vitest';
import { pemVerifier } from '../../handlers/adapters/local/pem-keys.js';
import { type DigestProblem, readDigests } from '../../handlers/core/digest.js';
import type { DigestStore } from '../../handlers/ports/digests.js';
import { storeAt } from '../support/sqlite-anchor.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-12-01T01:00:00.000Z';
let world = tempSqliteStore();
afterEach(async () => {
  await world.cleanup();
  world = tempSqliteStore();
});

it('reads the next digest only once the one before was taken, in order, chain checked', async () => {
  const { keys, digests, anchor, open } = storeAt(world.dir, NOW);
  for (let n = 1; n <= 3; n++) {
    await open(`one-at-a-time-${n}`);
    await anchor();
  }
  const reads: string[] = [];
  const counting: DigestStore = Object.assign(Object.create(digests), {
    read: async (name: string) => {
      reads.push(name);
      return digests.read(name);
    },
  });
  const problems: DigestProblem[] = [];
  const taken: number[] = [];
  for await (const d of readDigests(counting, pemVerifier(keys.public), problems)) {
    taken.push(d.sequence);
    expect(reads, `read when digest ${d.sequence} is taken`).toHaveLength(d.sequence);
  }
  expect([taken, problems]).toEqual([[1, 2, 3], []]);
});
