/**
 * A store rolled back behind its digests (review7 K3): `anchor` reported "Nothing changed since the
 * last digest" (exit 0), then, once the store changed again, "unexpected failure: Error: EEXIST …"
 * with a stack trace; and an incident rolled back on its own was signed into the next digest.
 * It now refuses by name: a digest after the one the store records that anchors what the store no
 * longer holds, or an incident whose ledger lost the head a digest anchored.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { localAnchorWorld, restoreIncidentRows } from '../support/anchor-world.js';

it('anchor on a store rolled back behind the digests says so, instead of "nothing changed" and then a crash', async () => {
  const { dir, store, anchor, ack } = await localAnchorWorld('k3');
  expect((await anchor()).code).toBe(0); // digest 1
  cpSync(store, join(dir, 'copy'), { recursive: true });
  expect((await ack('anna', '2026-11-20T21:40:00Z')).code).toBe(0);
  expect((await anchor()).code).toBe(0); // digest 2 holds the acknowledgement

  // The store is put back to the copy taken after digest 1 (the acknowledgement is gone).
  rmSync(store, { recursive: true });
  cpSync(join(dir, 'copy'), store, { recursive: true });

  const first = await anchor();
  await ack('bob', '2026-11-20T22:40:00Z');
  const second = await anchor();
  // The anchor sees the digest after the one the store names, and says the store was rolled back.
  expect(first.stdout, `first anchor exit ${first.code}`).toBe('');
  expect(first.stderr).toMatch(
    /^datalek: the store is behind its digests: digest-0000000002\.json in .* anchors incident dl-\S+ at ledger entry \d+, which the store does not hold, while the store records digest 1 as its last\. The store was rolled back/,
  );
  expect(first.code).toBe(1);
  expect(second.stderr).toMatch(/^datalek: the store is behind its digests: digest-0000000002\.json/);
  expect(second.stderr).not.toMatch(/unexpected failure|EEXIST|\n\s+at /);
  expect(second.code).toBe(1);
});

it('anchor refuses to sign an incident rolled back behind the head it anchored before', async () => {
  const { dir, store, digests, id, anchor, ack } = await localAnchorWorld('k3b', ['i-one', 'i-two']);
  expect((await anchor()).code).toBe(0);
  cpSync(store, join(dir, 'copy'), { recursive: true });
  expect((await ack('anna', '2026-11-20T21:40:00Z')).code).toBe(0);
  expect((await anchor()).code).toBe(0); // digest 2: the incident with its acknowledgement

  // This one incident's rows are put back as the copy holds them (its acknowledgement gone).
  restoreIncidentRows(join(dir, 'copy'), store, id);

  const third = await anchor();
  // Refused (the head digest 2 anchored is gone), not signed at the shorter ledger: digest 3 anchors
  // nothing of it and lists it as left out, so the next run reads it, marked or not (review15 K3).
  const digest3 = JSON.parse(readFileSync(join(digests, 'digest-0000000003.json'), 'utf8')) as { incidents: [string][]; leftOut?: string[] };
  expect([digest3.incidents.map(([i]) => i), digest3.leftOut]).toEqual([[], [id]]);
  expect(third.stderr).toMatch(
    new RegExp(`incident ${id}, ledger \\d+: is gone, yet the head a digest anchored: the incident was rolled back behind its digests`),
  );
  expect(third.code).toBe(1);
});
