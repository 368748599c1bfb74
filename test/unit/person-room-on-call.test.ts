/**
 * People's text has a share of its own in the record (5e38bf1, MAX_PERSON_BYTES 64 KB),
 * and `acknowledgedBy` counts in it (commit-bounds.ts PERSON_FIELDS). Once the FG's reasons fill the
 * share (four assessments of a long reason: each is kept twice, as `assessment` and in `decisions`),
 * on-call can no longer acknowledge the incident: `datalek ack`, the page's link and the pager's
 * webhook are all refused ("shorten the text"), and datalek's escalation pages on. The person
 * refused is not the one who wrote the text, and cannot shorten it.
 */
import { describe, expect, it } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { MAX_PERSON_BYTES, personBytes } from '../../handlers/core/commit-bounds.js';
import { assess, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

describe("an acknowledgement when the FG's text filled the record's share (review6 R8)", () => {
  it('is recorded: on-call takes the incident whatever the FG wrote', async () => {
    const f = tempSqliteStore();
    try {
      let now = '2026-11-27T21:10:00.000Z';
      const deps = { store: f.store, policy: DEFAULT_POLICY, now: () => now };
      const id = (await recordEvent({ ...deps, canEnforce: false }, findingEvent({ id: 'r8', createdAt: '2026-11-27T21:00:00.000Z' }))).incidentId as string;
      const long = (n: number) => `Afweging ${n}: ${'de server bevatte mogelijk klantgegevens; '.repeat(180)}`.slice(0, 7_900);
      for (let n = 1; n <= 4; n++) {
        now = `2026-11-27T21:${10 + n}:00.000Z`;
        await assess(deps, { incidentId: id, personalData: 'unknown', risk: 'risk', reason: long(n), by: 'FG' });
      }
      // One more, as long as the share still takes (the FG is refused beyond it, and shortens it).
      now = '2026-11-27T21:20:00.000Z';
      const left = async () => MAX_PERSON_BYTES - personBytes((await f.store.getIncident(id)) as Incident);
      // The facts' summary, as long as the share still takes (the FG is refused beyond it).
      now = '2026-11-27T21:20:00.000Z';
      await recordFacts(deps, { incidentId: id, summary: 'a', by: 'FG' });
      const room = await left();
      now = '2026-11-27T21:21:00.000Z';
      await recordFacts(deps, { incidentId: id, summary: 'a'.repeat(1 + room - 10), by: 'FG' });
      expect(MAX_PERSON_BYTES - personBytes((await f.store.getIncident(id)) as Incident)).toBeLessThan(20);
      now = '2026-11-27T21:40:00.000Z';
      const out = await acknowledge(deps, { incidentId: id, by: 'Anna (dienstdoende)' });
      expect(out.changed).toBe(true);
      expect(((await f.store.getIncident(id)) as Incident).acknowledgedBy).toBe('Anna (dienstdoende)');
    } finally {
      await f.cleanup();
    }
  });
});
