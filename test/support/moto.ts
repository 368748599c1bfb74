/**
 * moto in server mode, started on 127.0.0.1 on a free port for one test file and stopped after it.
 * Where `moto_server` is missing the AWS tests are skipped with a message saying how to install it,
 * except under CI=true, where a missing moto fails the run: CI must have run them.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

const found = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).status === 0;
if (!found && process.env.CI === 'true') {
  throw new Error("moto_server is not on PATH, and CI=true: the AWS integration tests must run in CI. Install it with: pip install 'moto[server]'");
}
if (!found) {
  console.warn("moto_server not found: skipping the AWS tests. Install it with: pip install 'moto[server]'");
}

/** Whether the AWS tests can run here. */
export const MOTO_AVAILABLE = found;

export const TEST_REGION = 'eu-west-1';

export interface Moto {
  endpoint: string;
  env: Record<string, string>;
  clients: { dynamodb: DynamoDBClient; sns: SNSClient; eventbridge: EventBridgeClient; sqs: SQSClient };
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * moto_server's own entry point with one change: it serves one request at a time. moto's
 * TransactWriteItems restores a whole-table snapshot when a transaction fails, without a lock, so
 * on a threaded server a failing transaction can undo another client's committed write; real
 * DynamoDB never does. Serialised requests keep the emulator truthful for the concurrency tests,
 * which still interleave at request granularity (reads and conditional writes of racing clients).
 */
const SERIAL_MOTO = `
import os, sys
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
os.environ.setdefault("MOTO_PORT", sys.argv[2])
run_simple(sys.argv[1], int(sys.argv[2]), DomainDispatcherApplication(create_backend_app), threaded=False)
`;

/** The Python that runs moto_server (a pyenv shim or a venv script names it in its first line). */
function motoPython(): string {
  const real = spawnSync('sh', ['-c', 'pyenv which moto_server 2>/dev/null || command -v moto_server'], { encoding: 'utf8' }).stdout.trim();
  const shebang = spawnSync('head', ['-1', real], { encoding: 'utf8' }).stdout.trim();
  return shebang.startsWith('#!') && !shebang.includes(' ') ? shebang.slice(2) : 'python3';
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn(motoPython(), ['-c', SERIAL_MOTO, '127.0.0.1', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-2000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok || res.status < 500) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
  };
  const config = { endpoint, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  return {
    endpoint,
    env,
    clients: { dynamodb: new DynamoDBClient(config), sns: new SNSClient(config), eventbridge: new EventBridgeClient(config), sqs: new SQSClient(config) },
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}
