import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, GetPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { jsonLines, spawnCli } from '../support/cli.js';
import { MOTO_ACCOUNT as ACCOUNT, type CliAwsWorld, cliAwsWorld } from '../support/cli-aws.js';
import { buildScenario } from '../support/ec2-scenario.js';
import { bucketResource, findingEvent, instanceResource, RESOURCES } from '../support/events.js';
import { MOTO_AVAILABLE } from '../support/moto.js';

/**
 * On-call runs an incident's containment again from the record (`datalek contain`): after the
 * contain function's retries gave up, or for what the policy only planned, with no finding file.
 */
describe.skipIf(!MOTO_AVAILABLE)('datalek contain --target aws, on moto', () => {
  let world: CliAwsWorld;
  let c: ContainmentClients;
  const dir = mkdtempSync(join(tmpdir(), 'datalek-contain-'));
  // The command line itself for the contain runs whose exit code and output are the point; the
  // replays and reads that set them up in this process (see CliAwsWorld.run).
  const cli = (args: string[]) => world.cli(args);
  const run = (args: string[]) => world.run(args);
  const replay = async (name: string, event: unknown, enforce = false) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(event));
    const r = await run(['replay', file, '--json', ...(enforce ? ['--enforce'] : [])]);
    return jsonLines(r.stdout)[0] as { incidentId: string; actions: { type: string; status: string }[] };
  };
  const groupsOf = async (instanceId: string) =>
    (
      (await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }))).NetworkInterfaces ?? []
    ).map((e) => (e.Groups ?? []).map((g) => g.GroupName));

  beforeAll(async () => {
    world = await cliAwsWorld();
    c = world.c;
  });
  afterAll(async () => world?.moto.stop());

  it('is refused on the embedded store, and without who and why', async () => {
    const local = await spawnCli(['contain', 'dl-x', '--by', 'anna', '--reason', 'r', '--store', join(dir, 'local')]);
    expect(local.code).toBe(2);
    expect(local.stderr.trim()).toBe('datalek: contain only with --target aws: the embedded store has no resources to touch');
    const anonymous = await run(['contain', 'dl-x', '--reason', 'r']);
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toContain('contain needs --by NAME and --reason TEXT');
  });

  it('carries out what the policy only planned when asked with --enforce, and says who asked', async () => {
    const s = await buildScenario(c);
    const line = await replay(
      'planned',
      findingEvent({ id: 'again-ec2', type: 'Backdoor:EC2/C&CActivity.B', accountId: ACCOUNT, resource: instanceResource(s.instanceId) }),
    );
    expect(line.actions).toEqual([{ type: 'isolate-instance', status: 'planned' }]);

    const plain = await cli(['contain', line.incidentId, '--by', 'anna', '--reason', 'the policy only plans']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain(`incident ${line.incidentId} has nothing containment could carry out again`);
    expect(plain.stderr).toContain('1 action(s) the policy only planned: --enforce carries them out');
    expect((await groupsOf(s.instanceId)).flat()).not.toContain('datalek-isolation');

    const r = await cli(['contain', line.incidentId, '--by', 'anna', '--reason', 'C&C traffic confirmed with the FG', '--enforce', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.requested).toEqual([{ id: `isolate-instance:${s.instanceId}`, type: 'isolate-instance', target: s.instanceId }]);
    expect(out.containment.actions).toMatchObject([{ type: 'isolate-instance', status: 'done' }]);
    expect(await groupsOf(s.instanceId)).toEqual([['datalek-isolation'], ['datalek-isolation']]);

    const show = JSON.parse((await run(['show', line.incidentId, '--json'])).stdout);
    const asked = show.timeline.find((e: { kind: string }) => e.kind === 'containment-requested');
    expect(asked).toMatchObject({
      actor: 'anna',
      detail: { reason: 'C&C traffic confirmed with the FG', enforce: true, actions: [`isolate-instance ${s.instanceId}`] },
    });
    expect(show.timeline.findIndex((e: { kind: string }) => e.kind === 'containment-requested')).toBeLessThan(
      show.timeline.findIndex((e: { kind: string }) => e.kind === 'containment-done'),
    );
    expect(show.actions[0]).toMatchObject({ type: 'isolate-instance', status: 'done' });

    const again = await run(['contain', line.incidentId, '--by', 'anna', '--reason', 'once more', '--enforce']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('has nothing containment could carry out again');
  }, 90_000);

  it('runs again what the policy enforces once its cause is mended, without --enforce; what a person enforced needs --enforce again', async () => {
    // The policy enforces blocking public buckets: replay carries it out, and it fails (no bucket yet).
    const policy = join(dir, 'enforce-s3.json');
    writeFileSync(policy, JSON.stringify({ containment: { rules: [{ action: 'block-public-access', findingTypes: ['Policy:S3/*'], mode: 'enforce' }] } }));
    const file = join(dir, 'bucket.json');
    const bucket = findingEvent({
      id: 'again-s3',
      accountId: ACCOUNT,
      type: 'Policy:S3/BucketAnonymousAccessGranted',
      resource: bucketResource('later-made', 'PUBLIC'),
    });
    writeFileSync(file, JSON.stringify(bucket));
    const line = jsonLines((await run(['replay', file, '--json', '--policy', policy])).stdout)[0] as { incidentId: string; actions: unknown[] };
    expect(line.actions).toEqual([{ type: 'block-public-access', status: 'failed' }]);
    await c.s3.send(new CreateBucketCommand({ Bucket: 'later-made', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));

    const r = await cli(['contain', line.incidentId, '--by', 'bram', '--reason', 'the bucket is back', '--policy', policy]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^done\s+block-public-access later-made$/m);
    const block = await c.s3.send(new GetPublicAccessBlockCommand({ Bucket: 'later-made' }));
    expect(block.PublicAccessBlockConfiguration?.BlockPublicAcls).toBe(true);

    // A person's earlier --enforce under a policy that only plans: the record's mode is no authority
    // (any function writing incident items could have set it), so without --enforce nothing is done.
    const other = await replay(
      'bucket-person',
      findingEvent({
        id: 'again-s3-person',
        accountId: ACCOUNT,
        type: 'Policy:S3/BucketAnonymousAccessGranted',
        resource: bucketResource('made-later', 'PUBLIC'),
      }),
      true,
    );
    expect(other.actions).toEqual([{ type: 'block-public-access', status: 'failed' }]);
    await c.s3.send(new CreateBucketCommand({ Bucket: 'made-later', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const plain = await run(['contain', other.incidentId, '--by', 'bram', '--reason', 'the bucket is back']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/block-public-access made-later: the policy this run loaded does not enforce block-public-access/);
    const forced = await run(['contain', other.incidentId, '--by', 'bram', '--reason', 'the bucket is back', '--enforce']);
    expect(forced.code, forced.stderr).toBe(0);
  }, 90_000);

  it('spares the pipeline’s own functions, as the contain function does: the account is the credentials’ own', async () => {
    // review3 attack §12's fix takes a `datalek-…` function for the pipeline's only in the pipeline's
    // account; the command line knew no account, so a person's --enforce would have stopped it.
    const resource = RESOURCES.Lambda();
    const details = resource.lambdaDetails as Record<string, unknown>;
    details.functionName = 'datalek-notify-function';
    details.functionArn = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:datalek-notify-function`;
    const line = await replay('own-function', findingEvent({ id: 'again-own', type: 'Backdoor:Lambda/C&CActivity.B', accountId: ACCOUNT, resource }), true);
    expect(line.actions).toContainEqual({ type: 'contain-lambda-function', status: 'skipped' });
    const show = JSON.parse((await run(['show', line.incidentId, '--json'])).stdout);
    expect(show.actions[0].reason).toMatch(/^the pipeline's own function: containment never stops it/);
  });

  it('asks for nothing the finding does not allow: an exempt instance stays a person’s decision', async () => {
    const s = await buildScenario(c);
    const resource = instanceResource(s.instanceId);
    resource.instanceDetails.tags.push({ key: 'datalek:exempt', value: 'true' });
    const line = await replay('exempt', findingEvent({ id: 'again-exempt', type: 'Backdoor:EC2/C&CActivity.B', accountId: ACCOUNT, resource }));
    const r = await run(['contain', line.incidentId, '--by', 'anna', '--reason', 'try', '--enforce']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/isolate-instance i-\S+: the policy this run loaded does not enforce isolate-instance .*exempt by tag datalek:exempt=true/);
    const show = JSON.parse((await run(['show', line.incidentId, '--json'])).stdout);
    expect(show.actions[0]).toMatchObject({ status: 'planned', reason: 'policy mode is plan: recorded, not carried out' });
    expect(show.timeline.some((e: { kind: string }) => e.kind === 'containment-requested')).toBe(false);
    expect((await groupsOf(s.instanceId)).flat()).not.toContain('datalek-isolation');
  });
});
