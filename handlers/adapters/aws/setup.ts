/**
 * `datalek setup --target aws`: creates the tables, topics and bus that the CDK app deploys, with
 * the same names and key schema (table-schema.ts), on an emulator or a sandbox account. Running it
 * twice is harmless: what exists is left as it is.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ListTagsOfResourceCommand,
  ResourceInUseException,
  TagResourceCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, type EventBridgeClient, ResourceAlreadyExistsException } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { DEFAULT_FG_ROLE, DEFAULT_RESOURCE_NAMES, FG_ROLE_TAG, IDEMPOTENCY_TABLE, INCIDENT_TABLE } from './table-schema.js';

export interface SetupClients {
  dynamodb: DynamoDBClient;
  sns: SNSClient;
  eventbridge: EventBridgeClient;
}

export interface SetupResult {
  table: string;
  idempotencyTable: string;
  fgTopicArn: string;
  onCallTopicArn: string;
  busName: string;
  created: string[];
}

export async function setupAwsResources(clients: SetupClients, names = DEFAULT_RESOURCE_NAMES): Promise<SetupResult> {
  const created: string[] = [];
  const { due, byDetection } = INCIDENT_TABLE.indexes;
  const index = (i: { name: string; partitionKey: string; sortKey: string }) => ({
    IndexName: i.name,
    KeySchema: [
      { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  if (
    await createIfAbsent(() =>
      clients.dynamodb.send(
        new CreateTableCommand({
          TableName: names.table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: ['pk', 'sk', due.partitionKey, due.sortKey, byDetection.partitionKey, byDetection.sortKey].map((n) => ({
            AttributeName: n,
            AttributeType: 'S' as const,
          })),
          KeySchema: [
            { AttributeName: INCIDENT_TABLE.partitionKey, KeyType: 'HASH' },
            { AttributeName: INCIDENT_TABLE.sortKey, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [index(due), index(byDetection)],
        }),
      ),
    )
  )
    created.push(`table ${names.table}`);
  if (
    await createIfAbsent(() =>
      clients.dynamodb.send(
        new CreateTableCommand({
          TableName: names.idempotencyTable,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_TABLE.partitionKey, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE.partitionKey, KeyType: 'HASH' }],
        }),
      ),
    )
  ) {
    created.push(`table ${names.idempotencyTable}`);
  }
  for (const table of [names.table, names.idempotencyTable]) {
    await waitUntilTableExists({ client: clients.dynamodb, maxWaitTime: 60 }, { TableName: table });
  }
  await tagFgRole(clients.dynamodb, names.table);
  await clients.dynamodb
    .send(
      new UpdateTimeToLiveCommand({
        TableName: names.idempotencyTable,
        TimeToLiveSpecification: { AttributeName: IDEMPOTENCY_TABLE.ttlAttribute, Enabled: true },
      }),
    )
    .catch((err: Error) => {
      // Already enabled is fine; anything else is not.
      if (!/already enabled/i.test(err.message)) throw err;
    });
  // CreateTopic is idempotent and returns the ARN of an existing topic of the same name.
  const fg = await clients.sns.send(new CreateTopicCommand({ Name: names.fgTopic }));
  const onCall = await clients.sns.send(new CreateTopicCommand({ Name: names.onCallTopic }));
  if (await createIfAbsent(() => clients.eventbridge.send(new CreateEventBusCommand({ Name: names.bus })))) created.push(`event bus ${names.bus}`);
  return {
    table: names.table,
    idempotencyTable: names.idempotencyTable,
    fgTopicArn: fg.TopicArn as string,
    onCallTopicArn: onCall.TopicArn as string,
    busName: names.bus,
    created,
  };
}

/**
 * Names the FG's role on the incidents table as the CDK app does (`datalek:fg-role`, handlers/cli/fg-role.ts):
 * `datalek-fg`, unless the table names one already (what exists is left as it is).
 */
export async function tagFgRole(dynamodb: DynamoDBClient, table: string): Promise<void> {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
  const ResourceArn = Table?.TableArn as string;
  // Every page of the table's tags (NextToken): a tag on a later page is named all the same, and not overwritten.
  let NextToken: string | undefined;
  do {
    const page = await dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn, NextToken }));
    if (page.Tags?.some((t) => t.Key === FG_ROLE_TAG)) return;
    NextToken = page.NextToken;
  } while (NextToken);
  await dynamodb.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: FG_ROLE_TAG, Value: DEFAULT_FG_ROLE }] }));
}

async function createIfAbsent(create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (err) {
    if (err instanceof ResourceInUseException || err instanceof ResourceAlreadyExistsException) return false;
    if (['ResourceInUseException', 'ResourceAlreadyExistsException'].includes((err as Error).name)) return false;
    throw err;
  }
}
