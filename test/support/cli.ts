import { type SpawnOptions, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../handlers/cli.js';

export const ROOT = join(import.meta.dirname, '../..');

/** Runs the CLI in this process, as a script would, and collects what it printed. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t), errIsTty: false, env, cwd: ROOT });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
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
