/**
 * Before each test file, in workers that run several files in one process (the `shared` project in
 * vitest.config.ts): the process as a fresh worker would give it. A file that set an environment
 * variable (moto's endpoint, a store's path), changed directory, faked the clock or spied on a
 * function leaves nothing to the next file in its worker.
 */
import { afterAll, vi } from 'vitest';

const ENV_KEY = Symbol.for('datalek.test.env');
const CWD_KEY = Symbol.for('datalek.test.cwd');
const held = globalThis as unknown as Record<symbol, unknown>;
// The first file in a worker keeps the worker's own environment and directory for the others.
held[ENV_KEY] ??= { ...process.env };
held[CWD_KEY] ??= process.cwd();

function restore(): void {
  const env = held[ENV_KEY] as NodeJS.ProcessEnv;
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
  if (process.cwd() !== held[CWD_KEY]) process.chdir(held[CWD_KEY] as string);
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
}

restore();
afterAll(restore);
