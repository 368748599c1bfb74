/**
 * readB19: a build removes the files of earlier builds it no longer has (scripts/build.mjs
 * removeOthers). Two datalek commands started at once after a source edit both build: the first to
 * finish removed the other's temporary files before that one renamed them, and the other command
 * failed with "could not be built from its sources: ENOENT". A temporary file of a build still
 * running now stays; one of a build that is gone is removed. (An earlier build's chunks stay for a
 * while since lead20: cli-build-retired.test.ts.)
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { RETIRED_FILE_LIFE_MS, removeOthers } from '../../scripts/build.mjs';

const dir = mkdtempSync(join(tmpdir(), 'datalek-build-others-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("keeps another running build's temporary files and removes the rest of earlier builds", () => {
  mkdirSync(join(dir, 'chunks'));
  const files = {
    kept: join(dir, 'cli.mjs'),
    old: join(dir, 'chunks', 'status-OLDHASH1.mjs'),
    // This test's own process stands for the other build, still running.
    running: join(dir, 'chunks', `status-NEWHASH2.mjs.${process.pid}.tmp`),
    // No process has this id (above any pid_max): a build that died.
    dead: join(dir, 'chunks', 'status-NEWHASH3.mjs.999999999.tmp'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const now = Date.now();
  removeOthers(dir, new Set([files.kept]), now);
  // An earlier build's chunk stays a while (a command under way may still load it: cli-build-retired.test.ts).
  expect(Object.fromEntries(Object.entries(files).map(([k, f]) => [k, existsSync(f)]))).toEqual({ kept: true, old: true, running: true, dead: false });
  removeOthers(dir, new Set([files.kept]), now + RETIRED_FILE_LIFE_MS + 1);
  expect(existsSync(files.old)).toBe(false);
});

it('removes a temporary file left a day ago, though a process of its id runs now (the id used again)', () => {
  // readD19: a build that died left its file; the id is this test's process now. Kept while any
  // process of that id ran, it could stay for as long as that process lives.
  const stale = join(dir, `cli.mjs.${process.pid}.tmp`);
  writeFileSync(stale, '');
  const dayAgo = new Date(Date.now() - 24 * 60 * 60 * 1000);
  utimesSync(stale, dayAgo, dayAgo);
  removeOthers(dir, new Set());
  expect(existsSync(stale)).toBe(false);
});
