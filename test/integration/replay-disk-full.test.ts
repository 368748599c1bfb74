/**
 * review7 K2, end to end: the store's disk fills up during a replay (here the process may write no
 * file beyond 1 MiB, `ulimit -f`: SQLite's log then fails mid-run as on a full disk; no mount
 * needed). Every line printed must name an event the store holds, the run must end with exit 3
 * naming the first event it did not record, and the same replay run again records the rest.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { jsonLines, runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

const ROOT = join(import.meta.dirname, '../..');

/** `datalek ARGS` in a process that may write no file beyond `kib` KiB. */
function replayWithFileLimit(kib: number, args: string[]) {
  const run = spawnSync('/bin/sh', ['-c', `ulimit -f ${kib} && exec "$@"`, 'sh', process.execPath, 'bin/datalek.mjs', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

it('a replay whose store fills up reports only what it stored, names where it stopped, and a re-run records the rest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-full-'));
  const store = join(dir, 'store');
  const events = join(dir, 'events.json');
  const at = '2026-11-27T20:00:00.000Z';
  const count = 200;
  writeFileSync(
    events,
    JSON.stringify(
      Array.from({ length: count }, (_, i) =>
        findingEvent({ id: `full-${i}`, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-full-${i % 50}`, createdAt: at, updatedAt: at }),
      ),
    ),
  );
  const args = ['replay', events, '--store', store, '--now', '2026-11-28T00:00:00Z', '--json'];

  const full = replayWithFileLimit(1024, args);
  expect(full.code, full.stderr).toBe(3);
  const lines = jsonLines(full.stdout);
  // The limit stops the run part way: some events recorded, not all.
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.length).toBeLessThan(count);
  expect(lines.map((l) => l.input)).toEqual(lines.map((_, i) => `${events}#${i}`));

  // Every line printed is in the store, and nothing else is.
  const status = await runCli(['status', '--store', store, '--json']);
  const stored = JSON.parse(status.stdout) as { incidentId: string; findings: number }[];
  expect(stored.map((i) => i.incidentId).sort()).toEqual([...new Set(lines.map((l) => l.incidentId as string))].sort());
  expect(stored.reduce((n, i) => n + i.findings, 0)).toBe(lines.length);
  expect((await runCli(['verify', '--store', store])).code).toBe(0);
  // Where a re-run takes up: the first event with no line.
  expect(full.stderr).toContain(`replay stopped: ${events}#${lines.length} and every event after it were not recorded`);

  // Run again with room: what was recorded is a duplicate, the rest is recorded.
  const again = await runCli(args);
  expect(again.code, again.stderr).toBe(0);
  const outcomes = jsonLines(again.stdout).map((l) => l.outcome);
  expect(outcomes.slice(0, lines.length).every((o) => o === 'duplicate')).toBe(true);
  expect(outcomes.slice(lines.length)).not.toContain('duplicate');
  const after = JSON.parse((await runCli(['status', '--store', store, '--json'])).stdout) as { findings: number }[];
  expect(after.reduce((n, i) => n + i.findings, 0)).toBe(count);
});
