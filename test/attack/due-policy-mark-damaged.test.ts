/**
 * The store's due-policy mark (the policy the sweep last set every due time under, vpol) damaged behind
 * the pipeline (finB s28 F2): its JSON was parsed unguarded, so every `datalek verify` died on a bare
 * SyntaxError (exit 3, naming nothing), and every sweep stopped its policy pass on it and never wrote a
 * good mark again. A mark whose settings are not its digest's was used as it stood. Now verify names the
 * mark and goes on; the sweep reads it as none and writes it anew, and verify is then clean.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

let t: ReturnType<typeof tempSqliteStore>;
let store: SqliteIncidentStore;
const NOW = '2026-11-27T21:10:00.000Z';

beforeEach(async () => {
  t = tempSqliteStore();
  store = t.store;
  await recordEvent({ store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:05:00.000Z', canEnforce: false }, findingEvent({ id: 'f-mark' }));
  await sweep({ store, policy: DEFAULT_POLICY, now: () => NOW });
  expect(await store.duePolicyMark(), 'premise: the sweep wrote its mark').not.toBeNull();
});
afterEach(async () => t.cleanup());

function setMark(edit: (value: string) => string): void {
  const db = new Database(join(t.dir, STORE_FILE));
  const row = db.prepare("SELECT value FROM meta WHERE key = 'due-policy'").get() as { value: string };
  db.prepare("UPDATE meta SET value = ? WHERE key = 'due-policy'").run(edit(row.value));
  db.close();
}

describe('a due-policy mark damaged behind the pipeline', () => {
  it.each([
    ['no JSON', () => 'garbage', 'it is not valid JSON'],
    [
      'its settings changed, its digest left',
      (v: string) => JSON.stringify({ ...JSON.parse(v), settings: { ...JSON.parse(v).settings, timeZone: 'UTC' } }),
      'its settings are not the ones its digest names',
    ],
    ['its settings taken out', (v: string) => JSON.stringify({ ...JSON.parse(v), settings: null }), 'it lacks its digest, time or settings'],
  ])('%s: verify names it and goes on; the next sweep writes it anew', async (_, edit, why) => {
    setMark(edit);
    const damaged = await verifyStore(store, { now: NOW, policy: DEFAULT_POLICY });
    expect(damaged.store.join('\n')).toContain(`the policy the sweep last set every due time under cannot be read (${why})`);
    await sweep({ store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:15:00.000Z' });
    const after = await verifyStore(store, { now: '2026-11-27T21:15:00.000Z', policy: DEFAULT_POLICY });
    expect(after.store).toEqual([]);
    expect(after.problems).toEqual([]);
  });
});
