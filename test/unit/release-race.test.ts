/**
 * A finding that arrives while a release runs (restoring an instance's groups takes seconds on AWS)
 * and plans the same resource for another incident B sees it still held by A and leaves it to A.
 * The release read who holds the resource before it began; it must read it again when it records
 * the release, so that B is not left saying "contained by A" while the resource is open, and B's
 * on-call is told. And `datalek contain B --enforce` takes up an action left to an incident that has
 * released the resource since. (review5 A4)
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { type ContainDeps, runContainment } from '../../handlers/core/contain.js';
import { containAgain } from '../../handlers/core/contain-again.js';
import { heldByReason } from '../../handlers/core/containment.js';
import { assess } from '../../handlers/core/fg-workflow.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releaseContainment } from '../../handlers/core/release.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { accessKeyResource, findingEvent, instanceResource, sequenceDetection } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();
const INSTANCE = 'i-0123456789abcdef0'; // the instance sequenceDetection() names
const POLICY = parsePolicy({
  containment: { rules: [{ action: 'contain-workload', findingTypes: ['Backdoor:*', 'AttackSequence:*'], minSeverity: 1, mode: 'enforce' }] },
});

let t: ReturnType<typeof tempSqliteStore>;
let A: string;
let B: string;
const base = () => ({ store: t.store, policy: POLICY, now: () => T(20), canEnforce: true });
const isolates: Containment = {
  canEnforce: true,
  async execute(action, ctx) {
    await ctx.record({ name: action.type, status: 'done', at: T(21) });
  },
  async release(_action, _incident, options) {
    await options.record({ name: 'restore-groups', status: 'done', at: T(31) });
  },
};
const onB = async () => ((await t.store.getIncident(B)) as Incident).actions.find((x) => x.type === 'isolate-instance' && x.target === INSTANCE);
const onA = async () => ((await t.store.getIncident(A)) as Incident).actions.find((x) => x.type === 'isolate-instance') as ActionRecord;

beforeEach(async () => {
  t = tempSqliteStore();
  // B: an incident on a key, detected first.
  const b = await recordEvent(
    base(),
    findingEvent({ id: 'b'.repeat(32), type: 'CredentialAccess:IAMUser/AnomalousBehavior', severity: 8, createdAt: T(0), resource: accessKeyResource() }),
  );
  B = b.incidentId as string;
  // A: on the instance, contained and assessed (so a finding naming both links them, not merges).
  const a = await recordEvent(
    base(),
    findingEvent({ id: 'a'.repeat(32), type: 'Backdoor:EC2/C&CActivity.B', severity: 8, createdAt: T(1), resource: instanceResource(INSTANCE) }),
  );
  A = a.incidentId as string;
  await runContainment({ ...base(), containment: isolates }, A);
  await assess(base(), { incidentId: A, personalData: 'yes', risk: 'risk', reason: 'klantdata', by: 'FG' });
  expect((await onA()).status).toBe('done');
});
afterEach(async () => t.cleanup());

/** An attack sequence naming B's key and A's instance arrives at minute `at` (raised at `createdAt`): it attaches to B. */
const sequenceArrives = (at: number, createdAt: number) =>
  recordEvent(
    { ...base(), now: () => T(at) },
    findingEvent({
      id: 'seq-finding',
      type: 'AttackSequence:IAM/CompromisedCredentials',
      severity: 9.3,
      createdAt: T(createdAt),
      resource: { resourceType: 'AttackSequence' },
      resourceRole: 'TARGET',
      service: { featureName: 'Correlation', detection: sequenceDetection({ instanceId: INSTANCE }) },
    }),
  );

/** Releases A while an attack sequence naming the key and the instance arrives and attaches to B. */
async function releaseWhileAFindingArrives() {
  const racing: Containment = {
    ...isolates,
    async release(action, incident, options) {
      await sequenceArrives(30, 29);
      await isolates.release(action, incident, options);
    },
  };
  return releaseContainment({ ...base(), now: () => T(31), containment: racing }, { incidentId: A, by: 'oncall', reason: 'false positive' });
}

