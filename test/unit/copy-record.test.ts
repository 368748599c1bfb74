/**
 * Replay copies each incident it changes (the one read stays as it was, to compare with). The copy
 * must be what structuredClone gave, key order included: the copy is what the store writes, and
 * its bytes are hashed into the ledger.
 */
import { describe, expect, it } from 'vitest';
import { copyRecord } from '../../handlers/core/stored-record.js';

const STORED = JSON.stringify({
  id: 'dl-1',
  revision: 3,
  zero: 0,
  big: 1e21,
  small: 1e-7,
  text: 'é\u2028"😀',
  none: null,
  yes: true,
  list: [1, 'two', null, { z: 1, a: [[]] }, []],
  nested: { b: { c: { d: 'deep' } }, a: {} },
  10: 'index keys first',
  2: 'by number',
});

describe('copyRecord', () => {
  it('copies a record read from a store as structuredClone does: the same text, keys in the same order', () => {
    const read = JSON.parse(STORED);
    const copy = copyRecord(read);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(structuredClone(read)));
    expect(Object.keys(copy)).toEqual(Object.keys(read));
    expect(Object.is(copyRecord({ n: -0 }).n, -0)).toBe(Object.is(structuredClone({ n: -0 }).n, -0));
  });

  it('shares nothing with the record it copies', () => {
    const read = JSON.parse(STORED);
    const copy = copyRecord(read);
    copy.list[3].a[0].push('changed');
    copy.nested.b.c.d = 'changed';
    copy.list.push('more');
    expect(JSON.stringify(read)).toBe(STORED);
  });

  it('keeps a key named __proto__ a key, as JSON.parse and structuredClone do', () => {
    const read = JSON.parse('{"__proto__":{"polluted":true},"a":1}');
    const copy = copyRecord(read);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(copy)).toBe(JSON.stringify(structuredClone(read)));
  });

  it('copies what is not plain data as structuredClone does', () => {
    const when = new Date('2026-11-28T03:00:00.000Z');
    const copy = copyRecord({ when, map: new Map([['k', { v: 1 }]]) });
    expect(copy.when).not.toBe(when);
    expect(copy.when.toISOString()).toBe(when.toISOString());
    expect(copy.map.get('k')).toEqual({ v: 1 });
  });
});
