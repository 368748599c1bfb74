/**
 * The incident's own alert and each exposed interface's alert at the pager keep a state of their
 * own (PagerState `state` and `alerts`): raising, acknowledging, resolving or failing one
 * leaves the others as they are. Before the fix they shared one state:
 * - the pager resolved the incident's alert on its own (nobody took it), so datalek's own levels
 *   were to page again; an interface left open then raised its alert, which set the shared state
 *   back to "triggered": datalek counted the incident's alert as paging at the pager and paged no
 *   level, though no alert of the incident was up there;
 * - a page of an exposed interface the pager refused marked the whole pager failed: acknowledging
 *   the incident in datalek then no longer acknowledged its own alert there (it kept escalating),
 *   and closing resolved nothing there.
 */
import { describe, expect, it } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { exposedAlertKey } from '../../handlers/core/messages.js';
import { pagerFollowUps, recordPagerEvent, recordPagerFailure } from '../../handlers/core/pager.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { exposedPage } from '../support/pager-incident.js';
import { tempSqliteStore } from '../support/store.js';

const POLICY = parsePolicy({
  onCall: { provider: 'pagerduty' },
  containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] },
});
const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();
const ENI = 'eni-0a1b2c3d4e5f60718';

/** A High incident paging through PagerDuty, with an isolation planned for its instance. */
async function opened() {
  const fixture = tempSqliteStore();
  const deps = (m: number) => ({ store: fixture.store, policy: POLICY, now: () => T(m) });
  const event = findingEvent({ id: `alert-state-${Math.random()}`, type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource('i-0a1b2c3d4e5f60718') });
  const id = (await recordEvent({ ...deps(0), canEnforce: false }, event)).incidentId as string;
  /** A containment step left the interface open at minute `m`: its page, as the contain function queues it. */
  const exposedAt = (m: number) =>
    changeIncident(deps(m), id, (draft) => {
      const a = draft.actions[0] as ActionRecord;
      a.steps = [{ name: `isolate-eni:${ENI}`, status: 'failed', at: T(m), code: 'RequestLimitExceeded', exposed: true }];
      a.status = 'failed';
      return {
        entries: [{ at: T(m), kind: 'resource-exposed', detail: { resource: ENI } }],
        messages: (d: Incident) => {
          return [exposedPage(d, POLICY, ENI, T(m))];
        },
      };
    });
  /** PagerDuty resolved the incident's own alert on its own (nobody took it) at minute `m`. */
  const ownAutoResolved = (m: number) =>
    recordPagerEvent(deps(m), {
      provider: 'pagerduty',
      incidentId: id,
      event: 'resolved',
      by: 'PagerDuty',
      person: false,
      occurredAt: T(m),
      eventId: `Q0AUTO${m}`,
    });
  return { ...fixture, id, deps, exposedAt, ownAutoResolved, key: exposedAlertKey(id, ENI) };
}

/**
 * What closing the incident at minute `m` asks of the pager, and the pager state it leaves (closing
 * itself needs an assessment and no interface open: core/fg-workflow.ts; its pager part is this).
 */
function closing(incident: Incident, m: number) {
  const after = structuredClone(incident);
  after.state = 'closed';
  const messages = pagerFollowUps(incident, after, POLICY, T(m));
  return { keys: messages.map((x) => `${x.alert?.action} ${x.alert?.key}`), pager: after.pager };
}

