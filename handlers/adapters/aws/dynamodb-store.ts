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
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type ClaimRow, findingsWrittenBy, findingWrites, queuedAtIn, type RawIncident, type RegistryRows } from '../../core/audit.js';
import type { DuePolicyMark } from '../../core/due-policy.js';
import { parseDuePolicyMark } from '../../core/due-policy-mark.js';
import { storedEntryDetail } from '../../core/entry-detail.js';
import { redactErrorMessage } from '../../core/error-text.js';
import { ConflictError, StoreError, StoreRefusedError } from '../../core/errors.js';
import { type FindingKey, type FindingVersion, findingKeyString } from '../../core/finding.js';
import { newPseudonymKey, storedPseudonymKey } from '../../core/finding-resources.js';
import { sha256 } from '../../core/hash.js';
import type { FindingRecord, Incident, OutboxMessage, TimelineEntry } from '../../core/incident.js';
import {
  type ChainHead,
  commitBody,
  findingNotLedgered,
  type IncidentHead,
  type LedgerEntry,
  ledgerEntry,
  REGISTRY_SHARDS,
  recordNotLedgered,
  registryEntry,
  registryShardOf,
  storedText,
} from '../../core/ledger.js';
import {
  type DamagedMessageHandler,
  parseStoredFinding,
  parseStoredIncident,
  storedMessage,
  type UnreadableHandler,
  UnreadableRecordError,
} from '../../core/stored-record.js';
import type { AnchorMark, AnchorState, AuditSource } from '../../ports/audit-source.js';
import type { FindingReads, IncidentChange, IncidentFilter, IncidentStore } from '../../ports/incident-store.js';
import { INCIDENT_INDEX_KEYS, INCIDENT_TABLE, indexShardOf } from './table-schema.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const incidentKey = (id: string) => ({ pk: `INC#${id}`, sk: 'INCIDENT' });
const findingItemKey = (key: FindingKey) => ({ pk: `FND#${findingKeyString(key)}`, sk: 'FINDING' });
const resourceLockKey = (resourceKey: string) => ({ pk: `RES#${resourceKey}`, sk: 'OPEN' });
/** Message ids start with their incident's id (`dl-…/fg/opened`): the outbox lives in that partition. */
const messageKey = (id: string) => ({ pk: `INC#${id.split('/')[0]}`, sk: `MSG#${id}` });
const seqKey = (seq: number) => `TL#${String(seq).padStart(10, '0')}`;
/** Ledger entries read per page when looking back for the newest one that wrote a finding. */
const LEDGER_PAGE = 10;
const ledgerKey = (id: string, seq: number) => ({ pk: `INC#${id}`, sk: `LG#${String(seq).padStart(10, '0')}` });
const registryHeadKey = (shard: number) => ({ pk: `REG#${shard}`, sk: 'HEAD' });
const registryEntryKey = (shard: number, n: number) => ({ pk: `REG#${shard}`, sk: `E#${String(n).padStart(10, '0')}` });
/**
 * How many 1 MB pages of a shard's anchor marks the anchor counts (not reads) to say how many it
 * did not reach: about 7,000 marks a page, so a flood past some 50,000 a shard is said as "at least".
 */
const MARK_COUNT_PAGES = 8;
/** Ledger heads not yet in a digest, sharded like the registry: the anchor reads only what moved. */
const pendingAnchorKey = (id: string) => ({ pk: `ANCHOR#${registryShardOf(id)}`, sk: id });

/**
 * An anchor mark item as the anchor takes it: the incident its key names (record20: read from the
 * `incidentId` beside it, a mark planted with another there was read as that incident's and
 * cleared at that incident's key, and stayed, read every run), and the shard it is under where that
 * is not its incident's (stray: the pipeline never writes one there).
 */
function markRead(item: Record<string, unknown>): AnchorMark {
  const incidentId = String(item.sk);
  const shard = Number(String(item.pk).slice('ANCHOR#'.length));
  return { incidentId, seq: Number(item.seq), hash: String(item.hash), ...(shard === registryShardOf(incidentId) ? {} : { strayShard: shard }) };
}
const anchorStateKey = { pk: 'ANCHOR', sk: 'STATE' };
/** The store's pseudonym secret (`pseudonymKey`): written once, never changed. */
const pseudonymKeyItem = { pk: 'META', sk: 'PSEUDONYM-KEY' };
/** The policy the sweep last set every due time under (core/due-policy.ts): only the sweep writes it (infra: OwnDuePolicyMark). */
export const duePolicyItem = { pk: 'DUE-POLICY', sk: 'MARK' };
/** An item's identity, for finding it among the answers of a batch read. */
const itemId = (k: { pk: string; sk: string }) => `${k.pk}\n${k.sk}`;
/** The index partition of an item: its kind and its shard (see table-schema.ts). */
const indexKey = (kind: keyof typeof INCIDENT_INDEX_KEYS, id: string) => `${INCIDENT_INDEX_KEYS[kind]}#${indexShardOf(sha256(id))}`;
/**
 * Whether an item's index entry is where the pipeline puts it: its shard's partition, or the
 * unsharded one of items written before sharding (`queryShards` reads both). An entry anywhere else
 * (`DUE#999`) is never read: the sweep, the senders or the listing pass the item by.
 */
const indexedWhereRead = (kind: keyof typeof INCIDENT_INDEX_KEYS, id: string, partition: unknown) =>
  partition === indexKey(kind, id) || partition === INCIDENT_INDEX_KEYS[kind];

/** Whether an item is an incident's record, or one of its outbox messages: what the indexes' readers take the items they read for. */
const isIncidentItem = (i: Record<string, unknown>) => String(i.pk).startsWith('INC#') && i.sk === 'INCIDENT';
const isMessageItem = (i: Record<string, unknown>) => String(i.pk).startsWith('INC#') && String(i.sk).startsWith('MSG#');

/**
 * The index entries of `item` that say it is something it is not (an incident's record or its
 * finding among the messages the senders send): per index its readers' kind and the partition.
 * The pipeline writes `PENDING` entries on messages only, `DUE` and `INCIDENT` on incident records.
 */
export function misindexed(item: Record<string, unknown>): { kind: keyof typeof INCIDENT_INDEX_KEYS; partition: string }[] {
  const readAs = (attribute: unknown, kind: keyof typeof INCIDENT_INDEX_KEYS) => {
    const prefix = INCIDENT_INDEX_KEYS[kind];
    return typeof attribute === 'string' && (attribute === prefix || attribute.startsWith(`${prefix}#`)) ? [{ kind, partition: attribute }] : [];
  };
  return [
    ...(isMessageItem(item) ? [] : readAs(item.gsi1pk, 'pending')),
    ...(isIncidentItem(item) ? [] : [...readAs(item.gsi1pk, 'due'), ...readAs(item.gsi2pk, 'incident')]),
  ];
}

/**
 * How the audit names an item of an incident's partition, its finding record or (verify of the whole
 * store) any other item (AuditProblem `entry`). A resource lock's key is left out: it can name a user.
 */
