/**
 * rel28 "noticed": a session revocation whose IAM user was deleted since could never be released.
 * IAM answers NoSuchEntity when the user is not found under its recorded name, which a rename gives
 * too (its policies live on under the new name), and the containment role has no ListUsers to tell
 * which: so every release failed ("renamed or deleted … tell the FG"), the record kept the measure in
 * effect for good, drift read it drifted and verify --target aws exited 1. The same for
 * `deactivate-access-key`'s deny of the key's sessions, removed by a release --reactivate-key.
 *
 * A person who knows (CloudTrail's DeleteUser) states it: `release --user-deleted`, with the
 * release's --by and --reason. Checked against IAM now (GetUser answers NoSuchEntity): each step
 * that found the user gone is recorded skipped, released as deleted; the action is released with
 * `userDeleted` on the record and the timeline; drift no longer reads it; verify holds it. A user
 * that IAM finds is released as any other. On moto.
 */
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainmentStateReader } from '../../handlers/adapters/aws/containment/drift.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import type { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { COMMANDS } from '../../handlers/cli/commands/index.js';
import { runContainment } from '../../handlers/core/contain.js';
import { checkContainment } from '../../handlers/core/drift.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { releaseAction } from '../../handlers/use-cases/actions.js';
import { parseFields } from '../../handlers/use-cases/fields.js';
import { containmentWorld } from '../support/containment-world.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

