/**
 * A pager's webhook replayed, late, or about another alert. The signature (PagerDuty) or token
 * (Opsgenie) says who sent a body, not when nor about which page: a body captured once (a proxy
 * log, a misdirected delivery) verifies for ever. What it could do before the fix:
 * - an event about an alert the pager had already resolved, replayed after datalek raised the
 *   incident's alert again, marked the new alert resolved (so acknowledging and closing in
 *   datalek no longer reached the pager) or acknowledged the incident as someone who never saw
 *   the new page;
 * - a key naming an alert datalek never raised (an interface it never paged) acknowledged the
 *   incident; a PagerDuty incident that is not one of datalek's alerts acknowledged whichever
 *   datalek incident its title named;
 * - the same event delivered again wrote its timeline entry again, at the time of the replay.
 * The window on the event's own time is decided here too; the route that applies it (refused,
 * answered 200, recorded nowhere) is driven in test/integration/pager.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import type { OutboxMessage } from '../../handlers/core/incident.js';
import { exposedAlertKey } from '../../handlers/core/messages.js';
import { notePagerTrigger, recordPagerEvent } from '../../handlers/core/pager.js';
import {
  MAX_REMEMBERED_EVENTS,
  parseOpsgenieEvent,
  parsePagerDutyEvent,
  WEBHOOK_WINDOW_MINUTES,
  webhookIdRefusal,
  webhookTimeRefusal,
} from '../../handlers/core/pager-webhooks.js';
import { sweep } from '../../handlers/core/sweep.js';
import { AT, PAGERDUTY, pagerDutyIncident } from '../support/pager-incident.js';

const opened = () => pagerDutyIncident('replay');

/** PagerDuty resolved the alert on its own at `minutes`, and the sweep after it raised a new one. */
async function resolvedThenRaisedAgain(f: Awaited<ReturnType<typeof opened>>, resolvedAt: number, sweptAt: number) {
  expect(
    await recordPagerEvent(f.deps(resolvedAt), {
      provider: 'pagerduty',
      incidentId: f.id,
      event: 'resolved',
      by: 'PagerDuty',
      person: false,
      occurredAt: AT(resolvedAt),
    }),
  ).toBe('recorded');
  await sweep({ store: f.store, policy: PAGERDUTY, now: () => AT(sweptAt) });
  const raised = (await f.store.listMessages(f.id)).filter((m) => m.kind === 'page' && m.alert?.action === 'trigger');
  expect(raised.length).toBeGreaterThan(0);
  expect((await f.store.getIncident(f.id))?.pager?.state).toBe('triggered');
}

