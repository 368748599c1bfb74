/**
 * How every Lambda handler is bundled, in one place: the CDK app deploys these bundles
 * (constructs/response-function.ts) and `npm run bench` measures these same bundles.
 *
 * - ES modules, split into chunks: code reached only through `import()` is a file of its own,
 *   loaded when first needed. The contain function starts without any service's client and loads
 *   EC2's (about 600 KB of code), IAM's or S3's when an action first needs it; the SDK's rarely
 *   used credential providers (SSO, web identity) load only where they are used.
 * - What a chunk holds is decided by module, not by function: a module a function imports at start
 *   brings all of its code that any part of the bundle uses, lazily loaded parts included. Code to
 *   be loaded only when needed lives in modules that only dynamic imports reach (the contain
 *   function's service clients, lambda/lazy-deps.ts's notifier and publisher).
 * - Packages' ES module builds (the `module` field) where they have one: the bundler can then
 *   leave out what is not used (much of the AWS SDK's CommonJS build is kept whole).
 * - Minified (class and function names kept: an error's name in the logs is its class's), with
 *   source maps beside them, without the sources inside. The functions run with
 *   --enable-source-maps, so a stack trace in the logs names the TypeScript line; the files do not
 *   name their maps (Node would read and index every map while loading the files, 13-18% of the
 *   load time), and handlers/lambda/source-maps.ts, injected ahead of the rest, reads a file's map
 *   when a stack trace first passes through it and prints what Node prints.
 * - The AWS SDK is bundled too (none is external): the version tested is the version deployed.
 */
import { join } from 'node:path';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';

export const PROJECT_ROOT = join(import.meta.dirname, '..');

/** The handlers under handlers/ that the CDK app deploys, one function each. */
export const HANDLERS = [
  'record-finding',
  'notify',
  'contain',
  'sweep',
  'acknowledge',
  'anchor',
  'link',
  'link-apply',
  'detector-canary',
  'member-pages',
] as const;

/** The file Lambda loads: `index.mjs`, exporting `handler`. */
export const HANDLER_ENTRY_FILE = 'index.mjs';

export function handlerBuildOptions(handler: string, outdir: string): BuildOptions & { outdir: string; metafile: true } {
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: { index: join(PROJECT_ROOT, 'handlers', `${handler}.ts`) },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    // Class names stay: errors in the logs read ConflictError, not a one-letter name.
    keepNames: true,
    // Written beside the files, not named in them: read when a stack trace needs them (lambda/source-maps.ts).
    sourcemap: 'external',
    sourcesContent: false,
    inject: [join(PROJECT_ROOT, 'handlers', 'lambda', 'source-maps.ts')],
    // Bundled CommonJS code calls require() for Node's own modules: give the ES module one.
    banner: { js: "import { createRequire as __datalekRequire } from 'node:module'; const require = __datalekRequire(import.meta.url);" },
    legalComments: 'none',
    metafile: true,
    logLevel: 'error',
  };
}

/** Bundles one handler into `outdir` (written there) and returns esbuild's account of it. */
export function bundleHandler(handler: string, outdir: string): Metafile {
  return buildSync(handlerBuildOptions(handler, outdir)).metafile;
}

/** The output files a bundle loads at start: its entry and every chunk the entry imports statically, and theirs. */
export function startOutputs(metafile: Metafile): Set<string> {
  const outputs = Object.entries(metafile.outputs).filter(([file]) => !file.endsWith('.map'));
  const byFile = new Map(outputs);
  const entry = outputs.find(([file]) => file.endsWith(`/${HANDLER_ENTRY_FILE}`) || file === HANDLER_ENTRY_FILE)?.[0];
  if (!entry) throw new Error(`the bundle has no ${HANDLER_ENTRY_FILE}`);
  const atStart = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop() as string;
    if (atStart.has(file)) continue;
    atStart.add(file);
    for (const i of byFile.get(file)?.imports ?? []) if (i.kind === 'import-statement' && !i.external) queue.push(i.path);
  }
  return atStart;
}

/** The source files (packages' included) whose code a bundle loads at start. */
export function startInputs(metafile: Metafile): Set<string> {
  return new Set([...startOutputs(metafile)].flatMap((file) => Object.keys(metafile.outputs[file].inputs)));
}

/** What a bundle loads at start (its entry and every chunk the entry imports statically), and the rest. */
export function bundleSizes(metafile: Metafile): { startBytes: number; lazyBytes: number; largestFileBytes: number; files: number } {
  const outputs = Object.entries(metafile.outputs).filter(([file]) => !file.endsWith('.map'));
  const atStart = startOutputs(metafile);
  const all = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
  const startBytes = [...atStart].reduce((sum, f) => sum + metafile.outputs[f].bytes, 0);
  return { startBytes, lazyBytes: all - startBytes, largestFileBytes: Math.max(...outputs.map(([, o]) => o.bytes)), files: outputs.length };
}
