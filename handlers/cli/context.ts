/**
 * What every CLI command gets: the parsed flags, the store or AWS backend, the policy and the clock,
 * and the small helpers that turn flags into typed values (a bad one is a `UsageError`: exit 2,
 * nothing written).
 */

import { IncidentNotFoundError } from '../core/errors.js';
import type { Incident } from '../core/incident.js';
import type { Policy } from '../core/policy.js';
import { type ActionDeps, acknowledgeInStore } from '../use-cases/actions.js';
import { awsSettings, type Backend, openBackend, type Target } from './backend.js';
import { signedAcknowledger } from './signed-ack.js';

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

/**
 * What the use cases of actions.ts need, for the CLI and `serve` alike. An acknowledgement on AWS
 * with `DATALEK_ACK_URL` set goes through that URL, signed: the acknowledger is the signer.
 */
export function actionDeps(ctx: Context, backend: Backend): ActionDeps {
  const base = { store: backend.store, policy: ctx.policy, now: ctx.now };
  const url = ctx.io.env.DATALEK_ACK_URL;
  return {
    ...base,
    containment: backend.containment,
    acknowledge: ctx.target === 'aws' && url ? signedAcknowledger(url, awsSettings(ctx.io.env).region) : acknowledgeInStore(base),
  };
}

export async function loadIncident(store: Backend['store'] | null, id: string): Promise<Incident> {
  const incident = store ? await store.getIncident(id) : undefined;
  if (!incident) throw new IncidentNotFoundError(id);
  return incident;
}

/** The flag readers every command uses; the web page reads its forms with the same ones. */
export { countFlag, isoFlag, listFlag, oneOf } from '../use-cases/fields.js';
