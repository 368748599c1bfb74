/**
 * Who the AWS credentials in use belong to (sts:GetCallerIdentity): the account the topics are in,
 * who acts on `--target aws`, the pipeline's account. In a module of its own, so that STS loads
 * only for a command that asks (see aws-backend.ts).
 */
import { GetCallerIdentityCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { sdkConfig } from '../adapters/aws/sdk-config.js';
import { DatalekError } from '../core/errors.js';
import type { Policy } from '../core/policy.js';
import { UsageError } from './errors.js';

/** sts:GetCallerIdentity with a client of this configuration, made for the one call. */
export async function callerIdentity(config: STSClientConfig) {
  const sts = new STSClient(config);
  try {
    return await sts.send(new GetCallerIdentityCommand({}));
  } finally {
    sts.destroy();
  }
}

/**
 * Who writes on `--target aws`, asked once per run before anything is written: the ARN each entry the
 * run records names (`TimelineEntry.caller`) and its account (the topics'). Fail-closed: when STS
 * does not answer, or answers without an ARN, the run records nothing, never an entry under a name
 * nobody vouched for.
 */
export async function writerIdentity(region: string): Promise<{ arn: string; account: string }> {
  let answer: Awaited<ReturnType<typeof callerIdentity>>;
  try {
    answer = await callerIdentity(sdkConfig(region));
  } catch (err) {
    throw new DatalekError(
      `AWS did not say who these credentials belong to (sts:GetCallerIdentity: ${(err as Error).message}): nothing was recorded, as every --target aws write records its caller`,
      { cause: err },
    );
  }
  if (!answer.Arn || !answer.Account)
    throw new DatalekError(
      'AWS did not say who these credentials belong to (sts:GetCallerIdentity gave no ARN): nothing was recorded, as every --target aws write records its caller',
    );
  return { arn: answer.Arn, account: answer.Account };
}

/**
 * The policy with the pipeline's account, so that containment run from the command line spares the
 * pipeline's own functions as the contain function does (core/containment.ts): the account of the
 * credentials in use, `caller` (the backend's, asked of STS once per run: the CLI works on the
 * pipeline account's table); a policy's `containment.pipelineAccount` or `DATALEK_PIPELINE_ACCOUNT`
 * naming another is refused.
 */
export async function withPipelineAccount(policy: Policy, env: NodeJS.ProcessEnv, caller: string | null): Promise<Policy> {
  if (caller === null) throw new UsageError('containment from the command line acts on AWS only (--target aws)');
  const account = caller.split(':')[4];
  // Named elsewhere, it must be this account: a policy file or variable naming another would make
  // the pipeline's own functions here look like anyone's (the contain function's config refuses it too).
  for (const [where, named] of [
    ["the policy's containment.pipelineAccount", policy.containment.pipelineAccount],
    ['DATALEK_PIPELINE_ACCOUNT', env.DATALEK_PIPELINE_ACCOUNT],
  ] as const) {
    if (named !== undefined && named !== account)
      throw new UsageError(
        `${where} is ${named}, but these credentials are of account ${account}, the pipeline's table's: containment from the command line runs in the pipeline's account`,
      );
  }
  return { ...policy, containment: { ...policy.containment, pipelineAccount: account } };
}
