/**
 * What the link-apply function may do with the incidents table: exactly what an acknowledgement
 * (by a page's signed link, or by the pager's webhook) reads and writes, and nothing else. The
 * public link function has no table right at all: it forwards each request to link-apply
 * (handlers/lambda/link.ts), which checks the link's or the webhook's signature itself with the key
 * and secret only it holds (handlers/lambda/link-apply.ts). This grant is the second line: it
 * bounds what a bug in link-apply itself could write.
 *
 * An acknowledgement is one `changeIncident` (handlers/core/change-incident.ts, from
 * core/acknowledge.ts or core/pager.ts `recordPagerEvent`), stored by DynamoDbIncidentStore
 * (handlers/adapters/aws/dynamodb-store.ts) as:
 * - reads: GetItem `INC#<id>`/`INCIDENT` (the incident; again with a projection for the ledger head
 *   when the cached one is stale); BatchGetItem `INC#<id>`/`MSG#…` (which queued messages are
 *   stored already, projection `sk`); BatchGetItem `RES#<key>`/`OPEN` (projection `pk, incidentId`)
 *   only when the incident committed is closed (a pager event about a closed incident);
 * - writes: one TransactWriteItems of Puts only: `INC#<id>`/`INCIDENT`, `INC#<id>`/`TL#<seq>` (the
 *   timeline), `INC#<id>`/`MSG#<id>` (the pager's acknowledge, when the pager holds the alert),
 *   `INC#<id>`/`LG#<seq>` (the ledger) and `ANCHOR#<shard>`/`<id>` (the head the next digest takes).
 *   No Update, no Delete, no ConditionCheck, no Query, no index. (A commit of a closed incident
 *   deletes the resource locks that incident still holds; closing already released them, so only a
 *   damaged store has one, and then the link's commit is refused and writes nothing: 500, and the
 *   pager retries until someone acknowledges another way.)
 *
 * Not what IAM can narrow: every incident's items share the prefix `INC#`, and the record, the
 * timeline, the outbox and the ledger an acknowledgement must write live in the same partition as
 * the items of that incident it must not rewrite. IAM has no condition on the sort key, nor on
 * the incident a link names, nor on an item's values, and a Put's ConditionExpression is the
 * caller's own. So code running in link-apply (not in the public link function, which reaches it
 * only through a payload it checks) could still put any item in any incident's partition, with the
 * attribute names below; what it overwrites there shows when the register is verified against its
 * signed digests (`datalek verify`), it is not prevented.
 *
 * What AWS documents, and this relies on:
 * - In a transaction, a Put, Update, Delete or Get is authorised as PutItem, UpdateItem, DeleteItem or
 *   GetItem, and a ConditionCheck as ConditionCheckItem; there is no action of its own for
 *   TransactWriteItems ("Using IAM with DynamoDB transactions", DynamoDB Developer Guide,
 *   docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html). So the
 *   conditions below hold for each item of a transaction.
 * - `dynamodb:LeadingKeys` is the partition key values a request reaches: plural even for one item,
 *   used with the ForAllValues modifier, so a BatchGetItem is allowed only when every key matches
 *   ("Using IAM policy conditions for fine-grained access control", same guide,
 *   …/developerguide/specifying-conditions.html: its example 1 conditions GetItem, BatchGetItem,
 *   PutItem and the other item actions on it).
 * - `dynamodb:Attributes` is the attribute names of a request: for PutItem those of the item, and
 *   those a condition expression evaluates; the key attributes, index keys included, must be listed
 *   (same page; AWS re:Post knowledge center "dynamodb-table-restrict-attributes"). It restricts
 *   names, not values.
 * - ForAllValues is true when the request has no such key at all (IAM User Guide, "Single-valued vs.
 *   multivalued context keys", docs.aws.amazon.com/IAM/latest/UserGuide/
 *   reference_policies_condition-single-vs-multi-valued-context-keys.html): each statement also
 *   requires the keys to be there (`Null: false`), so that the grant fails closed rather than open.
 * - `dynamodb:ReturnValues` guards what a write hands back of the item it replaced, and in a
 *   transaction what a failed condition returns (transaction page, example 4): only NONE, as the
 *   store asks.
 * - `dynamodb:Select` applies to Query and Scan only: link-apply does neither, so it has none.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { REGISTRY_SHARDS } from '../handlers/core/ledger.js';

/** The partitions an acknowledgement reads: incidents (record, outbox) and resource locks. */
export const LINK_READ_KEYS = ['INC#*', 'RES#*'];

/** The partitions it writes: incidents, and the shards of the heads marked for the next digest (not `ANCHOR`, the anchor's own state). */
export const LINK_WRITE_KEYS = ['INC#*', ...Array.from({ length: REGISTRY_SHARDS }, (_, shard) => `ANCHOR#${shard}`)];

/**
 * The attribute names of the items it puts (dynamodb-store.ts), and those its conditions read.
 * Not among them: `sentAt` and `claimedUntil` (the outbox's marks, notify's and the sweep's), `n` and
 * `shard` (the registry), `updatedAt` and `count` (a finding's version).
 */
export const LINK_WRITE_ATTRIBUTES = [
  // the table's key and both indexes' keys
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  // the incident record (`INCIDENT`)
  'revision',
  'state',
  'resourceKey',
  'detectedAt',
  'ledgerSeq',
  'ledgerHash',
  'recordHash',
  'data',
  // timeline entries (`TL#`), ledger entries (`LG#`), queued messages (`MSG#`), anchor marks
  'incidentId',
  'seq',
  'at',
  'kind',
  'actor',
  'detail',
  'prevHash',
  'hash',
  'createdAt',
];

/** The link-apply function's statements on the incidents table (`tableArn`): no index, nothing else. */
export function linkTableStatements(tableArn: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReadIncidentsAndLocks',
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
      resources: [tableArn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': LINK_READ_KEYS },
        Null: { 'dynamodb:LeadingKeys': 'false' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'PutAcknowledgementItems',
      actions: ['dynamodb:PutItem'],
      resources: [tableArn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': LINK_WRITE_KEYS },
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': LINK_WRITE_ATTRIBUTES },
        StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
        Null: { 'dynamodb:LeadingKeys': 'false', 'dynamodb:Attributes': 'false' },
      },
    }),
  ];
}
