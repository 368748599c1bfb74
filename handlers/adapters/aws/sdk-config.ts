/**
 * How every AWS SDK client of the pipeline talks to AWS. The SDK's defaults (standard retry mode,
 * 3 attempts, no request timeout) fail a storm of findings twice over: throttled calls give up
 * after three quick tries, and a hung connection holds a containment past the function's timeout,
 * which may leave a network interface between its two security-group swaps.
 *
 * - `adaptive` retry mode: besides backing off, the client slows its own sending rate when AWS
 *   throttles it (a client-side token bucket), so ten concurrent containments in one account stop
 *   fighting over EC2's request budget instead of burning their retries on it.
 * - a request timeout (no answer on the socket for that long) and a connection timeout, so every
 *   call ends in bounded time and the caller can still act: retry, restore, record, page.
 */

export interface SdkProfile {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** Milliseconds without an answer before a request is abandoned (and retried). */
  requestTimeoutMs: number;
  /** Milliseconds to establish the connection. */
  connectionTimeoutMs: number;
}

/** DynamoDB, SNS, EventBridge, STS: small, fast calls on the pipeline's own resources. */
export const PIPELINE_SDK: SdkProfile = { maxAttempts: 6, requestTimeoutMs: 5_000, connectionTimeoutMs: 2_000 };

/**
 * EC2, Auto Scaling, ELB, IAM, S3 in the affected account. Fewer attempts per call: containment
 * retries the calls that must not be left half done itself, within the time the function has left.
 */
export const CONTAINMENT_SDK: SdkProfile = { maxAttempts: 4, requestTimeoutMs: 8_000, connectionTimeoutMs: 3_000 };

/** The client configuration for a region and profile (credentials and endpoint come from the SDK's own chain). */
export function sdkConfig(region: string, profile: SdkProfile = PIPELINE_SDK) {
  return {
    region,
    retryMode: 'adaptive' as const,
    maxAttempts: profile.maxAttempts,
    // `requestTimeout` ends the whole request (an error only with `throwOnRequestTimeout`, else the
    // handler just warns); `socketTimeout` ends a connection that goes silent.
    requestHandler: {
      requestTimeout: profile.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: profile.requestTimeoutMs,
      connectionTimeout: profile.connectionTimeoutMs,
    },
  };
}
