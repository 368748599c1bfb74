/**
 * The built command loads at start only what reading the command line needs: `--help` and a bad
 * flag load no command's implementation, no use case, no store and no package; a command loads its
 * own implementation, in a chunk of its own that a dynamic import reaches (commands/index.ts). The
 * AWS SDK (for `--target aws`) and the web server (for `serve`) sit behind dynamic imports too, and
 * a `--target aws` command loads the clients of DynamoDB and SNS, not those of what only some
 * commands do (digests in S3 and KMS, containment, STS, SigV4 requests).
 * Checked on esbuild's own account of the build (its metafile) and on the files a real run of
 * bin/datalek.mjs loads, never by timing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../handlers/cli/commands/index.js';
import { CLI_BUILD_OPTIONS } from '../../scripts/build.mjs';
import { ROOT, spawnCli } from '../support/cli.js';
import { MOTO_AVAILABLE, startMoto } from '../support/moto.js';

/** The output files a file of the build loads before it runs: itself and its static imports, followed. */
function staticClosure(metafile: Metafile, start: string): string[] {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const i of metafile.outputs[file].imports) if (i.kind === 'import-statement' && !i.external) queue.push(i.path);
  }
  return [...seen];
}

const sourcesOf = (metafile: Metafile, outputs: string[]) => outputs.flatMap((file) => Object.keys(metafile.outputs[file].inputs));
const outputOf = (metafile: Metafile, entryPoint: string) => Object.keys(metafile.outputs).find((k) => metafile.outputs[k].entryPoint === entryPoint);
/** The AWS client package a source file belongs to (`client-s3`), if any. */
const awsClientOf = (f: string) => /node_modules\/@aws-sdk\/(client-[^/]+)\//.exec(f)?.[1];
const heavy = (f: string) => /node_modules\/(@aws-sdk|@smithy|@aws-crypto|hono|@hono)\//.test(f) || f.startsWith('handlers/web/');

/**
 * What start-up may load: the command line's parser, the commands' descriptions and the checks
 * they make, the errors it maps to exit codes, and the clock for --now. A file added here makes
 * `--help` and every command slower to start: profile first.
 */
const AT_START = [
  'handlers/cli.ts',
  'handlers/cli/commands/index.ts',
  'handlers/cli/commands/flag-values.ts',
  'handlers/cli/errors.ts',
  'handlers/cli/lost-race.ts',
  'handlers/core/errors.ts',
  'handlers/core/text.ts',
  'handlers/core/time.ts',
  'handlers/ports/clock.ts',
];

let metafile: Metafile;
let entry: string;

/** The source files `datalek NAME` loads once it runs: its chunk and that chunk's static imports. */
const loadedBy = (name: string) => sourcesOf(metafile, staticClosure(metafile, outputOf(metafile, `handlers/cli/commands/${name}.ts`) as string));

beforeAll(async () => {
  // The same options as the build in dist/cli/ (the global setup made it current): the same chunk names.
  metafile = (await build({ ...CLI_BUILD_OPTIONS, write: false })).metafile;
  entry = Object.keys(metafile.outputs).find((k) => k.endsWith('/cli.mjs')) as string;
}, 120_000);

