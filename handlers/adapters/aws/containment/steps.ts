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
 * Runs one named step unless an earlier run finished it, and records its result at once.
 * Returns false when it failed (the caller stops what depends on it).
 */
export async function step(ctx: ExecutionContext, name: string, now: () => string, fn: () => Promise<StepOutcome>): Promise<boolean> {
  if (ctx.done.has(name)) return true;
  let record: StepRecord;
  let evidence: Record<string, unknown> | undefined;
  try {
    const out = await fn();
    record = { name, status: out.status, at: now(), detail: out.detail };
    evidence = out.evidence;
  } catch (err) {
    record = { name, status: 'failed', at: now(), detail: (err as Error).message, code: errorCode(err) };
  }
  await ctx.record(record, evidence);
  return record.status !== 'failed';
}

/** One step of a release: done with what it did, or failed with the error code. Never thrown. */
export function releaseStep(options: ReleaseOptions, now: () => string) {
  return async (name: string, fn: () => Promise<string>): Promise<void> => {
    try {
      await options.record({ name, status: 'done', at: now(), detail: await fn() });
    } catch (err) {
      await options.record({ name, status: 'failed', at: now(), detail: (err as Error).message, code: errorCode(err) });
    }
  };
}
