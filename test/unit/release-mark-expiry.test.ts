/**
 * A release marks its actions `releasing` so a containment run leaves them alone while it runs. A
 * release that crashed (the process killed between the mark and its end) left the mark for good, and
 * every containment run skipped the action: an enforced isolation that failed was never retried. The
 * mark now lasts as the containment lease does (`until`); after it, it counts as absent.
 */
import { expect, it } from 'vitest';
import { actionsToEnforce } from '../../handlers/core/contain.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { incidentFixture } from '../support/incidents.js';

const failed = (releasing: ActionRecord['releasing']): ActionRecord => ({
  id: 'isolate-instance:i-0mark000000000001',
  type: 'isolate-instance',
  target: 'i-0mark000000000001',
  status: 'failed',
  mode: 'enforce',
  findingId: 'f-mark',
  at: '2026-11-28T10:00:00.000Z',
  steps: [{ name: 'isolate-eni:eni-0a', status: 'done', at: '2026-11-28T10:00:00.000Z' }],
  releasing,
});

it('a release mark run out counts as absent: the containment run takes the action up again', () => {
  const crashed = incidentFixture({ id: 'dl-mark', actions: [failed({ at: '2026-11-28T10:00:00.000Z', by: 'Bram', until: '2026-11-28T10:15:00.000Z' })] });
  expect(actionsToEnforce(crashed, '2026-11-28T10:20:00.000Z').map((a) => a.id)).toEqual(['isolate-instance:i-0mark000000000001']);
  expect(actionsToEnforce(crashed, '2026-11-28T10:05:00.000Z')).toEqual([]);
});

it('a mark from before it had an end lasts as long from when it was set', () => {
  const old = incidentFixture({ id: 'dl-mark', actions: [failed({ at: '2026-11-28T10:00:00.000Z', by: 'Bram' })] });
  expect(actionsToEnforce(old, '2026-11-28T10:05:00.000Z')).toEqual([]);
  expect(actionsToEnforce(old, '2026-11-29T10:00:00.000Z')).toHaveLength(1);
});
