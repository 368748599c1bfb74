/**
 * How much one FG or on-call message may say. A finding can name thousands of resources (an attack
 * sequence across every bucket of an account), and a message that lists them all can never be sent:
 * SNS takes at most 256 KB a publish, and gets the text twice (e-mail and the default) beside the
 * chat card. So a message lists the first resources and actions, says how many more there are and
 * where to see them all (`datalek show ID`), and its text never exceeds MAX_BODY_BYTES, in Dutch and
 * English alike. What is left out of a message is never left out of the record.
 */
import { MAX_ACTIONS, MAX_RECORD_BYTES } from './commit-bounds.js';
import type { Lang } from './labels.js';

/** Most resources, or containment actions, one message lists. */
export const MAX_LISTED = 20;
/**
 * Most bytes (UTF-8) of a message's text: twice this, with the chat card (at most about 8 KB of
 * text) and JSON's escapes, stays well within SNS's 256 KB a publish.
 */
export const MAX_BODY_BYTES = 32 * 1024;

const WORDS = {
  nl: {
    more: (n: number, id: string) => `… en nog ${n} meer (alle: datalek show ${id})`,
    cut: (kb: number, id: string) => `… (bericht ingekort tot ${kb} kB; alles: datalek show ${id})`,
    once: (id: string) =>
      `Latere bevindingen van dit type op dit incident worden niet opnieuw gemeld, behalve wanneer ze een nieuwe resource noemen: datalek show ${id} toont ze.`,
    notPlanned: (n: number, max: number, kb: number, id: string) =>
      `Niet gepland: ${n} inperkingsactie(s) waarvoor het dossier van het incident geen ruimte meer heeft (ten hoogste ${max}, en ${kb} kB met wat ze vastleggen); perk die middelen zelf in (de bevindingen noemen ze: datalek show ${id}).`,
  },
  en: {
    more: (n: number, id: string) => `… and ${n} more (all of them: datalek show ${id})`,
    cut: (kb: number, id: string) => `… (message shortened to ${kb} KB; all of it: datalek show ${id})`,
    once: (id: string) => `Later findings of this type on this incident are not told again unless they name a new resource: datalek show ${id} lists them.`,
    notPlanned: (n: number, max: number, kb: number, id: string) =>
      `Not planned: ${n} containment action(s) the incident's record has no room for (at most ${max}, and ${kb} KB with what they record); contain those resources by hand (the findings name them: datalek show ${id}).`,
  },
} as const;

/** "… and N more (all of them: datalek show ID)". */
export function moreText(lang: Lang, more: number, incidentId: string): string {
  return WORDS[lang].more(more, incidentId);
}

/** On-call's news of a finding type: later findings of it are not told again. */
export function onceText(lang: Lang, incidentId: string): string {
  return WORDS[lang].once(incidentId);
}

/**
 * The containment the record had no room for, as the AP draft's measures and the register say it
 * (nothing of it was carried out: a person contains those resources), or null when none was left out.
 */
export function notPlannedMeasure(
  incident: { actionsNotPlanned?: { count: number; since: string } },
  lang: Lang,
  when: (iso: string) => string,
): string | null {
  const left = incident.actionsNotPlanned;
  if (!left) return null;
  return lang === 'nl'
    ? `nog ${left.count} inperkingsactie(s) niet gepland en niet uitgevoerd door datalek: het dossier van het incident had er geen ruimte voor (sinds ${when(left.since)}); de bevindingen noemen die middelen`
    : `${left.count} further containment action(s) not planned or carried out by datalek: the incident's record had no room for them (since ${when(left.since)}); the findings name those resources`;
}

/** The containment actions left out of the record for want of room (commit-bounds.ts MAX_ACTIONS, MAX_RECORD_BYTES). */
export function notPlannedText(lang: Lang, count: number, incidentId: string): string {
  return WORDS[lang].notPlanned(count, MAX_ACTIONS, MAX_RECORD_BYTES / 1024, incidentId);
}

/**
 * The first MAX_LISTED items, and after them how many more (with `unlisted`, those the record
 * counts without listing them) and where to see them all.
 */
export function listed(items: readonly string[], lang: Lang, incidentId: string, unlisted = 0, max = MAX_LISTED): string[] {
  const more = Math.max(0, items.length - max) + unlisted;
  return more === 0 ? [...items] : [...items.slice(0, max), moreText(lang, more, incidentId)];
}

/**
 * Which of `items` a message lists: all when they fit, else those `first` picks (failures: never
 * summarised away) and then the others, up to `max`, in their own order.
 */
export function pickListed<T>(items: readonly T[], first: (item: T) => boolean, max = MAX_LISTED): { shown: T[]; more: number } {
  if (items.length <= max) return { shown: [...items], more: 0 };
  const chosen = new Set<T>();
  for (const item of items) if (chosen.size < max && first(item)) chosen.add(item);
  for (const item of items) if (chosen.size < max) chosen.add(item);
  return { shown: items.filter((item) => chosen.has(item)), more: items.length - max };
}

/** UTF-8 bytes, counted without encoding the text (an encoding per line cost more than composing it). */
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * A message's lines cut to at most `maxBytes` (joined by newlines), with a last line saying it was
 * shortened and where all of it is. Lines that fit are returned as they are.
 */
export function boundBody(lines: readonly string[], lang: Lang, incidentId: string, maxBytes = MAX_BODY_BYTES): string[] {
  // A UTF-16 unit is at most three bytes of UTF-8: a message well within the bound (every one but
  // a storm's) is not counted byte by byte.
  let units = -1;
  for (const line of lines) units += line.length + 1;
  if (units * 3 <= maxBytes) return [...lines];
  let total = -1;
  for (const line of lines) total += bytes(line) + 1;
  if (total <= maxBytes) return [...lines];
  const note = WORDS[lang].cut(Math.floor(maxBytes / 1024), incidentId);
  const budget = maxBytes - bytes(note) - 1;
  const out: string[] = [];
  let used = 0;
  for (const line of lines) {
    const size = bytes(line) + (out.length ? 1 : 0);
    if (used + size > budget) {
      // A line too long for what is left: its start, cut on a character, if any room is left.
      const room = budget - used - (out.length ? 1 : 0);
      if (room > 0) out.push(cutToBytes(line, room));
      break;
    }
    out.push(line);
    used += size;
  }
  out.push(note);
  return out;
}

/** The longest start of `text` within `max` bytes of UTF-8, never cutting a character in two. */
function cutToBytes(text: string, max: number): string {
  let used = 0;
  let end = 0;
  for (const ch of text) {
    const size = bytes(ch);
    if (used + size > max) break;
    used += size;
    end += ch.length;
  }
  return text.slice(0, end);
}
