import { expect } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { type ChangeDeps, changeIncident } from '../../handlers/core/change-incident.js';
import type { ActionRecord, Incident, OutboxMessage } from '../../handlers/core/incident.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { notePagerTrigger, type PagerEvent, recordPagerEvent } from '../../handlers/core/pager.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent, instanceResource } from './events.js';
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

/** A policy that pages on-call on the SNS topic and isolates instances of Backdoor findings. */
export const ISOLATE_ON_SNS = parsePolicy({
  language: 'en',
  onCall: { provider: 'sns' },
  containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] },
});

/** `minutes` after the start of exposedFleet's incidents. */
export const FLEET_AT = (minutes: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + minutes * 60_000).toISOString();

/**
 * `n` incidents of isolate-instance findings on `store`, each acknowledged at minute 5 and with an
 * interface left open at minute 10 (FLEET_AT), no sweep run since: their ids.
 */
export async function exposedFleet(store: IncidentStore, n: number, prefix: string) {
  const deps = (m: number) => ({ store, policy: ISOLATE_ON_SNS, now: () => FLEET_AT(m) });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const event = findingEvent({ id: `${prefix}-${i}`, type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource(`i-0c1d2e3f40516273${i}`) });
    const id = (await recordEvent({ ...deps(0), canEnforce: false }, event)).incidentId as string;
    await acknowledge(deps(5), { incidentId: id, by: 'anna' });
    await leaveOpen(deps(10), id, `eni-0c1d2e3f40516273${i}`);
    ids.push(id);
  }
  return ids;
}