describe.skipIf(!MOTO_AVAILABLE)('release of a revocation whose IAM user was deleted since (rel28), on moto', () => {
  let moto: Moto;
  let c: ContainmentClients;
  let store: DynamoDbIncidentStore;
  let containment: AwsContainment;
  let reader: AwsContainmentStateReader;
  let n = 0;

  beforeAll(async () => {
    const { factory, ...world } = await containmentWorld(ACCOUNT, REGION);
    ({ moto, store, c } = world);
    containment = new AwsContainment(factory);
    reader = new AwsContainmentStateReader(factory);
  });
  afterAll(async () => moto?.stop());

  const now = () => new Date().toISOString();
  const deps = () => ({ store, policy: DEFAULT_POLICY, now, containment, canEnforce: true, forceEnforce: true });
  const policies = async (UserName: string) => (await c.iam.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames ?? [];

  /** `userName`'s credentials (`key`: a session's ASIA…, or one of its AKIA… keys) found used, and contained on moto. */
  async function contained(userName: string, key: string): Promise<Incident> {
    n += 1;
    const event = findingEvent({
      id: `user-deleted-${Date.now()}-${n}`,
      accountId: ACCOUNT,
      type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
      resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: key, principalId: `AIDAEXAMPLEGONE0000${n}`, userType: 'IAMUser', userName } },
    });
    const id = (await recordEvent(deps(), event)).incidentId as string;
    await runContainment(deps(), id);
    return (await store.getIncident(id)) as Incident;
  }

  /** The user deleted as IAM requires: its keys and inline policies first. */
  async function deleteUser(UserName: string): Promise<void> {
    for (const k of (await c.iam.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata ?? [])
      await c.iam.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId: k.AccessKeyId }));
    for (const p of await policies(UserName)) await c.iam.send(new DeleteUserPolicyCommand({ UserName, PolicyName: p }));
    await c.iam.send(new DeleteUserCommand({ UserName }));
  }

  const release = (incidentId: string, more: { userDeleted?: boolean; reactivateKey?: boolean } = {}) =>
    releaseContainment(deps(), { incidentId, by: 'oncall', reason: 'gebruiker verwijderd (CloudTrail DeleteUser)', ...more });
  const named = (steps: { name: string; status: string }[]) => steps.map((s) => `${s.name}:${s.status}`);

  it('revoke-user-sessions: released as deleted once stated, recorded so, no longer read by drift, and verify holds it', async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 'w.weg' }));
    const incident = await contained('w.weg', 'ASIAEXAMPLEGONE00001');
    const action = incident.actions.find((a) => a.type === 'revoke-user-sessions');
    expect(action?.status, 'premise: the sessions revoked').toBe('done');
    await deleteUser('w.weg');

    // Not stated: a failure, as before, and its detail names the way out.
    const unstated = await release(incident.id);
    expect(unstated.released).toEqual([]);
    expect(named(unstated.failed[0].steps)).toEqual(['remove-revocation:failed']);
    expect(unstated.failed[0].steps[0].detail).toContain(`datalek release ${incident.id} --by NAME --reason TEXT --user-deleted --target aws`);
    const before = await checkContainment([(await store.getIncident(incident.id)) as Incident], reader, now());
    expect(before.resources.map((r) => r.state)).toContain('drifted');

    const stated = await release(incident.id, { userDeleted: true });
    expect(stated.failed).toEqual([]);
    expect(stated.released.map((r) => r.id)).toEqual([action?.id]);
    const [step] = stated.released[0].steps;
    expect(`${step.name}:${step.status}`).toBe('remove-revocation:skipped');
    expect(step.code).toBe('NoSuchEntity');
    expect(step.detail).toMatch(
      /^IAM user iam-user:[0-9a-f]{16} not found \(GetUser: NoSuchEntity\): released as deleted, as oncall states \(--user-deleted\)/,
    );
    expect(step.detail).not.toContain('w.weg');

    const after = (await store.getIncident(incident.id)) as Incident;
    const released = after.actions.find((a) => a.id === action?.id);
    expect(released?.released).toMatchObject({ by: 'oncall', userDeleted: true });
    const timeline = await store.getTimeline(incident.id);
    expect(timeline.filter((e) => e.kind === 'containment-released').map((e) => e.detail.userDeleted)).toEqual([true]);
    expect(timeline.some((e) => e.kind === 'release-step-skipped' && e.detail.code === 'NoSuchEntity')).toBe(true);

    // Drift reads it no more; verify (the store) holds it.
    const read = await checkContainment([after], reader, now());
    expect(read.resources.filter((r) => r.state !== 'in-place')).toEqual([]);
    const verified = await verifyStore(store, { only: incident.id });
    expect(verified.problems).toEqual([]);
  });

  it('stated while IAM finds the user: released as any other, its policy removed, the record not saying deleted', async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 'h.hier' }));
    const incident = await contained('h.hier', 'ASIAEXAMPLEHERE00001');
    expect(await policies('h.hier')).toHaveLength(1);
    const stated = await release(incident.id, { userDeleted: true });
    expect(stated.failed).toEqual([]);
    expect(named(stated.released[0].steps)).toEqual(['remove-revocation:done']);
    expect(await policies('h.hier')).toEqual([]);
    const after = (await store.getIncident(incident.id)) as Incident;
    expect(after.actions.find((a) => a.type === 'revoke-user-sessions')?.released?.userDeleted).toBeUndefined();
  });

  it('deactivate-access-key --reactivate-key: the key and the deny of its sessions released as deleted once stated', async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 's.sleutel' }));
    const key = (await c.iam.send(new CreateAccessKeyCommand({ UserName: 's.sleutel' }))).AccessKey?.AccessKeyId as string;
    const incident = await contained('s.sleutel', key);
    const action = incident.actions.find((a) => a.type === 'deactivate-access-key');
    expect(
      action?.steps?.filter((s) => s.name === 'deactivate-key' || s.name === 'revoke-key-sessions').map((s) => `${s.name}:${s.status}`),
      'premise',
    ).toEqual(['deactivate-key:done', 'revoke-key-sessions:done']);
    await deleteUser('s.sleutel');

    const unstated = await release(incident.id, { reactivateKey: true });
    expect(unstated.released).toEqual([]);
    const failed = unstated.failed[0].steps.filter((s) => s.status === 'failed').map((s) => s.name);
    expect(failed).toContain('reactivate-key');

    const stated = await release(incident.id, { reactivateKey: true, userDeleted: true });
    expect(stated.failed).toEqual([]);
    expect(named(stated.released[0].steps)).toEqual(['reactivate-key:skipped', 'remove-revocation:skipped']);
    for (const s of stated.released[0].steps) {
      expect(s.code).toBe('NoSuchEntity');
      expect(s.detail).toContain('released as deleted, as oncall states (--user-deleted)');
      expect(s.detail).not.toContain('s.sleutel');
    }
    const after = (await store.getIncident(incident.id)) as Incident;
    expect(after.actions.find((a) => a.id === action?.id)?.released).toMatchObject({ userDeleted: true });
    const verified = await verifyStore(store, { only: incident.id });
    expect(verified.problems).toEqual([]);
  });
});

it('the command line and the page pass --user-deleted on to the release (and no more: it is off unless given)', () => {
  const release = COMMANDS.find((c) => c.name === 'release');
  expect(release?.flags['user-deleted']).toEqual({ type: 'boolean' });
  const input = (flags: Record<string, unknown>) =>
    releaseAction.input(parseFields(releaseAction.fields, { reason: 'weg', ...flags }), { incidentId: 'dl-1', by: 'oncall' });
  expect(input({ 'user-deleted': true }).userDeleted).toBe(true);
  expect(input({}).userDeleted).toBe(false);
});
