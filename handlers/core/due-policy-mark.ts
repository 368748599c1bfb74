/**
 * The due-policy mark as the store keeps it, read apart from the policy and the schedule
 * (due-policy.ts): the stores read it, and the anchor, which loads a store, loads no policy.
 */
import type { DuePolicyMark, DueSettings } from './due-policy.js';
import { canonicalJson, sha256 } from './hash.js';

export function settingsDigest(settings: DueSettings): string {
  return sha256(canonicalJson(settings));
}

/** A due-policy mark the store holds that is not one the sweep wrote: not JSON, or its settings not its digest's. */
export class UnreadableMarkError extends Error {
  override name = 'UnreadableMarkError';
}

/**
 * The mark as the store keeps it (`text`, its JSON), read only when it is one the sweep wrote: a
 * digest, a time and settings whose digest it is. Anything else was changed behind the pipeline
 * (finB s28 F2): verify names it, and the sweep reads it as no mark and writes it anew.
 */
export function parseDuePolicyMark(text: string): DuePolicyMark {
  let mark: unknown;
  try {
    mark = JSON.parse(text);
  } catch {
    throw new UnreadableMarkError('it is not valid JSON');
  }
  if (typeof mark !== 'object' || mark === null || Array.isArray(mark)) throw new UnreadableMarkError('it is no object');
  const { digest, settings, at } = mark as Record<string, unknown>;
  if (typeof digest !== 'string' || typeof at !== 'string' || typeof settings !== 'object' || settings === null)
    throw new UnreadableMarkError('it lacks its digest, time or settings');
  let held: string;
  try {
    held = settingsDigest(settings as DueSettings);
  } catch {
    throw new UnreadableMarkError('its settings cannot be read');
  }
  if (held !== digest) throw new UnreadableMarkError('its settings are not the ones its digest names');
  return mark as DuePolicyMark;
}
