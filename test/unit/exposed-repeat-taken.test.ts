/**
 * With SNS, an exposed interface's page repeats every 15 minutes until the record says it is
 * isolated, or the incident is acknowledged after the interface was left open (the page's own
 * words). When on-call acknowledged the first page before the isolation left the interface open, a
 * second acknowledgement (CLI, the page's link) must count as taking the repeated page: recorded as
 * `alert-acknowledged`, and the repeat stops (review6 R4; it changed nothing, the repeat went on).
 */
import { describe, expect, it } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { leaveOpen } from '../support/pager-incident.js';
import { tempSqliteStore } from '../support/store.js';

const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();
const ENI = 'eni-0c1d2e3f405162738';
const SNS = parsePolicy({
  onCall: { provider: 'sns' },
  containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] },
});

describe('the repeated exposed page on SNS, for an incident acknowledged before', () => {
  it('stops when on-call acknowledges after the page, as the page says', async () => {
    const f = tempSqliteStore();
    try {
      const deps = (m: number) => ({ store: f.store, policy: SNS, now: () => T(m) });
      const event = findingEvent({ id: 'r4-repeat', type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource('i-0c1d2e3f405162738') });
      const id = (await recordEvent({ ...deps(0), canEnforce: false }, event)).incidentId as string;
      // On-call took the first page at minute 5.
      await acknowledge(deps(5), { incidentId: id, by: 'anna' });
      // The isolation (a retry) left the interface open at minute 10.
      await leaveOpen(deps(10), id, ENI);
      const pages = async () => (await f.store.listMessages(id)).filter((m) => m.kind === 'interface-exposed');
      await sweep({ store: f.store, policy: SNS, now: () => T(25) });
      const repeat = (await pages()).at(-1);
      expect(repeat?.body).toMatch(/opgepakt nadat de interface open bleef|acknowledged after the interface was left open/);
      // On-call does what the page says: acknowledges the incident now.
      await acknowledge(deps(27), { incidentId: id, by: 'bram' });
      const before = (await pages()).length;
      for (let m = 30; m <= 120; m += 5) await sweep({ store: f.store, policy: SNS, now: () => T(m) });
      expect((await pages()).length).toBe(before);
    } finally {
      await f.cleanup();
    }
  });
});
