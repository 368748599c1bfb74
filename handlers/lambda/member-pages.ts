/**
 * The member-pages function (core/member-pages.ts): a member account's watched call, from a watch
 * rule's twin, recorded and paged within the bound. Primary course:
 * 1. parse the twin's input (the rule, its page as EventBridge rendered it, the event);
 * 2. record the call and take its outcome (the ledger: once per CloudTrail event id);
 * 3. an outcome not yet sent: publish the page (the summary, a first call of its name past it) to the alarm topic, then mark it sent;
 * 4. log the outcome by identifiers (account, rule, event id), never the event.
 * A failure throws: Lambda retries the event, then puts it in the function's dead-letter queue,
 * whose alarm pages (as do the errors alarm and, throttled, the throttles alarm): a member's page is
 * late then, never lost unseen. A crash between the publish and its mark sends that page twice.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { LedgerCall, LedgerEntry } from '../adapters/aws/member-page-ledger.js';
import { ConfigurationError } from '../core/errors.js';
import {
  type MemberPageOutcome,
  memberNamePageText,
  memberPageText,
  memberSummaryText,
  type PageBound,
  parseMemberCall,
  windowBefore,
  windowOf,
} from '../core/member-pages.js';

export interface MemberPagesConfig {
  bound: PageBound;
}

/** What the handler needs of its record (adapters/aws/member-page-ledger.ts). */
export interface MemberPageRecord {
  readonly tableName: string;
  claim(call: LedgerCall): Promise<LedgerEntry>;
  markSent(call: LedgerCall): Promise<void>;
  calls(window: string): Promise<number>;
  held(window: string): Promise<number>;
}

export interface MemberPagesDeps {
  config: MemberPagesConfig;
  ledger: MemberPageRecord;
  /** Publishes a page's text to the alarm topic. */
  publish: (text: string) => Promise<void>;
  logger: Logger;
}

/** The pages per window before the summary, when the deployment sets none. */
export const DEFAULT_PAGE_LIMIT = 3;
/** The window's length in minutes, when the deployment sets none. */
export const DEFAULT_WINDOW_MINUTES = 60;

/**
 * The bound from the environment: `DATALEK_MEMBER_PAGE_LIMIT` (pages per account and rule in a
 * window, 1–100; default 3) and `DATALEK_MEMBER_PAGE_WINDOW_MINUTES` (5–1440, dividing a day; default 60).
 */
export function loadMemberPagesConfig(env: NodeJS.ProcessEnv): MemberPagesConfig {
  const number = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new ConfigurationError(`invalid environment: ${name}: expected a whole number from ${min} to ${max}, got ${raw}`);
    return value;
  };
  const limit = number('DATALEK_MEMBER_PAGE_LIMIT', DEFAULT_PAGE_LIMIT, 1, 100);
  const windowMinutes = number('DATALEK_MEMBER_PAGE_WINDOW_MINUTES', DEFAULT_WINDOW_MINUTES, 5, 1440);
  if (1440 % windowMinutes !== 0)
    throw new ConfigurationError(
      `invalid environment: DATALEK_MEMBER_PAGE_WINDOW_MINUTES: expected a number of minutes that divides a day, got ${windowMinutes}`,
    );
  return { bound: { limit, windowMinutes } };
}

/** The window's key in the record: account, rule and the window's start. */
export const windowKey = (account: string, rule: string, start: string): string => `${account}#${rule}#${start}`;

export function createMemberPagesHandler(deps: MemberPagesDeps) {
  const { bound } = deps.config;
  return async (input: unknown): Promise<{ outcome: MemberPageOutcome['kind']; sent: boolean }> => {
    const call = parseMemberCall(input);
    const window = windowOf(call.time, bound.windowMinutes);
    const key = windowKey(call.account, call.rule, window.start);
    const ledgerCall = { window: key, eventId: call.eventId, eventName: call.eventName, windowEnd: window.end };
    const entry = await deps.ledger.claim(ledgerCall);
    const ids = { account: call.account, rule: call.rule, eventId: call.eventId, window: window.start };
    if (entry.outcome.kind === 'held' || entry.sent) {
      deps.logger.info(entry.sent ? 'member call seen again: its page was sent before' : 'member call held back: recorded, not paged', {
        ...ids,
        outcome: entry.outcome.kind,
      });
      return { outcome: entry.outcome.kind, sent: false };
    }
    let text: string;
    if (entry.outcome.kind === 'summary') {
      text = memberSummaryText(call, await deps.ledger.calls(key), bound, { table: deps.ledger.tableName, key });
    } else if (entry.outcome.kind === 'name') {
      text = memberNamePageText(call, bound);
    } else {
      // The window's first page says how many the window before held back.
      let before: { start: string; calls: number; held: number } | undefined;
      if (entry.outcome.n === 1) {
        const start = windowBefore(window.start, bound.windowMinutes);
        const beforeKey = windowKey(call.account, call.rule, start);
        const held = await deps.ledger.held(beforeKey);
        if (held > 0) before = { start, calls: await deps.ledger.calls(beforeKey), held };
      }
      text = memberPageText(call, entry.outcome.n, bound, before);
    }
    await deps.publish(text);
    await deps.ledger.markSent(ledgerCall);
    const said = {
      summary: 'member call paged as the summary: the rest of its window is held back',
      name: 'member call paged past the summary: the first of its event name in its window',
    };
    deps.logger.info(entry.outcome.kind === 'summary' || entry.outcome.kind === 'name' ? said[entry.outcome.kind] : 'member call paged', {
      ...ids,
      outcome: entry.outcome.kind,
      ...(entry.outcome.kind === 'page' ? { page: entry.outcome.n } : {}),
    });
    return { outcome: entry.outcome.kind, sent: true };
  };
}
