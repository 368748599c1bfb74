import { createHash, hash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level: the same value always gives the same text.
 *
 * The text is exactly `JSON.stringify(sortKeys(value))`, the definition every stored hash was
 * made with (`canonicalJsonReference`); it is written in one pass, without copying the value
 * first, because a record hashes several of these per event. Keys that are array indices ("2",
 * "10") come first in numeric order, as they do in the reference (an object's own order), then
 * the others sorted. Anything but plain data (a class instance, a `toJSON` key) takes the
 * reference's path.
 */
export function canonicalJson(value: unknown): string {
  return write(value) as string;
}

/**
 * `canonicalJson` of a plain object with exactly these keys, given sorted (as `canonicalJson` sorts
 * them; none an array index), and these values: for a record of known keys, such as a timeline
 * entry, written without making the object or sorting its keys on every call.
 */
export function canonicalFields(sortedKeys: readonly string[], values: readonly unknown[]): string {
  let out = '{';
  let first = true;
  for (let i = 0; i < sortedKeys.length; i++) {
    const text = write(values[i]);
    if (text === undefined) continue;
    if (first) first = false;
    else out += ',';
    out += quotedKey(sortedKeys[i]);
    out += ':';
    out += text;
  }
  return `${out}}`;
}

/** The definition of `canonicalJson`, kept to check the fast one against. */
export function canonicalJsonReference(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quoted(value);
    case 'number':
      // JSON writes a finite number as its shortest text (Number::toString), anything else as null.
      return Number.isFinite(value) ? `${value}` : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i) out += ',';
          out += write(value[i]) ?? 'null';
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || Object.hasOwn(value, 'toJSON')) return JSON.stringify(sortKeys(value));
      const record = value as Record<string, unknown>;
      const keys = sortedKeys(record);
      let out = '{';
      let first = true;
      for (const key of hasIndexKey(keys) ? objectOrder(keys) : keys) {
        const text = write(record[key]);
        if (text === undefined) continue;
        if (first) first = false;
        else out += ',';
        out += quotedKey(key);
        out += ':';
        out += text;
      }
      return `${out}}`;
    }
    case 'bigint':
      // Throws as the reference does.
      return JSON.stringify(value);
    default:
      // undefined, functions and symbols: left out of objects, null in arrays.
      return undefined;
  }
}

/**
 * What JSON.stringify escapes in a string: the quote, the backslash, control characters, and
 * surrogates (a lone one is written as an escape). (Built from a string: the linter's rule against
 * control characters in regular-expression literals cannot know that matching them is the point.)
 */
const SURROGATES = '\\ud800-\\udfff';
const ESCAPED = new RegExp(`["\\\\\\u0000-\\u001f${SURROGATES}]`);

/** A string as JSON text: most need no escape, and quoting them is cheaper than asking JSON.stringify. */
function quoted(text: string): string {
  return ESCAPED.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** Most keys an object may have to be sorted by insertion; beyond, by Array.prototype.sort. */
const FEW_KEYS = 24;

/**
 * The object's own enumerable keys, sorted by UTF-16 code units as `Array.prototype.sort` sorts
 * strings. Records have a few keys each, and several objects a record; the default sort converts
 * every key it compares to a string, an insertion sort compares them as they are.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  if (keys.length > FEW_KEYS) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
    keys[j + 1] = key;
  }
  return keys;
}

/** An array index as an object key: such keys come first, in numeric order, in any object. */
const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;
const MAX_INDEX = 2 ** 32 - 2;

function isIndexKey(key: string): boolean {
  return INDEX_KEY.test(key) && Number(key) <= MAX_INDEX;
}

/** Whether any key is an array index (only a key starting with a digit can be). */
function hasIndexKey(keys: string[]): boolean {
  for (const key of keys) {
    const c = key.charCodeAt(0);
    if (c >= 0x30 && c <= 0x39 && isIndexKey(key)) return true;
  }
  return false;
}

/**
 * A key as JSON text. The same few keys are written for every entry: their texts are remembered
 * (a bounded number, forgotten all at once when full).
 */
function quotedKey(key: string): string {
  let text = quotedKeys.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (quotedKeys.size >= 4096) quotedKeys.clear();
    quotedKeys.set(key, text);
  }
  return text;
}
const quotedKeys = new Map<string, string>();

/** Sorted keys in the order an object made from them holds them (indices first, by number). */
function objectOrder(sorted: string[]): string[] {
  const indices = sorted.filter(isIndexKey).sort((a, b) => Number(a) - Number(b));
  return [...indices, ...sorted.filter((k) => !isIndexKey(k))];
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function sha256(text: string): string {
  // The one-shot form: no Hash object per call (a record hashes some twenty short texts per event).
  return hash('sha256', text, 'hex');
}

/** The CSP form of a hash: `sha256-<base64>`. */
export function sha256Base64(text: string): string {
  return `sha256-${createHash('sha256').update(text).digest('base64')}`;
}
