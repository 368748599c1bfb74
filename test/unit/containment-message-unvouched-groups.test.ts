/**
 * read11a A1's page: a containment run never changes a group tagged as made for its incident that no
 * record names (network-isolation.ts), and names it in the groups step. The FG's and on-call's message
 * on the outcome names it too, in both languages: a group carrying datalek's tags that datalek did not
 * make (someone tagged it, perhaps the attacker) is something on-call should look at now, not find
 * later in `datalek show`.
 */
import { expect, it } from 'vitest';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-29T08:00:00.000Z';
const action: ActionRecord = {
  id: 'isolate-instance:i-0a1b2c3d4e5f60718',
  type: 'isolate-instance',
  target: 'i-0a1b2c3d4e5f60718',
  status: 'done',
  mode: 'enforce',
  findingId: 'f-1',
  at: NOW,
  evidence: { groups: { allTraffic: 'sg-a', isolation: 'sg-i' }, taggedGroups: ['sg-0payments'], orphanGroups: ['sg-0leftover'] },
};

it.each([
  ['en', parsePolicy({ language: 'en' })],
  ['nl', DEFAULT_POLICY],
])('the containment outcome names the unvouched groups it left as they are (%s)', (_lang, policy) => {
  const incident = incidentFixture({ id: 'dl-x', actions: [action] });
  const message = composeMessage({ incident, channel: 'on-call', kind: 'containment-done', stateKey: 'containment-done:2', now: NOW, policy });
  expect(message.body).toContain('sg-0payments');
  expect(message.body).toContain('sg-0leftover');
});

it('names at most five of them, and counts the rest: anyone who may tag can tag many', () => {
  const many = Array.from({ length: 40 }, (_, i) => `sg-0tagged${String(i).padStart(2, '0')}`);
  const incident = incidentFixture({ id: 'dl-x', actions: [{ ...action, evidence: { ...action.evidence, taggedGroups: many, orphanGroups: [] } }] });
  const body = composeMessage({
    incident,
    channel: 'on-call',
    kind: 'containment-done',
    stateKey: 'containment-done:2',
    now: NOW,
    policy: DEFAULT_POLICY,
  }).body;
  expect(body).toContain('sg-0tagged04, +35');
  expect(body).not.toContain('sg-0tagged05');
});
