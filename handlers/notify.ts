/** Lambda entry: sends an incident's pending FG and on-call messages (see lambda/notify.ts). */
import { loadAwsConfig } from './adapters/aws/config.js';
import { createLambdaDeps } from './lambda/lazy-deps.js';
import { snsNotifier } from './lambda/notifier.js';
import { createNotifyHandler } from './lambda/notify.js';

const config = loadAwsConfig();
const deps = createLambdaDeps(config);

// Every run sends: the notifier is made now. The function publishes nothing (no EventBridge client).
export const handler = createNotifyHandler({ ...deps, notifier: snsNotifier(config, deps.store, deps.logger, deps.now) });
