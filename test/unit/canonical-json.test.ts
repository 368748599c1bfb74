/**
 * The canonical JSON that every stored hash rests on (timeline entries, ledger and registry
 * entries, digests) is written in one pass; it must give exactly the text of its definition,
 * `JSON.stringify(sortKeys(value))`, or the hashes of stores written before would no longer verify.
 */
import { describe, expect, it } from 'vitest';
import { canonicalFields, canonicalJson, canonicalJsonReference, sha256 } from '../../handlers/core/hash.js';
import { entryHash } from '../../handlers/core/incident.js';

/** A small deterministic generator (mulberry32), so a failure names a seed that repeats it. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = [
  'a',
  'b',
  'B',
  '_',
  'z',
  '0',
  '1',
  '2',
  '10',
  '01',
  '-1',
  '1.5',
  '4294967294',
  '4294967295',
  '99999999999',
  'é',
  'ß',
  '\u2028',
  '"',
  '',
  'toString',
  'constructor',
  'seq',
  'at',
];
const STRINGS = ['', 'x', 'é', '\u0000', '\ud800', 'line\nbreak', '"quoted"', '\\', '€', '😀', '</script>'];
const NUMBERS = [0, -0, 1, -1, 1.5, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, Number.NaN, Number.POSITIVE_INFINITY];

function value(next: () => number, depth: number): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
  const r = next();
  if (depth > 3 || r < 0.35) return pick<unknown>([null, true, false, undefined, () => 1, Symbol('s'), ...STRINGS, ...NUMBERS]);
  if (r < 0.55) {
    const arr = Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
    if (next() < 0.1) arr.length += 2; // holes
    return arr;
  }
  if (r < 0.6) return new Date(0);
  if (r < 0.63) return Object.create(null);
  const obj: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 6); i > 0; i--) obj[pick(KEYS)] = value(next, depth + 1);
  return obj;
}

describe('canonical JSON', () => {
  it('writes exactly the text of its definition, for every kind of value', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const v = value(random(seed), 0);
      expect(canonicalJson(v), `seed ${seed}`).toBe(canonicalJsonReference(v));
    }
  });

  it('sorts keys at every level, index-like keys first by number, as an object holds them', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: null }, 10: 'x', 2: 'y' })).toBe(
      '{"2":"y","10":"x","a":{"c":null,"d":[3,{"z":1}]},"b":1}',
    );
  });

  it('sorts the keys of an object with many of them (past the short sort) as its definition does', () => {
    const many: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) many[`k${(i * 17) % 40}`] = { [`z${i}`]: i, [`a${i}`]: String(i) };
    expect(canonicalJson(many)).toBe(canonicalJsonReference(many));
  });

  it('writes a record of known keys given sorted (canonicalFields) exactly as its definition writes the object', () => {
    const keys = ['actor', 'at', 'detail', 'incidentId', 'kind', 'seq'];
    for (let seed = 1; seed <= 1000; seed++) {
      const next = random(seed);
      const values = keys.map(() => value(next, 1));
      const record = Object.fromEntries(keys.map((k, i) => [k, values[i]]));
      expect(canonicalFields(keys, values), `seed ${seed}`).toBe(canonicalJsonReference(record));
    }
  });

  it("hashes a timeline entry as its definition says: the previous hash, then the entry's canonical JSON", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const next = random(seed);
      const entry = { incidentId: 'dl-1', seq: seed, at: '2026-11-28T03:00:00.000Z', kind: 'k', actor: 'system', detail: value(next, 1), prevHash: 'p' };
      const { incidentId, seq, at, kind, actor, detail } = entry;
      const definition = sha256(`p\n${canonicalJsonReference({ incidentId, seq, at, kind, actor, detail })}`);
      expect(entryHash(entry as Parameters<typeof entryHash>[0]), `seed ${seed}`).toBe(definition);
    }
  });

  it('fails on what JSON cannot hold, as its definition does', () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });

  it('hashes text as its UTF-8 bytes', () => {
    expect(sha256('é')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
  });
});
