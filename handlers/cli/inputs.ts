import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UsageError } from './errors.js';

/**
 * The files `replay` reads: each PATH is a file, or a folder read recursively in name order
 * (`.json` files only). Every path is checked before anything is processed, so an unreadable path
 * stops the run with nothing written.
 */
export function expandPaths(paths: string[], cwd = process.cwd()): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
      accessSync(path, constants.R_OK);
    } catch (err) {
      throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (stat.isDirectory()) files.push(...walk(path).map((f) => relative(cwd, f) || f));
    else files.push(path);
  }
  return files;
}

function walk(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (err) {
    throw new UsageError(`cannot read folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const out: string[] = [];
  for (const name of entries) {
    const full = join(dir, name);
    const stat = statSync(full);
    if (stat.isDirectory()) out.push(...walk(full));
    else if (name.endsWith('.json')) {
      try {
        accessSync(full, constants.R_OK);
      } catch (err) {
        throw new UsageError(`cannot read ${full}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      out.push(full);
    }
  }
  return out;
}
