/**
 * anchorrel17 on DynamoDB: an incident left out (one old ledger entry broken, its head pinned as
 * seen) and then put back from a copy taken before what the digest saw failed the anchor Lambda
 * on every run, for good: the errors alarm paged every 5 minutes. A person releases it with the
 * KMS signing key (`datalek anchor --target aws --release`); the scheduled run passes again, and
 * `verify --digests` shows the release.
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { recordFacts } from '../../handlers/core/fg-workflow.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { awsAnchorWorld, copyIncidentItems, restoreIncidentItems } from '../support/anchor-world.js';
import { spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { capturingLogger, errorLines } from '../support/logs.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const BY = 'FG de Vries';
const WHY = 'incident put back from the table restored to 27 November 21:10';

describe.skipIf(!MOTO_AVAILABLE)('a pinned incident released on DynamoDB', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
  }, 600_000);
  afterAll(async () => moto?.stop());

  it('fails the scheduled run after every restore until a person releases it with the signing key', async () => {
    const lines: string[] = [];
    const { env, store, anchor, location } = await awsAnchorWorld(moto, 'datalek-digests-release', capturingLogger(lines));
    const db = moto.clients.dynamodb;
    const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:05:00.000Z', canEnforce: false };
    const id = (await recordEvent(deps, findingEvent({ id: 'release-1', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-release' }))).incidentId as string;
    expect(await anchor()).toMatchObject({ sequence: 1 });
    const copy = await copyIncidentItems(db, id);

    // The facts recorded, then one byte of the first ledger entry: left out, its head pinned as seen (digest 2).
    await recordFacts({ ...deps, now: () => '2026-11-27T21:20:00.000Z' }, { incidentId: id, by: 'FG', summary: 'customer records of 1,200 people read' });
    const first = copy.find((i) => i.sk.S === 'LG#0000000001')?.data.S as string;
    await db.send(
      new UpdateItemCommand({
        TableName: 'datalek-incidents',
        Key: { pk: { S: `INC#${id}` }, sk: { S: 'LG#0000000001' } },
        UpdateExpression: 'SET #d = :d',
        ExpressionAttributeNames: { '#d': 'data' },
        ExpressionAttributeValues: { ':d': { S: first.replace('"at":"', '"at":" ') } },
      }),
    );
    await expect(anchor()).rejects.toThrow(/digest 2 written without 1 incident\(s\) that do not verify/);

    // Put back from the copy (before the facts): it verifies, but lacks the head digest 2 saw. Every run fails.
    await restoreIncidentItems(db, id, copy);
    const plain = await spawnCli(['verify', '--target', 'aws'], env);
    expect(plain.code, plain.stderr).toBe(0);
    for (let run = 0; run < 2; run++) {
      lines.length = 0;
      await expect(anchor()).rejects.toThrow(/problem\(s\) in the record/);
      expect(errorLines(lines).some((l) => l.includes('the head the last digest saw while the incident did not verify'))).toBe(true);
    }

    // The person releases it with the KMS key.
    const released = await spawnCli(['anchor', '--target', 'aws', '--digests', location, '--release', id, '--by', BY, '--why', WHY, '--json'], env);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stderr).toMatch(new RegExp(`incident ${id} released by ${BY} in digest \\d+: gave up the head seen while left out`));
    expect(JSON.parse(released.stdout).released).toEqual([expect.objectContaining({ incident: id, seen: expect.any(Array), by: BY, why: WHY })]);

    // The scheduled run passes again (it anchors the timeline entry the release wrote), then has nothing to do.
    lines.length = 0;
    expect(await anchor()).toMatchObject({ incidents: 1 });
    expect(await anchor()).toEqual({ sequence: null, incidents: 0 });
    expect(errorLines(lines)).toEqual([]);
    // The scheduled run after the release names it in the log: incident and digest, never who or why.
    const named = lines.filter((l) => l.includes('releases incidents or registry shards from their pinned heads by hand'));
    expect(named).toHaveLength(1);
    expect(JSON.parse(named[0])).toMatchObject({ level: 'WARN', sequence: 3, incidentIds: [id], registryShards: [] });
    expect(named[0]).not.toContain(BY);
    expect(named[0]).not.toContain(WHY);

    const verified = await spawnCli(['verify', '--target', 'aws', '--digests', location], env);
    expect(verified.stderr).toBe('');
    expect(verified.stdout).toMatch(new RegExp(`Released by hand: incident ${id} in digest 3 .* by ${BY}: gave up ledger entry \\d+ as seen while left out`));
    expect(verified.code).toBe(0);
  }, 300_000);
});
