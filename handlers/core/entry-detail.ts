/**
 * A timeline entry's detail read back from the store. Datalek writes every detail as a JSON object;
 * one edited behind the pipeline (`null`, a number, a list, a string, text that is no JSON) is read
 * as damaged, not thrown: the entry keeps its place with an empty detail and says what it held, so
 * that `show`, the report, the page and the register show the rest of the timeline and name this
 * entry (verify names it as damaged too, core/audit.ts), where each died on it before (sto28).
 */
import type { TimelineEntry } from './incident.js';
import { kindOf } from './stored-record.js';
import { oneLine } from './text.js';

/** The detail stored as `text`, or an empty one with what is wrong with it. */
export function storedEntryDetail(text: unknown): Pick<TimelineEntry, 'detail' | 'damaged'> {
  let value: unknown;
  try {
    value = JSON.parse(String(text));
  } catch {
    return { detail: {}, damaged: 'its detail is not valid JSON' };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { detail: value as Record<string, unknown> };
  return { detail: {}, damaged: `its detail is ${kindOf(value)}, not an object` };
}

/** The line a reader prints on stderr for each damaged entry of `timeline` (none when all are whole). */
export function damagedEntryLines(timeline: readonly TimelineEntry[]): string[] {
  return timeline
    .filter((e) => e.damaged)
    .map((e) =>
      oneLine(`datalek: incident ${e.incidentId}, entry ${e.seq} (${e.kind}): ${e.damaged}: the entry is damaged; datalek verify ${e.incidentId} names it`),
    );
}
