/**
 * Two incidents on one IAM user, each a console sign-in (rel28 item 3, on moto). A session revocation is each
 * incident's own (PER_INCIDENT_ACTIONS): each run puts `datalek-revoke-<id>` and `datalek-deny-all-<id>` on the user.
 * Their actions have one id (the user's store-wide pseudonym is the target), and a merge moved only an action the
 * survivor had no id of, and took the merged one's over only where the survivor's was not in effect: the merged
 * incident's policies, or the survivor's own, were then in no open record. The release of the survivor (the merged
 * one's is refused: its containment is the survivor's) left them on the user, locked out with nothing recording or
 * reading it.
 */
import { CreateRoleCommand, CreateUserCommand, ListRolePoliciesCommand, ListUserPoliciesCommand } from '@aws-sdk/client-iam';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContainmentClientFactory, type ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainmentStateReader } from '../../handlers/adapters/aws/containment/drift.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { checkContainment } from '../../handlers/core/drift.js';
import type { ActionRecord, Incident, StepRecord } from '../../handlers/core/incident.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { ACCOUNT, findingEvent, instanceResource, instanceSequenceEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { ISOLATE_ON_SNS } from '../support/pager-incident.js';
import { tempSqliteStore } from '../support/store.js';

const T = (m: number) => new Date(Date.parse('2026-11-28T02:00:00.000Z') + m * 60_000).toISOString();
const I_B = 'i-0bbbbbbbbbbbbbbb1';
const I_A = 'i-0aaaaaaaaaaaaaaa2';
const TARGET = 'iam-user:5f0c4e2a91b7d3e8';

