/**
 * fg14b 4: from f787210 to 3784915 `minimise` removed an infected S3 object's key from the finding
 * record but not from the incident's tag-s3-object action (read A's A1). A store minimised by that
 * code still holds the key (a file name can name a person), and both `minimise` run again and
 * `verify` took the record as minimised: the finding record held nothing more to remove. Now
 * `verify` says such a record holds it (without quoting it), and `minimise` run again removes it.
 */

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import type { Incident } from '../../handlers/core/incident.js';
import { MINIMISED, minimiseClosed } from '../../handlers/core/minimise.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { storeMinimisedKeepingObjectKey } from '../support/old-record.js';
import { tempSqliteStore } from '../support/store.js';

const KEY = 'aanvragen/2026/11/paspoort-j-jansen-19800101.pdf';
const NOW = '2026-11-30T09:00:00.000Z';
let temp: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  temp = tempSqliteStore();
});
afterEach(async () => temp.cleanup());

/** The store's tables whose rows hold `text` anywhere. */
function tablesHolding(text: string): string[] {
  const db = new Database(join(temp.dir, STORE_FILE), { readonly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    return tables.filter((t) => (db.prepare(`SELECT * FROM "${t}"`).all() as unknown[]).some((r) => JSON.stringify(r).includes(text)));
  } finally {
    db.close();
  }
}

it('verify names a record minimised by that code as holding the key, and minimise run again removes it', async () => {
  const { store } = temp;
  const id = await storeMinimisedKeepingObjectKey(store, KEY);
  const tag = ((await store.getIncident(id)) as Incident).actions.find((a) => a.type === 'tag-s3-object');
  expect(tag?.params?.key).toBe(KEY);
  expect(tablesHolding('paspoort-j-jansen')).toEqual(['incidents']);

  const found = await verifyStore(store, { now: NOW });
  const problems = found.problems.filter((p) => p.incidentId === id);
  expect(problems.map((p) => p.problem).join('\n')).toMatch(new RegExp(`${tag?.id}.*still holds the infected object's key`));
  // Said without the key itself.
  expect(JSON.stringify(found)).not.toContain('paspoort');

  const report = await minimiseClosed({ store, audit: store, now: () => NOW }, { by: 'FG', afterDays: 0 });
  expect(report.minimised.map((m) => m.incidentId)).toEqual([id]);
  expect(((await store.getIncident(id)) as Incident).actions.find((a) => a.id === tag?.id)?.params?.key).toBe(MINIMISED);
  expect(tablesHolding('paspoort-j-jansen')).toEqual([]);
  expect((await verifyStore(store, { now: NOW })).problems).toEqual([]);
  // Run again, nothing left to do.
  expect((await minimiseClosed({ store, audit: store, now: () => NOW }, { by: 'FG', afterDays: 0 })).minimised).toEqual([]);
});
