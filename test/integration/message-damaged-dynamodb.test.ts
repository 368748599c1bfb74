/**
 * atk29 A13 on DynamoDB (moto): a message item whose data is no JSON made the incident's message
 * list throw (SyntaxError), taking `datalek messages --target aws` and the incident page with it.
 * It is now given to the reader by its id, as on the embedded store, and the rest are listed.
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const TABLE = 'datalek-incidents';

describe.skipIf(!MOTO_AVAILABLE)('a message item that cannot be read, on moto', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
  });
  afterAll(async () => moto?.stop());

  it('is named by its id and the others are listed', async () => {
    const store = new DynamoDbIncidentStore(moto.clients.dynamodb, TABLE);
    const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:05:00.000Z', canEnforce: false };
    const id = (await recordEvent(deps, findingEvent({ id: 'msg-damaged', severity: 8.5 }))).incidentId as string;
    const all = await store.listMessages(id);
    expect(all.length).toBeGreaterThan(1);
    const broken = all[0].id;
    await moto.clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `INC#${id}` }, sk: { S: `MSG#${broken}` } },
        UpdateExpression: 'SET #d = :d',
        ExpressionAttributeNames: { '#d': 'data' },
        ExpressionAttributeValues: { ':d': { S: '{broken' } },
      }),
    );
    const damaged: { id: string; reason: string }[] = [];
    const listed = await store.listMessages(id, (d) => damaged.push(d));
    expect(listed.map((m) => m.id)).toEqual(all.slice(1).map((m) => m.id));
    expect(damaged).toEqual([{ id: broken, reason: 'its stored text is no JSON' }]);
  });
});
