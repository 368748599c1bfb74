/**
 * Which test files need a process of their own (vitest.config.ts runs every other file in a worker
 * shared with other files). A file does when it, or a test module it imports, imports a module that
 * builds state from the environment once, at import: a Lambda entry point (its clients, its store,
 * its signer); or when it replaces modules with vi.mock, which a module graph shared with earlier files
 * would not see.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Modules whose state is set at import from the environment: the Lambda entry points, `handlers/*.ts`
 * (each builds its clients, store and signer when loaded), but the CLI's, which runs only as the
 * process's own entry. The modules under `handlers/lambda/` only make handlers from what they are
 * given: a file that imports them (some twenty did) shares a worker like any other. Listing them too
 * gave each of those files a process and a moto of its own, some 5 s of CPU a file.
 */
const BUILT_AT_IMPORT = [/^handlers\/(?!cli\.ts$)[^/]+\.ts$/];
const MOCKS_MODULES = /^\s*vi\.(mock|doMock|unmock|doUnmock)\(/m;
const RELATIVE_IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** The repository-relative paths of the test files under `test/` that need a process of their own. */
export function filesNeedingOwnProcess(root: string): string[] {
  const imports = new Map<string, string[]>();
  const importsOf = (file: string): string[] => {
    let found = imports.get(file);
    if (found) return found;
    found = [];
    imports.set(file, found);
    const path = join(root, file);
    if (!existsSync(path)) return found;
    for (const m of readFileSync(path, 'utf8').matchAll(RELATIVE_IMPORT)) {
      const target = relative(root, resolve(root, dirname(file), m[1]));
      found.push(sourceOf(root, target));
    }
    return found;
  };
  const reachesBuiltAtImport = (file: string): boolean => {
    const seen = new Set<string>([file]);
    const todo = [file];
    while (todo.length > 0) {
      for (const next of importsOf(todo.pop() as string)) {
        if (BUILT_AT_IMPORT.some((r) => r.test(next))) return true;
        if (!seen.has(next)) {
          seen.add(next);
          todo.push(next);
        }
      }
    }
    return false;
  };
  return testFiles(root, 'test')
    .filter((file) => MOCKS_MODULES.test(readFileSync(join(root, file), 'utf8')) || reachesBuiltAtImport(file))
    .sort();
}

/** The file an import names: TypeScript is imported by its `.js` name. */
function sourceOf(root: string, target: string): string {
  for (const candidate of [target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx'), target]) {
    if (existsSync(join(root, candidate))) return candidate;
  }
  return target;
}

function testFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return testFiles(root, path);
    return e.name.endsWith('.test.ts') ? [path] : [];
  });
}
