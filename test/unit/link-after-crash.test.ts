/**
 * A finding that links more incidents than its commit has room for (commit-bounds.ts) writes the
 * rest of the links after that commit. A process that stops between (a Lambda timing out, a host
 * lost) must not lose one: the linked incident's FG would never learn that a finding on its
 * resources was recorded on another incident, and the breach's record would be split without that
 * side saying so (Art. 33(3)-(5)). The links still to write are noted in the finding's own commit,
 * and the redelivery of the finding (or the next finding on that incident) writes them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { instanceSequenceEvent } from '../support/events.js';
import { incidentsWithFacts } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const instance = (i: number) => `i-${i.toString(16).padStart(17, '0')}`;

class ProcessStopped extends Error {}

describe('links written after the finding’s commit, the process stopping between', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
  });
  afterEach(async () => cleanup());
  const deps = () => ({ store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false });

  /** The incidents the survivor names linked, and, of each, its link entries and link messages. */
  async function links(survivor: string) {
    const related = (await store.getTimeline(survivor)).find((e) => e.kind === 'related-incidents')?.detail.incidents as { incidentId: string }[];
    return Promise.all(
      related.map(async ({ incidentId }) => ({
        incidentId,
        entries: (await store.getTimeline(incidentId)).filter((e) => e.kind === 'linked-to-incident' && e.detail.incidentId === survivor),
        told: (await store.listMessages(incidentId)).filter((m) => m.kind === 'incident-linked'),
      })),
    );
  }

  it('loses no link: the redelivery of the finding writes those the stopped process left, each once', async () => {
    const ids = await incidentsWithFacts(store, 20, instance, NOW);
    const event = instanceSequenceEvent(
      's'.repeat(32),
      ids.map((_, i) => instance(i)),
    );

    // The process stops right after the finding's commit: no later commit is written.
    const commit = store.commit.bind(store);
    let commits = 0;
    store.commit = async (change) => {
      commits += 1;
      if (commits > 1) throw new ProcessStopped('the process stopped');
      return commit(change);
    };
    await expect(recordEvent(deps(), event)).rejects.toThrow(ProcessStopped);
    store.commit = commit;

    const survivor = ids[0];
    const before = await links(survivor);
    expect(before.length).toBeGreaterThan(15);
    // The finding is recorded, some links with it; the others were still to be written.
    const lost = before.filter((l) => l.entries.length === 0).map((l) => l.incidentId);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.length).toBeLessThan(before.length);
    // Noted, in the finding's commit, as still to write.
    expect(((await store.getIncident(survivor)) as Incident).linksPending?.map((l) => l.incidentId)).toEqual(lost);

    // EventBridge delivers the event again (the invocation failed): a duplicate, which writes the rest.
    const again = await recordEvent(deps(), event);
    expect(again).toMatchObject({ outcome: 'duplicate', incidentId: survivor });
    for (const l of await links(survivor)) {
      expect(l.entries, l.incidentId).toHaveLength(1);
      expect(l.told, l.incidentId).toHaveLength(1);
      expect(l.entries[0].detail.writtenAfter === undefined).toBe(!lost.includes(l.incidentId));
      // Queued for sending by the run that wrote it.
      if (lost.includes(l.incidentId)) expect(again.queued?.map((m) => m.id)).toContain(l.told[0].id);
    }
    expect(((await store.getIncident(survivor)) as Incident).linksPending).toBeUndefined();
    expect(verifyOk(await verifyStore(store))).toBe(true);

    // Nothing is written twice by a further redelivery.
    const timelines = await Promise.all(lost.map(async (id) => (await store.getTimeline(id)).length));
    await recordEvent(deps(), event);
    expect(await Promise.all(lost.map(async (id) => (await store.getTimeline(id)).length))).toEqual(timelines);
  }, 180_000);
});
