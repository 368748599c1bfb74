/** Lambda entry: the scheduled deadline sweep (see lambda/sweep.ts). */
import { loadAwsConfig } from './adapters/aws/config.js';
import { createLambdaDeps } from './lambda/lazy-deps.js';
import { createSweepHandler } from './lambda/sweep.js';

const config = loadAwsConfig();

// Its notifier and publisher load when something is due (lambda/lazy-deps.ts).
export const handler = createSweepHandler(createLambdaDeps(config));
