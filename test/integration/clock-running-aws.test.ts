/**
 * atk29 A10 on the DynamoDB store (moto): an incident below the FG's threshold tells the FG once, at
 * opening, that its AP clock runs; redelivered, it tells nobody again, and the record verifies clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { bucketResource, findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

describe.skipIf(!MOTO_AVAILABLE)('a Medium incident tells the FG its AP clock runs, on DynamoDB (moto)', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  const now = '2026-11-24T08:05:00.000Z';
  const deps = () => ({ store, policy: DEFAULT_POLICY, now: () => now, canEnforce: false });
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
  });
  afterAll(async () => moto?.stop());

  it('queues one clock-running message to the FG, no page', async () => {
    const event = findingEvent({
      id: 'aws-m9',
      type: 'Exfiltration:S3/AnomalousBehavior',
      severity: 5,
      resource: bucketResource('klantdata', 'NOT_PUBLIC'),
      createdAt: '2026-11-24T08:00:00.000Z',
      updatedAt: '2026-11-24T08:00:00.000Z',
    });
    const opened = await recordEvent(deps(), event);
    const id = opened.incidentId as string;
    expect(await recordEvent(deps(), { ...event, id: 'another-delivery' })).toMatchObject({ outcome: 'duplicate', incidentId: id });
    const messages = await store.listMessages(id);
    expect(messages.map((m) => `${m.channel}:${m.kind}`)).toEqual(['fg:clock-running']);
    expect(messages[0].body).toContain('2026-11-27 09:00');
    expect(messages[0].alert).toBeUndefined();
    expect(verifyOk(await verifyStore(store, { only: id, now }))).toBe(true);
  }, 60_000);
});
