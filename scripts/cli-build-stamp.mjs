/**
 * Whether the built command in dist/cli/ is current, cheaply enough to ask on every start: the
 * build records the size and modification time of every source file it read (stamp.json); a file
 * that changed, moved or went away makes the build stale. Installing other packages (package-lock.json)
 * or changing the build itself does too.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
export const CLI_DIR = join(ROOT, 'dist', 'cli');
export const CLI_ENTRY = join(CLI_DIR, 'cli.mjs');
export const STAMP_FILE = join(CLI_DIR, 'stamp.json');
/** Files besides the sources whose change makes a new build: the dependencies and the build itself. */
export const WATCHED_FILES = ['package-lock.json', 'node_modules/.package-lock.json', 'scripts/build.mjs', 'scripts/cli-build-stamp.mjs', 'tsconfig.json'];

/**
 * `{ file: [size, mtimeMs] }` of each file, relative to the project; a missing file is null.
 * @param {string[]} files
 * @returns {Record<string, [number, number] | null>}
 */
export function stampOf(files, root = ROOT) {
  /** @type {Record<string, [number, number] | null>} */
  const stamp = {};
  for (const file of files) stamp[file] = fingerprint(root, file);
  return stamp;
}

function fingerprint(root, file) {
  // The path joined by hand and no exception for a missing file: this runs some 160 times on
  // every start, where path.join and a thrown error cost more than the stat itself.
  const s = statSync(`${root}/${file}`, { throwIfNoEntry: false });
  return s ? [s.size, s.mtimeMs] : null;
}

/** Whether every file of `stamp` still has the size and modification time recorded (a file recorded missing, still missing). */
export function stampHolds(stamp, root = ROOT) {
  for (const file in stamp) {
    const recorded = stamp[file];
    const now = fingerprint(root, file);
    if (now?.[0] !== recorded?.[0] || now?.[1] !== recorded?.[1]) return false;
  }
  return true;
}

export function cliIsFresh() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP_FILE, 'utf8'));
    statSync(CLI_ENTRY);
  } catch {
    return false;
  }
  return stampHolds(stamp);
}