it('the other incident that left the resource to A while A released it is planned again and told, not left "held by A"', async () => {
  const result = await releaseWhileAFindingArrives();

  expect((await onA()).released).toMatchObject({ by: 'oncall' });
  const b = (await onB()) as ActionRecord;
  // The setup reached the race: B planned the instance while A still held it.
  expect(JSON.stringify(await t.store.getTimeline(B))).toContain(heldByReason(A));
  expect(b.heldBy).toBeUndefined();
  expect(b).toMatchObject({ status: 'planned', reason: expect.stringContaining(`incident ${A}, which held it, released it`) });
  expect(result.undoneFor).toEqual([{ incidentId: B, actionId: b.id, now: 'planned' }]);
  const told = (await t.store.listMessages(B)).filter((m) => m.kind === 'released').map((m) => m.channel);
  expect(told.sort()).toEqual(['fg', 'on-call']);

  // B's on-call carries it out.
  const again = await containAgain({ ...base(), now: () => T(40), containment: isolates }, { incidentId: B, by: 'oncall-b', reason: 'open', enforce: true });
  expect(again.requested.map((r) => r.id)).toContain(b.id);
  expect((await onB())?.status).toBe('done');
});

it('one left to A between the holds the release read and its commit is planned again and told too', async () => {
  // B plans the instance, left to A; A's release reads the holds; then B's action is left to A again
  // (a contain run of B that read A as holding it) just before A's release is stored.
  await sequenceArrives(25, 24);
  const b = (await onB()) as ActionRecord;
  await changeIncident(base(), B, (draft) => {
    const a = draft.actions.find((x) => x.id === b.id) as ActionRecord;
    Object.assign(a, { status: 'planned', heldBy: undefined, mode: 'enforce' });
    return { entries: [] };
  });
  const commit = t.store.commit.bind(t.store);
  let once = false;
  t.store.commit = async (change) => {
    if (!once && change.incident.id === A && change.timeline.some((e) => e.kind === 'containment-released')) {
      once = true;
      await changeIncident(base(), B, (draft) => {
        const a = draft.actions.find((x) => x.id === b.id) as ActionRecord;
        Object.assign(a, { status: 'skipped', heldBy: A, reason: heldByReason(A) });
        return { entries: [] };
      });
    }
    return commit(change);
  };

  const result = await releaseContainment({ ...base(), now: () => T(31), containment: isolates }, { incidentId: A, by: 'oncall', reason: 'false positive' });

  expect(once).toBe(true);
  expect(await onB()).toMatchObject({ status: 'planned', reason: expect.stringContaining(`incident ${A}, which held it, released it`) });
  expect((await onB())?.heldBy).toBeUndefined();
  expect(result.undoneFor).toEqual([{ incidentId: B, actionId: b.id, now: 'planned' }]);
  expect(
    (await t.store.listMessages(B))
      .filter((m) => m.kind === 'released')
      .map((m) => m.channel)
      .sort(),
  ).toEqual(['fg', 'on-call']);
});

it('`datalek contain B --enforce` takes up an action left to A once A released the resource', async () => {
  await releaseContainment({ ...base(), now: () => T(31), containment: isolates }, { incidentId: A, by: 'oncall', reason: 'false positive' });
  await sequenceArrives(32, 29);
  // A record left saying "held by A" after A released it (a run that read A as holding it just before).
  const b = (await onB()) as ActionRecord;
  await changeIncident(base(), B, (draft) => {
    const a = draft.actions.find((x) => x.id === b.id) as ActionRecord;
    Object.assign(a, { status: 'skipped', heldBy: A, reason: heldByReason(A), mode: 'enforce' });
    return { entries: [] };
  });
  const deps: ContainDeps = { ...base(), now: () => T(40), containment: isolates };

  const again = await containAgain(deps, { incidentId: B, by: 'oncall-b', reason: 'open', enforce: true });

  expect(again.requested.map((r) => r.id)).toContain(b.id);
  expect(await onB()).toMatchObject({ status: 'done' });
  expect((await onB())?.heldBy).toBeUndefined();
});

it('an action left to an incident that still holds the resource is not taken up', async () => {
  const b = await sequenceArrives(32, 29);
  expect(b.incidentId).toBe(B);
  expect(await onB()).toMatchObject({ status: 'skipped', heldBy: A });
  const deps: ContainDeps = { ...base(), now: () => T(40), containment: isolates };
  const again = await containAgain(deps, { incidentId: B, by: 'oncall-b', reason: 'open', enforce: true }).catch((err: Error) => err.message);
  const asked = typeof again === 'string' ? [] : again.requested.map((r) => r.id);
  expect(asked).not.toContain((await onB())?.id);
  expect(await onB()).toMatchObject({ status: 'skipped', heldBy: A });
});
