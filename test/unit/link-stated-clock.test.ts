/**
 * review5 A1: `datalek serve --now <past>` on a real store served a page's signed link and the
 * pager's webhooks on the stated clock alone: a link that had expired by the machine's clock was
 * taken, a webhook days old was not stale, and the acknowledgement was recorded at the stated time
 * without the `clock-stated` mark every other person's change gets (core/change-incident.ts). The
 * routes now judge a link's expiry and a webhook's age by the later of the two clocks, and what
 * they record says when the machine recorded it. A drill copy (no machine clock given) keeps any
 * `--now`.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { signAckLink } from '../../handlers/core/ack-link.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { createLinkApp } from '../../handlers/web/links.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const KEY = Buffer.alloc(32, 9);
const SECRET = 'webhook-secret';
const ORIGIN = 'http://127.0.0.1:8733';
const OPENED = '2026-11-27T21:05:00.000Z';
/** The `--now` the serve was started with, and the machine's clock two days later. */
const STATED = '2026-11-27T21:25:00.000Z';
const MACHINE = '2026-11-29T15:00:00.000Z';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

/** An incident opened at OPENED, and the link routes on its store at STATED (`machine`: the machine's clock, absent on a drill copy). */
async function served(machine: string | undefined, policy: Policy = DEFAULT_POLICY) {
  const { store, cleanup } = tempSqliteStore();
  cleanups.push(cleanup);
  const r = await recordEvent({ store, policy, now: () => OPENED, canEnforce: false }, findingEvent({ id: 'a1', severity: 8.5 }));
  const id = r.incidentId as string;
  const app = createLinkApp({
    store,
    policy,
    now: () => STATED,
    ...(machine ? { machineNow: () => machine } : {}),
    linkKey: async () => KEY,
    webhookSecret: async () => SECRET,
    target: 'local',
    live: false,
  });
  const press = (expiresAt: string) =>
    app.request(`${ORIGIN}/ack/${signAckLink(KEY, { incidentId: id, level: 'secondary', round: 0, expiresAt })}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
      body: 'by=Anna',
    });
  const incident = async () => (await store.getIncident(id)) as Incident;
  const timeline = async () => store.getTimeline(id);
  return { id, app, press, incident, timeline };
}

describe('a page’s link on a serve whose --now lies behind the machine’s clock', () => {
  it('is refused once expired by the machine’s clock, though not by the stated one, and nothing is recorded', async () => {
    const w = await served(MACHINE);
    const reply = await w.press('2026-11-27T22:21:00.000Z');
    expect(reply.status).toBe(410);
    expect(await reply.text()).toContain('Deze link is verlopen');
    expect((await w.incident()).acknowledgedAt).toBeNull();
    expect((await w.timeline()).map((e) => e.kind)).not.toContain('acknowledged');
  });

  it('still valid by the machine’s clock, acknowledges with the clock-stated mark naming when the machine recorded it', async () => {
    const w = await served(MACHINE);
    const reply = await w.press('2026-11-29T16:00:00.000Z');
    expect(reply.status).toBe(200);
    const incident = await w.incident();
    expect(incident.acknowledgedAt).toBe(STATED);
    expect(incident.statedClock).toEqual([{ at: STATED, enteredAt: MACHINE, by: expect.stringContaining('Anna'), entries: ['acknowledged'] }]);
    const kinds = (await w.timeline()).map((e) => e.kind);
    expect(kinds.slice(-2)).toEqual(['clock-stated', 'acknowledged']);
  });

  it('on a drill copy (no machine clock) goes by the stated clock, unmarked, as before', async () => {
    const w = await served(undefined);
    expect((await w.press('2026-11-27T22:21:00.000Z')).status).toBe(200);
    const incident = await w.incident();
    expect(incident.acknowledgedAt).toBe(STATED);
    expect(incident.statedClock).toBeUndefined();
  });
});

describe('a pager’s webhook on a serve whose --now lies behind the machine’s clock', () => {
  const PAGERDUTY = parsePolicy({ onCall: { provider: 'pagerduty' } });
  const hook = (app: Awaited<ReturnType<typeof served>>['app'], id: string, occurredAt: string, eventId: string) => {
    const body = JSON.stringify({
      event: {
        id: eventId,
        event_type: 'incident.acknowledged',
        resource_type: 'incident',
        occurred_at: occurredAt,
        agent: { type: 'user_reference', summary: 'Anna Jansen' },
        data: { incident_key: id },
      },
    });
    const signature = `v1=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    return app.request(`${ORIGIN}/hooks/pagerduty`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-pagerduty-signature': signature },
      body,
    });
  };

  it('refuses an event as old by the machine’s clock, and records one of the present with the clock-stated mark', async () => {
    const w = await served(MACHINE, PAGERDUTY);
    // Dated near the stated --now: two days old by the machine's clock.
    const stale = await (await hook(w.app, w.id, '2026-11-27T21:24:00Z', 'Q0OLD')).json();
    expect(stale).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^stale/) });
    expect((await w.incident()).acknowledgedAt).toBeNull();

    const taken = await (await hook(w.app, w.id, '2026-11-29T14:59:30Z', 'Q0NOW')).json();
    expect(taken).toEqual({ outcome: 'acknowledged', incidentId: w.id });
    const incident = await w.incident();
    expect(incident.acknowledgedBy).toBe('Anna Jansen (PagerDuty)');
    expect(incident.statedClock).toEqual([expect.objectContaining({ at: STATED, enteredAt: MACHINE })]);
  });
});
