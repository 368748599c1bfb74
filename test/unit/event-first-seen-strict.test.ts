/**
 * red25 item 2 (red24 left it): `service.eventFirstSeen`, the begin of the breach on the AP form and
 * the earliest time a person can state, was read with Date.parse: "0" read as the year 2000 and a time
 * without a zone in the machine's zone. It is read with the one strict parser (core/time.ts
 * parseInstant), not before GuardDuty existed; one it cannot read is left aside (the finding's
 * creation is the begin, as without it), and the finding is recorded all the same.
 */
import { describe, expect, it } from 'vitest';
import { lastSeen, parseEvent } from '../../handlers/core/finding.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const CREATED = '2026-11-28T00:00:00.000Z';

describe("a finding's eventFirstSeen", () => {
  /** The begin of the breach its incident records, in a store of its own. */
  const begin = async (eventFirstSeen: unknown) => {
    const { store, cleanup } = tempSqliteStore();
    try {
      const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T00:05:00.000Z', canEnforce: false };
      const r = await recordEvent(deps, findingEvent({ id: 'f-1', createdAt: CREATED, service: { eventFirstSeen } }));
      expect(r.outcome).toBe('opened');
      return ((await store.getIncident(r.incidentId as string)) as Incident).firstActivityAt;
    } finally {
      await cleanup();
    }
  };

  it.each([['0'], ['2026-11-20T10:00:00'], ['20 November 2026'], ['2026-02-30T10:00:00Z'], ['1999-12-31T23:00:00Z'], [42]])(
    'is left aside when it is not a readable instant: %s',
    async (text) => {
      expect(await begin(text)).toBe(CREATED);
    },
  );

  it('moves the begin earlier when it is one, in any zone', async () => {
    expect(await begin('2026-11-20T10:00:00+01:00')).toBe('2026-11-20T09:00:00.000Z');
  });
});

/**
 * The same for `service.eventLastSeen` (finding.ts lastSeen): whether a closed incident's finding
 * was active again after the close (a follow-up incident) and whether released containment is
 * planned again. "0" and a zone-less time were read leniently; one not readable is the update's time.
 */
describe("a finding's eventLastSeen", () => {
  const UPDATED = '2026-11-28T02:00:00.000Z';
  const last = (eventLastSeen: unknown) => {
    const parsed = parseEvent(findingEvent({ id: 'f-1', createdAt: CREATED, updatedAt: UPDATED, service: { eventLastSeen } }), { now: UPDATED });
    if (parsed.kind !== 'finding') throw new Error(parsed.kind);
    return lastSeen(parsed.finding);
  };

  it.each([['0'], ['2026-11-28T01:00:00'], ['2026-02-30T10:00:00Z'], ['1999-12-31T23:00:00Z']])(
    'is the update time when it is not a readable instant: %s',
    (text) => {
      expect(last(text)).toBe(UPDATED);
    },
  );

  it('is read when it is one, in any zone', () => {
    expect(last('2026-11-28T02:30:00+01:00')).toBe('2026-11-28T01:30:00.000Z');
  });
});
