/**
 * A store that keeps the anchored set (SQLite) whose last digest was written before digests said
 * what that set is (no `anchored`): the anchor cannot believe the set, so it read every incident
 * and held it to the digests, and, nothing having moved, wrote no digest, so the next run did the
 * same, every run, until something moved. It now writes one digest that carries the set, once.
 */
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DigestFolder } from '../../handlers/adapters/local/digest-folder.js';
import { pemSigner } from '../../handlers/adapters/local/pem-keys.js';
import { anchorStore } from '../../handlers/core/anchor.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { AuditSource } from '../../handlers/ports/audit-source.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';
import { digestKeys } from '../support/tamper.js';

const NOW = '2026-11-28T03:00:00.000Z';
let world = tempSqliteStore();
afterEach(async () => {
  await world.cleanup();
  world = tempSqliteStore();
});

it('writes the anchored set into one digest after a digest without it, then reads only what moved', async () => {
  const { dir, store } = world;
  for (const n of [1, 2])
    await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false },
      findingEvent({ id: `old-digest-${n}`, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-old-digest-${n}` }),
    );
  const keys = digestKeys(dir);
  const digests = new DigestFolder(join(dir, 'digests'));
  const anchor = (source: AuditSource) => anchorStore({ source, signer: pemSigner(keys.private), digests, now: () => NOW });
  // The anchor of a version before `anchored`: it did not read the set, so its digest does not carry it.
  const before = new Proxy(store, {
    get: (target, name) => (name === 'anchoredHeads' ? async () => null : Reflect.get(target, name, target)),
  }) as AuditSource;
  const first = await anchor(before);
  expect([first.written?.sequence, first.written?.anchored]).toEqual([1, undefined]);

  // Upgraded, nothing moved: one digest carrying the set (every incident read, held to digest 1) ...
  let reads = 0;
  const counting = new Proxy(store, {
    get: (target, name) => {
      const value = Reflect.get(target, name, target);
      if (name !== 'rawIncident') return typeof value === 'function' ? value.bind(target) : value;
      return (id: string) => {
        reads++;
        return target.rawIncident(id);
      };
    },
  }) as AuditSource;
  const second = await anchor(counting);
  expect([second.written?.sequence, second.written?.incidents.length, typeof second.written?.anchored, second.problems]).toEqual([2, 0, 'string', []]);
  expect(reads).toBe(2);
  // ... and from then on the set is believed: nothing moved, nothing read, nothing written.
  reads = 0;
  const third = await anchor(counting);
  expect([third.written, third.unchanged, reads]).toEqual([null, true, 0]);
});
