/**
 * The local store's folder and files hold personal data (findings with IP addresses and user
 * names, the breach register, the FG's reasoning): closed to other local users whatever the umask
 * (AVG Art. 32), as the link key beside the store is.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A file datalek writes personal data to: its owner's only. */
export const PRIVATE_FILE_MODE = 0o600;

/** Makes `dir` and its missing parents its owner's only; a folder that exists already is left as it is (it may be the user's own). */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Takes group's and others' access off each of `paths` that exists and is this user's (SQLite
 * creates its files with the umask's mode; a store an earlier datalek made is closed when next
 * opened). A file of another user's is left to them.
 */
export function closeToOthers(...paths: string[]): void {
  for (const path of paths) {
    let mode: number;
    let uid: number;
    try {
      ({ mode, uid } = statSync(path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (mode & 0o077 && uid === process.getuid?.()) chmodSync(path, mode & 0o700);
  }
}

/**
 * What makes the store in `dir` replaceable by another local user, as ssh judges a key's folders: the
 * folder, or one above it, owned by another user than this one or root, or writable by group or
 * others without the sticky bit. Any of them can rename `datalek.sqlite` (or its -wal) away and put a
 * store of their own in its place, which verify then checks on its own terms (atk28 F18). Each as a
 * line to warn with (the command still runs: a store folder that existed is the user's to judge);
 * none where it cannot be read (the store's own open says so) or on a system without user ids.
 */
export function exposedStoreFolders(dir: string): string[] {
  const uid = process.getuid?.();
  if (uid === undefined) return [];
  const store = resolve(dir);
  const lines: string[] = [];
  for (let folder = store; ; folder = dirname(folder)) {
    let mode: number;
    let owner: number;
    try {
      ({ mode, uid: owner } = statSync(folder));
    } catch {
      return lines;
    }
    const what = folder === store ? `the store folder ${store}` : `the folder ${folder} above the store ${store}`;
    if (owner !== uid && owner !== 0)
      lines.push(
        `datalek: warning: ${what} belongs to another user (uid ${owner}), who can replace the store's database with one of their own: keep the store in a folder of yours (--store DIR)`,
      );
    else if (mode & 0o022 && !(mode & 0o1000))
      lines.push(
        `datalek: warning: ${what} can be written by other local users (mode ${(mode & 0o777).toString(8)}, no sticky bit): any of them can replace the store's database with one of their own; close it (chmod go-w ${folder}) or keep the store elsewhere (--store DIR)`,
      );
    if (dirname(folder) === folder) return lines;
  }
}