describe('the built command', () => {
  it('loads at start only the command line: no command, use case, store or package', () => {
    const atStart = sourcesOf(metafile, staticClosure(metafile, entry));
    expect([...atStart].sort()).toEqual([...AT_START].sort());
  });

  it("puts each command's implementation in a chunk of its own, which start-up does not load", () => {
    const atStart = staticClosure(metafile, entry);
    for (const command of COMMANDS) {
      const own = outputOf(metafile, `handlers/cli/commands/${command.name}.ts`);
      expect(own, `${command.name} has no chunk of its own`).toBeDefined();
      expect(atStart).not.toContain(own);
    }
  });

  it('loads the AWS SDK and the web server for no command but the ones that ask for them', () => {
    const everything = Object.keys(metafile.inputs);
    for (const name of ['status', 'show', 'ack']) expect(loadedBy(name).filter(heavy), name).toEqual([]);
    expect(everything.some((f) => f.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
    expect(everything).toContain('handlers/cli/aws-backend.ts');
    expect(everything).toContain('handlers/web/app.tsx');
  });

  it('loads with the --target aws backend the clients of DynamoDB and SNS alone: the others load where a command needs them', () => {
    // On-call runs `status --target aws` and `ack` at night: S3, KMS, STS and containment's EC2, IAM,
    // ECS… were some 1.1 MB of code loaded by every such command (awscli19).
    const backend = outputOf(metafile, 'handlers/cli/aws-backend.ts') as string;
    const clients = new Set(sourcesOf(metafile, staticClosure(metafile, backend)).map(awsClientOf).filter(Boolean));
    expect([...clients].sort()).toEqual(['client-dynamodb', 'client-sns']);
    // The SDK's ES module builds, which the bundle tree-shakes, not its CommonJS ones (scripts/build.mjs mainFields).
    const commonJs = sourcesOf(metafile, staticClosure(metafile, backend)).filter((f) => /node_modules\/@(aws-sdk|smithy)\/[^/]+\/dist-cjs\//.test(f));
    expect(commonJs).toEqual([]);
    for (const onDemand of ['aws-caller', 'aws-digests', 'aws-signing']) {
      const own = outputOf(metafile, `handlers/cli/${onDemand}.ts`);
      expect(own, `${onDemand} has no chunk of its own`).toBeDefined();
      expect(staticClosure(metafile, backend)).not.toContain(own);
    }
  });

  it("loads for the commands that only read (status, show) neither the people's use cases nor the FG's workflow", () => {
    // What one incident's detail, the register and the recording commands need (use-cases/queries.ts, actions.ts).
    const writing = [
      'handlers/use-cases/actions.ts',
      'handlers/core/fg-workflow.ts',
      'handlers/core/draft.ts',
      'handlers/core/register.ts',
      'handlers/core/record-finding.ts',
    ];
    for (const name of ['status', 'show']) {
      const needless = loadedBy(name).filter((f) => writing.includes(f));
      expect(needless, name).toEqual([]);
    }
  });

  describe('run as a process, it loads of the build', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'datalek-loads-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** The files of dist/cli/ that `datalek ARGS` loads, relative to the build's own paths. */
    async function builtFilesLoaded(args: string[], record: string, env: NodeJS.ProcessEnv = {}) {
      const run = await spawnCli(args, { ...env, DATALEK_RECORD_LOADS: record }, { nodeOptions: ['--import', join(ROOT, 'test/support/record-loads.mjs')] });
      const dist = join(ROOT, 'dist/cli/');
      const loaded = readFileSync(record, 'utf8')
        .trim()
        .split('\n')
        .map((url) => fileURLToPath(url))
        .filter((path) => path.startsWith(dist))
        .map((path) => `dist/cli/${path.slice(dist.length)}`);
      return { run, loaded };
    }
    const relative = (outputs: string[]) => outputs.map((o) => o.replace(/^.*dist\/cli\//, 'dist/cli/')).sort();

    it('for --help and for a bad flag, the entry and its static chunks alone', async () => {
      const help = await builtFilesLoaded(['--help'], join(dir, 'help'));
      expect(help.run.code).toBe(0);
      expect([...help.loaded].sort()).toEqual(relative(staticClosure(metafile, entry)));
      const bad = await builtFilesLoaded(['status', '--bogus'], join(dir, 'bad'));
      expect(bad.run.code).toBe(2);
      expect([...bad.loaded].sort()).toEqual(relative(staticClosure(metafile, entry)));
    });

    it("for status, besides those only the policy's and status's own chunks", async () => {
      const status = await builtFilesLoaded(['status', '--store', join(dir, 'no-store')], join(dir, 'status'));
      expect(status.run.stderr).toContain('no store at');
      const own = outputOf(metafile, 'handlers/cli/commands/status.ts') as string;
      const policy = outputOf(metafile, 'handlers/core/policy.ts') as string;
      const allowed = new Set(relative([entry, own, policy].flatMap((start) => staticClosure(metafile, start))));
      expect(status.loaded.filter((f) => !allowed.has(f))).toEqual([]);
      expect(status.loaded).toContain(relative([own])[0]);
    });

    it.skipIf(!MOTO_AVAILABLE)(
      'for status --target aws on moto, the clients of DynamoDB and SNS alone: no STS request for the topics of a command that sends nothing',
      async () => {
        const moto = await startMoto();
        try {
          const setup = await spawnCli(['setup', '--target', 'aws'], moto.env);
          expect(setup.code, setup.stderr).toBe(0);
          const status = await builtFilesLoaded(['status', '--target', 'aws'], join(dir, 'status-aws'), moto.env);
          expect(status.run.code, status.run.stderr).toBe(0);
          expect(status.run.stdout).toContain('No open incidents.');
          const byPath = new Map(Object.keys(metafile.outputs).map((o) => [relative([o])[0], o]));
          const clients = new Set(
            sourcesOf(
              metafile,
              status.loaded.map((f) => byPath.get(f) as string),
            )
              .map(awsClientOf)
              .filter(Boolean),
          );
          expect([...clients].sort()).toEqual(['client-dynamodb', 'client-sns']);
        } finally {
          await moto.stop();
        }
      },
      120_000,
    );
  });
});
