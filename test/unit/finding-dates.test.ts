/**
 * Observation 5 of issue #13: impossible or implausible dates in a finding, and unbounded policy
 * numbers. Each is refused with the field named, before anything is stored.
 */
import { describe, expect, it } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { InvalidFindingError, InvalidPolicyError } from '../../handlers/core/errors.js';
import { parseEvent } from '../../handlers/core/finding.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T12:00:00.000Z';

function rejection(value: unknown, now = NOW): InvalidFindingError {
  try {
    parseEvent(value, { now });
  } catch (err) {
    if (err instanceof InvalidFindingError) return err;
    throw err;
  }
  throw new Error('expected the event to be rejected');
}

/** A valid event whose detail.createdAt and detail.updatedAt alone are set (the envelope's time stays valid). */
function withTimes(createdAt: string, updatedAt = createdAt) {
  const event = findingEvent({ createdAt: '2026-11-27T21:00:00Z' });
  event.detail.createdAt = createdAt;
  event.detail.updatedAt = updatedAt;
  return event;
}

describe("a finding's dates", () => {
  it('refuses a day that does not exist (2026-02-30 is not 2 March)', () => {
    const err = rejection(withTimes('2026-02-30T10:00:00Z', '2026-03-05T10:00:00Z'));
    expect(err.path).toBe('detail.createdAt');
    expect(err.message).toMatch(/day must be 01 to 28/);
  });

  it('refuses T24:00', () => {
    const err = rejection(withTimes('2026-11-27T10:00:00Z', '2026-11-27T24:00:00Z'));
    expect(err.path).toBe('detail.updatedAt');
    expect(err.message).toMatch(/T24:00/);
  });

  it('refuses year 0000, year 9999 and anything before GuardDuty or more than a day ahead of the clock', () => {
    expect(rejection(withTimes('0000-01-01T00:00:00Z')).path).toBe('detail.createdAt');
    const future = rejection(withTimes('9999-12-31T23:59:59Z'));
    expect(future.path).toBe('detail.createdAt');
    expect(future.message).toMatch(/later than 2026-11-29T12:00:00.000Z/);
    expect(rejection(withTimes('2016-06-01T00:00:00Z')).message).toMatch(/earlier than 2017-01-01/);
    expect(rejection(withTimes('2026-11-29T13:00:00Z')).path).toBe('detail.createdAt');
    // Within a day ahead: clocks differ between machines.
    expect(parseEvent(withTimes('2026-11-29T11:00:00Z'), { now: NOW }).kind).toBe('finding');
  });

  it('refuses a finding updated before it was created', () => {
    const err = rejection(withTimes('2026-11-27T21:00:00Z', '2026-11-27T20:59:59Z'));
    expect(err.path).toBe('detail.updatedAt');
    expect(err.message).toMatch(/lies before detail.createdAt/);
  });

  it('compares the instants, not the text, across zones', () => {
    const event = withTimes('2026-11-27T22:00:00+01:00', '2026-11-27T21:30:00Z');
    expect(parseEvent(event, { now: NOW }).kind).toBe('finding');
  });
});

describe('policy numbers', () => {
  it('bounds the deadline hours to 1-72 (Art. 33(1)) and every other period to 30 days', () => {
    expect(() => parsePolicy({ apDeadlineHours: 100000000000 })).toThrow(/apDeadlineHours: must be 1 to 72: GDPR Art. 33\(1\)/);
    expect(() => parsePolicy({ apDeadlineHours: 0 })).toThrow(InvalidPolicyError);
    expect(parsePolicy({ apDeadlineHours: 48 }).apDeadlineHours).toBe(48);
    expect(() => parsePolicy({ reminders: { overdueEveryHours: 1e9 } })).toThrow(/reminders.overdueEveryHours: must be at most 720/);
    expect(() => parsePolicy({ reminders: { beforeDeadlineHours: [24, 1e12] } })).toThrow(/beforeDeadlineHours\[1\]/);
    expect(() => parsePolicy({ clocks: { processorToControllerHours: 1e6 } })).toThrow(/processorToControllerHours/);
    expect(() => parsePolicy({ onCall: { escalation: { repeatAfterMinutes: 1e12 } } })).toThrow(/repeatAfterMinutes/);
  });
});

describe('a finding created after it arrived', () => {
  // Attack review 2, §6: createdAt is accepted up to a day ahead (clock skew), but the incident's
  // detection must not lie after the moment the finding reached us: a later detection pushed the
  // AP deadline later and refused every acknowledgement and assessment "before the detection".
  it('is detected when it arrived: the AP clock starts then, and on-call can acknowledge at once', async () => {
    const { store, cleanup } = tempSqliteStore();
    try {
      const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
      const ahead = findingEvent({ id: 'ahead', createdAt: '2026-11-29T08:00:00Z' });
      const id = (await recordEvent(deps, ahead)).incidentId as string;
      const incident = await store.getIncident(id);
      expect(incident?.detectedAt).toBe(NOW);
      expect(incident?.awareAt).toBe(NOW);
      const acked = await acknowledge({ store, policy: DEFAULT_POLICY, now: () => '2026-11-28T12:05:00.000Z' }, { incidentId: id, by: 'anna' });
      expect(acked.incident.acknowledgedBy).toBe('anna');
    } finally {
      await cleanup();
    }
  });
});

describe("a finding's key", () => {
  // Attack review 2, §10: the key joins account, region and id with "/", so region "eu-west-1/abc"
  // with id "def" and region "eu-west-1" with id "abc/def" were one key, and the second finding was
  // lost under an error that sent the reader to a clean verify.
  it('refuses a region that is not an AWS region, and an id holding "/" or control characters, naming the field', () => {
    const withDetail = (patch: Record<string, unknown>) => {
      const event = findingEvent({ createdAt: '2026-11-27T21:00:00Z' });
      Object.assign(event.detail, patch);
      return event;
    };
    expect(rejection(withDetail({ region: 'eu-west-1/abc', id: 'def' }))).toMatchObject({ path: 'detail.region' });
    expect(rejection(withDetail({ region: '../../../etc\u202e\u0000' }))).toMatchObject({ path: 'detail.region' });
    expect(rejection(withDetail({ id: 'abc/def' })).message).toMatch(/detail\.id.*"\/"/);
    expect(rejection(withDetail({ id: 'abc\u0000' })).path).toBe('detail.id');
    for (const region of ['eu-west-1', 'eu-central-2', 'us-gov-west-1', 'ap-southeast-5']) {
      expect(() => parseEvent(withDetail({ region }), { now: NOW }), region).not.toThrow();
    }
  });
});
