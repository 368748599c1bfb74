/**
 * Lambda entry: the public link function, a forwarder (see lambda/link.ts). It reads only where to
 * forward: no table, no secret, no policy. Checked when the module loads.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { sdkConfig } from './adapters/aws/sdk-config.js';
import { ConfigurationError } from './core/errors.js';
import * as z from './core/zod.js';
import { createLinkHandler, lambdaInvoker } from './lambda/link.js';

const env = z
  .object({
    AWS_REGION: z.string().check(z.minLength(1, { error: 'required: the region the pipeline runs in' })),
    DATALEK_LINK_APPLY_FUNCTION: z
      .string()
      .check(z.regex(/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+$/, { error: 'required: the ARN of the link-apply function' })),
  })
  .safeParse(process.env);
if (!env.success) {
  const issue = env.error.issues[0];
  throw new ConfigurationError(
    `invalid environment: ${issue.path.join('.')}: ${issue.message.replace(/^Invalid input: expected string, received undefined$/, 'required')}`,
  );
}
// One attempt more on a throttle or a lost connection; never a second run of a press that is still
// running: the link-apply function ends before the request times out (infra/response-stack.ts).
const LINK_APPLY_SDK = { maxAttempts: 2, requestTimeoutMs: 25_000, connectionTimeoutMs: 2_000 };
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'datalek' });

export const handler = createLinkHandler({
  invoke: lambdaInvoker(new LambdaClient(sdkConfig(env.data.AWS_REGION, LINK_APPLY_SDK)), env.data.DATALEK_LINK_APPLY_FUNCTION),
  log: (line) => logger.warn(line),
});
