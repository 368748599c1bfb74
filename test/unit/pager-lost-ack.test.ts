/**
 * A person's acknowledgement at the pager, delivered after datalek raised the alert again. The
 * sequence: Anna acknowledges at PagerDuty; the webhook's delivery to datalek fails; PagerDuty
 * resolves the alert on its own; nobody being on it as far as datalek knows, the sweep raises the
 * alert again; PagerDuty then retries Anna's acknowledgement, dated before the new alert. Before
 * the fix it was refused as `earlier-alert` and only logged: the record did not say that Anna had
 * taken the incident, nor when. Now it is recorded as hers, at her time there, and leaves the new
 * alert paging until whoever is paged takes it (there, or in datalek). A replay of an old capture
 * still acts once, and only about an alert datalek raised for the incident.
 */
import { describe, expect, it } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { type PagerEvent, recordPagerEvent } from '../../handlers/core/pager.js';
import { earlierWith, MAX_EARLIER_ALERTS } from '../../handlers/core/pager-webhooks.js';
import { sweep } from '../../handlers/core/sweep.js';
import { AT, annas, lostAcknowledgement, PAGERDUTY, pagerDutyIncident } from '../support/pager-incident.js';

const pagerActions = async (f: Awaited<ReturnType<typeof pagerDutyIncident>>) =>
  (await f.store.listMessages(f.id)).filter((m) => m.alert && m.alert.action !== 'trigger').map((m) => [m.alert?.action, m.alert?.key, m.body]);

