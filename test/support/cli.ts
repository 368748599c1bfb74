import { type SpawnOptions, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../handlers/cli.js';

export const ROOT = join(import.meta.dirname, '../..');

/**
 * Runs the CLI in this process, as a script would, and collects what it printed. The machine's
 * clock is the system's, as on the command line; `machine` fixes it (`enteredAtNow`).
 */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, machine?: () => string) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), errIsTty: false, env, cwd: ROOT };
  const code = await main(args, machine ? { ...io, machineClock: machine } : io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/**
 * `runCli` with the machine's clock at the run's `--now`: a case played through at stated times,
 * each command entered when it says (no stated clock). Without it a `--now` days behind the
 * system's clock is a stated one, and what it enters after an AP deadline is judged as entered
 * then (core/change-incident.ts enteredAt, atk28 F16).
 */
export function enteredAtNow(args: string[], env: NodeJS.ProcessEnv = {}) {
  const at = args.indexOf('--now');
  const now = at >= 0 ? args[at + 1] : undefined;
  return runCli(args, env, now === undefined ? undefined : () => new Date(now).toISOString());
}

/**
 * Runs `bin/datalek.mjs` as a separate process; `options` can run it as another user (when the
 * tests run as root), kill it after `timeout` ms, or pass node flags (a heap limit).
 */
export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { uid?: number; gid?: number; timeout?: number; nodeOptions?: string[] } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { nodeOptions = [], ...spawnOptions } = options;
  return spawnNode([...nodeOptions, join(ROOT, 'bin/datalek.mjs'), ...args], { env: { ...process.env, ...env }, ...spawnOptions });
}

/** Runs node with `args` in a process of its own (in the repository) and collects what it printed. */
export function spawnNode(
  args: string[],
  options: SpawnOptions = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, killSignal: 'SIGKILL', ...options });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/**
 * The file name of the chunk holding `command`'s implementation in the build at `cliDir` (dist/cli or
 * a copy), read from the entry that imports it: chunks/ also keeps earlier builds' retired chunks
 * (scripts/build.mjs), so the first `status-*.mjs` listed may be another build's.
 */
export function commandChunk(cliDir: string, command: string): string {
  const found = readFileSync(join(cliDir, 'cli.mjs'), 'utf8').match(new RegExp(`\\./chunks/(${command}-\\w+\\.mjs)`));
  if (!found) throw new Error(`${join(cliDir, 'cli.mjs')} imports no chunk of ${command}`);
  return found[1];
}
