/**
 * readB20: a digest whose list and pins are in a left-out set (record20) was written as a
 * `datalek-digest/1` digest, signed as every digest before it. A release before record20 reads
 * that format and checks that signature, knows no `leftOutSet`, and so took the digest and checked
 * nothing of what it pins, silently: `verify --digests` passed over a history rewritten while it
 * was left out (the FG's CLI lagging the deployed anchor), and its `datalek anchor` continued from
 * the digest with every pin and the left-out list dropped. Such a digest is now of its own format,
 * signed under it, which those releases refuse by name; digests without a set stay as they were.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { DigestFolder } from '../../handlers/adapters/local/digest-folder.js';
import { pemSigner, pemVerifier } from '../../handlers/adapters/local/pem-keys.js';
import { anchorStore } from '../../handlers/core/anchor.js';
import { type Digest, MAX_PINS_IN_BODY } from '../../handlers/core/digest.js';
import { canonicalJson, sha256 } from '../../handlers/core/hash.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import type { DigestStore } from '../../handlers/ports/digests.js';
import { storeAt } from '../support/sqlite-anchor.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-12-01T01:30:00.000Z';
let world = tempSqliteStore();
afterEach(async () => {
  await world.cleanup();
  world = tempSqliteStore();
});

/** What a release before record20 checked of a digest: its format, and its signature under that format (core/digest.ts then). */
function takenBeforeRecord20(digest: Digest, verifier: ReturnType<typeof pemVerifier>): boolean {
  const { signature, ...body } = digest;
  if (body.format !== 'datalek-digest/1') return false;
  const statement = Buffer.from(`datalek-digest/1\n${sha256(canonicalJson(body))}`, 'utf8');
  return verifier.verify(statement, Buffer.from(signature, 'base64'), body.key.algorithm);
}

it('writes a digest with a left-out set so that a release before record20 refuses it, and still reads it', async () => {
  const { dir } = world;
  const { keys, digests, process, anchor, open } = storeAt(dir, NOW);
  const verifier = pemVerifier(keys.public);
  const digestAt = (n: number) => JSON.parse(readFileSync(join(dir, 'digests', `digest-${String(n).padStart(10, '0')}.json`), 'utf8')) as Digest;

  // A digest with nothing left out: as every release reads it.
  await open('sound-0');
  expect((await anchor()).written?.sequence).toBe(1);
  expect([digestAt(1).format, takenBeforeRecord20(digestAt(1), verifier)]).toEqual(['datalek-digest/1', true]);

  // More left out than a body carries: a left-out set, under a format of its own that the older release does not take.
  for (let n = 1; n <= MAX_PINS_IN_BODY + 1; n++) await open(`kept-broken-${n}`);
  const db = new Database(join(dir, 'datalek.sqlite'));
  db.prepare("UPDATE incidents SET data = json_set(data, '$.severity', 2.0) WHERE id != ?").run(digestAt(1).incidents[0][0]);
  db.close();
  const r = await anchor(undefined, MAX_PINS_IN_BODY + 1);
  expect([r.written?.sequence, r.written?.leftOutSet?.incidents]).toEqual([2, MAX_PINS_IN_BODY + 1]);
  expect(digestAt(2).format).toBe('datalek-digest/2');
  expect(takenBeforeRecord20(digestAt(2), verifier), 'a release before record20 would check nothing it pins').toBe(false);

  // This release reads both, and continues from it.
  const checked = await process((store) => verifyStore(store, { digests: { store: digests, verifier }, now: NOW }));
  expect(checked.digests?.problems).toEqual([]);
  expect(checked.digests?.checked).toBe(2);
  expect((await anchor(undefined, MAX_PINS_IN_BODY + 1)).written).toBeNull();
}, 120_000);

it('names a left-out set written first by someone else as what it is, and writes no digest', async () => {
  const { dir } = world;
  const { keys, process, open } = storeAt(dir, NOW);
  const folder = new DigestFolder(join(dir, 'digests'));
  // Whoever can write the digests' location writes the set's name first (its name is its hash: they can work it out).
  const raced: DigestStore = {
    describe: () => folder.describe(),
    list: () => folder.list(),
    after: (name) => folder.after(name),
    read: (name) => folder.read(name),
    create: async (name, bytes) => {
      if (name.startsWith('left-out-')) await folder.create(name, Buffer.from('{"format":"datalek-left-out/1","leftOut":[],"seen":[]}\n'));
      return folder.create(name, bytes);
    },
  };
  for (let n = 0; n <= MAX_PINS_IN_BODY; n++) await open(`raced-${n}`);
  const db = new Database(join(dir, 'datalek.sqlite'));
  db.prepare("UPDATE incidents SET data = json_set(data, '$.severity', 2.0)").run();
  db.close();
  const run = process((store) =>
    anchorStore({ source: store, signer: pemSigner(keys.private), digests: raced, now: () => NOW, maxBroken: MAX_PINS_IN_BODY + 1 }),
  );
  await expect(run).rejects.toThrow(
    /^the left-out set left-out-[0-9a-f]{64}\.json in .* holds other bytes than this run's set: this anchor did not write them, so someone else can write where the digests are \(treat it as tampering\); no digest written/,
  );
  expect(await folder.list()).toEqual([]);
}, 120_000);
