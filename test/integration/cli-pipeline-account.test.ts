/**
 * Review 4: the command line took the pipeline's account from a policy file (or
 * DATALEK_PIPELINE_ACCOUNT) without the check the Lambda config makes, and a policy naming another
 * account had `replay --enforce` stop the pipeline's own datalek-notify function in the account the
 * CLI works in. The account is now the credentials' own; another named is refused.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, spawnCli } from '../support/cli.js';
import { MOTO_ACCOUNT as ACCOUNT, type CliAwsWorld, cliAwsWorld } from '../support/cli-aws.js';
import { MOTO_AVAILABLE } from '../support/moto.js';

const EMPTY_ZIP = Buffer.from(
  'UEsDBAoAAAAAAAAAIQAAAAAAAAAAAAAAAAAIABwAaW5kZXguanNVVAkAA0mLTGZJi0xmdXgLAAEE6AMAAAToAwAAUEsBAh4DCgAAAAAAAAAhAAAAAAAAAAAAAAAAAAgAGAAAAAAAAAAAAKSBAAAAAGluZGV4LmpzVVQFAANJi0xmdXgLAAEE6AMAAAToAwAAUEsFBgAAAAABAAEATgAAAEIAAAAAAA==',
  'base64',
);

describe.skipIf(!MOTO_AVAILABLE)('the pipeline account of containment run from the command line, on moto', () => {
  let world: CliAwsWorld;
  const dir = mkdtempSync(join(tmpdir(), 'datalek-pipeline-account-'));

  /** A Lambda function named `name` in moto's account, and a finding (event 33) that names it. */
  async function functionAndFinding(name: string): Promise<string> {
    const role = await world.c.iam.send(
      new CreateRoleCommand({
        RoleName: `${name}-role`,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await world.c.lambda.send(
      new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: role.Role?.Arn, Code: { ZipFile: EMPTY_ZIP } }),
    );
    const text = readFileSync(join(ROOT, 'events', '33-lambda-function-tor-client.json'), 'utf8')
      .replaceAll('111122223333', ACCOUNT)
      .replaceAll('klantexport', name)
      .replaceAll('b2b3b4b5b6b7b8b9b0c2c3c4c5c6c7c8', `${name}-finding`);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, text);
    return file;
  }
  const concurrencyOf = async (name: string) =>
    (await world.c.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions;

  beforeAll(async () => {
    world = await cliAwsWorld();
  });
  afterAll(async () => world?.moto.stop());

  it('spares a datalek- function by the account of the credentials in use', async () => {
    const file = await functionAndFinding('datalek-sweep');
    const r = await world.cli(['replay', file, '--enforce', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(await concurrencyOf('datalek-sweep')).not.toBe(0);
  }, 180_000);

  it('refuses a policy file or DATALEK_PIPELINE_ACCOUNT naming another account, and stops nothing', async () => {
    const file = await functionAndFinding('datalek-notify');
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ containment: { pipelineAccount: '999988887777' } }));
    const byPolicy = await world.cli(['replay', file, '--enforce', '--json', '--policy', policy]);
    expect(byPolicy.code).toBe(2);
    expect(byPolicy.stderr).toContain(`the policy's containment.pipelineAccount is 999988887777, but these credentials are of account ${ACCOUNT}`);
    const byEnv = await spawnCli(['replay', file, '--enforce', '--json', '--target', 'aws'], { ...world.moto.env, DATALEK_PIPELINE_ACCOUNT: '999988887777' });
    expect(byEnv.code).toBe(2);
    expect(byEnv.stderr).toContain(`DATALEK_PIPELINE_ACCOUNT is 999988887777, but these credentials are of account ${ACCOUNT}`);
    expect(await concurrencyOf('datalek-notify')).not.toBe(0);
  }, 180_000);
});
