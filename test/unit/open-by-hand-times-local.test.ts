/**
 * law27 item 4: `datalek open`'s refusals gave each time as a bare ISO instant ("--aware-at
 * 2026-11-30T09:00:00.000Z lies after now (2026-11-29T09:00:00.000Z)"), which a person in Amsterdam
 * reads an hour off; every other FG text gives the policy's zone with the instant beside it
 * (core/time.ts localWithInstant, 3434bb1f).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Finding } from '../../handlers/core/finding.js';
import { findingOfEvent, openByHand } from '../../handlers/core/open-by-hand.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());
const deps = () => ({ store: t.store, policy: DEFAULT_POLICY, now: () => '2026-11-29T09:00:00.000Z' });
const input = { by: 'Bert', what: 'Laptop met patiëntgegevens verloren' };

it('an awareness after now: both times in Amsterdam time with the instant beside them', async () => {
  await expect(openByHand(deps(), { ...input, awareAt: '2026-11-30T09:00:00Z' })).rejects.toThrow(
    '--aware-at 2026-11-30 10:00 CET (2026-11-30T09:00:00.000Z) lies after now (2026-11-29 10:00 CET (2026-11-29T09:00:00.000Z))',
  );
});

it('an awareness long after the finding: the detection in Amsterdam time with the instant', async () => {
  const { finding } = findingOfEvent(
    JSON.stringify(findingEvent({ id: 'f-low', severity: 2, createdAt: '2026-11-27T21:00:00Z' })),
    '2026-11-29T09:00:00.000Z',
  ) as {
    finding: Finding;
  };
  await expect(openByHand(deps(), { ...input, awareAt: '2026-11-29T08:00:00Z', finding })).rejects.toThrow(
    '--aware-at 2026-11-29 09:00 CET (2026-11-29T08:00:00.000Z) lies 35 hours after finding f-low was detected (2026-11-27 22:00 CET (2026-11-27T21:00:00.000Z))',
  );
});
