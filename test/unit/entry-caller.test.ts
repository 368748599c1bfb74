/**
 * sec (session 26): the AWS identity that wrote an entry (`TimelineEntry.caller`, named on every
 * entry of a person's `--target aws` run) is covered by the entry's hash, so removing or changing it
 * breaks the chain as editing the actor does; an entry without one hashes as every entry recorded
 * before it did. The embedded store, which keeps no caller, refuses an entry naming one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { stampCaller } from '../../handlers/core/change-incident.js';
import { canonicalJsonReference, sha256 } from '../../handlers/core/hash.js';
import { appendEntries, entryHash, verifyTimeline } from '../../handlers/core/incident.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const FG = 'arn:aws:sts::123456789012:assumed-role/datalek-fg/alice';
const at = '2026-11-28T09:00:00.000Z';

describe("the caller on a timeline entry, under the entry's hash", () => {
  it('hashes an entry with a caller as its canonical JSON with the caller, and one without as before', () => {
    const entry = { incidentId: 'dl-1', seq: 1, at, kind: 'assessed', actor: 'A. de Vries', detail: { risk: 'high' }, prevHash: 'p' };
    const { prevHash, ...fields } = entry;
    expect(entryHash(entry)).toBe(sha256(`p\n${canonicalJsonReference(fields)}`));
    expect(entryHash({ ...entry, caller: FG })).toBe(sha256(`p\n${canonicalJsonReference({ ...fields, caller: FG })}`));
    expect(entryHash({ ...entry, caller: FG })).not.toBe(entryHash(entry));
  });

  it('tells a caller removed or changed as an edited entry', () => {
    const incident = incidentFixture();
    const change = { incident, expectedRevision: 1, timeline: appendEntries(incident, [{ at, kind: 'assessed', actor: 'A. de Vries' }]), messages: [] };
    stampCaller(change, FG);
    expect(change.timeline[0].caller).toBe(FG);
    expect(verifyTimeline(incident, change.timeline)).toBeNull();
    const { caller: _, ...removed } = change.timeline[0];
    expect(verifyTimeline(incident, [removed])?.problem).toMatch(/edited|hash/);
    const changed = { ...change.timeline[0], caller: 'arn:aws:sts::123456789012:assumed-role/datalek-fg/mallory' };
    expect(verifyTimeline(incident, [changed])?.problem).toMatch(/edited|hash/);
  });

  it("names the caller on every entry of a change and of its others, chained again to the incidents' heads", () => {
    const a = incidentFixture({ id: 'dl-0000000000000000000000000000000a' });
    const b = incidentFixture({ id: 'dl-0000000000000000000000000000000b' });
    const other = { incident: b, expectedRevision: 1, timeline: appendEntries(b, [{ at, kind: 'merged-into' }]), messages: [] };
    const change = {
      incident: a,
      expectedRevision: 1,
      timeline: appendEntries(a, [
        { at, kind: 'clock-stated', actor: 'Bob' },
        { at, kind: 'acknowledged', actor: 'Bob' },
      ]),
      messages: [],
      others: [other],
    };
    stampCaller(change, FG);
    expect([...change.timeline, ...other.timeline].map((e) => e.caller)).toEqual([FG, FG, FG]);
    expect(change.timeline.map((e) => e.actor)).toEqual(['Bob', 'Bob']);
    expect(a.timelineHead).toEqual({ seq: 2, hash: change.timeline[1].hash });
    expect(verifyTimeline(a, change.timeline)).toBeNull();
    expect(verifyTimeline(b, other.timeline)).toBeNull();
  });
});

describe('the embedded store and a caller', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  afterEach(async () => t.cleanup());

  it('refuses an entry naming a caller, and stores nothing of the change', async () => {
    t = tempSqliteStore();
    const incident = incidentFixture();
    const change = { incident, expectedRevision: null, timeline: appendEntries(incident, [{ at, kind: 'incident-opened' }]), messages: [] };
    stampCaller(change, FG);
    await expect(t.store.commit(change)).rejects.toThrow(/names the AWS caller that wrote it; the embedded store keeps none/);
    expect(await t.store.getIncident(incident.id)).toBeUndefined();
  });
});
