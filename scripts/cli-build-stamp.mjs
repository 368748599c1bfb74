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

/** `{ file: [size, mtimeMs] }` of each file, relative to the project; a missing file is null. */
export function stampOf(files) {
  const stamp = {};
  for (const file of files) stamp[file] = fingerprint(file);
  return stamp;
}

function fingerprint(file) {
  try {
    const s = statSync(join(ROOT, file));
    return [s.size, s.mtimeMs];
  } catch {
    return null;
  }
}

export function cliIsFresh() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP_FILE, 'utf8'));
    statSync(CLI_ENTRY);
  } catch {
    return false;
  }
  for (const [file, recorded] of Object.entries(stamp)) {
    const now = fingerprint(file);
    if (now?.[0] !== recorded?.[0] || now?.[1] !== recorded?.[1]) return false;
  }
  return true;
}
