import { redactErrorMessage } from '../../../core/error-text.js';
import { ContainmentStepError } from '../../../core/errors.js';
import type { StepRecord } from '../../../core/incident.js';
import type { ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';

/** The error code of an AWS SDK error (its name), for the record and the FG message. */
export function errorCode(err: unknown): string {
  if (err instanceof ContainmentStepError) return err.code;
  const e = err as { name?: string; Code?: string; code?: string };
  return e.Code ?? e.name ?? e.code ?? 'Error';
}

export type StepOutcome = { status: 'done' | 'skipped'; detail: string; evidence?: Record<string, unknown> };

/**
 * A failure that leaves a resource open (a network interface in the all-traffic group): the step
 * is recorded as exposed, which pages on-call at Critical and puts it first in the next run.
 */
export class LeftOpenError extends ContainmentStepError {}

/**
 * A failure after which the step still has something for the record (what it read before it
 * stopped, e.g. the key's user's other keys beside a key found Inactive already): recorded as the
 * action's evidence with the failure.
 */
export class FailedWithEvidence extends ContainmentStepError {
  constructor(
    step: string,
    code: string,
    message: string,
    readonly evidence: Record<string, unknown>,
  ) {
    super(step, code, message);
  }
}

/**
 * What a step of several calls got done before it failed: recorded with the failure, handed back
 * to the retry, so no call that succeeded is made twice (two snapshots of one volume, a protection
 * set again). A step writes into it as each call succeeds.
 */
export type StepProgress = Record<string, unknown>;

// core/containment.ts names the groups step's key (GROUPS_STEP_PROGRESS): keep them alike.
const progressKey = (name: string) => `progress:${name}`;

/**
 * Runs one named step unless an earlier run finished it, and records its result at once.
 * Returns false when it failed (the caller stops what depends on it).
 */
export async function step(ctx: ExecutionContext, name: string, now: () => string, fn: (progress: StepProgress) => Promise<StepOutcome>): Promise<boolean> {
  if (ctx.done.has(name)) return true;
  const progress: StepProgress = { ...((ctx.evidence[progressKey(name)] as StepProgress | undefined) ?? {}) };
  let record: StepRecord;
  let evidence: Record<string, unknown> | undefined;
  try {
    const out = await fn(progress);
    record = { name, status: out.status, at: now(), detail: out.detail };
    evidence = out.evidence;
  } catch (err) {
    record = {
      name,
      status: 'failed',
      at: now(),
      // AWS's message names the principal (a user name, a session): the code and the rest only.
      detail: redactErrorMessage((err as Error).message),
      code: errorCode(err),
      ...(err instanceof LeftOpenError ? { exposed: true } : {}),
    };
    const kept = { ...(Object.keys(progress).length ? { [progressKey(name)]: progress } : {}), ...(err instanceof FailedWithEvidence ? err.evidence : {}) };
    if (Object.keys(kept).length) evidence = kept;
  }
  await ctx.record(record, evidence);
  return record.status !== 'failed';
}

/**
 * One step of a release: done with what it did, skipped with why when there was nothing to undo (`{ skipped }`), or
 * failed with the error code. Never thrown.
 */
export function releaseStep(options: ReleaseOptions, now: () => string) {
  // `code`: a skipped step's reason as the provider gave it (NoSuchEntity: a user released as deleted).
  return async (name: string, fn: () => Promise<string | { skipped: string; code?: string }>): Promise<void> => {
    if (options.doneBefore?.has(name)) {
      await options.record({ name, status: 'skipped', at: now(), detail: 'done by an earlier release of it' });
      return;
    }
    try {
      const out = await fn();
      await options.record(
        typeof out === 'string'
          ? { name, status: 'done', at: now(), detail: out }
          : { name, status: 'skipped', at: now(), detail: out.skipped, ...(out.code ? { code: out.code } : {}) },
      );
    } catch (err) {
      await options.record({ name, status: 'failed', at: now(), detail: redactErrorMessage((err as Error).message), code: errorCode(err) });
    }
  };
}

const RETRYABLE_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/** Whether a call that failed this way may succeed when tried again: throttling, timeouts, 5xx. */
export function isRetryable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name === 'AbortError') return false; // our own deadline: no time left
  const status = e?.$metadata?.httpStatusCode;
  return RETRYABLE_CODES.has(errorCode(err)) || RETRYABLE_CODES.has(e?.code ?? '') || status === 429 || (status !== undefined && status >= 500);
}

/**
 * Whether AWS answered the failed call (an error response: the change was not made), as opposed
 * to no answer at all (a timeout, a dropped connection: the change may or may not have been made).
 */
export function wasAnswered(err: unknown): boolean {
  return typeof (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 'number';
}

export interface Backoff {
  /** The first wait, in milliseconds; it doubles per attempt. */
  baseMs: number;
  /** The longest wait. */
  capMs: number;
}

/** Counts of what retrying cost, for the record and the bench. */
export interface RetryTally {
  attempts: number;
}

/**
 * Calls `fn` until it succeeds, it fails in a way that retrying cannot fix, or `msLeft()` runs out.
 * Waits between attempts grow exponentially with full jitter (AWS's advice for throttled clients,
 * so that many clients retrying at once spread out); each attempt gets an abort signal that fires
 * when the time is up, so no call outlives the budget. Returns the last error when it gives up.
 */
export async function retryWithin<T>(
  msLeft: () => number,
  backoff: Backoff,
  fn: (signal: AbortSignal) => Promise<T>,
  tally: RetryTally = { attempts: 0 },
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let lastError: unknown = new ContainmentStepError('retry', 'NotEnoughTime', 'no time was left to try');
  for (let attempt = 0; ; attempt++) {
    const left = msLeft();
    if (left <= 0) return { ok: false, error: lastError };
    tally.attempts += 1;
    try {
      return { ok: true, value: await fn(AbortSignal.timeout(Math.max(1, Math.floor(left)))) };
    } catch (err) {
      lastError = err;
      if (!isRetryable(err)) return { ok: false, error: err };
    }
    const wait = Math.random() * Math.min(backoff.capMs, backoff.baseMs * 2 ** attempt);
    if (wait >= msLeft()) return { ok: false, error: lastError };
    await new Promise((r) => setTimeout(r, wait));
  }
}
