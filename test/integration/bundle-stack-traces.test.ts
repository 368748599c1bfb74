/**
 * A deployed function's stack traces name the TypeScript lines, as `--enable-source-maps` prints
 * them, while its files load without their source maps (issue #14: Node read and indexed every map
 * at load, 13-18% of a handler's load time). The same handler bundled the old way, each file
 * naming its map, is the reference: Node's own output.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler, HANDLER_ENTRY_FILE, handlerBuildOptions } from '../../infra/bundling.js';
import { spawnNode } from '../support/cli.js';

const ENV = {
  PATH: process.env.PATH,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  DATALEK_TABLE: 'datalek-incidents',
  DATALEK_IDEMPOTENCY_TABLE: 'datalek-idempotency',
  DATALEK_FG_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:datalek-fg',
  DATALEK_ON_CALL_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:datalek-on-call',
  DATALEK_BUS_NAME: 'datalek',
};

/** The stack of the error `handler` rejects `event` with, in a process of its own; `flags` as the function runs. */
async function stackOf(bundleDir: string, event: unknown, flags: string[]): Promise<string> {
  const url = pathToFileURL(join(bundleDir, HANDLER_ENTRY_FILE)).href;
  const script = `const { handler } = await import(${JSON.stringify(url)});
try { await handler(${JSON.stringify(event)}, { awsRequestId: 'r-1', functionName: 'test', getRemainingTimeInMillis: () => 30000 }); console.log('no error'); }
catch (err) { console.log(err.stack); }`;
  const run = await spawnNode([...flags, '--input-type=module', '-e', script], { env: ENV });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  // Frames not mapped name the bundle's own file: the same for both once its folder is left out.
  return run.stdout.split(bundleDir).join('<bundle>');
}

describe('stack traces of a bundled handler', () => {
  let dir: string;
  let lazy: string;
  let eager: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-stacks-'));
    lazy = join(dir, 'lazy', 'record-finding');
    eager = join(dir, 'eager', 'record-finding');
    bundleHandler('record-finding', lazy);
    // The reference: each file names its map (Node reads them at load), nothing injected.
    buildSync({ ...handlerBuildOptions('record-finding', eager), sourcemap: true, inject: [] });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads files that name no source map, each with its map beside it', () => {
    const files = readdirSync(lazy, { recursive: true }).map(String);
    const code = files.filter((f) => f.endsWith('.mjs'));
    expect(code.length).toBeGreaterThan(1);
    for (const f of code) {
      expect(readFileSync(join(lazy, f), 'utf8'), f).not.toContain('sourceMappingURL');
      expect(files, f).toContain(`${f}.map`);
    }
  });

  it("prints what Node's --enable-source-maps prints: the TypeScript file, line and function of each frame", async () => {
    // A finding without its id: rejected while parsing, several frames deep in the core.
    const event = { version: '0', 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', detail: { type: 'Backdoor:EC2/C&CActivity.B' } };
    const reference = await stackOf(eager, event, ['--enable-source-maps']);
    const stack = await stackOf(lazy, event, ['--enable-source-maps']);
    expect(reference).toMatch(/handlers\/core\/finding\.ts:\d+:\d+\)/);
    expect(reference).toMatch(/handlers\/lambda\/record\.ts:\d+:\d+\)/);
    expect(stack).toBe(reference);
  }, 60_000);

  it('maps nothing when the process runs without source maps, as Node', async () => {
    const event = { detail: {} };
    const stack = await stackOf(lazy, event, []);
    expect(stack).toMatch(/\(file:\/\/<bundle>\/.+\.mjs:\d+:\d+\)/);
    expect(stack).not.toMatch(/\.ts:\d+/);
  }, 60_000);
});
