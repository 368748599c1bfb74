/**
 * Time, computed in UTC and shown to people in the policy's zone (Europe/Amsterdam by default).
 * Periods in hours run on the wall clock, nights, weekends and holidays included (EU Regulation
 * 1182/71): a deadline across a daylight-saving change is still exactly that many real hours.
 */
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

export function addHours(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + hours * HOUR_MS).toISOString();
}

export function addMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * MINUTE_MS).toISOString();
}

/** Normalises any ISO 8601 timestamp with a zone to UTC with milliseconds: 2026-11-27T21:14:03.512Z. */
export function toUtc(iso: string): string {
  return new Date(Date.parse(iso)).toISOString();
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** "2026-11-27 22:14 CET": the local wall-clock time with its zone abbreviation. */
export function formatLocal(iso: string, timeZone: string): string {
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
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${zoneName(parts.timeZoneName, timeZone)}`;
}

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
