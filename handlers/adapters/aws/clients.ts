import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { PIPELINE_SDK, sdkConfig } from './sdk-config.js';

export interface AwsClients {
  dynamodb: DynamoDBClient;
  sns: SNSClient;
  eventbridge: EventBridgeClient;
}

/**
 * The SDK clients, built once per process (at a Lambda's cold start, or once per CLI run), with
 * adaptive retries and request timeouts (sdk-config.ts). The endpoint comes from the SDK's standard
 * `AWS_ENDPOINT_URL` (an emulator) when it is set.
 */
export function createAwsClients(region: string): AwsClients {
  const config = sdkConfig(region, PIPELINE_SDK);
  return {
    dynamodb: new DynamoDBClient(config),
    sns: new SNSClient(config),
    eventbridge: new EventBridgeClient(config),
  };
}
