/** Lambda entry: the scheduled deadline sweep (see lambda/sweep.ts). */
import { createAwsClients } from './adapters/aws/clients.js';
import { loadAwsConfig } from './adapters/aws/config.js';
import { createAwsDeps } from './lambda/runtime.js';
import { createSweepHandler } from './lambda/sweep.js';

const config = loadAwsConfig();

export const handler = createSweepHandler(createAwsDeps(config, createAwsClients(config.region)));
