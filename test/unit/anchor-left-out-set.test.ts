/**
 * record20: a digest carried every incident left out (`leftOut`) and each one's pinned head
 * (`seen`) in its body, so its bytes grew with the incidents an attacker kept broken, and verify
 * --digests, which holds every digest, failed first. Past MAX_PINS_IN_BODY both now go into a
 * left-out set beside the digests (its hash signed in the digest), written only when it changes,
 * and verify reads one set at a time. Digests that carry them in the body, however many, verify
 * and are continued from as before.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { pemSigner, pemVerifier } from '../../handlers/adapters/local/pem-keys.js';
import { buildDigestBody, type Digest, leftOutSetName, MAX_PINS_IN_BODY, pinsToWrite, signDigest } from '../../handlers/core/digest.js';
import { sha256 } from '../../handlers/core/hash.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { storeAt } from '../support/sqlite-anchor.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-12-01T01:00:00.000Z';
// Three times what a body carries (the pure test below takes thousands: a run audits each one it reads, three times over).
const MANY = 3 * MAX_PINS_IN_BODY;
let world = tempSqliteStore();
afterEach(async () => {
  await world.cleanup();
  world = tempSqliteStore();
});

it('keeps each digest small with more left out than a body carries, writes the set only when it changes, and verifies old digests that carry them in the body', async () => {
  const { dir } = world;
  const { keys, digests, process, anchor } = storeAt(dir, NOW);
  const folder = join(dir, 'digests');
  // MANY incidents opened, then every record loses a byte: all of them left out by one run.
  await process(async (store) => {
    for (let n = 0; n < MANY; n++)
      await recordEvent(
        { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false },
        findingEvent({ id: `many-${n}`, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-many${n}` }),
      );
  });
  const db = new Database(join(dir, 'datalek.sqlite'));
  const ids = (db.prepare('SELECT id FROM incidents ORDER BY id').all() as { id: string }[]).map((r) => r.id);
  const originals = new Map(ids.map((id) => [id, (db.prepare('SELECT data FROM incidents WHERE id = ?').get(id) as { data: string }).data]));
  db.prepare("UPDATE incidents SET data = json_set(data, '$.severity', 2.0)").run();
  const sets = () => readdirSync(folder).filter((n) => n.startsWith('left-out-'));
  const sizeOf = (n: number) => statSync(join(folder, `digest-${String(n).padStart(10, '0')}.json`)).size;

  const first = await anchor(undefined, MANY);
  expect(first.leftOut).toHaveLength(MANY);
  expect([first.written?.leftOut, first.written?.seen, first.written?.leftOutSet?.incidents]).toEqual([undefined, undefined, MANY]);
  expect(sizeOf(1)).toBeLessThan(4_000);
  expect(sets()).toEqual([leftOutSetName(first.written?.leftOutSet?.hash as string)]);

  // The same left out again: no digest, no set written. One put right: a new, small digest and a new set.
  expect((await anchor(undefined, MANY)).written).toBeNull();
  db.prepare('UPDATE incidents SET data = ? WHERE id = ?').run(originals.get(ids[0]), ids[0]);
  const second = await anchor(undefined, MANY);
  expect([second.written?.sequence, second.written?.incidents.map(([id]) => id), second.written?.leftOutSet?.incidents]).toEqual([2, [ids[0]], MANY - 1]);
  expect(sizeOf(2)).toBeLessThan(4_000);
  expect(sets()).toHaveLength(2);

  const digestProblems = async () =>
    (await process((store) => verifyStore(store, { digests: { store: digests, verifier: pemVerifier(keys.public) }, now: NOW }))).digests?.problems;
  expect(await digestProblems()).toEqual([]);

  // Digest 2 as a release before the set was kept would have written it: every one in its body, re-signed, recorded so.
  const name = 'digest-0000000002.json';
  const set = JSON.parse(readFileSync(join(folder, leftOutSetName(second.written?.leftOutSet?.hash as string)), 'utf8')) as Pick<Digest, 'leftOut' | 'seen'>;
  const { signature: _, leftOutSet: __, ...body } = JSON.parse(readFileSync(join(folder, name), 'utf8')) as Digest;
  const { bytes } = await signDigest({ ...body, seen: set.seen, leftOut: set.leftOut }, pemSigner(keys.private));
  rmSync(join(folder, name));
  writeFileSync(join(folder, name), bytes);
  await process((store) => store.saveAnchorState({ sequence: 2, name, digestHash: sha256(bytes.toString('utf8')), root: body.root }));
  expect(await digestProblems(), 'the old digest verifies').toEqual([]);

  // The run after it continues from what its body pins; the rest put right, the list empties.
  const update = db.prepare('UPDATE incidents SET data = ? WHERE id = ?');
  db.transaction(() => {
    for (const id of ids.slice(1)) update.run(originals.get(id), id);
  })();
  db.close();
  const mended = await anchor(undefined, MANY);
  expect([mended.problems, mended.leftOut, mended.written?.incidents.length, mended.written?.leftOutSet, mended.written?.leftOut]).toEqual([
    [],
    [],
    MANY - 1,
    undefined,
    undefined,
  ]);
  expect(await digestProblems()).toEqual([]);
}, 120_000);

it('a digest pinning thousands left out is as small as one pinning none', async () => {
  const ids = Array.from({ length: 5000 }, (_, n) => `dl-${String(n).padStart(32, '0')}`);
  const pins = pinsToWrite(
    ids,
    ids.map((incidentId) => ({ incidentId, seq: 3, hash: 'a'.repeat(64) })),
  );
  const body = (extra: object) =>
    buildDigestBody({
      sequence: 7,
      previous: { hash: 'b'.repeat(64), root: 'c'.repeat(64) },
      at: NOW,
      store: 'sqlite:/x',
      registry: [],
      incidents: [],
      signer: { keyId: 'k', algorithm: 'ed25519' },
      ...extra,
    });
  if (!('set' in pins)) throw new Error('expected a left-out set');
  const size = async (extra: object) => (await signDigest(body(extra), { keyId: 'k', algorithm: 'ed25519', sign: async () => Buffer.alloc(64) })).bytes.length;
  expect(await size({ leftOutSet: pins.set.ref })).toBeLessThan((await size({})) + 200);
  expect(pins.set.ref).toEqual({ hash: sha256(pins.set.bytes.toString('utf8')), incidents: 5000, seen: 5000 });
});

it('names a left-out set that is gone: verify --digests names it, and the anchor refuses to continue from its digest', async () => {
  const { dir } = world;
  const { keys, digests, process, anchor, open } = storeAt(dir, NOW);
  const ids: string[] = [];
  for (let n = 0; n <= MAX_PINS_IN_BODY; n++) ids.push(await open(`gone-${n}`));
  const db = new Database(join(dir, 'datalek.sqlite'));
  db.prepare("UPDATE incidents SET data = json_set(data, '$.severity', 2.0)").run();
  db.close();
  const r = await anchor(undefined, MAX_PINS_IN_BODY + 1);
  const setFile = join(dir, 'digests', leftOutSetName(r.written?.leftOutSet?.hash as string));
  expect(existsSync(setFile)).toBe(true);
  rmSync(setFile);
  const checked = await process((store) => verifyStore(store, { digests: { store: digests, verifier: pemVerifier(keys.public) }, now: NOW }));
  expect(checked.digests?.problems.map((p) => `${p.digest} ${p.problem}`)).toEqual([
    expect.stringMatching(/^digest-0000000001\.json its left-out set left-out-[0-9a-f]{64}\.json cannot be read/),
  ]);
  await expect(anchor(undefined, MAX_PINS_IN_BODY + 1)).rejects.toThrow(/its left-out set .* cannot be read .* Refusing to continue from it/);
}, 120_000);
