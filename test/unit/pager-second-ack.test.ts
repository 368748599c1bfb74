/**
 * A second acknowledgement, which takes an alert the pager raised after the incident's own
 * acknowledgement (core/acknowledge.ts pageAfterAcknowledgement), as a review of it found it:
 * - it must really send an acknowledge for that alert (a message id per raise: the once-per-
 *   incident id was dropped by both stores as already queued, while the record said "acknowledged
 *   there" and the alert kept paging);
 * - it must not take an own alert already resolved at the pager, when an exposed interface's
 *   page puts the pager state back to `triggered`;
 * - it must not take an alert raised before the acknowledgement; a pager clock ahead does not
 *   date an acknowledgement in the future;
 * - the FG's report says when the pager's acknowledgement happened there, and names the second one;
 * - the bus does not announce a second acknowledger of the incident.
 */
import { describe, expect, it } from 'vitest';
import { acknowledge, pageAfterAcknowledgement } from '../../handlers/core/acknowledge.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { notePagerTrigger, type PagerEvent, recordPagerEvent } from '../../handlers/core/pager.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { reportHtml } from '../../handlers/core/report-html.js';
import { sweep } from '../../handlers/core/sweep.js';
import { formatLocal } from '../../handlers/core/time.js';
import { createAcknowledgeHandler } from '../../handlers/lambda/acknowledge.js';
import { createLogger } from '../../handlers/lambda/runtime.js';
import { findingEvent } from '../support/events.js';
import { AT, PAGERDUTY, pagerDutyIncident } from '../support/pager-incident.js';

const ev = (id: string, over: Partial<PagerEvent>): PagerEvent => ({ provider: 'pagerduty', incidentId: id, event: 'acknowledged', by: 'x', ...over });
/** Containment leaves an interface open and pages it, as contain.ts does: its own alert at the pager. */
async function pageExposedInterface(f: Awaited<ReturnType<typeof pagerDutyIncident>>, minute: number): Promise<void> {
  await changeIncident(f.deps(minute), f.id, () => ({
    entries: [{ at: AT(minute), kind: 'resource-exposed', detail: {} }],
    messages: (draft) => {
      const now = AT(minute);
      const page = composeMessage({
        incident: draft,
        channel: 'on-call',
        kind: 'interface-exposed',
        stateKey: 'exposed:x:1',
        now,
        policy: PAGERDUTY,
        exposed: 'eni-1',
      });
      notePagerTrigger(draft, page, PAGERDUTY, now);
      return [page];
    },
  }));
}

const must = <T>(value: T | null | undefined): T => {
  if (value === null || value === undefined) throw new Error('expected a value');
  return value;
};
const CAROL = 'arn:aws:sts::123456789012:assumed-role/datalek-on-call/carol';

