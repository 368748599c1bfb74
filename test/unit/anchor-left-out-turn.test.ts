/**
 * record20: a run read the first maxBroken incidents of the last digest's left-out list (id order)
 * every time. The runs now read on from where the one before stopped in the list (`leftOutTurn`,
 * signed), wrapping around, so every incident listed is read within ceil(n / maxBroken) runs. The
 * embedded store reads a left-out incident through its moved head too; DynamoDB, where a deleted
 * mark leaves only the list, is test/integration/anchor-left-out-list-full-dynamodb.test.ts.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { pemVerifier } from '../../handlers/adapters/local/pem-keys.js';
import { LEFT_OUT_NOT_READ } from '../../handlers/core/anchor.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { storeAt } from '../support/sqlite-anchor.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-12-01T01:00:00.000Z';
let world = tempSqliteStore();
afterEach(async () => {
  await world.cleanup();
  world = tempSqliteStore();
});

it('reads the left-out list on from where the run before stopped, wrapping around, and the digests verify', async () => {
  const { dir } = world;
  const { keys, digests, process, anchor, open, facts } = storeAt(dir, NOW);
  const ids: string[] = [];
  for (let n = 1; n <= 5; n++) ids.push(await open(`turn-${n}`));
  ids.sort();
  await anchor();
  // Each moves, and its record loses a byte: left out, until all five are listed.
  const db = new Database(join(dir, 'datalek.sqlite'));
  for (const id of ids) {
    await facts(id);
    db.prepare("UPDATE incidents SET data = json_set(data, '$.severity', 2.0) WHERE id = ?").run(id);
  }
  db.close();
  for (let n = 0; n < 5 && (await anchor(undefined, 2)).written?.leftOut?.length !== ids.length; n++);

  // Three runs, two of the list each: on after the turn, wrapping around.
  const turns: (string | undefined)[] = [];
  const notRead: string[][] = [];
  for (let n = 0; n < 3; n++) {
    const r = await anchor(undefined, 2);
    turns.push(r.written?.leftOutTurn);
    notRead.push(r.problems.filter((p) => p.entry === LEFT_OUT_NOT_READ).map((p) => p.incidentId));
  }
  const start = ids.indexOf(turns[0] as string);
  expect(turns).toEqual([0, 2, 4].map((k) => ids[(start + k) % 5]));
  // Every incident listed is read from the list within the three runs.
  for (const id of ids) expect(notRead.some((names) => !names.includes(id))).toBe(true);
  const checked = await process((store) => verifyStore(store, { digests: { store: digests, verifier: pemVerifier(keys.public) }, now: NOW }));
  expect(checked.digests?.problems).toEqual([]);
});
