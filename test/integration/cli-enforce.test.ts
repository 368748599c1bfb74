import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetRolePolicyCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { jsonLines, spawnCli } from '../support/cli.js';
import { MOTO_ACCOUNT as ACCOUNT, type CliAwsWorld, cliAwsWorld } from '../support/cli-aws.js';
import { buildScenario } from '../support/ec2-scenario.js';
import { accessKeyResource, bucketResource, findingEvent, instanceResource } from '../support/events.js';
import { MOTO_AVAILABLE } from '../support/moto.js';

describe.skipIf(!MOTO_AVAILABLE)('datalek replay --target aws --enforce, and release, on moto', () => {
  let world: CliAwsWorld;
  let c: ContainmentClients;
  const dir = mkdtempSync(join(tmpdir(), 'datalek-enforce-'));
  // The command line itself for the replay and the release this file is about; the other steps in
  // this process (see CliAwsWorld.run).
  const cli = (args: string[]) => world.cli(args);
  const run = (args: string[]) => world.run(args);

  beforeAll(async () => {
    world = await cliAwsWorld();
    c = world.c;
  });
  afterAll(async () => world?.moto.stop());

  it('refuses --enforce on the embedded store', async () => {
    const r = await spawnCli(['replay', 'events', '--enforce', '--store', join(dir, 'local')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('datalek: --enforce only with --target aws: local replay never touches a resource');
  });

  it('isolates an instance, deactivates a key, revokes role sessions and blocks a public bucket', async () => {
    const s = await buildScenario(c);
    await c.iam.send(new CreateUserCommand({ UserName: 'deploy-bot' }));
    const key = (await c.iam.send(new CreateAccessKeyCommand({ UserName: 'deploy-bot' }))).AccessKey?.AccessKeyId as string;
    await c.iam.send(new CreateRoleCommand({ RoleName: 'app-server-role', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }));
    await c.s3.send(new CreateBucketCommand({ Bucket: 'klantdossiers', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const events = [
      // Not a !DNS finding: the isolation alone (the DNS channel step has tests of its own).
      findingEvent({ id: 'enf-ec2', type: 'Backdoor:EC2/C&CActivity.B', accountId: ACCOUNT, resource: instanceResource(s.instanceId) }),
      findingEvent({
        id: 'enf-key',
        accountId: ACCOUNT,
        type: 'CredentialAccess:IAMUser/AnomalousBehavior',
        resource: accessKeyResource(key, 'IAMUser', 'deploy-bot'),
      }),
      findingEvent({
        id: 'enf-role',
        accountId: ACCOUNT,
        type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
        resource: accessKeyResource('ASIAEXAMPLE', 'AssumedRole', 'app-server-role'),
      }),
      findingEvent({ id: 'enf-s3', accountId: ACCOUNT, type: 'Policy:S3/BucketAnonymousAccessGranted', resource: bucketResource('klantdossiers', 'PUBLIC') }),
    ];
    const file = join(dir, 'enforce.json');
    writeFileSync(file, JSON.stringify(events));

    const r = await cli(['replay', file, '--enforce', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout).map((l) => l.actions)).toEqual([
      [{ type: 'isolate-instance', status: 'done' }],
      [{ type: 'deactivate-access-key', status: 'done' }],
      [{ type: 'revoke-role-sessions', status: 'done' }],
      [{ type: 'block-public-access', status: 'done' }],
    ]);

    const enis = await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [s.instanceId] }] }));
    const groups = (enis.NetworkInterfaces ?? []).map((e) => (e.Groups ?? []).map((g) => g.GroupName));
    expect(groups).toEqual([['datalek-isolation'], ['datalek-isolation']]);
    const keys = await c.iam.send(new ListAccessKeysCommand({ UserName: 'deploy-bot' }));
    expect(keys.AccessKeyMetadata?.map((k) => k.Status)).toEqual(['Inactive']);
    // The incident's own revocation policy (the third line's incident).
    const roleIncident = jsonLines(r.stdout)[2].incidentId as string;
    const deny = await c.iam.send(new GetRolePolicyCommand({ RoleName: 'app-server-role', PolicyName: `datalek-revoke-${roleIncident}` }));
    expect(decodeURIComponent(deny.PolicyDocument as string)).toContain('aws:TokenIssueTime');
    const block = await c.s3.send(new GetPublicAccessBlockCommand({ Bucket: 'klantdossiers' }));
    expect(block.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });

    // Release: the instance's groups come back; the key stays inactive without --reactivate-key.
    const ec2Incident = jsonLines(r.stdout)[0].incidentId as string;
    const released = await cli(['release', ec2Incident, '--by', 'anna', '--reason', 'pentest, agreed with the FG']);
    expect(released.code, released.stderr).toBe(0);
    const after = await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [s.instanceId] }] }));
    expect((after.NetworkInterfaces ?? []).every((e) => !(e.Groups ?? []).some((g) => g.GroupName === 'datalek-isolation'))).toBe(true);
    const keyIncident = jsonLines(r.stdout)[1].incidentId as string;
    const keyRelease = await run(['release', keyIncident, '--by', 'anna', '--reason', 'rotated']);
    expect(keyRelease.stdout).toContain('the key stays inactive: reactivating needs --reactivate-key');
    expect((await c.iam.send(new ListAccessKeysCommand({ UserName: 'deploy-bot' }))).AccessKeyMetadata?.map((k) => k.Status)).toEqual(['Inactive']);
    const show = JSON.parse((await run(['show', ec2Incident, '--json'])).stdout);
    expect(show.timeline.at(-1)).toMatchObject({ kind: 'containment-released', actor: 'anna' });
  });

  it('reports each of two public buckets in one finding with its own outcome', async () => {
    for (const b of ['openbaar-a', 'openbaar-b'])
      await c.s3.send(new CreateBucketCommand({ Bucket: b, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const resource = bucketResource('openbaar-a', 'PUBLIC');
    resource.s3BucketDetails.push(
      { name: 'does-not-exist', publicAccess: { effectivePermission: 'PUBLIC' } },
      { name: 'openbaar-b', publicAccess: { effectivePermission: 'PUBLIC' } },
    );
    const file = join(dir, 'two-buckets.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'enf-buckets', accountId: ACCOUNT, type: 'Policy:S3/BucketAnonymousAccessGranted', resource })));
    const r = await run(['replay', file, '--enforce', '--json']);
    expect(jsonLines(r.stdout)[0].actions).toEqual([
      { type: 'block-public-access', status: 'done' },
      { type: 'block-public-access', status: 'failed' },
      { type: 'block-public-access', status: 'done' },
    ]);
  });

  it('plans only, and says so, for an instance with the exemption tag', async () => {
    const s = await buildScenario(c);
    const resource = instanceResource(s.instanceId);
    resource.instanceDetails.tags.push({ key: 'datalek:exempt', value: 'true' });
    const file = join(dir, 'exempt.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'enf-exempt', type: 'Backdoor:EC2/C&CActivity.B', accountId: ACCOUNT, resource })));
    const r = await run(['replay', file, '--enforce', '--json']);
    expect(jsonLines(r.stdout)[0].actions).toEqual([{ type: 'isolate-instance', status: 'planned' }]);
    const show = JSON.parse((await run(['show', jsonLines(r.stdout)[0].incidentId as string, '--json'])).stdout);
    expect(show.actions[0].reason).toBe(
      'exempt by tag datalek:exempt=true on the resource (whoever may tag the resource can set it): not contained; contain it by hand: runbooks/isolate-ec2-instance.md',
    );
    expect(show.timeline.find((e: { kind: string }) => e.kind === 'containment-planned').detail.reason).toMatch(/exempt by tag/);
  });

  it('never touches anything for a sample finding', async () => {
    const s = await buildScenario(c);
    const file = join(dir, 'sample.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'enf-sample', accountId: ACCOUNT, sample: true, resource: instanceResource(s.instanceId) })));
    const r = await run(['replay', file, '--enforce', '--json']);
    expect(jsonLines(r.stdout)[0].actions).toEqual([
      { type: 'isolate-instance', status: 'skipped' },
      { type: 'block-dns-channel', status: 'skipped' },
    ]);
    const enis = await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [s.instanceId] }] }));
    expect((enis.NetworkInterfaces ?? []).flatMap((e) => e.Groups ?? []).some((g) => g.GroupName?.startsWith('datalek-'))).toBe(false);
  });
});
