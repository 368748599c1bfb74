/**
 * `npm run bench -- --storm [--scale N] [--baseline COMMIT]`: the finding storm of
 * test/support/storm.ts (1,000 instances compromised at once, 300 of them in one account and
 * region, findings within a minute, EC2 throttled like EC2 by a proxy in front of moto), run
 * through this code and through the code as it was before issue #11 (the baseline), in one run.
 *
 * The baseline is the commit's own files (`git archive`, into a temporary folder; nothing of it
 * is committed here), run by the same harness: same accounts, same deliveries, same throttling.
 * Its contain function had no reserved concurrency, so as many of its runs go at once as arrive.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStorm, type StormReport } from '../test/support/storm.js';

/** main before issue #11 (standard retries, no lease, no reserved concurrency, the old swap). */
export const BASELINE_COMMIT = '6aab28a374a97be7fd546fdc15e8d90e6d0e05d4';

const ROOT = join(import.meta.dirname, '..');

export interface StormFigures {
  label: string;
  /** Simulated seconds from the first delivery until the last interface was isolated. */
  lastIsolatedSeconds: number | null;
  /** Share of all interfaces isolated within 60 simulated seconds. */
  isolatedWithin60s: number;
  interfaces: number;
  ended: Record<string, number>;
  /** Interfaces back in their own groups, the failure recorded and paged. */
  restoredAndPaged: number;
  /** Interfaces not isolated whose failure the incident does not record and page, by what it does record. */
  unrecorded: Record<string, number>;
  ec2: StormReport['ec2'];
  mutatingCallsTwice: number;
  actions: Record<string, number>;
  failures: Record<string, number>;
  exposedPages: number;
  contain: StormReport['contain'];
  record: StormReport['record'];
  recordProblems: number;
  realSeconds: number;
}

function tally(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

export function figures(r: StormReport): StormFigures {
  const ended: Record<string, number> = {};
  for (const i of r.interfaces) ended[i.end] = (ended[i.end] ?? 0) + 1;
  return {
    label: r.label,
    lastIsolatedSeconds: r.lastIsolatedSeconds === null ? null : Math.round(r.lastIsolatedSeconds),
    isolatedWithin60s: Number(r.isolatedWithin60s.toFixed(3)),
    interfaces: r.interfaces.length,
    ended,
    restoredAndPaged: r.interfaces.filter((i) => i.end === 'own-groups' && i.failureRecordedAndPaged).length,
    unrecorded: tally(r.interfaces.filter((i) => i.end !== 'isolated' && !i.failureRecordedAndPaged).map((i) => i.recorded)),
    ec2: r.ec2,
    mutatingCallsTwice: r.duplicateCalls.length,
    actions: r.actions,
    failures: r.failures,
    exposedPages: r.exposedPages,
    contain: r.contain,
    record: r.record,
    recordProblems: r.recordProblems.length,
    realSeconds: r.realSeconds,
  };
}

/** The baseline's files in a temporary folder, or why they cannot be had (a shallow clone). */
function checkoutBaseline(commit: string): { dir: string } | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-baseline-'));
  const out = spawnSync('sh', ['-c', `git -C "$1" archive "$2" | tar -x -C "$3"`, 'sh', ROOT, commit, dir], { encoding: 'utf8' });
  if (out.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { error: `commit ${commit} is not in this clone (${out.stderr.trim().split('\n')[0]})` };
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return { dir };
}

export async function benchStorm(options: { timeScale: number; baseline: string | null; log: (line: string) => void }) {
  const current = figures(await runStorm('current', { root: ROOT, timeScale: options.timeScale, log: options.log }));
  let baseline: StormFigures | { skipped: string } | null = null;
  if (options.baseline) {
    const checkout = checkoutBaseline(options.baseline);
    if ('error' in checkout) {
      baseline = { skipped: checkout.error };
    } else {
      try {
        baseline = figures(await runStorm(`baseline ${options.baseline.slice(0, 7)}`, { root: checkout.dir, timeScale: options.timeScale, log: options.log }));
      } finally {
        rmSync(checkout.dir, { recursive: true, force: true });
      }
    }
  }
  return { timeScale: options.timeScale, current, baseline };
}

/** The two side by side, one line per figure. */
export function printStorm(result: Awaited<ReturnType<typeof benchStorm>>, print: (line: string) => void): void {
  const columns: StormFigures[] = [result.current];
  if (result.baseline && !('skipped' in result.baseline)) columns.push(result.baseline);
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const rows: [string, (f: StormFigures) => string][] = [
    ['last interface isolated after', (f) => (f.lastIsolatedSeconds === null ? 'never' : `${f.lastIsolatedSeconds} s`)],
    ['interfaces isolated within 60 s', (f) => pct(f.isolatedWithin60s)],
    ['interfaces isolated at the end', (f) => `${f.ended.isolated ?? 0} of ${f.interfaces}`],
    ['  own groups, failure recorded, paged', (f) => String(f.restoredAndPaged)],
    ['  not isolated, failure not recorded', (f) => String(Object.values(f.unrecorded).reduce((a, b) => a + b, 0))],
    ['  left in the all-traffic group', (f) => String(f.ended['all-traffic'] ?? 0)],
    ['EC2 calls (throttled, retries)', (f) => `${f.ec2.calls} (${f.ec2.throttled}, ${f.ec2.retries})`],
    // Sent again by the SDK after its request timeout, the answer not yet come (moto answers one request at a time).
    ['EC2 calls given up on before answered', (f) => String(f.ec2.unanswered ?? 0)],
    ['mutating calls made twice', (f) => String(f.mutatingCallsTwice)],
    ['actions done / failed', (f) => `${f.actions.done ?? 0} / ${f.actions.failed ?? 0}`],
    ['exposed-interface pages', (f) => String(f.exposedPages)],
    ['contain runs (busy, retried, dead letters)', (f) => `${f.contain.invocations} (${f.contain.busy}, ${f.contain.retried}, ${f.contain.deadLetters})`],
    ['contain concurrency', (f) => (f.contain.concurrency === null ? 'unreserved' : String(f.contain.concurrency))],
    ['findings not recorded once', (f) => String(f.recordProblems)],
    ['real seconds', (f) => String(f.realSeconds)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  print(`storm    1,000 findings in 50 accounts (300 in one), throttled like EC2; time scale ${result.timeScale}`);
  print(`${' '.repeat(9 + width)}${columns.map((c) => c.label.padEnd(22)).join('')}`);
  for (const [name, value] of rows) print(`         ${name.padEnd(width)}${columns.map((c) => value(c).padEnd(22)).join('')}`);
  if (result.baseline && 'skipped' in result.baseline) print(`         baseline skipped: ${result.baseline.skipped}`);
  const list = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  for (const c of columns) {
    if (Object.keys(c.failures).length) print(`         ${c.label}: failed steps at the end: ${list(c.failures)}`);
    if (Object.keys(c.unrecorded).length) print(`         ${c.label}: interfaces not isolated and not recorded as failed (action/step): ${list(c.unrecorded)}`);
    if (Object.keys(c.contain.errors).length) print(`         ${c.label}: contain runs that threw: ${list(c.contain.errors)}`);
  }
}
