/**
 * Regression test for read10a A2: a person's not-done decision on the DNS-channel step is silently undone by the next
 * publication of the same finding (GuardDuty re-publishes every 6 hours), with no new domain:
 * containment.ts withDnsDomains treats any skipped step as a sample's ("real") and replaces it with a
 * planned one without `notDone`. The register, draft and notice then say "planned" again and the
 * decision (who, why) is gone from the action.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { recordNotToBeDone } from '../../handlers/core/by-hand.js';
import { dnsDomains, planContainment } from '../../handlers/core/containment.js';
import { parseEvent } from '../../handlers/core/finding.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

it('a re-publication of the same finding (same domain) keeps the decision that the DNS step will not be done', async () => {
  const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
  const first = await recordEvent(deps, findingEvent({ id: 'd'.repeat(32) }));
  const incidentId = (first as { incidentId: string }).incidentId;
  const before = (await store.getIncident(incidentId)) as Incident;
  const dns = before.actions.find((a) => a.type === 'block-dns-channel');
  expect(dns?.status).toBe('planned');
  await recordNotToBeDone(
    { store, policy: DEFAULT_POLICY, now: () => NOW },
    {
      incidentId,
      actionId: dns?.id as string,
      by: 'FG',
      reason: 'the instance was terminated and rebuilt; the domain is blocked at the proxy',
    },
  );
  // GuardDuty publishes the same finding again: same domain, activity folded in.
  await recordEvent(deps, findingEvent({ id: 'd'.repeat(32), updatedAt: '2026-11-28T02:00:00.000Z', count: 3 }));
  const after = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.id === dns?.id);
  expect(after).toMatchObject({ status: 'skipped', notDone: { by: 'FG' } });
});

it('a later finding naming a new domain lists it beside the decision, without reopening the step', () => {
  const dnsEvent = (domain: string) =>
    findingEvent({
      type: 'Backdoor:EC2/C&CActivity.B!DNS',
      instanceId: 'i-0dns000000000001',
      service: { action: { actionType: 'DNS_REQUEST', dnsRequestAction: { domain, protocol: 'UDP', blocked: false } } },
    });
  const finding = (event: unknown) => {
    const parsed = parseEvent(event);
    if (parsed.kind !== 'finding') throw new Error('not a finding');
    return parsed.finding;
  };
  const first = planContainment(finding(dnsEvent('one.example')), DEFAULT_POLICY, [], { canEnforce: true, now: NOW });
  const notDone = { by: 'FG', reason: 'blocked at the proxy', recordedAt: NOW };
  const decided = first.map((a) => (a.type === 'block-dns-channel' ? { ...a, status: 'skipped' as const, notDone } : a));
  const grown = planContainment(finding(dnsEvent('two.example')), DEFAULT_POLICY, decided, { canEnforce: true, now: NOW });
  expect(grown).toHaveLength(1);
  expect(grown[0]).toMatchObject({ type: 'block-dns-channel', status: 'skipped', notDone });
  expect(dnsDomains(grown[0].params)).toEqual(['one.example', 'two.example']);
});
