/**
 * The bound on an incident's containment actions (commit-bounds.ts) must not be the attacker's to
 * fill, and reaching it must never silence on-call (review3 attack §2): a pod's DNS look-ups to
 * names it chooses make one DNS channel step for its node, not one per name, and a finding whose
 * containment the record has no room for still reaches on-call, saying it could not be planned.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dnsDomains, MAX_DNS_DOMAINS } from '../../handlers/core/containment.js';
import type { Incident } from '../../handlers/core/incident.js';
import { recordPagerEvent } from '../../handlers/core/pager.js';
import { parseOpsgenieEvent, parsePagerDutyEvent } from '../../handlers/core/pager-webhooks.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { type RecordDeps, recordEvent } from '../../handlers/core/record-finding.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-27T17:00:00.000Z';
const BASE = JSON.parse(readFileSync(join(import.meta.dirname, '../../events/32-eks-worker-node-runtime-reverse-shell.json'), 'utf8'));

/** A Runtime finding `id` on EKS cluster portaal-prod, on worker node `node`, changed by `edit`. */
function runtimeEvent(id: string, node: string, type: string, at: string, edit: (detail: { service: Record<string, unknown> }) => void = () => {}) {
  const event = structuredClone(BASE);
  event.id = `00000000-0000-4000-8000-${id.slice(-12).padStart(12, '0')}`;
  const detail = event.detail;
  detail.id = id.padStart(32, '0');
  detail.arn = `${detail.arn.slice(0, detail.arn.lastIndexOf('/'))}/${detail.id}`;
  detail.type = type;
  detail.createdAt = at;
  detail.updatedAt = at;
  detail.resource.instanceDetails.instanceId = node;
  detail.resource.instanceDetails.networkInterfaces[0].networkInterfaceId = `eni-${node.slice(2)}`;
  edit(detail);
  return event;
}

/** One pod's look-up of a domain it chose, as GuardDuty reports it. */
const dnsLookup = (i: number) =>
  runtimeEvent(
    `d${i}`,
    'i-0b8293a4c5d6e7f80',
    'Backdoor:Runtime/C&CActivity.B!DNS',
    `2026-11-27T14:${String(10 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z`,
    (d) => {
      d.service.action = { actionType: 'DNS_REQUEST', dnsRequestAction: { domain: `c${i}.evil-${i}.example`, protocol: 'UDP', blocked: false } };
    },
  );

const node = (i: number) => `i-0${i.toString(16).padStart(16, '0')}`;

