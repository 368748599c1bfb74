/**
 * Readers of the flag values that a command's description checks before anything is opened and
 * its implementation reads again (`datalek serve --port`, `datalek minimise --after-days`): kept
 * apart from both, so that checking a command line loads neither implementation.
 */
import { UsageError } from '../errors.js';

export const DEFAULT_PORT = 8733;

/** `--port N`: 0 (any free port) to 65535; the default when not given. */
export function port(value: unknown): number {
  if (value === undefined) return DEFAULT_PORT;
  if (typeof value !== 'string' || !/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`--port must be a port number from 0 to 65535 (0: any free port), got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** `--after-days N`: a whole number of days; the policy's when not given. */
export function afterDays(value: string | boolean | undefined, policyDays: number): number {
  if (value === undefined) return policyDays;
  if (typeof value !== 'string' || !/^\d{1,5}$/.test(value.trim()))
    throw new UsageError(`--after-days must be a whole number of days (0 or more), got ${JSON.stringify(value)}`);
  return Number(value.trim());
}
