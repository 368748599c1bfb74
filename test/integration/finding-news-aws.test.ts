/**
 * Review items 1 and 2 on the DynamoDB store (moto): a new finding type on an assessed incident
 * asks the FG to review it, and a finding active again after its incident was closed opens one
 * follow-up incident that pages, with both ledgers verifying clean.
 */
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { backdoor, closedIncident, KEY } from '../support/after-close.js';
import { type EventOptions, findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const TABLE = 'datalek-incidents';

describe.skipIf(!MOTO_AVAILABLE)('new findings and findings after closing, on DynamoDB (moto)', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  const clock = { now: '' };
  const deps = () => ({ store, policy: DEFAULT_POLICY, now: () => clock.now, canEnforce: false });
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, TABLE);
  });
  afterAll(async () => moto?.stop());

  const kinds = async (id: string) => (await store.listMessages(id)).map((m) => `${m.channel}:${m.kind}`);

  it('tells the FG of a new finding type after the assessment and asks for a new one', async () => {
    clock.now = '2026-11-28T00:05:00.000Z';
    const first = await recordEvent(deps(), findingEvent({ id: 'aws-m-1', instanceId: 'i-0aws00000000001', createdAt: '2026-11-28T00:00:00.000Z' }));
    const id = first.incidentId as string;
    clock.now = '2026-11-28T01:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'miner', by: 'FG' });
    clock.now = '2026-11-28T10:05:00.000Z';
    const second = await recordEvent(
      deps(),
      findingEvent({ id: 'aws-x-1', type: 'Trojan:EC2/DNSDataExfiltration', instanceId: 'i-0aws00000000001', createdAt: '2026-11-28T10:00:00.000Z' }),
    );
    expect(second).toMatchObject({ outcome: 'attached', incidentId: id });
    expect(await kinds(id)).toEqual(['fg:opened', 'on-call:opened', 'fg:finding-added']);
    expect((await store.getIncident(id))?.reviewAsked).toMatchObject({ findingId: 'aws-x-1', assessedAt: '2026-11-28T01:00:00.000Z' });
    expect(verifyOk(await verifyStore(store, { only: id, now: clock.now }))).toBe(true);
  }, 60_000);

  it('opens one follow-up incident for activity after closing, and verifies clean', async () => {
    const closed = await closedIncident(store, clock);
    clock.now = '2026-11-27T10:05:00.000Z';
    const calling = backdoor({ count: 57, updatedAt: '2026-11-27T10:00:00.000Z' });
    const result = await recordEvent(deps(), calling);
    expect(result).toMatchObject({
      outcome: 'opened',
      actions: [
        { type: 'isolate-instance', status: 'planned' },
        { type: 'block-dns-channel', status: 'planned' },
      ],
    });
    const id = result.incidentId as string;
    expect(id).not.toBe(closed.id);
    expect(await recordEvent(deps(), { ...calling, id: 'another-delivery' })).toMatchObject({ outcome: 'duplicate', incidentId: id });
    expect(await kinds(id)).toEqual(['fg:opened', 'on-call:opened']);
    const after = (await store.getIncident(closed.id)) as Incident;
    expect(after).toMatchObject({ state: 'closed', followUps: [id] });
    expect(after.assessment).toEqual(closed.assessment);
    expect((await store.getIncident(id))?.followUpOf?.incidentId).toBe(closed.id);
    expect((await store.getFinding(KEY))?.incidentId).toBe(id);
    for (const incidentId of [closed.id, id]) expect(verifyOk(await verifyStore(store, { only: incidentId, now: clock.now })), incidentId).toBe(true);
  }, 60_000);

  it('verify reports the finding item rolled back to the closed incident', async () => {
    const findingId = 'c1000000000000000000000000000002';
    const event = (o: EventOptions = {}) => backdoor({ id: findingId, instanceId: 'i-0aws00000000002', ...o });
    const item = { pk: { S: `FND#${KEY.accountId}/${KEY.region}/${findingId}` }, sk: { S: 'FINDING' } };
    clock.now = '2026-11-26T10:05:00.000Z';
    const closedId = (await recordEvent(deps(), event())).incidentId as string;
    clock.now = '2026-11-26T11:00:00.000Z';
    await assess(deps(), { incidentId: closedId, personalData: 'no', risk: 'none', reason: 'testserver', by: 'FG' });
    clock.now = '2026-11-26T11:05:00.000Z';
    await closeIncident(deps(), { incidentId: closedId, reason: 'geen persoonsgegevens', by: 'FG' });
    const before = (await moto.clients.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: item, ConsistentRead: true }))).Item;
    clock.now = '2026-11-27T10:05:00.000Z';
    const id = (await recordEvent(deps(), event({ count: 57, updatedAt: '2026-11-27T10:00:00.000Z' }))).incidentId as string;
    expect(verifyOk(await verifyStore(store, { only: id, now: clock.now }))).toBe(true);
    // Someone who can write the table puts back the finding as the closed incident held it.
    await moto.clients.dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: before }));
    expect((await store.getFinding({ ...KEY, findingId }))?.incidentId).toBe(closedId);
    for (const only of [id, closedId]) {
      const problems = (await verifyStore(store, { only, now: clock.now })).problems;
      // Named under this finding only, once or twice: as rolled back or edited and, since 28f1d47 (the
      // item put back whole, with its old recordHash), for a recordHash the ledger did not record last.
      expect([...new Set(problems.map((p) => `${p.incidentId} ${p.entry}`))]).toEqual([`${only} finding ${KEY.accountId}/${KEY.region}/${findingId}`]);
    }
  }, 60_000);
});
