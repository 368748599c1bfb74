/**
 * record20: past MAX_PINS_IN_BODY incidents left out, a digest signs a left-out set written beside
 * it, here in the Object Lock bucket (If-None-Match, as the digests). An anchor that dies after
 * writing the set and before its digest leaves the set there: the next run finds it written (S3
 * refuses the second write), takes it as it holds the same bytes, and writes its digest; verify
 * --digests reads the set from the bucket.
 */

import { join } from 'node:path';
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { anchorStore } from '../../handlers/core/anchor.js';
import { leftOutSetName, MAX_PINS_IN_BODY } from '../../handlers/core/digest.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import type { DigestStore, DigestVerifier } from '../../handlers/ports/digests.js';
import { awsAnchorWorld } from '../support/anchor-world.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-12-01T01:00:00.000Z';

describe.skipIf(!MOTO_AVAILABLE)('a left-out set in the digest bucket', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 600_000);
  afterAll(async () => moto?.stop());

  it('is written before its digest, taken as written by the run after one that died between the two, and read by verify', async () => {
    const world = tempSqliteStore();
    const { digests, signer, s3 } = await awsAnchorWorld(moto, 'datalek-digests-left-out-set');
    const store = world.store as SqliteIncidentStore;
    for (let n = 0; n <= MAX_PINS_IN_BODY; n++)
      await recordEvent(
        { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false },
        findingEvent({ id: `set-${n}`, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-set${n}` }),
      );
    const db = new Database(join(world.dir, 'datalek.sqlite'));
    db.prepare("UPDATE incidents SET data = json_set(data, '$.severity', 2.0)").run();
    db.close();

    // The first run dies writing its digest: the set is written, the digest is not.
    const dying: DigestStore = Object.assign(Object.create(digests), {
      create: async (name: string, bytes: Buffer) => {
        if (name.startsWith('digest-')) throw new Error('the run timed out');
        return digests.create(name, bytes);
      },
    });
    const run = async (where: DigestStore) =>
      anchorStore({ source: store, signer: await signer(), digests: where, now: () => NOW, maxBroken: MAX_PINS_IN_BODY + 1 });
    await expect(run(dying)).rejects.toThrow(/digest 1 could not be written/);

    const r = await run(digests);
    const ref = r.written?.leftOutSet;
    expect([r.written?.sequence, ref?.incidents, r.written?.leftOut]).toEqual([1, MAX_PINS_IN_BODY + 1, undefined]);
    const versions = await s3.send(
      new ListObjectVersionsCommand({ Bucket: 'datalek-digests-left-out-set', Prefix: `prod/${leftOutSetName(ref?.hash as string)}` }),
    );
    expect(versions.Versions, 'written once, never over').toHaveLength(1);

    const checked = await verifyStore(store, { digests: { store: digests, verifier: (await signer()).verifier as DigestVerifier }, now: NOW });
    expect(checked.digests?.problems).toEqual([]);
    await world.cleanup();
  }, 300_000);
});