describe('a second acknowledgement sends the acknowledge to the pager', () => {
  it('queues an acknowledge for every alert it records as acknowledged there', async () => {
    const f = await pagerDutyIncident('dup');
    try {
      await recordPagerEvent(f.deps(20), ev(f.id, { event: 'resolved', by: 'PagerDuty', person: false, occurredAt: AT(20), eventId: 'AUTO20' }));
      await sweep({ store: f.store, policy: PAGERDUTY, now: () => AT(30) });
      await recordPagerEvent(f.deps(36), ev(f.id, { by: 'Anna Jansen', occurredAt: AT(10), eventId: 'ANNA10' }));
      // Bob takes B in datalek: acknowledge message queued.
      expect((await acknowledge(f.deps(40), { incidentId: f.id, by: 'bob' })).alertAcknowledged).toBe(true);
      // B is auto-resolved at PagerDuty; a Critical finding on the same instance raises C (severity-raised).
      await recordPagerEvent(f.deps(50), ev(f.id, { event: 'resolved', by: 'PagerDuty', person: false, occurredAt: AT(50), eventId: 'AUTO50' }));
      const r = await recordEvent(
        { store: f.store, policy: PAGERDUTY, now: () => AT(60), canEnforce: false },
        findingEvent({ id: `dup-crit-${Math.random()}`, severity: 9.5 }),
      );
      expect(r.incidentId).toBe(f.id);
      const inc = await f.store.getIncident(f.id);
      expect(inc?.pager).toMatchObject({ state: 'triggered', triggeredAt: AT(60) });
      expect(pageAfterAcknowledgement(must(inc))).toBe(true);
      const carol = await acknowledge(f.deps(65), { incidentId: f.id, by: 'carol' });
      expect(carol.alertAcknowledged).toBe(true);
      expect((await f.store.getIncident(f.id))?.pager?.state).toBe('acknowledged');
      // ...so an acknowledge for C must be in the outbox, created at 65, naming carol.
      const acks = (await f.store.listMessages(f.id)).filter((m) => m.alert?.action === 'acknowledge');
      expect(acks.map((m) => [m.createdAt, m.body])).toContainEqual([AT(65), expect.stringContaining('carol')]);
    } finally {
      await f.cleanup();
    }
  });

  it('acknowledged in datalek, the alert resolved there, a severity rise raises a new one: `datalek ack` takes it and sends the acknowledge', async () => {
    const f = await pagerDutyIncident('dup-plain');
    try {
      // Anna acknowledges in datalek at 5: the alert is acknowledged at PagerDuty (message pager:acknowledge:<id>).
      await acknowledge(f.deps(5), { incidentId: f.id, by: 'anna' });
      // Anna resolves it at PagerDuty at 20 (a person: recorded, nothing else).
      expect(await recordPagerEvent(f.deps(21), ev(f.id, { event: 'resolved', by: 'Anna Jansen', occurredAt: AT(20), eventId: 'ANNA20' }))).toBe('recorded');
      // A Critical finding on the same instance at 30: severity-raised pages on-call, a new alert there.
      await recordEvent(
        { store: f.store, policy: PAGERDUTY, now: () => AT(30), canEnforce: false },
        findingEvent({ id: `dup-plain-crit-${Math.random()}`, severity: 9.5 }),
      );
      expect((await f.store.getIncident(f.id))?.pager).toMatchObject({ state: 'triggered', triggeredAt: AT(30) });
      const bob = await acknowledge(f.deps(35), { incidentId: f.id, by: 'bob' });
      expect(bob.alertAcknowledged).toBe(true); // "acknowledged now, as you ... and stops there"
      const acks = (await f.store.listMessages(f.id)).filter((m) => m.alert?.action === 'acknowledge');
      expect(acks.map((m) => [m.createdAt, m.body])).toContainEqual([AT(35), expect.stringContaining('bob')]);
    } finally {
      await f.cleanup();
    }
  });
});

describe("an exposed interface's page does not reopen an own alert already resolved", () => {
  it('does not let a later ack claim the alert Bob took and resolved', async () => {
    const f = await pagerDutyIncident('flip');
    try {
      // A raised at 0; Anna acks at 10 (delivery lost); auto-resolved at 20; B raised at 30.
      await recordPagerEvent(f.deps(20), ev(f.id, { event: 'resolved', by: 'PagerDuty', person: false, occurredAt: AT(20), eventId: 'AUTO20' }));
      await sweep({ store: f.store, policy: PAGERDUTY, now: () => AT(30) });
      expect(await recordPagerEvent(f.deps(36), ev(f.id, { by: 'Anna Jansen', occurredAt: AT(10), eventId: 'ANNA10' }))).toBe('acknowledged');
      // Bob takes B at PagerDuty and resolves it there.
      expect(await recordPagerEvent(f.deps(39), ev(f.id, { by: 'Bob de Vries', occurredAt: AT(38), eventId: 'BOB38' }))).toBe('recorded');
      expect(await recordPagerEvent(f.deps(46), ev(f.id, { event: 'resolved', by: 'Bob de Vries', occurredAt: AT(45), eventId: 'BOB45' }))).toBe('recorded');
      expect((await f.store.getIncident(f.id))?.pager?.state).toBe('resolved');
      // Containment leaves an interface open: its own alert is paged (as contain.ts does).
      await pageExposedInterface(f, 50);
      const incident = await f.store.getIncident(f.id);
      // The own alert (B) is resolved at PagerDuty; nothing of it pages. (pager.state reads
      // "triggered" again: notePagerTrigger reopens it for the exposed key, which close needs.)
      expect(pageAfterAcknowledgement(must(incident))).toBe(false);
      const carol = await acknowledge(f.deps(55), { incidentId: f.id, by: 'carol' });
      expect(carol.changed).toBe(false);
      expect((await f.store.getTimeline(f.id)).filter((e) => e.kind === 'alert-acknowledged')).toEqual([]);
    } finally {
      await f.cleanup();
    }
  });
});

