/**
 * Drills: practice on a marked copy of a store (`datalek drill`). A drill may run at any time, past
 * or future, and nothing it sends may be mistaken for the real thing: every message it delivers
 * carries the mark in its subject, its first line and its attributes (subscribers can filter on
 * `drill`).
 */
import type { Notifier } from '../ports/notifier.js';
import type { OutboxMessage } from './incident.js';
import { escapeMarkdown, oneLine } from './text.js';

export const DRILL_PREFIX = '[DRILL] ';

const DRILL_NOTE =
  'OEFENING / DRILL: dit bericht komt uit een oefenkopie van de incidentenopslag; niets hierin is echt. This message comes from a drill copy of the store; nothing in it is real.';

/** The message as a drill sends it: marked in the subject, the body and the attributes. */
export function drillMessage(message: OutboxMessage): OutboxMessage {
  if (message.attributes.drill === 'true') return message;
  return {
    ...message,
    subject: `${DRILL_PREFIX}${message.subject}`,
    body: `${DRILL_NOTE}\n\n${message.body}`,
    attributes: { ...message.attributes, drill: 'true' },
  };
}

/** Wraps a notifier so that everything it delivers is marked as a drill. */
export function drillNotifier(inner: Notifier): Notifier {
  return { deliver: (message) => inner.deliver(drillMessage(message)) };
}

/** What makes a store a drill copy: the store it was copied from and when (the store's own mark). */
export interface DrillMark {
  from: string;
  at: string;
}

/**
 * The mark of a drill's outputs (atk29 A4): a draft, notice, register or report a drill makes must
 * never read as the record's, to the AP, to the people affected or to the FG with both pages open.
 * The output's own language first, the other beside it, as the messages' note.
 */
export function drillTitle(lang: 'nl' | 'en'): string {
  return lang === 'nl' ? 'OEFENING / DRILL' : 'DRILL / OEFENING';
}

/** One line saying what the drill copy is, and what is never done with what it shows. */
export function drillLine(mark: DrillMark, lang: 'nl' | 'en'): string {
  const from = oneLine(mark.from);
  const at = oneLine(mark.at);
  return lang === 'nl'
    ? `${drillTitle(lang)}: dit komt uit een oefenkopie van ${from} (gemaakt ${at}); niets hierin is echt. Stuur het nooit naar de AP of de betrokkenen en leg niets ervan vast in de echte opslag.`
    : `${drillTitle(lang)}: this comes from a drill copy of ${from} (made ${at}); nothing in it is real. Never send it to the AP or the people affected, and record none of it in the real store.`;
}

/** A Markdown text of a drill: its first heading (or a new one) marked, the drill's line under it. */
export function drillMarkdown(text: string, mark: DrillMark, lang: 'nl' | 'en'): string {
  const note = `> ${escapeMarkdown(drillLine(mark, lang))}`;
  const [first, ...rest] = text.split('\n');
  if (first.startsWith('# ')) return [`# ${drillTitle(lang)}: ${first.slice(2)}`, '', note, ...rest].join('\n');
  return [`# ${drillTitle(lang)}`, '', note, '', text].join('\n');
}

/** The field a drill's JSON output carries first (none on a real store: its outputs stay as they were). */
export function drillField(mark: DrillMark | null | undefined): { drill?: DrillMark } {
  return mark ? { drill: { from: mark.from, at: mark.at } } : {};
}
