/**
 * Review 4: the command line's pipeline account comes from a policy file (or DATALEK_PIPELINE_ACCOUNT)
 * without the check the Lambda config makes (config.ts: a policy naming another account than the
 * one the pipeline runs in is refused). A policy file naming another account makes `replay --enforce`
 * stop the pipeline's own datalek-notify function in the account the CLI works in.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainmentClientFactory, type ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { ROOT, spawnCli } from '../support/cli.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const ACCOUNT = '123456789012';
const EMPTY_ZIP = Buffer.from(
  'UEsDBAoAAAAAAAAAIQAAAAAAAAAAAAAAAAAIABwAaW5kZXguanNVVAkAA0mLTGZJi0xmdXgLAAEE6AMAAAToAwAAUEsBAh4DCgAAAAAAAAAhAAAAAAAAAAAAAAAAAAgAGAAAAAAAAAAAAKSBAAAAAGluZGV4LmpzVVQFAANJi0xmdXgLAAEE6AMAAAToAwAAUEsFBgAAAAABAAEATgAAAEIAAAAAAA==',
  'base64',
);

describe.skipIf(!MOTO_AVAILABLE)('CLI pipeline account', () => {
  let moto: Moto;
  let c: ContainmentClients;
  const dir = mkdtempSync(join(tmpdir(), 'datalek-rv4-pa-'));
  const cli = (args: string[], env: Record<string, string> = {}) => spawnCli([...args, '--target', 'aws'], { ...moto.env, ...env });
  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, moto.env);
    c = await new ContainmentClientFactory('eu-west-1', 'datalek-containment').clientsFor(ACCOUNT, 'eu-west-1', 'setup');
    expect((await cli(['setup'])).code).toBe(0);
    const role = await c.iam.send(
      new CreateRoleCommand({
        RoleName: 'datalek-notify-role',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await c.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'datalek-notify',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: role.Role?.Arn,
        Code: { ZipFile: EMPTY_ZIP },
      }),
    );
  });
  afterAll(async () => moto?.stop());

  it('control: with no policy file, the account of the credentials spares datalek-sweep', async () => {
    const role = await c.iam.send(
      new CreateRoleCommand({
        RoleName: 'datalek-sweep-role',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await c.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'datalek-sweep',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: role.Role?.Arn,
        Code: { ZipFile: EMPTY_ZIP },
      }),
    );
    const text = readFileSync(join(ROOT, 'events', '33-lambda-function-tor-client.json'), 'utf8')
      .replaceAll('111122223333', ACCOUNT)
      .replaceAll('klantexport', 'datalek-sweep')
      .replaceAll('b2b3b4b5b6b7b8b9b0c2c3c4c5c6c7c8', 'c2b3b4b5b6b7b8b9b0c2c3c4c5c6c7c8');
    const file = join(dir, 'ev0.json');
    writeFileSync(file, text);
    const r = await cli(['replay', file, '--enforce', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const conc = (await c.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'datalek-sweep' }))).ReservedConcurrentExecutions;
    expect(conc).not.toBe(0);
  }, 180_000);

  it('a policy file naming another pipeline account: replay --enforce leaves datalek-notify running', async () => {
    const text = readFileSync(join(ROOT, 'events', '33-lambda-function-tor-client.json'), 'utf8')
      .replaceAll('111122223333', ACCOUNT)
      .replaceAll('klantexport', 'datalek-notify');
    const file = join(dir, 'ev.json');
    writeFileSync(file, text);
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ containment: { pipelineAccount: '999988887777' } }));
    const r = await cli(['replay', file, '--enforce', '--json', '--policy', policy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the policy's containment.pipelineAccount is 999988887777, but these credentials are of account ${ACCOUNT}`);
    const conc = (await c.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'datalek-notify' }))).ReservedConcurrentExecutions;
    expect(conc).not.toBe(0);
  }, 180_000);
});
