/**
 * The pager's way back, when nobody there did anything:
 * - PagerDuty resolves an alert on its own (a service's auto-resolve timeout; the webhook's agent is
 *   the service, not a user). Before the fix datalek recorded the incident as acknowledged by
 *   "PagerDuty (PagerDuty)" and, the alert counting as the pager's, paged no level of its own: an
 *   incident nobody took, shown as taken, with nobody paged anywhere.
 * - The alert of an exposed network interface (its own key) is resolved there. Before the fix that
 *   marked the incident's own alert resolved: acknowledging or closing in datalek then sent nothing
 *   to PagerDuty, whose incident alert kept escalating for ever.
 */
import { describe, expect, it } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { exposedAlertKey } from '../../handlers/core/messages.js';
import { recordPagerEvent } from '../../handlers/core/pager.js';
import { parsePagerDutyEvent } from '../../handlers/core/pager-webhooks.js';
import { sweep } from '../../handlers/core/sweep.js';
import { AT, PAGERDUTY, pagerDutyIncident } from '../support/pager-incident.js';

const opened = () => pagerDutyIncident('auto');

const webhook = (type: string, key: string, agent: Record<string, unknown> | null) =>
  parsePagerDutyEvent({ event: { event_type: type, resource_type: 'incident', agent, data: { type: 'incident', incident_key: key } } });

describe('PagerDuty resolving an alert on its own', () => {
  it('acknowledges nobody, and datalek’s own escalation pages again', async () => {
    const { store, id, deps, cleanup } = await opened();
    try {
      const event = webhook('incident.resolved', id, { type: 'service_reference', summary: 'datalek (auto-resolve)' });
      expect(event).not.toBeNull();
      await recordPagerEvent(deps(240), { provider: 'pagerduty', ...(event as NonNullable<typeof event>) });
      const incident = await store.getIncident(id);
      expect(incident?.acknowledgedBy ?? null).toBeNull();
      expect(incident?.state).toBe('open');
      // Recorded as what it was: the alert resolved there, by nobody in particular.
      const entry = (await store.getTimeline(id)).find((e) => e.kind === 'pager-resolved');
      expect(entry).toBeDefined();
      // Nobody took it: the next sweep pages, and asks the pager for a new alert.
      const result = await sweep({ store, policy: PAGERDUTY, now: () => AT(241) });
      expect(result.sent.filter((s) => s.kind === 'page').length).toBeGreaterThan(0);
      const triggers = (await store.listMessages(id)).filter((m) => m.kind === 'page' && m.alert?.action === 'trigger');
      expect(triggers.length).toBeGreaterThan(0);
    } finally {
      await cleanup();
    }
  });

  it('a person resolving it there still counts as taking it', async () => {
    const { store, id, deps, cleanup } = await opened();
    try {
      const event = webhook('incident.resolved', id, { type: 'user_reference', summary: 'Anna Jansen' });
      expect(await recordPagerEvent(deps(5), { provider: 'pagerduty', ...(event as NonNullable<typeof event>) })).toBe('acknowledged');
      expect((await store.getIncident(id))?.acknowledgedBy).toBe('Anna Jansen (PagerDuty)');
    } finally {
      await cleanup();
    }
  });
});

describe('the alert of an exposed interface resolved there', () => {
  it('leaves the incident’s own alert as it is: acknowledging in datalek still acknowledges it there', async () => {
    const { store, id, deps, cleanup } = await opened();
    try {
      const event = webhook('incident.resolved', exposedAlertKey(id, 'eni-0aaa'), { type: 'service_reference' });
      await recordPagerEvent(deps(5), { provider: 'pagerduty', ...(event as NonNullable<typeof event>) });
      expect((await store.getIncident(id))?.pager?.state).toBe('triggered');
      await acknowledge(deps(6), { incidentId: id, by: 'anna' });
      const acks = (await store.listMessages(id)).filter((m) => m.alert?.action === 'acknowledge');
      expect(acks.map((m) => m.alert?.key)).toEqual([id]);
    } finally {
      await cleanup();
    }
  });
});
