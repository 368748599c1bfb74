/**
 * Text from findings is attacker-controlled: a finding type holding ESC [ 2 A (cursor up) or an OSC
 * sequence can rewrite what a terminal shows, and a newline in it can forge a line of a table
 * ("dl-… closed"). Control characters are therefore shown as visible escapes (`\u001b`) wherever
 * text leaves for a person: the terminal, and the lines of the FG and on-call messages.
 */

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI to some terminals), the Unicode line and
// paragraph separators, the bidirectional marks, overrides and isolates that reorder what is shown
// (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), and the invisible ones by which a finding
// type reads as another: zero-width space, non-joiner and joiner (U+200B-U+200D), word joiner and
// the invisible operators (U+2060-U+2064), and the zero-width no-break space (U+FEFF).
// (Built from a string: matching control characters is the point here, which the linter's rule against
// control characters in regular-expression literals cannot know.)
const RANGES = '\\u007f-\\u009f\\u061c\\u2028\\u2029\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff';
const CONTROL = new RegExp(`[\\u0000-\\u001f${RANGES}]`, 'g');
/** The same characters, to test for: most text holds none, and a test is cheaper than a replace. */
const HAS_CONTROL = new RegExp(`[\\u0000-\\u001f${RANGES}]`);
const CONTROL_KEEPING_LINES = new RegExp(`[\\u0000-\\u0009\\u000b-\\u001f${RANGES}]`, 'g');

function visible(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** One line of text for a person: every control character, newlines included, made visible. */
export function oneLine(value: unknown): string {
  const text = String(value ?? '');
  return HAS_CONTROL.test(text) ? text.replace(CONTROL, visible) : text;
}

/** A surrogate without its pair (with the `u` flag a pair is one code point, outside the range). */
const LONE_SURROGATE = /[\ud800-\udfff]/gu;

/**
 * A name from outside (a pager's webhook) as a record keeps it: on one line (`oneLine`), at most
 * `max` UTF-16 units but never cut through a pair, and a lone surrogate (a JSON escape `\ud800`)
 * made visible as that escape. A lone surrogate is no Unicode text: a store's UTF-8 column or
 * DynamoDB attribute writes U+FFFD for it, while the hash taken before keeps the escape, and
 * `verify` then reads the untouched entry as edited.
 */
export function storedName(value: unknown, max: number): string {
  const line = oneLine(value);
  // A pair's first half as the last unit kept: cut before the pair.
  const high = line.charCodeAt(max - 1);
  const end = line.length > max && high >= 0xd800 && high <= 0xdbff ? max - 1 : max;
  return line.slice(0, end).replace(LONE_SURROGATE, visible);
}

/**
 * Whether any of the texts holds a character `oneLine` makes visible. Each is tested as it is:
 * joining them first (a message's some thirty lines) made a copy of the whole text to test, which
 * cost more than the tests themselves.
 */
export function anyControl(texts: readonly string[]): boolean {
  for (const text of texts) if (hasControl(text)) return true;
  return false;
}

/** Whether the text holds a character `oneLine` makes visible. */
export function hasControl(text: string): boolean {
  return HAS_CONTROL.test(text);
}

/** Each text as `oneLine` makes it: the texts themselves when none holds a control character. */
export function oneLines(texts: readonly string[]): readonly string[] {
  return anyControl(texts) ? texts.map(oneLine) : texts;
}

/**
 * Text of several lines for a terminal: control characters made visible, except the line breaks
 * the text is made of (`\n`, and `\r` directly before `\n`, as in CSV). The escapes are JSON's own
 * (`\u001b`), so JSON output stays valid JSON with the same value.
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL_KEEPING_LINES, (c, offset: number, whole: string) => (c === '\r' && whole[offset + 1] === '\n' ? c : visible(c)));
}

/**
 * What shows as nothing: spaces and line breaks (Z*, \s), format characters (Cf: zero-width space,
 * word joiner, soft hyphen, byte order mark), control characters, combining marks (a mark alone, as
 * U+034F), and the fillers that draw no glyph (Hangul U+115F, U+1160, U+3164, U+FFA0, the blank
 * Braille pattern U+2800).
 */
const SHOWS_NOTHING = /[\s\p{Z}\p{Cf}\p{Cc}\p{M}\u115f\u1160\u3164\uffa0\u2800]/gu;

/**
 * Whether a text a person gave shows as nothing once what shows as nothing is taken out: a
 * required text (a reason, a name, a reference, the reasons for a delay) of such characters alone
 * is refused as an empty one is, or the record keeps a decision with no reason nobody can see
 * (atk28 F10). One test for every required text, on the command line and the page.
 */
export function blankText(text: string | null | undefined): boolean {
  return !text || text.replace(SHOWS_NOTHING, '').length === 0;
}

/** A person's text as kept: trimmed, or null when it shows as nothing (`blankText`). */
export function givenText(text: string | null | undefined): string | null {
  return blankText(text) ? null : (text as string).trim();
}

/** What a blank text held, for the refusal: its characters as code points (U+200B), which a terminal shows. */
export function showsNothing(text: string): string {
  const points = [...new Set([...text].map((c) => `U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`))];
  return `it holds only characters that show nothing (${points.slice(0, 8).join(' ')}${points.length > 8 ? ' …' : ''})`;
}

/**
 * Escapes text for Markdown so that it shows as the text it is: no links, images, HTML, emphasis,
 * code or table cells can be injected, and a line break cannot start a heading or a list item.
 * CommonMark lets a backslash escape any ASCII punctuation.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?|\n|\u2028|\u2029/g, ' ')
    .replace(/[\\`*_[\]<>|~&#!]/g, (c) => `\\${c}`)
    .replace(/^([-+=])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}
