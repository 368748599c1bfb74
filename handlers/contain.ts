/** Lambda entry: carries out enforced containment (see lambda/contain.ts). */
import { createAwsClients } from './adapters/aws/clients.js';
import { loadAwsConfig } from './adapters/aws/config.js';
import { ContainmentClientFactory } from './adapters/aws/containment/clients.js';
import { AwsContainment } from './adapters/aws/containment/index.js';
import { createContainHandler } from './lambda/contain.js';
import { createAwsDeps } from './lambda/runtime.js';

const config = loadAwsConfig();

export const handler = createContainHandler({
  ...createAwsDeps(config, createAwsClients(config.region)),
  containment: new AwsContainment(new ContainmentClientFactory(config.region, config.containmentRoleName)),
});