describe('the incident’s alert and an exposed interface’s alert at the pager', () => {
  it('an exposed page leaves the incident’s alert resolved by the pager as it is: datalek’s own levels page again', async () => {
    const { store, id, exposedAt, ownAutoResolved, cleanup } = await opened();
    try {
      await ownAutoResolved(240);
      await exposedAt(241);
      const incident = (await store.getIncident(id)) as Incident;
      expect(incident.pager).toMatchObject({ state: 'resolved', at: T(240) });
      expect(incident.pager?.alerts).toEqual([{ key: exposedAlertKey(id, ENI), state: 'triggered', at: T(241) }]);
      // Nobody took the incident: the next sweep pages, and raises the incident's alert anew.
      const result = await sweep({ store, policy: POLICY, now: () => T(242) });
      expect(result.sent.filter((s) => s.kind === 'page').length).toBeGreaterThan(0);
      const raised = (await store.listMessages(id)).filter((m) => m.kind === 'page' && m.alert?.action === 'trigger' && m.alert.key === id);
      expect(raised.length).toBeGreaterThan(0);
      expect((await store.getIncident(id))?.pager).toMatchObject({ state: 'triggered', triggeredAt: T(242) });
    } finally {
      await cleanup();
    }
  });

  it('acknowledging the incident leaves the exposed alert paging; a person resolving that alert leaves the incident’s alert acknowledged', async () => {
    const { store, id, deps, exposedAt, key, cleanup } = await opened();
    try {
      await acknowledge(deps(5), { incidentId: id, by: 'anna' });
      await exposedAt(10);
      expect((await store.getIncident(id))?.pager).toMatchObject({ state: 'acknowledged', at: T(5) });
      expect(
        await recordPagerEvent(deps(20), {
          provider: 'pagerduty',
          incidentId: id,
          event: 'resolved',
          by: 'Bram',
          alertKey: key,
          occurredAt: T(20),
          eventId: 'Q0BRAM',
        }),
      ).toBe('recorded');
      const pager = (await store.getIncident(id))?.pager;
      expect(pager).toMatchObject({ state: 'acknowledged', at: T(5) });
      expect(pager?.alerts).toEqual([{ key, state: 'resolved', at: T(20) }]);
      // Closing resolves what is still up there: the incident's alert, not the one resolved already.
      expect(closing((await store.getIncident(id)) as Incident, 30).keys).toEqual([`resolve ${id}`]);
    } finally {
      await cleanup();
    }
  });

  it('an exposed page the pager refused marks that alert failed only: acknowledging and closing still reach the incident’s alert', async () => {
    const { store, id, deps, exposedAt, key, cleanup } = await opened();
    try {
      await exposedAt(3);
      await recordPagerFailure(deps(4), id, 'HTTP 400: invalid dedup_key', key);
      const pager = (await store.getIncident(id))?.pager;
      expect(pager).toMatchObject({ state: 'triggered', at: T(0) });
      expect(pager?.alerts).toEqual([{ key, state: 'failed', at: T(4) }]);
      const entry = (await store.getTimeline(id)).find((e) => e.kind === 'pager-failed');
      expect(entry?.detail).toMatchObject({ alert: key });
      // The pager escalates the incident's alert: datalek's levels stay quiet.
      const swept = await sweep({ store, policy: POLICY, now: () => T(20) });
      expect(swept.sent.filter((s) => s.kind === 'page')).toEqual([]);
      await acknowledge(deps(21), { incidentId: id, by: 'anna' });
      expect((await store.listMessages(id)).filter((m) => m.alert?.action === 'acknowledge').map((m) => m.alert?.key)).toEqual([id]);
      expect(closing((await store.getIncident(id)) as Incident, 30).keys).toEqual([`resolve ${id}`]);
    } finally {
      await cleanup();
    }
  });

  it('closing resolves an exposed alert still up there when the pager had resolved the incident’s own', async () => {
    const { store, id, exposedAt, ownAutoResolved, key, cleanup } = await opened();
    try {
      await exposedAt(3);
      await ownAutoResolved(240);
      const closed = closing((await store.getIncident(id)) as Incident, 250);
      expect(closed.keys).toEqual([`resolve ${key}`]);
      expect(closed.pager).toMatchObject({ state: 'resolved', at: T(240) });
      expect(closed.pager?.alerts).toEqual([{ key, state: 'resolved', at: T(250) }]);
    } finally {
      await cleanup();
    }
  });
});
