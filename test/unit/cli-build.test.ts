/**
 * The built command loads at start only what every command needs: the AWS SDK (for
 * `--target aws`) and the web server (for `serve`) sit in chunks that a dynamic import reaches.
 * Checked on esbuild's own account of the build (its metafile), not by timing.
 */
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { CLI_BUILD_OPTIONS } from '../../scripts/build.mjs';

/** The source files of every chunk the entry loads before it runs: its static imports, followed. */
function loadedAtStart(metafile: Metafile): string[] {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((k) => k.endsWith('/cli.mjs'));
  if (!entry) throw new Error('no cli.mjs in the build');
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const i of outputs[file].imports) if (i.kind === 'import-statement' && !i.external) queue.push(i.path);
  }
  return [...seen].flatMap((file) => Object.keys(outputs[file].inputs));
}

describe('the built command', () => {
  it('loads neither the AWS SDK nor the web server at start; both are in the build, behind dynamic imports', async () => {
    const result = await build({ ...CLI_BUILD_OPTIONS, write: false });
    const atStart = loadedAtStart(result.metafile);
    const everything = Object.keys(result.metafile.inputs);

    const heavy = (f: string) => /node_modules\/(@aws-sdk|@smithy|@aws-crypto|hono|@hono)\//.test(f) || f.startsWith('handlers/web/');
    expect(atStart.filter(heavy)).toEqual([]);
    expect(atStart).toContain('handlers/cli.ts');
    expect(everything.some((f) => f.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
    expect(everything).toContain('handlers/cli/aws-backend.ts');
    expect(everything).toContain('handlers/web/app.tsx');
  });
});
