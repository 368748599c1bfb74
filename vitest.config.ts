import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';

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

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the CLI when it is missing or stale (a fresh clone, an edited source).
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // vitest's default is one worker less than the machine has cores: one worker on a two-core
    // machine, so the storm's seven mostly idle minutes ran before every other file instead of
    // beside them. The storm's worker is mostly idle, so the others get a worker per core beside it:
    // on two cores the rest of the suite (about 14 minutes of test time on 29 November) ran on one
    // worker, and CI took 14 minutes 23 seconds of its 15.
    maxWorkers: Math.max(3, availableParallelism()),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    sequence: { sequencer: StormFirst },
    // The SDK's notice that its 2027 releases need Node 22 is not about these tests.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
