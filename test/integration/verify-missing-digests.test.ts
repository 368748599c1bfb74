/**
 * `verify --digests` checked the digests it found, never that the one the store says it wrote last
 * is there (review7 K8): the newest digest deleted from a local folder (or a wrong, empty location
 * given) passed, "The store holds everything 1 digest anchored", while the store's anchor state
 * names digest 2 and its hash, and a rewrite of what digest 2 anchored went unseen.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { localAnchorWorld } from '../support/anchor-world.js';
import { rechainSqlite } from '../support/tamper.js';

it('verify --digests names a digest the store says it wrote that is not there', async () => {
  const { dir, store, id, digests, anchor, ack, verify } = await localAnchorWorld('k8');
  expect((await anchor()).code).toBe(0);
  expect((await ack('anna', '2026-11-20T21:40:00Z')).code).toBe(0);
  expect((await anchor()).code).toBe(0); // digest 2 anchors the acknowledgement

  // Whoever can write the store here deletes the newest digest and moves the acknowledgement.
  chmodSync(join(digests, 'digest-0000000002.json'), 0o600);
  rmSync(join(digests, 'digest-0000000002.json'));
  const db = new Database(join(store, 'datalek.sqlite'));
  rechainSqlite(db, id, (r) => (r.acknowledgedAt = '2026-11-20T21:05:00.000Z'));
  db.close();
  const proved = await verify();
  // And a location holding no digest at all.
  const empty = join(dir, 'elsewhere');
  mkdirSync(empty);
  const vacuous = await verify(empty);
  // Both exit 1: the store's anchor state names digest 2 (and its hash), which is not there.
  const missing =
    /datalek: digest-0000000002\.json: is the digest 2 the store says it wrote last \(hash [0-9a-f]{64}\), and it is not in .*: deleted, or the wrong location/;
  expect(proved.stderr).toMatch(missing);
  expect(proved.code, proved.stdout + proved.stderr).toBe(1);
  expect(vacuous.stderr).toMatch(missing);
  expect(vacuous.code, vacuous.stdout + vacuous.stderr).toBe(1);
});
