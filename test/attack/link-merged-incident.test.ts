/**
 * A page's link for an incident that was since merged into another (an attack sequence joined
 * them: one breach, one clock). Before the fix the page said "This incident is closed; there is
 * nothing to acknowledge", and on-call at 3 a.m. went back to sleep while the breach it belongs to
 * was open and unacknowledged. The page must name the incident it continues in.
 */
import { describe, expect, it } from 'vitest';
import { signAckLink } from '../../handlers/core/ack-link.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { createLinkApp } from '../../handlers/web/links.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const KEY = Buffer.from('d'.repeat(64), 'hex');
const NOW = '2026-11-27T21:10:00.000Z';

describe('the link of an incident merged into another', () => {
  it('names the incident it continues in, and acknowledges nothing', async () => {
    const { store, cleanup } = tempSqliteStore();
    try {
      const policy = parsePolicy({ language: 'en' });
      const deps = { store, policy, now: () => NOW, canEnforce: false };
      const a = (await recordEvent(deps, findingEvent({ id: 'merged-a', severity: 8.5, instanceId: 'i-aaa' }))).incidentId as string;
      const b = (await recordEvent(deps, findingEvent({ id: 'merged-b', severity: 8.5, instanceId: 'i-bbb' }))).incidentId as string;
      await changeIncident(deps, a, (draft) => {
        draft.state = 'closed';
        draft.mergedInto = b;
        return { entries: [{ at: NOW, kind: 'merged', detail: { into: b } }] };
      });
      const app = createLinkApp({ store, policy, now: () => NOW, linkKey: async () => KEY, target: 'local', live: false });
      const token = signAckLink(KEY, { incidentId: a, level: 'on-call', round: 0, expiresAt: '2026-11-27T21:20:00.000Z' });
      for (const method of ['GET', 'POST']) {
        const res = await app.request(`http://127.0.0.1:8733/ack/${token}`, {
          method,
          ...(method === 'POST' ? { body: 'by=anna', headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
        });
        const html = await res.text();
        expect(res.status, method).toBe(409);
        expect(html, method).toContain(`merged into`);
        expect(html, method).toContain(b);
        expect(html, method).not.toContain('nothing to acknowledge');
      }
      expect((await store.getIncident(b))?.acknowledgedBy ?? null).toBeNull();
    } finally {
      await cleanup();
    }
  });
});
