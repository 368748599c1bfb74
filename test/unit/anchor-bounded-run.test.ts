/**
 * One anchor run takes a bounded number of ledger heads (review7 K7, its last part): after a storm
 * moved many incidents, the scheduled anchor on AWS read, audited and cleared the mark of every one
 * in a single run of at most two minutes; a run that timed out after writing its digest left it for
 * the next run to adopt, which reads every head again. Now each digest takes at most `maxHeads`
 * heads and the rest wait, still marked, for the next run.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { DigestFolder } from '../../handlers/adapters/local/digest-folder.js';
import { pemSigner, pemVerifier } from '../../handlers/adapters/local/pem-keys.js';
import { anchorStore } from '../../handlers/core/anchor.js';
import { recordFacts } from '../../handlers/core/fg-workflow.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';
import { digestKeys } from '../support/tamper.js';

const NOW = '2026-11-28T03:00:00.000Z';
let world = tempSqliteStore();
afterEach(async () => {
  await world.cleanup();
  world = tempSqliteStore();
});

it('anchors at most maxHeads heads a run, and the rest in the runs after', async () => {
  const { dir, store } = world;
  for (const n of [1, 2, 3]) {
    await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false },
      findingEvent({ id: `bounded-${n}`, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-bounded-${n}` }),
    );
  }
  const keys = digestKeys(dir);
  const digests = new DigestFolder(join(dir, 'digests'));
  const anchor = () => anchorStore({ source: store, signer: pemSigner(keys.private), digests, now: () => NOW, maxHeads: 2 });

  const first = await anchor();
  expect([first.written?.sequence, first.written?.incidents.length, first.remaining]).toEqual([1, 2, 1]);
  const second = await anchor();
  expect([second.written?.sequence, second.written?.incidents.length, second.remaining]).toEqual([2, 1, 0]);
  expect((await anchor()).unchanged).toBe(true);
  // Between them the two digests anchored every incident once.
  const anchored = [...(first.written?.incidents ?? []), ...(second.written?.incidents ?? [])].map(([id]) => id);
  expect(new Set(anchored).size).toBe(3);
  const verified = await verifyStore(store, { digests: { store: digests, verifier: pemVerifier(keys.public) }, now: NOW });
  expect(verified.digests?.problems).toEqual([]);
});

it('takes its turn after the incidents the last digest anchored: one behind busier ones is anchored every other run (review7 Y10)', async () => {
  const { dir, store } = world;
  const ids: string[] = [];
  for (const n of [1, 2, 3]) {
    const r = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false },
      findingEvent({ id: `starve-${n}`, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-starve-${n}` }),
    );
    ids.push(r.incidentId as string);
  }
  const [low1, low2, high] = ids.sort();
  const keys = digestKeys(dir);
  const digests = new DigestFolder(join(dir, 'digests'));
  const anchor = () => anchorStore({ source: store, signer: pemSigner(keys.private), digests, now: () => NOW, maxHeads: 2 });
  const runs: string[][] = [];
  for (let run = 0; run < 4; run++) {
    // All three move before every run (an update, a reminder, an acknowledgement): in id order from
    // the start each time, the third was never anchored.
    for (const id of [low1, low2, high])
      await recordFacts({ store, policy: DEFAULT_POLICY, now: () => NOW }, { incidentId: id, by: 'FG', summary: `stand ${run}` });
    runs.push(((await anchor()).written?.incidents ?? []).map(([id]) => id));
  }
  expect(runs[0]).toEqual([low1, low2]);
  expect(runs.map((r) => r.includes(high))).toEqual([false, true, false, true]);
});

it('does not count incidents left out against the slice: ones kept broken do not keep a sound incident out of every digest (review13 E1)', async () => {
  // a4e68c6 left broken incidents out, still marked and first in line: a slice of only broken ones
  // signed nothing, the turn did not move, and every other moved incident stayed unanchored, and
  // rewritable, for as long as `maxHeads` records were kept broken.
  const { dir, store } = world;
  const ids: string[] = [];
  for (const n of [1, 2, 3]) {
    const r = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false },
      findingEvent({ id: `e1-${n}`, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-e1-${n}` }),
    );
    ids.push(r.incidentId as string);
  }
  const [a1, a2, b] = [...ids].sort();
  const keys = digestKeys(dir);
  const digests = new DigestFolder(join(dir, 'digests'));
  const anchor = () => anchorStore({ source: store, signer: pemSigner(keys.private), digests, now: () => NOW, maxHeads: 2 });
  await anchor();
  await anchor();
  expect((await anchor()).unchanged).toBe(true);
  // All three move; the two lowest ids get a byte each, and stay broken.
  for (const id of [a1, a2, b]) await recordFacts({ store, policy: DEFAULT_POLICY, now: () => NOW }, { incidentId: id, by: 'FG', summary: 'stand' });
  const db = new Database(join(dir, 'datalek.sqlite'));
  for (const id of [a1, a2]) db.prepare("UPDATE incidents SET data = json_set(data, '$.severity', 2.0) WHERE id = ?").run(id);
  db.close();

  const first = await anchor();
  expect(first.leftOut).toEqual([a1, a2]); // loud
  expect((first.written?.incidents ?? []).map(([id]) => id)).toEqual([b]);
  const second = await anchor();
  expect(second.leftOut).toEqual([a1, a2]); // loud while they stay broken
  expect(second.written).toBeNull();
});

it('stops after maxBroken incidents that do not verify, names how many it did not check, and goes on after them next run', async () => {
  // The incidents left out were read on top of the slice, all of them: thousands kept broken pushed
  // the run into its timeout (the Lambda's two minutes), loud but proving nothing new.
  const { dir, store } = world;
  const ids: string[] = [];
  for (const n of [1, 2, 3, 4]) {
    const r = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false },
      findingEvent({ id: `storm-${n}`, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-storm-${n}` }),
    );
    ids.push(r.incidentId as string);
  }
  const [b1, b2, b3, sound] = [...ids].sort();
  const keys = digestKeys(dir);
  const digests = new DigestFolder(join(dir, 'digests'));
  const read = new Set<string>();
  const source = new Proxy(store, {
    get: (target, prop, receiver) =>
      prop === 'rawIncident'
        ? (id: string) => {
            read.add(id);
            return target.rawIncident(id);
          }
        : Reflect.get(target, prop, receiver),
  });
  const anchor = (maxHeads: number) => {
    read.clear();
    return anchorStore({ source, signer: pemSigner(keys.private), digests, now: () => NOW, maxHeads, maxBroken: 2 });
  };
  expect((await anchor(10)).written?.incidents).toHaveLength(4);
  // All four move; the three lowest ids get a byte each, and stay broken.
  for (const id of ids) await recordFacts({ store, policy: DEFAULT_POLICY, now: () => NOW }, { incidentId: id, by: 'FG', summary: 'storm' });
  const db = new Database(join(dir, 'datalek.sqlite'));
  for (const id of [b1, b2, b3]) db.prepare("UPDATE incidents SET data = json_set(data, '$.severity', 2.0) WHERE id = ?").run(id);
  db.close();

  // Two broken read, the run stops: it names them, and how many it did not check.
  const first = await anchor(2);
  expect([first.leftOut, first.remaining, first.stoppedOnBroken, [...read].sort()]).toEqual([[b1, b2], 2, true, [b1, b2]]);
  // The next run reads the two digest 2 left out again, marked or not (review15 K3), then goes on after
  // them, and signs the sound incident a storm of broken ones stood before.
  const second = await anchor(2);
  expect([second.leftOut, [...read].sort()]).toEqual([
    [b1, b2, b3],
    [b1, b2, b3, sound],
  ]);
  // It lists every one left out (record19: listed up to maxBroken, incidents kept broken held the
  // list); a run reads maxBroken of them and names the rest (anchor-left-out-list-full-dynamodb).
  expect(second.written?.leftOut).toEqual([b1, b2, b3]);
  expect((second.written?.incidents ?? []).map(([id]) => id)).toEqual([sound]);
});
