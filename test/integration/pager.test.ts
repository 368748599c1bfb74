/**
 * PagerDuty and Opsgenie as the pager, against a local server that checks every request against
 * the provider's documented format and answers as the provider does (test/support/pager-server.ts):
 * a page triggers once however often the sweep runs; acknowledging and closing acknowledge and
 * resolve there; 429 is retried; a refusal or a provider gone for ten minutes sends the page to
 * the on-call topic and datalek's own levels page again; a signed webhook acknowledges, a forged
 * one does not.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { createPager } from '../../handlers/adapters/pager/index.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { deliverPending } from '../../handlers/core/deliver.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import { withAckLinks } from '../../handlers/core/link-delivery.js';
import { pagerRouting, recordPagerFailure } from '../../handlers/core/pager.js';
import { OPSGENIE_TOKEN_HEADER } from '../../handlers/core/pager-webhooks.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import type { DeliveredMessage } from '../../handlers/ports/notifier.js';
import { createLinkApp } from '../../handlers/web/links.js';
import { spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { type PagerServer, startOpsgenie, startPagerDuty } from '../support/pager-server.js';
import { request, startServe } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';

const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';
const API_KEY = 'eb243592-faa2-4ba2-a551q-1afdf565c889';
const WEBHOOK_SECRET = 'the-webhook-secret-0123456789';
const LINK_KEY = Buffer.from('c'.repeat(64), 'hex');
const AT = (minutes: number) => new Date(Date.parse('2026-11-27T21:05:00.000Z') + minutes * 60_000).toISOString();

interface World {
  store: SqliteIncidentStore;
  policy: Policy;
  clock: { minutes: number };
  topics: DeliveredMessage[];
  waits: number[];
  deliver: () => Promise<{ sent: number; failed: string[] }>;
  open: (id: string, severity?: number) => Promise<string>;
  cleanup: () => Promise<void>;
}

function world(provider: 'pagerduty' | 'opsgenie', url: string, secrets: { routingKey?: string; apiKey?: string; unreadable?: boolean }): World {
  const { store, cleanup } = tempSqliteStore();
  const policy = parsePolicy({ onCall: { provider, providerUrl: url, runbookBaseUrl: 'https://git.example.nl/datalek/blob/main/' } });
  const clock = { minutes: 0 };
  const now = () => AT(clock.minutes);
  const topics: DeliveredMessage[] = [];
  const waits: number[] = [];
  const pager = createPager(
    policy,
    // Read at every load, as a secret source does (Secrets Manager's reader caches for five minutes).
    {
      describe: 'the test',
      load: async () => {
        if (secrets.unreadable) throw new Error('the secret could not be read (Secrets Manager unreachable)');
        return { routingKey: secrets.routingKey, apiKey: secrets.apiKey, webhookSecret: WEBHOOK_SECRET };
      },
    },
    {
      sleep: async (ms) => void waits.push(ms),
      timeoutMs: 2000,
    },
  );
  const notifier = withAckLinks(
    pagerRouting({
      topics: { deliver: async (m) => void topics.push(m) },
      pager,
      now,
      lang: 'en',
      onFallback: (m, reason) => recordPagerFailure({ store, policy, now }, m.incidentId, reason),
    }),
    { baseUrl: 'https://links.example', key: async () => LINK_KEY },
    policy,
    now,
  );
  return {
    store,
    policy,
    clock,
    topics,
    waits,
    deliver: async () => {
      const report = await deliverPending({ store, notifier, now });
      return { sent: report.sent.length, failed: report.failed.map((f) => f.error) };
    },
    open: async (id, severity = 8.5) => {
      const r = await recordEvent({ store, policy, now, canEnforce: false }, findingEvent({ id, severity, instanceId: `i-${id}` }));
      return r.incidentId as string;
    },
    cleanup,
  };
}

const deps = (w: World) => ({ store: w.store, policy: w.policy, now: () => AT(w.clock.minutes) });

describe('PagerDuty (Events API v2)', () => {
  let pd: PagerServer;
  beforeAll(async () => {
    pd = await startPagerDuty();
  });
  afterAll(async () => pd.stop());

  it('an incident that pages triggers one alert, however often the sweep runs; acknowledging and closing here acknowledge and resolve it there', async () => {
    const w = world('pagerduty', pd.url, { routingKey: ROUTING_KEY });
    try {
      pd.accepted.length = 0;
      pd.received.length = 0;
      const id = await w.open('pd-life');
      expect(await w.deliver()).toEqual({ sent: 2, failed: [] });
      expect(pd.accepted).toHaveLength(1);
      const trigger = pd.accepted[0].body as Record<string, unknown> & { payload: Record<string, unknown>; links: { href: string; text: string }[] };
      expect(trigger).toMatchObject({ routing_key: ROUTING_KEY, event_action: 'trigger', dedup_key: id, client: 'datalek' });
      expect(trigger.payload).toMatchObject({
        severity: 'error',
        source: 'aws:111122223333:eu-west-1',
        timestamp: AT(0),
        class: 'Backdoor:EC2/C&CActivity.B!DNS',
      });
      // Identifiers only: the band, the finding type, the incident.
      expect(trigger.payload.summary).toBe(`[datalek hoog] Beveiligingsincident: Backdoor:EC2/C&CActivity.B!DNS ${id}`);
      expect(trigger.links.map((l) => l.href)).toEqual([
        expect.stringMatching(/^https:\/\/links\.example\/ack\/[\w-]+\.[\w-]+$/),
        'https://git.example.nl/datalek/blob/main/runbooks/isolate-ec2-instance.md',
      ]);
      // Only the FG's message went to a topic: on-call is paged through PagerDuty alone.
      expect(w.topics.map((m) => m.channel)).toEqual(['fg']);
      for (const minutes of [5, 15, 16, 30, 45, 60, 90]) {
        w.clock.minutes = minutes;
        await sweep({ store: w.store, policy: w.policy, now: () => AT(minutes) });
        await w.deliver();
      }
      expect(pd.accepted.filter((r) => r.body.event_action === 'trigger')).toHaveLength(1);
      expect(pd.alerts.get(id)).toBe('triggered');

      w.clock.minutes = 91;
      await acknowledge(deps(w), { incidentId: id, by: 'anna' });
      await w.deliver();
      expect(pd.accepted.at(-1)?.body).toEqual({ routing_key: ROUTING_KEY, event_action: 'acknowledge', dedup_key: id });
      expect(pd.alerts.get(id)).toBe('acknowledged');

      await assess(deps(w), { incidentId: id, personalData: 'no', risk: 'none', reason: 'test machine without personal data', by: 'fg' });
      await closeIncident(deps(w), { incidentId: id, reason: 'no personal data', by: 'fg' });
      await w.deliver();
      expect(pd.accepted.at(-1)?.body).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: id });
      expect(pd.alerts.get(id)).toBe('resolved');
      // Every request datalek made was in PagerDuty's format: none was refused.
      expect(pd.received).toHaveLength(pd.accepted.length);
    } finally {
      await w.cleanup();
    }
  });

  it('a routing key rotated in the secret is used for the next page: it was read once per Lambda instance', async () => {
    const secrets: { routingKey: string; unreadable?: boolean } = { routingKey: ROUTING_KEY };
    const w = world('pagerduty', pd.url, secrets);
    try {
      pd.accepted.length = 0;
      await w.open('pd-before-rotation');
      expect((await w.deliver()).failed).toEqual([]);
      // The secret is rotated; the old key no longer works in PagerDuty.
      secrets.routingKey = 'R0TAT3DKEY0123456789abcdefABCDEF';
      await w.open('pd-after-rotation');
      expect((await w.deliver()).failed).toEqual([]);
      // Secrets Manager unreachable: the page goes with the key last read, rather than not at all.
      secrets.unreadable = true;
      await w.open('pd-secret-unreadable');
      expect((await w.deliver()).failed).toEqual([]);
      expect(pd.accepted.map((r) => (r.body as { routing_key: string }).routing_key)).toEqual([
        ROUTING_KEY,
        'R0TAT3DKEY0123456789abcdefABCDEF',
        'R0TAT3DKEY0123456789abcdefABCDEF',
      ]);
    } finally {
      await w.cleanup();
    }
  });

  it('retries a 429, waiting as long as Retry-After says', async () => {
    const w = world('pagerduty', pd.url, { routingKey: ROUTING_KEY });
    try {
      const id = await w.open('pd-429');
      pd.failNext({ status: 429, retryAfter: '2' }, { status: 502 });
      expect(await w.deliver()).toEqual({ sent: 2, failed: [] });
      expect(w.waits).toEqual([2000, 1000]);
      expect(pd.alerts.get(id)).toBe('triggered');
    } finally {
      await w.cleanup();
    }
  });

  it('a PagerDuty that keeps failing: the page stays pending, then after ten minutes goes to the on-call topic, and datalek’s own levels page', async () => {
    const w = world('pagerduty', pd.url, { routingKey: ROUTING_KEY });
    try {
      const id = await w.open('pd-down');
      pd.failNext({ status: 500 }, { status: 500 }, { status: 500 });
      const first = await w.deliver();
      expect(first.failed).toEqual([expect.stringMatching(/^3 attempts failed, the last: HTTP 500/)]);
      expect(w.topics.map((m) => m.channel)).toEqual(['fg']);
      w.clock.minutes = 11;
      pd.failNext({ status: 503 }, { status: 503 }, { status: 503 });
      // The claim of the failed attempt has run out (5 minutes): the next delivery run takes it.
      expect(await w.deliver()).toEqual({ sent: 1, failed: [] });
      const fallback = w.topics.at(-1) as DeliveredMessage;
      expect(fallback.channel).toBe('on-call');
      expect(fallback.body.split('\n')[0]).toMatch(/^Paged here: PagerDuty could not be reached for 10 minutes/);
      // Still its acknowledgement link: valid until the next level's page, 15 minutes after the first.
      expect(fallback.ackUrl).toMatch(/\/ack\//);
      expect((await w.store.getIncident(id))?.pager?.state).toBe('failed');
      w.clock.minutes = 16;
      const swept = await sweep({ store: w.store, policy: w.policy, now: () => AT(16) });
      expect(swept.sent.map((s) => s.level)).toEqual(['secondary']);
    } finally {
      await w.cleanup();
    }
  });

  it('a refused alert (a bad routing key) goes to the on-call topic at once, saying why', async () => {
    const w = world('pagerduty', pd.url, { routingKey: 'X'.repeat(32) });
    try {
      pd.failNext({ status: 400 });
      const id = await w.open('pd-refused');
      expect(await w.deliver()).toEqual({ sent: 2, failed: [] });
      const page = w.topics.find((m) => m.channel === 'on-call') as DeliveredMessage;
      expect(page.body.split('\n')[0]).toBe('Paged here: PagerDuty refused the alert (HTTP 400: Internal error).');
      expect((await w.store.getTimeline(id)).map((e) => e.kind)).toContain('pager-failed');
    } finally {
      await w.cleanup();
    }
  });

  it('no routing key in the secret store: the page goes to the on-call topic, never nowhere', async () => {
    const w = world('pagerduty', pd.url, {});
    try {
      await w.open('pd-no-key');
      await w.deliver();
      expect(w.topics.find((m) => m.channel === 'on-call')?.body.split('\n')[0]).toBe(
        'Paged here: PagerDuty refused the alert (no PagerDuty routing key (routingKey) in the test).',
      );
    } finally {
      await w.cleanup();
    }
  });

  describe('its v3 webhooks', () => {
    const event = (type: string, id: string) =>
      JSON.stringify({
        event: {
          id: 'evt-1',
          event_type: type,
          resource_type: 'incident',
          occurred_at: '2026-11-27T21:20:00Z',
          agent: { id: 'PLH1HKV', summary: 'Anna Jansen', type: 'user_reference' },
          data: {
            id: 'PGR0VU2',
            type: 'incident',
            status: type.split('.')[1],
            title: `[datalek hoog] Beveiligingsincident: Backdoor:EC2/C&CActivity.B!DNS ${id}`,
          },
        },
      });
    const sign = (body: string, secret = WEBHOOK_SECRET) => `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const post = (app: ReturnType<typeof createLinkApp>, body: string, headers: Record<string, string>) =>
      app.request('/hooks/pagerduty', { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

    it('a signed incident.acknowledged acknowledges here, as the person, and datalek’s escalation stays stopped; a forged one changes nothing', async () => {
      const w = world('pagerduty', pd.url, { routingKey: ROUTING_KEY });
      try {
        const id = await w.open('pd-hook');
        await w.deliver();
        const app = createLinkApp({
          store: w.store,
          policy: w.policy,
          now: () => AT(w.clock.minutes),
          linkKey: async () => LINK_KEY,
          webhookSecret: async () => WEBHOOK_SECRET,
          target: 'local',
          live: false,
        });
        w.clock.minutes = 15;
        const body = event('incident.acknowledged', id);
        for (const headers of [{}, { 'x-pagerduty-signature': sign(body, 'a guess') }, { 'x-pagerduty-signature': sign(`${body} `) }] as Record<
          string,
          string
        >[]) {
          const forged = await post(app, body, headers);
          expect(forged.status).toBe(401);
        }
        expect((await w.store.getIncident(id))?.acknowledgedBy).toBeNull();
        const signed = await post(app, body, { 'x-pagerduty-signature': sign(body) });
        expect(signed.status).toBe(200);
        expect(await signed.json()).toEqual({ outcome: 'acknowledged', incidentId: id });
        expect(await w.store.getIncident(id)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Anna Jansen (PagerDuty)' });
        for (const minutes of [16, 31, 46, 120]) {
          const swept = await sweep({ store: w.store, policy: w.policy, now: () => AT(minutes) });
          expect(swept.sent.filter((s) => s.kind === 'page')).toEqual([]);
        }
        // Nothing echoed back to PagerDuty.
        await w.deliver();
        expect(pd.accepted.filter((r) => r.body.dedup_key === id).map((r) => r.body.event_action)).toEqual(['trigger']);
      } finally {
        await w.cleanup();
      }
    });

    /** A v3 webhook as PagerDuty sends it for a datalek alert: its key, its event id and time. */
    const keyed = (type: string, id: string, minutes: number, agent: Record<string, unknown> = { type: 'user_reference', summary: 'Anna Jansen' }) =>
      JSON.stringify({
        event: {
          id: `evt-${type}-${minutes}`,
          event_type: type,
          resource_type: 'incident',
          occurred_at: AT(minutes),
          agent,
          data: { id: 'PGR0VU2', type: 'incident', status: type.split('.')[1], incident_key: id, title: `[datalek hoog] Beveiligingsincident ${id}` },
        },
      });
    const linkApp = (w: World, secret: () => Promise<string>, log: string[] = []) =>
      createLinkApp({
        store: w.store,
        policy: w.policy,
        now: () => AT(w.clock.minutes),
        linkKey: async () => LINK_KEY,
        webhookSecret: secret,
        target: 'local',
        live: false,
        log: (line) => void log.push(line),
      });

    it('a captured acknowledgement sent again hours later is refused (200, saying why), records nothing, and datalek’s own levels keep paging', async () => {
      const w = world('pagerduty', pd.url, { routingKey: ROUTING_KEY });
      try {
        const id = await w.open('pd-stale');
        await w.deliver();
        // Anna acknowledged there at minute 5; that delivery met a webhook secret not yet put right
        // here (401: PagerDuty drops it), but the body, signed, was captured on its way.
        const body = keyed('incident.acknowledged', id, 5);
        const signature = { 'x-pagerduty-signature': sign(body) };
        w.clock.minutes = 5;
        expect(
          (
            await post(
              linkApp(w, async () => 'not-yet-the-subscription-secret'),
              body,
              signature,
            )
          ).status,
        ).toBe(401);
        // The pager then failed the incident: datalek pages its own levels.
        w.clock.minutes = 10;
        await recordPagerFailure(deps(w), id, 'PagerDuty could not be reached for 10 minutes');
        const log: string[] = [];
        w.clock.minutes = 120;
        const replayed = await post(
          linkApp(w, async () => WEBHOOK_SECRET, log),
          body,
          signature,
        );
        expect(replayed.status).toBe(200);
        expect(await replayed.json()).toEqual({
          outcome: 'refused',
          incidentId: id,
          reason: `stale: the event happened at ${AT(5)}, 115 minutes before it arrived; a webhook is taken up to 60 minutes after its event, so that a captured one cannot be sent again later`,
        });
        expect((await w.store.getIncident(id))?.acknowledgedBy).toBeNull();
        expect((await w.store.getTimeline(id)).map((e) => e.kind).filter((k) => k === 'acknowledged' || k.startsWith('pager-ack'))).toEqual([]);
        expect(log).toEqual([
          `datalek: refused a PagerDuty webhook (acknowledged, incident ${id}): stale: the event happened at ${AT(5)}, 115 minutes before it arrived; a webhook is taken up to 60 minutes after its event, so that a captured one cannot be sent again later`,
        ]);
        const swept = await sweep({ store: w.store, policy: w.policy, now: () => AT(121) });
        expect(swept.sent.filter((s) => s.kind === 'page').length).toBeGreaterThan(0);
      } finally {
        await w.cleanup();
      }
    });

    it('PagerDuty’s retry of a recent delivery that failed here is taken, recorded with when it happened there', async () => {
      const w = world('pagerduty', pd.url, { routingKey: ROUTING_KEY });
      try {
        const id = await w.open('pd-retry');
        await w.deliver();
        const body = keyed('incident.acknowledged', id, 5);
        const signature = { 'x-pagerduty-signature': sign(body) };
        w.clock.minutes = 5;
        const failed = await post(
          linkApp(w, async () => {
            throw new Error('Secrets Manager unreachable');
          }),
          body,
          signature,
        );
        expect(failed.status).toBe(500);
        w.clock.minutes = 25;
        const retried = await post(
          linkApp(w, async () => WEBHOOK_SECRET),
          body,
          signature,
        );
        expect(await retried.json()).toEqual({ outcome: 'acknowledged', incidentId: id });
        // Acknowledged when Anna did it there (minute 5), recorded when it arrived (minute 25).
        expect(await w.store.getIncident(id)).toMatchObject({ acknowledgedBy: 'Anna Jansen (PagerDuty)', acknowledgedAt: AT(5) });
        const entry = (await w.store.getTimeline(id)).find((e) => e.kind === 'acknowledged');
        expect(entry?.at).toBe(AT(25));
        expect(entry?.detail).toMatchObject({ via: 'pagerduty', occurredAt: AT(5) });
        // The same delivery once more changes nothing.
        expect(
          await (
            await post(
              linkApp(w, async () => WEBHOOK_SECRET),
              body,
              signature,
            )
          ).json(),
        ).toEqual({ outcome: 'unchanged', incidentId: id });
      } finally {
        await w.cleanup();
      }
    });

    /** PagerDuty resolves the incident's alert on its own at minute 20 (a service's auto-resolve); the sweep's page raises a new one at 30. */
    const resolvedThenRaisedAgain = async (w: World, id: string, app: ReturnType<typeof createLinkApp>) => {
      pd.alerts.set(id, 'resolved');
      const autoResolved = keyed('incident.resolved', id, 20, { type: 'service_reference', summary: 'datalek service' });
      w.clock.minutes = 20;
      expect(await (await post(app, autoResolved, { 'x-pagerduty-signature': sign(autoResolved) })).json()).toEqual({ outcome: 'recorded', incidentId: id });
      w.clock.minutes = 30;
      await sweep({ store: w.store, policy: w.policy, now: () => AT(30) });
      await w.deliver();
      expect(pd.alerts.get(id)).toBe('triggered');
      return autoResolved;
    };

    it('Anna’s acknowledgement, lost until datalek raised the alert again, is recorded as hers; the new alert pages until someone takes it, by the page’s link', async () => {
      const w = world('pagerduty', pd.url, { routingKey: ROUTING_KEY });
      try {
        const id = await w.open('pd-earlier');
        await w.deliver();
        const log: string[] = [];
        const app = linkApp(w, async () => WEBHOOK_SECRET, log);
        // Anna acknowledges there at minute 15; that delivery fails here (the store unreachable).
        pd.alerts.set(id, 'acknowledged');
        const annas = keyed('incident.acknowledged', id, 15);
        // Then PagerDuty resolves it on its own, and datalek raises it again (nobody took it, as far as datalek knows).
        const autoResolved = await resolvedThenRaisedAgain(w, id, app);
        const page = pd.accepted.filter((r) => r.body.dedup_key === id && r.body.event_action === 'trigger').at(-1);
        const link = (page?.body.links as { href: string }[] | undefined)?.find((l) => l.href.startsWith('https://links.example/ack/'))?.href;
        expect(link).toBeDefined();
        // The auto-resolve sent again, fifteen minutes after its event (well within the hour): applied once already.
        w.clock.minutes = 35;
        const again = await post(app, autoResolved, { 'x-pagerduty-signature': sign(autoResolved) });
        expect(await again.json()).toEqual({ outcome: 'unchanged', incidentId: id });
        // PagerDuty retries Anna's acknowledgement: hers, at minute 15, the new alert left as it is.
        w.clock.minutes = 36;
        expect(await (await post(app, annas, { 'x-pagerduty-signature': sign(annas) })).json()).toEqual({ outcome: 'acknowledged', incidentId: id });
        expect(await w.store.getIncident(id)).toMatchObject({
          acknowledgedBy: 'Anna Jansen (PagerDuty)',
          acknowledgedAt: AT(15),
          pager: { state: 'triggered' },
        });
        await w.deliver();
        expect(pd.alerts.get(id)).toBe('triggered');
        expect(log).toEqual([]);
        // Sent again: once.
        expect(await (await post(app, annas, { 'x-pagerduty-signature': sign(annas) })).json()).toEqual({ outcome: 'unchanged', incidentId: id });
        // Bob, paged by the new alert, presses the button behind its link: the alert stops there.
        w.clock.minutes = 40;
        const path = new URL(link as string).pathname;
        const opened = await app.request(path);
        expect(opened.status).toBe(200);
        const pressed = await app.request(path, {
          method: 'POST',
          body: new URLSearchParams({ by: 'Bob' }),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        expect(pressed.status).toBe(200);
        const shown = await pressed.text();
        expect(shown).toContain('Anna Jansen (PagerDuty)');
        expect(shown).toContain('de melding die de pager daarna opnieuw gaf, is nu ook opgepakt');
        await w.deliver();
        expect(pd.alerts.get(id)).toBe('acknowledged');
        expect((await w.store.getTimeline(id)).filter((e) => e.kind === 'alert-acknowledged').map((e) => e.actor)).toEqual([
          'Bob (from the page to secondary, round 1)',
        ]);
        await assess(deps(w), { incidentId: id, personalData: 'no', risk: 'none', reason: 'test host, no personal data', by: 'fg' });
        await closeIncident(deps(w), { incidentId: id, reason: 'no personal data', by: 'fg' });
        await w.deliver();
        expect(pd.alerts.get(id)).toBe('resolved');
      } finally {
        await w.cleanup();
      }
    });

    it('an acknowledgement dated when no alert of the incident was open there is not taken, and the log says so', async () => {
      const w = world('pagerduty', pd.url, { routingKey: ROUTING_KEY });
      try {
        const id = await w.open('pd-gap');
        await w.deliver();
        const log: string[] = [];
        const app = linkApp(w, async () => WEBHOOK_SECRET, log);
        await resolvedThenRaisedAgain(w, id, app);
        // Dated 25: after the alert before was resolved, before the new one was raised.
        const between = keyed('incident.acknowledged', id, 25);
        w.clock.minutes = 36;
        expect(await (await post(app, between, { 'x-pagerduty-signature': sign(between) })).json()).toEqual({ outcome: 'earlier-alert', incidentId: id });
        expect(await w.store.getIncident(id)).toMatchObject({ acknowledgedBy: null, pager: { state: 'triggered' } });
        expect(log).toEqual([`datalek: did not take a PagerDuty webhook (acknowledged, incident ${id}): earlier-alert`]);
      } finally {
        await w.cleanup();
      }
    });

    it('a webhook without event.id is refused (200, saying why) and records nothing', async () => {
      const w = world('pagerduty', pd.url, { routingKey: ROUTING_KEY });
      try {
        const id = await w.open('pd-no-id');
        await w.deliver();
        const log: string[] = [];
        const { event: e } = JSON.parse(keyed('incident.acknowledged', id, 2));
        const body = JSON.stringify({ event: { ...e, id: undefined } });
        w.clock.minutes = 3;
        const answer = await post(
          linkApp(w, async () => WEBHOOK_SECRET, log),
          body,
          { 'x-pagerduty-signature': sign(body) },
        );
        const reason = 'no id of the event in the webhook (event.id, which the provider always sends): it could not be taken only once';
        expect(await answer.json()).toEqual({ outcome: 'refused', incidentId: id, reason });
        expect(log).toEqual([`datalek: refused a PagerDuty webhook (acknowledged, incident ${id}): ${reason}`]);
        expect((await w.store.getIncident(id))?.acknowledgedBy).toBeNull();
      } finally {
        await w.cleanup();
      }
    });
  });
});