describe('a webhook acts on the alert it was about, and only on that one', () => {
  it('the auto-resolve of the alert before, replayed after datalek raised the alert again, leaves the new alert as it is', async () => {
    const f = await opened();
    try {
      await resolvedThenRaisedAgain(f, 20, 30);
      const before = (await f.store.getTimeline(f.id)).length;
      const replay = { provider: 'pagerduty' as const, incidentId: f.id, event: 'resolved' as const, by: 'PagerDuty', person: false, occurredAt: AT(20) };
      expect(await recordPagerEvent(f.deps(35), replay)).toBe('earlier-alert');
      expect((await f.store.getIncident(f.id))?.pager?.state).toBe('triggered');
      expect((await f.store.getTimeline(f.id)).length).toBe(before);
      // So acknowledging in datalek still acknowledges the new alert there.
      await acknowledge(f.deps(40), { incidentId: f.id, by: 'anna' });
      expect((await f.store.listMessages(f.id)).filter((m) => m.alert?.action === 'acknowledge').map((m) => m.alert?.key)).toEqual([f.id]);
    } finally {
      await f.cleanup();
    }
  });

  it('a person’s acknowledgement of the alert before is theirs, but does not acknowledge the page after it: nobody has seen that one', async () => {
    const f = await opened();
    try {
      await resolvedThenRaisedAgain(f, 20, 30);
      // Before the fix refused as `earlier-alert`: the person's acknowledgement was lost to the record
      // (test/unit/pager-lost-ack.test.ts has the whole sequence).
      const late = { provider: 'pagerduty' as const, incidentId: f.id, event: 'acknowledged' as const, by: 'Anna Jansen', occurredAt: AT(10) };
      expect(await recordPagerEvent(f.deps(36), late)).toBe('acknowledged');
      expect(await f.store.getIncident(f.id)).toMatchObject({
        acknowledgedBy: 'Anna Jansen (PagerDuty)',
        acknowledgedAt: AT(10),
        pager: { state: 'triggered' },
      });
      // The new alert's own acknowledgement counts for the alert, recorded with when it happened there.
      const fresh = { provider: 'pagerduty' as const, incidentId: f.id, event: 'acknowledged' as const, by: 'Bob de Vries', occurredAt: AT(31) };
      expect(await recordPagerEvent(f.deps(37), fresh)).toBe('recorded');
      expect((await f.store.getIncident(f.id))?.pager?.state).toBe('acknowledged');
      const entry = (await f.store.getTimeline(f.id)).find((e) => e.kind === 'pager-acknowledged');
      expect([entry?.actor, entry?.detail]).toEqual(['Bob de Vries', { provider: 'pagerduty', occurredAt: AT(31) }]);
    } finally {
      await f.cleanup();
    }
  });

  it('an alert datalek never raised for the incident (an interface it never paged) acknowledges nothing', async () => {
    const f = await opened();
    try {
      const foreign = {
        provider: 'pagerduty' as const,
        incidentId: f.id,
        event: 'acknowledged' as const,
        by: 'Anna Jansen',
        alertKey: exposedAlertKey(f.id, 'eni-never'),
      };
      expect(await recordPagerEvent(f.deps(5), { ...foreign, occurredAt: AT(4) })).toBe('unknown-alert');
      expect((await f.store.getIncident(f.id))?.acknowledgedBy).toBeNull();
      expect((await f.store.getTimeline(f.id)).filter((e) => e.kind.startsWith('pager-'))).toEqual([]);
    } finally {
      await f.cleanup();
    }
  });

  it('the same event delivered again (a replay, or the provider’s at-least-once delivery) is recorded once', async () => {
    const f = await opened();
    try {
      const key = exposedAlertKey(f.id, 'eni-0aaa');
      await changeIncident(f.deps(2), f.id, (draft) => {
        notePagerTrigger(draft, { alert: { action: 'trigger', key } } as OutboxMessage, PAGERDUTY, AT(2));
        return { entries: [{ at: AT(2), kind: 'resource-exposed', detail: { resource: 'eni-0aaa' } }] };
      });
      const event = {
        provider: 'pagerduty' as const,
        incidentId: f.id,
        event: 'resolved' as const,
        by: 'PagerDuty',
        person: false,
        alertKey: key,
        occurredAt: AT(8),
        eventId: '01DF4HQWK9ZTSVF7Q0A4GT4D3R',
      };
      expect(await recordPagerEvent(f.deps(9), event)).toBe('recorded');
      expect(await recordPagerEvent(f.deps(25), event)).toBe('unchanged');
      const entries = (await f.store.getTimeline(f.id)).filter((e) => e.kind === 'pager-resolved');
      expect(entries.map((e) => [e.at, e.detail.alert, e.detail.occurredAt])).toEqual([[AT(9), key, AT(8)]]);
    } finally {
      await f.cleanup();
    }
  });
});

describe('what a webhook says: which alert, which event, and when', () => {
  const id = `dl-${'ab'.repeat(16)}`;
  const pagerDuty = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    event: {
      id: '01DF4HQWK9ZTSVF7Q0A4GT4D3R',
      event_type: 'incident.acknowledged',
      resource_type: 'incident',
      occurred_at: '2026-11-27T21:20:00.169Z',
      agent: { type: 'user_reference', summary: 'Anna Jansen' },
      data: { type: 'incident', ...data },
      ...extra,
    },
  });

  it('PagerDuty: a key that is not one of datalek’s alerts is someone else’s incident, whatever its title names', () => {
    expect(parsePagerDutyEvent(pagerDuty({ incident_key: '8f2c1e0d9b7a4c3e', title: `Follow-up of ${id}` }))).toBeNull();
    // Without a key at all, the id datalek put in the alert's summary (the incident's title) still counts.
    expect(parsePagerDutyEvent(pagerDuty({ title: `[datalek hoog] Beveiligingsincident: Backdoor:EC2/X ${id}` }))?.incidentId).toBe(id);
  });

  it('PagerDuty: when it happened there (event.occurred_at) and which event it is (event.id)', () => {
    expect(parsePagerDutyEvent(pagerDuty({ incident_key: id }))).toEqual({
      incidentId: id,
      event: 'acknowledged',
      by: 'Anna Jansen',
      occurredAt: '2026-11-27T21:20:00.169Z',
      eventId: '01DF4HQWK9ZTSVF7Q0A4GT4D3R',
    });
    // A time that is not an instant is no time: the route refuses the call.
    expect(parsePagerDutyEvent(pagerDuty({ incident_key: id }, { occurred_at: 'yesterday' }))?.occurredAt).toBeUndefined();
  });

  it('Opsgenie: when it happened there (alert.updatedAt: nanoseconds in Opsgenie’s sample, milliseconds accepted) and which event', () => {
    const alias = `dl-${'cd'.repeat(16)}`;
    // As the route reads it: the raw body through JSON.parse (19 digits are more than a double holds exactly).
    const body = (updatedAt: string) =>
      JSON.parse(
        `{"action":"Acknowledge","alert":{"alias":"${alias}","alertId":"052652ac-5d1c-464a-812a-7dd18bbfba8c","username":"anna@example.nl","createdAt":1795899900000,"updatedAt":${updatedAt}},"source":{"name":"","type":"web"}}`,
      );
    const nanoseconds = parseOpsgenieEvent(body('1795900800764002246'));
    expect(nanoseconds).toMatchObject({ incidentId: alias, event: 'acknowledged', occurredAt: '2026-11-28T21:20:00.764Z' });
    expect(nanoseconds?.eventId).toBe('052652ac-5d1c-464a-812a-7dd18bbfba8c:Acknowledge:1795900800764');
    expect(parseOpsgenieEvent(body('1795900800764'))?.occurredAt).toBe('2026-11-28T21:20:00.764Z');
    expect(parseOpsgenieEvent({ action: 'Close', alert: { alias } })?.occurredAt).toBeUndefined();
  });
});

