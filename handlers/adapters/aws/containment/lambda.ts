/**
 * Stopping a Lambda function: reserved concurrency 0 means no new invocation runs (those running
 * finish), and a function URL open to anyone (auth type NONE) is switched to AWS_IAM. The function,
 * its code and its versions are kept: evidence. The previous settings are recorded for `release`.
 */
import {
  DeleteFunctionConcurrencyCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionUrlConfigCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { ALREADY_CONTAINED } from '../../../core/containment.js';
import { ContainmentStepError } from '../../../core/errors.js';
import type { ActionRecord } from '../../../core/incident.js';
import type { ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClients } from './clients.js';
import { errorCode, releaseStep, step } from './steps.js';

export interface FunctionSettings {
  functionName: string;
  /** Reserved concurrency before containment; null when there was none (the account's pool). */
  reservedConcurrency: number | null;
  /** The function URL's auth type before containment; null when it has no URL. */
  urlAuthType: string | null;
}

export async function containLambdaFunction(c: ContainmentClients, action: ActionRecord, ctx: ExecutionContext, now: () => string): Promise<void> {
  const lambda = c.lambda;
  const FunctionName = action.params?.functionArn ?? action.target;
  const ok = await step(ctx, 'capture-function', now, async () => {
    const concurrency = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName }));
    let urlAuthType: string | null = null;
    try {
      urlAuthType = (await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName }))).AuthType ?? null;
    } catch (err) {
      if (errorCode(err) !== 'ResourceNotFoundException') throw err;
    }
    const settings: FunctionSettings = { functionName: FunctionName, reservedConcurrency: concurrency.ReservedConcurrentExecutions ?? null, urlAuthType };
    // Concurrency 0: stopped already, by datalek (another incident's, one whose key holder closed) or
    // its owner. Never recorded as the concurrency to restore: a release of this incident would stop
    // it again while saying released (last read's L1).
    if (settings.reservedConcurrency === 0)
      throw new ContainmentStepError(
        'capture-function',
        ALREADY_CONTAINED,
        `${action.target} is at reserved concurrency 0 already; not stopped again under this incident, and its settings are not recorded as the ones to restore (the record that stopped it, or its owner, holds them)`,
      );
    return {
      status: 'done',
      detail: `reserved concurrency ${settings.reservedConcurrency ?? 'none'}, function URL ${urlAuthType ? `auth ${urlAuthType}` : 'none'}`,
      evidence: { function: settings },
    };
  });
  if (!ok) return;
  const settings = ctx.evidence.function as FunctionSettings;
  await step(ctx, 'stop-invocations', now, async () => {
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName, ReservedConcurrentExecutions: 0 }));
    return { status: 'done', detail: 'reserved concurrency 0: no new invocation runs' };
  });
  await step(ctx, 'restrict-function-url', now, async () => {
    if (settings.urlAuthType !== 'NONE') {
      return { status: 'skipped', detail: settings.urlAuthType ? `the function URL already needs ${settings.urlAuthType}` : 'the function has no URL' };
    }
    await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName, AuthType: 'AWS_IAM' }));
    return { status: 'done', detail: 'function URL auth NONE switched to AWS_IAM: only signed requests reach it' };
  });
}

export async function releaseLambdaFunction(c: ContainmentClients, action: ActionRecord, options: ReleaseOptions, now: () => string): Promise<void> {
  const settings = action.evidence?.function as FunctionSettings | undefined;
  const attempt = releaseStep(options, now);
  if (!settings) {
    await options.record({ name: 'release', status: 'skipped', at: now(), detail: 'no settings were recorded: nothing was changed, nothing to undo' });
    return;
  }
  const lambda = c.lambda;
  const done = new Set((action.steps ?? []).filter((s) => s.status === 'done').map((s) => s.name));
  if (done.has('stop-invocations')) {
    await attempt('restore-concurrency', async () => {
      if (settings.reservedConcurrency === null) {
        await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: settings.functionName }));
        return 'reserved concurrency removed (as before: the account pool)';
      }
      await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: settings.functionName, ReservedConcurrentExecutions: settings.reservedConcurrency }));
      return `reserved concurrency ${settings.reservedConcurrency} restored`;
    });
  }
  if (done.has('restrict-function-url')) {
    await attempt('restore-function-url', async () => {
      await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: settings.functionName, AuthType: 'NONE' }));
      return 'function URL auth NONE restored: it is open to anyone again';
    });
  }
}
