/**
 * The one timestamp parser (core/time.ts) that findings, --now and every time flag use: calendar
 * exact, with a zone, in a range when asked.
 */
import { describe, expect, it } from 'vitest';
import { InvalidTimeError, parseInstant } from '../../handlers/core/time.js';

function reason(text: unknown, range?: { earliest?: string; latest?: string }): string {
  try {
    parseInstant(text, range);
  } catch (err) {
    if (err instanceof InvalidTimeError) return err.reason;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('parseInstant', () => {
  it('reads an instant with a zone and returns it in UTC with milliseconds', () => {
    expect(parseInstant('2026-11-27T21:14:03.512Z')).toBe('2026-11-27T21:14:03.512Z');
    expect(parseInstant('2026-11-27T22:14:03+01:00')).toBe('2026-11-27T21:14:03.000Z');
    expect(parseInstant('2026-11-27T22:14+0100')).toBe('2026-11-27T21:14:00.000Z');
    expect(parseInstant('2026-11-27T21:14:03.123456789Z')).toBe('2026-11-27T21:14:03.123Z');
    expect(parseInstant('2028-02-29T12:00:00Z')).toBe('2028-02-29T12:00:00.000Z');
    expect(parseInstant('2026-03-29T01:30:00-05:30')).toBe('2026-03-29T07:00:00.000Z');
  });

  it('refuses days that do not exist instead of rolling them into the next month', () => {
    // Date.parse reads 2026-02-30 as 2 March.
    expect(Number.isFinite(Date.parse('2026-02-30T00:00:00Z'))).toBe(true);
    expect(reason('2026-02-30T00:00:00Z')).toMatch(/day must be 01 to 28/);
    expect(reason('2027-02-29T00:00:00Z')).toMatch(/day must be 01 to 28/);
    expect(reason('2026-04-31T00:00:00Z')).toMatch(/day must be 01 to 30/);
    expect(reason('2026-13-01T00:00:00Z')).toMatch(/month/);
    expect(reason('2026-00-10T00:00:00Z')).toMatch(/month/);
  });

  it('refuses T24:00, a 60th second, year 0000 and offsets beyond ±14:00', () => {
    expect(reason('2026-11-27T24:00:00Z')).toMatch(/T24:00 is not accepted/);
    expect(reason('2026-11-27T23:60:00Z')).toMatch(/minute/);
    expect(reason('2026-11-27T23:59:60Z')).toMatch(/second/);
    expect(reason('0000-01-01T00:00:00Z')).toMatch(/year 0000/);
    expect(reason('2026-11-27T10:00:00+15:00')).toMatch(/offset/);
    expect(reason('9999-12-31T23:59:00-01:00')).toMatch(/0001 to 9999/);
  });

  it('refuses a time without a zone, which would be read in whatever zone the machine is in', () => {
    expect(reason('2026-11-28T00:00:00')).toMatch(/^no time zone/);
    expect(reason('2026-11-28')).toMatch(/^no time zone/);
    expect(reason('2026-11-28 00:00:00Z')).toMatch(/^not an ISO 8601 time/);
    expect(reason('2026-11-28t00:00:00z')).toMatch(/^not an ISO 8601 time/);
    expect(reason('yesterday')).toMatch(/^not an ISO 8601 time/);
    expect(reason(1764300000000)).toMatch(/got number/);
  });

  it('checks a range, inclusive at both ends, and names the bound without repeating the value', () => {
    const range = { earliest: '2017-01-01T00:00:00Z', latest: '2026-11-29T00:00:00Z' };
    expect(parseInstant('2017-01-01T00:00:00Z', range)).toBe('2017-01-01T00:00:00.000Z');
    expect(parseInstant('2026-11-29T01:00:00+01:00', range)).toBe('2026-11-29T00:00:00.000Z');
    expect(reason('9999-12-31T23:59:59Z', range)).toBe('later than 2026-11-29T00:00:00.000Z');
    expect(reason('2016-12-31T23:59:59Z', range)).toBe('earlier than 2017-01-01T00:00:00.000Z');
  });
});
