/**
 * The digest bucket keeps versions (Object Lock), and the anchor writes with If-None-Match, but the
 * bucket policy does not require it: code run as the anchor's role (replaced by an administrator)
 * can write a new version over a digest's name, signed with the anchor's key (review7 G6, its
 * digest part). `verify --digests` read the latest version of each name: with the table rewritten
 * by the same administrator (its anchor state too), the forged digest matched and verify passed.
 * It now lists every version, reports a name written more than once, and checks the first version.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { registryHeads } from '../../handlers/core/audit.js';
import { buildDigestBody, signDigest } from '../../handlers/core/digest.js';
import { sha256 } from '../../handlers/core/hash.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { awsAnchorWorld, rechainAcknowledgementDynamo } from '../support/anchor-world.js';
import { spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

describe.skipIf(!MOTO_AVAILABLE)('a digest written over in the versioned bucket', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
  }, 600_000);
  afterAll(async () => moto?.stop());

  it('is reported by verify --digests, which checks the first version of each name', async () => {
    const { s3, env, store, signer, anchor, location } = await awsAnchorWorld(moto, 'datalek-digests-g6');
    const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:05:00.000Z', canEnforce: false };
    const r = await recordEvent(deps, findingEvent({ id: 'g6-1', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-g6' }));
    const id = r.incidentId as string;
    await acknowledge({ ...deps, now: () => '2026-11-27T21:40:00.000Z' }, { incidentId: id, by: 'anna' });
    expect(await anchor()).toMatchObject({ sequence: 1 }); // digest 1 anchors the acknowledgement at 21:40

    // The administrator moves the acknowledgement to 21:05, every hash recomputed.
    const head = await rechainAcknowledgementDynamo(moto.clients.dynamodb, id, '2026-11-27T21:05:00.000Z');
    // Code run as the anchor signs a digest 1 of the rewritten table and writes it over the name (no
    // If-None-Match: a new version); the table's anchor state is made to name it.
    const body = buildDigestBody({
      sequence: 1,
      previous: null,
      at: new Date().toISOString(),
      store: store.describe(),
      registry: registryHeads(await store.registry()),
      incidents: [{ incidentId: id, seq: head.seq, hash: head.hash }],
      signer: await signer(),
    });
    const { bytes } = await signDigest(body, await signer());
    await s3.send(
      new PutObjectCommand({
        Bucket: 'datalek-digests-g6',
        Key: 'prod/digest-0000000001.json',
        Body: bytes,
        ContentType: 'application/json',
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    await store.saveAnchorState({ sequence: 1, name: 'digest-0000000001.json', digestHash: sha256(bytes.toString('utf8')), root: body.root });

    const proved = await spawnCli(['verify', '--target', 'aws', '--digests', location], env);
    expect(proved.stderr).toMatch(/digest-0000000001\.json: has 2 versions: a digest is written once, so it was written over/);
    // The first version, the anchor's, is the one checked: the rewrite it anchored is caught.
    expect(proved.stderr).toMatch(/digest-0000000001\.json: ledger entry \d+ differs from digest 1/);
    expect(proved.code, proved.stdout + proved.stderr).toBe(1);
  });
});