describe.skipIf(!MOTO_AVAILABLE)("two incidents' deny-all on one IAM user, merged", () => {
  let moto: Moto;
  let c: ContainmentClients;
  let containment: AwsContainment;
  let reader: AwsContainmentStateReader;
  let t: ReturnType<typeof tempSqliteStore>;
  let user = '';
  let n = 0;

  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, moto.env);
    const factory = new ContainmentClientFactory('eu-west-1', 'datalek-containment');
    c = await factory.clientsFor(ACCOUNT, 'eu-west-1', 'setup');
    containment = new AwsContainment(factory);
    reader = new AwsContainmentStateReader(factory);
  });
  afterAll(async () => moto?.stop());
  beforeEach(async () => {
    t = tempSqliteStore();
    n += 1;
    user = `p.pietersen${n}`;
    role = '';
    await c.iam.send(new CreateUserCommand({ UserName: user }));
  });
  afterEach(async () => t.cleanup());

  const deps = (m: number) => ({ store: t.store, policy: ISOLATE_ON_SNS, now: () => T(m), containment, canEnforce: false });
  const policies = async () => ((await c.iam.send(new ListUserPoliciesCommand({ UserName: user }))).PolicyNames ?? []).sort();

  /** The console sign-in's revocation of `user`, as the plan makes it in every incident: one id. */
  let role = '';
  const planned = (): ActionRecord =>
    role
      ? { id: `revoke-role-sessions:${role}`, type: 'revoke-role-sessions', target: role, status: 'planned', mode: 'enforce', findingId: 'f', at: T(1) }
      : {
          id: `revoke-user-sessions:${TARGET}`,
          type: 'revoke-user-sessions',
          target: TARGET,
          status: 'planned',
          mode: 'enforce',
          findingId: 'f',
          at: T(1),
          params: { userName: user, denyAll: 'console-sign-in' },
        };

  /** Carried out for `incident` on moto; `deny` 'timeout': its deny-all put reached IAM and was recorded failed. */
  async function carriedOut(incident: Incident, deny: 'done' | 'timeout' = 'done'): Promise<ActionRecord> {
    const action = planned();
    const steps: StepRecord[] = [];
    const evidence: Record<string, unknown> = {};
    await containment.execute(action, {
      incident,
      done: new Set(),
      evidence: {},
      recordedGroups: async () => new Map(),
      record: async (step, more) => {
        steps.push(step);
        Object.assign(evidence, more ?? {});
      },
    });
    expect(steps.map((s) => `${s.name}:${s.status}`)).toEqual(role ? ['revoke-older-sessions:done'] : ['revoke-user-sessions:done', 'deny-all:done']);
    if (deny === 'timeout') steps[1] = { ...steps[1], status: 'failed', code: 'TimeoutError', detail: 'socket hang up' };
    return { ...action, status: deny === 'done' ? 'done' : 'failed', startedAt: T(2), steps, evidence };
  }

  /** Incidents B (the survivor) and A, each with its revocation carried out as `how` says, then merged by a sequence. */
  async function mergedPair(how: { a: 'done' | 'timeout'; b: 'done' | 'timeout' | 'planned' }) {
    const b = (await recordEvent(deps(0), findingEvent({ id: 'r-b', createdAt: T(0), type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource(I_B) })))
      .incidentId as string;
    const a = (await recordEvent(deps(1), findingEvent({ id: 'r-a', createdAt: T(1), type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource(I_A) })))
      .incidentId as string;
    for (const [id, h] of [
      [a, how.a],
      [b, how.b],
    ] as const) {
      const incident = (await t.store.getIncident(id)) as Incident;
      const action = h === 'planned' ? planned() : await carriedOut(incident, h);
      await changeIncident(deps(3), id, (draft) => {
        draft.actions = [...draft.actions, action];
        return { entries: [] };
      });
    }
    await recordEvent(deps(10), instanceSequenceEvent('r-seq', [I_B, I_A], T(9)));
    expect(((await t.store.getIncident(a)) as Incident).mergedInto).toBe(b);
    return { a, b };
  }

  const releaseSurvivor = (b: string) => releaseContainment({ ...deps(20) }, { incidentId: b, by: 'oncall', reason: 'vals positief' });

  it('both carried out: the release of the survivor removes both incidents’ revocations and deny-alls', async () => {
    const { a, b } = await mergedPair({ a: 'done', b: 'done' });
    expect(await policies()).toEqual([`datalek-deny-all-${a}`, `datalek-deny-all-${b}`, `datalek-revoke-${a}`, `datalek-revoke-${b}`].sort());
    // Before the release the survivor's read-back reads all four.
    const read = await checkContainment([(await t.store.getIncident(b)) as Incident], reader, T(15));
    expect(read.resources.map((r) => r.resource).sort()).toEqual(
      [`datalek-deny-all-${a}`, `datalek-deny-all-${b}`, `datalek-revoke-${a}`, `datalek-revoke-${b}`]
        .map((p) => `inline policy ${p} on IAM user ${TARGET}`)
        .sort(),
    );
    expect(read.resources.every((r) => r.state === 'in-place')).toBe(true);
    const out = await releaseSurvivor(b);
    expect(out.failed).toEqual([]);
    expect(await policies()).toEqual([]);
  });

  it("the survivor's put recorded failed and the merged one's done: the survivor's deny-all, on the user, is removed too", async () => {
    const { b } = await mergedPair({ a: 'done', b: 'timeout' });
    expect(await policies()).toHaveLength(4);
    const out = await releaseSurvivor(b);
    expect(out.failed).toEqual([]);
    expect(await policies()).toEqual([]);
  });

  it("the survivor's only planned: the merged one's revocation and deny-all are the survivor's to release", async () => {
    const { b } = await mergedPair({ a: 'done', b: 'planned' });
    expect(await policies()).toHaveLength(2);
    await releaseSurvivor(b);
    expect(await policies()).toEqual([]);
  });

  it("two stolen sessions of one role: the survivor's release removes the merged incident's revocation too", async () => {
    role = `web${n}`;
    await c.iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }));
    const { a, b } = await mergedPair({ a: 'done', b: 'done' });
    const rolePolicies = async () => ((await c.iam.send(new ListRolePoliciesCommand({ RoleName: role }))).PolicyNames ?? []).sort();
    expect(await rolePolicies()).toEqual([`datalek-revoke-${a}`, `datalek-revoke-${b}`].sort());
    const read = await checkContainment([(await t.store.getIncident(b)) as Incident], reader, T(15));
    expect(read.resources.map((r) => r.resource).sort()).toEqual(
      [`datalek-revoke-${a}`, `datalek-revoke-${b}`].map((p) => `inline policy ${p} on role ${role}`).sort(),
    );
    expect((await releaseSurvivor(b)).failed).toEqual([]);
    expect(await rolePolicies()).toEqual([]);
  });
});
