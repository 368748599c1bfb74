/** Lambda entry: sends an incident's pending FG and on-call messages (see lambda/notify.ts). */
import { createAwsClients } from './adapters/aws/clients.js';
import { loadAwsConfig } from './adapters/aws/config.js';
import { createNotifyHandler } from './lambda/notify.js';
import { createAwsDeps } from './lambda/runtime.js';

const config = loadAwsConfig();

export const handler = createNotifyHandler(createAwsDeps(config, createAwsClients(config.region)));
