/** Lambda entry: the IAM-authenticated acknowledgement function URL (see lambda/acknowledge.ts). */
import { loadAwsConfig } from './adapters/aws/config.js';
import { createAcknowledgeHandler, loadAllowedPrincipals } from './lambda/acknowledge.js';
import { createLambdaDeps } from './lambda/lazy-deps.js';
import { eventBridgePublisher } from './lambda/publisher.js';

const config = loadAwsConfig();

export const handler = createAcknowledgeHandler({
  ...createLambdaDeps(config),
  // An acknowledgement is published at once; the function sends no message (no SNS client).
  publisher: eventBridgePublisher(config),
  allowedPrincipals: loadAllowedPrincipals(),
});
