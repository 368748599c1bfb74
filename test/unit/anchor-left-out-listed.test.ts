/**
 * review15 K3: each digest lists the incidents it left out (`leftOut`, signed), and the next run reads
 * each of them whether or not the store marks it. Digests written before the list was kept still
 * verify, and the run after one takes the incidents it pinned (`seen`) as the ones it left out.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { pemSigner, pemVerifier } from '../../handlers/adapters/local/pem-keys.js';
import { type Digest, signDigest } from '../../handlers/core/digest.js';
import { sha256 } from '../../handlers/core/hash.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { storeAt } from '../support/sqlite-anchor.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
let world = tempSqliteStore();
afterEach(async () => {
  await world.cleanup();
  world = tempSqliteStore();
});

it('a digest written before it listed what it left out still verifies, and the runs after it list and then drop the incident', async () => {
  const { dir } = world;
  const { keys, digests, process, anchor, open, facts } = storeAt(dir, NOW);
  const a = await open('listed-old-1');
  expect((await anchor()).written?.incidents.map(([id]) => id)).toEqual([a]);

  // A moves and its record loses a byte: digest 2 leaves A out, pinned at its new head.
  await facts(a);
  const db = new Database(join(dir, 'datalek.sqlite'));
  const original = (db.prepare('SELECT data FROM incidents WHERE id = ?').get(a) as { data: string }).data;
  db.prepare("UPDATE incidents SET data = json_set(data, '$.severity', 2.0) WHERE id = ?").run(a);
  const loud = await anchor();
  expect([loud.leftOut, loud.written?.leftOut, loud.written?.seen?.map(([id]) => id)]).toEqual([[a], [a], [a]]);

  // Digest 2 as a release before the list was kept wrote it: no `leftOut`, signed so, recorded so.
  const name = 'digest-0000000002.json';
  const { signature: _, leftOut: __, ...body } = JSON.parse(readFileSync(join(dir, 'digests', name), 'utf8')) as Digest;
  const { bytes } = await signDigest(body, pemSigner(keys.private));
  rmSync(join(dir, 'digests', name));
  writeFileSync(join(dir, 'digests', name), bytes);
  await process((store) => store.saveAnchorState({ sequence: 2, name, digestHash: sha256(bytes.toString('utf8')), root: body.root }));
  const digestProblems = async () =>
    (await process((store) => verifyStore(store, { digests: { store: digests, verifier: pemVerifier(keys.public) }, now: NOW }))).digests?.problems;
  expect(await digestProblems(), 'the old digest verifies').toEqual([]);

  // The run after it takes the incidents it pinned as its list: it reads A, names it, and has nothing new to write.
  const listed = await anchor();
  expect([listed.leftOut, listed.written]).toEqual([[a], null]);

  // A put back: it verifies, holds the head digest 2 saw, and is signed there; the list is empty again.
  db.prepare('UPDATE incidents SET data = ? WHERE id = ?').run(original, a);
  db.close();
  const mended = await anchor();
  expect([mended.problems, mended.leftOut, mended.written?.incidents.map(([id]) => id), mended.written?.leftOut]).toEqual([[], [], [a], undefined]);
  expect(await digestProblems()).toEqual([]);
});
