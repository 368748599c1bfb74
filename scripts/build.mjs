#!/usr/bin/env node
/**
 * Builds the `datalek` command into dist/cli/ with esbuild: one ES module for start-up and chunks
 * loaded only when a command needs them (the AWS SDK for `--target aws`, the web server for
 * `serve`). No TypeScript compiler runs when the command runs.
 *
 * `npm install` builds it (the `prepare` script); bin/datalek.mjs and the tests' global setup build
 * it again when it is missing or older than its sources (see cli-build-stamp.mjs).
 *
 *   node scripts/build.mjs             build
 *   node scripts/build.mjs --if-stale  build only when missing or stale
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI_DIR, CLI_ENTRY, cliIsFresh, ROOT, STAMP_FILE, stampOf, WATCHED_FILES } from './cli-build-stamp.mjs';

/**
 * esbuild's options for the CLI.
 * @type {import('esbuild').BuildOptions & { metafile: true, write: false, outdir: string }}
 */
export const CLI_BUILD_OPTIONS = {
  absWorkingDir: ROOT,
  entryPoints: { cli: 'handlers/cli.ts' },
  outdir: CLI_DIR,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  // Chunks: what a dynamic import() reaches loads only when that import runs.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // A package's ES module build where it has one (the AWS SDK's dist-es): esbuild's default for
  // node takes the CommonJS build, which bundles every command of a client (tree-shaking cannot see
  // into CommonJS) and is evaluated through wrappers. `status --target aws` loaded 0.98 MB of
  // code with it, 0.69 MB without (test/unit/cli-build.test.ts, awscli19).
  mainFields: ['module', 'main'],
  // The native SQLite binding stays a package; everything else is bundled and tree-shaken.
  external: ['better-sqlite3'],
  // Smaller text parses sooner; names are kept readable for the stack of an unexpected failure.
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  // Bundled CommonJS packages call require() for Node's own modules: give the ES module one.
  banner: { js: "import { createRequire as __datalekRequire } from 'node:module'; const require = __datalekRequire(import.meta.url);" },
  legalComments: 'none',
  metafile: true,
  write: false,
  logLevel: 'warning',
};

/** Builds the CLI; each file is written whole (a temporary file renamed), the entry and the stamp last. */
export async function buildCli() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error('datalek: the command is not built and esbuild is missing: run `npm install` in the datalek folder');
  }
  const result = await esbuild.build(CLI_BUILD_OPTIONS);
  // Packages are covered by the lock files (the node_modules folder may be a link elsewhere).
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/'));
  const entry = CLI_ENTRY;
  const files = [...result.outputFiles].sort((a, b) => (a.path === entry) - (b.path === entry));
  const written = new Set();
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
    written.add(file.path);
  }
  removeOthers(CLI_DIR, written);
  const stamp = stampOf([...new Set([...inputs, ...WATCHED_FILES])]);
  const temporary = `${STAMP_FILE}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(stamp)}\n`);
  renameSync(temporary, STAMP_FILE);
  return { files: written.size, bytes: files.reduce((sum, f) => sum + f.contents.length, 0) };
}

/** Builds the CLI when it is missing or older than its sources; true when it built. */
export async function ensureCliBuilt() {
  if (cliIsFresh()) return false;
  await buildCli();
  return true;
}

/**
 * Chunks of earlier builds that this build no longer has. A file another build is writing (its
 * `.<pid>.tmp`, while that process runs) stays: two commands started at once after a source edit
 * both build, and the first to finish removed the other's file before it was renamed (ENOENT).
 * @param {string} dir
 * @param {Set<string>} keep
 */
export function removeOthers(dir, keep) {
  for (const name of readdirSync(dir, { recursive: true })) {
    const path = join(dir, String(name));
    if (keep.has(path) || path === STAMP_FILE || beingWritten(path) || statSync(path, { throwIfNoEntry: false })?.isDirectory() !== false) continue;
    rmSync(path, { force: true });
  }
}

/**
 * A build writes each temporary file and renames it at once: one older than this is no running
 * build's, though a process of its id runs (the id of a build that died, used again: readD19).
 */
const TEMPORARY_FILE_LIFE_MS = 10 * 60 * 1000;

/** Whether `path` is a temporary file of a build still running (named `.<pid>.tmp` by that process, and written lately). */
function beingWritten(path) {
  const pid = Number(/\.(\d+)\.tmp$/.exec(path)?.[1]);
  if (!pid) return false;
  const written = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
  if (written === undefined || Date.now() - written > TEMPORARY_FILE_LIFE_MS) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ifStale = process.argv.includes('--if-stale');
  const started = performance.now();
  const built = ifStale ? await ensureCliBuilt() : Boolean(await buildCli());
  if (built) {
    console.log(`datalek: built the command into ${relative(process.cwd(), CLI_DIR) || '.'} in ${Math.round(performance.now() - started)} ms`);
  }
}
