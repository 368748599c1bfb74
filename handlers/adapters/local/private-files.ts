/**
 * The local store's folder and files hold personal data (findings with IP addresses and user
 * names, the breach register, the FG's reasoning): closed to other local users whatever the umask
 * (AVG Art. 32), as the link key beside the store is.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';

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
