/**
 * read14b B2: review12 K1's fix holds the *incident record* a commit writes over to the ledger's
 * hash of it, but not the *finding record* a later version of the finding writes over. Someone with
 * write access to the SQLite file marks a finding record minimised (no hash recomputed): verify names
 * the edit, until GuardDuty's next version of the finding (every 6 hours while active) is recorded:
 * `laterVersion` minimises the new version because the record it replaces "was" (minimise.ts), the
 * ledger hashes it, and verify passes. The finding's evidence (user names, IP addresses) is erased
 * before the retention period, the record saying it was minimised by a name the editor chose.
 * The next version is now refused (stuck, not retried) while the incident records no minimising.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { ACCOUNT, findingEvent, REGION } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
let temp: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  temp = tempSqliteStore();
});
afterEach(async () => temp.cleanup());

it('a finding record edited to say minimised is not vouched for by the next version of the finding', async () => {
  const { store } = temp;
  let retries = 0;
  const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false, conflictRetry: { again: async () => ++retries < 10 } };
  const first = { id: 'e'.repeat(32), createdAt: '2026-11-28T01:00:00.000Z' };
  const incidentId = (await recordEvent(deps, findingEvent(first))).incidentId as string;
  expect((await verifyStore(store, { now: NOW })).problems).toEqual([]);

  // Write access to the file: the finding record says it is minimised; nothing recomputed.
  const db = new Database(join(temp.dir, STORE_FILE));
  db.prepare(
    `UPDATE findings SET data = json_set(data, '$.minimised', json('{"at":"2026-11-28T02:00:00.000Z","by":"FG","from":"x","removed":[]}')) WHERE finding_id = ?`,
  ).run(first.id);
  db.close();
  expect((await verifyStore(store, { now: NOW })).problems.length).toBeGreaterThan(0); // named while nothing else wrote it

  // GuardDuty's next version of the finding: written over the edited record, it would be minimised on the edit's word.
  await expect(recordEvent(deps, findingEvent({ ...first, updatedAt: '2026-11-28T02:30:00.000Z', count: 2 }))).rejects.toThrow(
    /finding .* says it is minimised, but incident .* records no minimising/,
  );
  expect(retries, 'stuck, not tried again as a race').toBe(0);
  const record = await store.getFinding({ accountId: ACCOUNT, region: REGION, findingId: first.id });
  expect(record?.incidentId).toBe(incidentId);
  expect(record?.version.count, 'the edited record was not written over').toBe(1);
  expect(record?.minimised?.removed, 'nothing removed from its evidence').toEqual([]);
  expect((await verifyStore(store, { now: NOW })).problems, 'verify still names the edit').not.toEqual([]);
});
