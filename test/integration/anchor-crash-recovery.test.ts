/**
 * `anchor` writes the digest first and records it in the store after (review7 K7). A process
 * killed between the two (SIGKILL, a Lambda timeout, a full disk at the store's write) left digest
 * N written and the store naming N-1: every later anchor tried to write digest N again and failed,
 * for good (on S3 with Object Lock in compliance mode nobody can delete digest N). The anchor now
 * takes digest N as written when it is its own and anchors only what the store holds. Simulated
 * by putting back the store as it was before the anchor's own writes (the digest stays).
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { localAnchorWorld } from '../support/anchor-world.js';
import { enteredAtNow } from '../support/cli.js';

it('an anchor killed after writing its digest does not stop every later anchor', async () => {
  const { dir, store, id, anchor, ack, verify } = await localAnchorWorld('k7');
  expect((await anchor()).code).toBe(0); // digest 1, recorded
  expect((await ack('anna', '2026-11-20T21:40:00Z')).code).toBe(0);

  // The anchor that writes digest 2 dies before recording it in the store.
  cpSync(store, join(dir, 'before'), { recursive: true });
  expect((await anchor()).code).toBe(0);
  rmSync(store, { recursive: true });
  cpSync(join(dir, 'before'), store, { recursive: true });

  // The next scheduled anchors, after more is recorded.
  // Entered at the time it states (support/cli.ts enteredAtNow), before the AP deadline; it must be recorded.
  const assessed = await enteredAtNow([
    'assess',
    id,
    '--personal-data',
    'no',
    '--risk',
    'none',
    '--reason',
    'test',
    '--by',
    'fg',
    '--store',
    store,
    '--now',
    '2026-11-20T22:00:00Z',
  ]);
  expect(assessed.code, assessed.stderr).toBe(0);
  const next = await anchor();
  const again = await anchor();
  // The anchor finds digest 2 (its own, signed with its key, continuing digest 1, naming heads the
  // store holds), takes it as written, and writes digest 3; never stuck, never a stack trace.
  expect(next.stderr).toMatch(/^datalek: digest 2 \(digest-0000000002\.json\) was written by an anchor that stopped before recording it: .* taken as written/);
  expect(next.stdout).toMatch(/^Digest 3 written .*: 1 incident head anchored/);
  expect(next.code, next.stderr).toBe(0);
  expect([again.code, again.stdout.trim(), again.stderr]).toEqual([0, 'Nothing changed since the last digest: none written.', '']);
  // One unbroken chain of three digests, which the store matches.
  const proved = await verify();
  expect(proved.stdout, proved.stderr).toMatch(/The store holds everything 3 digests anchored/);
  expect(proved.code).toBe(0);
});
