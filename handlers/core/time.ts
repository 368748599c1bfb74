/**
 * Time, computed in UTC and shown to people in the policy's zone (Europe/Amsterdam by default).
 * Periods in hours run on the wall clock, nights, weekends and holidays included (EU Regulation
 * 1182/71): a deadline across a daylight-saving change is still exactly that many real hours.
 */
import { DatalekError } from './errors.js';

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/**
 * Results remembered per text: a replay reads and computes the same few times (the clock of the
 * run, a finding's times, its deadline) for every event, and reading a time (Date.parse, then
 * toISOString) costs far more than looking it up. Only what a call returned is remembered (a call
 * that throws is made again); a bounded number of texts, forgotten all at once when full.
 */
class Remembered {
  private readonly known = new Map<string, string>();
  get(key: string): string | undefined {
    return this.known.get(key);
  }
  set(key: string, value: string): string {
    if (this.known.size >= REMEMBERED_MAX) this.known.clear();
    this.known.set(key, value);
    return value;
  }
}
const REMEMBERED_MAX = 4096;

const utc = new Remembered();
const plusHours = new Map<number, Remembered>();
const plusMinutes = new Map<number, Remembered>();

function shifted(by: Map<number, Remembered>, iso: string, amount: number, unitMs: number): string {
  let known = by.get(amount);
  if (!known) {
    if (by.size >= 64) by.clear();
    known = new Remembered();
    by.set(amount, known);
  }
  return known.get(iso) ?? known.set(iso, new Date(Date.parse(iso) + amount * unitMs).toISOString());
}

export function addHours(iso: string, hours: number): string {
  return shifted(plusHours, iso, hours, HOUR_MS);
}

export function addMinutes(iso: string, minutes: number): string {
  return shifted(plusMinutes, iso, minutes, MINUTE_MS);
}

/** Normalises any ISO 8601 timestamp with a zone to UTC with milliseconds: 2026-11-27T21:14:03.512Z. */
export function toUtc(iso: string): string {
  return utc.get(iso) ?? utc.set(iso, new Date(Date.parse(iso)).toISOString());
}

/** GuardDuty became available in November 2017: no finding, and no clock of this pipeline, is older. */
export const EARLIEST_PLAUSIBLE = '2017-01-01T00:00:00.000Z';

