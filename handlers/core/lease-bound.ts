/**
 * How long a containment run holds its incident's lease (core/contain.ts), and so which lease no run
 * can have written (atk28 F14): one planted on the record behind the pipeline, until 2099, made every
 * run of the incident wait for it, its resource left open. Apart from contain.ts so that verify, which
 * names such a lease, does not load the containment code.
 */

/** How long a lease lasts when the run has no deadline (the CLI). */
export const LEASE_WITHOUT_DEADLINE_MS = 15 * 60_000;
/** A lease outlives its run's deadline by this much: the run may still be recording. */
export const LEASE_MARGIN_MS = 30_000;
/**
 * The longest lease a run takes or renews: a run with a deadline (the contain function) has at most
 * a Lambda function's 15 minutes left, one without holds LEASE_WITHOUT_DEADLINE_MS; both the margin.
 */
export const MAX_LEASE_MS = LEASE_WITHOUT_DEADLINE_MS + LEASE_MARGIN_MS;
/** Clocks of the machines that write a lease and read it may differ by this much. */
export const LEASE_SKEW_MS = 5 * 60_000;

/**
 * Whether a lease runs out later than any run could have made it at `now` (the machine's clock),
 * or its end is no time: then no run wrote it, and waiting for it would leave the resource open.
 */
export function leasePlanted(lease: { until: unknown }, now: string): boolean {
  const until = typeof lease.until === 'string' ? Date.parse(lease.until) : Number.NaN;
  return Number.isNaN(until) || until > Date.parse(now) + MAX_LEASE_MS + LEASE_SKEW_MS;
}
