/**
 * The sweep function is the safety net for messages whose event was lost or whose delivery failed:
 * it sends what waited longer than a claim lease. When that fails too, the invocation must fail, so
 * the errors alarm tells on-call that pages are not going out. Before the fix it logged a count at
 * INFO and returned success, every five minutes, for ever.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { createSweepHandler } from '../../handlers/lambda/sweep.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

describe('the sweep function, when the messages it redelivers fail again', () => {
  it('fails the invocation, naming the messages by id (no content), so the errors alarm fires', async () => {
    const { store, cleanup } = tempSqliteStore();
    try {
      const opened = '2026-11-27T21:05:00.000Z';
      const r = await recordEvent({ store, policy: DEFAULT_POLICY, now: () => opened, canEnforce: false }, findingEvent({ id: 'stuck', severity: 8.5 }));
      const lines: string[] = [];
      const logger = new Logger({ serviceName: 'test', logLevel: 'INFO' });
      // Powertools writes through its console; capture what it writes.
      const sink = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
      Object.assign(logger as unknown as { console: Console }, { console: { ...console, info: sink, warn: sink, error: sink, log: sink } });
      const handler = createSweepHandler({
        store,
        policy: DEFAULT_POLICY,
        logger,
        now: () => '2026-11-27T21:12:00.000Z',
        publisher: { publish: async () => {} },
        notifier: {
          deliver: async () => {
            throw new Error('SNS: KMS key disabled');
          },
        },
      });
      await expect(handler()).rejects.toThrow(/not delivered/);
      const errors = lines.filter((l) => l.includes('"level":"ERROR"'));
      expect(errors.some((l) => l.includes(`${r.incidentId}/on-call/opened`) && l.includes('SNS: KMS key disabled'))).toBe(true);
    } finally {
      await cleanup();
    }
  });
});
