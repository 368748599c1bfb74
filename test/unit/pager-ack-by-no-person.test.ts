/**
 * review12 K8 (attack14b): an acknowledgement at the pager that no person made (PagerDuty: the
 * webhook's agent is a service or an integration, i.e. an Events API v2 `acknowledge` sent with the
 * service's routing key; Opsgenie: "System") took the incident in datalek: recorded as acknowledged
 * by "PagerDuty (PagerDuty)", and datalek's own levels never paged again. The resolve case was fixed
 * before (pager-auto-resolve.test.ts); whoever holds the routing key and can compute the incident
 * id (sha256 of the finding key) silenced the page. Now it is recorded as the alert's state there,
 * by no person; on-call is told on the topic at once, and datalek's levels page there (a trigger
 * would join the acknowledged alert unheard) until a person acknowledges.
 */
import { describe, expect, it } from 'vitest';
import { recordPagerEvent } from '../../handlers/core/pager.js';
import { parseOpsgenieEvent, parsePagerDutyEvent } from '../../handlers/core/pager-webhooks.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import { findingEvent } from '../support/events.js';
import { AT, PAGERDUTY, pagerDutyIncident } from '../support/pager-incident.js';
import { tempSqliteStore } from '../support/store.js';

const OPSGENIE = parsePolicy({ onCall: { provider: 'opsgenie' } });

/** PagerDuty's webhook of the incident's alert acknowledged at minute `minutes`, by `agent`. */
const acknowledgedAtPagerDuty = (id: string, eventId: string, minutes: number, agent: Record<string, string>) =>
  parsePagerDutyEvent({
    event: { id: eventId, event_type: 'incident.acknowledged', occurred_at: AT(minutes), agent, data: { type: 'incident', incident_key: id } },
  });