function entryOf(i: Record<string, unknown>): string {
  const [pk, sk] = [String(i.pk), String(i.sk)];
  if (pk.startsWith('FND#')) return `finding ${pk.slice('FND#'.length)}`;
  if (pk.startsWith('RES#')) return 'resource lock (its key left out here)';
  if (!pk.startsWith('INC#')) return `item ${pk.split('#')[0]}# ${sk}`;
  if (sk === 'INCIDENT') return 'record';
  if (sk.startsWith('MSG#')) return `message ${sk.slice('MSG#'.length)}`;
  if (sk.startsWith('TL#')) return `entry ${Number(sk.slice('TL#'.length))}`;
  if (sk.startsWith('LG#')) return `ledger ${Number(sk.slice('LG#'.length))}`;
  return `item ${sk}`;
}

/** The detection time an incident item is listed by (`listIncidents`), or null when no listing reads it. */
function listedAs(id: string, item: Record<string, unknown>): string | null {
  const sortKey = item.gsi2sk;
  if (!indexedWhereRead('incident', id, item.gsi2pk) || typeof sortKey !== 'string' || !sortKey.endsWith(`#${id}`)) return null;
  return sortKey.slice(0, -`#${id}`.length);
}

/** The resource keys of the locks a cancelled commit could not take (by the cancellation reasons, in item order). */
function failedLocks(items: TransactItem[], reasons: { Code?: string }[]): string[] {
  const keys: string[] = [];
  for (const [i, reason] of reasons.entries()) {
    const pk = items[i]?.Put?.Item?.pk;
    if (reason.Code === 'ConditionalCheckFailed' && typeof pk === 'string' && pk.startsWith('RES#')) keys.push(pk.slice('RES#'.length));
  }
  return keys;
}

/**
 * Reports an item a listing of incidents left out because it is no incident record: to the list's
 * handler, else as a process warning (the CLI's stderr, the Lambda's log). Its keys only: an
 * incident id, and the message's or finding's key (a resource lock's is left out).
 */
function skippedNotAnIncident(item: Record<string, unknown>, onUnreadable: UnreadableHandler | undefined): void {
  const pk = String(item.pk);
  const incidentId = pk.startsWith('INC#') ? pk.slice('INC#'.length) : '(store)';
  const reason = `${entryOf(item)} is indexed among the incidents, but it is no incident record: it is left out (an index entry the pipeline did not write; datalek verify names it)`;
  if (onUnreadable) onUnreadable({ incidentId, reason, notAnIncident: true });
  else process.emitWarning(`datalek: incident ${incidentId}: ${reason}`, 'DatalekSkippedItem');
}

/**
 * What a commit needs of the incident item it writes over, as read: its revision, its ledger head,
 * the record's hash the item says the ledger recorded (`recordHash`; absent on items written
 * before it was kept), and the hash of the record bytes read (`replaced`).
 */
interface ReadHead {
  revision: number;
  head: ChainHead | null;
  recordHash?: string;
  replaced: string;
}

function readHead(item: Record<string, unknown>): ReadHead {
  return {
    revision: item.revision as number,
    head: item.ledgerSeq ? { seq: item.ledgerSeq as number, hash: item.ledgerHash as string } : null,
    ...(typeof item.recordHash === 'string' ? { recordHash: item.recordHash } : {}),
    replaced: sha256(String(item.data)),
  };
}

/**
 * A finding item as read, for the commit that writes its next version over it (B2, as `ReadHead`
 * for the incident's): its version, the incident whose ledger wrote it, the hash that ledger
 * recorded (`recordHash`; absent on items written before it was kept) and its bytes.
 */
interface FindingRead {
  updatedAt: string;
  count: number;
  incidentId: string;
  recordHash?: string;
  data: string;
}

function findingRead(item: Record<string, unknown>): FindingRead {
  return {
    updatedAt: item.updatedAt as string,
    count: item.count as number,
    incidentId: item.incidentId as string,
    ...(typeof item.recordHash === 'string' ? { recordHash: item.recordHash } : {}),
    data: String(item.data),
  };
}

/** Most finding items a store keeps as read for the next commit (`findingReads`). */
const FINDING_READS = 1_000;

export class DynamoDbIncidentStore implements IncidentStore, AuditSource {
  private readonly doc: DynamoDBDocumentClient;
  /**
   * The finding items this store read last, by key: the commit that writes a finding's next version
   * holds what it writes over to them, with no read more (a commit usually follows the read).
   */
  private readonly findingReads = new Map<string, FindingRead>();
  /**
   * The ledger head of each incident item this store read, by revision: a commit usually follows a
   * read of the same incident, and then needs no extra read to chain its ledger entry.
   */
  private readonly heads = new Map<string, ReadHead>();
  /**
   * The registry head of a shard as the last read for a finding saw it (null: the shard is empty),
   * taken by the next commit that opens an incident there instead of reading it again. A head that
   * moved meanwhile fails that commit's condition: a lost race, decided again on a fresh read.
   */
  private readonly registryHeads = new Map<number, ChainHead | null>();
  /**
   * An incident's ledger head as the listing of its messages (or the last marking sent) saw it
   * (null: no entry yet), taken by the next marking instead of reading it again. One that moved
   * meanwhile fails that transaction's condition, and the head is read then.
   */
  private readonly ledgerHints = new Map<string, ChainHead | null>();

