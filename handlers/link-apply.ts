/** Lambda entry: checks and applies what the public link function forwards (see lambda/link-apply.ts). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { loadAwsConfig } from './adapters/aws/config.js';
import { DynamoDbIncidentStore } from './adapters/aws/dynamodb-store.js';
import { EventBridgePublisher } from './adapters/aws/eventbridge-publisher.js';
import { PIPELINE_SDK, sdkConfig } from './adapters/aws/sdk-config.js';
import { secretKey, secretReader, secretsManagerWebhookSecret } from './adapters/aws/secrets.js';
import { ConfigurationError } from './core/errors.js';
import { createLinkApplyHandler } from './lambda/link-apply.js';
import { createLogger } from './lambda/runtime.js';
import { systemClock } from './ports/clock.js';

const config = loadAwsConfig();
if (!config.linkKeySecret)
  throw new ConfigurationError('invalid environment: DATALEK_LINK_KEY_SECRET: required by the link-apply function (the secret holding the link key)');
const linkKeySecret = config.linkKeySecret;
// The pager's webhook secret from its own secret, never the pager's keys (config.pagerSecret): this
// function answers what the public link function forwards, and must not hold what pages on-call.
const webhookSecret = config.pagerWebhookSecret ? secretsManagerWebhookSecret(config.pagerWebhookSecret, config.region) : undefined;
// Only the clients this function uses: it sends no message itself (the notify function does).
const sdk = sdkConfig(config.region, PIPELINE_SDK);

export const handler = createLinkApplyHandler({
  store: new DynamoDbIncidentStore(new DynamoDBClient(sdk), config.table),
  publisher: new EventBridgePublisher(new EventBridgeClient(sdk), config.busName),
  policy: config.policy,
  logger: createLogger(),
  now: systemClock.now,
  linkKey: secretKey(secretReader(linkKeySecret, { region: config.region })),
  webhookSecret,
});
