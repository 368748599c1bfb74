import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeNetworkInterfacesCommand,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, DeleteRolePolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import type { DriftEntry, DriftReport } from '../../handlers/core/drift.js';
import { jsonLines, spawnCli } from '../support/cli.js';
import { MOTO_ACCOUNT as ACCOUNT, type CliAwsWorld, cliAwsWorld } from '../support/cli-aws.js';
import { buildScenario, type Scenario } from '../support/ec2-scenario.js';
import { accessKeyResource, bucketResource, findingEvent, instanceResource } from '../support/events.js';
import { MOTO_AVAILABLE } from '../support/moto.js';

/**
 * review5 A15, part 2: `show` and `verify` with `--target aws` read back the containment each
 * record holds and say where AWS no longer shows it: an interface put back in its groups by hand,
 * a key set Active again, a revocation removed, a bucket's Block Public Access relaxed, a rule in
 * the isolation group, an instance terminated. Reads only; a read that fails is never "in place".
 */
describe.skipIf(!MOTO_AVAILABLE)('containment read back from AWS (show, verify --target aws), on moto', () => {
  let world: CliAwsWorld;
  let c: ContainmentClients;
  let s: Scenario;
  let key: string;
  const ids: Record<string, string> = {};
  const dir = mkdtempSync(join(tmpdir(), 'datalek-drift-'));
  // The command line itself for a verify of each exit code and its text; the other steps in this
  // process (see CliAwsWorld.run).
  const cli = (args: string[]) => world.cli(args);
  const run = (args: string[]) => world.run(args);
  const check = (out: string) => JSON.parse(out).containmentCheck as DriftReport;
  const byResource = (report: DriftReport) => Object.fromEntries(report.resources.map((r) => [r.resource, r])) as Record<string, DriftEntry>;
  const interfacesOf = async (instanceId: string) =>
    (await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }))).NetworkInterfaces ?? [];

  beforeAll(async () => {
    world = await cliAwsWorld();
    c = world.c;
    s = await buildScenario(c);
    await c.iam.send(new CreateUserCommand({ UserName: 'export-bot' }));
    key = (await c.iam.send(new CreateAccessKeyCommand({ UserName: 'export-bot' }))).AccessKey?.AccessKeyId as string;
    await c.iam.send(new CreateRoleCommand({ RoleName: 'report-role', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }));
    await c.s3.send(new CreateBucketCommand({ Bucket: 'dossiers-drift', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const events = [
      findingEvent({ id: 'drift-ec2', type: 'Backdoor:EC2/C&CActivity.B', accountId: ACCOUNT, resource: instanceResource(s.instanceId) }),
      findingEvent({
        id: 'drift-key',
        type: 'CredentialAccess:IAMUser/AnomalousBehavior',
        accountId: ACCOUNT,
        resource: accessKeyResource(key, 'IAMUser', 'export-bot'),
      }),
      findingEvent({
        id: 'drift-role',
        type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
        accountId: ACCOUNT,
        resource: accessKeyResource('ASIAEXAMPLE', 'AssumedRole', 'report-role'),
      }),
      findingEvent({
        id: 'drift-s3',
        type: 'Policy:S3/BucketAnonymousAccessGranted',
        accountId: ACCOUNT,
        resource: bucketResource('dossiers-drift', 'PUBLIC'),
      }),
    ];
    const file = join(dir, 'enforce.json');
    writeFileSync(file, JSON.stringify(events));
    const r = await run(['replay', file, '--enforce', '--json']);
    if (r.code !== 0) throw new Error(`replay --enforce failed: ${r.stderr}`);
    const lines = jsonLines(r.stdout) as { incidentId: string; actions: { status: string }[] }[];
    if (!lines.every((l) => l.actions.every((a) => a.status === 'done'))) throw new Error(`containment not done: ${r.stdout}`);
    [ids.ec2, ids.key, ids.role, ids.s3] = lines.map((l) => l.incidentId);
  }, 240_000);
  afterAll(async () => world?.moto.stop());

  it('reads back every containment as in place while nothing was changed: verify exits 0, show lists each', async () => {
    const enis = await interfacesOf(s.instanceId);
    const isolation = enis[0].Groups?.[0]?.GroupId as string;
    const r = await cli(['verify', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = check(r.stdout);
    expect(JSON.parse(r.stdout).ok).toBe(true);
    const seen = byResource(report);
    expect(report.resources.every((x) => x.state === 'in-place')).toBe(true);
    for (const e of enis) expect(seen[`network interface ${e.NetworkInterfaceId} of ${s.instanceId}`].actual).toBe(`in ${isolation} only`);
    expect(Object.keys(seen).sort()).toEqual(
      [
        `instance ${s.instanceId}`,
        `instance ${s.instanceId} (termination protection, shutdown behaviour)`,
        // contain22: registered in no ECS cluster since (its drain found none).
        `instance ${s.instanceId} (ECS registrations, every cluster of the region)`,
        ...enis.map((e) => `network interface ${e.NetworkInterfaceId} of ${s.instanceId}`),
        `isolation group ${isolation}`,
        `access key ${key}`,
        // The key's user's sessions revoked with the key (attack16 K2).
        `inline policy datalek-revoke-${ids.key}-${key} on IAM user of ${key}`,
        `inline policy datalek-revoke-${ids.role} on role report-role`,
        'bucket dossiers-drift',
      ].sort(),
    );
    // What is held but not read back is named, not counted as in place.
    expect(report.notChecked).toContainEqual({
      incidentId: ids.ec2,
      actionId: `isolate-instance:${s.instanceId}`,
      what: 'out of its Auto Scaling group; out of its target groups',
    });

    const show = await run(['show', ids.ec2]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('Containment read back from AWS at ');
    expect(show.stdout).toMatch(
      new RegExp(`in place {4}network interface ${enis[1].NetworkInterfaceId} of ${s.instanceId} \\(${ACCOUNT}/eu-west-1\\): in ${isolation} only`),
    );
    expect(show.stdout).not.toMatch(/DRIFTED|GONE|UNREADABLE/);
  }, 120_000);

  it('says an EC2 read that fails is unreadable, never in place: verify exits 3', async () => {
    // EC2 unreachable for this run only (the record's store, DynamoDB, still answers).
    const r = await spawnCli(['verify', ids.ec2, '--json', '--target', 'aws'], { ...world.moto.env, AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:9' });
    expect(r.code, r.stderr).toBe(3);
    const report = check(r.stdout);
    // ECS still answers: the instance's registrations are read (contain22), the EC2 reads are not.
    const ec2 = report.resources.filter((x) => !x.resource.includes('(ECS registrations'));
    expect(ec2.length).toBe(5);
    expect(ec2.every((x) => x.state === 'unreadable' && x.actual.startsWith('could not be read ('))).toBe(true);
    expect(JSON.parse(r.stdout).ok).toBe(false);
  }, 120_000);

  it('reports what was undone behind the record’s back, what AWS shows and what to do: verify exits 1', async () => {
    const enis = await interfacesOf(s.instanceId);
    const isolation = enis[0].Groups?.[0]?.GroupId as string;
    const second = s.enis[1];
    // Someone puts the second interface back in its own group, opens the isolation group, turns
    // termination protection off, sets the key Active, deletes the revocation and turns a Block
    // Public Access setting off.
    await c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: second.id, Groups: second.groups }));
    await c.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: s.instanceId, DisableApiTermination: { Value: false } }));
    await c.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: isolation,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    await c.iam.send(new UpdateAccessKeyCommand({ UserName: 'export-bot', AccessKeyId: key, Status: 'Active' }));
    await c.iam.send(new DeleteRolePolicyCommand({ RoleName: 'report-role', PolicyName: `datalek-revoke-${ids.role}` }));
    await c.s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'dossiers-drift',
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true },
      }),
    );

    const r = await run(['verify', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const seen = byResource(check(r.stdout));
    const moved = seen[`network interface ${second.id} of ${s.instanceId}`];
    expect(moved).toMatchObject({
      incidentId: ids.ec2,
      actionId: `isolate-instance:${s.instanceId}`,
      state: 'drifted',
      recorded: `in the isolation group ${isolation} only (its own groups: ${second.groups.join(', ')})`,
      actual: `back in its own groups (${second.groups.join(', ')}): not isolated`,
      runbook: 'runbooks/containment-undone.md',
    });
    expect(moved.todo).toMatch(/^put it back by hand now: first the VPC's datalek-all-traffic group \(sg-\w+\), then sg-\w+ only/);
    const first = enis.find((e) => e.NetworkInterfaceId !== second.id)?.NetworkInterfaceId as string;
    expect(seen[`network interface ${first} of ${s.instanceId}`].state).toBe('in-place');
    expect(seen[`isolation group ${isolation}`]).toMatchObject({
      state: 'drifted',
      actual: '1 inbound and 0 outbound rule(s): every interface in it is open to them',
    });
    expect(seen[`instance ${s.instanceId} (termination protection, shutdown behaviour)`]).toMatchObject({
      state: 'drifted',
      actual: 'termination protection off',
    });
    expect(seen[`access key ${key}`]).toMatchObject({ state: 'drifted', recorded: 'Inactive', actual: 'Active' });
    expect(seen[`inline policy datalek-revoke-${ids.role} on role report-role`]).toMatchObject({ state: 'drifted', actual: 'policy not found' });
    expect(seen['bucket dossiers-drift']).toMatchObject({ state: 'drifted', actual: 'off: BlockPublicPolicy' });
    // The key's user name is personal data: it is in no message.
    expect(r.stdout).not.toContain('export-bot');

    const text = await cli(['verify']);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(
      `datalek: incident ${ids.ec2}, isolate-instance:${s.instanceId}: containment not as recorded: network interface ${second.id} of ${s.instanceId} (${ACCOUNT}/eu-west-1): the record says in the isolation group ${isolation} only`,
    );
    expect(text.stdout).toContain('Containment read back from AWS at ');

    const show = await run(['show', ids.ec2]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`  DRIFTED     network interface ${second.id} of ${s.instanceId} (${ACCOUNT}/eu-west-1, isolate-instance:${s.instanceId})`);
    expect(show.stdout).toContain(`      AWS shows:   back in its own groups (${second.groups.join(', ')}): not isolated`);
    expect(show.stdout).toContain('(runbooks/containment-undone.md)');
  }, 120_000);

  it('says an instance terminated since is gone, once, not its interfaces as in place', async () => {
    const t = await buildScenario(c);
    const file = join(dir, 'gone.json');
    writeFileSync(
      file,
      JSON.stringify(findingEvent({ id: 'drift-gone', type: 'Backdoor:EC2/C&CActivity.B', accountId: ACCOUNT, resource: instanceResource(t.instanceId) })),
    );
    const line = jsonLines((await run(['replay', file, '--enforce', '--json'])).stdout)[0] as { incidentId: string };
    expect((await run(['verify', line.incidentId])).code).toBe(0);
    // Containment turned termination protection on: it is turned off first, then the instance ended.
    await c.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: t.instanceId, DisableApiTermination: { Value: false } }));
    await c.ec2.send(new TerminateInstancesCommand({ InstanceIds: [t.instanceId] }));

    const r = await run(['verify', line.incidentId, '--json']);
    expect(r.code).toBe(1);
    const report = check(r.stdout);
    // Its interfaces and protection went with it: the instance is named once (its VPC's isolation group stays).
    expect(report.resources.map((x) => x.resource).sort()).toEqual([`instance ${t.instanceId}`, expect.stringMatching(/^isolation group sg-/)]);
    expect(byResource(report)[`instance ${t.instanceId}`]).toMatchObject({
      state: 'gone',
      actual: 'instance terminated',
      runbook: 'runbooks/containment-undone.md',
    });
    const show = await run(['show', line.incidentId]);
    expect(show.stdout).toContain(`  GONE        instance ${t.instanceId}`);
  }, 120_000);
});
