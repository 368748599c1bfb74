/** Lambda entry: records a GuardDuty finding delivered by EventBridge (see lambda/record.ts). */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadAwsConfig } from './adapters/aws/config.js';
import { PIPELINE_SDK, sdkConfig } from './adapters/aws/sdk-config.js';
import { createLambdaDeps } from './lambda/lazy-deps.js';
import { eventBridgePublisher } from './lambda/publisher.js';
import { createRecordHandler } from './lambda/record.js';

const config = loadAwsConfig();
const dynamodb = new DynamoDBClient(sdkConfig(config.region, PIPELINE_SDK));

export const handler = createRecordHandler({
  ...createLambdaDeps(config, dynamodb),
  // A recorded finding is published at once; the function sends no message (no SNS client).
  publisher: eventBridgePublisher(config),
  persistenceStore: new DynamoDBPersistenceLayer({ tableName: config.idempotencyTable, awsSdkV3Client: dynamodb }),
  // Rules in enforce mode are planned as enforced here; the contain handler carries them out.
  canEnforce: true,
});
