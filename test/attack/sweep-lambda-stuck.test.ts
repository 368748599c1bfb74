/**
 * The sweep function is the safety net for messages whose event was lost or whose delivery failed:
 * it sends what waited longer than a claim lease. When that fails too, the invocation must fail, so
 * the errors alarm tells on-call that pages are not going out. Before the fix it logged a count at
 * INFO and returned success, every five minutes, for ever.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { StoreError } from '../../handlers/core/errors.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { createSweepHandler } from '../../handlers/lambda/sweep.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent } from '../support/events.js';
import { capturingLogger, errorLines } from '../support/logs.js';
import { tempSqliteStore } from '../support/store.js';

describe('the sweep function, when the messages it redelivers fail again', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let incidentId: string;
  let lines: string[];
  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    const opened = '2026-11-27T21:05:00.000Z';
    const r = await recordEvent({ store, policy: DEFAULT_POLICY, now: () => opened, canEnforce: false }, findingEvent({ id: 'stuck', severity: 8.5 }));
    incidentId = r.incidentId as string;
    lines = [];
  });
  afterEach(async () => cleanup());

  /** The sweep function seven minutes after the incident opened, with SNS refusing every message. */
  const sweepWithSnsDown = (on: IncidentStore) =>
    createSweepHandler({
      store: on,
      policy: DEFAULT_POLICY,
      logger: capturingLogger(lines),
      now: () => '2026-11-27T21:12:00.000Z',
      publisher: { publish: async () => {} },
      notifier: {
        deliver: async () => {
          throw new Error('SNS: KMS key disabled');
        },
      },
    });

  it('fails the invocation, naming the messages by id (no content), so the errors alarm fires', async () => {
    await expect(sweepWithSnsDown(store)()).rejects.toThrow(/not delivered/);
    expect(errorLines(lines).some((l) => l.includes(`${incidentId}/on-call/opened`) && l.includes('SNS: KMS key disabled'))).toBe(true);
  });

  it('when the claims of those messages cannot be given back either, still fails with the delivery errors, and logs that they wait for their lease', async () => {
    const broken = Object.assign(Object.create(store) as SqliteIncidentStore, {
      releaseMessageClaims: async () => {
        throw new StoreError('store: database is locked');
      },
    });
    const failure = await sweepWithSnsDown(broken)().then(
      () => null,
      (err: Error) => err.message,
    );
    expect(failure).toMatch(/message\(s\) not delivered: .*\/fg\/opened/);
    expect(failure).not.toMatch(/database is locked/);
    expect(
      errorLines(lines).some((l) => l.includes('could not be given back') && l.includes(`${incidentId}/on-call/opened`) && l.includes('database is locked')),
    ).toBe(true);
  });
});
