/**
 * readB19: each command's implementation is a chunk of the build loaded when it runs (37cf79f8). A
 * chunk not there (a build made meanwhile by another datalek run after a source changed removes the
 * chunks it no longer has; dist/cli/ cleaned by hand) failed with "unexpected failure" and a stack
 * of node's module loader, saying nothing of what to do. It now names the file and says to run the
 * command again, or build it again.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { commandChunk, ROOT, spawnNode } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'datalek-missing-chunk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a command whose chunk is missing says so, naming it, and what to do', async () => {
  // A copy of the build (the global setup made it current), the status command's chunk removed.
  const copy = join(dir, 'dist/cli');
  cpSync(join(ROOT, 'dist/cli'), copy, { recursive: true });
  const chunk = commandChunk(copy, 'status');
  expect(chunk).toBeDefined();
  rmSync(join(copy, 'chunks', chunk));
  const run = await spawnNode([join(copy, 'cli.mjs'), 'status', '--store', join(dir, 'store')]);
  expect(run.stderr.trim()).toBe(
    `datalek: part of the built command is missing (dist/cli/chunks/${chunk}): dist/cli/ was changed or cleaned, or this run began several builds, or more than a week, before the build now there. Run the command again; if it fails the same way, build it again with \`npm run build\` in the datalek folder`,
  );
  expect(run.code).toBe(3);
});