describe('a webhook’s time, by the provider’s clock', () => {
  const now = '2026-11-27T22:00:00.000Z';
  const minutesAgo = (m: number) => new Date(Date.parse(now) - m * 60_000).toISOString();

  it(`within ${WEBHOOK_WINDOW_MINUTES} minutes of the event it is taken: PagerDuty's retries of a recent delivery too`, () => {
    expect(WEBHOOK_WINDOW_MINUTES).toBe(60);
    expect(webhookTimeRefusal(minutesAgo(0), now)).toBeNull();
    expect(webhookTimeRefusal(minutesAgo(20), now)).toBeNull();
    expect(webhookTimeRefusal(minutesAgo(60), now)).toBeNull();
    // A provider's clock a little ahead of ours.
    expect(webhookTimeRefusal(new Date(Date.parse(now) + 60_000).toISOString(), now)).toBeNull();
  });

  it('older than that it is refused, saying how old it is and why', () => {
    expect(webhookTimeRefusal(minutesAgo(61), now)).toBe(
      'stale: the event happened at 2026-11-27T20:59:00.000Z, 61 minutes before it arrived; a webhook is taken up to 60 minutes after its event, so that a captured one cannot be sent again later',
    );
    expect(webhookTimeRefusal(minutesAgo(60 * 24 * 3), now)).toMatch(/^stale: the event happened at 2026-11-24T22:00:00.000Z, 4320 minutes before it arrived;/);
  });

  it('no time, or a time well ahead of ours, is refused too', () => {
    expect(webhookTimeRefusal(undefined, now)).toBe(
      'no time of the event in the webhook (PagerDuty event.occurred_at, Opsgenie alert.updatedAt): its age cannot be told',
    );
    expect(webhookTimeRefusal('2026-11-27T22:10:00.000Z', now)).toBe(
      'the event is dated 2026-11-27T22:10:00.000Z, 10 minutes after it arrived: the provider’s clock or this one is wrong',
    );
  });
});

