/**
 * PagerDuty or Opsgenie as the pager, in the core: one alert per incident, its escalation instead
 * of datalek's levels, acknowledge and resolve once, the way back from its webhooks, and a page the
 * pager cannot take going to the on-call topic instead. The adapters against a protocol server are
 * in test/integration/pager.test.ts.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { OutboxMessage } from '../../handlers/core/incident.js';
import { PagerRejectedError, pagerRouting, recordPagerEvent, recordPagerFailure } from '../../handlers/core/pager.js';
import { parseOpsgenieEvent, parsePagerDutyEvent, verifyOpsgenieToken, verifyPagerDutySignature } from '../../handlers/core/pager-webhooks.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import type { DeliveredMessage } from '../../handlers/ports/notifier.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const PAGERDUTY = parsePolicy({ onCall: { provider: 'pagerduty' } });
const AT = (minutes: number) => new Date(Date.parse('2026-11-27T21:05:00.000Z') + minutes * 60_000).toISOString();

async function opened(policy = PAGERDUTY) {
  const fixture = tempSqliteStore();
  const r = await recordEvent(
    { store: fixture.store, policy, now: () => AT(0), canEnforce: false },
    findingEvent({ id: `pager-${Math.random()}`, severity: 8.5 }),
  );
  return { ...fixture, id: r.incidentId as string, deps: (minutes: number) => ({ store: fixture.store, policy, now: () => AT(minutes) }) };
}

describe('an incident that pages, with a pager', () => {
  it('triggers one alert, keyed on the incident, instead of the on-call page; the FG is told as always', async () => {
    const { store, id, cleanup } = await opened();
    try {
      const messages = await store.listMessages(id);
      const onCall = messages.filter((m) => m.channel === 'on-call');
      expect(onCall).toHaveLength(1);
      expect(onCall[0].alert).toEqual({ action: 'trigger', key: id });
      expect(messages.find((m) => m.channel === 'fg')?.alert).toBeUndefined();
      expect((await store.getIncident(id))?.pager).toEqual({ provider: 'pagerduty', keys: [id], state: 'triggered', at: AT(0), triggeredAt: AT(0) });
    } finally {
      await cleanup();
    }
  });

  it('lets the pager escalate: however often the sweep runs, datalek pages no level of its own', async () => {
    const { store, id, cleanup } = await opened();
    try {
      for (const minutes of [5, 15, 16, 30, 31, 45, 60, 120]) {
        const result = await sweep({ store, policy: PAGERDUTY, now: () => AT(minutes) });
        expect(result.sent.filter((s) => s.kind === 'page')).toEqual([]);
      }
      expect((await store.listMessages(id)).filter((m) => m.kind === 'page')).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it('acknowledging in datalek acknowledges the alert there, once; closing resolves it, once', async () => {
    const { store, id, deps, cleanup } = await opened();
    try {
      await acknowledge(deps(3), { incidentId: id, by: 'anna' });
      await acknowledge(deps(4), { incidentId: id, by: 'bob' });
      const acks = (await store.listMessages(id)).filter((m) => m.alert?.action === 'acknowledge');
      expect(acks.map((m) => [m.alert?.key, m.body])).toEqual([[id, 'Opgepakt in datalek door anna.']]);
      await assess(deps(10), { incidentId: id, personalData: 'no', risk: 'none', reason: 'test host, no personal data', by: 'fg' });
      await closeIncident(deps(11), { incidentId: id, reason: 'no personal data', by: 'fg' });
      const resolves = (await store.listMessages(id)).filter((m) => m.alert?.action === 'resolve');
      expect(resolves.map((m) => m.alert?.key)).toEqual([id]);
      expect((await store.getIncident(id))?.pager?.state).toBe('resolved');
    } finally {
      await cleanup();
    }
  });

  it('the way back: acknowledged there acknowledges here as that person, and sends nothing back', async () => {
    const { store, id, deps, cleanup } = await opened();
    try {
      const deadline = (await store.getIncident(id))?.deadline;
      expect(deadline).toBeTruthy();
      expect(await recordPagerEvent(deps(2), { provider: 'pagerduty', incidentId: id, event: 'acknowledged', by: 'Anna Jansen' })).toBe('acknowledged');
      const incident = await store.getIncident(id);
      expect(incident).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Anna Jansen (PagerDuty)', acknowledgedAt: AT(2) });
      expect(incident?.pager?.state).toBe('acknowledged');
      // Acknowledged is not aware: the AP deadline is where it was.
      expect(incident?.deadline).toBe(deadline);
      expect((await store.listMessages(id)).filter((m) => m.alert && m.alert.action !== 'trigger')).toEqual([]);
      // Resolved there later: recorded, the incident stays open for the FG.
      expect(await recordPagerEvent(deps(9), { provider: 'pagerduty', incidentId: id, event: 'resolved', by: 'Anna Jansen' })).toBe('recorded');
      expect((await store.getIncident(id))?.state).toBe('acknowledged');
      expect(await recordPagerEvent(deps(9), { provider: 'pagerduty', incidentId: id, event: 'resolved', by: 'Anna Jansen' })).toBe('unchanged');
      // An event from a provider this incident was never paged through changes nothing.
      expect(await recordPagerEvent(deps(9), { provider: 'opsgenie', incidentId: id, event: 'acknowledged', by: 'x' })).toBe('unknown-alert');
      const kinds = (await store.getTimeline(id)).map((e) => e.kind);
      expect(kinds.filter((k) => k.startsWith('pager-') || k === 'acknowledged')).toEqual(['acknowledged', 'pager-acknowledged', 'pager-resolved']);
    } finally {
      await cleanup();
    }
  });

  it('when the pager failed, datalek’s own levels page (from the topic) and no new alert is tried', async () => {
    const { store, id, deps, cleanup } = await opened();
    try {
      await recordPagerFailure(deps(1), id, 'PagerDuty refused the alert (HTTP 400: invalid routing key)');
      const result = await sweep({ store, policy: PAGERDUTY, now: () => AT(16) });
      expect(result.sent.map((s) => [s.kind, s.level])).toEqual([['page', 'secondary']]);
      const page = (await store.listMessages(id)).find((m) => m.kind === 'page');
      expect(page?.alert).toBeUndefined();
      expect(page?.ackLink?.level).toBe('secondary');
      const failed = (await store.getTimeline(id)).find((e) => e.kind === 'pager-failed');
      expect(failed?.detail).toMatchObject({ provider: 'pagerduty', reason: 'PagerDuty refused the alert (HTTP 400: invalid routing key)' });
    } finally {
      await cleanup();
    }
  });

  it('after the pager resolved the alert on its own, the sweep’s page raises a new one, which acknowledging and closing in datalek then reach', async () => {
    const { store, id, deps, cleanup } = await opened();
    try {
      await recordPagerEvent(deps(20), { provider: 'pagerduty', incidentId: id, event: 'resolved', by: 'PagerDuty', person: false });
      await sweep({ store, policy: PAGERDUTY, now: () => AT(30) });
      expect((await store.listMessages(id)).filter((m) => m.kind === 'page').map((m) => m.alert)).toContainEqual({ action: 'trigger', key: id });
      // The new alert is the pager's again: it escalates, and datalek pages no level of its own.
      expect((await store.getIncident(id))?.pager).toMatchObject({ state: 'triggered', at: AT(30) });
      const later = await sweep({ store, policy: PAGERDUTY, now: () => AT(46) });
      expect(later.sent.filter((s) => s.kind === 'page')).toEqual([]);
      await acknowledge(deps(40), { incidentId: id, by: 'anna' });
      expect((await store.listMessages(id)).filter((m) => m.alert?.action === 'acknowledge').map((m) => m.alert?.key)).toEqual([id]);
      await assess(deps(41), { incidentId: id, personalData: 'no', risk: 'none', reason: 'test host, no personal data', by: 'fg' });
      await closeIncident(deps(42), { incidentId: id, reason: 'no personal data', by: 'fg' });
      expect((await store.listMessages(id)).filter((m) => m.alert?.action === 'resolve').map((m) => m.alert?.key)).toEqual([id]);
    } finally {
      await cleanup();
    }
  });

  it('with the default policy (sns) nothing of this exists', async () => {
    const { store, id, deps, cleanup } = await opened(parsePolicy({}));
    try {
      await acknowledge(deps(3), { incidentId: id, by: 'anna' });
      expect((await store.listMessages(id)).some((m) => m.alert)).toBe(false);
      expect((await store.getIncident(id))?.pager).toBeUndefined();
    } finally {
      await cleanup();
    }
  });
});

describe('routing a message to the pager or the topic', () => {
  const trigger = (createdAt = AT(0)): OutboxMessage => ({
    id: 'dl-x/on-call/opened',
    incidentId: 'dl-x',
    channel: 'on-call',
    kind: 'opened',
    subject: 's',
    body: 'the page',
    attributes: {},
    createdAt,
    sentAt: null,
    alert: { action: 'trigger', key: 'dl-x' },
  });
  const setup = (pagerError: Error | null, now = AT(1)) => {
    const topics: DeliveredMessage[] = [];
    const paged: DeliveredMessage[] = [];
    const fallbacks: string[] = [];
    const notifier = pagerRouting({
      topics: { deliver: async (m) => void topics.push(m) },
      pager: {
        provider: 'pagerduty',
        deliver: async (m) => {
          if (pagerError) throw pagerError;
          paged.push(m);
        },
      },
      now: () => now,
      lang: 'en',
      onFallback: async (_m, reason) => void fallbacks.push(reason),
    });
    return { notifier, topics, paged, fallbacks };
  };

  it('an alert goes to the pager, everything else to the topic', async () => {
    const { notifier, topics, paged } = setup(null);
    await notifier.deliver(trigger());
    await notifier.deliver({ ...trigger(), id: 'other', alert: undefined });
    expect(paged.map((m) => m.id)).toEqual(['dl-x/on-call/opened']);
    expect(topics.map((m) => m.id)).toEqual(['other']);
  });

  it('a trigger the pager refuses goes to the on-call topic at once, saying why, and is recorded', async () => {
    const { notifier, topics, fallbacks } = setup(new PagerRejectedError('HTTP 400: Event object is invalid'));
    await notifier.deliver(trigger());
    expect(topics[0].body).toBe('Paged here: PagerDuty refused the alert (HTTP 400: Event object is invalid).\n\nthe page');
    expect(topics[0].alert).toBeUndefined();
    expect(fallbacks).toHaveLength(1);
  });

  it('a pager that does not answer is retried (the message stays pending) for ten minutes, then the topic takes the page', async () => {
    const early = setup(new Error('timeout'), AT(9));
    await expect(early.notifier.deliver(trigger())).rejects.toThrow('timeout');
    expect(early.topics).toEqual([]);
    const late = setup(new Error('timeout'), AT(10));
    await late.notifier.deliver(trigger());
    expect(late.topics[0].body).toMatch(/^Paged here: PagerDuty could not be reached for 10 minutes \(timeout\)\./);
  });

  it('an acknowledge or resolve that fails stays pending: it has no meaning on the topic', async () => {
    const { notifier, topics } = setup(new PagerRejectedError('HTTP 400'));
    await expect(notifier.deliver({ ...trigger(), alert: { action: 'acknowledge', key: 'dl-x' } })).rejects.toThrow(PagerRejectedError);
    expect(topics).toEqual([]);
  });
});

describe('the pager’s webhooks', () => {
  const secret = 'whsec-0123456789';
  const body = JSON.stringify({ event: { event_type: 'incident.acknowledged' } });
  const sign = (text: string, key = secret) => `v1=${createHmac('sha256', key).update(text).digest('hex')}`;

  it('PagerDuty: one matching v1 signature of the raw body, among several (a secret rotation), is enough', () => {
    expect(verifyPagerDutySignature(body, sign(body), secret)).toBe(true);
    expect(verifyPagerDutySignature(body, `${sign(body, 'old-secret')},${sign(body)}`, secret)).toBe(true);
    expect(verifyPagerDutySignature(body, sign(body, 'another secret'), secret)).toBe(false);
    expect(verifyPagerDutySignature(`${body} `, sign(body), secret)).toBe(false);
    expect(verifyPagerDutySignature(body, undefined, secret)).toBe(false);
    expect(verifyPagerDutySignature(body, 'v0=abc', secret)).toBe(false);
    expect(verifyPagerDutySignature(body, sign(body), '')).toBe(false);
  });

  it('PagerDuty: who acknowledged or resolved which incident (its key, else the id in its title)', () => {
    const id = `dl-${'ab'.repeat(16)}`;
    const event = (type: string, data: Record<string, unknown>, agent: Record<string, unknown> = { type: 'user_reference', summary: 'Anna Jansen' }) => ({
      event: { event_type: type, resource_type: 'incident', agent, data: { type: 'incident', ...data } },
    });
    expect(parsePagerDutyEvent(event('incident.acknowledged', { incident_key: id }))).toEqual({ incidentId: id, event: 'acknowledged', by: 'Anna Jansen' });
    expect(parsePagerDutyEvent(event('incident.resolved', { title: `[datalek hoog] Beveiligingsincident: Backdoor:EC2/X ${id}` }))).toEqual({
      incidentId: id,
      event: 'resolved',
      by: 'Anna Jansen',
    });
    // No user behind it (PagerDuty or a service did it), on the alert of an exposed interface.
    expect(parsePagerDutyEvent(event('incident.resolved', { incident_key: `${id}:exposed:eni-1` }, { type: 'service_reference' }))).toEqual({
      incidentId: id,
      event: 'resolved',
      by: 'PagerDuty',
      person: false,
      alertKey: `${id}:exposed:eni-1`,
    });
    expect(parsePagerDutyEvent(event('incident.triggered', { incident_key: id }))).toBeNull();
    expect(parsePagerDutyEvent(event('incident.acknowledged', { title: 'no id here' }))).toBeNull();
    expect(parsePagerDutyEvent('nonsense')).toBeNull();
  });

  it('Opsgenie: the token header, compared in constant time; Acknowledge and Close by alias', () => {
    expect(verifyOpsgenieToken(secret, secret)).toBe(true);
    expect(verifyOpsgenieToken(`${secret}x`, secret)).toBe(false);
    expect(verifyOpsgenieToken(undefined, secret)).toBe(false);
    const id = `dl-${'cd'.repeat(16)}`;
    expect(parseOpsgenieEvent({ action: 'Acknowledge', alert: { alias: id, username: 'anna@example.nl' } })).toEqual({
      incidentId: id,
      event: 'acknowledged',
      by: 'anna@example.nl',
    });
    expect(parseOpsgenieEvent({ action: 'Close', alert: { alias: id }, source: { name: 'web' } })).toEqual({ incidentId: id, event: 'resolved', by: 'web' });
    expect(parseOpsgenieEvent({ action: 'AddNote', alert: { alias: id } })).toBeNull();
    expect(parseOpsgenieEvent({ action: 'Acknowledge', alert: { alias: 'someone-elses-alert' } })).toBeNull();
  });
});
