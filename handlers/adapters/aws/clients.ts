import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';

export interface AwsClients {
  dynamodb: DynamoDBClient;
  sns: SNSClient;
  eventbridge: EventBridgeClient;
}

/**
 * The SDK clients, built once per process (at a Lambda's cold start, or once per CLI run). The
 * endpoint comes from the SDK's standard `AWS_ENDPOINT_URL` (an emulator) when it is set.
 */
export function createAwsClients(region: string): AwsClients {
  return {
    dynamodb: new DynamoDBClient({ region }),
    sns: new SNSClient({ region }),
    eventbridge: new EventBridgeClient({ region }),
  };
}
