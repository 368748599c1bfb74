/**
 * read14b B7: review12 K4's check (`verify --digests` names an incident whose ledger moved with no
 * digest anchoring the move and no anchor mark waiting for it) judged only moves whose first entry
 * past the last anchored seq says it was written before the last digest. That entry is exactly what
 * K4's attacker rewrites (every hash recomputed), its `at` with it: set after the last digest, the
 * check skipped the incident and verify passed. An honest store never has an unmarked, unanchored
 * move (a commit marks in its own transaction; the anchor clears a mark only after writing the
 * digest that signed it), whatever the entry says of its time.
 */
import { expect, it } from 'vitest';
import { movedUnanchored } from '../../handlers/core/anchor.js';
import type { RawIncident } from '../../handlers/core/audit.js';
import type { LoadedDigest } from '../../handlers/core/digest.js';

const DIGEST_AT = '2026-11-27T22:00:00.000Z';
const digest = { name: 'digest-0000000002.json', sequence: 2, at: DIGEST_AT, incidents: [['dl-a', 1, 'h1']] } as unknown as LoadedDigest;
const entry = (seq: number, at: string) => ({ seq, data: JSON.stringify({ at, incidentId: 'dl-a', seq }), prevHash: `h${seq - 1}`, hash: `h${seq}` });
const raw = (at: string) => new Map([['dl-a', { id: 'dl-a', ledger: [entry(1, '2026-11-27T21:05:00.000Z'), entry(2, at)] } as unknown as RawIncident]]);

it.each([
  ['before', '2026-11-27T21:40:00.000Z'],
  ['after (as a rewrite can say)', '2026-11-27T23:00:00.000Z'],
])('an unmarked move no digest anchored is named whatever its entry says of its time: written %s the last digest', (_, at) => {
  const problems = movedUnanchored([digest], raw(at), new Set());
  expect(problems).toEqual([expect.objectContaining({ incidentId: 'dl-a', digest: 'digest-0000000002.json' })]);
  expect(problems[0]?.problem).toMatch(new RegExp(`ledger entry 2 \\(written ${at}, as it says\\) is in no digest.*nothing marks the incident`));
});

it('a move a mark waits for is no problem, nor one a digest anchored', () => {
  expect(movedUnanchored([digest], raw('2026-11-27T23:00:00.000Z'), new Set(['dl-a']))).toEqual([]);
  const anchoredBoth = { ...digest, incidents: [['dl-a', 2, 'h2']] } as unknown as LoadedDigest;
  expect(movedUnanchored([anchoredBoth], raw('2026-11-27T21:40:00.000Z'), new Set())).toEqual([]);
});
