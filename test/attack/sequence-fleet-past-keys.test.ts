/**
 * red26: 21fd23bf tells on-call of each resource a growing attack sequence claims, though its type was
 * told. Past the keys one incident takes, a later version of the sequence names instances it claims no
 * key for, and their isolation was planned with nobody told (plan-only policy: a person carries it out).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { asVersion, instanceSequenceEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

const instances = (n: number) => Array.from({ length: n }, (_, i) => `i-${(i + 1).toString(16).padStart(17, '0')}`);
/** Version `n` of one sequence naming `count` instances. */
const version = (n: number, count: number) => asVersion(instanceSequenceEvent('seq-fleet', instances(count)), n);

it('tells on-call of each later version of a sequence that plans isolating instances it claims no key for', async () => {
  const clock = { now: '2026-11-28T03:00:00.000Z' };
  const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => clock.now, canEnforce: false };
  const id = (await recordEvent(deps, version(3, 62))).incidentId as string;
  const told = async () => (await t.store.listMessages(id)).filter((m) => m.channel === 'on-call' && m.kind === 'finding-added').length;
  for (const [n, count] of [
    [4, 64],
    [5, 66],
  ]) {
    clock.now = `2026-11-28T0${n}:05:00.000Z`;
    const before = await told();
    const out = await recordEvent(deps, version(n, count));
    expect(out.actions.filter((a) => a.type === 'isolate-instance' && a.status === 'planned')).toHaveLength(2);
    expect(await told(), `version ${n}`).toBe(before + 1);
  }
  // A redelivery plans nothing new and tells nobody again.
  expect((await recordEvent(deps, version(5, 66))).outcome).toBe('duplicate');
  expect(await told()).toBe(2);
});
