/**
 * contain19 item 1: `datalek contained --owner-key` on a key action datalek carried out recorded any
 * well-formed key id (readC16 C1's confirmation; drift only declined to believe it since review15).
 * With `--target aws` the key is now checked before anything is written, against the stolen key's
 * user's keys read through the read role `show`/`verify --target aws` use (ListAccessKeys): another
 * user's key, or one made before the key's sessions were revoked, is refused (exit 2, one line naming
 * the key and why, nothing written); a key of the user made after the revocation is recorded, and
 * drift reads it as the owner's. On moto.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import type { DriftReport } from '../../handlers/core/drift.js';
import type { Incident } from '../../handlers/core/incident.js';
import { jsonLines } from '../support/cli.js';
import { MOTO_ACCOUNT as ACCOUNT, type CliAwsWorld, cliAwsWorld } from '../support/cli-aws.js';
import { accessKeyResource, findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE } from '../support/moto.js';

describe.skipIf(!MOTO_AVAILABLE)("contained --owner-key checked against the user's keys (--target aws), on moto", () => {
  let world: CliAwsWorld;
  let id: string;
  let stolen: string;
  const dir = mkdtempSync(join(tmpdir(), 'datalek-owner-key-'));

  beforeAll(async () => {
    world = await cliAwsWorld();
    await world.c.iam.send(new CreateUserCommand({ UserName: 'owner-bot' }));
    stolen = (await world.c.iam.send(new CreateAccessKeyCommand({ UserName: 'owner-bot' }))).AccessKey?.AccessKeyId as string;
    const file = join(dir, 'key.json');
    writeFileSync(
      file,
      JSON.stringify([
        findingEvent({
          id: 'owner-key-read',
          type: 'CredentialAccess:IAMUser/AnomalousBehavior',
          accountId: ACCOUNT,
          resource: accessKeyResource(stolen, 'IAMUser', 'owner-bot'),
        }),
      ]),
    );
    const r = await world.run(['replay', file, '--enforce', '--json']);
    const [line] = jsonLines(r.stdout) as { incidentId: string; actions: { status: string }[] }[];
    if (r.code !== 0 || line?.actions.some((a) => a.status !== 'done')) throw new Error(`containment not done: ${r.stdout}${r.stderr}`);
    id = line.incidentId;
  }, 240_000);
  afterAll(async () => world?.moto.stop());

  const action = () => `deactivate-access-key:${stolen}`;
  const kinds = async () => {
    const shown = JSON.parse((await world.run(['show', id, '--json'])).stdout) as Incident & { timeline: { kind: string }[] };
    return shown.timeline.map((e) => e.kind);
  };

  it("another user's key is refused, naming it and why, nothing written; the owner's key made after the revocation is recorded and read as the owner's", async () => {
    await world.c.iam.send(new CreateUserCommand({ UserName: 'other-bot' }));
    const others = (await world.c.iam.send(new CreateAccessKeyCommand({ UserName: 'other-bot' }))).AccessKey?.AccessKeyId as string;
    const refused = await world.cli(['contained', id, '--action', action(), '--owner-key', others, '--what', 'confirmed by phone', '--by', 'on-call']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(
        `--owner-key ${others} is not a key of the stolen key's user: IAM lists no such key for the stolen key's user; nothing was recorded`,
      ),
    ]);
    expect(refused.stderr).not.toContain('other-bot');
    expect(await kinds()).not.toContain('owner-keys-confirmed');

    // The owner makes a new key after the revocation: verify names it for a confirmation; recorded, read as the owner's.
    const owners = (await world.c.iam.send(new CreateAccessKeyCommand({ UserName: 'owner-bot' }))).AccessKey?.AccessKeyId as string;
    const done = await world.run(['contained', id, '--action', action(), '--owner-key', owners, '--what', 'confirmed by phone', '--by', 'on-call']);
    expect([done.code, done.stderr]).toEqual([0, '']);
    expect(await kinds()).toContain('owner-keys-confirmed');
    const report = JSON.parse((await world.run(['show', id, '--json'])).stdout).containmentCheck as DriftReport;
    const key = report.resources.find((r) => r.resource === `access key ${stolen}`);
    expect(key?.state).toBe('in-place');
    expect(key?.actual).toContain(`the owner's, confirmed by on-call`);
    expect(key?.actual).toContain(owners);
  });

  // contain20: the key's user deleted since (after the confirmation above): verify read the key DRIFTED "renamed or deleted"
  // for good, and `contained` refused ("already done: datalek carried it out"). Read gone, the person's finding is recorded.
  it("the key's user deleted since: contained --target aws records what the person found beside the action, and verify shows it", async () => {
    const iam = world.c.iam;
    for (const k of (await iam.send(new ListAccessKeysCommand({ UserName: 'owner-bot' }))).AccessKeyMetadata ?? [])
      await iam.send(new DeleteAccessKeyCommand({ UserName: 'owner-bot', AccessKeyId: k.AccessKeyId }));
    for (const name of (await iam.send(new ListUserPoliciesCommand({ UserName: 'owner-bot' }))).PolicyNames ?? [])
      await iam.send(new DeleteUserPolicyCommand({ UserName: 'owner-bot', PolicyName: name }));
    await iam.send(new DeleteUserCommand({ UserName: 'owner-bot' }));

    const recorded = await world.run(['contained', id, '--action', action(), '--what', 'deleted by the admin (CloudTrail DeleteUser)', '--by', 'on-call']);
    expect([recorded.code, recorded.stderr]).toEqual([0, '']);
    expect(recorded.stdout).toContain(
      `Recorded beside ${action()}, carried out by datalek, what on-call found of the key's user not found under its recorded name.`,
    );
    expect(await kinds()).toContain('key-user-gone-recorded');
    const report = JSON.parse((await world.run(['show', id, '--json'])).stdout).containmentCheck as DriftReport;
    const key = report.resources.find((r) => r.resource === `access key ${stolen}`);
    expect(key?.state).toBe('in-place');
    expect(key?.actual).toContain('as on-call recorded (datalek contained) at');
    expect(key?.actual).toContain('deleted by the admin (CloudTrail DeleteUser)');
  });
});
