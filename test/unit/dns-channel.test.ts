/**
 * An isolated instance can still reach the Amazon-provided DNS resolver (no security group or
 * network ACL filters it), so the record must never claim an isolation cut the DNS channel, and a
 * finding whose channel is DNS plans a step to block it; the incident is not reported as
 * contained while that step is open.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showText } from '../../handlers/cli/views.js';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import { dnsBlockRefusal, dnsDomains, MAX_DNS_DOMAINS, planContainment } from '../../handlers/core/containment.js';
import { buildDraft } from '../../handlers/core/draft.js';
import { type Finding, parseEvent } from '../../handlers/core/finding.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { actionReasonLabel } from '../../handlers/core/labels.js';
import { DEFAULT_POLICY, type Policy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { registerRow } from '../../handlers/core/register.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const ENGLISH: Policy = { ...DEFAULT_POLICY, language: 'en' };

function finding(event: unknown): Finding {
  const parsed = parseEvent(event);
  if (parsed.kind !== 'finding') throw new Error('not a finding');
  return parsed.finding;
}

const dnsEvent = (type: string, domain: string | null, instanceId = 'i-0dns000000000001') =>
  findingEvent({
    type,
    instanceId,
    service: { action: { actionType: 'DNS_REQUEST', dnsRequestAction: { ...(domain === null ? {} : { domain }), protocol: 'UDP', blocked: false } } },
  });

const plan = (event: unknown, canEnforce = true) => planContainment(finding(event), DEFAULT_POLICY, [], { canEnforce, now: NOW });

describe('a finding whose channel is DNS plans a step to block it', () => {
  for (const type of [
    'Backdoor:EC2/C&CActivity.B!DNS',
    'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    'Trojan:EC2/DropPoint!DNS',
    'Trojan:EC2/DNSDataExfiltration',
    'Backdoor:Runtime/C&CActivity.B!DNS',
  ]) {
    it(`${type}: isolation, then a person's step to block the domain, with its runbook`, () => {
      const actions = plan(dnsEvent(type, 'C2.Attacker.Example.'));
      expect(actions.map((a) => a.type)).toEqual(['isolate-instance', 'block-dns-channel']);
      const block = actions[1];
      expect(block).toMatchObject({ status: 'planned', person: true, reason: 'a person acts: runbooks/block-dns-channel.md' });
      expect(block.target).toBe('i-0dns000000000001');
      expect(block.params).toEqual({ instanceId: 'i-0dns000000000001', domains: '["c2.attacker.example"]', runbook: 'runbooks/block-dns-channel.md' });
    });
  }

  it('plans no DNS step for a finding whose channel is not DNS', () => {
    expect(plan(dnsEvent('Backdoor:EC2/C&CActivity.B', 'c2.example')).map((a) => a.type)).toEqual(['isolate-instance']);
  });

  it('plans one step per workload: a later finding naming another domain adds it to the step, the same domain nothing', () => {
    const first = plan(dnsEvent('Backdoor:EC2/C&CActivity.B!DNS', 'one.example'));
    const again = planContainment(finding(dnsEvent('Backdoor:EC2/C&CActivity.B!DNS', 'one.example')), DEFAULT_POLICY, first, { canEnforce: true, now: NOW });
    expect(again).toEqual([]);
    const other = planContainment(finding(dnsEvent('Backdoor:EC2/C&CActivity.B!DNS', 'two.example')), DEFAULT_POLICY, first, { canEnforce: true, now: NOW });
    expect(other.map((a) => a.id)).toEqual([first[1].id]);
    expect(dnsDomains(other[0].params)).toEqual(['one.example', 'two.example']);
  });

  it('lists at most MAX_DNS_DOMAINS domains in the step and counts the rest; a refused one is said by count, not by name', () => {
    let actions = plan(dnsEvent('Backdoor:EC2/C&CActivity.B!DNS', 'd0.example'));
    for (const domain of [...Array.from({ length: MAX_DNS_DOMAINS + 4 }, (_, i) => `d${i + 1}.example`)]) {
      const more = planContainment(finding(dnsEvent('Backdoor:EC2/C&CActivity.B!DNS', domain)), DEFAULT_POLICY, actions, { canEnforce: true, now: NOW });
      actions = actions.map((a) => more.find((m) => m.id === a.id) ?? a);
    }
    const [, block] = actions;
    expect(dnsDomains(block.params)).toHaveLength(MAX_DNS_DOMAINS);
    expect(block.params?.domainsNotListed).toBe('5');
    const mixed = planContainment(
      finding(dnsEvent('Trojan:EC2/DropPoint!DNS', 'x.s3.amazonaws.com')),
      DEFAULT_POLICY,
      plan(dnsEvent('Trojan:EC2/DropPoint!DNS', 'c2.example')),
      {
        canEnforce: true,
        now: NOW,
      },
    );
    expect(mixed[0].reason).toBe(
      '1 of the 2 domains not to be blocked VPC-wide (datalek show names them and why); a person acts: runbooks/block-dns-channel.md',
    );
    expect(actionReasonLabel('nl', mixed[0].reason)).toBe(
      '1 van de 2 domeinen niet VPC-breed te blokkeren (datalek show noemt ze en waarom); een persoon handelt: runbooks/block-dns-channel.md',
    );
  });

  it('a real finding takes over the step a sample planned (skipped) on the same workload', () => {
    const event = dnsEvent('Backdoor:EC2/C&CActivity.B!DNS', 'c2.example');
    (event.detail.service as Record<string, unknown>).additionalInfo = { sample: true };
    const sample = plan(event);
    const real = planContainment(finding(dnsEvent('Backdoor:EC2/C&CActivity.B!DNS', 'c2.example')), DEFAULT_POLICY, sample, { canEnforce: false, now: NOW });
    expect(real.find((a) => a.type === 'block-dns-channel')).toMatchObject({ status: 'planned', reason: 'a person acts: runbooks/block-dns-channel.md' });
  });

  it('still plans the step when the finding names no domain, and says so', () => {
    const [, block] = plan(dnsEvent('Trojan:EC2/DNSDataExfiltration', null));
    expect(block).toMatchObject({ target: 'i-0dns000000000001', reason: 'the finding names no domain; a person acts: runbooks/block-dns-channel.md' });
  });

  it('says in the record when the domain must not be blocked VPC-wide, without naming it', () => {
    const [, aws] = plan(dnsEvent('Trojan:EC2/DropPoint!DNS', 'bucket.s3.eu-west-1.amazonaws.com'));
    expect(aws.reason).toBe(
      "not to be blocked VPC-wide: it is under amazonaws.com, AWS's own: blocking it would cut AWS services for every instance in the VPC; a person acts: runbooks/block-dns-channel.md",
    );
    expect(aws.reason).not.toContain('bucket.s3');
  });

  it('skips the step with the isolation for a sample finding', () => {
    const event = dnsEvent('Backdoor:EC2/C&CActivity.B!DNS', 'c2.example');
    (event.detail.service as Record<string, unknown>).additionalInfo = { sample: true };
    expect(plan(event).map((a) => `${a.type}:${a.status}`)).toEqual(['isolate-instance:skipped', 'block-dns-channel:skipped']);
  });
});

describe('which domains may be blocked VPC-wide', () => {
  it('refuses wildcards, top-level and shared second-level domains, and AWS’s own', () => {
    expect(dnsBlockRefusal('c2.attacker.example')).toBeNull();
    expect(dnsBlockRefusal('x.evil.co.uk')).toBeNull();
    expect(dnsBlockRefusal('*.example')).toMatch(/wildcard/);
    expect(dnsBlockRefusal('com')).toMatch(/top-level/);
    expect(dnsBlockRefusal('co.uk')).toMatch(/shared second-level/);
    expect(dnsBlockRefusal('amazonaws.com')).toMatch(/under amazonaws.com/);
    expect(dnsBlockRefusal('ssm.eu-west-1.amazonaws.com')).toMatch(/under amazonaws.com/);
    expect(dnsBlockRefusal('ip-10-0-0-1.eu-west-1.compute.internal')).toMatch(/under internal/);
    expect(dnsBlockRefusal('bad domain.example')).toMatch(/not a valid domain/);
  });
});

describe('what the record says once the isolation is done', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const isolated: Containment = {
    canEnforce: true,
    execute: async (_a: ActionRecord, ctx) => {
      await ctx.record({ name: 'isolate-eni:eni-0aaa', status: 'done', at: NOW, detail: 'isolated' });
    },
    release: async () => {},
  };
  const deps = (policy: Policy): ContainDeps => ({ store: t.store, policy, now: () => NOW, containment: isolated });

  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  /** The policy with every rule enforcing: contain carries out only what the stored finding and the policy call for. */
  const enforcing = (policy: Policy): Policy => ({
    ...policy,
    containment: { ...policy.containment, rules: policy.containment.rules.map((r) => ({ ...r, mode: 'enforce' as const })) },
  });

  /** Records the finding (as record-finding does, the finding stored) and runs containment on its incident. */
  async function contained(policy: Policy, event: unknown) {
    const recorded = await recordEvent({ store: t.store, policy: enforcing(policy), now: () => NOW, canEnforce: true }, event);
    const id = recorded.incidentId as string;
    await runContainment(deps(enforcing(policy)), id);
    const stored = await t.store.getIncident(id);
    if (!stored) throw new Error('incident lost');
    return { stored, timeline: await t.store.getTimeline(id) };
  }

  const containedIncident = (policy: Policy) => contained(policy, dnsEvent('Backdoor:EC2/C&CActivity.B!DNS', 'c2.attacker.example'));

  it('the isolation says what stays reachable, in show, the timeline and both messages, in English and Dutch', async () => {
    for (const policy of [ENGLISH, DEFAULT_POLICY]) {
      t.cleanup();
      t = tempSqliteStore();
      const { stored, timeline } = await containedIncident(policy);
      const isolation = stored.actions.find((a) => a.type === 'isolate-instance');
      expect(isolation?.status).toBe('done');
      expect(isolation?.reason).toMatch(
        /except what no security group filters: the Amazon DNS resolver, the metadata service and Amazon Time Sync stay reachable/,
      );
      const done = timeline.find((e) => e.kind === 'containment-done');
      expect(String(done?.detail.reason)).toMatch(/Amazon DNS resolver/);
      const text = showText(stored, timeline, policy, NOW);
      expect(text).toMatch(/done {5}isolate-instance i-0dns000000000001: network cut, except what no security group filters/);
      expect(text).toMatch(/planned {2}block-dns-channel i-0dns000000000001: a person acts: runbooks\/block-dns-channel.md/);
      expect(text).toContain('domain c2.attacker.example (as the finding names it)');
      const pending = await t.store.pendingMessages();
      const outcome = pending.filter((m) => m.kind === 'containment-done');
      expect(outcome.map((m) => m.channel).sort()).toEqual(['fg', 'on-call']);
      for (const m of outcome) {
        if (policy.language === 'en') {
          expect(m.subject).toContain('Containment done, not complete: 1 step still open');
          expect(m.body).toContain('stay reachable');
          expect(m.body).toMatch(/block the DNS channel i-0dns000000000001: planned \(a person acts: runbooks\/block-dns-channel.md\)/);
        } else {
          expect(m.subject).toContain('Inperking uitgevoerd, niet volledig: 1 stap nog open');
          expect(m.body).toContain('de DNS-resolver van Amazon, de metadataservice en Amazon Time Sync blijven bereikbaar');
          expect(m.body).toMatch(/DNS-kanaal afsluiten i-0dns000000000001: gepland \(een persoon handelt: runbooks\/block-dns-channel.md\)/);
        }
        // The domain is attacker-chosen text: messages leave it out, like an IP address.
        expect(m.body).not.toContain('c2.attacker.example');
        expect(m.subject).not.toContain('c2.attacker.example');
      }
    }
  });

  it('the AP draft says partly contained while the DNS channel is open, not contained', async () => {
    const { stored } = await containedIncident(ENGLISH);
    const ongoing = buildDraft(stored, ENGLISH, NOW)
      .sections.flatMap((s) => s.fields)
      .find((f) => f.key === 'ongoing');
    expect(ongoing?.value).toMatch(/^partly contained on .*; still open: block the DNS channel i-0dns000000000001; end not established yet$/);
    const dutch = buildDraft(stored, DEFAULT_POLICY, NOW, 'nl')
      .sections.flatMap((s) => s.fields)
      .find((f) => f.key === 'ongoing');
    expect(dutch?.value).toMatch(/^deels ingeperkt op .*; nog open: DNS-kanaal afsluiten /);
  });

  it('the measures taken, in the AP draft and the register, say what the isolation left open', async () => {
    const { stored } = await containedIncident(ENGLISH);
    const measures = (lang: 'nl' | 'en') =>
      buildDraft(stored, ENGLISH, NOW, lang)
        .sections.flatMap((s) => s.fields)
        .find((f) => f.key === 'measuresTaken')?.value;
    expect(measures('en')).toMatch(
      /^isolate the EC2 instance i-0dns000000000001 \(.*\), except what no security group filters \(the Amazon DNS resolver, the metadata service, Amazon Time Sync\)$/,
    );
    expect(measures('nl')).toMatch(
      /^EC2-instantie isoleren i-0dns000000000001 \(.*\), behalve wat geen security group tegenhoudt \(de DNS-resolver van Amazon/,
    );
    expect(registerRow(stored, ENGLISH, NOW).measuresTaken).toMatch(/^isolate-instance i-0dns000000000001 \(.*\), except what no security group filters/);
  });

  it('a message for an isolation with no open step says plain "Containment done"', async () => {
    await contained(ENGLISH, findingEvent({ type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource('i-0plain') }));
    const outcome = (await t.store.pendingMessages()).filter((m) => m.kind === 'containment-done');
    expect(outcome[0].subject).toMatch(/\] Containment done: /);
  });
});
