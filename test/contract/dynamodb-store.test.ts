import { PutItemCommand, QueryCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { INCIDENT_TABLE } from '../../handlers/adapters/aws/table-schema.js';
import { appendEntries } from '../../handlers/core/incident.js';
import { incidentFixture } from '../support/incidents.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { incidentStoreContract } from './incident-store.contract.js';

describe.skipIf(!MOTO_AVAILABLE)('DynamoDB store on moto', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
  });
  afterAll(async () => moto?.stop());

  incidentStoreContract('DynamoDB (moto)', async () => ({
    store: new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents'),
    cleanup: async () => {},
    rows: async () => {
      const rows: string[] = [];
      let from: Record<string, unknown> | undefined;
      do {
        const page = await moto.clients.dynamodb.send(new ScanCommand({ TableName: 'datalek-incidents', ExclusiveStartKey: from as never }));
        rows.push(...(page.Items ?? []).map((item) => JSON.stringify(item)));
        from = page.LastEvaluatedKey;
      } while (from);
      return rows;
    },
  }));

  describe('index keys in a finding storm', () => {
    // A table of their own: every read on moto walks the whole table, and the contract's tests above leave theirs full.
    beforeAll(async () => {
      await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
      await setupAwsResources(moto.clients);
    });
    it('spreads incidents, due times and pending messages over sharded index partitions, and still lists them all in order', async () => {
      const store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        const incident = incidentFixture({
          id: `dl-shard${String(i).padStart(5, '0')}`,
          resourceKey: `Instance/i-shard-${i}`,
          detectedAt: `2026-11-2${i % 8}T10:00:${String(i).padStart(2, '0')}.000Z`,
          nextDueAt: '2026-11-29T00:00:00.000Z',
        });
        const timeline = appendEntries(incident, [{ at: incident.detectedAt, kind: 'incident-opened' }]);
        const message = {
          id: `${incident.id}/fg/opened`,
          incidentId: incident.id,
          channel: 'fg' as const,
          kind: 'opened',
          subject: 's',
          body: 'b',
          attributes: {},
          createdAt: incident.detectedAt,
          sentAt: null,
        };
        await store.commit({ incident, expectedRevision: null, timeline, messages: [message] });
        ids.push(incident.id);
      }
      const items = (await moto.clients.dynamodb.send(new ScanCommand({ TableName: 'datalek-incidents' }))).Items ?? [];
      const ours = items.filter((i) => i.pk?.S?.startsWith('INC#dl-shard'));
      const partitions = (attr: string, prefix: string) => new Set(ours.map((i) => i[attr]?.S).filter((v): v is string => v?.startsWith(prefix) ?? false));
      // Not one constant partition per kind: a hash of the id picks one of the shards.
      for (const [attr, prefix] of [
        ['gsi2pk', 'INCIDENT'],
        ['gsi1pk', 'DUE'],
        ['gsi1pk', 'PENDING'],
      ] as const) {
        const used = partitions(attr, prefix);
        expect(used.size, prefix).toBeGreaterThan(INCIDENT_TABLE.indexShards / 2);
        for (const p of used) expect(p).toMatch(new RegExp(`^${prefix}#\\d+$`));
      }
      const constant = await moto.clients.dynamodb.send(
        new QueryCommand({
          TableName: 'datalek-incidents',
          IndexName: 'byDetection',
          KeyConditionExpression: 'gsi2pk = :p',
          ExpressionAttributeValues: { ':p': { S: 'INCIDENT' } },
        }),
      );
      expect((constant.Items ?? []).filter((i) => i.pk?.S?.startsWith('INC#dl-shard'))).toEqual([]);

      const listed = (await store.listIncidents({ from: '2026-11-20', to: '2026-11-28' })).filter((i) => i.id.startsWith('dl-shard'));
      expect(listed.map((i) => i.id).sort()).toEqual([...ids].sort());
      const detected = listed.map((i) => i.detectedAt);
      expect(detected).toEqual([...detected].sort());
      expect((await store.listDue('2026-11-29T00:00:00.000Z')).filter((i) => i.id.startsWith('dl-shard'))).toHaveLength(40);
      const pending = (await store.pendingMessages()).filter((m) => m.incidentId.startsWith('dl-shard'));
      expect(pending).toHaveLength(40);
      expect(pending.map((m) => m.createdAt)).toEqual(pending.map((m) => m.createdAt).sort());
    });

    it('still lists an incident written with the unsharded keys of earlier versions', async () => {
      const store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
      const old = incidentFixture({ id: 'dl-legacy0001', resourceKey: 'Instance/i-legacy', detectedAt: '2025-01-02T03:04:05.000Z' });
      await moto.clients.dynamodb.send(
        new PutItemCommand({
          TableName: 'datalek-incidents',
          Item: {
            pk: { S: `INC#${old.id}` },
            sk: { S: 'INCIDENT' },
            revision: { N: String(old.revision) },
            state: { S: old.state },
            gsi2pk: { S: 'INCIDENT' },
            gsi2sk: { S: `${old.detectedAt}#${old.id}` },
            data: { S: JSON.stringify(old) },
          },
        }),
      );
      expect((await store.listIncidents({ from: '2025-01-01', to: '2025-01-03' })).map((i) => i.id)).toEqual([old.id]);
    });
  });

  // sto28: a timeline entry's detail edited into no JSON object is read as damaged (core/entry-detail.ts), as on the
  // embedded store (test/attack/timeline-detail-damaged.test.ts): the rest of the timeline is read, never a TypeError.
  it('reads a timeline entry whose detail is no JSON object as damaged, and the others as they are', async () => {
    const store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
    const incident = incidentFixture({ id: 'dl-damaged0001', resourceKey: 'Instance/i-damaged' });
    const timeline = appendEntries(incident, [
      { at: incident.detectedAt, kind: 'incident-opened', detail: { findingType: 'x' } },
      { at: incident.detectedAt, kind: 'note', detail: { text: 'y' } },
    ]);
    await store.commit({ incident, expectedRevision: null, timeline, messages: [] });
    for (const [text, damaged] of [
      ['null', 'its detail is null, not an object'],
      ['[1]', 'its detail is a list, not an object'],
      ['nojson', 'its detail is not valid JSON'],
    ]) {
      await moto.clients.dynamodb.send(
        new UpdateItemCommand({
          TableName: 'datalek-incidents',
          Key: { pk: { S: `INC#${incident.id}` }, sk: { S: 'TL#0000000001' } },
          UpdateExpression: 'SET detail = :d',
          ExpressionAttributeValues: { ':d': { S: text } },
        }),
      );
      const read = await store.getTimeline(incident.id);
      expect(read.map((e) => [e.seq, e.detail, e.damaged])).toEqual([
        [1, {}, damaged],
        [2, { text: 'y' }, undefined],
      ]);
    }
  });
});