describe('a person’s acknowledgement of the alert before, delivered after datalek raised it again', () => {
  it('is recorded as that person’s, at the time they acknowledged there, and leaves the new alert paging', async () => {
    const f = await lostAcknowledgement();
    try {
      expect(await recordPagerEvent(f.deps(36), annas(f.id))).toBe('acknowledged');
      const incident = await f.store.getIncident(f.id);
      expect(incident).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Anna Jansen (PagerDuty)', acknowledgedAt: AT(10) });
      // The new alert: nobody has seen it. Its state here stays, and nothing goes to PagerDuty.
      expect(incident?.pager).toMatchObject({ state: 'triggered', triggeredAt: AT(30) });
      expect(await pagerActions(f)).toEqual([]);
      const entry = (await f.store.getTimeline(f.id)).filter((e) => e.kind === 'acknowledged');
      expect(entry.map((e) => [e.at, e.actor, e.detail])).toEqual([
        [AT(36), 'Anna Jansen (PagerDuty)', { via: 'pagerduty', event: 'acknowledged', alert: 'earlier', raisedAt: AT(0), occurredAt: AT(10) }],
      ]);
      // Anna took it: datalek's own levels page no more, whatever happens to the pager's alert.
      for (const minutes of [45, 60, 90, 150]) {
        const swept = await sweep({ store: f.store, policy: PAGERDUTY, now: () => AT(minutes) });
        expect(swept.sent.filter((s) => s.kind === 'page')).toEqual([]);
      }
    } finally {
      await f.cleanup();
    }
  });

  it('whoever the new alert pages takes it in datalek (the page’s link, the web page, `datalek ack`): acknowledged there as them, once', async () => {
    const f = await lostAcknowledgement();
    try {
      await recordPagerEvent(f.deps(36), annas(f.id));
      const bob = await acknowledge(f.deps(40), { incidentId: f.id, by: 'bob' });
      expect(bob).toMatchObject({ changed: true, alertAcknowledged: true, incident: { acknowledgedBy: 'Anna Jansen (PagerDuty)', acknowledgedAt: AT(10) } });
      expect(await pagerActions(f)).toEqual([['acknowledge', f.id, 'Opgepakt in datalek door bob.']]);
      expect((await f.store.getIncident(f.id))?.pager).toMatchObject({ state: 'acknowledged', at: AT(40) });
      const taken = (await f.store.getTimeline(f.id)).filter((e) => e.kind === 'alert-acknowledged');
      expect(taken.map((e) => [e.at, e.actor, e.detail])).toEqual([[AT(40), 'bob', { provider: 'pagerduty', raisedAt: AT(30) }]]);
      // A third changes nothing and says who was first.
      const carol = await acknowledge(f.deps(41), { incidentId: f.id, by: 'carol' });
      expect(carol.changed).toBe(false);
      expect(carol.alertAcknowledged).toBeUndefined();
      expect(await pagerActions(f)).toHaveLength(1);
    } finally {
      await f.cleanup();
    }
  });

  it('or takes it at PagerDuty: recorded as the new alert’s acknowledgement, the incident’s stays Anna’s', async () => {
    const f = await lostAcknowledgement();
    try {
      await recordPagerEvent(f.deps(36), annas(f.id));
      const bobs = {
        provider: 'pagerduty' as const,
        incidentId: f.id,
        event: 'acknowledged' as const,
        by: 'Bob de Vries',
        occurredAt: AT(38),
        eventId: 'Q0BOB38',
      };
      expect(await recordPagerEvent(f.deps(39), bobs)).toBe('recorded');
      expect(await f.store.getIncident(f.id)).toMatchObject({ acknowledgedBy: 'Anna Jansen (PagerDuty)', pager: { state: 'acknowledged' } });
      expect((await acknowledge(f.deps(40), { incidentId: f.id, by: 'carol' })).changed).toBe(false);
      expect(await pagerActions(f)).toEqual([]);
    } finally {
      await f.cleanup();
    }
  });

  it('arriving after the new alert was taken, it is recorded beside that acknowledgement and changes neither', async () => {
    const f = await lostAcknowledgement();
    try {
      const bobs = {
        provider: 'pagerduty' as const,
        incidentId: f.id,
        event: 'acknowledged' as const,
        by: 'Bob de Vries',
        occurredAt: AT(32),
        eventId: 'Q0BOB32',
      };
      expect(await recordPagerEvent(f.deps(33), bobs)).toBe('acknowledged');
      expect(await recordPagerEvent(f.deps(36), annas(f.id))).toBe('recorded');
      expect(await f.store.getIncident(f.id)).toMatchObject({
        acknowledgedBy: 'Bob de Vries (PagerDuty)',
        acknowledgedAt: AT(32),
        pager: { state: 'acknowledged' },
      });
      const anna = (await f.store.getTimeline(f.id)).filter((e) => e.actor === 'Anna Jansen');
      expect(anna.map((e) => [e.kind, e.at, e.detail])).toEqual([
        ['pager-acknowledged', AT(36), { provider: 'pagerduty', alert: 'earlier', raisedAt: AT(0), occurredAt: AT(10) }],
      ]);
    } finally {
      await f.cleanup();
    }
  });

  it('a replay acts once, and only about an alert datalek raised: not the auto-resolve, not a time no alert of the incident was open', async () => {
    const f = await lostAcknowledgement();
    try {
      expect(await recordPagerEvent(f.deps(36), annas(f.id))).toBe('acknowledged');
      const before = (await f.store.getTimeline(f.id)).length;
      // The same delivery again, within the hour.
      expect(await recordPagerEvent(f.deps(50), annas(f.id))).toBe('unchanged');
      expect((await f.store.getTimeline(f.id)).length).toBe(before);
    } finally {
      await f.cleanup();
    }
    const g = await lostAcknowledgement();
    try {
      const other = (minutes: number, eventId: string, extra: Partial<PagerEvent> = {}): PagerEvent => ({
        ...annas(g.id),
        occurredAt: AT(minutes),
        eventId,
        ...extra,
      });
      // Between the auto-resolve (20) and the new alert (30) no alert of the incident was open there.
      expect(await recordPagerEvent(g.deps(36), other(25, 'Q0GAP'))).toBe('earlier-alert');
      // Before datalek raised any alert for it.
      expect(await recordPagerEvent(g.deps(36), other(-1, 'Q0BEFORE'))).toBe('earlier-alert');
      // No person: the auto-resolve, or the provider's own acknowledgement of the alert before.
      expect(await recordPagerEvent(g.deps(36), other(10, 'Q0SYS', { by: 'PagerDuty', person: false }))).toBe('earlier-alert');
      expect(await g.store.getIncident(g.id)).toMatchObject({ acknowledgedBy: null, pager: { state: 'triggered' } });
    } finally {
      await g.cleanup();
    }
  });

  it('an alert resolved there is held as an earlier one while a webhook about it can be taken, and at most a bounded number', async () => {
    const f = await pagerDutyIncident('lost-ack-held');
    try {
      await recordPagerEvent(f.deps(20), { provider: 'pagerduty', incidentId: f.id, event: 'resolved', by: 'PagerDuty', person: false, occurredAt: AT(20) });
      expect((await f.store.getIncident(f.id))?.pager?.earlier).toEqual([{ raisedAt: AT(0), resolvedAt: AT(20) }]);
      // Raised again at 30, resolved again two hours later: the first is no longer held (an event
      // about it happened before minute 20, and is refused as stale by then).
      await sweep({ store: f.store, policy: PAGERDUTY, now: () => AT(30) });
      await recordPagerEvent(f.deps(150), { provider: 'pagerduty', incidentId: f.id, event: 'resolved', by: 'PagerDuty', person: false, occurredAt: AT(150) });
      expect((await f.store.getIncident(f.id))?.pager?.earlier).toEqual([{ raisedAt: AT(30), resolvedAt: AT(150) }]);
      // However many in the hour, the incident holds at most MAX_EARLIER_ALERTS.
      let held = (await f.store.getIncident(f.id))?.pager;
      for (let i = 0; i < MAX_EARLIER_ALERTS + 5 && held; i++) held = { ...held, earlier: earlierWith(held, AT(151 + i), AT(151 + i), AT(180)) };
      expect(held?.earlier).toHaveLength(MAX_EARLIER_ALERTS);
      expect(held?.earlier?.at(-1)).toEqual({ raisedAt: AT(151 + MAX_EARLIER_ALERTS + 4), resolvedAt: AT(151 + MAX_EARLIER_ALERTS + 4) });
    } finally {
      await f.cleanup();
    }
  });
});