  /** The store's pseudonym secret, read (or made) once per process, on the first finding that needs it. */
  private pseudonymSecret: Promise<Buffer> | undefined;

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
    return out.Item ? this.findingItem(out.Item, key) : undefined;
  }

  /** A finding item read: parsed, and kept as read for the commit that writes over it. */
  private findingItem(item: Record<string, unknown>, key: FindingKey): FindingRecord {
    const keyText = findingKeyString(key);
    this.findingReads.delete(keyText);
    if (this.findingReads.size >= FINDING_READS) this.findingReads.delete(this.findingReads.keys().next().value as string);
    this.findingReads.set(keyText, findingRead(item));
    return parseStoredFinding(item.data, key);
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    const out = await this.call('GetItem incident', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: incidentKey(id), ConsistentRead: true })),
    );
    return out.Item ? this.incidentItem(out.Item) : undefined;
  }

  async pseudonymKey(): Promise<Buffer> {
    this.pseudonymSecret ??= this.readPseudonymKey().catch((err) => {
      this.pseudonymSecret = undefined;
      throw err;
    });
    return this.pseudonymSecret;
  }

  async storedPseudonymKey(): Promise<unknown> {
    const item = (
      await this.call('GetItem pseudonym key', () => this.doc.send(new GetCommand({ TableName: this.tableName, Key: pseudonymKeyItem, ConsistentRead: true })))
    ).Item;
    return item ? (item.secret ?? '') : null;
  }

  /** The secret stored, made first when there is none: of two processes making it at once, the first put stands and both read it. */
  private async readPseudonymKey(): Promise<Buffer> {
    const read = async () =>
      (
        await this.call('GetItem pseudonym key', () =>
          this.doc.send(new GetCommand({ TableName: this.tableName, Key: pseudonymKeyItem, ConsistentRead: true })),
        )
      ).Item?.secret;
    const stored = await read();
    if (stored !== undefined) return storedPseudonymKey(stored, `DynamoDB table ${this.tableName}`);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...pseudonymKeyItem, secret: newPseudonymKey() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException')
        throw new StoreError(`DynamoDB PutItem pseudonym key on ${this.tableName} failed: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
    }
    return storedPseudonymKey(await read(), `DynamoDB table ${this.tableName}`);
  }

  async findOpenIncident(resourceKey: string): Promise<Incident | undefined> {
    const lock = await this.call('GetItem resource lock', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: resourceLockKey(resourceKey), ConsistentRead: true })),
    );
    if (!lock.Item) return undefined;
    return this.getIncident(lock.Item.incidentId as string);
  }

  /**
   * One BatchGetItem (consistent reads) for the finding's record, the resource locks, the incident
   * a new incident would be, and the registry head of that incident's shard; one more only when a
   * lock names another incident, for those incidents.
   */
  async readForFinding(key: FindingKey, resourceKeys: string[], incidentId: string): Promise<FindingReads> {
    const shard = registryShardOf(incidentId);
    const items = await this.batchGet('BatchGetItem finding reads', [
      findingItemKey(key),
      ...resourceKeys.map(resourceLockKey),
      incidentKey(incidentId),
      registryHeadKey(shard),
    ]);
    const findingItem = items.get(itemId(findingItemKey(key)));
    const candidate = items.get(itemId(incidentKey(incidentId)));
    const incident = candidate ? this.incidentItem(candidate) : undefined;
    const head = items.get(itemId(registryHeadKey(shard)));
    this.registryHeads.set(shard, head ? { seq: head.n as number, hash: head.hash as string } : null);
    const lockHolders = resourceKeys.map((k) => items.get(itemId(resourceLockKey(k)))?.incidentId as string | undefined);
    const incidents = new Map<string, Incident>(incident ? [[incidentId, incident]] : []);
    const others = [...new Set(lockHolders.filter((id): id is string => id !== undefined && !incidents.has(id)))];
    if (others.length) {
      const more = await this.batchGet('BatchGetItem incidents', others.map(incidentKey));
      for (const id of others) {
        const item = more.get(itemId(incidentKey(id)));
        if (item) incidents.set(id, this.incidentItem(item));
      }
    }
    return {
      finding: findingItem ? this.findingItem(findingItem, key) : undefined,
      holders: lockHolders.map((id) => (id === undefined ? undefined : incidents.get(id))),
      incident,
    };
  }

  /** Consistent reads of `keys` (distinct), by `pk`/`sk`; keys DynamoDB leaves unprocessed are asked again, after a pause. */
  private async batchGet(what: string, keys: { pk: string; sk: string }[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    let pending = [...new Map(keys.map((k) => [itemId(k), k])).values()];
    let heldBack = 0;
    while (pending.length) {
      const page = pending.slice(0, 100);
      const out = await this.call(what, () => this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: page, ConsistentRead: true } } })));
      for (const item of out.Responses?.[this.tableName] ?? []) found.set(itemId(item as { pk: string; sk: string }), item);
      const unprocessed = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as { pk: string; sk: string }[];
      pending = [...unprocessed, ...pending.slice(100)];
      if (unprocessed.length) {
        heldBack += 1;
        if (heldBack > 5) throw new StoreError(`DynamoDB ${what} on ${this.tableName}: ${unprocessed.length} key(s) still unprocessed after ${heldBack} tries`);
        await new Promise((r) => setTimeout(r, 25 * 2 ** heldBack));
      }
    }
    return found;
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
    return this.incidentItems(items, filter.onUnreadable).filter((i) => !filter.to || i.detectedAt < filter.to);
  }

  async listDue(now: string, onUnreadable?: UnreadableHandler): Promise<Incident[]> {
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
    return this.incidentItems(items, onUnreadable);
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
      // Who AWS says wrote it, on the entries a person's `--target aws` run recorded (TimelineEntry.caller).
      ...(i.caller === undefined ? {} : { caller: i.caller as string }),
      ...storedEntryDetail(i.detail),
      prevHash: i.prevHash as string,
      hash: i.hash as string,
    }));
  }

  async commit(change: IncidentChange): Promise<undefined> {
    const { incident } = change;
    const changes = [...(change.others ?? []).map((o) => ({ ...o, finding: undefined, claims: undefined })), change];
    const batchIds = changes.map((c) => c.incident.id);
    // A key one incident of this commit claims while another of it closes is handed over with one
    // write (a transaction may touch an item only once), not released and taken again.
    const handedOver = new Set(changes.flatMap((c) => (c.incident.state !== 'closed' ? (c.claims ?? []) : [])));
    const items: TransactItem[] = [];
    const written: { id: string; head: ReadHead }[] = [];
    for (const c of changes) {
      const part = await this.items(c, batchIds, handedOver);
      items.push(...part.items);
      const head = { seq: part.entry.seq, hash: part.entry.hash };
      written.push({ id: c.incident.id, head: { revision: c.incident.revision, head, recordHash: part.recordHash, replaced: part.recordHash } });
    }
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      for (const w of written) this.heads.set(w.id, w.head);
    } catch (err) {
      for (const w of written) this.heads.delete(w.id);
      if (err instanceof TransactionCanceledException || (err as Error).name === 'TransactionCanceledException') {
        const reasons = ((err as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
        if (reasons.length === 0 || reasons.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) {
          const held = await this.lockHolders(failedLocks(items, (err as TransactionCanceledException).CancellationReasons ?? []), batchIds);
          throw new ConflictError(held || `another writer changed incident ${incident.id} first (${reasons.join(', ') || 'cancelled'})`, { cause: err });
        }
      }
      if ((err as Error).name === 'TransactionConflictException') {
        throw new ConflictError(`a concurrent transaction touched incident ${incident.id}`, { cause: err });
      }
      const refusal = refusedAsItIs(err);
      if (refusal)
        throw new StoreRefusedError(`commit of incident ${incident.id} refused by DynamoDB as it is: ${refusal}`, {
          cause: err,
          incidentId: incident.id,
          reason: refusal,
        });
      throw new StoreError(`commit of incident ${incident.id} failed: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The transaction items of one incident's part of a commit, with its ledger entry. */
  private async items(
    change: IncidentChange,
    batchIds: string[],
    handedOver: Set<string>,
  ): Promise<{ items: TransactItem[]; entry: LedgerEntry; recordHash: string }> {
    const { incident, expectedRevision, finding, timeline } = change;
    // A new incident's messages cannot be stored yet: nothing to look up. (Each Put is conditioned
    // on its absence, so one that were there would fail the commit, never be written twice.)
    const messages = expectedRevision === null ? change.messages : await this.newMessages(change.messages);
    const items: TransactItem[] = [];
    const read = expectedRevision === null ? null : await this.ledgerHead(incident.id, expectedRevision);
    const head = read?.head ?? null;
    // The record this commit writes over must be the one its ledger recorded (review12 K1): one
    // edited behind the pipeline, no hash recomputed, was vouched for by the next commit.
    if (read?.recordHash !== undefined && read.recordHash !== read.replaced) throw recordNotLedgered(incident.id);
    const incidentText = storedText.incident(incident);
    const recordHash = sha256(incidentText);
    const findingText = finding ? storedText.finding(finding.record) : '';
    // The finding record written over, held to the hash its ledger recorded (B2).
    const findingBefore = finding?.expected ? await this.findingBefore(incident.id, finding.record.key, finding.expected) : null;
    const queued = messages.map((m) => ({ message: m, text: storedText.message(m) }));
    const last = timeline.at(-1);
    const entry = ledgerEntry(
      incident.id,
      head,
      commitBody(
        {
          incident,
          incidentText,
          ...(finding ? { finding: { key: finding.record.key, text: findingText, ...(findingBefore ? { replaced: findingBefore.replaced } : {}) } } : {}),
          ...(last ? { timelineHead: { seq: last.seq, hash: last.hash } } : {}),
          ...(change.minimised ? { minimised: change.minimised } : {}),
          ...(read ? { replaced: read.replaced } : {}),
          messages: queued.map((q) => ({ id: q.message.id, text: q.text })),
        },
        new Date().toISOString(),
      ),
    );
    const open = incident.state !== 'closed';
    // A closed incident is due too when something still is: an assessment after closing said notifiable (core/clocks.ts).
    const due = incident.nextDueAt ? { gsi1pk: indexKey('due', incident.id), gsi1sk: incident.nextDueAt } : {};
    const incidentItem = {
      ...incidentKey(incident.id),
      revision: incident.revision,
      state: incident.state,
      resourceKey: incident.resourceKey,
      detectedAt: incident.detectedAt,
      gsi2pk: indexKey('incident', incident.id),
      gsi2sk: `${incident.detectedAt}#${incident.id}`,
      ...due,
      ledgerSeq: entry.seq,
      ledgerHash: entry.hash,
      recordHash,
      data: incidentText,
    };
    if (expectedRevision === null) {
      items.push({ Put: { TableName: this.tableName, Item: incidentItem, ConditionExpression: 'attribute_not_exists(pk)' } });
      items.push(...(await this.registryItems(incident.id)));
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
      // The ledger head too: a message marked sent meanwhile moved it without a new revision.
      items.push({
        Put: {
          TableName: this.tableName,
          Item: incidentItem,
          // And the record's hash as read: the bytes it holds are those this change was made from.
          ConditionExpression: [
            'revision = :expected',
            head?.seq ? 'ledgerSeq = :ls' : 'attribute_not_exists(ledgerSeq)',
            read?.recordHash !== undefined ? 'recordHash = :rh' : 'attribute_not_exists(recordHash)',
          ].join(' AND '),
          ExpressionAttributeValues: {
            ':expected': expectedRevision,
            ...(head?.seq ? { ':ls': head.seq } : {}),
            ...(read?.recordHash !== undefined ? { ':rh': read.recordHash } : {}),
          },
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
        recordHash: sha256(findingText),
        data: findingText,
      };
      const held = findingBefore?.recordHash;
      items.push({
        Put:
          expected === null
            ? { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                TableName: this.tableName,
                Item: item,
                // And the hash as read: the bytes written over are those the ledger recorded.
                ConditionExpression: `updatedAt = :u AND #count = :c AND ${held === undefined ? 'attribute_not_exists(recordHash)' : 'recordHash = :rh'}`,
                ExpressionAttributeNames: { '#count': 'count' },
                ExpressionAttributeValues: { ':u': expected.updatedAt, ':c': expected.count, ...(held === undefined ? {} : { ':rh': held }) },
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
    for (const { message: m, text } of queued) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...messageKey(m.id),
            incidentId: m.incidentId,
            createdAt: m.createdAt,
            gsi1pk: indexKey('pending', m.id),
            gsi1sk: `${m.createdAt}#${m.id}`,
            data: text,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    items.push(...this.ledgerItems(entry));
    return { items, entry, recordHash };
  }

  /**
   * The finding item a commit writes `expected`'s next version over, as read (read again when this
   * store did not read that version), held to the hash its ledger recorded: an item whose bytes are
   * not those (edited behind the pipeline, `recordHash` left) is refused, `findingNotLedgered`, and so
   * is one another incident's ledger wrote (a merge, a follow-up) with bytes other than it wrote
   * last. One of this incident's written before `recordHash` was kept, or edited with it recomputed,
   * is written over; the ledger entry says what it wrote over (`finding.replaced`), which verify
   * holds to the ledger that wrote the finding before.
   */
  private async findingBefore(incidentId: string, key: FindingKey, expected: FindingVersion): Promise<{ recordHash?: string; replaced: string }> {
    const keyText = findingKeyString(key);
    let read = this.findingReads.get(keyText);
    this.findingReads.delete(keyText);
    if (read?.updatedAt !== expected.updatedAt || read.count !== expected.count) {
      const out = await this.call('GetItem finding', () =>
        this.doc.send(new GetCommand({ TableName: this.tableName, Key: findingItemKey(key), ConsistentRead: true })),
      );
      // Gone or moved on: the commit's condition fails it as a race.
      if (!out.Item) return { replaced: '' };
      read = findingRead(out.Item);
    }
    const replaced = sha256(read.data);
    if (read.recordHash !== undefined && read.recordHash !== replaced) throw findingNotLedgered(incidentId, keyText, read.incidentId);
    // Written by another incident's ledger (a merge's, a follow-up's): its `recordHash` is no proof,
    // whoever edits the bytes can set it, and this ledger has no hash of its own to hold them to
    // (readC15 C1). Held to that ledger's last write, as SQLite does: a read more, on this path only.
    if (read.incidentId !== incidentId && (await this.lastFindingWrite(read.incidentId, keyText)) !== replaced)
      throw findingNotLedgered(incidentId, keyText, read.incidentId);
    return { ...(read.recordHash !== undefined ? { recordHash: read.recordHash } : {}), replaced };
  }

  /** The ledger entry, and its head marked for the next digest. */
  private ledgerItems(entry: LedgerEntry): TransactItem[] {
    return [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...ledgerKey(entry.incidentId, entry.seq), ...entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      this.anchorMark(entry),
    ];
  }

  /** The incident's ledger head, marked for the next digest. */
  private anchorMark(entry: LedgerEntry): TransactItem {
    return {
      Put: { TableName: this.tableName, Item: { ...pendingAnchorKey(entry.incidentId), incidentId: entry.incidentId, seq: entry.seq, hash: entry.hash } },
    };
  }

  /** A new incident's registry entry; the shard's head moves only if no other creation moved it. */
  private async registryItems(incidentId: string): Promise<TransactItem[]> {
    const shard = registryShardOf(incidentId);
    let head = this.registryHeads.get(shard);
    this.registryHeads.delete(shard);
    if (head === undefined) {
      const out = await this.call('GetItem registry head', () =>
        this.doc.send(new GetCommand({ TableName: this.tableName, Key: registryHeadKey(shard), ConsistentRead: true })),
      );
      head = out.Item ? { seq: out.Item.n as number, hash: out.Item.hash as string } : null;
    }
    const entry = registryEntry(shard, head, incidentId, new Date().toISOString());
    return [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...registryHeadKey(shard), n: entry.n, hash: entry.hash },
          ConditionExpression: head ? 'n = :n' : 'attribute_not_exists(pk)',
          ...(head ? { ExpressionAttributeValues: { ':n': head.seq } } : {}),
        },
      },
      { Put: { TableName: this.tableName, Item: { ...registryEntryKey(shard, entry.n), ...entry }, ConditionExpression: 'attribute_not_exists(pk)' } },
    ];
  }

  /**
   * The ledger head of an incident at the revision a change was computed from: from the read that
   * preceded the change, else read now. A revision that moved meanwhile is a lost race.
   */
  private async ledgerHead(id: string, revision: number): Promise<ReadHead> {
    const cached = this.heads.get(id);
    if (cached?.revision === revision) return cached;
    // The whole item: the hash of the record bytes is part of what the commit checks.
    const out = await this.call('GetItem ledger head', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: incidentKey(id), ConsistentRead: true })),
    );
    if (!out.Item || out.Item.revision !== revision) throw new ConflictError(`incident ${id} changed since revision ${revision}`);
    return readHead(out.Item);
  }

  async pendingMessages(): Promise<OutboxMessage[]> {
    const idx = INCIDENT_TABLE.indexes.due;
    const items = await this.queryShards(
      'pending',
      { TableName: this.tableName, IndexName: idx.name, KeyConditionExpression: `${idx.partitionKey} = :p`, ExpressionAttributeValues: {} },
      idx.sortKey,
    );
    // Messages only: an item of another kind put among them (an incident's or a finding's record) is
    // never handed to the senders as one (verify names it, `misindexed`).
    return items.filter(isMessageItem).map((i) => ({ ...(JSON.parse(i.data as string) as OutboxMessage), sentAt: null }));
  }

  /**
   * The incident's messages, and (in the same Query) its ledger head: read backwards from the end of
   * the outbox (`MSG#…`) into the ledger (`LG#…`, which sorts just before it), the first ledger
   * entry met is the newest. Sending those messages then needs no read of the head to record them.
   */
  async listMessages(incidentId: string, onDamaged?: DamagedMessageHandler): Promise<OutboxMessage[]> {
    const messages: OutboxMessage[] = [];
    let head: ChainHead | undefined;
    // A page of 100: enough for the outbox of almost any incident and its newest ledger entry.
    await this.readBack(
      {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :ledger AND :outboxEnd',
        ExpressionAttributeValues: { ':pk': `INC#${incidentId}`, ':ledger': 'LG#', ':outboxEnd': 'MSG$' },
        Limit: 100,
      },
      (i) => {
        if (String(i.sk).startsWith('MSG#')) {
          // A row that cannot be read is named by its id, never dropped in silence (atk29 A13).
          const read = storedMessage(i.data);
          if ('message' in read) messages.push({ ...read.message, sentAt: (i.sentAt as string | undefined) ?? null });
          else onDamaged?.({ id: String(i.sk).slice('MSG#'.length), reason: read.reason });
        } else head ??= { seq: Number(i.seq), hash: String(i.hash) };
        return false;
      },
      () => head !== undefined,
    );
    this.ledgerHints.set(incidentId, head ?? null);
    // Read backwards: turned round, so that messages queued at the same time keep their key order.
    return messages.reverse().sort((a, b) => a.createdAt.localeCompare(b.createdAt) || 0);
  }

  async claimMessage(id: string, now: string, leaseUntil: string): Promise<boolean> {
    return (await this.claimMessages([id], now, leaseUntil)).length === 1;
  }

  /**
   * Claims the messages in one transaction (up to 100 at a time); when any of them cannot be
   * claimed (sent, or another sender's lease), each is tried on its own, so the others are taken.
   */
  async claimMessages(ids: string[], now: string, leaseUntil: string): Promise<string[]> {
    const claim = (id: string) => ({
      TableName: this.tableName,
      Key: messageKey(id),
      UpdateExpression: 'SET claimedUntil = :lease',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sentAt) AND (attribute_not_exists(claimedUntil) OR claimedUntil <= :now)',
      ExpressionAttributeValues: { ':lease': leaseUntil, ':now': now },
    });
    const claimed: string[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const batch = ids.slice(i, i + 100);
      try {
        if (batch.length === 1) await this.doc.send(new UpdateCommand(claim(batch[0])));
        else await this.doc.send(new TransactWriteCommand({ TransactItems: batch.map((id) => ({ Update: claim(id) })) }));
        claimed.push(...batch);
      } catch (err) {
        const name = (err as Error).name;
        if (name === 'ConditionalCheckFailedException') continue;
        if (name !== 'TransactionCanceledException' && name !== 'TransactionConflictException') {
          throw new StoreError(`claim of ${batch.length} message(s) failed: ${(err as Error).message}`, { cause: err });
        }
        for (const id of batch) if (await this.claimMessage(id, now, leaseUntil)) claimed.push(id);
      }
    }
    return claimed;
  }

  /**
   * Clears each claim still at `leaseUntil` on a pending message: one conditional update per
   * message (not a transaction: one that is no longer ours must not keep the others claimed).
   */
  async releaseMessageClaims(ids: string[], leaseUntil: string): Promise<string[]> {
    const released: string[] = [];
    for (const id of ids) {
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: messageKey(id),
            UpdateExpression: 'REMOVE claimedUntil',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sentAt) AND claimedUntil = :lease',
            ExpressionAttributeValues: { ':lease': leaseUntil },
          }),
        );
        released.push(id);
      } catch (err) {
        // Sent meanwhile, or claimed again by another sender: not ours to give back.
        if ((err as Error).name === 'ConditionalCheckFailedException') continue;
        throw new StoreError(`giving back the claim of message ${id} failed: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
      }
    }
    return released;
  }

  async markSent(id: string, at: string): Promise<void> {
    await this.markAllSent([id], at);
  }

  /**
   * Marks messages sent and appends that to their incidents' ledgers: per incident one transaction
   * with an entry per message, chained. The head comes from the read that listed the messages, or
   * is read; a commit that moved the ledger meanwhile makes it read the head again. A message
   * another sender marked first is left out (nothing is recorded twice).
   */
  async markAllSent(ids: string[], at: string): Promise<void> {
    const byIncident = new Map<string, string[]>();
    for (const id of ids) {
      const incidentId = id.split('/')[0];
      byIncident.set(incidentId, [...(byIncident.get(incidentId) ?? []), id]);
    }
    for (const [incidentId, mine] of byIncident) {
      // At most 100 items per transaction: two per message, two for the incident and its anchor mark.
      for (let i = 0; i < mine.length; i += 49) await this.markSentOf(incidentId, mine.slice(i, i + 49), at);
    }
  }

  private async markSentOf(incidentId: string, ids: string[], at: string): Promise<void> {
    let pending = ids;
    for (let attempt = 1; pending.length; attempt++) {
      const hint = this.ledgerHints.get(incidentId);
      this.ledgerHints.delete(incidentId);
      const head = hint !== undefined ? hint : await this.readLedgerHead(incidentId);
      const entries: LedgerEntry[] = [];
      for (const id of pending) entries.push(ledgerEntry(incidentId, entries.at(-1) ?? head, { at: new Date().toISOString(), sent: { id, at } }));
      const last = entries.at(-1) as LedgerEntry;
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              ...pending.map((id) => ({
                Update: {
                  TableName: this.tableName,
                  Key: messageKey(id),
                  UpdateExpression: 'SET sentAt = :at REMOVE gsi1pk, gsi1sk',
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sentAt)',
                  ExpressionAttributeValues: { ':at': at },
                },
              })),
              {
                Update: {
                  TableName: this.tableName,
                  Key: incidentKey(incidentId),
                  UpdateExpression: 'SET ledgerSeq = :seq, ledgerHash = :hash',
                  ConditionExpression: head ? 'ledgerSeq = :prev AND ledgerHash = :prevHash' : 'attribute_exists(pk) AND attribute_not_exists(ledgerSeq)',
                  ExpressionAttributeValues: { ':seq': last.seq, ':hash': last.hash, ...(head ? { ':prev': head.seq, ':prevHash': head.hash } : {}) },
                },
              },
              ...entries.map((entry) => ({
                Put: { TableName: this.tableName, Item: { ...ledgerKey(incidentId, entry.seq), ...entry }, ConditionExpression: 'attribute_not_exists(pk)' },
              })),
              this.anchorMark(last),
            ],
          }),
        );
        this.ledgerHints.set(incidentId, { seq: last.seq, hash: last.hash });
        const cached = this.heads.get(incidentId);
        if (cached) cached.head = { seq: last.seq, hash: last.hash };
        return;
      } catch (err) {
        const reasons = ((err as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
        const isCancel = (err as Error).name === 'TransactionCanceledException' || (err as Error).name === 'TransactionConflictException';
        if (!isCancel || attempt >= 10) {
          throw new StoreError(`marking ${pending.length} message(s) of ${incidentId} sent failed: ${(err as Error).name}: ${(err as Error).message}`, {
            cause: err,
          });
        }
        // Already sent (another sender was first): nothing to record twice. Otherwise the head moved: read it again.
        const sentElsewhere = new Set(pending.filter((_, i) => reasons[i] === 'ConditionalCheckFailed'));
        pending = pending.filter((id) => !sentElsewhere.has(id));
      }
    }
  }

  private async readLedgerHead(incidentId: string): Promise<ChainHead | null> {
    const out = await this.call('GetItem ledger head', () =>
      this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: incidentKey(incidentId), ConsistentRead: true, ProjectionExpression: 'ledgerSeq, ledgerHash' }),
      ),
    );
    return out.Item?.ledgerSeq ? { seq: out.Item.ledgerSeq as number, hash: out.Item.ledgerHash as string } : null;
  }

  async close(): Promise<void> {
    // The client belongs to the process (built once at cold start); nothing to release per store.
  }

  /** An incident item read back (its ledger head remembered for the commit that may follow). */
  private incidentItem(item: Record<string, unknown>): Incident {
    const id = String(item.pk).slice('INC#'.length);
    const incident = parseStoredIncident(item.data, id);
    this.heads.set(id, readHead(item));
    return incident;
  }

  private incidentItems(items: Record<string, unknown>[], onUnreadable: UnreadableHandler | undefined): Incident[] {
    const out: Incident[] = [];
    for (const item of items) {
      // Another item an index holds as an incident (a message re-keyed, `misindexed`): no incident is
      // missing for it, so the list goes on without it (close, minimise), and says so, never silently.
      if (!isIncidentItem(item)) {
        skippedNotAnIncident(item, onUnreadable);
        continue;
      }
      try {
        out.push(this.incidentItem(item));
      } catch (err) {
        if (!(err instanceof UnreadableRecordError) || !onUnreadable) throw err;
        onUnreadable({ incidentId: err.incidentId, reason: err.reason });
      }
    }
    return out;
  }

  describe(): string {
    return `dynamodb:${this.tableName}`;
  }

  /** DynamoDB keeps its own storage consistent; there is no page-level check to run. */
  async integrity(): Promise<string[]> {
    return [];
  }

  async incidentIds(): Promise<string[]> {
    const idx = INCIDENT_TABLE.indexes.byDetection;
    const items = await this.queryShards(
      'incident',
      {
        TableName: this.tableName,
        IndexName: idx.name,
        KeyConditionExpression: `${idx.partitionKey} = :p`,
        ExpressionAttributeValues: {},
        ProjectionExpression: 'pk',
      },
      'pk',
    );
    return [...new Set(items.map((i) => String(i.pk).slice('INC#'.length)))].sort();
  }

  async lastFindingWrite(incidentId: string, findingKey: string): Promise<string | null> {
    let hash: string | undefined;
    await this.readBack(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
        ExpressionAttributeValues: { ':pk': `INC#${incidentId}`, ':ledger': 'LG#' },
        Limit: LEDGER_PAGE,
      },
      (item) => {
        hash = findingsWrittenBy(String(item.data)).get(findingKey);
        return hash !== undefined;
      },
    );
    return hash ?? null;
  }

  async messageQueuedAt(incidentId: string, messageId: string): Promise<string | null> {
    let at: string | null = null;
    await this.readBack(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
        ExpressionAttributeValues: { ':pk': `INC#${incidentId}`, ':ledger': 'LG#' },
        Limit: LEDGER_PAGE,
      },
      (item) => {
        at = queuedAtIn(String(item.data), messageId);
        return at !== null;
      },
    );
    return at;
  }

  /**
   * Everything stored of one incident, as stored: its partition (record, timeline, outbox, ledger)
   * and the finding records its ledger names. (A finding record inserted for a key no ledger names
   * is found on the embedded store; here it would take a scan of the table.)
   */
  async rawIncident(id: string): Promise<RawIncident> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `INC#${id}` },
      ConsistentRead: true,
    });
    const record = items.find((i) => i.sk === 'INCIDENT');
    const ledger = items
      .filter((i) => String(i.sk).startsWith('LG#'))
      .map((i) => ({ seq: Number(i.seq), data: String(i.data), prevHash: String(i.prevHash), hash: String(i.hash) }))
      .sort((a, b) => a.seq - b.seq);
    const findings: RawIncident['findings'] = [];
    // The finding records that say they are this incident's: their index entries are checked with its own items.
    const findingItems: Record<string, unknown>[] = [];
    const keyList = [...findingWrites(ledger).keys()];
    for (let i = 0; i < keyList.length; i += 100) {
      const out = await this.call('BatchGetItem findings', () =>
        this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: keyList.slice(i, i + 100).map((k) => ({ pk: `FND#${k}`, sk: 'FINDING' })), ConsistentRead: true } },
          }),
        ),
      );
      for (const f of out.Responses?.[this.tableName] ?? []) {
        if (f.incidentId === id) findingItems.push(f);
        findings.push({
          key: String(f.pk).slice('FND#'.length),
          incidentId: String(f.incidentId),
          data: String(f.data),
          columns: { incidentId: f.incidentId, 'version.updatedAt': f.updatedAt, 'version.count': f.count },
          ...(f.recordHash !== undefined ? { recordHash: f.recordHash } : {}),
        });
      }
    }
    return {
      id,
      record: record
        ? {
            data: String(record.data),
            columns: {
              revision: record.revision,
              state: record.state,
              resourceKey: record.resourceKey,
              detectedAt: record.detectedAt,
              // The sweep finds the incident by its due entry: the due time it is read at, if it is read at all.
              nextDueAt: indexedWhereRead('due', id, record.gsi1pk) ? (record.gsi1sk ?? null) : null,
              // Status, the register and the page's overview list it by its listing entry (`<detectedAt>#<id>`).
              'detectedAt (listing)': listedAs(id, record),
            },
            // What every commit chains on and checks the record by: held to the ledger (review12 K3).
            head: { seq: record.ledgerSeq, hash: record.ledgerHash, ...(record.recordHash !== undefined ? { recordHash: record.recordHash } : {}) },
          }
        : null,
      ledger,
      findings,
      timeline: items
        .filter((i) => String(i.sk).startsWith('TL#'))
        .map((i) => ({ seq: Number(i.seq), at: i.at, kind: i.kind, actor: i.actor, caller: i.caller, detail: i.detail, prevHash: i.prevHash, hash: i.hash }))
        .sort((a, b) => a.seq - b.seq),
      messages: items
        .filter((i) => String(i.sk).startsWith('MSG#'))
        .map((i) => ({
          id: String(i.sk).slice('MSG#'.length),
          data: String(i.data),
          sentAt: (i.sentAt as string | undefined) ?? null,
          claimedUntil: i.claimedUntil === undefined ? null : String(i.claimedUntil),
          pending: indexedWhereRead('pending', String(i.sk).slice('MSG#'.length), i.gsi1pk) && i.gsi1sk !== undefined,
        })),
      misindexed: [...items, ...findingItems].flatMap((i) => misindexed(i).map((m) => ({ entry: entryOf(i), ...m }))),
    };
  }

  /**
   * Every item the indexes' readers read (the senders, the sweep, the listing: each partition whole,
   * keys only) that an index holds as another kind than it is, wherever it is; `incidentId`, the
   * incident it belongs to where it says. Verify of the whole store: `rawIncident` finds those of the
   * incidents it reads, not a resource lock's, the registry's or a partition no incident lists.
   */
  async misindexedItems(): Promise<{ incidentId: string | null; entry: string; kind: keyof typeof INCIDENT_INDEX_KEYS; partition: string }[]> {
    const read = (kind: keyof typeof INCIDENT_INDEX_KEYS, index: { name: string; partitionKey: string }) =>
      this.queryShards(
        kind,
        {
          TableName: this.tableName,
          IndexName: index.name,
          KeyConditionExpression: `${index.partitionKey} = :p`,
          ExpressionAttributeValues: {},
          ProjectionExpression: 'pk, sk, incidentId, gsi1pk, gsi2pk',
        },
        'pk',
      );
    const { due, byDetection } = INCIDENT_TABLE.indexes;
    const items = [...(await read('pending', due)), ...(await read('due', due)), ...(await read('incident', byDetection))];
    const found = new Map<string, { incidentId: string | null; entry: string; kind: keyof typeof INCIDENT_INDEX_KEYS; partition: string }>();
    for (const item of items) {
      const pk = String(item.pk);
      const incidentId = pk.startsWith('INC#') ? pk.slice('INC#'.length) : typeof item.incidentId === 'string' ? item.incidentId : null;
      for (const m of misindexed(item)) found.set(`${itemId({ pk, sk: String(item.sk) })}\n${m.kind}`, { incidentId, entry: entryOf(item), ...m });
    }
    return [...found.values()];
  }

  async registry(): Promise<RegistryRows[]> {
    const shards: RegistryRows[] = [];
    for (let shard = 0; shard < REGISTRY_SHARDS; shard++) {
      const items = await this.queryAll({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': `REG#${shard}`, ':e': 'E#' },
        ConsistentRead: true,
      });
      shards.push(items.map((i) => ({ shard, n: Number(i.n), data: String(i.data), prevHash: String(i.prevHash), hash: String(i.hash) })));
    }
    return shards;
  }

  /**
   * Every resource lock (`RES#<key>`), its own resource's and the further ones an incident holds.
   * No index leads to them all, so this scans the table (verify only; consistent reads): the items
   * are small and read with only their key and holder.
   */
  async resourceClaims(): Promise<{ rows: ClaimRow[]; ownKeyClaimed: boolean }> {
    const rows: ClaimRow[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.call('Scan resource locks', () =>
        this.doc.send(
          new ScanCommand({
            TableName: this.tableName,
            FilterExpression: 'begins_with(pk, :res) AND sk = :open',
            ProjectionExpression: 'pk, incidentId',
            ExpressionAttributeValues: { ':res': 'RES#', ':open': 'OPEN' },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of page.Items ?? []) rows.push({ resourceKey: String(item.pk).slice('RES#'.length), incidentId: String(item.incidentId) });
      start = page.LastEvaluatedKey;
    } while (start);
    return { rows: rows.sort((a, b) => a.resourceKey.localeCompare(b.resourceKey)), ownKeyClaimed: true };
  }

  async anchorCandidates(): Promise<IncidentHead[]> {
    const heads: IncidentHead[] = [];
    for (let shard = 0; shard < REGISTRY_SHARDS; shard++) {
      const items = await this.queryAll({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ANCHOR#${shard}` },
        ConsistentRead: true,
      });
      heads.push(...items.map(markRead));
    }
    return heads.sort((a, b) => (a.incidentId < b.incidentId ? -1 : 1));
  }

  /**
   * A page of the marks (the anchor's): per shard, up to `limit` after `after` and, wrapping, up to
   * the rest from the start; the first `limit` of them all in that order. The others are counted
   * (Select COUNT, no item returned) up to MARK_COUNT_PAGES pages a shard, past which `atLeast`.
   */
  async anchorCandidatePage(after: string | undefined, limit: number): Promise<{ heads: IncidentHead[]; notRead: number; atLeast: boolean }> {
    const head = (i: Record<string, unknown>) => markRead(i);
    const later: IncidentHead[] = [];
    const wrapped: IncidentHead[] = [];
    let total = 0;
    let atLeast = false;
    for (let shard = 0; shard < REGISTRY_SHARDS; shard++) {
      const pk = `ANCHOR#${shard}`;
      const first = await this.queryUpTo(limit, after === undefined ? { pk } : { pk, after });
      (after === undefined ? wrapped : later).push(...first.map(head));
      if (after !== undefined && first.length < limit) wrapped.push(...(await this.queryUpTo(limit - first.length, { pk, upTo: after })).map(head));
      const counted = await this.countMarks(pk);
      total += counted.count;
      atLeast ||= counted.atLeast;
    }
    const byId = (a: IncidentHead, b: IncidentHead) => (a.incidentId < b.incidentId ? -1 : 1);
    const heads = [...later.sort(byId), ...wrapped.sort(byId)].slice(0, limit);
    return { heads, notRead: Math.max(0, total - heads.length), atLeast };
  }

  /** Up to `limit` marks of a shard in id order: after an id, or up to and with one. */
  private async queryUpTo(limit: number, where: { pk: string; after?: string; upTo?: string }): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    const bound = where.after !== undefined ? ' AND sk > :id' : where.upTo !== undefined ? ' AND sk <= :id' : '';
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.call('Query anchor marks', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: `pk = :pk${bound}`,
            ExpressionAttributeValues: { ':pk': where.pk, ...(bound ? { ':id': where.after ?? where.upTo } : {}) },
            ConsistentRead: true,
            Limit: limit - items.length,
            ExclusiveStartKey: start,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start && items.length < limit);
    return items;
  }

  /** How many marks a shard holds, counted up to MARK_COUNT_PAGES pages (1 MB each); past them `atLeast`. */
  private async countMarks(pk: string): Promise<{ count: number; atLeast: boolean }> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    for (let pages = 0; pages < MARK_COUNT_PAGES; pages++) {
      const page = await this.call('Query anchor marks (count)', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
            Select: 'COUNT',
            ExclusiveStartKey: start,
          }),
        ),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
      if (!start) return { count, atLeast: false };
    }
    return { count, atLeast: true };
  }

  /** Only the pending marks: which incidents moved. The heads anchored are in the digests alone. */
  async anchoredHeads(): Promise<null> {
    return null;
  }

  /**
   * Clears the pending marks of anchored heads (taken from the ledger): a mark naming this head or
   * an earlier one (planted or stale) goes; one naming a later head, written meanwhile, stays for
   * the next digest.
   */
  async markAnchored(heads: IncidentHead[]): Promise<void> {
    for (const h of heads) await this.clearMarkIf(h.incidentId, 'seq <= :seq', { ':seq': h.seq }, `of ${h.incidentId}`);
  }

  async clearUnfoundedMarks(marks: AnchorMark[]): Promise<void> {
    // As read, or still of a shape the pipeline never writes (seq a number, hash text): whoever
    // writes the table plants what they like, and a seq read as NaN made the condition unwritable,
    // failing every run before its digest (readB19). A commit meanwhile writes it in shape, and stays.
    for (const m of marks)
      await this.clearMarkIf(
        m.strayShard === undefined ? m.incidentId : { pk: `ANCHOR#${m.strayShard}`, sk: m.incidentId },
        '(seq = :seq AND #h = :hash) OR NOT attribute_type(seq, :number) OR NOT attribute_type(#h, :text)',
        { ':seq': Number.isFinite(m.seq) ? m.seq : -1, ':hash': m.hash, ':number': 'N', ':text': 'S' },
        `naming ${m.incidentId}, which names no incident,`,
        { '#h': 'hash' },
      );
  }

  /** Deletes an incident's anchor mark while `condition` holds of it; one that no longer does (written meanwhile) stays. */
  private async clearMarkIf(
    id: string | { pk: string; sk: string },
    condition: string,
    values: Record<string, unknown>,
    what: string,
    names?: Record<string, string>,
  ): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: typeof id === 'string' ? pendingAnchorKey(id) : id,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ...(names ? { ExpressionAttributeNames: names } : {}),
        }),
      );
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException')
        throw new StoreError(`clearing the anchor mark ${what} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async anchorState(): Promise<AnchorState | null> {
    const out = await this.call('GetItem anchor state', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: anchorStateKey, ConsistentRead: true })),
    );
    return out.Item ? (JSON.parse(String(out.Item.data)) as AnchorState) : null;
  }

  async duePolicyMark(): Promise<DuePolicyMark | null> {
    const out = await this.call('GetItem due policy', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: duePolicyItem, ConsistentRead: true })),
    );
    return out.Item ? parseDuePolicyMark(String(out.Item.data)) : null;
  }

  async markDuePolicy(mark: DuePolicyMark): Promise<void> {
    await this.call('PutItem due policy', () =>
      this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...duePolicyItem, data: JSON.stringify(mark) } })),
    );
  }

  async saveAnchorState(state: AnchorState): Promise<void> {
    await this.call('PutItem anchor state', () =>
      this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...anchorStateKey, data: JSON.stringify(state) } })),
    );
  }

  /**
   * Who holds the locks a commit could not take, read after it was cancelled: "resource K is held by
   * incident X". A lock naming an incident of the commit itself, whose record did not list the
   * resource, was not written by the pipeline (datalek verify names it). Empty when none is held now.
   */
  private async lockHolders(keys: string[], writing: string[]): Promise<string> {
    if (keys.length === 0) return '';
    const found = await this.batchGet('BatchGetItem resource locks', keys.map(resourceLockKey));
    return keys
      .flatMap((key) => {
        const holder = found.get(itemId(resourceLockKey(key)))?.incidentId;
        if (typeof holder !== 'string') return [];
        return writing.includes(holder)
          ? [`resource ${key} is claimed by incident ${holder}, whose record does not list it: a claim datalek did not write`]
          : [`resource ${key} is held by incident ${holder}`];
      })
      .join('; ');
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

  /**
   * Reads the query's items from the end back, page by page (consistent), until `visit` says an
   * item ends it or a page leaves `done()` true.
   */
  private async readBack(
    input: Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeValues' | 'Limit'>,
    visit: (item: Record<string, unknown>) => boolean,
    done: () => boolean = () => false,
  ): Promise<void> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.call('Query', () =>
        this.doc.send(new QueryCommand({ TableName: this.tableName, ...input, ScanIndexForward: false, ConsistentRead: true, ExclusiveStartKey: start })),
      );
      for (const item of page.Items ?? []) if (visit(item)) return;
      start = done() ? undefined : page.LastEvaluatedKey;
    } while (start);
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

/**
 * Why DynamoDB refused a transaction as it is, when it did: a ValidationException (an item over
 * 400 KB, a key over its size, a value it does not take), or a cancellation whose every reason is
 * such a refusal or none. Null for anything else (a table that is not there or not datalek's, an
 * outage, a throttle, a key or permission problem): the store cannot be written. The message is
 * DynamoDB's, which names limits and attribute names, never values; redacted all the same.
 */
function refusedAsItIs(err: unknown): string | null {
  const { name, message } = err as Error;
  if (name === 'ValidationException') {
    // The table is not shaped as datalek set it up: the store is wrong, not this write.
    if (/does not match the schema|missing the key/i.test(message)) return null;
    return `${name}: ${redactErrorMessage(message).slice(0, 300)}`;
  }
  if (name === 'TransactionCanceledException') {
    const reasons = (err as TransactionCanceledException).CancellationReasons ?? [];
    const refused = reasons.filter((r) => r.Code === 'ValidationError');
    if (refused.length && reasons.every((r) => r.Code === 'ValidationError' || r.Code === 'None' || r.Code === undefined))
      return `ValidationError: ${redactErrorMessage(refused.map((r) => r.Message ?? '').join('; ')).slice(0, 300)}`;
  }
  return null;
}
