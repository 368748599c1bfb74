/**
 * `withOwnPseudonyms` names each store-wide pseudonym in a value (a message, a timeline entry's
 * detail) by the incident's own. Most values name none: those are returned as they are without
 * first being written as JSON (issue #14: a replay wrote each message, some 2.4 KB, and each entry
 * it chained as JSON only to search the text); what it returns is what the JSON round trip gave.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ownPseudonyms, STORE_WIDE_PSEUDONYMS, withOwnPseudonyms } from '../../handlers/core/incident-pseudonyms.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

/** The definition: the value as JSON, searched, and read back when it held a pseudonym. */
function reference<T>(key: string | undefined, value: T): T {
  if (!key) return value;
  const text = JSON.stringify(value);
  if (text === undefined || !new RegExp(STORE_WIDE_PSEUDONYMS.source).test(text)) return value;
  return JSON.parse(ownPseudonyms(key, text)) as T;
}

class Tagged {
  constructor(readonly tag: string) {}
}

const VALUES: Record<string, unknown> = {
  'a message naming an instance': {
    id: 'dl-1/fg/opened',
    subject: '[datalek High] Incident: Backdoor:EC2/C&CActivity.B i-0123',
    body: 'Resource: EC2 instance i-0123\nAccount: 111122223333 / eu-west-1',
    attributes: { severity: '8', sample: 'false' },
    card: {
      facts: [
        ['Incident', 'dl-1'],
        ['Severity', '8 (High)'],
      ],
    },
    sentAt: null,
    count: 3,
  },
  'a pseudonym in a nested value': { detail: { resources: [{ id: 'iam-user:0123456789abcdef', kind: 'iam-principal' }] } },
  'a pseudonym in a key': { 'role-session:0123456789abcdef': true },
  'a pseudonym in a string of an array': ['x', ['federated-user:fedcba9876543210 acted']],
  'user: without a pseudonym': { text: 'the user: someone, session: none' },
  'a form feed before "ederated-user:", which JSON writes as \\f': { text: '\federated-user:0123456789abcdef' },
  'a carriage return before "ole-session:"': ['\role-session:0123456789abcdef'],
  'a pseudonym already the incident’s own': { id: 'iam-user:~0123456789abcdef' },
  'too few hex digits': { id: 'iam-user:0123456789abcde' },
  'a key whose value JSON leaves out': { 'iam-user:0123456789abcdef': undefined, n: 1 },
  'a date': { at: new Date('2026-11-28T03:00:00.000Z') },
  'a class instance': { t: new Tagged('iam-user:0123456789abcdef') },
  'a toJSON key': { v: { toJSON: () => 'role-session:0123456789abcdef' } },
  'an array with a toJSON key': { v: Object.assign(['x'], { toJSON: () => 'role-session:0123456789abcdef' }) },
  'an array of a subclass with toJSON': {
    v: new (class extends Array {
      toJSON() {
        return 'iam-user:0123456789abcdef';
      }
    })(),
  },
  'a bare string': 'iam-user:0123456789abcdef',
  'a number': 42,
  null: null,
  undefined: undefined,
  'deep nesting': JSON.parse(`${'['.repeat(80)}"iam-user:0123456789abcdef"${']'.repeat(80)}`),
};

describe('withOwnPseudonyms', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('returns a value naming no store-wide pseudonym as it is, without writing it as JSON', () => {
    const message = VALUES['a message naming an instance'];
    const stringify = vi.spyOn(JSON, 'stringify');
    expect(withOwnPseudonyms(KEY, message)).toBe(message);
    expect(stringify).not.toHaveBeenCalled();
  });

  it.each(Object.entries(VALUES))('gives what the JSON round trip gives: %s', (_, value) => {
    const expected = reference(KEY, value);
    const actual = withOwnPseudonyms(KEY, value);
    expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
    // The same value back, not a copy, exactly when the round trip gave it back.
    expect(actual === value).toBe(expected === value);
  });

  it('names a pseudonym by the incident’s own', () => {
    const out = withOwnPseudonyms(KEY, VALUES['a pseudonym in a nested value']) as { detail: { resources: { id: string }[] } };
    expect(out.detail.resources[0].id).toMatch(/^iam-user:~[0-9a-f]{16}$/);
  });

  it('throws on a bigint, as JSON does', () => {
    expect(() => withOwnPseudonyms(KEY, { n: 1n })).toThrow(TypeError);
  });
});
