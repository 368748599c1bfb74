import { expect } from 'vitest';
import { type ChangeDeps, changeIncident } from '../../handlers/core/change-incident.js';
import type { ActionRecord, Incident, OutboxMessage } from '../../handlers/core/incident.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { notePagerTrigger, type PagerEvent, recordPagerEvent } from '../../handlers/core/pager.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import { findingEvent } from './events.js';
import { tempSqliteStore } from './store.js';

/** A policy that pages through PagerDuty. */
export const PAGERDUTY = parsePolicy({ onCall: { provider: 'pagerduty' } });

/** `minutes` after the incident below was opened. */
export const AT = (minutes: number) => new Date(Date.parse('2026-11-27T21:05:00.000Z') + minutes * 60_000).toISOString();

/** A High incident opened at AT(0) on a fresh store that pages through PagerDuty; `deps(m)` acts at AT(m). */
export async function pagerDutyIncident(prefix: string) {
  const fixture = tempSqliteStore();
  const r = await recordEvent(
    { store: fixture.store, policy: PAGERDUTY, now: () => AT(0), canEnforce: false },
    findingEvent({ id: `${prefix}-${Math.random()}`, severity: 8.5 }),
  );
  return { ...fixture, id: r.incidentId as string, deps: (minutes: number) => ({ store: fixture.store, policy: PAGERDUTY, now: () => AT(minutes) }) };
}

/** Anna's acknowledgement at minute 10, as PagerDuty delivers it (every delivery the same event). */
export const annas = (id: string): PagerEvent => ({
  provider: 'pagerduty',
  incidentId: id,
  event: 'acknowledged',
  by: 'Anna Jansen',
  occurredAt: AT(10),
  eventId: 'Q0ANNA10ACK',
});

/** The alert raised at minute 0, Anna's acknowledgement (minute 10) lost, auto-resolved at 20, raised again by the sweep at 30. */
export async function lostAcknowledgement() {
  const f = await pagerDutyIncident('lost-ack');
  expect(
    await recordPagerEvent(f.deps(20), {
      provider: 'pagerduty',
      incidentId: f.id,
      event: 'resolved',
      by: 'PagerDuty',
      person: false,
      occurredAt: AT(20),
      eventId: 'Q0AUTO20RES',
    }),
  ).toBe('recorded');
  await sweep({ store: f.store, policy: PAGERDUTY, now: () => AT(30) });
  expect((await f.store.getIncident(f.id))?.pager).toMatchObject({ state: 'triggered', triggeredAt: AT(30) });
  return f;
}

/** The page the contain function queues when a step left interface `eni` open at `now`, noted at the pager as it notes it. */
export function exposedPage(incident: Incident, policy: Policy, eni: string, now: string): OutboxMessage {
  const page = composeMessage({ incident, channel: 'on-call', kind: 'interface-exposed', stateKey: `exposed:${eni}:${now}`, now, policy, exposed: eni });
  notePagerTrigger(incident, page, policy, now);
  return page;
}

/** The isolation's step leaves interface `eni` open at `now` (its action failed), and its page is queued, as the contain function does. */
export function leaveOpen(deps: ChangeDeps, incidentId: string, eni: string) {
  const now = deps.now();
  return changeIncident(deps, incidentId, (draft) => {
    const a = draft.actions[0] as ActionRecord;
    a.steps = [{ name: `isolate-eni:${eni}`, status: 'failed', at: now, code: 'RequestLimitExceeded', exposed: true }];
    a.status = 'failed';
    return {
      entries: [{ at: now, kind: 'resource-exposed', detail: { resource: eni } }],
      messages: (d: Incident) => [exposedPage(d, deps.policy, eni, now)],
    };
  });
}
