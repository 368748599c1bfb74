/**
 * The incident store on DynamoDB, keeping the same guarantees as the SQLite store with DynamoDB's
 * own mechanisms: every commit is one TransactWriteItems; the incident's revision, the finding's
 * version and the resource lock are condition expressions; a cancelled transaction whose reason is
 * a failed condition (or a conflicting transaction) is a lost race, `ConflictError`. Any other
 * failure is a `StoreError` with its cause, never "not found".
 */
import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, StoreError } from '../../core/errors.js';
import { type FindingKey, findingKeyString } from '../../core/finding.js';
import { sha256 } from '../../core/hash.js';
import type { FindingRecord, Incident, OutboxMessage, TimelineEntry } from '../../core/incident.js';
import type { IncidentChange, IncidentFilter, IncidentStore } from '../../ports/incident-store.js';
import { INCIDENT_INDEX_KEYS, INCIDENT_TABLE, indexShardOf } from './table-schema.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const incidentKey = (id: string) => ({ pk: `INC#${id}`, sk: 'INCIDENT' });
const findingItemKey = (key: FindingKey) => ({ pk: `FND#${findingKeyString(key)}`, sk: 'FINDING' });
const resourceLockKey = (resourceKey: string) => ({ pk: `RES#${resourceKey}`, sk: 'OPEN' });
/** Message ids start with their incident's id (`dl-…/fg/opened`): the outbox lives in that partition. */
const messageKey = (id: string) => ({ pk: `INC#${id.split('/')[0]}`, sk: `MSG#${id}` });
const seqKey = (seq: number) => `TL#${String(seq).padStart(10, '0')}`;
/** The index partition of an item: its kind and its shard (see table-schema.ts). */
const indexKey = (kind: keyof typeof INCIDENT_INDEX_KEYS, id: string) => `${INCIDENT_INDEX_KEYS[kind]}#${indexShardOf(sha256(id))}`;

