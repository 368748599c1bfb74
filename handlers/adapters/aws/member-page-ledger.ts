/**
 * The member-pages function's record, in DynamoDB (`datalek-member-pages`): per member account, rule
 * and window, one item per call (`E#<CloudTrail event id>`, with its event name and outcome) and one per page slot (`P#1` … `P#<limit>`,
 * `S` the summary's), each slot taken by exactly one call with a conditional put. Every write is one
 * item's and conditional, so the record is idempotent on the event id without a transaction:
 * - a call delivered again (EventBridge retries, a forward repeated) finds its own item, and the
 *   slot it took before (a slot's condition lets its own call take it again), and is counted once:
 *   the window's count is the number of its call items;
 * - two calls at once never take one slot: the first `limit` calls page, one the summary, the rest
 *   are held back, but for the first of each event name no page named (`N#<event name>`), which pages.
 * Every item lives RECORD_DAYS after its window (TTL `expiresAt`).
 * The function alone writes it (with break-glass): a slot or call item planted by anyone else would
 * hold a member's page back as already sent, so the table's resource policy refuses every other
 * principal's item writes and deletes (infra/constructs/member-pages.ts, sec24).
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { StoreError } from '../../core/errors.js';
import { type MemberPageOutcome, RECORD_DAYS } from '../../core/member-pages.js';

/** The table's key attributes and its TTL attribute (infra/constructs/member-pages.ts makes it). */
export const MEMBER_PAGES_TABLE = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' } as const;

/** One call in its window: the window's key, the call's event id and name, the window's end (its items' TTL counts from it). */
export interface LedgerCall {
  window: string;
  eventId: string;
  /** CloudTrail's event name, kept on the call's item: on-call tells a held-back call from the noise before it by one query. */
  eventName: string;
  windowEnd: string;
}

/** What the record holds of a call: its outcome, and whether its page (or summary) was published. */
export interface LedgerEntry {
  outcome: MemberPageOutcome;
  sent: boolean;
}

export class DynamoDbMemberPageLedger {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    private readonly limit: number,
  ) {}

  /**
   * Records the call once and decides its outcome once: a call seen before gets the outcome it got
   * then (and whether it was sent), a new one the next page slot of its window, else the summary's,
   * else none (held back).
   */
  async claim(call: LedgerCall): Promise<LedgerEntry> {
    const key = { pk: { S: call.window }, sk: { S: `E#${call.eventId}` } };
    const expiresAt = { N: String(Math.floor(Date.parse(call.windowEnd) / 1000) + RECORD_DAYS * 86_400) };
    let isNew = true;
    try {
      await this.call('PutItem call', () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: { ...key, eventName: { S: call.eventName }, expiresAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      isNew = false;
    }
    if (!isNew) {
      const item = (await this.call('GetItem call', () => this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))))
        .Item;
      const recorded = item?.outcome?.S ? outcomeOf(item.outcome.S) : undefined;
      if (recorded) return { outcome: recorded, sent: item?.sent?.BOOL === true };
    }
    const outcome = await this.takeSlot(call, expiresAt, isNew);
    await this.call('UpdateItem outcome', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET outcome = :outcome',
          ExpressionAttributeValues: { ':outcome': { S: outcomeText(outcome) } },
        }),
      ),
    );
    return { outcome, sent: false };
  }

  /** Marks the call's page (or summary) published: a delivery of it again sends nothing. */
  async markSent(call: LedgerCall): Promise<void> {
    await this.call('UpdateItem sent', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: call.window }, sk: { S: `E#${call.eventId}` } },
          UpdateExpression: 'SET sent = :yes',
          ExpressionAttributeValues: { ':yes': { BOOL: true } },
        }),
      ),
    );
  }

  /** How many calls the window of key `window` recorded (each once). */
  calls(window: string): Promise<number> {
    return this.count('Query calls', window);
  }

  /** How many calls the window of key `window` held back (recorded, not paged). */
  held(window: string): Promise<number> {
    return this.count('Query held', window, 'held');
  }

  /** The window's call items, those of `outcome` only where it is given, counted. */
  private async count(what: string, window: string, outcome?: string): Promise<number> {
    let count = 0;
    let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const page = await this.call(what, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
            ...(outcome ? { FilterExpression: 'outcome = :outcome' } : {}),
            ExpressionAttributeValues: { ':pk': { S: window }, ':e': { S: 'E#' }, ...(outcome ? { ':outcome': { S: outcome } } : {}) },
            Select: 'COUNT',
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  /**
   * The first page slot the call can take (its own from before included), else the summary's, else
   * its event name's (`N#<event name>`: the first call of a name no page of the window named), else
   * none. A call that takes a page slot or the summary's takes its name's too, so a later call of a
   * name already paged is held back. A new call cannot hold a page slot once the summary's is
   * another call's: it is held back unless its name's is free.
   */
  private async takeSlot(call: LedgerCall, expiresAt: { N: string }, isNew: boolean): Promise<MemberPageOutcome> {
    const slot = (sk: string) => ({ pk: { S: call.window }, sk: { S: sk } });
    const take = async (sk: string): Promise<boolean> => {
      try {
        await this.call(`PutItem slot ${sk}`, () =>
          this.client.send(
            new PutItemCommand({
              TableName: this.tableName,
              Item: { ...slot(sk), eventId: { S: call.eventId }, expiresAt },
              ConditionExpression: 'attribute_not_exists(pk) OR eventId = :id',
              ExpressionAttributeValues: { ':id': { S: call.eventId } },
            }),
          ),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    };
    const name = `N#${call.eventName}`;
    const paged = async (outcome: MemberPageOutcome): Promise<MemberPageOutcome> => {
      // Its name paged: a later call of that name is not paged for it (another call's claim of it stands).
      await take(name);
      return outcome;
    };
    let summaryTaken = false;
    if (isNew) {
      const summary = (
        await this.call('GetItem summary slot', () => this.client.send(new GetItemCommand({ TableName: this.tableName, Key: slot('S'), ConsistentRead: true })))
      ).Item;
      summaryTaken = summary !== undefined && summary.eventId?.S !== call.eventId;
    }
    if (!summaryTaken) {
      for (let n = 1; n <= this.limit; n++) if (await take(`P#${n}`)) return paged({ kind: 'page', n });
      if (await take('S')) return paged({ kind: 'summary' });
    }
    return (await take(name)) ? { kind: 'name' } : { kind: 'held' };
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw err;
      throw new StoreError(`member pages ${this.tableName}: ${what} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

function outcomeText(outcome: MemberPageOutcome): string {
  return outcome.kind === 'page' ? `page#${outcome.n}` : outcome.kind;
}

const OTHER_OUTCOMES: Record<string, MemberPageOutcome> = { summary: { kind: 'summary' }, name: { kind: 'name' }, held: { kind: 'held' } };

function outcomeOf(text: string): MemberPageOutcome | undefined {
  const page = /^page#(\d+)$/.exec(text);
  if (page) return { kind: 'page', n: Number(page[1]) };
  return Object.hasOwn(OTHER_OUTCOMES, text) ? OTHER_OUTCOMES[text] : undefined;
}
