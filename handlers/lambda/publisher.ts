/**
 * Publishing domain events, with EventBridge's client. The record, contain and acknowledge functions
 * make it at cold start; the sweep loads this module when it first publishes (lazy-deps.ts). A
 * function that imports it loads EventBridge's client at start (infra/bundling.ts), so notify, which
 * publishes nothing, never does.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { AwsConfig } from '../adapters/aws/config.js';
import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher.js';
import { PIPELINE_SDK, sdkConfig } from '../adapters/aws/sdk-config.js';
import type { EventPublisher } from '../ports/event-publisher.js';

export function eventBridgePublisher(config: AwsConfig): EventPublisher {
  return new EventBridgePublisher(new EventBridgeClient(sdkConfig(config.region, PIPELINE_SDK)), config.busName);
}
