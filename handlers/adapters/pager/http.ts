/**
 * A JSON POST to a pager's API with what on-call needs from it at 3 a.m.: bounded (a request
 * timeout, a few attempts, and a budget for the whole call well within a function's 30 seconds), retried where the provider
 * says to retry (429 Too Many Requests, honouring `Retry-After`; 5xx; no answer), and a refusal
 * (any other 4xx) reported as final, with the provider's own reason, so the page goes elsewhere.
 */
import { DatalekError } from '../../core/errors.js';
import { PagerRejectedError } from '../../core/pager.js';
import { oneLine } from '../../core/text.js';

export interface HttpOptions {
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** @default 3 */
  attempts?: number;
  /** Per request. @default 5000 */
  timeoutMs?: number;
  /** The first wait between attempts, doubled each time. @default 500 */
  backoffMs?: number;
  /**
   * The whole call, every attempt and wait included, ends within this: the notify function has 30
   * seconds, and a call it is killed in can never fall back to the on-call topic. @default 20000
   */
  budgetMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/** The pager did not answer usefully (a timeout, 429 or 5xx after every attempt): worth trying again later. */
export class PagerUnavailableError extends DatalekError {}

const RETRY_AFTER_MAX_MS = 10_000;

export async function postJson(url: string, headers: Record<string, string>, body: unknown, options: HttpOptions = {}): Promise<unknown> {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const attempts = options.attempts ?? 3;
  const clock = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 5000;
  const deadline = clock() + (options.budgetMs ?? 20_000);
  let wait = options.backoffMs ?? 500;
  let last = '';
  let tried = 0;
  /** Waits before the next attempt; false when the wait and a request after it no longer fit the budget. */
  const pause = async (ms: number): Promise<boolean> => {
    if (clock() + ms + Math.min(timeoutMs, 1000) > deadline) return false;
    await sleep(ms);
    return true;
  };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    tried = attempt;
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
        body: JSON.stringify(body),
        // Never past the budget: the last attempt gets what is left of it.
        signal: AbortSignal.timeout(Math.max(1, Math.min(timeoutMs, deadline - clock()))),
      });
    } catch (err) {
      last = `no answer (${(err as Error).name}: ${(err as Error).message})`;
      if (attempt < attempts && !(await pause(wait))) break;
      wait *= 2;
      continue;
    }
    const text = await response.text();
    const parsed = parse(text);
    if (response.ok) return parsed;
    const reason = `HTTP ${response.status}: ${describe(parsed, text)}`;
    if (response.status === 429 || response.status >= 500) {
      last = reason;
      if (attempt < attempts && !(await pause(retryAfter(response.headers.get('retry-after')) ?? wait))) break;
      wait *= 2;
      continue;
    }
    throw new PagerRejectedError(reason, response.status);
  }
  throw new PagerUnavailableError(`${tried} attempt${tried === 1 ? '' : 's'} failed, the last: ${last}`);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The provider's reason, in one line and short: PagerDuty's `message` and `errors`, Opsgenie's `message` and `errors`. */
function describe(parsed: unknown, text: string): string {
  if (parsed && typeof parsed === 'object') {
    const o = parsed as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(o.errors) ? o.errors.join('; ') : o.errors && typeof o.errors === 'object' ? Object.values(o.errors).join('; ') : '';
    const message = typeof o.message === 'string' ? o.message : '';
    const both = [message, errors].filter(Boolean).join(': ');
    if (both) return oneLine(both).slice(0, 300);
  }
  return oneLine(text).slice(0, 300) || 'no reason given';
}

function retryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, RETRY_AFTER_MAX_MS);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.min(Math.max(0, at - Date.now()), RETRY_AFTER_MAX_MS) : null;
}