export class DynamoDbIncidentStore implements IncidentStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async getFinding(key: FindingKey): Promise<FindingRecord | undefined> {
    const out = await this.call('GetItem finding', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: findingItemKey(key), ConsistentRead: true })),
    );
    return out.Item ? (JSON.parse(out.Item.data as string) as FindingRecord) : undefined;
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    const out = await this.call('GetItem incident', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: incidentKey(id), ConsistentRead: true })),
    );
    return out.Item ? (JSON.parse(out.Item.data as string) as Incident) : undefined;
  }

  async findOpenIncident(resourceKey: string): Promise<Incident | undefined> {
    const lock = await this.call('GetItem resource lock', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: resourceLockKey(resourceKey), ConsistentRead: true })),
    );
    if (!lock.Item) return undefined;
    return this.getIncident(lock.Item.incidentId as string);
  }

  async listIncidents(filter: IncidentFilter = {}): Promise<Incident[]> {
    const idx = INCIDENT_TABLE.indexes.byDetection;
    const values: Record<string, unknown> = { ':from': filter.from ?? '0000', ':to': filter.to ?? '9999' };
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: idx.name,
      KeyConditionExpression: `${idx.partitionKey} = :p AND ${idx.sortKey} BETWEEN :from AND :to`,
      ExpressionAttributeValues: values,
    };
    if (filter.openOnly) {
      input.FilterExpression = '#state <> :closed';
      input.ExpressionAttributeNames = { '#state': 'state' };
      values[':closed'] = 'closed';
    }
    // BETWEEN is inclusive; `to` is exclusive like the SQLite store's.
    const items = await this.queryShards('incident', input, idx.sortKey);
    return items.map((i) => JSON.parse(i.data as string) as Incident).filter((i) => !filter.to || i.detectedAt < filter.to);
  }

  async listDue(now: string): Promise<Incident[]> {
    const idx = INCIDENT_TABLE.indexes.due;
    const items = await this.queryShards(
      'due',
      {
        TableName: this.tableName,
        IndexName: idx.name,
        KeyConditionExpression: `${idx.partitionKey} = :p AND ${idx.sortKey} <= :now`,
        ExpressionAttributeValues: { ':now': now },
      },
      idx.sortKey,
    );
    return items.map((i) => JSON.parse(i.data as string) as Incident);
  }

  async getTimeline(incidentId: string): Promise<TimelineEntry[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tl)',
      ExpressionAttributeValues: { ':pk': `INC#${incidentId}`, ':tl': 'TL#' },
      ConsistentRead: true,
    });
    return items.map((i) => ({
      incidentId: i.incidentId as string,
      seq: i.seq as number,
      at: i.at as string,
      kind: i.kind as string,
      actor: i.actor as string,
      detail: JSON.parse(i.detail as string) as Record<string, unknown>,
      prevHash: i.prevHash as string,
      hash: i.hash as string,
    }));
  }

  async commit(change: IncidentChange): Promise<void> {
    const { incident } = change;
    const changes = [...(change.others ?? []).map((o) => ({ ...o, finding: undefined, claims: undefined })), change];
    const batchIds = changes.map((c) => c.incident.id);
    // A key one incident of this commit claims while another of it closes is handed over with one
    // write (a transaction may touch an item only once), not released and taken again.
    const handedOver = new Set(changes.flatMap((c) => (c.incident.state !== 'closed' ? (c.claims ?? []) : [])));
    const items: TransactItem[] = [];
    for (const c of changes) items.push(...(await this.items(c, batchIds, handedOver)));
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      if (err instanceof TransactionCanceledException || (err as Error).name === 'TransactionCanceledException') {
        const reasons = ((err as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
        if (reasons.length === 0 || reasons.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) {
          throw new ConflictError(`another writer changed incident ${incident.id} first (${reasons.join(', ') || 'cancelled'})`, { cause: err });
        }
      }
      if ((err as Error).name === 'TransactionConflictException') {
        throw new ConflictError(`a concurrent transaction touched incident ${incident.id}`, { cause: err });
      }
      throw new StoreError(`commit of incident ${incident.id} failed: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The transaction items of one incident's part of a commit. */
  private async items(change: IncidentChange, batchIds: string[], handedOver: Set<string>): Promise<TransactItem[]> {
    const { incident, expectedRevision, finding, timeline } = change;
    const messages = await this.newMessages(change.messages);
    const items: TransactItem[] = [];
    const open = incident.state !== 'closed';
    const due = open && incident.nextDueAt ? { gsi1pk: indexKey('due', incident.id), gsi1sk: incident.nextDueAt } : {};
    const incidentItem = {
      ...incidentKey(incident.id),
      revision: incident.revision,
      state: incident.state,
      resourceKey: incident.resourceKey,
      detectedAt: incident.detectedAt,
      gsi2pk: indexKey('incident', incident.id),
      gsi2sk: `${incident.detectedAt}#${incident.id}`,
      ...due,
      data: JSON.stringify(incident),
    };
    if (expectedRevision === null) {
      items.push({ Put: { TableName: this.tableName, Item: incidentItem, ConditionExpression: 'attribute_not_exists(pk)' } });
      if (open) {
        items.push({
          Put: {
            TableName: this.tableName,
            Item: { ...resourceLockKey(incident.resourceKey), incidentId: incident.id },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
      }
    } else {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: incidentItem,
          ConditionExpression: 'revision = :expected',
          ExpressionAttributeValues: { ':expected': expectedRevision },
        },
      });
      if (!open) {
        // Closing frees the resources for the next incident on them. (A lock another incident holds
        // by now, e.g. after a late finding update of a closed incident, is left alone.)
        for (const key of await this.locksHeld(incident)) {
          if (handedOver.has(key)) continue;
          items.push({
            Delete: {
              TableName: this.tableName,
              Key: resourceLockKey(key),
              ConditionExpression: 'incidentId = :id',
              ExpressionAttributeValues: { ':id': incident.id },
            },
          });
        }
      }
    }
    if (open) {
      // A claimed key must be free, or held by an incident this same commit closes.
      const others = batchIds.filter((id) => id !== incident.id);
      const values: Record<string, string> = Object.fromEntries(others.map((id, i) => [`:o${i}`, id]));
      const condition = ['attribute_not_exists(pk)', ...others.map((_, i) => `incidentId = :o${i}`)].join(' OR ');
      for (const key of change.claims ?? []) {
        items.push({
          Put: {
            TableName: this.tableName,
            Item: { ...resourceLockKey(key), incidentId: incident.id },
            ConditionExpression: condition,
            ...(others.length ? { ExpressionAttributeValues: values } : {}),
          },
        });
      }
    }
    if (finding) {
      const { record, expected } = finding;
      const item = {
        ...findingItemKey(record.key),
        incidentId: record.incidentId,
        updatedAt: record.version.updatedAt,
        count: record.version.count,
        data: JSON.stringify(record),
      };
      items.push({
        Put:
          expected === null
            ? { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                TableName: this.tableName,
                Item: item,
                ConditionExpression: 'updatedAt = :u AND #count = :c',
                ExpressionAttributeNames: { '#count': 'count' },
                ExpressionAttributeValues: { ':u': expected.updatedAt, ':c': expected.count },
              },
      });
    }
    for (const e of timeline) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: { pk: `INC#${e.incidentId}`, sk: seqKey(e.seq), ...e, detail: JSON.stringify(e.detail) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    for (const m of messages) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...messageKey(m.id),
            incidentId: m.incidentId,
            createdAt: m.createdAt,
            gsi1pk: indexKey('pending', m.id),
            gsi1sk: `${m.createdAt}#${m.id}`,
            data: JSON.stringify(m),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    return items;
  }

  async pendingMessages(): Promise<OutboxMessage[]> {
    const idx = INCIDENT_TABLE.indexes.due;
    const items = await this.queryShards(
      'pending',
      { TableName: this.tableName, IndexName: idx.name, KeyConditionExpression: `${idx.partitionKey} = :p`, ExpressionAttributeValues: {} },
      idx.sortKey,
    );
    return items.map((i) => ({ ...(JSON.parse(i.data as string) as OutboxMessage), sentAt: null }));
  }

  async listMessages(incidentId: string): Promise<OutboxMessage[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':pk': `INC#${incidentId}`, ':m': 'MSG#' },
      ConsistentRead: true,
    });
    return items
      .map((i) => ({ ...(JSON.parse(i.data as string) as OutboxMessage), sentAt: (i.sentAt as string | undefined) ?? null }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || 0);
  }

  async claimMessage(id: string, now: string, leaseUntil: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: 'SET claimedUntil = :lease',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sentAt) AND (attribute_not_exists(claimedUntil) OR claimedUntil <= :now)',
          ExpressionAttributeValues: { ':lease': leaseUntil, ':now': now },
        }),
      );
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw new StoreError(`claim of message ${id} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async markSent(id: string, at: string): Promise<void> {
    await this.call('UpdateItem message sent', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: 'SET sentAt = :at REMOVE gsi1pk, gsi1sk',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    );
  }

  async close(): Promise<void> {
    // The client belongs to the process (built once at cold start); nothing to release per store.
  }

  /** The resource keys whose lock this incident holds now: its own resource and those it claimed. */
  private async locksHeld(incident: Incident): Promise<string[]> {
    const keys = [...new Set([incident.resourceKey, ...(incident.resourceKeys ?? [])])];
    const out = await this.call('BatchGetItem resource locks', () =>
      this.doc.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: keys.map(resourceLockKey), ProjectionExpression: 'pk, incidentId', ConsistentRead: true } },
        }),
      ),
    );
    return (out.Responses?.[this.tableName] ?? []).filter((i) => i.incidentId === incident.id).map((i) => (i.pk as string).slice('RES#'.length));
  }

  /**
   * A message id is queued once: ids already stored are left out of the transaction (a condition
   * would cancel the whole of it). One that appears in between makes the commit a conflict.
   */
  private async newMessages(messages: OutboxMessage[]): Promise<OutboxMessage[]> {
    if (messages.length === 0) return [];
    const out = await this.call('BatchGetItem messages', () =>
      this.doc.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: messages.map((m) => messageKey(m.id)), ProjectionExpression: 'sk', ConsistentRead: true } },
        }),
      ),
    );
    const existing = new Set((out.Responses?.[this.tableName] ?? []).map((i) => (i.sk as string).slice(4)));
    return messages.filter((m) => !existing.has(m.id));
  }

  /**
   * One index query per shard, in parallel, merged in sort-key order; plus the partition of the
   * unsharded keys that items written before sharding carry (`INCIDENT`, `DUE`, `PENDING`), so an
   * upgraded deployment still lists its history. `:p` is set per shard.
   */
  private async queryShards(kind: keyof typeof INCIDENT_INDEX_KEYS, input: QueryCommandInput, sortKey: string): Promise<Record<string, unknown>[]> {
    const prefix = INCIDENT_INDEX_KEYS[kind];
    const partitions = [prefix, ...Array.from({ length: INCIDENT_TABLE.indexShards }, (_, i) => `${prefix}#${i}`)];
    const pages = await Promise.all(
      partitions.map((p) => this.queryAll({ ...input, ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':p': p } })),
    );
    return pages.flat().sort((a, b) => String(a[sortKey]).localeCompare(String(b[sortKey])));
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.call('Query', () => this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start })));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new StoreError(`DynamoDB ${what} on ${this.tableName} failed: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
    }
  }
}
