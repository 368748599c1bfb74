/**
 * `tsx bench/replay-instructions.ts [--per-group N]`: the instructions the bench's replay executes
 * per event, counted with callgrind (valgrind) in a process of its own: the difference between
 * replaying 600 and 200 of the bench's events, divided by 400, so that starting the process and
 * loading the code drop out. Unlike CPU time, the count does not move with what else the machine
 * runs: it judges a change to replay on a busy machine (one run takes minutes there, since
 * valgrind runs the process some fifty times slower). Groups of commits hold `--per-group` events
 * (2 by default, about what replay's own limit gives on a shared machine): a fixed size, so that
 * the count does not depend on how fast the process ran. It counts instructions only: what the
 * kernel does for a write, or waiting for the disk, is not in it (see `npm run bench`'s CPU time).
 *
 * What the count holds (30 November, 2,873,840 an event; `callgrind_annotate` by function): about
 * 30% is V8's optimizing compiler (TurboFan, on this thread under `--predictable`) compiling the
 * replay's functions as they grow hot, 17% V8's inline-cache builtins, 10% JSON, 8% SHA-256
 * (valgrind's CPU lacks the SHA extensions the machine's own has, so it costs more here than
 * there), 8% optimized code, 6% SQLite. The compiler keeps at it for thousands of events (V8's
 * `--trace-opt` on one store: 124, 51, 39, 23, 11, 15 functions per 1,000 events; events 1,001
 * to 1,400 counted 3,027,786 an event, 30% of it compiling): a change to the record path also
 * changes what V8 compiles. `bench/replay-accounting.ts` counts the work itself (JSON, hashes,
 * SQL, log pages).
 *
 * The replay runs from a bundle made with esbuild (in `dist/bench/`): compiling the TypeScript
 * under valgrind would take longer than the replay.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';
import { replayEvents, syntheticEvents } from './replay-run.js';

const { values } = parseArgs({
  options: {
    /** Run the replay itself, of this many events (in the process valgrind runs). */
    replay: { type: 'string' },
    'per-group': { type: 'string', default: '2' },
  },
  strict: true,
});

const perGroup = Number(values['per-group']);
if (!Number.isInteger(perGroup) || perGroup < 1) throw new Error(`--per-group: expected a whole number of at least 1, got ${values['per-group']}`);

if (values.replay !== undefined) {
  // Groups end by their number of events only, never by time.
  await replayEvents(syntheticEvents(Number(values.replay)), { limits: { events: perGroup, ms: Number.POSITIVE_INFINITY, wallMs: Number.POSITIVE_INFINITY } });
} else {
  const bundle = join(import.meta.dirname, '../dist/bench/replay-instructions.mjs');
  buildSync({
    entryPoints: [import.meta.filename],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    external: ['better-sqlite3', 'esbuild'],
    // The bundle's CommonJS dependencies call require.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  const counted = (events: number): number => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-callgrind-'));
    try {
      const run = spawnSync(
        'valgrind',
        [
          '--tool=callgrind',
          `--callgrind-out-file=${join(dir, 'out')}`,
          process.execPath,
          '--predictable',
          bundle,
          '--replay',
          String(events),
          '--per-group',
          String(perGroup),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const collected = /Collected : (\d+)/.exec(run.stderr ?? '');
      if (run.status !== 0 || !collected) throw new Error(`valgrind (callgrind) failed for ${events} events: ${run.error?.message ?? run.stderr.slice(-2000)}`);
      return Number(collected[1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const [few, many] = [counted(200), counted(600)];
  console.log(
    JSON.stringify({ replayInstructions: { perEvent: Math.round((many - few) / 400), perGroup, instructions: { events200: few, events600: many } } }),
  );
}
