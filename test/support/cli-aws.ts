import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ContainmentClientFactory, type ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { enteredAtNow, ROOT, type runCli, spawnCli } from './cli.js';
import { type Moto, startMoto } from './moto.js';

/** moto's own account: the pipeline's account in these tests, no role to assume. */
export const MOTO_ACCOUNT = '123456789012';

/** What the CLI tests against AWS share: moto, the CLI run with `--target aws` on it, and clients of moto's account. */
export interface CliAwsWorld {
  moto: Moto;
  /** The clients of moto's account, for a test to set up resources and read them back (see `testClients`). */
  c: ContainmentClients;
  /** `datalek … --target aws`, in a process of its own, on moto: the real command line, its exit code and output. */
  cli: (args: string[]) => ReturnType<typeof spawnCli>;
  /**
   * `datalek … --target aws` run in this process, on moto: the same command, without a node process
   * and the AWS SDK loaded for each call (some 0.8 s of CPU each). For the steps a test takes to
   * build its world or read a record back; what the command line itself answers (exit code, stdout,
   * stderr) is checked through `cli`, at least once per command and target in the suite.
   */
  run: (args: string[]) => ReturnType<typeof runCli>;
}

/**
 * The test's own clients of moto's account: the SDK's defaults, not the pipeline's request timeout.
 * On a loaded machine moto, which serves one request at a time, can take longer than the pipeline's
 * 8 s to answer; a client that gives up sends the request again while moto still carries out the
 * first, the retries queue behind it, and the test's setup failed on its own call (release-shared,
 * 30 November, twice: a call of the scenario timed out four times; a bucket created twice, BucketAlreadyOwnedByYou).
 * A test's setup waits for moto instead. (The services no test sets up are containment's clients.)
 */
function testClients(product: ContainmentClients): ContainmentClients {
  const region = 'eu-west-1';
  return {
    ...product,
    ec2: new EC2Client({ region }),
    autoscaling: new AutoScalingClient({ region }),
    elbv2: new ElasticLoadBalancingV2Client({ region }),
    iam: new IAMClient({ region }),
    s3: new S3Client({ region, forcePathStyle: true }),
    lambda: new LambdaClient({ region }),
  };
}

/**
 * The credentials of a session of `role` named `session`, assumed through moto's STS, as the
 * variables a process reads them from: sts:GetCallerIdentity with them gives
 * `arn:aws:sts::123456789012:assumed-role/ROLE/SESSION`.
 */
export async function sessionEnv(moto: Moto, role: string, session: string): Promise<Record<string, string>> {
  const sts = new STSClient({ endpoint: moto.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  try {
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${role}`, RoleSessionName: session }));
    return {
      AWS_ACCESS_KEY_ID: Credentials?.AccessKeyId as string,
      AWS_SECRET_ACCESS_KEY: Credentials?.SecretAccessKey as string,
      AWS_SESSION_TOKEN: Credentials?.SessionToken as string,
    };
  } finally {
    sts.destroy();
  }
}

/** The FG's role's session the worlds below run the CLI as: on AWS only it records the FG's decisions (handlers/cli/fg-role.ts). */
export const FG_SESSION = { role: 'datalek-fg', session: 'fg' };

/** Starts moto for this process and makes the pipeline's resources with `datalek setup --target aws` (in this process: cli-aws.test.ts runs it through the command line). */
export async function cliAwsWorld(): Promise<CliAwsWorld> {
  const moto = await startMoto();
  Object.assign(process.env, moto.env);
  const c = testClients(await new ContainmentClientFactory('eu-west-1', 'datalek-containment').clientsFor(MOTO_ACCOUNT, 'eu-west-1', 'setup'));
  // The CLI runs as a session of the FG's role, which records the FG's decisions (and on-call's steps alike).
  const fg = await sessionEnv(moto, FG_SESSION.role, FG_SESSION.session);
  Object.assign(process.env, fg);
  const cli = (args: string[]) => spawnCli([...args, '--target', 'aws'], { ...moto.env, ...fg });
  // Entered at the time it states, where it states one (cli.ts enteredAtNow).
  const run = (args: string[]) => enteredAtNow([...args, '--target', 'aws'], { ...process.env, ...moto.env, ...fg });
  const setup = await run(['setup']);
  if (setup.code !== 0) throw new Error(`datalek setup --target aws failed on moto: ${setup.stderr}`);
  return { moto, c, cli, run };
}

/**
 * An event of the project's events folder written into `dir` for a replay on moto: its account made
 * moto's, and each `replace` key (an instance, a finding id) replaced by its value.
 */
export function worldEvent(dir: string, name: string, replace: Record<string, string>): string {
  let text = readFileSync(join(ROOT, 'events', `${name}.json`), 'utf8').replaceAll('111122223333', MOTO_ACCOUNT);
  for (const [from, to] of Object.entries(replace)) text = text.replaceAll(from, to);
  const file = join(dir, `${name}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, text);
  return file;
}
