/** Lambda entry: a member account's watched call, paged within the bound (see lambda/member-pages.ts). DynamoDB's and SNS's clients only: the bundle stays small. */

import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDbMemberPageLedger } from './adapters/aws/member-page-ledger.js';
import { PIPELINE_SDK, sdkConfig } from './adapters/aws/sdk-config.js';
import { ConfigurationError } from './core/errors.js';
import { createMemberPagesHandler, loadMemberPagesConfig } from './lambda/member-pages.js';

const required = ['AWS_REGION', 'DATALEK_MEMBER_PAGES_TABLE', 'DATALEK_ALARM_TOPIC_ARN'] as const;
const missing = required.filter((name) => !process.env[name]);
if (missing.length) throw new ConfigurationError(`invalid environment: ${missing.map((name) => `${name}: required`).join('; ')}`);
const [region, table, topicArn] = required.map((name) => process.env[name] as string);
const config = loadMemberPagesConfig(process.env);
const clients = sdkConfig(region, PIPELINE_SDK);
const sns = new SNSClient(clients);

export const handler = createMemberPagesHandler({
  config,
  ledger: new DynamoDbMemberPageLedger(new DynamoDBClient(clients), table, config.bound.limit),
  publish: async (text) => {
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: text }));
  },
  logger: new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'datalek' }),
});
