import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The project's folder (where runbooks/ and package.json are), found from this module's own
 * place: the CLI runs from the TypeScript sources (tests) and from its build in dist/ alike.
 */
export const PROJECT_ROOT = findRoot(import.meta.dirname);

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'runbooks'))) return dir;
    if (dirname(dir) === dir) return join(import.meta.dirname, '../..');
  }
}
