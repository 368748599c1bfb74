/**
 * review9 (low): `datalek open --aware-at 0001-01-01…` opened an incident with an AP deadline in year
 * 1, overdue at once (the sweep sent "AP-termijn verstreken"). An awareness before the AVG applied is
 * a typo: refused by name, nothing written; one after it is taken as stated.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openByHand } from '../../handlers/core/open-by-hand.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { tempSqliteStore } from '../support/store.js';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

it('refuses an awareness before the AVG applied, and opens one after it', async () => {
  const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => '2026-11-29T09:00:00.000Z' };
  const input = { by: 'Bert', what: 'Laptop met patiëntgegevens verloren' };
  for (const awareAt of ['0001-01-01T00:00:00Z', '1926-11-29T08:00:00Z', '2018-05-24T23:59:59Z'])
    await expect(openByHand(deps, { ...input, awareAt })).rejects.toThrow(/lies before 2018-05-25T00:00:00.000Z, when the AVG \(GDPR\) began to apply/);
  expect(await t.store.listIncidents({ openOnly: true })).toEqual([]);
  const opened = await openByHand(deps, { ...input, awareAt: '2018-05-25T00:00:00Z' });
  expect(opened.awareAt).toBe('2018-05-25T00:00:00.000Z');
});