describe('what a second acknowledgement may not take', () => {
  it('an alert raised before the acknowledgement is not taken by a second one', async () => {
    const f = await pagerDutyIncident('guard');
    try {
      await recordPagerEvent(f.deps(20), ev(f.id, { event: 'resolved', by: 'PagerDuty', person: false, occurredAt: AT(20), eventId: 'AUTO20' }));
      await acknowledge(f.deps(25), { incidentId: f.id, by: 'anna' });
      // An exposed interface pages (contain.ts): its alert has a state of its own; the incident's stays resolved, raised at AT(0).
      await pageExposedInterface(f, 30);
      const incident = await f.store.getIncident(f.id);
      expect(incident?.pager).toMatchObject({ state: 'resolved', triggeredAt: AT(0) });
      expect(pageAfterAcknowledgement(must(incident))).toBe(false);
      expect((await acknowledge(f.deps(35), { incidentId: f.id, by: 'bob' })).changed).toBe(false);
    } finally {
      await f.cleanup();
    }
  });

  it('a pager clock ahead of ours does not date the acknowledgement in the future', async () => {
    const f = await pagerDutyIncident('clamp');
    try {
      expect(await recordPagerEvent(f.deps(10), ev(f.id, { by: 'Anna Jansen', occurredAt: AT(13), eventId: 'AHEAD' }))).toBe('acknowledged');
      expect((await f.store.getIncident(f.id))?.acknowledgedAt).toBe(AT(10));
    } finally {
      await f.cleanup();
    }
  });
});

describe('the report of a late acknowledgement', () => {
  it('says when it happened at the pager, beside the row that records it', async () => {
    const f = await pagerDutyIncident('report');
    try {
      await recordPagerEvent(f.deps(20), ev(f.id, { event: 'resolved', by: 'PagerDuty', person: false, occurredAt: AT(20), eventId: 'AUTO20' }));
      await sweep({ store: f.store, policy: PAGERDUTY, now: () => AT(30) });
      await recordPagerEvent(f.deps(36), ev(f.id, { by: 'Anna Jansen', occurredAt: AT(10), eventId: 'ANNA10' }));
      await acknowledge(f.deps(40), { incidentId: f.id, by: 'bob' });
      const incident = must(await f.store.getIncident(f.id));
      const html = reportHtml(incident, await f.store.getTimeline(f.id), PAGERDUTY, AT(45));
      const rows = html.split('\n').filter((l) => l.startsWith('<tr><td>'));
      const ackRow = rows.find((r) => r.includes('Anna Jansen'));
      expect(rows.some((r) => r.includes('alert-acknowledged'))).toBe(false);
      expect(ackRow).toContain(formatLocal(AT(10), PAGERDUTY.timeZone));
    } finally {
      await f.cleanup();
    }
  });
});

describe('the bus after a second acknowledgement', () => {
  it('does not announce a second acknowledger of the incident', async () => {
    const f = await pagerDutyIncident('bus');
    try {
      await recordPagerEvent(f.deps(20), ev(f.id, { event: 'resolved', by: 'PagerDuty', person: false, occurredAt: AT(20), eventId: 'AUTO20' }));
      await sweep({ store: f.store, policy: PAGERDUTY, now: () => AT(30) });
      await recordPagerEvent(f.deps(36), ev(f.id, { by: 'Anna Jansen', occurredAt: AT(10), eventId: 'ANNA10' }));
      const published: unknown[] = [];
      const handler = createAcknowledgeHandler({
        store: f.store,
        notifier: { deliver: async () => {} },
        publisher: { publish: async (events: unknown[]) => void published.push(...events) },
        policy: PAGERDUTY,
        logger: createLogger(),
        now: () => AT(40),
        allowedPrincipals: ['arn:aws:sts::123456789012:assumed-role/datalek-on-call/*'],
      } as never);
      await handler({
        requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: CAROL } } },
        body: JSON.stringify({ incidentId: f.id }),
      });
      expect(published).not.toContainEqual(expect.objectContaining({ type: 'Incident Acknowledged', detail: { acknowledgedBy: CAROL } }));
      // Still announced, so that notify sends the acknowledge to the pager, as the alert's.
      expect(published).toContainEqual(expect.objectContaining({ type: 'Incident Acknowledged', detail: { alertAcknowledgedBy: CAROL } }));
    } finally {
      await f.cleanup();
    }
  });
});
