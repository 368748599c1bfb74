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

/** The definition of `canonicalJson`, kept to check the fast one against. */
export function canonicalJsonReference(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += `${i ? ',' : ''}${write(value[i]) ?? 'null'}`;
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || Object.hasOwn(value, 'toJSON')) return JSON.stringify(sortKeys(value));
      const record = value as Record<string, unknown>;
      let out = '{';
      let first = true;
      for (const key of objectOrder(Object.keys(record).sort())) {
        const text = write(record[key]);
        if (text === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
        first = false;
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

/** An array index as an object key: such keys come first, in numeric order, in any object. */
const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;
const MAX_INDEX = 2 ** 32 - 2;

function isIndexKey(key: string): boolean {
  return INDEX_KEY.test(key) && Number(key) <= MAX_INDEX;
}

/** Sorted keys in the order an object made from them holds them (indices first, by number). */
function objectOrder(sorted: string[]): string[] {
  if (!sorted.some(isIndexKey)) return sorted;
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
