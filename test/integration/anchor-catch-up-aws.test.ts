/**
 * The anchor Lambda on a table that does not record its last digest (review7 K7, K3 on AWS): a run
 * that timed out after writing digest N to the Object Lock bucket left the table naming N-1, and
 * every later run failed on If-None-Match for good. Now it lists the digests after the one the
 * table records: its own digest N, anchoring what the table holds, is taken as written; one
 * anchoring what the table no longer holds (a table put back) is refused with an error log the
 * errors alarm sees, and no digest written.
 */
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { awsAnchorWorld, dynamoLedger } from '../support/anchor-world.js';
import { spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { capturingLogger, errorLines } from '../support/logs.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

describe.skipIf(!MOTO_AVAILABLE)('the anchor Lambda behind its digests', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
  }, 600_000);
  afterAll(async () => moto?.stop());

  it('takes its own digest the table did not record as written, and refuses a table put back behind its digests', async () => {
    const lines: string[] = [];
    const { env, store, anchor, location } = await awsAnchorWorld(moto, 'datalek-digests-catch-up', capturingLogger(lines));
    const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:05:00.000Z', canEnforce: false };
    const id = (await recordEvent(deps, findingEvent({ id: 'catch-up-1', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-catch-up' }))).incidentId as string;
    expect(await anchor()).toMatchObject({ sequence: 1 });
    const first = await store.anchorState();
    await acknowledge({ ...deps, now: () => '2026-11-27T21:40:00.000Z' }, { incidentId: id, by: 'anna' });
    expect(await anchor()).toMatchObject({ sequence: 2, incidents: 1 });

    // The run that wrote digest 2 timed out before recording it: the table still names digest 1.
    await store.saveAnchorState(first as NonNullable<typeof first>);
    // The next run takes digest 2 as written (nothing changed since), and the table names it.
    expect(await anchor()).toEqual({ sequence: null, incidents: 0 });
    expect(lines.some((l) => l.includes('took a digest written by an anchor that stopped before recording it') && l.includes('"sequence":2'))).toBe(true);
    expect((await store.anchorState())?.sequence).toBe(2);
    const proved = await spawnCli(['verify', '--target', 'aws', '--digests', location], env);
    expect(proved.code, proved.stdout + proved.stderr).toBe(0);

    // The table is put back behind digest 2: the acknowledgement's ledger entry gone, the state naming digest 1.
    const ack = (await dynamoLedger(moto.clients.dynamodb, id)).at(-1);
    await moto.clients.dynamodb.send(
      new DeleteItemCommand({
        TableName: 'datalek-incidents',
        Key: { pk: { S: `INC#${id}` }, sk: { S: `LG#${String(ack?.seq).padStart(10, '0')}` } },
      }),
    );
    await store.saveAnchorState(first as NonNullable<typeof first>);
    lines.length = 0;
    await expect(anchor()).rejects.toThrow(/the store is behind its digests: digest-0000000002\.json in s3:\/\/.* anchors incident/);
    expect(errorLines(lines).map((l) => JSON.parse(l).message)).toEqual(['the record is behind its digests']);
    expect((await store.anchorState())?.sequence).toBe(1);
  });
});
