/**
 * anchorrel17: verify --digests holds a release to what the digests before it pinned and to the
 * store. A release signed (by whoever held the key) that names a head no digest pinned, or whose
 * head taken on the store no longer holds, is named; one that gives up the pinned head excuses it.
 */
import { expect, it } from 'vitest';
import { compareWithDigests, type Digest, type ReleasedRow } from '../../handlers/core/digest.js';

const digest = (sequence: number, fields: Partial<Digest>): Digest & { name: string } =>
  ({ sequence, name: `digest-${sequence}`, at: `2026-11-2${sequence}T10:00:00Z`, registry: [], incidents: [], ...fields }) as Digest & { name: string };

/** A store holding incident A's ledger up to entry 2 (the copy put back), entry 3 (anchored before) gone. */
const store = {
  ledgerHash: (id: string, seq: number) => (id === 'A' ? ({ 1: 'h1', 2: 'h2' } as Record<number, string>)[seq] : undefined),
  hasIncident: (id: string) => id === 'A',
  registryHash: () => undefined,
};
const release = (row: Partial<ReleasedRow>): ReleasedRow => ({
  incident: 'A',
  taken: [2, 'h2'],
  by: 'FG',
  why: 'restored',
  at: '2026-11-23T10:00:00Z',
  ...row,
});
const problems = async (digests: (Digest & { name: string })[]) =>
  (await compareWithDigests(digests, store, new Set(['A']))).map((p) => `${p.digest} ${p.problem}`);

it('a release giving up the head anchored excuses it; without it the head is named as rewritten', async () => {
  const anchored = digest(1, { incidents: [['A', 3, 'h3']] });
  expect(await problems([anchored])).toEqual([expect.stringMatching(/^digest-1 ledger entry 3 is missing from digest 1/)]);
  expect(await problems([anchored, digest(2, { incidents: [['A', 2, 'h2']], released: [release({ anchored: [3, 'h3'] })] })])).toEqual([]);
});

it('a release naming a head no digest pinned, or whose head taken on is gone, is named', async () => {
  const anchored = digest(1, { incidents: [['A', 3, 'h3']] });
  expect(await problems([anchored, digest(2, { released: [release({ anchored: [3, 'other'] })] })])).toEqual([
    expect.stringMatching(/^digest-2 its release by FG gives up ledger entry 3 as anchored, which is not the head the digests before it anchored/),
  ]);
  expect(await problems([anchored, digest(2, { released: [release({ seen: [4, 'h4'] })] })])).toEqual([
    expect.stringMatching(/^digest-2 its release by FG gives up ledger entry 4 as seen, which is not the head the digest before it saw/),
  ]);
  expect(await problems([anchored, digest(2, { released: [release({ anchored: [3, 'h3'], taken: [2, 'rewritten'] })] })])).toEqual([
    expect.stringMatching(/^digest-2 ledger entry 2, the head its release by FG took on, is missing or differs/),
  ]);
});

it('a release giving up the head seen while left out checks it against the digest just before', async () => {
  const seen = digest(1, { seen: [['A', 3, 'h3']] });
  expect(await problems([seen])).toEqual([expect.stringMatching(/^digest-1 ledger entry 3 is missing from what digest 1/)]);
  expect(await problems([seen, digest(2, { incidents: [['A', 2, 'h2']], released: [release({ seen: [3, 'h3'] })] })])).toEqual([]);
});

it('a release replayed in a later digest (the same row signed again) is named: what it gives up is no longer what the digests pinned', async () => {
  const anchored = digest(1, { incidents: [['A', 3, 'h3']] });
  const releasing = digest(2, { incidents: [['A', 2, 'h2']], released: [release({ anchored: [3, 'h3'] })] });
  expect(await problems([anchored, releasing, digest(3, { released: [release({ anchored: [3, 'h3'] })] })])).toEqual([
    expect.stringMatching(/^digest-3 its release by FG gives up ledger entry 3 as anchored, which is not the head the digests before it anchored/),
  ]);
  const seen = digest(1, { seen: [['A', 3, 'h3']] });
  const releasedSeen = digest(2, { incidents: [['A', 2, 'h2']], released: [release({ seen: [3, 'h3'] })] });
  expect(await problems([seen, releasedSeen, digest(3, { released: [release({ seen: [3, 'h3'] })] })])).toEqual([
    expect.stringMatching(/^digest-3 its release by FG gives up ledger entry 3 as seen, which is not the head the digest before it saw/),
  ]);
});
