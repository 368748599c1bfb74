import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';
import { filesNeedingOwnProcess } from './test/support/isolated-files.js';

/**
 * The storm test waits minutes on EC2's token buckets (in real time) and is mostly idle. On a clean
 * checkout vitest has no timings and keeps the files in path order, so it would start near the end
 * and run alone; started first, it runs beside every other file (given a second worker: see
 * maxWorkers).
 */
class StormFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const late = (spec: TestSpecification) => (spec.moduleId.endsWith('/storm.test.ts') ? 0 : 1);
    return sorted.sort((a, b) => late(a) - late(b));
  }
}

/**
 * Test files that need a process of their own (test/support/isolated-files.ts says which: those
 * that import a Lambda entry point, which builds its clients and store from the environment at import,
 * or replace modules with vi.mock). Every other file runs in a worker shared with other files
 * (`isolate: false`): a fresh process and module graph for each of some 300 files cost CI about a
 * third of its test time (the unit files took 135 s of CPU isolated, 35 s shared, on 30 November).
 * test/support/fresh-file.ts gives each shared file a clean environment, directory, clock and mocks.
 */
const ISOLATED_FILES = filesNeedingOwnProcess(import.meta.dirname);

export default defineConfig({
  test: {
    // Builds the CLI when it is missing or stale (a fresh clone, an edited source).
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // vitest's default is one worker less than the machine has cores: one worker on a two-core
    // machine, so the storm's seven mostly idle minutes ran before every other file instead of
    // beside them. The storm's worker is mostly idle, and the moto files' workers wait on moto (a
    // process of its own) much of their time: on two cores four workers beside each other took CI
    // 86 s less than three (29 November).
    maxWorkers: Math.max(4, availableParallelism() + 2),
    // Generous: a file's tests wait on moto and on CLI processes, which on a loaded two-core machine
    // answer several times slower than alone (30 s failed a moto replay in CI on 29 November).
    testTimeout: 90_000,
    hookTimeout: 60_000,
    sequence: { sequencer: StormFirst },
    projects: [
      {
        extends: true,
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ISOLATED_FILES, isolate: false, setupFiles: ['test/support/fresh-file.ts'] },
      },
      { extends: true, test: { name: 'isolated', include: ISOLATED_FILES, isolate: true } },
    ],
    // The SDK's notice that its 2027 releases need Node 22 is not about these tests.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
