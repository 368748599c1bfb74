/** Lambda entry: the IAM-authenticated acknowledgement function URL (see lambda/acknowledge.ts). */
import { createAwsClients } from './adapters/aws/clients.js';
import { loadAwsConfig } from './adapters/aws/config.js';
import { createAcknowledgeHandler, loadAllowedPrincipals } from './lambda/acknowledge.js';
import { createAwsDeps } from './lambda/runtime.js';

const config = loadAwsConfig();

export const handler = createAcknowledgeHandler({ ...createAwsDeps(config, createAwsClients(config.region)), allowedPrincipals: loadAllowedPrincipals() });
