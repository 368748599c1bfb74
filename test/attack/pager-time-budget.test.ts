/**
 * A pager that answers slowly with 429 and `Retry-After: 10`, for ever: each call to it must end
 * well inside the notify function's 30 seconds, or Lambda kills the function before the page can
 * fall back to the on-call topic (core/pager.ts), every time, and datalek's own paging never takes
 * over. Before the fix one call took 3 x 4.9 s + 2 x 10 s = 34.7 s.
 */
import { describe, expect, it } from 'vitest';
import { PagerUnavailableError, postJson } from '../../handlers/adapters/pager/http.js';

/** The notify function's timeout (infra/constructs/response-function.ts), less time for the rest. */
const NOTIFY_BUDGET_MS = 25_000;

describe('a pager that answers 429 slowly for ever', () => {
  it('gives up within the function’s time, so the page can still go elsewhere', async () => {
    let clock = 0;
    const calls: number[] = [];
    const fetch = (async () => {
      calls.push(clock);
      clock += 4_900; // just inside the request timeout
      return new Response(JSON.stringify({ status: 'throttle event', message: 'Requests for this service are arriving too quickly.' }), {
        status: 429,
        headers: { 'retry-after': '10' },
      });
    }) as unknown as typeof globalThis.fetch;
    const sleep = async (ms: number) => {
      clock += ms;
    };
    await expect(postJson('https://events.example/v2/enqueue', {}, {}, { fetch, sleep, now: () => clock })).rejects.toBeInstanceOf(PagerUnavailableError);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(clock).toBeLessThanOrEqual(NOTIFY_BUDGET_MS);
  });

  it('still retries a quick 429 as the provider asks', async () => {
    let clock = 0;
    let n = 0;
    const fetch = (async () => {
      n += 1;
      return n < 3 ? new Response('{}', { status: 429, headers: { 'retry-after': '1' } }) : new Response('{"status":"success"}', { status: 202 });
    }) as unknown as typeof globalThis.fetch;
    const sleep = async (ms: number) => {
      clock += ms;
    };
    await expect(postJson('https://events.example/v2/enqueue', {}, {}, { fetch, sleep, now: () => clock })).resolves.toEqual({ status: 'success' });
    expect(n).toBe(3);
    expect(clock).toBe(2_000);
  });
});
