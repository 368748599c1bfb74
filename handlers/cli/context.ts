/**
 * What every CLI command gets: the parsed flags, the store or AWS backend, the policy and the clock,
 * and the small helpers that turn flags into typed values (a bad one is a `UsageError`: exit 2,
 * nothing written).
 */

import { IncidentNotFoundError } from '../core/errors.js';
import type { Incident } from '../core/incident.js';
import type { Policy } from '../core/policy.js';
import { type Backend, openBackend, type Target } from './backend.js';
import { UsageError } from './errors.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stderr is a terminal (then replay draws a progress bar). */
  errIsTty: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type Flags = {
  store?: string;
  now?: string;
  policy?: string;
  target?: string;
  json?: boolean;
  by?: string;
  note?: string;
  reason?: string;
  enforce?: boolean;
  'reactivate-key'?: boolean;
  help?: boolean;
} & Record<string, string | boolean | undefined>;

export interface Context {
  target: Target;
  flags: Flags;
  positionals: string[];
  storeDir: string;
  policy: Policy;
  now: () => string;
  io: Io;
}

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
}

/** One CLI command: its flags, its arguments, its lines in `--help`, and what it does. */
export interface Command {
  name: string;
  /** Its lines in `datalek --help`. */
  usage: string;
  /** Where `--help` lists it. */
  section: 'main' | 'fg';
  /** The flags it takes besides the common ones. */
  flags: Record<string, FlagSpec>;
  positionals: 'none' | 'one' | 'optional-one' | 'many';
  /** Checks of the flags that need no store (a `UsageError` before anything is opened). */
  check?: (flags: Flags, target: Target) => void;
  run: (ctx: Context) => Promise<number>;
}

/** Opens the backend (creating the embedded store only for commands that record something). */
export async function withBackend<T>(ctx: Context, create: boolean, fn: (backend: Backend | null) => Promise<T>): Promise<T> {
  const backend = await openBackend({ target: ctx.target, storeDir: ctx.storeDir, env: ctx.io.env, create });
  try {
    return await fn(backend);
  } finally {
    await backend?.close();
  }
}

export async function loadIncident(store: Backend['store'] | null, id: string): Promise<Incident> {
  const incident = store ? await store.getIncident(id) : undefined;
  if (!incident) throw new IncidentNotFoundError(id);
  return incident;
}

export function oneOf<T extends string>(flag: string, value: unknown, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}${value === undefined ? '' : `, got ${JSON.stringify(value)}`}`);
  }
  return value as T;
}

export function isoFlag(flag: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value) ||
    !Number.isFinite(Date.parse(value))
  ) {
    throw new UsageError(`--${flag} must be an ISO 8601 time such as 2026-11-28T09:30:00+01:00, got ${JSON.stringify(value)}`);
  }
  return new Date(Date.parse(value)).toISOString();
}

export function listFlag(value: unknown): string[] | undefined {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;
}

export function countFlag(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}
