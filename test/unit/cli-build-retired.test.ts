/**
 * lead20: a command loads each chunk of the build when it needs it. A `datalek serve` left running
 * (or any command under way) while another run built again after a source changed (a `git pull`)
 * found the chunks of its own build removed by that build (scripts/build.mjs removeOthers), and its
 * next action failed on a missing chunk. An earlier build's files now stay for a week after the
 * first build that no longer has them (their names carry their content's hash, so builds never
 * share one), and while they are among the last few builds' retired files, then go.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { RETIRED_BUILDS_KEPT, RETIRED_FILE_LIFE_MS, removeOthers } from '../../scripts/build.mjs';
import { commandChunk, ROOT, spawnNode } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'datalek-retired-chunks-'));
// The copy finds the packages it leaves out of the bundle (better-sqlite3) as the build does.
symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a command of an earlier build still loads its chunks after a build that no longer has them, for a week', async () => {
  // A copy of the build (the global setup made it current): its entry stands for a command that
  // started before the next build; a next build with none of these chunks keeps only its entry.
  const copy = join(dir, 'dist/cli');
  cpSync(join(ROOT, 'dist/cli'), copy, { recursive: true });
  const entry = join(copy, 'cli.mjs');
  const chunk = commandChunk(copy, 'status');
  const now = Date.now();
  removeOthers(copy, new Set([entry]), now);

  const store = join(dir, 'store');
  for (const args of [['replay', join(ROOT, 'events/01-ec2-backdoor-command-and-control-high.json'), '--now', '2026-11-28T03:00:00Z'], ['status']]) {
    const run = await spawnNode([entry, ...args, '--store', store, '--json']);
    expect(run.stderr).not.toMatch(/missing|ERR_MODULE_NOT_FOUND|unexpected failure/);
    expect(run.code, run.stderr).toBe(0);
  }
  // A second build later in the week keeps them too: the week counts from the first build without them.
  removeOthers(copy, new Set([entry]), now + RETIRED_FILE_LIFE_MS - 1);
  expect(existsSync(join(copy, 'chunks', chunk))).toBe(true);
  expect(JSON.parse(readFileSync(join(copy, '.retired.json'), 'utf8'))[join('chunks', chunk)]).toBe(now);

  // A week on, they go.
  removeOthers(copy, new Set([entry]), now + RETIRED_FILE_LIFE_MS + 1);
  expect(existsSync(join(copy, 'chunks', chunk))).toBe(false);
  expect(JSON.parse(readFileSync(join(copy, '.retired.json'), 'utf8'))).toEqual({});
});

it('a damaged list of retired files keeps them a full week from now, and is written anew', () => {
  const other = join(dir, 'damaged');
  cpSync(join(ROOT, 'dist/cli'), other, { recursive: true });
  writeFileSync(join(other, '.retired.json'), '{ not json');
  const now = Date.now();
  removeOthers(other, new Set([join(other, 'cli.mjs')]), now);
  const list = JSON.parse(readFileSync(join(other, '.retired.json'), 'utf8'));
  expect(Object.values(list).length).toBeGreaterThan(0);
  expect(new Set(Object.values(list))).toEqual(new Set([now]));
});

it(`keeps the files of the last ${RETIRED_BUILDS_KEPT} builds that retired any, not every build of a week`, () => {
  // A developer's every source edit builds again: a week of builds kept every one's files.
  const builds = join(dir, 'builds');
  mkdirSync(join(builds, 'chunks'), { recursive: true });
  const entry = join(builds, 'cli.mjs');
  writeFileSync(entry, '');
  const now = Date.now();
  const files: string[] = [];
  for (let b = 0; b <= RETIRED_BUILDS_KEPT; b++) {
    // Build b had its own chunk; build b + 1 retires it, a minute later.
    const chunk = join(builds, 'chunks', `status-BUILD${b}.mjs`);
    writeFileSync(chunk, '');
    files.push(chunk);
    removeOthers(builds, new Set([entry]), now + (b + 1) * 60_000);
  }
  expect(files.map((f) => existsSync(f))).toEqual([false, ...Array(RETIRED_BUILDS_KEPT).fill(true)]);
});
