/**
 * readB19: a person's release (`anchor --release`, `--release-shard`) is never read from the store:
 * it is in the digest the run writes, or nowhere. When another anchor (on AWS the scheduled one,
 * every 5 minutes) wrote that digest's number first, the release run failed saying "the next run
 * checks it against the store and carries on after it": the FG read that the release would follow,
 * but no run ever makes it. The error now says the release is in no digest, and to run it again.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DigestFolder } from '../../handlers/adapters/local/digest-folder.js';
import { pemSigner } from '../../handlers/adapters/local/pem-keys.js';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { anchorStore } from '../../handlers/core/anchor.js';
import { localAnchorWorld, restoreIncidentRows } from '../support/anchor-world.js';

it('a release run that loses its digest number to another anchor says the release is in no digest', async () => {
  const world = await localAnchorWorld('release-race', ['i-one', 'i-two']);
  expect((await world.anchor()).code).toBe(0); // digest 1
  cpSync(world.store, join(world.dir, 'copy'), { recursive: true });
  expect((await world.ack('anna', '2026-11-20T21:40:00Z')).code).toBe(0);
  expect((await world.anchor()).code).toBe(0); // digest 2: the acknowledgement anchored
  restoreIncidentRows(join(world.dir, 'copy'), world.store, world.id);

  const source = new SqliteIncidentStore(world.store);
  const signer = pemSigner(world.keys.private);
  const now = () => '2026-11-20T22:00:00.000Z';
  // The scheduled anchor writes the next digest while the release run is between reading and writing.
  let raced = false;
  class Raced extends DigestFolder {
    override async create(name: string, bytes: Buffer): Promise<void> {
      if (!raced) {
        raced = true;
        await anchorStore({ source, signer, digests: new DigestFolder(world.digests), now });
      }
      return super.create(name, bytes);
    }
  }
  const release = anchorStore({
    source,
    signer,
    digests: new Raced(world.digests),
    now,
    releases: [{ incidentId: world.id, by: 'FG de Vries', why: 'put back from the backup' }],
  });
  await expect(release).rejects.toThrow(/the release of incident \S+ asked for is in no digest: run the release again/);
  await source.close();
});
