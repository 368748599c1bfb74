import { ContainmentClientFactory, type ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { spawnCli } from './cli.js';
import { type Moto, startMoto } from './moto.js';

/** moto's own account: the pipeline's account in these tests, no role to assume. */
export const MOTO_ACCOUNT = '123456789012';

/** What the CLI tests against AWS share: moto, the CLI run with `--target aws` on it, and containment's clients. */
export interface CliAwsWorld {
  moto: Moto;
  /** The clients of moto's account, for a test to set up resources and read them back. */
  c: ContainmentClients;
  /** `datalek … --target aws`, in a process of its own, on moto. */
  cli: (args: string[]) => ReturnType<typeof spawnCli>;
}

/** Starts moto for this process and makes the pipeline's resources with `datalek setup --target aws`. */
export async function cliAwsWorld(): Promise<CliAwsWorld> {
  const moto = await startMoto();
  Object.assign(process.env, moto.env);
  const c = await new ContainmentClientFactory('eu-west-1', 'datalek-containment').clientsFor(MOTO_ACCOUNT, 'eu-west-1', 'setup');
  const cli = (args: string[]) => spawnCli([...args, '--target', 'aws'], moto.env);
  const setup = await cli(['setup']);
  if (setup.code !== 0) throw new Error(`datalek setup --target aws failed on moto: ${setup.stderr}`);
  return { moto, c, cli };
}
