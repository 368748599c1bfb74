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
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
 * How long the files of an earlier build stay once a build no longer has them. A command loads its
 * chunks when it needs them, not at start: a `datalek serve` left running, or any command under
 * way, when another run builds after a source changed (a `git pull`) still loads the chunks of the
 * build it started with. Their names carry a hash of their content, so the two builds' files never
 * share a name. Removed at once, the page's next action failed on a missing chunk.
 */
export const RETIRED_FILE_LIFE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * How many builds' retired files stay at most (each build retires its predecessor's), whatever
 * their age: a developer's every source edit builds again, and a week of those kept every one
 * (some 60 files and 1–2 MB a build). A command that began more builds ago than this loses them.
 */
export const RETIRED_BUILDS_KEPT = 5;

/** When each file an earlier build left was first found no longer built (ms), by its path in dist/cli/. */
const RETIRED_FILE = '.retired.json';

/**
 * The files of earlier builds that this build no longer has: each is kept for RETIRED_FILE_LIFE_MS
 * after the first build that did not have it (its time noted in dist/cli/.retired.json), and while
 * it is among the files the last RETIRED_BUILDS_KEPT builds retired, then removed. A file another build is writing (its `.<pid>.tmp`, while that process runs) stays: two
 * commands started at once after a source edit both build, and the first to finish removed the
 * other's file before it was renamed (ENOENT); one of a build that died is removed at once.
 * @param {string} dir
 * @param {Set<string>} keep
 * @param {number} [now]
 */
export function removeOthers(dir, keep, now = Date.now()) {
  const listPath = join(dir, RETIRED_FILE);
  const before = readRetired(listPath);
  /** @type {Record<string, number>} */
  const retired = {};
  for (const name of readdirSync(dir, { recursive: true })) {
    const path = join(dir, String(name));
    if (keep.has(path) || path === STAMP_FILE || path === listPath || beingWritten(path) || statSync(path, { throwIfNoEntry: false })?.isDirectory() !== false)
      continue;
    const since = before[String(name)] ?? now;
    if (/\.tmp$/.test(path) || now - since > RETIRED_FILE_LIFE_MS) rmSync(path, { force: true });
    else retired[String(name)] = since;
  }
  // Each build that retired files noted one time for all of them: the last few times are kept.
  const kept = new Set([...new Set(Object.values(retired))].sort((a, b) => b - a).slice(0, RETIRED_BUILDS_KEPT));
  for (const [name, since] of Object.entries(retired)) {
    if (kept.has(since)) continue;
    rmSync(join(dir, name), { force: true });
    delete retired[name];
  }
  const temporary = `${listPath}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(retired, null, 1)}\n`);
  renameSync(temporary, listPath);
}

/** The retired files' list; one unreadable or damaged counts as empty (its files are then kept a full life from now). */
function readRetired(path) {
  try {
    const list = JSON.parse(readFileSync(path, 'utf8'));
    if (list === null || typeof list !== 'object' || Array.isArray(list)) return {};
    return Object.fromEntries(Object.entries(list).filter(([, at]) => Number.isFinite(at)));
  } catch {
    return {};
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
