/**
 * An honest store verifies after the sweep reminded of a notification owed anew (s28): the sweep marks
 * `reminders.lastDueAt` for every reminder of the AP track, and since 542a1d2f one owed anew has its own
 * kind, `ap-owed-anew`. verify's check of that mark (audit-record.ts checkAnnouncedAgainstTimeline, 4ec9d656)
 * counted only `ap-reminder` and `ap-overdue` entries, so it named the honest mark as moved behind the
 * pipeline (exit 1) on every store where a withdrawn notification was owed anew and the sweep had run.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, recordReport } from '../../handlers/core/fg-workflow.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
let now = '2026-11-27T21:05:00.000Z';
const deps = () => ({ store, policy: DEFAULT_POLICY, now: () => now, canEnforce: false });

beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

describe('verify after the sweep reminded of a notification owed anew', () => {
  it('passes: the reminder of kind ap-owed-anew is an AP reminder its mark rests on', async () => {
    now = '2026-11-27T21:05:00.000Z';
    const incidentId = (await recordEvent(deps(), findingEvent({ id: 'f-owed-anew' }))).incidentId as string;
    now = '2026-11-28T05:00:00.000Z';
    await assess(deps(), { incidentId, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    await recordReport(deps(), { incidentId, reference: 'M-1', by: 'FG' });
    now = '2026-11-28T06:00:00.000Z';
    await assess(deps(), { incidentId, personalData: 'no', risk: 'none', reason: 'testgegevens, leek het', by: 'FG' });
    await recordReport(deps(), { incidentId, reference: 'M-1', kind: 'withdrawal', reason: 'geen persoonsgegevens', by: 'FG' });
    now = '2026-12-01T08:00:00.000Z';
    await assess(deps(), { incidentId, personalData: 'yes', risk: 'risk', reason: 'toch echte klantgegevens', by: 'FG' });
    now = '2026-12-01T09:00:00.000Z';
    const swept = await sweep({ store, policy: DEFAULT_POLICY, now: () => now });
    expect(
      swept.sent.map((s) => s.kind),
      'premise: the sweep reminded of the notification owed anew',
    ).toContain('ap-owed-anew');
    const result = await verifyStore(store, { now });
    expect(result.problems.map((p) => p.problem)).toEqual([]);
  });
});
