/**
 * The name a pager's webhook gives its person becomes the timeline entry's actor, a column of its
 * own (SQLite) or an attribute (DynamoDB), both UTF-8. A lone surrogate there (a name cut at 200
 * UTF-16 units through an emoji, or a JSON escape `\ud800` in the body) is no Unicode text: the
 * store wrote U+FFFD for it while the entry's hash, taken before, kept the escape, so `datalek
 * verify` called the untouched entries edited (a false tamper alarm, which hides a real one). Any
 * PagerDuty user's own profile name, signed by PagerDuty, did it.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseOpsgenieEvent, parsePagerDutyEvent } from '../../handlers/core/pager-webhooks.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { createLinkApp } from '../../handlers/web/links.js';
import { AT, PAGERDUTY, pagerDutyIncident } from '../support/pager-incident.js';

const SECRET = 'the-webhook-secret-0123456789';
/** A string of UTF-16 that is Unicode text: every surrogate in a pair. */
const WELL_FORMED = /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
/** 199 letters and an emoji: cut at 200 UTF-16 units, the emoji's first half stays. */
const LONG_NAME = `${'a'.repeat(199)}😀`;

describe('a pager webhook’s person, as the timeline’s actor', () => {
  it('a PagerDuty user whose name is cut through an emoji acknowledges, and verify finds the record as it was written', async () => {
    const f = await pagerDutyIncident('actor');
    try {
      const app = createLinkApp({
        store: f.store,
        policy: PAGERDUTY,
        now: () => AT(6),
        linkKey: async () => Buffer.alloc(32, 1),
        webhookSecret: async () => SECRET,
        target: 'local',
        live: false,
      });
      const body = JSON.stringify({
        event: {
          id: 'Q0LONGNAME',
          event_type: 'incident.acknowledged',
          resource_type: 'incident',
          occurred_at: AT(5),
          agent: { type: 'user_reference', summary: LONG_NAME },
          data: { type: 'incident', incident_key: f.id, title: `[datalek hoog] ${f.id}` },
        },
      });
      const signature = `v1=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
      const response = await app.request('/hooks/pagerduty', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-pagerduty-signature': signature },
      });
      expect(await response.json()).toEqual({ outcome: 'acknowledged', incidentId: f.id });
      const actors = (await f.store.getTimeline(f.id)).filter((e) => e.actor.startsWith('aaaa')).map((e) => e.actor);
      expect(actors.length).toBeGreaterThan(0);
      for (const actor of actors) expect(actor).toMatch(WELL_FORMED);
      expect((await f.store.getIncident(f.id))?.acknowledgedBy).toBe(`${'a'.repeat(199)} (PagerDuty)`);
      expect((await verifyStore(f.store, { now: AT(7) })).problems).toEqual([]);
    } finally {
      await f.cleanup();
    }
  });

  it('a lone surrogate escape in a PagerDuty or Opsgenie name is kept visible as its escape, never as half a character', () => {
    const id = `dl-${'ab'.repeat(16)}`;
    const pagerDuty = JSON.parse(
      `{"event":{"id":"e1","event_type":"incident.acknowledged","occurred_at":"${AT(5)}","agent":{"type":"user_reference","summary":"Anna \\ud800 Jansen"},"data":{"incident_key":"${id}"}}}`,
    );
    expect(parsePagerDutyEvent(pagerDuty)?.by).toBe('Anna \\ud800 Jansen');
    const opsgenie = JSON.parse(
      `{"action":"Acknowledge","alert":{"alias":"${id}","alertId":"a1","username":"anna\\udfff@example.nl","updatedAt":1795900800764},"source":{"type":"web"}}`,
    );
    expect(parseOpsgenieEvent(opsgenie)?.by).toBe('anna\\udfff@example.nl');
    expect(parseOpsgenieEvent({ ...opsgenie, alert: { ...opsgenie.alert, username: LONG_NAME } })?.by).toBe('a'.repeat(199));
  });
});
