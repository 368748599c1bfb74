/**
 * What the record keeps of a long text a person sent (the informing decisions' texts), apart from the
 * commit's bounds (commit-bounds.ts): verify and the anchor read it, and load no policy for it.
 */
import { sha256 } from './hash.js';

/** The most characters a long text a person enters keeps in the record (use-cases/fields.ts MAX_TEXT_CHARS.longtext). */
export const MAX_LONGTEXT_CHARS = 8000;

/**
 * The text of what was sent as the record keeps it: the notice datalek drafts repeats the facts'
 * texts and can be longer than a text field keeps (review7 Y5), and a message already sent cannot be
 * shortened. One longer than MAX_LONGTEXT_CHARS is kept as its beginning, its length and its SHA-256
 * (the record's room for people's text is bounded); the decision's timeline entry keeps the whole text.
 */
export function keptSentText(text: string): string {
  const chars = [...text];
  if (chars.length <= MAX_LONGTEXT_CHARS) return text;
  const note = `\n\n[… ${chars.length} characters in all, SHA-256 ${sha256(text)}; the whole text as sent is on the timeline]`;
  return `${chars.slice(0, MAX_LONGTEXT_CHARS - [...note].length).join('')}${note}`;
}
