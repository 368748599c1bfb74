/**
 * final-b item 3: after two withdrawals, each followed by a notification anew, `renotified` paired the
 * first notification with the FIRST withdrawal and the notification in force: the AP clock's note said
 * the notification in force followed a withdrawal that an earlier notification anew had answered.
 * The withdrawal named is the last one before the notification in force.
 */
import { expect, it } from 'vitest';
import { renotified } from '../../handlers/core/ap-verdict.js';
import type { ReportRecord } from '../../handlers/core/incident.js';
import { incidentFixture } from '../support/incidents.js';

const report = (kind: string, reference: string, at: string): ReportRecord => ({
  version: 1,
  to: 'ap',
  kind,
  reference,
  at,
  delayReason: null,
  by: 'FG',
  recordedAt: at,
});

it('names the withdrawal just before the notification in force, after two cycles', () => {
  const reports = [
    report('initial', 'M-1', '2026-11-28T08:00:00.000Z'),
    report('withdrawal', 'M-1', '2026-11-29T08:00:00.000Z'),
    report('initial', 'M-2', '2026-11-30T08:00:00.000Z'),
    report('withdrawal', 'M-2', '2026-12-01T08:00:00.000Z'),
    report('initial', 'M-3', '2026-12-02T08:00:00.000Z'),
  ];
  const found = renotified(incidentFixture({ reports }));
  expect(found?.first.reference).toBe('M-1');
  expect(found?.anew.reference).toBe('M-3');
  expect(found?.withdrawnAt).toBe('2026-12-01T08:00:00.000Z');
});
