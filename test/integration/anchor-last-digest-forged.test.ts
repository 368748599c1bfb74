/**
 * The anchor continues the chain from the digest its store names as its last, read from the digest
 * folder: the store keeps that digest's SHA-256, and both are local files. Whoever can write the two
 * (the store's folder and the digest folder) could put a digest of their own there, signed with a key
 * of their own, and the anchor went on from it: every later digest continued a chain the anchor's key
 * never signed, and only `verify --digests` noticed. The anchor now checks the last digest's key and
 * signature before it continues from it, as it checks any digest it finds after it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { pemSigner } from '../../handlers/adapters/local/pem-keys.js';
import { type Digest, digestName, signDigest } from '../../handlers/core/digest.js';
import { sha256 } from '../../handlers/core/hash.js';
import { localAnchorWorld } from '../support/anchor-world.js';
import { digestKeys } from '../support/tamper.js';

it('the anchor refuses to continue from a last digest its key did not sign', async () => {
  const { dir, store, digests, anchor, ack } = await localAnchorWorld('forged-last');
  expect((await anchor()).code).toBe(0); // digest 1

  // Digest 1 replaced by the same body signed with another key, and the store's record of it to match.
  const file = join(digests, digestName(1));
  const { signature: _, ...body } = JSON.parse(readFileSync(file, 'utf8')) as Digest;
  const other = pemSigner(digestKeys(dir, 'other-key').private);
  const { bytes } = await signDigest({ ...body, key: { id: other.keyId, algorithm: other.algorithm } }, other);
  writeFileSync(file, bytes);
  const db = new Database(join(store, 'datalek.sqlite'));
  const state = JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'anchor'").get() as { value: string }).value);
  db.prepare("UPDATE meta SET value = ? WHERE key = 'anchor'").run(JSON.stringify({ ...state, digestHash: sha256(bytes.toString('utf8')) }));
  db.close();

  expect((await ack('anna', '2026-11-20T21:40:00Z')).code).toBe(0);
  const next = await anchor();
  expect(next.stderr).toMatch(/digest-0000000001\.json .*is signed by key [0-9a-f]{32}, not this anchor's/);
  expect(next.code).toBe(3);
  // Nothing continued the forged chain.
  expect(() => readFileSync(join(digests, digestName(2)))).toThrow(/ENOENT/);
});

it('the anchor refuses a last digest whose signature does not verify with its key', async () => {
  const { store, digests, keys, anchor, ack } = await localAnchorWorld('altered-last');
  expect((await anchor()).code).toBe(0);

  // Digest 1's body altered (another root) under the anchor's own key id, the signature kept.
  const file = join(digests, digestName(1));
  const digest = JSON.parse(readFileSync(file, 'utf8')) as Digest;
  const own = pemSigner(keys.private);
  const altered = `${JSON.stringify({ ...digest, root: sha256('another root'), key: { id: own.keyId, algorithm: own.algorithm } }, null, 2)}\n`;
  writeFileSync(file, altered);
  const db = new Database(join(store, 'datalek.sqlite'));
  const state = JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'anchor'").get() as { value: string }).value);
  db.prepare("UPDATE meta SET value = ? WHERE key = 'anchor'").run(JSON.stringify({ ...state, digestHash: sha256(altered) }));
  db.close();

  expect((await ack('anna', '2026-11-20T21:40:00Z')).code).toBe(0);
  const next = await anchor();
  expect(next.stderr).toMatch(/digest-0000000001\.json .*carries a signature this anchor's key did not make/);
  expect(next.code).toBe(3);
  expect(() => readFileSync(join(digests, digestName(2)))).toThrow(/ENOENT/);
});

it("the anchor refuses a record of its last digest whose sequence or root is not that digest's (readB19)", async () => {
  // The store keeps the last digest's name and hash, and beside them its sequence and root, which the
  // anchor took as they were: whoever could write the store set another root (the next digest's root
  // then followed from it, not from the digest signed) or another number (digests skipped), and the
  // anchor signed on. Both are the signed digest's own, and a record that says otherwise is refused.
  for (const [field, value] of [
    ['root', sha256('another root')],
    ['sequence', 5],
  ] as const) {
    const { store, digests, anchor, ack } = await localAnchorWorld(`record-${field}`);
    expect((await anchor()).code).toBe(0);
    const db = new Database(join(store, 'datalek.sqlite'));
    const state = JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'anchor'").get() as { value: string }).value);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'anchor'").run(JSON.stringify({ ...state, [field]: value }));
    db.close();

    expect((await ack('anna', '2026-11-20T21:40:00Z')).code).toBe(0);
    const next = await anchor();
    expect(next.stderr, field).toMatch(new RegExp(`digest-0000000001\\.json .*the store records its ${field} as .*, the digest says`));
    expect(next.code, field).toBe(3);
    expect(() => readFileSync(join(digests, digestName(2)))).toThrow(/ENOENT/);
    expect(() => readFileSync(join(digests, digestName(6)))).toThrow(/ENOENT/);
  }
});