describe('the action bound against an attacker on one cluster (review3 attack §2)', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  const deps = (rules: unknown[]): RecordDeps => ({
    store: t.store,
    policy: parsePolicy({ language: 'en', containment: { rules } }),
    now: () => NOW,
    canEnforce: false,
  });
  const ENFORCE_RUNTIME = [{ action: 'contain-workload', findingTypes: ['Execution:Runtime/*', 'Backdoor:Runtime/*'], mode: 'enforce' }];

  /** A reverse shell on one node after another of the cluster, until the record has no room: the incident, and the node left out. */
  async function fillCluster(d: RecordDeps) {
    for (let i = 0; ; i++) {
      const at = `2026-11-27T15:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z`;
      const id = (await recordEvent(d, runtimeEvent(`n${i}`, node(i), 'Execution:Runtime/ReverseShell', at))).incidentId as string;
      if ((await t.store.getIncident(id))?.actionsNotPlanned) return { id, i };
    }
  }

  async function onCall(id: string) {
    return (await t.store.listMessages(id)).filter((m) => m.channel === 'on-call');
  }

  it('a pod looking up 100 domains it chooses takes one DNS channel step; a reverse shell on another node is still isolated and told to on-call', async () => {
    const d = deps(ENFORCE_RUNTIME);
    let id = '';
    for (let i = 0; i < 100; i++) id = (await recordEvent(d, dnsLookup(i))).incidentId as string;
    const shell = await recordEvent(d, runtimeEvent('b'.repeat(32), 'i-0feedfacefeedface', 'Execution:Runtime/ReverseShell', '2026-11-27T16:30:00.000Z'));
    expect(shell).toMatchObject({ outcome: 'attached', incidentId: id });

    const incident = (await t.store.getIncident(id)) as Incident;
    const dns = incident.actions.filter((a) => a.type === 'block-dns-channel');
    expect(dns).toHaveLength(1);
    expect(dns[0].target).toBe('i-0b8293a4c5d6e7f80');
    expect(dnsDomains(dns[0].params)).toHaveLength(MAX_DNS_DOMAINS);
    expect(dnsDomains(dns[0].params)[0]).toBe('c0.evil-0.example');
    expect(dns[0].params?.domainsNotListed).toBe(String(100 - MAX_DNS_DOMAINS));
    expect(incident.actions.filter((a) => a.type === 'isolate-instance').map((a) => a.target)).toEqual(['i-0b8293a4c5d6e7f80', 'i-0feedfacefeedface']);
    expect(incident.actionsNotPlanned).toBeUndefined();
    const told = (await onCall(id)).filter((m) => m.kind === 'finding-added' && m.body.includes('Execution:Runtime/ReverseShell'));
    expect(told).toHaveLength(1);
    expect(told[0].body).toContain('i-0feedfacefeedface');
  });

  it('once the nodes of a cluster fill the bound, the next node’s finding still pages on-call, saying its containment could not be planned', async () => {
    const d = deps(ENFORCE_RUNTIME);
    // Each node plans its isolation (and the first its workload's containment): fill the record.
    const { id, i } = await fillCluster(d);
    const before = (await onCall(id)).length;
    const full = (await t.store.getIncident(id)) as Incident;
    expect(full.actions.some((a) => a.target === node(i))).toBe(false);
    // The finding that first found no room told on-call, by type, naming the node.
    const lost = (await onCall(id)).filter((m) => m.body.includes('Containment NOT planned'));
    expect(lost).toHaveLength(1);
    expect(lost[0].kind).toBe('finding-added');
    expect(lost[0].body).toContain(node(i));

    // A finding of another type on a further node: told again (another type), never silent.
    await recordEvent(d, runtimeEvent('c'.repeat(32), node(500), 'Backdoor:Runtime/C&CActivity.B', '2026-11-27T16:40:00.000Z'));
    const after = await onCall(id);
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)?.kind).toBe('finding-added');
    expect(after.at(-1)?.body).toContain(`Containment NOT planned, the incident's record has no room for it: isolate the EC2 instance ${node(500)}`);
    expect((await t.store.getIncident(id))?.actionsNotPlanned?.count).toBeGreaterThan(1);
  });

  it('pages on-call for containment the pipeline would have enforced even below the paging threshold', async () => {
    const d = { ...deps(ENFORCE_RUNTIME), canEnforce: true };
    d.policy = parsePolicy({ language: 'en', thresholds: { pageOnCall: 9 }, containment: { rules: ENFORCE_RUNTIME } });
    const { id, i } = await fillCluster(d);
    const lost = (await onCall(id)).filter((m) => m.body.includes('Containment NOT planned'));
    expect(lost).toHaveLength(1);
    expect(lost[0].body).toContain(node(i));
  });

  /**
   * Containment that did not fit is a person's to carry out: with a pager it raises an alert of its
   * own (key `<incident>:not-planned:<finding type>`), with a state of its own, rather than a
   * message on the on-call topic nobody may read when a pager pages; on every pager kind it is
   * Critical, as an exposed interface's page is, so a phone taking only Critical gets it.
   */
  describe('containment that did not fit pages a person', () => {
    const pagerPolicy = (provider: 'pagerduty' | 'opsgenie' | 'sns') =>
      parsePolicy({ language: 'en', onCall: { provider }, containment: { rules: ENFORCE_RUNTIME } });
    const KEY = (id: string) => `${id}:not-planned:Execution:Runtime/ReverseShell`;

    it('raises an alert of its own at PagerDuty, which a person acknowledges there without touching the incident’s alert', async () => {
      const d = { ...deps(ENFORCE_RUNTIME), canEnforce: true, policy: pagerPolicy('pagerduty') };
      const { id } = await fillCluster(d);
      const lost = (await onCall(id)).filter((m) => m.body.includes('Containment NOT planned'));
      expect(lost).toHaveLength(1);
      expect(lost[0].alert).toEqual({ action: 'trigger', key: KEY(id) });
      expect(lost[0].attributes.band).toBe('Critical');
      const pager = (await t.store.getIncident(id))?.pager;
      expect(pager?.keys).toEqual([id, KEY(id)]);
      expect(pager?.alerts).toEqual([{ key: KEY(id), state: 'triggered', at: NOW }]);
      expect(pager).toMatchObject({ state: 'triggered', triggeredAt: NOW });

      const event = parsePagerDutyEvent({
        event: {
          id: 'Q0NOTPLANNED',
          event_type: 'incident.acknowledged',
          occurred_at: NOW,
          agent: { type: 'user_reference', summary: 'Anna Jansen' },
          data: { type: 'incident', incident_key: KEY(id) },
        },
      });
      expect(event).toMatchObject({ incidentId: id, alertKey: KEY(id) });
      expect(await recordPagerEvent(d, { provider: 'pagerduty', ...(event as NonNullable<typeof event>) })).toBe('acknowledged');
      const after = (await t.store.getIncident(id))?.pager;
      expect(after?.alerts).toEqual([{ key: KEY(id), state: 'acknowledged', at: NOW }]);
    });

    it('raises an alert of its own at Opsgenie, whose webhook comes back to the incident', async () => {
      const { id } = await fillCluster({ ...deps(ENFORCE_RUNTIME), policy: pagerPolicy('opsgenie') });
      const lost = (await onCall(id)).filter((m) => m.body.includes('Containment NOT planned'));
      expect(lost[0].alert).toEqual({ action: 'trigger', key: KEY(id) });
      expect(
        parseOpsgenieEvent({ action: 'Acknowledge', alert: { alias: KEY(id), alertId: 'a1', username: 'anna', updatedAt: Date.parse(NOW) } }),
      ).toMatchObject({
        incidentId: id,
        alertKey: KEY(id),
      });
    });

    it('with SNS as the pager, pages the on-call topic at Critical', async () => {
      const { id } = await fillCluster({ ...deps(ENFORCE_RUNTIME), canEnforce: true, policy: pagerPolicy('sns') });
      const lost = (await onCall(id)).filter((m) => m.body.includes('Containment NOT planned'));
      expect(lost).toHaveLength(1);
      expect(lost[0].alert).toBeUndefined();
      expect(lost[0].attributes.band).toBe('Critical');
      expect(lost[0].subject).toContain('[datalek Critical]');
    });
  });
});
