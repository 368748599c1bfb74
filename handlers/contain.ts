/** Lambda entry: carries out enforced containment (see lambda/contain.ts). */
import { loadAwsConfig } from './adapters/aws/config.js';
import { ContainmentClientFactory } from './adapters/aws/containment/clients.js';
import { AwsContainment } from './adapters/aws/containment/index.js';
import { createContainHandler } from './lambda/contain.js';
import { createLambdaDeps } from './lambda/lazy-deps.js';
import { eventBridgePublisher } from './lambda/publisher.js';

const config = loadAwsConfig();

export const handler = createContainHandler({
  ...createLambdaDeps(config),
  // Each run that acts publishes its outcome; the function sends no message (no SNS client).
  publisher: eventBridgePublisher(config),
  containment: new AwsContainment(new ContainmentClientFactory(config.region, config.containmentRoleName)),
});