describe('each event once, for as long as the webhook could take it again', () => {
  /** An exposed interface's alert at the pager, where every event is recorded (none changes the incident's own alert). */
  async function withExposedAlert() {
    const f = await opened();
    const key = exposedAlertKey(f.id, 'eni-0bbb');
    await changeIncident(f.deps(1), f.id, (draft) => {
      notePagerTrigger(draft, { alert: { action: 'trigger', key } } as OutboxMessage, PAGERDUTY, AT(1));
      return { entries: [{ at: AT(1), kind: 'resource-exposed', detail: { resource: 'eni-0bbb' } }] };
    });
    // Taken already: every event about the interface's alert is then recorded as such.
    await acknowledge(f.deps(1), { incidentId: f.id, by: 'anna' });
    const event = (n: number, minutes: number) => ({
      provider: 'pagerduty' as const,
      incidentId: f.id,
      event: n % 2 ? ('resolved' as const) : ('acknowledged' as const),
      by: 'Anna Jansen',
      alertKey: key,
      occurredAt: AT(minutes),
      eventId: `Q0EVENT${n}`,
    });
    return { ...f, event };
  }

  it('a burst of events does not push out an id a replay within the hour could use', async () => {
    const f = await withExposedAlert();
    try {
      // 25 events in ten minutes (before, only the last 20 ids were held).
      for (let n = 0; n < 25; n++) expect(await recordPagerEvent(f.deps(10), f.event(n, 2))).toBe('recorded');
      const recorded = (await f.store.getTimeline(f.id)).length;
      // The first one, replayed 40 minutes after it happened: inside the window, so taken before.
      expect(await recordPagerEvent(f.deps(42), f.event(0, 2))).toBe('unchanged');
      expect((await f.store.getTimeline(f.id)).length).toBe(recorded);
      expect((await f.store.getIncident(f.id))?.pager?.events).toHaveLength(25);
    } finally {
      await f.cleanup();
    }
  });

  it('an id is held with its time there, and let go once a delivery of it would be refused as stale', async () => {
    const f = await withExposedAlert();
    try {
      await recordPagerEvent(f.deps(3), f.event(0, 2));
      expect((await f.store.getIncident(f.id))?.pager?.events).toEqual([{ id: 'Q0EVENT0', at: AT(2) }]);
      // The window (60 minutes) and the clock skew (5) later it is still held …
      await recordPagerEvent(f.deps(67), f.event(1, 66));
      expect((await f.store.getIncident(f.id))?.pager?.events?.map((e) => (typeof e === 'string' ? e : e.id))).toEqual(['Q0EVENT0', 'Q0EVENT1']);
      // … after that only the newer one is: the old one's own time refuses it at the webhook.
      await recordPagerEvent(f.deps(68), f.event(2, 67));
      expect((await f.store.getIncident(f.id))?.pager?.events).toEqual([
        { id: 'Q0EVENT1', at: AT(66) },
        { id: 'Q0EVENT2', at: AT(67) },
      ]);
      expect(webhookTimeRefusal(AT(2), AT(68))).toMatch(/^stale:/);
    } finally {
      await f.cleanup();
    }
  });

  it(`at ${MAX_REMEMBERED_EVENTS} ids within the window a new event is refused, never an id forgotten`, async () => {
    const f = await withExposedAlert();
    try {
      await changeIncident(f.deps(2), f.id, (draft) => {
        if (draft.pager) draft.pager.events = Array.from({ length: MAX_REMEMBERED_EVENTS }, (_, n) => ({ id: `Q0HELD${n}`, at: AT(2) }));
        return { entries: [{ at: AT(2), kind: 'resource-exposed', detail: { resource: 'eni-0bbb' } }] };
      });
      const before = (await f.store.getTimeline(f.id)).length;
      expect(await recordPagerEvent(f.deps(10), f.event(0, 9))).toBe('too-many-events');
      expect((await f.store.getTimeline(f.id)).length).toBe(before);
      // Every held id still refuses its replay.
      expect(await recordPagerEvent(f.deps(10), { ...f.event(0, 9), eventId: 'Q0HELD0' })).toBe('unchanged');
      // Once the held ones are past the window, events are taken again.
      expect(await recordPagerEvent(f.deps(70), f.event(0, 69))).toBe('recorded');
      expect((await f.store.getIncident(f.id))?.pager?.events).toEqual([{ id: 'Q0EVENT0', at: AT(69) }]);
    } finally {
      await f.cleanup();
    }
  });

  it('an id held by a record from before ids had a time still refuses its replay, and is held a window from then', async () => {
    const f = await withExposedAlert();
    try {
      await changeIncident(f.deps(2), f.id, (draft) => {
        if (draft.pager) draft.pager.events = ['Q0LEGACY'];
        return { entries: [{ at: AT(2), kind: 'resource-exposed', detail: { resource: 'eni-0bbb' } }] };
      });
      expect(await recordPagerEvent(f.deps(5), { ...f.event(0, 4), eventId: 'Q0LEGACY' })).toBe('unchanged');
      expect(await recordPagerEvent(f.deps(6), f.event(1, 5))).toBe('recorded');
      expect((await f.store.getIncident(f.id))?.pager?.events).toEqual([
        { id: 'Q0LEGACY', at: AT(6) },
        { id: 'Q0EVENT1', at: AT(5) },
      ]);
    } finally {
      await f.cleanup();
    }
  });
});

describe('a webhook without an id of its event', () => {
  it('is refused, saying why: PagerDuty and Opsgenie always send one, and without it the event could not be taken once', () => {
    expect(webhookIdRefusal({ eventId: 'Q0X' }, 'pagerduty')).toBeNull();
    expect(webhookIdRefusal({}, 'pagerduty')).toBe(
      'no id of the event in the webhook (event.id, which the provider always sends): it could not be taken only once',
    );
    const alias = `dl-${'ef'.repeat(16)}`;
    const withoutAlertId = parseOpsgenieEvent({ action: 'Acknowledge', alert: { alias, username: 'anna@example.nl', updatedAt: 1795900800764 } });
    expect(withoutAlertId).toMatchObject({ incidentId: alias, occurredAt: '2026-11-28T21:20:00.764Z' });
    expect(withoutAlertId?.eventId).toBeUndefined();
    expect(webhookIdRefusal(withoutAlertId ?? {}, 'opsgenie')).toBe(
      'no id of the event in the webhook (alert.alertId, which the provider always sends): it could not be taken only once',
    );
  });
});