/** A time that is not a calendar-exact ISO 8601 instant with a zone, or lies outside the range asked for. */
export class InvalidTimeError extends DatalekError {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The range a time must lie in (inclusive), as ISO UTC; either end may be left open. */
export interface InstantRange {
  earliest?: string;
  latest?: string;
}

// 2026-11-27T21:14:03.512Z, 2026-11-27T22:14+01:00, 2026-11-27T22:14:03+0100. Upper case T and Z only.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;

/**
 * The one parser of timestamps: a calendar-exact ISO 8601 instant with a zone (`Z` or `±HH:MM`),
 * returned as ISO UTC with milliseconds. 2026-02-30, T24:00, a second 60, an offset beyond ±14:00
 * and a time without a zone (which would be read in whatever zone the machine happens to be in)
 * are refused. The reason names what is wrong without repeating the text, so it can be logged.
 */
export function parseInstant(text: unknown, range: InstantRange = {}): string {
  if (typeof text !== 'string') throw new InvalidTimeError(`expected an ISO 8601 time, got ${text === null ? 'null' : typeof text}`);
  // A text read before is the same instant: only the range is checked again.
  const iso = instants.get(text) ?? instants.set(text, readInstant(text));
  if (range.earliest && iso < toUtc(range.earliest)) throw new InvalidTimeError(`earlier than ${toUtc(range.earliest)}`);
  if (range.latest && iso > toUtc(range.latest)) throw new InvalidTimeError(`later than ${toUtc(range.latest)}`);
  return iso;
}

const instants = new Remembered();

/**
 * `text` as `parseInstant` reads it, from GuardDuty on (EARLIEST_PLAUSIBLE), or null when it cannot:
 * for a time a finding gives beside its own (eventFirstSeen, eventLastSeen), which is left aside,
 * never a reason to refuse the finding.
 */
export function instantOrNull(text: unknown): string | null {
  try {
    return parseInstant(text, { earliest: EARLIEST_PLAUSIBLE });
  } catch (e) {
    if (e instanceof InvalidTimeError) return null;
    throw e;
  }
}

/** `text` as ISO UTC with milliseconds, or why it is not a calendar-exact instant with a zone. */
function readInstant(text: string): string {
  const m = INSTANT.exec(text);
  if (!m) {
    const reason = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text)
      ? 'no time zone: add Z or an offset such as +01:00'
      : 'not an ISO 8601 time with a zone';
    throw new InvalidTimeError(`${reason} (e.g. 2026-11-27T21:14:03Z)`);
  }
  const [, y, mo, d, h, mi, s = '0', frac = '', z, sign, oh = '0', om = '0'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1) throw new InvalidTimeError('year 0000 is not a calendar year');
  if (month < 1 || month > 12) throw new InvalidTimeError('the month must be 01 to 12');
  if (day < 1 || day > daysInMonth(year, month)) throw new InvalidTimeError(`the day must be 01 to ${daysInMonth(year, month)} in that month`);
  if (Number(h) > 23) throw new InvalidTimeError('the hour must be 00 to 23 (T24:00 is not accepted: write the next day at 00:00)');
  if (Number(mi) > 59) throw new InvalidTimeError('the minute must be 00 to 59');
  if (Number(s) > 59) throw new InvalidTimeError('the second must be 00 to 59');
  const offsetMinutes = z ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  if (!z && (Number(om) > 59 || Math.abs(offsetMinutes) > 14 * 60)) throw new InvalidTimeError('the zone offset must lie within ±14:00');
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(Number(h), Number(mi) - offsetMinutes, Number(s), ms);
  if (date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) throw new InvalidTimeError('outside the years 0001 to 9999 in UTC');
  return date.toISOString();
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** "2026-11-27 22:14 CET": the local wall-clock time with its zone abbreviation. */
export function formatLocal(iso: string, timeZone: string): string {
  // formatToParts is slow and a message formats the same few times (deadline, detection) again
  // and again: the texts are remembered, a bounded number of them.
  let inZone = formatted.get(timeZone);
  if (!inZone) {
    if (formatted.size >= 64) formatted.clear();
    inZone = new Remembered();
    formatted.set(timeZone, inZone);
  }
  const known = inZone.get(iso);
  if (known !== undefined) return known;
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(timeZone, fmt);
  }
  const parts = Object.fromEntries(fmt.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return inZone.set(iso, `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${zoneName(parts.timeZoneName, timeZone)}`);
}

/**
 * A time a person reads: in `timeZone`, the ISO instant beside it ("2026-11-27 22:14 CET
 * (2026-11-27T21:14:00.000Z)"). The ISO alone read as 21:14 in Amsterdam, an hour early in winter,
 * two in summer (fg26, fg27); the local time alone cannot be checked against the record. The one
 * helper `show`, the commands' messages, the FG's refusals and the draft give a time by (fg28 item 2).
 */
export function localWithInstant(iso: string, timeZone: string): string {
  return `${formatLocal(iso, timeZone)} (${iso})`;
}

/** The texts formatted, per time zone (looked up without making a key string per call). */
const formatted = new Map<string, Remembered>();

// Intl prints "GMT+1" for Europe/Amsterdam in en-GB; people here read CET/CEST.
function zoneName(name: string | undefined, timeZone: string): string {
  if (timeZone === 'Europe/Amsterdam' || timeZone === 'Europe/Brussels' || timeZone === 'Europe/Berlin') {
    if (name === 'GMT+1') return 'CET';
    if (name === 'GMT+2') return 'CEST';
  }
  return name ?? timeZone;
}

/** "2d 3h", "5h 20m", "12m": a duration for people, rounded down to the minute. */
export function formatDuration(ms: number, lang: 'nl' | 'en' = 'en'): string {
  const totalMinutes = Math.floor(Math.abs(ms) / MINUTE_MS);
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  const d = lang === 'nl' ? 'd' : 'd';
  const h = lang === 'nl' ? 'u' : 'h';
  if (days > 0) return `${days}${d} ${hours}${h}`;
  if (hours > 0) return `${hours}${h} ${minutes}m`;
  return `${minutes}m`;
}

/** "51h 20m left" or "overdue by 3h 5m" (nl: "nog 51u 20m", "3u 5m te laat"). */
export function timeLeft(deadline: string, now: string, lang: 'nl' | 'en' = 'en'): string {
  const ms = Date.parse(deadline) - Date.parse(now);
  const span = formatDuration(ms, lang);
  if (ms >= 0) return lang === 'nl' ? `nog ${span}` : `${span} left`;
  return lang === 'nl' ? `${span} te laat` : `overdue by ${span}`;
}
