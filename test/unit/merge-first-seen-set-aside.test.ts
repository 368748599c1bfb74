/**
 * review25 #3 / e1b5c095: a merge carries the merged incident's begin of the breach with its note
 * (`firstSeenSetAside`: which finding's `eventFirstSeen` was set aside, what it sent, the creation used
 * instead), when that begin is earlier than the survivor's. No test reached it: the survivor is the
 * earliest detected incident. A follow-up incident is detected at its finding's update, while its
 * begin is the finding's creation: an earlier-detected incident then has a later begin, and an
 * attack sequence naming both merges the follow-up into it.
 */
import { expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { showText } from '../../handlers/cli/views.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { backdoor, CREATED, closedIncident, FINDING } from '../support/after-close.js';
import { accessKeyResource, credentialSequenceEvent, findingEvent, sequenceDetection } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const INSTANCE = 'i-0c10000000000001';

/**
 * The backdoor's incident closed, its finding active again (eventFirstSeen `followUpFirstSeen`): a follow-up detected
 * 27 November 10:00; then a key's incident detected 26 November 20:00 (eventFirstSeen `survivorFirstSeen`, if given);
 * then an attack sequence naming the key and the instance merges the follow-up into the key's incident.
 */
async function mergedFollowUp(store: SqliteIncidentStore, followUpFirstSeen: string, survivorFirstSeen?: string) {
  const clock = { now: '' };
  const deps = { store, policy: DEFAULT_POLICY, now: () => clock.now, canEnforce: false };
  await closedIncident(store, clock);
  clock.now = '2026-11-27T10:05:00.000Z';
  const again = backdoor({ count: 57, updatedAt: '2026-11-27T10:00:00.000Z' });
  again.detail.service.eventFirstSeen = followUpFirstSeen;
  const followUp = (await recordEvent(deps, again)).incidentId as string;
  const key = findingEvent({
    id: 'f-key',
    type: 'CredentialAccess:IAMUser/AnomalousBehavior',
    createdAt: '2026-11-26T20:00:00.000Z',
    resource: accessKeyResource(),
  });
  if (survivorFirstSeen) key.detail.service.eventFirstSeen = survivorFirstSeen;
  const survivor = (await recordEvent(deps, key)).incidentId as string;
  const before = { followUp: (await store.getIncident(followUp)) as Incident, survivor: (await store.getIncident(survivor)) as Incident };
  clock.now = '2026-11-27T12:05:00.000Z';
  await recordEvent(deps, credentialSequenceEvent({ createdAt: '2026-11-27T12:00:00.000Z', detection: sequenceDetection({ instanceId: INSTANCE }) }));
  expect(((await store.getIncident(followUp)) as Incident).mergedInto).toBe(survivor);
  const after = (await store.getIncident(survivor)) as Incident;
  return { before, after, shown: showText(after, await store.getTimeline(survivor), DEFAULT_POLICY, clock.now) };
}

it("keeps the merged incident's set-aside first activity, and why, on the survivor, and shows it", async () => {
  const { store, cleanup } = tempSqliteStore();
  try {
    const { before, after, shown } = await mergedFollowUp(store, '2026-11-20T10:00:00');
    // Prepare's check: the follow-up began before the survivor, at its creation, the note saying why.
    expect(before.followUp).toMatchObject({ detectedAt: '2026-11-27T10:00:00.000Z', firstActivityAt: CREATED });
    expect(before.survivor.firstActivityAt).toBe('2026-11-26T20:00:00.000Z');
    expect(after.firstActivityAt).toBe(CREATED);
    expect(after.firstSeenSetAside).toEqual({ findingId: FINDING, value: '2026-11-20T10:00:00', usedInstead: CREATED });
    expect(shown).toMatch(
      new RegExp(`set aside: the first activity GuardDuty gave for finding ${FINDING} \\(eventFirstSeen "2026-11-20T10:00:00"\\) is not a readable time`),
    );
  } finally {
    await cleanup();
  }
});

it("drops the survivor's note when the merged incident brings a readable, earlier first activity", async () => {
  const { store, cleanup } = tempSqliteStore();
  try {
    const { before, after, shown } = await mergedFollowUp(store, '2026-11-25T10:00:00Z', '0');
    expect(before.survivor.firstSeenSetAside?.findingId).toBe('f-key');
    expect(after.firstActivityAt).toBe('2026-11-25T10:00:00.000Z');
    expect(after).not.toHaveProperty('firstSeenSetAside');
    expect(shown).not.toMatch(/set aside/);
  } finally {
    await cleanup();
  }
});
