/**
 * A later version of a finding that names another resource (a replayed or crafted event): the new
 * resource is claimed by the incident, the timeline says the finding moved, and on-call hears of
 * the containment it plans; a finding on that resource then joins the same incident instead of
 * opening a second one that acts on it too (review2 attack §4).
 */
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T00:00:00.000Z';
const A = 'i-0a1b2c3d4e5f60718';
const B = 'i-0bbbbbbbbbbbbbbbb';

describe('a finding version naming another instance', () => {
  it('is claimed by the incident and told to on-call; a finding on that instance joins the same incident', async () => {
    const f = tempSqliteStore();
    try {
      const deps = { store: f.store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
      const first = await recordEvent(deps, findingEvent({ id: 'a1b2c3d4e5f60718a1b2c3d4e5f60718', instanceId: A }));
      const moved = await recordEvent(
        deps,
        findingEvent({ id: 'a1b2c3d4e5f60718a1b2c3d4e5f60718', instanceId: B, updatedAt: '2026-11-27T22:00:00.000Z', count: 5 }),
      );
      // The C&C finding's channel is DNS: B's isolation comes with the person's step that blocks it.
      expect(moved).toMatchObject({
        outcome: 'updated',
        incidentId: first.incidentId,
        actions: [
          { type: 'isolate-instance', status: 'planned' },
          { type: 'block-dns-channel', status: 'planned' },
        ],
      });
      const incident = (await f.store.getIncident(first.incidentId as string)) as Incident;
      expect(incident.resourceKeys ?? []).toContainEqual(expect.stringContaining(B));
      expect((incident.resources ?? []).map((r) => r.id)).toEqual([A, B]);
      const timeline = await f.store.getTimeline(incident.id);
      expect(timeline.find((e) => e.kind === 'finding-resource-changed')?.detail).toMatchObject({ resourceId: B, claimed: true });
      const told = (moved.queued ?? []).filter((m) => m.channel === 'on-call');
      expect(told).toHaveLength(1);
      expect(told[0].body).toContain(B);

      const miner = await recordEvent(deps, findingEvent({ id: 'e'.repeat(32), type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', instanceId: B }));
      expect(miner).toMatchObject({ outcome: 'attached', incidentId: first.incidentId });
    } finally {
      await f.cleanup();
    }
  });
});