describe('Opsgenie (Alert API)', () => {
  let og: PagerServer;
  beforeAll(async () => {
    og = await startOpsgenie(API_KEY);
  });
  afterAll(async () => og.stop());

  it('creates one alert by alias, priority from the band; acknowledge and close by alias', async () => {
    const w = world('opsgenie', og.url, { apiKey: API_KEY });
    try {
      const id = await w.open('og-life', 9.5);
      await w.deliver();
      expect(og.accepted).toHaveLength(1);
      const create = og.accepted[0];
      expect(create.path).toBe('/v2/alerts');
      expect(create.headers.authorization).toBe(`GenieKey ${API_KEY}`);
      expect(create.body).toMatchObject({ alias: id, priority: 'P1', source: 'datalek', entity: `EC2-instantie i-og-life`, tags: ['datalek', 'Critical'] });
      expect((create.body.message as string).length).toBeLessThanOrEqual(130);
      expect(create.body.details).toMatchObject({ incidentId: id, runbook: 'https://git.example.nl/datalek/blob/main/runbooks/isolate-ec2-instance.md' });
      for (const minutes of [15, 30, 45]) {
        await sweep({ store: w.store, policy: w.policy, now: () => AT(minutes) });
        await w.deliver();
      }
      expect(og.accepted).toHaveLength(1);
      w.clock.minutes = 50;
      await acknowledge(deps(w), { incidentId: id, by: 'anna' });
      await w.deliver();
      expect(og.accepted.at(-1)?.path).toBe(`/v2/alerts/${id}/acknowledge?identifierType=alias`);
      expect(og.accepted.at(-1)?.body).toMatchObject({ user: 'datalek', source: 'datalek', note: 'Opgepakt in datalek door anna.' });
      expect(og.alerts.get(id)).toBe('acknowledged');
      await assess(deps(w), { incidentId: id, personalData: 'no', risk: 'none', reason: 'no personal data on it', by: 'fg' });
      await closeIncident(deps(w), { incidentId: id, reason: 'no personal data', by: 'fg' });
      await w.deliver();
      expect(og.accepted.at(-1)?.path).toBe(`/v2/alerts/${id}/close?identifierType=alias`);
      expect(og.alerts.get(id)).toBe('resolved');
    } finally {
      await w.cleanup();
    }
  });

  it('a wrong API key is refused (401): the page goes to the on-call topic', async () => {
    const w = world('opsgenie', og.url, { apiKey: 'wrong-key-0000' });
    try {
      await w.open('og-wrong-key');
      await w.deliver();
      expect(w.topics.find((m) => m.channel === 'on-call')?.body.split('\n')[0]).toBe(
        'Paged here: Opsgenie refused the alert (HTTP 401: Could not authenticate).',
      );
    } finally {
      await w.cleanup();
    }
  });

  it('its webhook acknowledges with the token header, and refuses without it (401)', async () => {
    const w = world('opsgenie', og.url, { apiKey: API_KEY });
    try {
      const id = await w.open('og-hook');
      await w.deliver();
      const app = createLinkApp({
        store: w.store,
        policy: w.policy,
        now: () => AT(3),
        linkKey: async () => LINK_KEY,
        webhookSecret: async () => WEBHOOK_SECRET,
        target: 'local',
        live: false,
      });
      // Opsgenie's time of the action: alert.updatedAt, in nanoseconds.
      const acknowledgedAt = (minutes: number) => `${Date.parse(AT(minutes))}000000`;
      const body = `{"action":"Acknowledge","alert":{"alias":"${id}","username":"anna@example.nl","alertId":"a1","tinyId":"7","updatedAt":${acknowledgedAt(2)}},"source":{"name":"web","type":"web"}}`;
      const post = (headers: Record<string, string>) =>
        app.request('/hooks/opsgenie', { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
      expect((await post({})).status).toBe(401);
      expect((await post({ [OPSGENIE_TOKEN_HEADER]: 'guess' })).status).toBe(401);
      expect((await w.store.getIncident(id))?.acknowledgedBy).toBeNull();
      const ok = await post({ [OPSGENIE_TOKEN_HEADER]: WEBHOOK_SECRET });
      expect(await ok.json()).toEqual({ outcome: 'acknowledged', incidentId: id });
      expect((await w.store.getIncident(id))?.acknowledgedBy).toBe('anna@example.nl (Opsgenie)');
      // One of another incident, captured and sent again two hours on, is refused and recorded nowhere.
      const other = await w.open('og-hook-later');
      await w.deliver();
      const captured = `{"action":"Close","alert":{"alias":"${other}","username":"anna@example.nl","alertId":"a2","updatedAt":${acknowledgedAt(-120)}},"source":{"name":"web","type":"web"}}`;
      const late = await app.request('/hooks/opsgenie', {
        method: 'POST',
        body: captured,
        headers: { 'content-type': 'application/json', [OPSGENIE_TOKEN_HEADER]: WEBHOOK_SECRET },
      });
      expect(late.status).toBe(200);
      expect(await late.json()).toMatchObject({ outcome: 'refused', incidentId: other, reason: expect.stringMatching(/^stale: the event happened at /) });
      expect(await w.store.getIncident(other)).toMatchObject({ acknowledgedBy: null, pager: { state: 'triggered' } });
      // Without alertId (which Opsgenie's alert action data always carries) it could not be taken
      // once: refused, saying why, and logged, identifiers only.
      const third = await w.open('og-hook-no-id');
      await w.deliver();
      const log: string[] = [];
      const noId = `{"action":"Acknowledge","alert":{"alias":"${third}","username":"anna@example.nl","tinyId":"9","updatedAt":${acknowledgedAt(2)}},"source":{"name":"web","type":"web"}}`;
      const refused = await createLinkApp({
        store: w.store,
        policy: w.policy,
        now: () => AT(3),
        linkKey: async () => LINK_KEY,
        webhookSecret: async () => WEBHOOK_SECRET,
        target: 'local',
        live: false,
        log: (line) => void log.push(line),
      }).request('/hooks/opsgenie', { method: 'POST', body: noId, headers: { 'content-type': 'application/json', [OPSGENIE_TOKEN_HEADER]: WEBHOOK_SECRET } });
      const why = 'no id of the event in the webhook (alert.alertId, which the provider always sends): it could not be taken only once';
      expect(await refused.json()).toEqual({ outcome: 'refused', incidentId: third, reason: why });
      expect(log).toEqual([`datalek: refused a Opsgenie webhook (acknowledged, incident ${third}): ${why}`]);
      expect(log.join()).not.toContain('anna@example.nl');
      expect((await w.store.getIncident(third))?.acknowledgedBy).toBeNull();
      // A PagerDuty webhook is not this policy's: refused before anything is read.
      expect((await app.request('/hooks/pagerduty', { method: 'POST', body: '{}' })).status).toBe(404);
    } finally {
      await w.cleanup();
    }
  });
});

describe('end to end, as an organisation runs it: the CLI, `datalek serve` taking the webhook', () => {
  let pd: PagerServer;
  let dir: string;
  beforeAll(async () => {
    pd = await startPagerDuty();
    dir = mkdtempSync(join(tmpdir(), 'datalek-pd-'));
  });
  afterAll(async () => {
    await pd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with onCall.provider "pagerduty" the incident appears in PagerDuty, and acknowledging there stops datalek’s escalation', async () => {
    const policyFile = join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ onCall: { provider: 'pagerduty', providerUrl: pd.url } }));
    const event = join(dir, 'event.json');
    writeFileSync(event, JSON.stringify(findingEvent({ id: 'e2e-pd', severity: 8.5 })));
    const store = join(dir, 'store');
    // The keys from the environment: the policy file never holds them.
    const env = { DATALEK_PAGER_ROUTING_KEY: ROUTING_KEY, DATALEK_PAGER_WEBHOOK_SECRET: WEBHOOK_SECRET, DATALEK_POLICY: policyFile };
    const replayed = await spawnCli(['replay', event, '--store', store, '--now', '2026-11-27T21:05:00Z', '--json'], env);
    const id = JSON.parse(replayed.stdout).incidentId as string;
    expect(pd.alerts.get(id)).toBe('triggered');
    expect(pd.accepted.map((r) => r.body.event_action)).toEqual(['trigger']);

    const served = await startServe(['--store', store, '--now', '2026-11-27T21:12:00Z'], env);
    try {
      const body = JSON.stringify({
        event: {
          id: '01E2EACKNOWLEDGED',
          event_type: 'incident.acknowledged',
          resource_type: 'incident',
          // Delivered as it happens: dated by the machine's clock, by which the route judges its age (review5 A1).
          occurred_at: new Date().toISOString(),
          agent: { type: 'user_reference', summary: 'Anna Jansen' },
          data: { incident_key: id },
        },
      });
      const signature = `v1=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
      const forged = await request(served, '/hooks/pagerduty', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-pagerduty-signature': 'v1=00' },
      });
      expect(forged.status).toBe(401);
      const hook = await request(served, '/hooks/pagerduty', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-pagerduty-signature': signature },
      });
      expect(hook.status).toBe(200);
      expect(JSON.parse(hook.body)).toEqual({ outcome: 'acknowledged', incidentId: id });
    } finally {
      await served.stop();
    }
    const shown = JSON.parse((await spawnCli(['show', id, '--store', store, '--json'], env)).stdout);
    expect(shown.acknowledgedBy).toBe('Anna Jansen (PagerDuty)');
    for (const now of ['2026-11-27T21:21:00Z', '2026-11-27T21:36:00Z', '2026-11-27T22:30:00Z']) {
      const swept = await spawnCli(['sweep', '--store', store, '--now', now, '--json'], env);
      expect(JSON.parse(swept.stdout).filter((s: { kind: string }) => s.kind === 'page')).toEqual([]);
    }
    expect(pd.accepted.map((r) => r.body.event_action)).toEqual(['trigger']);
  }, 60_000);
});
