/**
 * Concurrent sweeps on DynamoDB: each page is sent once, level by level, until acknowledged. (The
 * tampering of both stores is in tamper.test.ts and tamper-dynamodb.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

describe.skipIf(!MOTO_AVAILABLE)('concurrent sweeps on moto', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
  });
  afterAll(async () => moto?.stop());

  const open = async () => {
    const r = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:05:00.000Z', canEnforce: false },
      findingEvent({ id: `sweep-${Date.now()}`, instanceId: 'i-sweep' }),
    );
    return r.incidentId as string;
  };

  it('sends each page once when ten sweeps run at once, and escalates level by level until acknowledged', async () => {
    const id = await open();
    const deps = (now: string) => ({ store, policy: DEFAULT_POLICY, now: () => now });
    const at = async (now: string) =>
      (await Promise.all(Array.from({ length: 10 }, () => sweep(deps(now))))).flatMap((r) => r.sent).filter((s) => s.incidentId === id);
    expect((await at('2026-11-27T21:20:00.000Z')).map((s) => `${s.kind}:${s.level}`)).toEqual(['page:secondary']);
    expect((await at('2026-11-27T21:35:00.000Z')).map((s) => `${s.kind}:${s.level}`)).toEqual(['page:fg']);
    expect((await at('2026-11-27T21:50:00.000Z')).map((s) => `${s.round}:${s.level}`)).toEqual(['1:on-call']);
    await acknowledge(deps('2026-11-27T21:52:00.000Z'), { incidentId: id, by: 'anna' });
    expect(await at('2026-11-27T22:05:00.000Z')).toEqual([]);
    const pages = (await store.listMessages(id)).filter((m) => m.kind === 'page' || m.kind === 'opened');
    expect(pages.map((m) => `${m.channel}:${m.attributes.level ?? 'opened'}`)).toEqual([
      'fg:opened',
      'on-call:opened',
      'on-call:secondary',
      'fg:fg',
      'on-call:on-call',
    ]);
    // Forty sweeps against one serial emulator, each querying every index shard and retrying its
    // lost races: slow on a busy machine, whatever the code does.
  }, 90_000);
});
