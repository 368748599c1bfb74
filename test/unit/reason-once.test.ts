/**
 * The assessment in force is also the last assessment of the decision history, reason and all. Its
 * reason was stored twice, and the record's 64 KB share of people's text counted it twice: a few
 * long reasons filled it. A record now stores it once, in `decisions`, and reading it back gives it
 * to `assessment` again. A record stored before keeps both, verifies, and reads as it was; its next
 * change stores it once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { personBytes } from '../../handlers/core/commit-bounds.js';
import { assess } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { storedText } from '../../handlers/core/ledger.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';

describe('the reason of the assessment in force', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let id: string;
  const deps = () => ({ store, policy: DEFAULT_POLICY, now: () => NOW });
  const occurrences = (text: string, word: string) => text.split(word).length - 1;
  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    id = (await recordEvent({ ...deps(), canEnforce: false }, findingEvent({ id: 'r-1' }))).incidentId as string;
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await cleanup();
  });

  it('is stored once, read back in the assessment, and counted once in the people’s share', async () => {
    const reason = `eerste-reden ${'x'.repeat(7000)}`;
    const incident = await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason, by: 'FG' });
    expect(occurrences(storedText.incident(incident), 'eerste-reden')).toBe(1);
    const read = (await store.getIncident(id)) as Incident;
    expect(read.assessment).toMatchObject({ reason, by: 'FG', personalData: 'yes', notifiable: true });
    expect(read.decisions?.at(-1)).toMatchObject({ kind: 'assessment', reason });
    // Once: the history's copy, not a second in the assessment.
    expect(personBytes(read)).toBeLessThan(1.5 * Buffer.byteLength(reason));
    expect(verifyOk(await verifyStore(store))).toBe(true);
  });

  it('leaves a record stored before with both as it was: it verifies and reads the same; its next change stores it once', async () => {
    // Stored as before: the reason in both places.
    vi.spyOn(storedText, 'incident').mockImplementation((incident) => JSON.stringify(incident));
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'oude-reden', by: 'FG' });
    vi.restoreAllMocks();
    expect(occurrences(await rowText(), 'oude-reden')).toBe(2);
    expect(verifyOk(await verifyStore(store))).toBe(true);
    expect(((await store.getIncident(id)) as Incident).assessment?.reason).toBe('oude-reden');

    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'high', reason: 'nieuwe-reden', by: 'FG' });
    expect(occurrences(await rowText(), 'nieuwe-reden')).toBe(1);
    expect(occurrences(await rowText(), 'oude-reden')).toBe(1);
    expect(((await store.getIncident(id)) as Incident).assessment?.reason).toBe('nieuwe-reden');
    expect(verifyOk(await verifyStore(store))).toBe(true);
  });

  /** The incident's row as stored. */
  async function rowText(): Promise<string> {
    return String((await store.rawIncident(id)).record?.data);
  }
});
