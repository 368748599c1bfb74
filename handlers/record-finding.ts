/** Lambda entry: records a GuardDuty finding delivered by EventBridge (see lambda/record.ts). */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { createAwsClients } from './adapters/aws/clients.js';
import { loadAwsConfig } from './adapters/aws/config.js';
import { createRecordHandler } from './lambda/record.js';
import { createAwsDeps } from './lambda/runtime.js';

const config = loadAwsConfig();
const clients = createAwsClients(config.region);

export const handler = createRecordHandler({
  ...createAwsDeps(config, clients),
  persistenceStore: new DynamoDBPersistenceLayer({ tableName: config.idempotencyTable, awsSdkV3Client: clients.dynamodb }),
  // Rules in enforce mode are planned as enforced here; the contain handler carries them out.
  canEnforce: true,
});
