/**
 * How a writer that lost the race for an incident (`ConflictError`: another writer committed it
 * first) waits before it reads and decides again. Every commit of an incident is optimistic; in a
 * storm of findings on one resource (an EKS cluster's runtime findings, a bucket's exfiltration
 * findings) as many writers as the record function runs at once race for it, about one wins each
 * round, and tries made at once only meet again (review7 K6). A pause of random length, growing with
 * each lost try ("full jitter"), spreads them out: contention costs time, not failed invocations.
 */

export interface ConflictRetry {
  /**
   * Called after `attempt` tries lost the race: waits, then says whether to try again (false: give
   * up, the caller throws the conflict).
   */
  again(attempt: number): Promise<boolean>;
}

/** Tries of one change where nothing says how long it may take (the CLI, tests). */
export const MAX_CONFLICT_ATTEMPTS = 10;

/** The longest pause before the first try again, in ms; each lost try doubles it, up to MAX_PAUSE_MS. */
export const FIRST_PAUSE_MS = 25;
export const MAX_PAUSE_MS = 2_000;

export interface BackoffOptions {
  /**
   * Milliseconds the caller has left (a Lambda invocation's `getRemainingTimeInMillis`, less what it
   * keeps for the work after the commit). With it, tries go on for as long as a pause fits in it;
   * without, MAX_CONFLICT_ATTEMPTS.
   */
  timeLeft?: () => number;
  /**
   * At most this many tries in all, even while pauses fit in `timeLeft` (the sweep: one incident's
   * storm must not take the others' time). @default MAX_CONFLICT_ATTEMPTS without `timeLeft`; none with it
   */
  maxAttempts?: number;
  /** A number in [0, 1). @default Math.random */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The pause before try `attempt + 1`, at most: FIRST_PAUSE_MS doubled per lost try, capped. */
export function pauseCeiling(attempt: number): number {
  return Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** Math.min(attempt - 1, 16));
}

export function backoffRetry(options: BackoffOptions = {}): ConflictRetry {
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { timeLeft } = options;
  const maxAttempts = options.maxAttempts ?? (timeLeft ? Number.POSITIVE_INFINITY : MAX_CONFLICT_ATTEMPTS);
  return {
    async again(attempt) {
      const pause = Math.floor(random() * pauseCeiling(attempt));
      if (attempt >= maxAttempts || (timeLeft && timeLeft() <= pause)) return false;
      await sleep(pause);
      return true;
    },
  };
}

/**
 * What a run with a deadline (a Lambda invocation) keeps of its time for the work after a commit it
 * lost: a lost race goes on being tried until only this is left before the deadline.
 */
export const KEEP_AFTER_COMMIT_MS = 10_000;

/**
 * Tries again after a conflict, with jittered pauses, until KEEP_AFTER_COMMIT_MS before `deadline`
 * (epoch ms: a Lambda invocation's end, `Date.now() + getRemainingTimeInMillis()`; the one rule of
 * every function with a deadline: record, contain); short of that time, still the MAX_CONFLICT_ATTEMPTS tries of a run without a deadline,
 * without pausing: a run near its end (one that has just undone a swap for want of time) must still
 * record what it did rather than give up on its first lost race.
 */
export function untilDeadline(deadline: number): ConflictRetry {
  const paced = backoffRetry({ timeLeft: () => deadline - KEEP_AFTER_COMMIT_MS - Date.now() });
  return {
    async again(attempt) {
      return (await paced.again(attempt)) || attempt < MAX_CONFLICT_ATTEMPTS;
    },
  };
}
