/**
 * The FG's retention hold as the timeline gives it (atk28 F8), apart from the use case that places
 * and releases it (retention-hold.ts): verify and the anchor read it, and load nothing of the
 * people's use cases for it.
 */
/** A timeline entry as the store gives it, or as verify reads it (its detail still text). */
interface HoldEntry {
  seq?: number;
  kind: unknown;
  at: unknown;
  actor: unknown;
  detail: unknown;
}

/**
 * The hold the timeline gives (atk28 F8): the last 'retention-hold' entry's time, person and reason,
 * unless a 'retention-hold-released' entry followed it; null when it gives none. Each hold and each
 * release writes its entry with the change, so the record's `retentionHold` must be this: minimise
 * and verify read it here too, since a hold taken off the record alone would let the evidence go.
 */
export function holdByTimeline(entries: readonly HoldEntry[]): { at: string; by: string; reason: string; seq?: number } | null {
  let hold: { at: string; by: string; reason: string; seq?: number } | null = null;
  for (const e of entries) {
    if (e.kind === 'retention-hold-released') hold = null;
    if (e.kind !== 'retention-hold') continue;
    const detail = typeof e.detail === 'string' ? parseDetail(e.detail) : e.detail;
    const reason = detail && typeof detail === 'object' ? (detail as { reason?: unknown }).reason : undefined;
    hold = { at: String(e.at), by: String(e.actor), reason: String(reason), ...(e.seq !== undefined ? { seq: e.seq } : {}) };
  }
  return hold;
}

function parseDetail(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