describe('an acknowledgement at the pager that no person made', () => {
  it('PagerDuty (agent: the service, an Events API acknowledge) takes nobody off the incident; datalek pages again', async () => {
    const { store, id, deps, cleanup } = await pagerDutyIncident('ack-by-service');
    try {
      const event = acknowledgedAtPagerDuty(id, 'Q0FORGED', 3, { type: 'service_reference', summary: 'datalek' });
      expect(event?.person).toBe(false);
      expect(await recordPagerEvent(deps(3), { provider: 'pagerduty', ...(event as NonNullable<typeof event>) })).toBe('recorded');
      const incident = await store.getIncident(id);
      expect(incident?.acknowledgedBy ?? null, 'an acknowledgement nobody made is recorded as taking the incident').toBeNull();
      expect(incident?.state).toBe('open');
      // Recorded as what it is: the alert acknowledged there, by no person.
      expect(incident?.pager).toMatchObject({ state: 'acknowledged', acknowledgedByNoPersonAt: AT(3) });
      expect((await store.getTimeline(id)).find((e) => e.kind === 'pager-acknowledged')?.detail).toMatchObject({ byPerson: false, pagedOn: 'on-call topic' });
      // On-call hears it at once, on the topic (no alert: a trigger would join the acknowledged one unheard).
      const told = (await store.listMessages(id)).filter((m) => m.kind === 'page');
      expect(told.map((m) => [m.channel, m.alert ?? null])).toEqual([['on-call', null]]);
      expect(told[0].body).toMatch(/by no person|niet door een persoon/);
      // datalek's levels page on, on the topic.
      const result = await sweep({ store, policy: PAGERDUTY, now: () => AT(240) });
      const pages = result.sent.filter((s) => s.kind === 'page');
      expect(pages.length).toBeGreaterThan(0);
      expect((await store.listMessages(id)).filter((m) => m.kind === 'page' && m.alert).length, 'a page went to the acknowledged alert').toBe(0);
      // A person's acknowledgement there takes it; nothing more pages.
      const anna = acknowledgedAtPagerDuty(id, 'Q0ANNA', 241, { type: 'user_reference', summary: 'Anna Jansen' });
      expect(await recordPagerEvent(deps(241), { provider: 'pagerduty', ...(anna as NonNullable<typeof anna>) })).toBe('acknowledged');
      const taken = await store.getIncident(id);
      expect(taken?.acknowledgedBy).toBe('Anna Jansen (PagerDuty)');
      expect(taken?.pager?.acknowledgedByNoPersonAt).toBeUndefined();
      expect((await sweep({ store, policy: PAGERDUTY, now: () => AT(600) })).sent.filter((s) => s.kind === 'page')).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it('Opsgenie (username "System") takes nobody off the incident either', async () => {
    const fixture = tempSqliteStore();
    try {
      const r = await recordEvent(
        { store: fixture.store, policy: OPSGENIE, now: () => AT(0), canEnforce: false },
        findingEvent({ id: `og-${Math.random()}`, severity: 8.5 }),
      );
      const id = r.incidentId as string;
      // datalek raised the alert at the pager (the sweep delivers the trigger; the store notes the key).
      await sweep({ store: fixture.store, policy: OPSGENIE, now: () => AT(1) });
      const event = parseOpsgenieEvent({ action: 'Acknowledge', alert: { alias: id, alertId: 'a-1', username: 'System', updatedAt: Date.parse(AT(3)) } });
      expect(event?.person).toBe(false);
      await recordPagerEvent({ store: fixture.store, policy: OPSGENIE, now: () => AT(3) }, { provider: 'opsgenie', ...(event as NonNullable<typeof event>) });
      expect((await fixture.store.getIncident(id))?.acknowledgedBy ?? null, 'an acknowledgement nobody made is recorded as taking the incident').toBeNull();
    } finally {
      await fixture.cleanup();
    }
  });

  // read14c C1: Opsgenie's Alert API takes a free `user` ("display name of the request owner"),
  // which the webhook carries as `alert.username`, with `source.type` "API": whoever holds the
  // GenieKey acknowledges as "Anna Jansen". datalek's own acknowledge/close calls send
  // `user: 'datalek'`, and may come back through the webhook. Neither is a person.
  const byNoPerson = [
    { user: 'Anna Jansen', source: { name: '', type: 'API' } },
    { user: 'datalek', source: { name: '', type: 'API' } },
    { user: 'datalek', source: { name: '', type: 'web' } },
  ];
  for (const { user, source } of byNoPerson) {
    it(`Opsgenie (user "${user}", source type ${source.type}) takes nobody off the incident either`, async () => {
      const fixture = tempSqliteStore();
      try {
        const r = await recordEvent(
          { store: fixture.store, policy: OPSGENIE, now: () => AT(0), canEnforce: false },
          findingEvent({ id: `og-api-${Math.random()}`, severity: 8.5 }),
        );
        const id = r.incidentId as string;
        await sweep({ store: fixture.store, policy: OPSGENIE, now: () => AT(1) });
        const event = parseOpsgenieEvent({
          source,
          action: 'Acknowledge',
          alert: { alias: id, alertId: 'a-1', username: user, updatedAt: Date.parse(AT(3)) },
          integrationName: 'datalek',
        });
        expect(event?.person).toBe(false);
        await recordPagerEvent({ store: fixture.store, policy: OPSGENIE, now: () => AT(3) }, { provider: 'opsgenie', ...(event as NonNullable<typeof event>) });
        expect(
          (await fixture.store.getIncident(id))?.acknowledgedBy ?? null,
          'an acknowledgement through the API key is recorded as a person taking the incident',
        ).toBeNull();
        // Nor does datalek acknowledge its own alert at Opsgenie on that word.
        const acks = (await fixture.store.listMessages(id)).filter((m) => m.alert?.action === 'acknowledge');
        expect(acks).toEqual([]);
      } finally {
        await fixture.cleanup();
      }
    });
  }

  it('Opsgenie: a person acknowledging in Opsgenie itself (source type web) is a person', () => {
    const event = parseOpsgenieEvent({
      source: { name: '', type: 'web' },
      action: 'Acknowledge',
      alert: { alias: `dl-${'a'.repeat(32)}`, alertId: 'a-1', username: 'anna@example.org', userId: 'u-1', updatedAt: Date.parse(AT(3)) },
    });
    expect(event?.person).toBeUndefined();
    expect(event?.by).toBe('anna@example.org');
  });
});
