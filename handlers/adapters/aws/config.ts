/**
 * The AWS side's configuration: read from the environment once, when a module loads, and checked
 * with one schema. A missing or malformed value fails at start with the variable's name and what
 * was expected: never a silent placeholder, never at 3 a.m. The endpoint comes through the SDK's
 * own `AWS_ENDPOINT_URL` (an emulator such as moto), which the SDK reads itself.
 */

import { ConfigurationError } from '../../core/errors.js';
import { type Policy, parsePolicy } from '../../core/policy.js';
import * as z from '../../core/zod.js';

const arn = (service: string) =>
  z.string().check(z.regex(new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:.+$`), { error: `expected an ${service.toUpperCase()} ARN` }));

const envSchema = z.object({
  AWS_REGION: z.string().check(z.minLength(1, { error: 'required: the region the pipeline runs in' })),
  DATALEK_TABLE: z.string().check(z.minLength(3, { error: 'required: the incidents table name' })),
  DATALEK_IDEMPOTENCY_TABLE: z.string().check(z.minLength(3, { error: 'required: the idempotency table name' })),
  DATALEK_FG_TOPIC_ARN: arn('sns'),
  DATALEK_ON_CALL_TOPIC_ARN: arn('sns'),
  DATALEK_BUS_NAME: z.string().check(z.minLength(1, { error: 'required: the custom event bus name' })),
  /** The policy as JSON text (the CDK app passes the same file the core reads locally). Empty: defaults. */
  DATALEK_POLICY: z.optional(z.string()),
  /** Where the acknowledgement pages are served: the link function's URL (pages carry links to it). */
  DATALEK_LINK_URL: z.optional(z.url({ protocol: /^https?$/, error: 'expected the link function URL (https://….lambda-url.<region>.on.aws/)' })),
  /** The secret (name or ARN) holding the acknowledgement link key. */
  DATALEK_LINK_KEY_SECRET: z.optional(z.string().check(z.minLength(1))),
  /** The secret (name or ARN) holding the pager's routing or API key (JSON): notify and the sweep page with it. */
  DATALEK_PAGER_SECRET: z.optional(z.string().check(z.minLength(1))),
  /** The secret (name or ARN) holding the pager's webhook secret alone, as text: the link function checks webhooks with it. */
  DATALEK_PAGER_WEBHOOK_SECRET_ID: z.optional(z.string().check(z.minLength(1))),
  /** The role containment assumes in member accounts (the member-account stack deploys it). */
  /** The account the pipeline runs in: its own functions there are never stopped (core/containment.ts). */
  DATALEK_PIPELINE_ACCOUNT: z.optional(z.string().check(z.regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id' }))),
  DATALEK_CONTAINMENT_ROLE_NAME: z._default(z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, { error: 'expected an IAM role name' })), 'datalek-containment'),
});

export interface AwsConfig {
  region: string;
  table: string;
  idempotencyTable: string;
  topics: { fg: string; 'on-call': string };
  busName: string;
  policy: Policy;
  containmentRoleName: string;
  /** The secret holding the acknowledgement link key (the link function checks links with it). */
  linkKeySecret?: string;
  /** Where the links point: with `linkKeySecret`, pages carry a signed link; absent, they go without one. */
  linkUrl?: string;
  /** The pager's keys' secret; absent with a pager in the policy, its pages go to the on-call topic. */
  pagerSecret?: string;
  /** The pager's webhook secret's own secret (never the keys' secret: the public link function reads it); absent, every webhook is refused. */
  pagerWebhookSecret?: string;
}

export function loadAwsConfig(env: NodeJS.ProcessEnv = process.env): AwsConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map(
      (i) => `${i.path.join('.')}: ${i.message.replace(/^Invalid input: expected string, received undefined$/, 'required')}`,
    );
    throw new ConfigurationError(`invalid environment: ${problems.join('; ')}`);
  }
  const e = result.data;
  let policyValue: unknown = {};
  if (e.DATALEK_POLICY?.trim()) {
    try {
      policyValue = JSON.parse(e.DATALEK_POLICY);
    } catch (err) {
      throw new ConfigurationError(`DATALEK_POLICY: not valid JSON (${(err as Error).message})`);
    }
  }
  return {
    region: e.AWS_REGION,
    table: e.DATALEK_TABLE,
    idempotencyTable: e.DATALEK_IDEMPOTENCY_TABLE,
    topics: { fg: e.DATALEK_FG_TOPIC_ARN, 'on-call': e.DATALEK_ON_CALL_TOPIC_ARN },
    busName: e.DATALEK_BUS_NAME,
    policy: withPipelineAccount(parsePolicy(policyValue, 'DATALEK_POLICY'), e.DATALEK_PIPELINE_ACCOUNT),
    containmentRoleName: e.DATALEK_CONTAINMENT_ROLE_NAME,
    ...(e.DATALEK_LINK_KEY_SECRET ? { linkKeySecret: e.DATALEK_LINK_KEY_SECRET } : {}),
    ...(e.DATALEK_LINK_URL ? { linkUrl: e.DATALEK_LINK_URL } : {}),
    ...(e.DATALEK_PAGER_SECRET ? { pagerSecret: e.DATALEK_PAGER_SECRET } : {}),
    ...(e.DATALEK_PAGER_WEBHOOK_SECRET_ID ? { pagerWebhookSecret: e.DATALEK_PAGER_WEBHOOK_SECRET_ID } : {}),
  };
}

/** The policy with the deployment's account as the pipeline's (a policy naming another is a mistake, not a choice). */
function withPipelineAccount(policy: Policy, account: string | undefined): Policy {
  if (account === undefined) return policy;
  const named = policy.containment.pipelineAccount;
  if (named !== undefined && named !== account)
    throw new ConfigurationError(`DATALEK_POLICY: containment.pipelineAccount ${named} is not the account the pipeline runs in (${account})`);
  return { ...policy, containment: { ...policy.containment, pipelineAccount: account } };
}
